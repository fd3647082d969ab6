"""What a design search leaves behind, for analysts who never met the optimiser:

- ``candidates.parquet``: every candidate the search tried, with its search estimates;
- ``front.parquet``: the front after re-evaluation (designs D01, D02, ... by cost), with levers,
  expected cost, P(critical mass) and its 95% interval, median month of critical mass, both as
  re-evaluated and as the search saw it;
- ``designs/Dnn.toml``: each front design as a scenario file that ``sectorsim run`` reproduces;
- ``front.png``: the front with its intervals, over every candidate;
- ``report.md``: the cheapest design for each target probability, and the levers along the front.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
from scipy import stats  # noqa: E402

from sectorsim.config import to_toml  # noqa: E402
from sectorsim.design.search import levers_of, plain, reevaluation_seed  # noqa: E402
from sectorsim.design.spec import Design  # noqa: E402
from sectorsim.experiments.robustness import LIKELY  # noqa: E402
from sectorsim.labels import euros, year_of  # noqa: E402
from sectorsim.params import PARAMETERS  # noqa: E402
from sectorsim.storage import atomic_write_bytes, atomic_write_table  # noqa: E402


def show(key: str, value: Any) -> str:
    """A lever's value in words: euros, shares, yes/no, or the number with its unit."""
    spec = PARAMETERS[key]
    if isinstance(value, bool) or spec.type == "bool":
        return "yes" if value else "no"
    if spec.unit == "EUR":
        return euros(value)
    if spec.unit in ("share", "market share", "[0,1]", "probability"):
        return f"{value:.0%}"
    if spec.type == "int" or float(value).is_integer():
        unit = spec.unit[:-1] if int(value) == 1 and spec.unit.endswith("s") else spec.unit
        return f"{int(value)} {unit}"
    return f"{value:.3g} {spec.unit}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _replicates(design: Design, n: int, short: bool = False) -> str:
    """How many runs a design had: ``n`` replicates, in every world if there are worlds."""
    if design.uncertainty is None:
        return f"{n} replicates"
    if short:
        return f"{n} replicates x {len(design.worlds)} worlds"
    return f"{n} replicates in each of {len(design.worlds)} plausible worlds"


def percent(p: float, low: float, high: float) -> str:
    return f"{p:.0%} (95% CI {low:.0%}-{high:.0%})"


def _run_command(design: Design, name: str) -> str:
    return f"sectorsim run designs/{name}.toml --reps {design.reevaluation} --seed {reevaluation_seed(design)}"


def write_outputs(
    folder: Path, design: Design, candidates: pd.DataFrame, reevaluated: pd.DataFrame
) -> pd.DataFrame:
    """Write every output of a finished search into ``folder``; return the front."""
    on_front = reevaluated["on_front"].astype(bool)
    front = reevaluated.loc[on_front].drop(columns="on_front").reset_index(drop=True)
    front.insert(0, "design", [f"D{i + 1:02d}" for i in range(len(front))])
    front["file"] = [f"designs/{name}.toml" for name in front["design"]]
    front["target_month"] = design.target_month
    candidates = candidates.assign(
        on_search_front=candidates["candidate"].isin(reevaluated["candidate"])
    )
    atomic_write_table(
        folder / "candidates.parquet", pa.Table.from_pandas(candidates, preserve_index=False)
    )
    atomic_write_table(folder / "front.parquet", pa.Table.from_pandas(front, preserve_index=False))

    keys = [lever.key for lever in design.levers]
    designs = folder / "designs"
    designs.mkdir(exist_ok=True)
    for stale in designs.glob("D*.toml"):
        stale.unlink()
    for i, row in front.iterrows():
        levers = levers_of(front, i, keys)
        description = (
            f"{design.name} {row['design']}: expected cost {euros(row['cost'])}, "
            f"P(critical mass by month {design.target_month}) {row['p_critical_mass']:.0%}"
        )
        comment = (
            f"Design {row['design']} of the front of {Path(design.source).name}.\n"
            f"Levers: " + ", ".join(f"{k} = {levers[k]!r}" for k in keys) + "\n"
            f"Reproduce its re-evaluation: {_run_command(design, row['design'])}"
        )
        text = to_toml(design.config(levers), description, comment)
        atomic_write_bytes(designs / f"{row['design']}.toml", text.encode())

    plot_front(folder / "front.png", design, candidates, reevaluated, front)
    atomic_write_bytes(
        folder / "report.md", report(design, candidates, reevaluated, front).encode()
    )
    return front


