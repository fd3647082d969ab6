"""A local process pool that the run command, sweeps, the design search, calibration and the
app share (the core: no optional package needed)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

__all__ = ["exit_with_parent", "map_local"]


def exit_with_parent(parent: int) -> None:
    """In a pool worker: exit once the process that started it is gone (a sweep killed with
    ``kill -9``, a stopped app server), instead of waiting forever for work that will not come."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def map_local(
    function: Callable[[Any], Any], items: list[Any], workers: int, on_result: Callable[[Any], None]
) -> None:
    """``function`` over ``items`` in a local process pool, each result to ``on_result`` as it
    finishes; on an interrupt, items not yet started are cancelled.

    Workers are forked where the platform allows it: they start in milliseconds with the package
    already imported, and work from notebooks and piped scripts, which spawn cannot. They exit
    when the process that started them dies, however it dies.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(items))),  # no idle processes
        mp_context=context,
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures = [pool.submit(function, item) for item in items]
        try:
            for future in as_completed(futures):
                on_result(future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise
