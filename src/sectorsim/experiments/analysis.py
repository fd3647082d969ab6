"""Analysis of a finished (or partly finished) experiment folder, and its report.

``analyze(DIR)`` writes ``report.md``, ``points.csv`` and figures into DIR:

- every method: per point the probability of critical mass with a 95% Wilson interval over the
  replicates, the median month it is reached, mean final adoption and the self-carrying share;
- grids: heat maps of the probability and the median month over the first two varied factors
  (E1), and line plots of probability, final adoption and self-carrying share against the first
  factor, one line per setting of the others (E2, E3);
- sobol / morris: sensitivity indices with their confidence intervals from SALib (E4);
- lhs: scenario discovery with PRIM from the EMA Workbench (E5): the box in which critical mass is
  likely, its limits, coverage and density, in words.

The sample is rebuilt from the experiment text stored in the manifest, so indices pair each
result with the point that produced it.
"""

from __future__ import annotations

import json
import textwrap
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from sectorsim.batch.store import PARTS, read_manifest, state, stored_rows  # noqa: E402
from sectorsim.batch.store import POINT_WORLD_REPLICATE as KEY  # noqa: E402
from sectorsim.config import ConfigError  # noqa: E402
from sectorsim.experiments.robustness import (  # noqa: E402
    LIKELY,
    across_worlds,
    feature_scores,
    inputs,
    scores_figure,
    spread_figure,
)
from sectorsim.experiments.sampling import MORRIS_LEVELS, salib_problem, unit_sample  # noqa: E402
from sectorsim.experiments.spec import Experiment, stored_experiment  # noqa: E402
from sectorsim.labels import output_label, parameter_label, phrase, value_text, year_of  # noqa: E402
from sectorsim.outputs import median_month  # noqa: E402
from sectorsim.params import PARAMETERS  # noqa: E402
from sectorsim.runs import proportion_interval  # noqa: E402
from sectorsim.storage import OutputError  # noqa: E402

OUTCOMES_ANALYSED = ("critical_mass_reached", "final_adoption")
SWEEP_FOLDER = "a folder written by `sectorsim sweep`"
OUTCOME_TITLES = {
    "critical_mass_reached": "the chance of critical mass",
    "final_adoption": "final adoption",
}
PRIM_DENSITY = 0.8  # the box reported is the widest with at least this share of critical-mass runs
BAND = "95% interval over the replicates"
WORLD_BAND = "the median world, with the 10-90% range of plausible worlds"


def load(directory: Path) -> tuple[dict[str, Any], Experiment, pd.DataFrame]:
    """The manifest, the experiment and its runs: runs.parquet of a finished sweep, else the runs
    finished so far (an interrupted sweep). Anything but a sweep's folder is a ConfigError."""
    directory = Path(directory)
    try:
        manifest = read_manifest(directory)
    except OutputError as exc:
        raise ConfigError(str(directory), None, problem=str(exc), allowed=SWEEP_FOLDER) from None
    if manifest is None or not (
        {"experiment_hash", "file"} <= set(manifest) and isinstance(manifest.get("text"), str)
    ):
        what = "no manifest.json" if manifest is None else "its manifest.json is not a sweep's"
        raise ConfigError(
            str(directory), None, problem=f"not a sweep folder ({what})", allowed=SWEEP_FOLDER
        )
    experiment = stored_experiment(manifest)
    gathered = directory / "runs.parquet"
    if state(manifest) == "complete" and gathered.is_file():
        runs = pd.read_parquet(gathered)
    else:
        runs = pd.DataFrame(stored_rows(directory / PARTS, KEY))
    if not len(runs):
        runs = pd.DataFrame(columns=["run_id", "point", "replicate", "status", "error"])
    return manifest, experiment, runs


def incomplete(manifest: dict[str, Any], runs: pd.DataFrame) -> str | None:
    """Why the sweep is incomplete and how to finish it, or None if it is complete."""
    now_state = state(manifest)
    if now_state == "complete":
        return None
    file = manifest.get("file_resolved") or manifest.get("file")
    quick = " --quick" if manifest.get("quick") else ""
    how = f"`sectorsim sweep {file} --out <this folder>{quick} --resume` finishes it"
    done = f"{len(runs)} of {manifest.get('runs_total')} runs finished"
    if now_state == "running":
        return f"the sweep is still running ({done}); the report covers the runs so far"
    return f"the sweep is incomplete: interrupted, {done}; {how}"


