"""Evaluators: run the tasks of an experiment one by one, on a local process pool, or on a Dask
cluster. They are interchangeable (after the EMA Workbench's evaluators): each takes the same
tasks and hands every finished run to the same callback, in whatever order runs finish. The
numbers never depend on the evaluator, because a run's seed depends only on the experiment's
seed, its point and its replicate.
"""

from __future__ import annotations

import asyncio
import socket
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from sectorsim.config import ConfigError, load_scenario
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


SCHEDULER_SCHEMES = ("tcp", "tls")
SCHEDULER_TIMEOUT = 5.0  # seconds to reach a scheduler before the work is refused
SCHEDULER_ALLOWED = "the address of a running Dask scheduler, tcp://HOST:PORT or tls://HOST:PORT"


def check_scheduler(address: str, timeout: float = SCHEDULER_TIMEOUT) -> None:
    """Refuse, as a :class:`ConfigError` of ``--scheduler``, an address that is not
    tcp://HOST:PORT (or tls://) or where no Dask scheduler answers within ``timeout`` seconds.

    Called before an output folder is claimed, so that a wrong address costs seconds and
    leaves nothing behind.
    """

    def refuse(problem: str) -> ConfigError:
        return ConfigError("--scheduler", None, address, problem=problem, allowed=SCHEDULER_ALLOWED)

    parsed = urlsplit(address)
    try:
        host, port = parsed.hostname, parsed.port
    except ValueError:
        raise refuse("not a valid address") from None
    if parsed.scheme not in SCHEDULER_SCHEMES:
        raise refuse(f"'{parsed.scheme or address}' is not a Dask scheduler protocol")
    if not host or port is None or parsed.path not in ("", "/") or parsed.query:
        raise refuse("not HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise refuse(f"cannot be reached ({reason})") from None
    try:
        reply = asyncio.run(_identity(address, timeout))
    except Exception as exc:  # whatever it is, it is not a scheduler this can use
        raise refuse(f"does not answer as a Dask scheduler ({type(exc).__name__})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise refuse("answers, but not as a Dask scheduler")


async def _identity(address: str, timeout: float) -> object:
    """The scheduler's answer to "identity", each step bounded by ``timeout`` seconds."""
    from distributed.comm import connect

    comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
    try:
        await asyncio.wait_for(comm.write({"op": "identity"}), timeout)
        return await asyncio.wait_for(comm.read(), timeout)
    finally:
        comm.abort()


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
