"""Evaluators: run the tasks of an experiment one by one, on a local process pool, or on a Dask
cluster. They are interchangeable (after the EMA Workbench's evaluators): each takes the same
tasks and hands every finished run to the same callback, in whatever order runs finish. The
numbers never depend on the evaluator, because a run's seed depends only on the experiment's
seed, its point and its replicate.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sectorsim.config import load_scenario
from sectorsim.pool import exit_with_parent as exit_with_parent  # re-exported for the app
from sectorsim.pool import map_local
from sectorsim.runs import run_model

Result = tuple[dict[str, Any], pd.DataFrame]


@dataclass(frozen=True)
class Task:
    """One run: a point of the experiment, one replicate, its seed and its overrides."""

    run_id: int
    point: int
    replicate: int
    seed: int
    scenario: str
    overrides: dict[str, Any]
    factors: dict[str, Any]
    compare_baseline: bool = False
    keep_timeseries: bool = True


def run_task(task: Task) -> Result:
    """Run one task. A run that raises is returned as a failed row with its error, not raised."""
    row: dict[str, Any] = {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        **task.factors,
    }
    try:
        config = load_scenario(task.scenario, task.overrides)
        summary, timeseries = run_model(config, task.seed, task.compare_baseline)
    except Exception as exc:  # recorded, so that one bad run does not stop a sweep
        row.update(
            status="failed",
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(limit=5),
        )
        return row, pd.DataFrame()
    row.update(status="done", error=None)
    summary = {k: v for k, v in summary.items() if k != "seed"}
    return {**row, **summary}, timeseries if task.keep_timeseries else pd.DataFrame()


def run_serial(tasks: Iterable[Task], on_result: Callable[[Result], None]) -> None:
    for task in tasks:
        on_result(run_task(task))


def run_local(tasks: list[Task], workers: int, on_result: Callable[[Result], None]) -> None:
    """A local process pool over the tasks (see :func:`map_local`)."""
    map_local(run_task, tasks, workers, on_result)


def run_dask(tasks: list[Task], scheduler: str, on_result: Callable[[Result], None]) -> None:
    """An existing Dask distributed cluster at ``scheduler`` (tcp://host:port)."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(scheduler, timeout="20s") as client:
        futures = client.map(run_task, tasks, pure=False)
        try:
            for future in dask_completed(futures):
                on_result(future.result())
        except BaseException:
            client.cancel(futures)
            raise


def evaluate(
    tasks: list[Task],
    on_result: Callable[[Result], None],
    workers: int = 1,
    scheduler: str | None = None,
) -> None:
    """Run ``tasks`` with the evaluator the arguments ask for."""
    if scheduler:
        run_dask(tasks, scheduler, on_result)
    elif workers <= 1 or len(tasks) <= 1:
        run_serial(tasks, on_result)
    else:
        run_local(tasks, workers, on_result)