def per_point(
    runs: pd.DataFrame, experiment: Experiment, by: tuple[str, ...] = ("point",)
) -> pd.DataFrame:
    """One row per point (or per point and world, ``by``): factor values (and the world's
    values) and the outcomes over its replicates."""
    keys = [f.key for f in experiment.factors]
    keys += [k for k in experiment.uncertainty.keys] if "world" in by else []
    done = runs[runs["status"] == "done"]
    rows = []
    for point, group in done.groupby(list(by)):
        hits = int(group["critical_mass_reached"].sum())
        low, high = proportion_interval(hits, len(group))
        carrying = group["self_carrying"].dropna()
        per_adopter = {}
        if "extra_adopters" in group:  # the experiment also ran each seed without the programme
            costs = group["euros_per_extra_adopter"].dropna()
            per_adopter = {
                "mean_extra_adopters": float(group["extra_adopters"].mean()),
                "median_euros_per_extra_adopter": float(costs.median()) if len(costs) else np.nan,
            }
        rows.append(
            {
                **dict(zip(by, point, strict=True)),
                **{k: group[k].iloc[0] for k in keys},
                "replicates": len(group),
                "p_critical_mass": hits / len(group),
                "p_low": low,
                "p_high": high,
                "median_critical_mass_month": median_month(group["critical_mass_month"]) or np.nan,
                "pending_share": float((group["critical_mass_status"] == "pending").mean()),
                "mean_final_adoption": float(group["final_adoption"].mean()),
                "self_carrying_share": float(carrying.astype(float).mean())
                if len(carrying)
                else np.nan,
                **per_adopter,
            }
        )
    return pd.DataFrame(rows)


def varied(table: pd.DataFrame, experiment: Experiment) -> list[str]:
    return [f.key for f in experiment.factors if table[f.key].nunique() > 1]


def _label(key: str) -> str:
    """An axis or legend label: the schema's label and unit, or the output's label."""
    return parameter_label(key) if key in PARAMETERS else output_label(key)


def _ticks(key: str, values: Any) -> list[str]:
    return [value_text(key, v) for v in values]


def _context(experiment: Experiment) -> tuple[Any, str]:
    """The experiment's base configuration and its definition of critical mass in words."""
    config = experiment.config({})
    hold = getattr(config, "critical_mass_months", 1)
    year = int(year_of(config.months, config.calendar.start_year))
    return config, (
        f"adoption at or above {config.critical_mass_share:.0%}"
        + (f" for {hold} months" if hold > 1 else "")
        + f" by January {year}, month {config.months}"
    )


def heat_maps(
    table: pd.DataFrame, x: str, y: str, out: Path, experiment: Experiment, band: str = BAND
) -> list[str]:
    """Chance of critical mass (with its ``band``) and the median year it is reached, over two
    factors; across plausible worlds also the share of worlds in which the chance is likely."""
    config, meaning = _context(experiment)
    start_year = config.calendar.start_year
    worlds = "robustness" in table
    grouped = table.groupby([y, x]).agg(
        p=("p_critical_mass", "mean"),
        low=("p_low", "mean"),
        high=("p_high", "mean"),
        month=("median_critical_mass_month", "median"),
        **({"robust": ("robustness", "mean")} if worlds else {}),
    )
    maps = [
        ("p", f"Chance of critical mass ({band} in brackets): {meaning}", "viridis", "probability"),
        (
            "month",
            f"Median year critical mass is reached (month 0 = January {start_year}; "
            "blank: not reached in half the runs)",
            "magma_r",
            "month",
        ),
    ]
    if worlds:
        maps.append(
            (
                "robust",
                f"Robustness: share of plausible worlds in which the chance is at least "
                f"{LIKELY:.0%} ({meaning})",
                "viridis",
                "robustness",
            )
        )
    names = []
    for column, title, cmap, name in maps:
        name = f"heatmap_{name}.png"
        grid = grouped[column].unstack(x)
        values = grid.to_numpy(dtype=float)
        if column == "month":
            values = year_of(values, start_year)
        fig, ax = plt.subplots(
            figsize=(max(6.5, 1.3 * grid.shape[1] + 3.5), 0.8 * grid.shape[0] + 2.2),
            constrained_layout=True,
        )
        image = ax.imshow(
            values,
            cmap=cmap,
            aspect="auto",
            origin="lower",
            vmin=None if column == "month" else 0,
            vmax=None if column == "month" else 1,
        )
        ax.set_xticks(range(grid.shape[1]), _ticks(x, grid.columns))
        ax.set_yticks(range(grid.shape[0]), _ticks(y, grid.index))
        ax.set_xlabel(_label(x))
        ax.set_ylabel(_label(y))
        ax.set_title(textwrap.fill(title, 70), fontsize=10)
        for (i, j), value in np.ndenumerate(values):
            if np.isnan(value):
                continue
            if column == "p":
                lo = grouped["low"].unstack(x).iloc[i, j]
                hi = grouped["high"].unstack(x).iloc[i, j]
                text = f"{value:.0%}\n[{lo:.0%}-{hi:.0%}]"
                dark = value < 0.5
            elif column == "robust":
                text, dark = f"{value:.0%}", value < 0.5
            else:
                text = f"{int(value)}"  # the calendar year in which it happens
                dark = image.norm(value) > 0.55  # magma_r darkens toward late years
            ax.text(
                j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black"
            )
        bar = fig.colorbar(image, ax=ax)
        if column != "month":
            bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
            bar.set_label("chance of critical mass" if column == "p" else "share of worlds")
        else:
            bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
            bar.set_label("median year")
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        names.append(name)
    return names