def plot_front(
    path: Path,
    design: Design,
    candidates: pd.DataFrame,
    reevaluated: pd.DataFrame,
    front: pd.DataFrame,
) -> None:
    """Every candidate (grey), the search's front (open), the re-evaluated front with 95% intervals."""
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(9, 5.4), constrained_layout=True)
    valid = candidates[candidates["replications"] > 0]
    ax.scatter(valid["cost"], valid["p_critical_mass"], s=14, color="#bdbdbd", label="candidates")
    ax.scatter(
        reevaluated["search_cost"],
        reevaluated["search_p_critical_mass"],
        s=40,
        facecolors="none",
        edgecolors="#6baed6",
        label=f"search front ({_replicates(design, design.replications, True)})",
    )
    ax.errorbar(
        front["cost"],
        front["p_critical_mass"],
        yerr=[
            front["p_critical_mass"] - front["p_low"],
            front["p_high"] - front["p_critical_mass"],
        ],
        fmt="o-",
        color="#08519c",
        capsize=3,
        drawstyle="steps-post",
        label=f"front, re-evaluated ({_replicates(design, design.reevaluation, True)}, 95% interval)",
    )
    if design.uncertainty is not None:
        ax.vlines(
            front["cost"],
            front["p_world_low"],
            front["p_world_high"],
            color="#fd8d3c",
            lw=5,
            alpha=0.45,
            label="its spread: 10-90% of plausible worlds",
        )
    for _, row in front.iterrows():
        ax.annotate(
            row["design"],
            (row["cost"], row["p_critical_mass"]),
            textcoords="offset points",
            xytext=(4, -10),
            fontsize=7,
        )
    for level in design.probabilities:
        ax.axhline(level, color="#636363", lw=0.7, ls=(0, (1, 3)))
        ax.annotate(
            f"target {level:.0%}",
            (1.0, level),
            xycoords=("axes fraction", "data"),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color="#636363",
        )
    start_year = design.base.calendar.start_year
    year = int(year_of(design.target_month, start_year))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: euros(v, short=True)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("expected programme cost (budget spent, coalition members, programme months)")
    ax.set_ylabel(f"chance of critical mass by {year}\n(month {design.target_month})")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(
        f"{design.name}: what does each chance of critical mass by {year} cost at least?",
        fontsize=10,
        parse_math=False,
    )
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _lever_trends(design: Design, front: pd.DataFrame) -> list[str]:
    """How each lever moves from the cheapest to the dearest design of the front."""
    lines = []
    for lever in design.levers:
        key, label = lever.key, PARAMETERS[lever.key].label
        values = front[key].tolist()
        if len(set(values)) == 1:
            lines.append(f"- **{label}** (`{key}`): {show(key, values[0])} in every design.")
            continue
        if lever.is_range and len(front) >= 3:
            rho = stats.spearmanr(front["cost"], front[key]).statistic
            direction = (
                "rises with cost"
                if rho >= 0.5
                else "falls as cost rises"
                if rho <= -0.5
                else "has no clear direction along the front"
            )
            lines.append(
                f"- **{label}** (`{key}`) {direction} (Spearman ρ = {rho:.2f}): "
                f"{show(key, values[0])} in the cheapest design, "
                f"{show(key, values[-1])} in the dearest."
            )
        else:
            shown = ", ".join(
                f"{name} {show(key, plain(v))}"
                for name, v in zip(front["design"], values, strict=True)
            )
            lines.append(f"- **{label}** (`{key}`): {shown}.")
    return lines


