"""Experiments: files that say what to vary (spec), points (sampling) and the analysis and report
(analysis). :func:`run_experiment` runs one through the batch layer (:mod:`sectorsim.batch`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sectorsim.batch import Scenario, Task, batch_folder, default_out
from sectorsim.experiments.sampling import points
from sectorsim.experiments.spec import Experiment, load_experiment
from sectorsim.randomness import derive_seed

__all__ = ["Experiment", "load_experiment", "plan", "run_experiment"]


def plan(experiment: Experiment) -> list[Task]:
    """Every run of the experiment: points x replicates, each with its own derived seed."""
    tasks = []
    for p, point in enumerate(points(experiment)):
        scenario = Scenario(experiment.scenario, experiment.overrides(point))
        for r in range(experiment.replications):
            seed = derive_seed(experiment.seed, p, r)
            keys = {
                "run_id": p * experiment.replications + r,
                "point": p,
                "replicate": r,
                "seed": seed,
                **point,
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
        file=experiment.source,
        file_resolved=str(Path(experiment.source).resolve()),
        text=experiment.text,
        experiment_hash=experiment.hash,
        quick=experiment.quick,
        method=experiment.method,
        scenario_resolved=experiment.config({}).model_dump(mode="json"),
        runs_total=len(tasks),
    ) as batch:
        store = batch.store()
        batch.total = len(tasks)
        done = store.done()
        batch.run(store, [t for t in tasks if (t.keys["point"], t.keys["replicate"]) not in done])
    return batch.gathered[store.name]