def line_plots(
    table: pd.DataFrame,
    x: str,
    others: list[str],
    out: Path,
    experiment: Experiment,
) -> str:
    """Chance of critical mass (with its 95% interval; across plausible worlds, the share of
    worlds in which it is at least 50%), final adoption and self-carrying share against one
    factor, a line per setting of the other factors."""
    _, meaning = _context(experiment)
    worlds = "robustness" in table
    first = "robustness" if worlds else "p_critical_mass"
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), constrained_layout=True)
    groups = table.groupby(others) if others else [((), table)]
    numeric = table[x].dtype != object and not isinstance(table[x].iloc[0], bool | str)
    levels = sorted(table[x].unique())
    for setting, group in groups:
        group = group.sort_values(x)
        setting = setting if isinstance(setting, tuple) else (setting,)
        label = (
            ", ".join(value_text(k, v) for k, v in zip(others, setting, strict=True))
            or "all points"
        )
        xs = group[x].astype(float) if numeric else group[x].map(levels.index)
        line = axes[0].plot(xs, group[first], marker="o", label=label)[0]
        if not worlds:
            axes[0].fill_between(
                xs, group["p_low"], group["p_high"], color=line.get_color(), alpha=0.15, lw=0
            )
        axes[1].plot(xs, group["mean_final_adoption"], marker="o", color=line.get_color())
        axes[2].plot(xs, group["self_carrying_share"], marker="o", color=line.get_color())
    top = float(min(1.0, max(0.05, table["mean_final_adoption"].max() * 1.15)))
    for ax, title, high in zip(
        axes,
        (
            f"Share of plausible worlds in which the chance of\ncritical mass is at least {LIKELY:.0%}"
            if worlds
            else f"Chance of critical mass (band: 95% interval)\n{meaning}",
            "Mean final adoption\n(% of SMEs at the horizon)",
            "Self-carrying\n(% of runs whose adoption holds after the programme)",
        ),
        (1.0, top, 1.0),
        strict=True,
    ):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(_label(x))
        ax.set_ylim(0, high * 1.02)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        if numeric:
            ax.set_xticks(levels, _ticks(x, levels))
        else:
            ax.set_xticks(range(len(levels)), _ticks(x, levels))
        ax.tick_params(axis="x", labelrotation=30 if len(levels) > 5 else 0)
    handles, labels = axes[0].get_legend_handles_labels()
    if others:
        fig.legend(
            handles,
            labels,
            loc="outside right upper",
            fontsize=8,
            frameon=False,
            title=", ".join(_label(k) for k in others),
            title_fontsize=8,
        )
    fig.savefig(out / "lines.png", dpi=110)
    plt.close(fig)
    return "lines.png"


