"""The search for cheap programmes that tip the sector, and the re-evaluation of what it finds.

An optuna multi-objective study (minimise expected cost, maximise the probability of critical mass)
is asked for candidates a batch at a time; the batch's runs go to the same evaluators as a sweep's
(one process, a local pool or a Dask cluster) and are stored as they finish; then the batch is told, in
candidate order. Every candidate runs the same replicate seeds (common random numbers), so two
candidates differ by their levers, not by their luck. Because the sampler is seeded and told in a
fixed order, the study is the same whatever the number of workers, and ``--resume`` replays it:
the sampler proposes the stored candidates again, and only their missing runs are run.

The designs on the search's front are then re-run with fresh seeds and more replications, so that
the reported probabilities are not the optimiser's lucky draws.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sectorsim.batch import Scenario, Task
from sectorsim.batch.store import POINT_WORLD_REPLICATE as KEY
from sectorsim.design.spec import Design
from sectorsim.experiments.robustness import spread
from sectorsim.experiments.tables import Factor
from sectorsim.outputs import median_month
from sectorsim.randomness import derive_seed
from sectorsim.runs import proportion_interval, replicate_seeds
from sectorsim.storage import OutputError

if TYPE_CHECKING:  # optuna is imported where a search runs (the 'design' extra)
    import optuna
    from optuna.distributions import BaseDistribution

SEARCH, REEVALUATION = 0, 1
Row = dict[str, Any]
Execute = Callable[[list[Task]], list[Row]]


def distribution(lever: Factor) -> BaseDistribution:
    """The optuna search space of one lever."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if not lever.is_range:
        return CategoricalDistribution(list(lever.values))
    if lever.integer:
        return IntDistribution(int(lever.low), int(lever.high), log=lever.log)
    return FloatDistribution(lever.low, lever.high, log=lever.log)


