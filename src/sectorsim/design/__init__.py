"""Policy design search: the Pareto front of programme cost against the probability of critical
mass. A design file (spec) says which levers may move and what things cost; the search (search)
runs an optuna study over them with common random numbers and re-evaluates its front with fresh
seeds; the report (report) writes the front, its designs as scenario files, a plot and report.md.
:func:`run_design` ties them up, on the run store and evaluators of the experiments.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sectorsim.design.report import write_outputs
from sectorsim.design.search import reevaluate, search
from sectorsim.design.spec import Design, load_design
from sectorsim.experiments.runners import Task, check_scheduler, evaluate
from sectorsim.experiments.store import (
    RunStore,
    claim,
    default_out,
    now,
    provenance,
    write_manifest,
)

__all__ = ["Design", "default_out", "load_design", "run_design"]


def run_design(
    path: str | Path,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    quick: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Search the design file's levers into ``out``; return the front (see :mod:`.search`).

    ``workers`` local processes (default: all cores) or a Dask ``scheduler`` address; ``resume``
    continues an interrupted search in ``out``; ``quick`` shrinks it for a smoke test.
    ``progress(done, total)`` is called after every finished run.
    """
    design = load_design(path)
    if quick:
        design = design.shrunk()
    if scheduler is not None:
        check_scheduler(scheduler)
    folder = claim(Path(out) if out else default_out(design), design.hash, "design", resume)
    workers = workers or os.cpu_count() or 1
    stores = {
        phase: RunStore(folder, parts=f"{phase}_parts", name=f"{phase}_", timeseries=False)
        for phase in ("search", "reevaluation")
    }
    stored = {phase: store.rows() for phase, store in stores.items()}
    write_manifest(
        folder,
        design=design.name,
        file=design.source,
        file_resolved=str(Path(design.source).resolve()),
        text=design.text,
        design_hash=design.hash,
        quick=design.quick,
        scenario_resolved=design.base.model_dump(mode="json"),
        started=now(),
        ended=None,
        status="running",
        workers=None if scheduler else workers,
        scheduler=scheduler,
        **provenance(),
    )
    finished = sum(len(rows) for rows in stored.values())
    total = design.candidates * design.replications + len(stored["reevaluation"])

    def executor(phase: str) -> Callable[[list[Task]], list[dict]]:
        def execute(tasks: list[Task]) -> list[dict]:
            nonlocal total
            rows = []
            if phase == "reevaluation":
                total += len(tasks)

            def on_result(result: tuple) -> None:
                nonlocal finished
                stores[phase].write_run(*result)
                rows.append(result[0])
                finished += 1
                if progress:
                    progress(finished, total)

            evaluate(tasks, on_result, workers=workers, scheduler=scheduler)
            return rows

        return execute

    status = "interrupted"
    try:
        candidates = search(design, stored["search"], executor("search"))
        reevaluated = reevaluate(
            design, candidates, stored["reevaluation"], executor("reevaluation")
        )
        front = write_outputs(folder, design, candidates, reevaluated)
        status = "complete"
    finally:
        runs = pd.concat([store.gather()[0] for store in stores.values()])
        failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
        write_manifest(
            folder,
            ended=now(),
            status=status,
            runs_done=len(runs) - failed,
            runs_failed=failed,
        )
    return front
