"""Experiments: files that say what to vary (spec), points (sampling), evaluators (runners), the
run store (store) and the analysis and report (analysis). :func:`run_experiment` ties them up."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sectorsim.experiments.runners import Result, Task, check_scheduler, evaluate
from sectorsim.experiments.sampling import points
from sectorsim.experiments.spec import Experiment, load_experiment
from sectorsim.experiments.store import (
    RunStore,
    claim,
    default_out,
    now,
    provenance,
    write_manifest,
)
from sectorsim.randomness import derive_seed

__all__ = ["Experiment", "load_experiment", "plan", "run_experiment"]


def plan(experiment: Experiment) -> list[Task]:
    """Every run of the experiment: points x replicates, each with its own derived seed."""
    tasks = []
    for p, point in enumerate(points(experiment)):
        overrides = experiment.overrides(point)
        for r in range(experiment.replications):
            tasks.append(
                Task(
                    run_id=p * experiment.replications + r,
                    point=p,
                    replicate=r,
                    seed=derive_seed(experiment.seed, p, r),
                    scenario=experiment.scenario,
                    overrides=overrides,
                    factors=point,
                    compare_baseline=experiment.baseline,
                )
            )
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
    if scheduler is not None:
        check_scheduler(scheduler)
    folder = claim(
        Path(out) if out else default_out(experiment), experiment.hash, "experiment", resume
    )
    store = RunStore(folder)
    tasks = plan(experiment)
    done = store.done()
    todo = [t for t in tasks if (t.point, t.replicate) not in done]
    workers = workers or os.cpu_count() or 1
    write_manifest(
        folder,
        experiment=experiment.name,
        file=experiment.source,
        file_resolved=str(Path(experiment.source).resolve()),
        text=experiment.text,
        experiment_hash=experiment.hash,
        quick=experiment.quick,
        method=experiment.method,
        scenario_resolved=experiment.config({}).model_dump(mode="json"),
        runs_total=len(tasks),
        started=now(),
        ended=None,
        status="running",
        workers=None if scheduler else workers,
        scheduler=scheduler,
        **provenance(),
    )
    finished = len(tasks) - len(todo)

    def on_result(result: Result) -> None:
        nonlocal finished
        store.write_run(*result)
        finished += 1
        if progress:
            progress(finished, len(tasks))

    status = "interrupted"
    try:
        evaluate(todo, on_result, workers=workers, scheduler=scheduler)
        status = "complete"
    finally:
        runs, timeseries = store.gather()
        failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
        write_manifest(
            folder, ended=now(), status=status, runs_done=len(runs) - failed, runs_failed=failed
        )
    return runs, timeseries