def make_sampler(design: Design) -> optuna.samplers.BaseSampler:
    """The design's sampler, seeded from the design's seed."""
    import optuna

    seed = derive_seed(design.seed, 2) % 2**32
    if design.sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=max(design.batch, 2))
    if design.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    startup = max(design.batch, min(10, design.candidates // 3))
    return optuna.samplers.TPESampler(
        seed=seed, multivariate=True, constant_liar=True, n_startup_trials=startup
    )


def run_seeds(design: Design, phase: int) -> list[int]:
    """The replicate seeds of a phase, the same for every candidate. Those of the re-evaluation
    are ``sectorsim run``'s for the base seed :func:`reevaluation_seed`."""
    if phase == SEARCH:
        return replicate_seeds(derive_seed(design.seed, SEARCH), design.replications)
    return replicate_seeds(reevaluation_seed(design), design.reevaluation)


def reevaluation_seed(design: Design) -> int:
    return derive_seed(design.seed, REEVALUATION)


def tasks(
    design: Design, candidate: int, levers: dict[str, Any], seeds: list[int], stored: Container
) -> list[Task]:
    """The runs of one candidate that are not on disk yet: every replicate in every world, with
    the same seeds in every world."""
    worlds = design.worlds
    return [
        Task(
            Scenario(design.scenario, {**design.overrides(levers), **world}),
            seed,
            {
                "run_id": (candidate * len(worlds) + w) * len(seeds) + r,
                "point": candidate,
                "world": w,
                "replicate": r,
                "seed": seed,
                **levers,
                **world,
            },
            keep_timeseries=False,
        )
        for w, world in enumerate(worlds)
        for r, seed in enumerate(seeds)
        if (candidate, w, r) not in stored
    ]


def runs_of(design: Design, candidate: int, stored: dict, replicates: int) -> list[Row]:
    """A candidate's stored runs, world by world."""
    return [stored[candidate, w, r] for w in range(len(design.worlds)) for r in range(replicates)]


def score(design: Design, levers: dict[str, Any], rows: list[Row]) -> dict[str, Any]:
    """A candidate's runs in numbers: expected cost, P(critical mass by the target month) over
    all its runs (in every world) with its 95% Wilson interval, median month of critical mass,
    mean spend and coalition; across plausible worlds also the chance's median and 10-90% range
    over the worlds and the share of worlds in which it is at least 0.5 (robustness)."""
    config = design.config(levers)
    done = [r for r in rows if r["status"] == "done"]
    n = len(done)
    hits = sum(bool(r["critical_mass_reached"]) for r in done)
    costs = [design.cost(config, r["total_spend"], r["peak_coalition_size"]) for r in done]
    low, high = proportion_interval(hits, n)
    numbers = {
        "cost": float(np.mean(costs)) if n else float("nan"),
        "p_critical_mass": hits / n if n else float("nan"),
        "p_low": low,
        "p_high": high,
        "median_critical_mass_month": median_month([r["critical_mass_month"] for r in done]),
        "mean_spend": float(np.mean([r["total_spend"] for r in done])) if n else float("nan"),
        "mean_peak_coalition": (
            float(np.mean([r["peak_coalition_size"] for r in done])) if n else float("nan")
        ),
        "replications": n,
        "runs_failed": len(rows) - n,
    }
    if design.uncertainty is not None:
        numbers.update(world_spread(done))
    return numbers


def world_spread(done: list[Row]) -> dict[str, float]:
    """The chance of critical mass in each world, summarised across the worlds."""
    frame = pd.DataFrame(
        {
            "world": [r["world"] for r in done],
            "hit": [bool(r["critical_mass_reached"]) for r in done],
        }
    )
    return spread(frame.groupby("world")["hit"].mean())


def pareto(frame: pd.DataFrame, cost: str = "cost", p: str = "p_critical_mass") -> pd.Series:
    """True for the rows no other row beats: none is as cheap with a higher probability, or
    cheaper with at least the same probability. A programme with no chance at all is no design."""
    order = frame.sort_values([cost, p], ascending=[True, False]).index
    best, keep = 0.0, pd.Series(False, index=frame.index)
    for i in order:
        if frame.at[i, p] > best:
            keep[i] = True
            best = frame.at[i, p]
    return keep


def _check_replay(candidate: int, levers: dict[str, Any], stored: dict, keys: list) -> None:
    row = next((stored[key] for key in keys if key in stored), None)
    if row is not None and any(row.get(k) != v for k, v in levers.items()):
        raise OutputError(
            f"candidate {candidate} on disk has other levers than the optimiser proposes now "
            f"({ {k: row.get(k) for k in levers} } against {levers}); the folder was written by "
            "other software versions: give another --out"
        )


def search(design: Design, stored: dict[tuple[int, ...], Row], execute: Execute) -> pd.DataFrame:
    """Run the study; one row per candidate: its number, levers and :func:`score`."""
    import optuna
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(directions=["minimize", "maximize"], sampler=make_sampler(design))
    space = {lever.key: distribution(lever) for lever in design.levers}
    seeds = run_seeds(design, SEARCH)
    records = []
    for start in range(0, design.candidates, design.batch):
        trials = [study.ask(space) for _ in range(min(design.batch, design.candidates - start))]
        todo = []
        for trial in trials:
            keys = [
                (trial.number, w, r) for w in range(len(design.worlds)) for r in range(len(seeds))
            ]
            _check_replay(trial.number, trial.params, stored, keys)
            todo += tasks(design, trial.number, trial.params, seeds, stored.keys())
        for row in execute(todo):
            stored[tuple(row[k] for k in KEY)] = row
        for trial in trials:
            numbers = score(design, trial.params, runs_of(design, trial.number, stored, len(seeds)))
            if numbers["replications"]:
                study.tell(trial, [numbers["cost"], numbers["p_critical_mass"]])
            else:
                study.tell(trial, state=TrialState.FAIL)
            records.append({"candidate": trial.number, **trial.params, **numbers})
    return pd.DataFrame(records)


def reevaluate(
    design: Design,
    candidates: pd.DataFrame,
    stored: dict[tuple[int, ...], Row],
    execute: Execute,
) -> pd.DataFrame:
    """Re-run the search's front with fresh seeds; one row per front design with both estimates
    (``search_*`` and the re-evaluated ones) and ``on_front``: still undominated afterwards."""
    valid = candidates[candidates["replications"] > 0]
    keys = [lever.key for lever in design.levers]
    front = valid[pareto(valid)].drop_duplicates(subset=keys)
    seeds = run_seeds(design, REEVALUATION)
    levers = {int(front.at[i, "candidate"]): levers_of(front, i, keys) for i in front.index}
    todo = [t for c, lv in levers.items() for t in tasks(design, c, lv, seeds, stored.keys())]
    for row in execute(todo):
        stored[tuple(row[k] for k in KEY)] = row
    records = []
    for (_, row), (c, lv) in zip(front.iterrows(), levers.items(), strict=True):
        again = score(design, lv, runs_of(design, c, stored, len(seeds)))
        search_numbers = {f"search_{k}": row[k] for k in SCORE_COLUMNS}
        records.append({"candidate": c, **lv, **again, **search_numbers})
    if not records:  # no candidate had any chance: an empty front, with its columns
        columns = [
            "candidate",
            *keys,
            *score(design, {}, []),
            *(f"search_{k}" for k in SCORE_COLUMNS),
        ]
        return pd.DataFrame(columns=[*columns, "on_front"])
    result = pd.DataFrame(records)
    result["on_front"] = pareto(result)
    return result.sort_values("cost", ignore_index=True)


SCORE_COLUMNS = ("cost", "p_critical_mass", "p_low", "p_high", "replications")


def plain(value: Any) -> Any:
    """A pandas or numpy cell as a plain Python value."""
    return value.item() if hasattr(value, "item") else value


def levers_of(frame: pd.DataFrame, index: Any, keys: list[str]) -> dict[str, Any]:
    """A row's levers as the plain Python values optuna proposed (cell by cell, so that an
    integer lever stays an integer beside float ones)."""
    return {key: plain(frame.at[index, key]) for key in keys}
