"""Experiments: files that say what to vary (spec), points (sampling) and the analysis and report
(analysis). :func:`run_experiment` runs one through the batch layer (:mod:`sectorsim.batch`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sectorsim.batch import Scenario, Task, batch_folder, default_out
from sectorsim.batch.store import POINT_WORLD_REPLICATE as KEY
from sectorsim.experiments.sampling import points
from sectorsim.experiments.spec import Experiment, load_experiment
from sectorsim.randomness import derive_seed

__all__ = ["Experiment", "load_experiment", "plan", "run_experiment"]


def plan(experiment: Experiment) -> list[Task]:
    """Every run of the experiment: points x worlds x replicates. Replicate r has the same seed at
    every point and in every world (common random numbers): two points, or two worlds, differ by
    their settings, not by their luck."""
    seeds = [derive_seed(experiment.seed, r) for r in range(experiment.replications)]
    worlds = experiment.worlds
    tasks = []
    for p, point in enumerate(points(experiment)):
        for w, world in enumerate(worlds):
            scenario = Scenario(experiment.scenario, {**experiment.overrides(point), **world})
            for r, seed in enumerate(seeds):
                keys = {
                    "run_id": (p * len(worlds) + w) * len(seeds) + r,
                    "point": p,
                    "world": w,
                    "replicate": r,
                    "seed": seed,
                    **point,
                    **world,
                }
                tasks.append(Task(scenario, seed, keys, compare_baseline=experiment.baseline))
    return tasks


def run_experiment(
    path: str | Path,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    quick: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run an experiment file into ``out``; return its runs and timeseries as DataFrames.

    ``workers`` local processes (default: all cores) or a Dask ``scheduler`` address; ``resume``
    runs only what is missing in ``out``; ``quick`` shrinks the experiment for a smoke test.
    ``progress(done, total)`` is called after every finished run.
    """
    experiment = load_experiment(path)
    if quick:
        experiment = experiment.shrunk()
    tasks = plan(experiment)
    with batch_folder(
        Path(out) if out else default_out(experiment),
        experiment.hash,
        "experiment",
        resume,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        experiment=experiment.name,
        **experiment.manifest(),
        experiment_hash=experiment.hash,
        method=experiment.method,
        scenario_resolved=experiment.config({}).model_dump(mode="json"),
        runs_total=len(tasks),
    ) as batch:
        store = batch.store(key=KEY)
        batch.total = len(tasks)
        done = store.done()
        batch.run(store, [t for t in tasks if tuple(t.keys[k] for k in KEY) not in done])
    return batch.gathered[store.name]
