"""Analysis across plausible worlds (an experiment with an ``[uncertainty]`` table): in how many
of the worlds the observations allow does a programme work, and what decides the rest?

Per point, from its chance of critical mass in each world (over the replicates, which are the same
sectors in every world):

- the chance pooled over the worlds (the chance in a world drawn from the plausible ones), the
  median over worlds and the 10-90% range across them;
- **robustness**: the share of worlds in which the chance is at least :data:`LIKELY` (0.5);
- **regret**: in each world, how far the point's chance lies below that of the best point of the
  same world; its median and maximum over the worlds (Savage's minimax regret).

Scenario discovery over the worlds: which uncertain parameters decide whether a programme works.
Feature scores (extra trees, EMA Workbench) rank the uncertain parameters and levers by how much
of the spread of the per-world chance they explain, and PRIM (EMA Workbench) finds the box of
levers and uncertain parameters in which critical mass is likely.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from sectorsim.experiments.spec import Experiment
from sectorsim.labels import parameter_label, value_text

LIKELY = 0.5  # a programme "works" in a world where its chance of critical mass is at least this
RANGE = (0.1, 0.9)  # the spread across worlds reported: the 10-90% range
FEATURE_SEED = 7  # the extra trees' seed: the same folder gives the same scores


def across_worlds(per_world: pd.DataFrame) -> pd.DataFrame:
    """One row per point, from its rows per world (``per_point`` by point and world): the spread
    of its chance of critical mass across the worlds, its robustness and its regret."""
    p = per_world.pivot(index="world", columns="point", values="p_critical_mass")
    regret = p.max(axis=1).to_numpy()[:, None] - p.to_numpy()
    regret = pd.DataFrame(regret, index=p.index, columns=p.columns)
    rows = []
    for point, chances in p.items():
        chances = chances.dropna()
        rows.append(
            {
                "point": point,
                "worlds": len(chances),
                **spread(chances),
                "regret_median": float(regret[point].median()),
                "regret_max": float(regret[point].max()),
            }
        )
    return pd.DataFrame(rows)


def spread(chances: pd.Series) -> dict[str, float]:
    """A programme's chance of critical mass in each world, summarised across the worlds: the
    median, the 10-90% range and the share of worlds in which it is at least :data:`LIKELY`."""
    if not len(chances):
        return dict.fromkeys(("p_median", "p_world_low", "p_world_high", "robustness"), np.nan)
    low, high = np.quantile(chances, RANGE)
    return {
        "p_median": float(chances.median()),
        "p_world_low": float(low),
        "p_world_high": float(high),
        "robustness": float((chances >= LIKELY).mean()),
    }


def feature_scores(per_world: pd.DataFrame, experiment: Experiment) -> pd.Series:
    """How much of the spread of the per-world chance each lever and uncertain parameter explains
    (extra-trees feature scores, EMA Workbench), highest first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring

    x = inputs(per_world, experiment)
    if x.shape[1] == 0 or per_world["p_critical_mass"].nunique() < 2:
        return pd.Series(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, _ = feature_scoring.get_ex_feature_scores(
            x,
            per_world["p_critical_mass"].to_numpy(dtype=float),
            mode=feature_scoring.RuleInductionType.REGRESSION,
            random_state=FEATURE_SEED,
        )
    return scores.iloc[:, 0].sort_values(ascending=False)


def inputs(per_world: pd.DataFrame, experiment: Experiment) -> pd.DataFrame:
    """The levers and uncertain parameters of each (point, world), as PRIM and the trees take
    them: ranges, lists of numbers and uncertain parameters as floats (PRIM peels them as
    ranges), other lists as categories."""
    x = pd.DataFrame(index=per_world.index)
    for factor in experiment.factors:
        if per_world[factor.key].nunique() < 2:
            continue
        numbers = factor.values is not None and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in factor.values
        )
        if factor.is_range or numbers:
            x[factor.key] = per_world[factor.key].astype(float)
        else:
            x[factor.key] = per_world[factor.key].astype(str).astype("category")
    for key in experiment.uncertainty.keys:
        x[key] = per_world[key].astype(float)
    return x.reset_index(drop=True)


def spread_figure(
    table: pd.DataFrame, per_world: pd.DataFrame, keys: list[str], out: Path, meaning: str
) -> str:
    """Each point's chance of critical mass in every world (dots), its median and 10-90% range,
    points ordered by their pooled chance."""
    order = table.sort_values(["p_critical_mass", "robustness"])["point"].tolist()
    varied = [k for k in keys if table[k].nunique() > 1]
    labels = {
        row["point"]: ", ".join(value_text(k, row[k]) for k in varied)
        for _, row in table.iterrows()
    }
    height = max(4.0, 0.24 * len(order) + 1.8)
    fig, ax = plt.subplots(figsize=(9.5, height), constrained_layout=True)
    rng = np.random.default_rng(0)  # jitter only
    for y, point in enumerate(order):
        chances = per_world.loc[per_world["point"] == point, "p_critical_mass"].to_numpy()
        ax.scatter(
            chances,
            y + rng.uniform(-0.25, 0.25, len(chances)),
            s=7,
            color="#6baed6",
            alpha=0.6,
            lw=0,
        )
        row = table.loc[table["point"] == point].iloc[0]
        ax.plot([row["p_world_low"], row["p_world_high"]], [y, y], color="#08306b", lw=2)
        ax.plot([row["p_median"]], [y], "o", color="#08306b", ms=5)
        ax.text(1.03, y, f"{row['robustness']:.0%}", va="center", fontsize=7, color="#a50f15")
    ax.axvline(LIKELY, color="#a50f15", lw=1, ls="--")
    ax.set_yticks(range(len(order)), [labels[p] for p in order], fontsize=7)
    ax.set_xlim(-0.02, 1.12)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}" if v <= 1.001 else ""))
    ax.set_xlabel(
        "chance of critical mass in one world (dots: each world; line: 10-90% of worlds; "
        "dot: median)"
    )
    ax.set_title(
        f"Across plausible worlds: {meaning}\n"
        f"right, in red: share of worlds in which the chance is at least {LIKELY:.0%}",
        fontsize=9,
    )
    if varied:
        ax.set_ylabel(", ".join(parameter_label(k) for k in varied), fontsize=8)
    fig.savefig(out / "worlds.png", dpi=110)
    plt.close(fig)
    return "worlds.png"


def scores_figure(scores: pd.Series, out: Path) -> str:
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(scores) + 1.6), constrained_layout=True)
    ordered = scores.sort_values()
    ax.barh([parameter_label(k) for k in ordered.index], ordered, color="#3182bd")
    ax.set_xlabel("feature score (extra trees): share of the explained spread")
    ax.set_title("What decides the chance of critical mass across points and worlds?", fontsize=10)
    fig.savefig(out / "feature_scores.png", dpi=110)
    plt.close(fig)
    return "feature_scores.png"
