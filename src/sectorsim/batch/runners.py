"""Tasks and evaluators: run tasks one by one, on a local process pool, on a given executor or on
a Dask cluster. The evaluators are interchangeable (after the EMA Workbench's): each takes the same
tasks and hands every finished run to the same callback, in whatever order runs finish. The
numbers never depend on the evaluator, because a task carries its own seed.

Pools and clusters get several runs per submission (a chunk), so that the cost of handing work to
another process is paid once per chunk rather than once per run; the runs of a chunk still reach
the callback one by one, and chunks stay small enough that progress moves and an interrupted
batch loses little. For a run store, a chunk's runs come back as one part file made where they
ran (``on_part``), so that the store writes one file a chunk.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from sectorsim.batch.store import encode_part
from sectorsim.config import ConfigError, load_scenario
from sectorsim.params import Config
from sectorsim.pool import map_local
from sectorsim.runs import run_model

SHARE = 2  # a chunk takes 1 / (SHARE x workers) of the runs not yet handed out, at most
MAX_CHUNK = 64  # runs in one chunk: what an interrupted batch loses per worker, at most


@dataclass(frozen=True)
class Scenario:
    """A scenario with overrides, loaded where the run happens, so that a combination the schema
    refuses fails that run only."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)

    def load(self) -> Config:
        return load_scenario(self.name, self.overrides)


@dataclass(frozen=True)
class Task:
    """One run: a configuration (a :class:`Config`, a :class:`Scenario`, or whatever the run
    function takes) and its seed, with the caller's ``keys`` (point, replicate, levers...) that
    label its row."""

    config: Any
    seed: int
    keys: dict[str, Any] = field(default_factory=dict)
    compare_baseline: bool = False
    keep_timeseries: bool = True


@dataclass
class Run:
    """A finished task: its ``values`` (``status`` "done" or "failed", the run's summary or its
    ``error``) and its monthly timeseries (empty if not kept). A row repeats a key of the task
    (such as ``seed``) at the task's place."""

    task: Task
    values: dict[str, Any]
    timeseries: pd.DataFrame = field(default_factory=pd.DataFrame)
    index: int = 0  # the task's position among the tasks evaluated

    @property
    def failed(self) -> bool:
        return self.values.get("status") == "failed"

    @property
    def row(self) -> dict[str, Any]:
        """The run's row in a run store: the task's keys, then its values."""
        return {**self.task.keys, **self.values}

    def summary(self) -> dict[str, Any]:
        """What the run function returned (for a model: its summary), without the status."""
        return {k: v for k, v in self.values.items() if k not in STATUS_KEYS}

    def series(self, name: str) -> np.ndarray:
        """One monthly output, as :meth:`SectorModel.series` gives it."""
        return self.timeseries[name].to_numpy()


RunFunction = Callable[[Task], Run]
STATUS_KEYS = ("status", "error", "traceback")


def simulate(task: Task) -> Run:
    """Run one task's model to its horizon. A run that raises is returned failed, with its error,
    so that one bad run does not stop a batch."""
    try:
        config = task.config.load() if isinstance(task.config, Scenario) else task.config
        summary, timeseries = run_model(config, task.seed, task.compare_baseline)
    except Exception as exc:
        error = {
            "status": "failed",
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(limit=5),
        }
        return Run(task, error)
    return Run(
        task,
        {"status": "done", "error": None, **summary},
        timeseries if task.keep_timeseries else pd.DataFrame(),
    )


Chunk = list[tuple[int, Task]]  # tasks with their positions
Finished = tuple[list[Run], bytes | None]  # a chunk's runs, and their part file if one was asked
Work = Callable[[Chunk], Finished]


def run_chunk(run: RunFunction, chunk: Chunk, pack: bool = False) -> Finished:
    """The runs of a chunk, each with its task's position in place of the task (which the caller
    has already: it is not sent back); with ``pack``, their part file for a run store
    (:func:`~.store.encode_part`), made here, in place of their timeseries."""
    finished = [run(task) for _, task in chunk]
    part = None
    if pack:
        part = encode_part([(result.row, result.timeseries) for result in finished])
        for result in finished:
            result.timeseries = pd.DataFrame()
    for (index, _), result in zip(chunk, finished, strict=True):
        result.task, result.index = None, index  # type: ignore[assignment]
    return finished, part


def deliver(
    tasks: Sequence[Task],
    on_run: Callable[[Run], None],
    on_part: Callable[[dict[str, Any], bytes], None] | None = None,
) -> Callable[[Finished], None]:
    """A chunk's part file to ``on_part`` (with its first run's row), then its runs to ``on_run``
    one by one, each with its task again."""

    def on_chunk(chunk: Finished) -> None:
        runs, part = chunk
        for finished in runs:
            finished.task = tasks[finished.index]
        if on_part is not None and part is not None:
            on_part(runs[0].row, part)
        for finished in runs:
            on_run(finished)

    return on_chunk