def sensitivity(experiment: Experiment, runs: pd.DataFrame, out: Path) -> tuple[pd.DataFrame, str]:
    """Sobol' or Morris indices (SALib) of the point means of each analysed outcome."""
    from SALib.analyze import morris, sobol

    problem = salib_problem(experiment.factors)
    x = unit_sample(experiment)
    done = runs[runs["status"] == "done"]
    tables = []
    for outcome in OUTCOMES_ANALYSED:
        means = done.groupby("point")[outcome].mean().reindex(range(len(x)))
        y = means.fillna(means.mean()).to_numpy(dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if experiment.method == "sobol":
                result = sobol.analyze(problem, y, calc_second_order=False, seed=experiment.seed)
                frame = pd.DataFrame(
                    {
                        "S1": result["S1"],
                        "S1_conf": result["S1_conf"],
                        "ST": result["ST"],
                        "ST_conf": result["ST_conf"],
                    },
                    index=problem["names"],
                )
            else:
                result = morris.analyze(
                    problem, x, y, num_levels=MORRIS_LEVELS, seed=experiment.seed
                )
                frame = pd.DataFrame(
                    {
                        "mu_star": result["mu_star"],
                        "mu_star_conf": result["mu_star_conf"],
                        "sigma": result["sigma"],
                    },
                    index=problem["names"],
                )
        frame.insert(0, "outcome", outcome)
        tables.append(frame)
    indices = pd.concat(tables)
    main, conf = ("ST", "ST_conf") if experiment.method == "sobol" else ("mu_star", "mu_star_conf")
    fig, axes = plt.subplots(
        1,
        len(OUTCOMES_ANALYSED),
        figsize=(12, 0.45 * len(problem["names"]) + 2),
        constrained_layout=True,
    )
    kind = (
        {"ST": "total effect ST (with 95% interval)", "S1": "first-order effect S1"}
        if experiment.method == "sobol"
        else {"mu_star": "Morris mu* (with 95% interval)"}
    )
    for ax, outcome in zip(axes, OUTCOMES_ANALYSED, strict=True):
        frame = indices[indices["outcome"] == outcome].sort_values(main)
        names = [_label(k) for k in frame.index]
        ax.barh(names, frame[main], xerr=frame[conf], color="#3182bd", capsize=3, label=kind[main])
        if experiment.method == "sobol":
            ax.barh(names, frame["S1"], color="#9ecae1", label=kind["S1"])
        ax.set_title(f"What drives {OUTCOME_TITLES[outcome]}?", fontsize=10)
        ax.set_xlabel(
            "index (share of variance)" if experiment.method == "sobol" else "mean |effect|"
        )
        ax.set_xlim(left=0)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    fig.savefig(out / "sensitivity.png", dpi=110)
    plt.close(fig)
    return indices, "sensitivity.png"


def discovery_inputs(experiment: Experiment, runs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The factors of every finished run (ranges as floats, lists as categories, as PRIM peels
    them) and whether it reached critical mass."""
    done = runs[runs["status"] == "done"]
    x = done[[f.key for f in experiment.factors]].copy()
    for factor in experiment.factors:
        if factor.is_range:
            x[factor.key] = x[factor.key].astype(float)
        else:
            x[factor.key] = x[factor.key].astype(str).astype("category")
    return x.reset_index(drop=True), done["critical_mass_reached"].to_numpy(dtype=bool)


def discovery(
    x: pd.DataFrame, y: np.ndarray, out: Path, name: str = "prim.png", unit: str = "runs"
) -> tuple[dict[str, Any], str]:
    """PRIM (EMA Workbench) over ``x``: where is ``y`` (critical mass) likely? The box, and the
    figure ``name`` of its peeling trajectory."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    keys = list(x.columns)
    if y.all() or not y.any():
        reason = f"every one of the {unit} succeeds" if y.all() else f"none of the {unit} succeeds"
        return {"found": False, "reason": reason}, ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, threshold=PRIM_DENSITY, peel_alpha=0.05).find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["density"] >= PRIM_DENSITY]
    chosen = (
        int(eligible["coverage"].idxmax()) if len(eligible) else int(trajectory["density"].idxmax())
    )
    limits = box.box_lims[chosen]
    base = box.box_lims[0]
    restricted = {}
    for key in keys:
        if key in limits and not limits[key].equals(base[key]):
            column = limits[key]
            restricted[key] = (
                sorted(column.iloc[0])
                if isinstance(column.iloc[0], set)
                else [float(column.iloc[0]), float(column.iloc[1])]
            )
    row = trajectory.loc[chosen]
    result = {
        "found": True,
        "coverage": float(row["coverage"]),
        "density": float(row["density"]),
        "mass": float(row["mass"]),
        "limits": restricted,
        "share_reaching": float(y.mean()),
    }
    fig, ax = plt.subplots(figsize=(7.5, 4.8), constrained_layout=True)
    scatter = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis"
    )
    ax.scatter(
        [row["coverage"]],
        [row["density"]],
        s=160,
        facecolors="none",
        edgecolors="#a50f15",
        label="the box reported",
    )
    ax.axhline(PRIM_DENSITY, color="#636363", lw=1, ls="--", label=f"density {PRIM_DENSITY:.0%}")
    ax.set_xlabel(f"coverage: share of all successful {unit} inside the box")
    ax.set_ylabel(f"density: share of the box's {unit}\nthat succeed")
    ax.set_title("Scenario discovery (PRIM): each point a box, from the whole space (left)")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0, 1.02)
    fig.colorbar(scatter, ax=ax, label="factors restricted", ticks=MaxNLocator(integer=True))
    fig.legend(loc="outside lower center", fontsize=8, ncols=2, frameon=False)
    fig.savefig(out / name, dpi=110)
    plt.close(fig)
    return result, name


