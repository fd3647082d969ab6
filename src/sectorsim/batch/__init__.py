"""The batch layer that sweeps, design searches, calibration, the validation figures, the run
command and the app's replications share.

A :class:`Task` is one run (a configuration and a seed, with the caller's keys); :func:`evaluate`
runs tasks on one of the interchangeable evaluators (see :mod:`.runners`); a :class:`RunStore`
keeps every finished run on disk (see :mod:`.store`); and :func:`batch_folder` claims an output
folder, records the manifest, and finishes it as complete or interrupted, whatever ends the work.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pandas as pd

from sectorsim.batch.runners import (
    Run,
    RunFailed,
    RunFunction,
    Scenario,
    Task,
    check_scheduler,
    evaluate,
    run_all,
    simulate,
)
from sectorsim.batch.store import (
    PARTS,
    RunStore,
    claim,
    default_out,
    now,
    provenance,
    read_manifest,
    write_manifest,
)
from sectorsim.params import Config
from sectorsim.runs import replicate_seeds

__all__ = [
    "Batch",
    "Run",
    "RunFailed",
    "RunStore",
    "Scenario",
    "Task",
    "batch_folder",
    "check_scheduler",
    "default_out",
    "evaluate",
    "read_manifest",
    "replicate_tasks",
    "run_all",
    "run_replicates",
    "simulate",
]


class Batch:
    """An output folder being filled: its run stores, the evaluator to use and the progress."""

    def __init__(
        self,
        folder: Path,
        workers: int,
        scheduler: str | None,
        progress: Callable[[int, int], None] | None,
    ):
        self.folder = folder
        self.workers = workers
        self.scheduler = scheduler
        self.progress = progress
        self.stores: list[RunStore] = []
        self.done = 0  # runs on disk, in every store
        self.total = 0  # runs expected; the caller sets it, and may raise it as it learns more
        self.gathered: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}

    def store(
        self,
        parts: str = PARTS,
        name: str = "",
        timeseries: bool = True,
        key: tuple[str, ...] = ("point", "replicate"),
    ) -> RunStore:
        """A run store in the folder (its runs on disk count as done), gathered at the end."""
        store = RunStore(self.folder, parts=parts, name=name, timeseries=timeseries, key=key)
        self.stores.append(store)
        self.done += len(store.done())
        return store

    def run(
        self,
        store: RunStore,
        tasks: Sequence[Task],
        run: RunFunction = simulate,
        on_run: Callable[[Run], None] | None = None,
    ) -> None:
        """Evaluate ``tasks`` with ``run``, the runs of each chunk written to ``store`` at once as
        one part file, made where they ran (then each given to ``on_run``, without its
        timeseries, which the part holds, and counted in the progress)."""

        def counted(finished: Run) -> None:
            self.done += 1
            if on_run is not None:
                on_run(finished)
            if self.progress:
                self.progress(self.done, self.total)

        evaluate(
            tasks,
            counted,
            run=run,
            workers=self.workers,
            scheduler=self.scheduler,
            on_part=store.write_part,
        )

    def gather(self) -> dict[str, Any]:
        """Gather every store into its Parquet files; the manifest's counts of runs."""
        done = failed = 0
        for store in self.stores:
            runs, timeseries = store.gather()
            self.gathered[store.name] = (runs, timeseries)
            bad = int((runs["status"] == "failed").sum()) if len(runs) else 0
            done, failed = done + len(runs) - bad, failed + bad
        return {"runs_done": done, "runs_failed": failed}


@contextlib.contextmanager
def batch_folder(
    directory: str | Path,
    fingerprint: str,
    kind: str,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    **manifest: Any,
) -> Iterator[Batch]:
    """Claim ``directory`` for the ``kind`` of file with hash ``fingerprint`` (see :func:`claim`),
    write its manifest (``manifest`` fields, times, evaluator, provenance) as "running", and yield
    the :class:`Batch`. On leaving, however that happens (an exception, Ctrl-C), the stores are
    gathered and the manifest says "complete" or "interrupted" with the counts of runs.

    A ``scheduler`` is checked before anything is created; ``workers`` defaults to every core.
    """
    if scheduler is not None:
        check_scheduler(scheduler)
    folder = claim(Path(directory), fingerprint, kind, resume)
    workers = workers or os.cpu_count() or 1
    batch = Batch(folder, workers, scheduler, progress)
    write_manifest(
        folder,
        **manifest,
        started=now(),
        ended=None,
        status="running",
        workers=None if scheduler else workers,
        scheduler=scheduler,
        **provenance(),
    )
    status = "interrupted"
    try:
        yield batch
        status = "complete"
    finally:
        counts = batch.gather()
        write_manifest(folder, ended=now(), status=status, **counts)


def replicate_tasks(
    config: Config | Scenario, seed: int, replications: int, compare_baseline: bool = False
) -> list[Task]:
    """Replicates 0..n-1 of ``seed``, each with its ``replicate`` key (see
    :func:`~sectorsim.runs.replicate_seeds`)."""
    seeds = replicate_seeds(seed, replications)
    return [Task(config, s, {"replicate": r}, compare_baseline) for r, s in enumerate(seeds)]


def run_replicates(
    config: Config,
    seed: int,
    replications: int,
    compare_baseline: bool = False,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ``replications`` replicates; return (runs, timeseries), each with a ``replicate`` column.

    ``workers`` local processes (or an ``executor``) share the replicates; the numbers do not
    depend on it. ``progress(done, total)`` is called after each finished replicate.
    """
    runs = run_all(
        replicate_tasks(config, seed, replications, compare_baseline),
        progress=progress,
        workers=workers,
        executor=executor,
    )
    rows, series = [], []
    for r, finished in enumerate(runs):
        rows.append({"replicate": r, **finished.summary()})
        series.append(finished.timeseries.assign(replicate=r)[["replicate", *finished.timeseries]])
    return pd.DataFrame(rows), pd.concat(series, ignore_index=True)