def chunks(tasks: Sequence[Task], workers: int) -> list[Chunk]:
    """The tasks in consecutive chunks of falling size (guided scheduling, as OpenMP's): each
    takes 1 / (:data:`SHARE` x ``workers``) of the tasks not yet handed out, at most
    :data:`MAX_CHUNK`. The first chunks are large, so that handing work to a pool or a cluster
    is paid once for many runs; the last are single runs, so that the workers finish together
    (chunks of one size leave one worker with a last chunk while the others wait)."""
    share = SHARE * max(1, workers)
    numbered, found, start = list(enumerate(tasks)), [], 0
    while start < len(numbered):
        size = max(1, min(MAX_CHUNK, (len(numbered) - start) // share))
        found.append(numbered[start : start + size])
        start += size
    return found


def run_serial(
    tasks: Sequence[Task], work: Work, on_chunk: Callable[[Finished], None], pack: bool
) -> None:
    """Here, run by run; in chunks where they are packed (a part file a chunk)."""
    for chunk in chunks(tasks, 1) if pack else [[numbered] for numbered in enumerate(tasks)]:
        on_chunk(work(chunk))


def run_local(
    tasks: Sequence[Task], work: Work, workers: int, on_chunk: Callable[[Finished], None]
) -> None:
    """A local process pool over the tasks (see :func:`map_local`)."""
    map_local(work, chunks(tasks, workers), workers, on_chunk)


def run_executor(
    tasks: Sequence[Task], work: Work, executor: Executor, on_chunk: Callable[[Finished], None]
) -> None:
    """An executor the caller keeps (the app's process pool); on an interrupt, chunks not yet
    started are cancelled."""
    workers = getattr(executor, "_max_workers", 1)
    futures = [executor.submit(work, chunk) for chunk in chunks(tasks, workers)]
    try:
        for future in as_completed(futures):
            on_chunk(future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise


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


def run_dask(
    tasks: Sequence[Task], work: Work, scheduler: str, on_chunk: Callable[[Finished], None]
) -> None:
    """An existing Dask distributed cluster at ``scheduler`` (tcp://host:port)."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(scheduler, timeout="20s") as client:
        workers = sum(client.nthreads().values()) or 1
        futures = client.map(work, chunks(tasks, workers), pure=False)
        try:
            for future in dask_completed(futures):
                on_chunk(future.result())
        except BaseException:
            client.cancel(futures)
            raise


def evaluate(
    tasks: Sequence[Task],
    on_run: Callable[[Run], None],
    run: RunFunction = simulate,
    workers: int = 1,
    scheduler: str | None = None,
    executor: Executor | None = None,
    on_part: Callable[[dict[str, Any], bytes], None] | None = None,
) -> None:
    """Run ``tasks`` with ``run`` on the evaluator the arguments ask for (a Dask ``scheduler``,
    an ``executor``, ``workers`` local processes, or this one), each finished run to ``on_run``.
    With ``on_part``, each chunk's runs come back as one part file for a run store (its first
    run's row and its bytes to ``on_part``, before its runs, without timeseries, to ``on_run``)."""
    pack = on_part is not None
    work = functools.partial(run_chunk, run, pack=pack)
    on_chunk = deliver(tasks, on_run, on_part)
    if scheduler:
        run_dask(tasks, work, scheduler, on_chunk)
    elif executor is not None and tasks:
        run_executor(tasks, work, executor, on_chunk)
    elif workers <= 1 or len(tasks) <= 1:
        run_serial(tasks, work, on_chunk, pack)
    else:
        run_local(tasks, work, workers, on_chunk)


class RunFailed(RuntimeError):
    """A run of a batch that needs every run failed; the message holds its error."""


def run_all(
    tasks: Sequence[Task],
    run: RunFunction = simulate,
    progress: Callable[[int, int], None] | None = None,
    **evaluator: Any,
) -> list[Run]:
    """Every task's run, in the tasks' order; a failed run raises :class:`RunFailed`.
    ``progress(done, total)`` is called after every finished run; ``evaluator`` as for
    :func:`evaluate`."""
    found: list[Run | None] = [None] * len(tasks)
    done = 0

    def on_run(finished: Run) -> None:
        nonlocal done
        if finished.failed:
            raise RunFailed(f"the run {finished.task.keys} failed: {finished.values['error']}")
        found[finished.index] = finished
        done += 1
        if progress:
            progress(done, len(tasks))

    evaluate(tasks, on_run, run=run, **evaluator)
    return found  # type: ignore[return-value]