def box_in_words(
    result: dict[str, Any],
    unit: str = "runs",
    success: str = "reach critical mass",
    subject: str = "Critical mass",
) -> str:
    """PRIM's box as a sentence, saying plainly when no region makes success likely: ``unit``
    names what PRIM counted ("runs"), ``success`` what one of them must do, ``subject`` names
    the success as the sentence's subject."""
    if not result.get("found"):
        return f"No box: {result.get('reason')}."
    parts = []
    for key, bounds in result["limits"].items():
        if isinstance(bounds[0], str):
            shown = " or ".join(value_text(key, b) for b in bounds)
            parts.append(f"{phrase(key)} is {shown}")
        else:
            parts.append(
                f"{phrase(key)} lies between {value_text(key, bounds[0])} and "
                f"{value_text(key, bounds[1])}"
            )
    condition = " and ".join(parts)
    overall = f"{result['share_reaching']:.0%} of all {unit} {success}"
    if result["density"] < PRIM_DENSITY:
        densest = (
            f"in the densest box PRIM finds ({condition}) {result['density']:.0%} of the {unit} "
            f"{success}"
            if condition
            else f"no box PRIM finds does better than the whole space ({result['density']:.0%})"
        )
        return (
            f"{subject} is unlikely throughout the sampled space: {overall}, and no region of "
            f"it makes it likely ({PRIM_DENSITY:.0%} of its {unit}); {densest}."
        )
    if not condition:
        return f"{subject} is likely anywhere in the sampled space: {overall}."
    return (
        f"{subject} is likely when {condition}: {result['density']:.0%} of the {unit} in this "
        f"box {success} (density), against {result['share_reaching']:.0%} overall, and the box "
        f"holds {result['coverage']:.0%} of all {unit} that {success} (coverage), in "
        f"{result['mass']:.0%} of the sampled space (mass)."
    )


