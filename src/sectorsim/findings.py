"""The figures of docs/findings.md, from the stored results of the headline experiments E1-E5.

``python -m sectorsim.findings RESULTS FIGURES [SUFFIX]`` (part of ``make reproduce``) copies each
experiment's (and the design search's) report figures from ``RESULTS/<experiment><SUFFIX>/`` into ``FIGURES`` as
``<experiment>_<figure>.png`` (``SUFFIX`` is ``-quick`` for the small versions), and draws two
figures of its own:

- how the E1 heat map of the probability of critical mass changes when critical mass is 16% of
  firms (Rogers' innovators and early adopters) instead of the default 25% (Centola et al. 2018),
  read from the stored monthly adoption of every run;
- in how many plausible worlds each comparison the findings make holds (:data:`COMPARISONS`):
  world by world, the chance of critical mass of one setting minus that of the other, from the
  experiments' ``worlds.csv`` (``findings_worlds.csv``, ``.md`` and ``.png``). In a world, a
  difference counts only beyond the replicates' noise (:data:`NOISE_Z` standard errors). A
  comparison that goes its way in at least :data:`HOLDS` of the worlds *holds*; one that goes
  its way in some worlds, makes no clear difference in the others and is reversed in at most
  :data:`NOISE` of them *holds where it matters*; one whose sign changes (each way in more than
  :data:`NOISE` of the worlds) is *contested*, and reported with its numbers.

And it re-tests the earlier headlines (:data:`HEADLINES`) world by world from the experiments'
``runs.parquet``: each is *robust* where it holds in at least :data:`ROBUST` of the worlds,
*refuted* where it holds in at most the rest, *contested* between (``headlines_worlds.csv`` and
``.md``).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sectorsim.experiments.analysis import load  # noqa: E402
from sectorsim.labels import parameter_label, value_text  # noqa: E402
from sectorsim.outputs import critical_mass  # noqa: E402

EXPERIMENTS = (
    "e1_coalition_funding",
    "e2_broadening",
    "e3_cartel",
    "e4_sensitivity",
    "e5_discovery",
    "design_programme",  # the design search (`sectorsim design`): its front.png
)
SHARES = (0.16, 0.25)
E1_ROWS, E1_COLUMNS = "coalition.initial_size", "funding.budget"


def copy_figures(results: Path, figures: Path, suffix: str = "") -> list[Path]:
    """Every report figure of E1-E5 and the design search, renamed ``<experiment>_<figure>.png``."""
    copied = []
    for name in EXPERIMENTS:
        for png in sorted((results / f"{name}{suffix}").glob("*.png")):
            target = figures / f"{name}_{png.name}"
            shutil.copyfile(png, target)
            copied.append(target)
    return copied


def critical_mass_by_share(
    results: Path, suffix: str = "", shares: tuple[float, ...] = SHARES
) -> pd.DataFrame:
    """Per E1 point: the probability of critical mass within the horizon for each share, with
    critical mass as the model defines it (a stretch of ``critical_mass_months`` at or above the
    share, ODD §7)."""
    folder = results / f"{EXPERIMENTS[0]}{suffix}"
    _, experiment, runs = load(folder)
    months = experiment.config({}).critical_mass_months
    series = pd.read_parquet(folder / "timeseries.parquet", columns=["run_id", "adoption_share"])
    adoption = {run: group.to_numpy() for run, group in series.groupby("run_id")["adoption_share"]}
    runs = runs.set_index("run_id")
    table = {}
    for share in shares:
        column = f"p_{share:g}"
        runs[column] = [
            critical_mass(adoption[run], share, months)[0] is not None for run in runs.index
        ]
        table[column] = runs.groupby([E1_ROWS, E1_COLUMNS])[column].mean()
    return pd.DataFrame(table).reset_index()


def plot_share_sensitivity(table: pd.DataFrame, target: Path) -> Path:
    """Side-by-side heat maps of the E1 chance of critical mass at each share."""
    from matplotlib.ticker import FuncFormatter

    shares = [c for c in table.columns if c.startswith("p_")]
    fig, axes = plt.subplots(
        1, len(shares), figsize=(5.4 * len(shares), 4.4), sharey=True, constrained_layout=True
    )
    for ax, column in zip(axes, shares, strict=True):
        grid = table.pivot(index=E1_ROWS, columns=E1_COLUMNS, values=column)
        image = ax.imshow(grid.to_numpy(), origin="lower", vmin=0, vmax=1, cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [value_text(E1_COLUMNS, b) for b in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [value_text(E1_ROWS, s) for s in grid.index])
        ax.set_xlabel(parameter_label(E1_COLUMNS))
        ax.set_title(f"critical mass = adoption of {float(column[2:]):.0%}", fontsize=10)
        for (i, j), value in pd.DataFrame(grid.to_numpy()).stack().items():
            ax.text(
                j,
                i,
                f"{value:.0%}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if value < 0.5 else "black",
            )
    axes[0].set_ylabel(parameter_label(E1_ROWS))
    bar = fig.colorbar(image, ax=axes, label="chance of critical mass within the horizon")
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


HOLDS = 0.9  # a comparison holds where it goes its way in at least this share of the worlds
NOISE = 0.1  # a share of worlds in which the other sign may be the replicates' noise
NOISE_Z = 1.96  # a world's difference counts where it exceeds this many standard errors


def funded(budget: float) -> bool:
    return budget > 0


@dataclass(frozen=True)
class Comparison:
    """A claim that one setting beats another in an experiment: each side selects points by
    their factor values (a value, or a test of the value); a side's chance in a world is the mean
    over its points."""

    experiment: str
    claim: str
    better: dict[str, Any]
    worse: dict[str, Any]


COMPARISONS = (
    Comparison(
        "e1_coalition_funding",
        "20 koplopers at the start rather than 10 (with a budget)",
        {"coalition.initial_size": 20, "funding.budget": funded},
        {"coalition.initial_size": 10, "funding.budget": funded},
    ),
    Comparison(
        "e1_coalition_funding",
        "40 koplopers at the start rather than 20 (with a budget)",
        {"coalition.initial_size": 40, "funding.budget": funded},
        {"coalition.initial_size": 20, "funding.budget": funded},
    ),
    Comparison(
        "e1_coalition_funding",
        "a budget of €0.25M rather than none (20 koplopers)",
        {"coalition.initial_size": 20, "funding.budget": 250_000.0},
        {"coalition.initial_size": 20, "funding.budget": 0.0},
    ),
    Comparison(
        "e1_coalition_funding",
        "€2M rather than €0.25M (20 koplopers)",
        {"coalition.initial_size": 20, "funding.budget": 2_000_000.0},
        {"coalition.initial_size": 20, "funding.budget": 250_000.0},
    ),
    Comparison(
        "e2_broadening",
        "opening the coalition from 2014 (month 12) rather than keeping it closed",
        {"broadening.start_month": 12, "broadening.open": True},
        {"broadening.start_month": 12, "broadening.open": False},
    ),
    Comparison(
        "e2_broadening",
        "opening it from 2014 rather than from 2016 (month 36)",
        {"broadening.start_month": 12, "broadening.open": True},
        {"broadening.start_month": 36, "broadening.open": True},
    ),
    Comparison(
        "e3_cartel",
        "four large firms in the coalition rather than none (concentrated sector)",
        {"coalition.large_firms": 4},
        {"coalition.large_firms": 0},
    ),
    Comparison(
        "e3_cartel",
        "a Green Deal rather than none, with four large firms",
        {"coalition.large_firms": 4, "cartel.green_deal": True},
        {"coalition.large_firms": 4, "cartel.green_deal": False},
    ),
    Comparison(
        "e5_discovery",
        "a strong podium (visibility above 3) rather than little or none (up to 1)",
        {"podium.visibility": lambda v: v > 3},
        {"podium.visibility": lambda v: v <= 1},
    ),
)


def side(per_world: pd.DataFrame, select: dict[str, Any]) -> pd.DataFrame:
    """A side's chance of critical mass in each world, pooled over the points it selects
    (``p``), and the number of runs behind it (``n``)."""
    keep = pd.Series(True, index=per_world.index)
    for key, wanted in select.items():
        column = per_world[key]
        keep &= column.map(wanted) if isinstance(wanted, Callable) else column == wanted
    kept = per_world[keep].assign(hits=lambda t: t["p_critical_mass"] * t["replicates"])
    pooled = kept.groupby("world")[["hits", "replicates"]].sum()
    return pd.DataFrame({"p": pooled["hits"] / pooled["replicates"], "n": pooled["replicates"]})


def compare(per_world: pd.DataFrame, comparison: Comparison) -> dict[str, Any] | None:
    """The comparison world by world: the share of worlds in which it holds, is reversed or makes
    no clear difference (a difference within :data:`NOISE_Z` standard errors of the replicates'
    noise, two-proportion z test), the median difference and its 10-90% range, and the verdict;
    None if the experiment has no point on one side (as in its quick version)."""
    better, worse = side(per_world, comparison.better), side(per_world, comparison.worse)
    if not len(better) or not len(worse):
        return None
    both = better.add_suffix("_better").join(worse.add_suffix("_worse"), how="inner")
    difference = both["p_better"] - both["p_worse"]
    n_better, n_worse = both["n_better"], both["n_worse"]
    pooled = (both["p_better"] * n_better + both["p_worse"] * n_worse) / (n_better + n_worse)
    noise = np.sqrt(pooled * (1 - pooled) * (1 / n_better + 1 / n_worse))
    holds = float((difference > NOISE_Z * noise).mean())
    reversed_ = float((difference < -NOISE_Z * noise).mean())
    if holds >= HOLDS:
        verdict = "holds"
    elif reversed_ >= HOLDS:
        verdict = "reversed"
    elif holds > NOISE and reversed_ > NOISE:
        verdict = "contested"
    elif holds > NOISE:
        verdict = "holds where it matters"
    elif reversed_ > NOISE:
        verdict = "reversed where it matters"
    else:
        verdict = "no difference"
    low, high = np.quantile(difference, [0.1, 0.9])
    return {
        "experiment": comparison.experiment,
        "claim": comparison.claim,
        "worlds": len(difference),
        "holds_in": holds,
        "reversed_in": reversed_,
        "no_difference_in": 1 - holds - reversed_,
        "median_difference": float(difference.median()),
        "difference_low": float(low),
        "difference_high": float(high),
        "verdict": verdict,
        "differences": difference.to_numpy(),
    }


def across_worlds(results: Path, suffix: str = "") -> pd.DataFrame:
    """Every comparison of :data:`COMPARISONS` whose experiment ran in plausible worlds (its
    ``worlds.csv``, written by ``sectorsim analyze``)."""
    rows = []
    for comparison in COMPARISONS:
        table = results / f"{comparison.experiment}{suffix}" / "worlds.csv"
        if table.is_file():
            row = compare(pd.read_csv(table), comparison)
            if row is not None:
                rows.append(row)
    return pd.DataFrame(rows)


ROBUST = HOLDS  # a headline is robust where it holds in at least this share of the worlds


def best_chance(
    runs: pd.DataFrame, select: Callable[[pd.DataFrame], pd.Series] | None = None
) -> float:
    """The chance of critical mass of the best programme (point) among those ``select`` keeps."""
    kept = runs[select(runs)] if select else runs
    return float(kept.groupby("point")["critical_mass_reached"].mean().max())


def share_spent(runs: pd.DataFrame, budget: float) -> float:
    """The mean share of a budget of ``budget`` that its runs spent."""
    return float(runs.loc[runs["funding.budget"] == budget, "total_spend"].mean() / budget)


def four_and_no_large_firms(runs: pd.DataFrame, column: str) -> tuple[float, float]:
    """The mean of ``column`` in the runs with four large firms and in those with none."""
    by_firms = runs.groupby("coalition.large_firms")[column].mean()
    return float(by_firms.get(4, np.nan)), float(by_firms.get(0, np.nan))


@dataclass(frozen=True)
class Headline:
    """An earlier headline, tested in each world: ``value`` reads a number from one world's
    runs, ``holds`` says whether the headline is true of that number."""

    experiment: str
    headline: str
    measure: str
    value: Callable[[pd.DataFrame], float]
    holds: Callable[[float], bool]
    shown: str = "{:.0%}"


HEADLINES = (
    Headline(
        "e1_coalition_funding",
        "no programme without a podium tips the sector within 15 years",
        "the best E1 programme's chance of critical mass (no E1 programme has a podium)",
        best_chance,
        lambda p: p < 0.5,
    ),
    Headline(
        "e1_coalition_funding",
        "10-15 koplopers never suffice",
        "the best chance with 10 or 15 koplopers at the start, any budget",
        lambda runs: best_chance(runs, lambda r: r["coalition.initial_size"].isin([10, 15])),
        lambda p: p < 0.5,
    ),
    Headline(
        "e2_broadening",
        "12 koplopers do not suffice, whenever the coalition opens",
        "the best chance of the preset's 12 koplopers and €1M, any broadening",
        best_chance,
        lambda p: p < 0.5,
    ),
    Headline(
        "e1_coalition_funding",
        "money is absorbed slowly: less than half of €2M is spent",
        "the share of a €2M budget spent",
        lambda runs: share_spent(runs, 2_000_000.0),
        lambda share: share < 0.5,
    ),
    Headline(
        "e3_cartel",
        "large firms in the coalition bring cartel flags",
        "cartel flags a run with four large firms minus with none",
        lambda runs: np.subtract(*four_and_no_large_firms(runs, "projects_flagged")),
        lambda more: more > 0,
        "{:+.2f}",
    ),
    Headline(
        "e3_cartel",
        "large firms in the coalition halve adoption",
        "final adoption with four large firms over that with none",
        lambda runs: np.divide(*four_and_no_large_firms(runs, "final_adoption")),
        lambda ratio: ratio <= 0.5,
        "{:.2f}",
    ),
)


def retest(results: Path, suffix: str = "") -> pd.DataFrame:
    """Each headline of :data:`HEADLINES` whose experiment ran in plausible worlds, world by
    world: the share of worlds it holds in, the median and 10-90% of its measure, and the
    verdict (robust, contested or refuted)."""
    rows = []
    for headline in HEADLINES:
        path = results / f"{headline.experiment}{suffix}" / "runs.parquet"
        if not path.is_file():
            continue
        runs = pd.read_parquet(path)
        if "world" not in runs:
            continue
        values = runs.groupby("world").apply(headline.value, include_groups=False).dropna()
        if not len(values):
            continue
        holds = float(values.map(headline.holds).mean())
        low, median, high = np.quantile(values, [0.1, 0.5, 0.9])
        verdict = "robust" if holds >= ROBUST else "refuted" if holds <= 1 - ROBUST else "contested"
        rows.append(
            {
                "experiment": headline.experiment,
                "headline": headline.headline,
                "measure": headline.measure,
                "worlds": len(values),
                "holds_in": holds,
                "median": median,
                "low": low,
                "high": high,
                "shown": f"{headline.shown.format(median)} "
                f"({headline.shown.format(low)} to {headline.shown.format(high)})",
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def plot_across_worlds(table: pd.DataFrame, target: Path) -> Path:
    """Each comparison's difference in chance, world by world (dots), with its median."""
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(10, 0.55 * len(table) + 1.8), constrained_layout=True)
    rng = np.random.default_rng(0)  # jitter only
    for y, row in enumerate(table.itertuples()):
        d = row.differences
        ax.scatter(d, y + rng.uniform(-0.18, 0.18, len(d)), s=9, alpha=0.55, color="#3182bd", lw=0)
        ax.plot([row.median_difference], [y], "|", color="#08306b", ms=18, mew=2.5)
        ax.text(
            1.04,
            y,
            f"{row.holds_in:.0%} / {row.reversed_in:.0%}  {row.verdict}",
            va="center",
            fontsize=8,
            color="#a50f15" if row.verdict == "contested" else "#252525",
            transform=ax.get_yaxis_transform(),
        )
    ax.axvline(0, color="#636363", lw=1)
    ax.set_yticks(range(len(table)), table["claim"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0%}"))
    ax.set_xlabel(
        "difference in the chance of critical mass, first setting minus second (a dot per world; "
        "bar: median)"
    )
    ax.set_title(
        "Does each finding hold across plausible worlds? Right: share of worlds in which it "
        "holds / is reversed",
        fontsize=10,
    )
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


def write_across_worlds(results: Path, figures: Path, suffix: str = "") -> pd.DataFrame:
    """findings_worlds.csv, .md and .png in ``figures`` (nothing if no experiment ran in worlds)."""
    table = across_worlds(results, suffix)
    if not len(table):
        return table
    plot_across_worlds(table, figures / "findings_worlds.png")
    shown = table.drop(columns="differences")
    shown.to_csv(figures / "findings_worlds.csv", index=False)
    words = pd.DataFrame(
        {
            "finding": shown["claim"] + " (" + shown["experiment"].str[:2].str.upper() + ")",
            "holds in": shown["holds_in"].map("{:.0%} of worlds".format),
            "reversed in": shown["reversed_in"].map("{:.0%}".format),
            "difference in chance: median (10-90% of worlds)": [
                f"{m:+.0%} ({lo:+.0%} to {hi:+.0%})"
                for m, lo, hi in zip(
                    shown["median_difference"],
                    shown["difference_low"],
                    shown["difference_high"],
                    strict=True,
                )
            ],
            "verdict": shown["verdict"],
        }
    )
    (figures / "findings_worlds.md").write_text(words.to_markdown(index=False) + "\n")
    return table


def write_headlines(results: Path, figures: Path, suffix: str = "") -> pd.DataFrame:
    """headlines_worlds.csv and .md in ``figures``: :func:`retest` (nothing if no experiment ran
    in worlds)."""
    table = retest(results, suffix)
    if not len(table):
        return table
    table.drop(columns="shown").to_csv(figures / "headlines_worlds.csv", index=False)
    words = pd.DataFrame(
        {
            "earlier headline": table["headline"]
            + " ("
            + table["experiment"].str[:2].str.upper()
            + ")",
            "holds in": table["holds_in"].map("{:.0%} of worlds".format),
            "measured in each world": table["measure"],
            "median (10-90% of worlds)": table["shown"],
            "verdict": table["verdict"],
        }
    )
    (figures / "headlines_worlds.md").write_text(words.to_markdown(index=False) + "\n")
    return table


def main(argv: list[str]) -> int:
    results, figures, suffix = Path(argv[0]), Path(argv[1]), (argv[2:] or [""])[0]
    figures.mkdir(parents=True, exist_ok=True)
    copied = copy_figures(results, figures, suffix)
    table = critical_mass_by_share(results, suffix)
    table.to_csv(figures / "e1_critical_mass_share.csv", index=False)
    plot_share_sensitivity(table, figures / "e1_critical_mass_share.png")
    worlds = write_across_worlds(results, figures, suffix)
    headlines = write_headlines(results, figures, suffix)
    print(
        f"{len(copied)} report figures, the critical-mass share figure, {len(worlds)} "
        f"comparisons and {len(headlines)} headlines across plausible worlds in {figures}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
