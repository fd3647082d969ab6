"""Policy design search: the Pareto front of programme cost against the probability of critical
mass. A design file (spec) says which levers may move and what things cost; the search (search)
runs an optuna study over them with common random numbers and re-evaluates its front with fresh
seeds; the report (report) writes the front, its designs as scenario files, a plot and report.md.
:func:`run_design` ties them up, through the batch layer (:mod:`sectorsim.batch`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sectorsim.batch import Task, batch_folder, default_out
from sectorsim.batch.store import POINT_WORLD_REPLICATE as KEY
from sectorsim.design.report import write_outputs
from sectorsim.design.search import reevaluate, search
from sectorsim.design.spec import Design, load_design

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
    with batch_folder(
        Path(out) if out else default_out(design),
        design.hash,
        "design",
        resume,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        design=design.name,
        **design.manifest(),
        design_hash=design.hash,
        scenario_resolved=design.base.model_dump(mode="json"),
    ) as batch:
        stores = {
            phase: batch.store(parts=f"{phase}_parts", name=f"{phase}_", timeseries=False, key=KEY)
            for phase in ("search", "reevaluation")
        }
        stored = {phase: store.rows() for phase, store in stores.items()}
        batch.total = design.candidates * design.replications * len(design.worlds) + len(
            stored["reevaluation"]
        )

        def executor(phase: str) -> Callable[[list[Task]], list[dict]]:
            def execute(tasks: list[Task]) -> list[dict]:
                rows: list[dict] = []
                if phase == "reevaluation":
                    batch.total += len(tasks)
                batch.run(stores[phase], tasks, on_run=lambda run: rows.append(run.row))
                return rows

            return execute

        candidates = search(design, stored["search"], executor("search"))
        reevaluated = reevaluate(
            design, candidates, stored["reevaluation"], executor("reevaluation")
        )
        return write_outputs(batch.folder, design, candidates, reevaluated)