def points_table(
    runs: pd.DataFrame, experiment: Experiment
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The table of points (over all its runs; across plausible worlds, also the spread over the
    worlds, robustness and regret) and, across worlds, the table per point and world."""
    table = per_point(runs, experiment)
    if experiment.uncertainty is None or not len(table):
        return table, None
    per_world = per_point(runs, experiment, by=("point", "world"))
    return table.merge(across_worlds(per_world), on="point"), per_world


def analyze(directory: str | Path) -> Path:
    """Write ``report.md`` with figures into ``directory``; return its path."""
    directory = Path(directory)
    manifest, experiment, runs = load(directory)
    table, per_world = points_table(runs, experiment)
    table.to_csv(directory / "points.csv", index=False)
    if per_world is not None:
        per_world.to_csv(directory / "worlds.csv", index=False)
    failed = int((runs["status"] == "failed").sum())
    note = incomplete(manifest, runs)
    whole = note is None
    lines = [
        f"# {experiment.name}: report",
        "",
        *([f"**Incomplete**: {note}.", ""] if note else []),
        f"Experiment file `{manifest['file']}` (hash `{manifest['experiment_hash']}`"
        f"{', quick version' if manifest.get('quick') else ''}); scenario `{Path(experiment.scenario).stem}`; "
        f"sampling `{experiment.method}`; {len(runs)} of {manifest['runs_total']} runs on disk, {failed} failed; "
        f"status {state(manifest)}; sectorsim {manifest.get('sectorsim')}, commit {manifest.get('git_commit')}.",
        "",
        "Critical mass: adoption reaching the scenario's `critical_mass_share`. Intervals are 95% Wilson "
        "intervals over a point's replicates. Per-point numbers: `points.csv`.",
        "",
    ]
    band, shown = BAND, table
    if per_world is not None:
        band = WORLD_BAND
        shown = table.assign(
            p_critical_mass=table["p_median"],
            p_low=table["p_world_low"],
            p_high=table["p_world_high"],
        )
        lines += worlds_section(experiment, table, per_world, directory)
    keys = varied(table, experiment) if len(table) else []
    if experiment.method == "grid" and keys:
        if len(keys) >= 2:
            for name in heat_maps(shown, keys[0], keys[1], directory, experiment, band):
                lines += [f"![{name}]({name})", ""]
        figure = line_plots(table, keys[0], keys[1:], directory, experiment)
        lines += [f"![lines]({figure})", ""]
        if len(table) <= 80:
            lines += ["## Points", "", _markdown(table.drop(columns=["point"])), ""]
    elif experiment.method in ("sobol", "morris") and not whole:
        lines += ["## Sensitivity", "", "Sensitivity indices need every point: not computed.", ""]
    elif experiment.method in ("sobol", "morris") and len(table):
        indices, figure = sensitivity(experiment, runs, directory)
        lines += [
            "## Sensitivity",
            "",
            f"![sensitivity]({figure})",
            "",
            _markdown(indices.reset_index(names="factor")),
            "",
        ]
    elif experiment.method == "lhs" and len(table):
        result, figure = discovery(*discovery_inputs(experiment, runs), directory)
        lines += ["## Scenario discovery (PRIM)", "", box_in_words(result), ""]
        if figure:
            lines += [f"![prim]({figure})", ""]
        (directory / "prim_box.json").write_text(json.dumps(result, indent=2) + "\n")
    if failed:
        errors = runs.loc[runs["status"] == "failed", "error"].value_counts().head(5)
        lines += (
            ["## Failed runs", ""]
            + [f"- {count} x `{error}`" for error, count in errors.items()]
            + [""]
        )
    report = directory / "report.md"
    report.write_text("\n".join(lines))
    return report


def worlds_section(
    experiment: Experiment, table: pd.DataFrame, per_world: pd.DataFrame, out: Path
) -> list[str]:
    """The report's lines on the plausible worlds: the spread of every point across them, its
    robustness and regret, and what decides whether a programme works (feature scores, PRIM)."""
    _, meaning = _context(experiment)
    keys = varied(table, experiment)
    uncertainty = experiment.uncertainty
    lines = [
        "## Across plausible worlds",
        "",
        f"Every point ran in {uncertainty.describe()} ({len(per_world['world'].unique())} "
        f"worlds; values per world in `worlds.csv`), with the same replicate sectors in every "
        f"world. Per point: the chance of critical mass pooled over all worlds, its median and "
        f"10-90% range across worlds, **robustness** (the share of worlds in which the chance is "
        f"at least {LIKELY:.0%}) and **regret** (how far the point's chance lies below the best "
        f"point's in the same world: median and worst over the worlds). A world's chance rests "
        f"on {int(per_world['replicates'].median())} replicates, so part of the spread across "
        f"worlds is the replicates' own noise.",
        "",
        f"![worlds]({spread_figure(table, per_world, keys, out, meaning)})",
        "",
    ]
    columns = [
        *keys,
        "p_critical_mass",
        "p_median",
        "p_world_low",
        "p_world_high",
        "robustness",
        "regret_median",
        "regret_max",
    ]
    best = table.sort_values(["robustness", "p_critical_mass"], ascending=False)
    lines += ["### Most robust points", "", _markdown(best[columns].head(10)), ""]
    scores = feature_scores(per_world, experiment)
    if len(scores):
        lines += [
            "### What decides whether a programme works",
            "",
            "Feature scores (extra trees, EMA Workbench) of the levers and uncertain parameters, "
            "for the chance of critical mass of a point in a world (higher: explains more of "
            "its spread).",
            "",
            f"![feature scores]({scores_figure(scores, out)})",
            "",
            _markdown(scores.rename_axis("parameter").reset_index(name="score")),
            "",
        ]
    y = per_world["p_critical_mass"].to_numpy() >= LIKELY
    result, figure = discovery(
        inputs(per_world, experiment), y, out, "prim_worlds.png", "programme-world pairs"
    )
    words = box_in_words(
        result,
        "programme-world pairs",
        f"have a chance of at least {LIKELY:.0%}",
        f"A chance of critical mass of at least {LIKELY:.0%}",
    )
    lines += ["### Scenario discovery over the worlds (PRIM)", "", words, ""]
    if figure:
        lines += [f"![prim over worlds]({figure})", ""]
    (out / "prim_worlds_box.json").write_text(json.dumps(result, indent=2) + "\n")
    return lines


def _markdown(frame: pd.DataFrame) -> str:
    return frame.to_markdown(index=False, floatfmt=".3g")