def _lower(label: str) -> str:
    """A label inside a sentence: "Programme budget" -> "programme budget", "NGOs" stays."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _describe(design: Design, row: pd.Series) -> str:
    levers = "; ".join(
        f"{_lower(PARAMETERS[lever.key].label)} {show(lever.key, plain(row[lever.key]))}"
        for lever in design.levers
    )
    month = row["median_critical_mass_month"]
    when = f", median month of critical mass {month:.0f}" if pd.notna(month) else ""
    return (
        f"**{row['design']}**, expected cost {euros(row['cost'])} "
        f"(of which {euros(row['mean_spend'])} budget spent): {levers}. "
        f"P = {percent(row['p_critical_mass'], row['p_low'], row['p_high'])} over "
        f"{row['replications']} fresh runs{when}; the search saw "
        f"{row['search_p_critical_mass']:.0%} over {int(row['search_replications'])}."
        + (_spread(row) if design.uncertainty is not None else "")
    )


def _spread(row: pd.Series) -> str:
    return (
        f" Across plausible worlds: a chance of {row['p_world_low']:.0%} to "
        f"{row['p_world_high']:.0%} (10-90% of worlds, median {row['p_median']:.0%}); at least "
        f"{LIKELY:.0%} in {row['robustness']:.0%} of the worlds."
    )


def _front_table(design: Design, front: pd.DataFrame) -> str:
    """The front as a Markdown table, in words and euros."""
    table = pd.DataFrame(
        {
            "design": front["design"],
            "expected cost": front["cost"].map(euros),
            "P(critical mass)": [
                percent(p, lo, hi)
                for p, lo, hi in zip(
                    front["p_critical_mass"], front["p_low"], front["p_high"], strict=True
                )
            ],
            "median month": front["median_critical_mass_month"].map(
                lambda m: "" if pd.isna(m) else f"{m:.0f}"
            ),
            "search saw": front["search_p_critical_mass"].map(lambda p: f"{p:.0%}"),
        }
    )
    if design.uncertainty is not None:
        table["10-90% of worlds"] = [
            f"{lo:.0%}-{hi:.0%}"
            for lo, hi in zip(front["p_world_low"], front["p_world_high"], strict=True)
        ]
        table[f"worlds with P ≥ {LIKELY:.0%}"] = front["robustness"].map(lambda r: f"{r:.0%}")
    for lever in design.levers:
        table[lever.key] = [show(lever.key, plain(v)) for v in front[lever.key]]
    return table.to_markdown(index=False)


def report(
    design: Design,
    candidates: pd.DataFrame,
    reevaluated: pd.DataFrame,
    front: pd.DataFrame,
) -> str:
    """report.md: the answer in plain words."""
    tried = int((candidates["replications"] > 0).sum())
    dropped = len(reevaluated) - len(front)
    cost_parts = ["the programme budget actually spent"]
    if design.per_member:
        cost_parts.append(f"{euros(design.per_member)} per coalition member (peak size)")
    if design.per_month:
        cost_parts.append(
            f"{euros(design.per_month)} per month of programme up to month {design.target_month}"
        )
    lines = [
        f"# Design search: {design.name}" + (" (quick)" if design.quick else ""),
        "",
        f"What is the cheapest programme that gives the sector a good chance to reach critical "
        f"mass by month {design.target_month}, starting from `{Path(design.scenario).stem}`?",
        "",
        f"Cost counts {', '.join(cost_parts)}. {tried} candidate programmes were tried, each on "
        f"the same {_replicates(design, design.replications)}; the "
        f"{_count(len(reevaluated), 'design')} on the search's front ran again on "
        f"{_replicates(design, design.reevaluation).replace('replicates', 'fresh replicates', 1)}, "
        "and the probabilities below are those of the fresh runs"
        + (
            " (over every world: the chance in a world drawn from the plausible ones)"
            if design.uncertainty is not None
            else ""
        )
        + (
            f" ({dropped} of them fell behind a cheaper design there and left the front)."
            if dropped
            else "."
        ),
        "",
        "![front](front.png)",
        "",
        "## The cheapest design for each chance of success",
        "",
    ]
    described = set()
    for level in design.probabilities:
        good = front[front["p_critical_mass"] >= level]
        if len(good):
            row = good.iloc[0]
            if row["design"] in described:
                lines.append(f"- **P ≥ {level:.0%}:** the same design, {row['design']}.")
            else:
                lines.append(f"- **P ≥ {level:.0%}:** " + _describe(design, row))
                described.add(row["design"])
        else:
            best = front.iloc[-1] if len(front) else None
            reach = (
                f"; the best found reaches {best['p_critical_mass']:.0%} at {euros(best['cost'])} "
                f"({best['design']})"
                if best is not None
                else ""
            )
            lines.append(
                f"- **P ≥ {level:.0%}:** no design within the levers' ranges reached it{reach}."
            )
    lines += ["", "## The levers along the front", ""]
    lines += _lever_trends(design, front) if len(front) else ["The front is empty."]
    lines += [
        "",
        "## The front",
        "",
        _front_table(design, front),
        "",
        "Each design is a scenario file in `designs/`; `"
        + _run_command(design, "D01")
        + (
            "` (and so on), with world k's values (`worlds` in manifest.json) added as "
            "`--set key=value`, reproduces the design's re-evaluated runs in world k exactly."
            if design.uncertainty is not None
            else "` (and so on) reproduces its re-evaluated numbers exactly."
        ),
        "",
    ]
    return "\n".join(lines)
