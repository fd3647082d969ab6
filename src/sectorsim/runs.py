"""One run as a plain function, replicate seeds, and the aggregate of replicates (which the
batch layer, :mod:`sectorsim.batch`, runs).

``run_model(config, seed)`` is the one entry point any runner or sampler calls (after the EMA
Workbench's "a model is a function"). Replicate seeds derive from the base seed and the
replicate number only (numpy SeedSequence), so replicate r gives the same numbers however many
replicates are run, and a row's ``seed`` rebuilds it with ``SectorModel(config, seed=...)``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from scipy import stats

from sectorsim.model import SectorModel
from sectorsim.outputs import OUTCOMES, median_month
from sectorsim.params import Config
from sectorsim.randomness import DEFAULT_SEED, derive_seed

BASELINE_ADOPTION = "baseline_adoption_share"  # the same seed's adoption without the programme

__all__ = ["DEFAULT_SEED", "aggregate", "run_model", "without_programme"]


def without_programme(config: Config) -> Config:
    """The same sector with no programme: the counterfactual for cost effectiveness."""
    return config.updated({"programme.enabled": False})


def run_model(
    config: Config, seed: int, compare_baseline: bool = False
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run one model to its horizon; return its summary and its monthly timeseries.

    With ``compare_baseline`` the same seed also runs without the programme (common random
    numbers: same sector, network and draws of every mechanism), and the summary gains
    ``baseline_final_adoption``, ``extra_adopters`` and ``euros_per_extra_adopter`` (None when
    the programme added no adopters), and the timeseries the column ``baseline_adoption_share``.
    """
    model = SectorModel(config, seed=seed).run()
    summary = model.summary()
    timeseries = model.timeseries()
    if compare_baseline:
        base_model = SectorModel(without_programme(config), seed=seed).run()
        base = base_model.summary()
        timeseries[BASELINE_ADOPTION] = base_model.series("adoption_share")
        extra = (summary["final_adoption"] - base["final_adoption"]) * config.sme.count
        summary["baseline_final_adoption"] = base["final_adoption"]
        summary["extra_adopters"] = extra
        summary["euros_per_extra_adopter"] = summary["total_spend"] / extra if extra > 0 else None
    return summary, timeseries


def replicate_seeds(seed: int, replications: int) -> list[int]:
    return [derive_seed(seed, r) for r in range(replications)]


def proportion_interval(
    successes: int, trials: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for a proportion."""
    if trials == 0:
        return (0.0, 1.0)
    ci = stats.binomtest(successes, trials).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return (float(ci.low), float(ci.high))


def aggregate(runs: pd.DataFrame) -> dict[str, Any]:
    """The replicates in a few numbers: probability of critical mass (95% Wilson interval) and more."""
    n = len(runs)
    hits = int(runs["critical_mass_reached"].sum())
    per_adopter = runs["euros_per_extra_adopter"].dropna()
    return {
        "replications": n,
        "p_critical_mass": hits / n if n else float("nan"),
        "p_critical_mass_ci95": proportion_interval(hits, n),
        "median_critical_mass_month": median_month(runs["critical_mass_month"]),
        "pending": int((runs["critical_mass_status"] == "pending").sum()),
        "mean_final_adoption": float(runs["final_adoption"].mean()),
        "final_adoption_range": (
            float(runs["final_adoption"].min()),
            float(runs["final_adoption"].max()),
        ),
        "outcomes": {o: int((runs["outcome"] == o).sum()) for o in OUTCOMES},
        "mean_peak_coalition_size": float(runs["peak_coalition_size"].mean()),
        "mean_total_spend": float(runs["total_spend"].mean()),
        "median_euros_per_extra_adopter": (
            float(per_adopter.median()) if len(per_adopter) else None
        ),
    }
