"""Writing results so that an error or an interrupt never leaves half-written files.

Everything goes into a hidden temporary folder next to the target, which takes the target's
place only when complete. An existing target is replaced only if it holds sectorsim's own
outputs (its marker file), so ``--out`` can never delete a folder of the user's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


class OutputError(OSError):
    """The output folder cannot be used; the message says why."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_target(target: Path, marker: str) -> Path:
    """The resolved target, or an OutputError if results may not be written there."""
    target = Path(target).resolve()
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / marker).is_file():
        raise OutputError(
            f"{target} holds other files; give a new or empty folder, or an earlier output folder"
        )
    return target


@contextlib.contextmanager
def atomic_directory(target: Path, marker: str) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target`` whole, on failure it vanishes.

    ``marker`` is a file every complete output folder contains: an existing, non-empty ``target``
    without it is refused rather than replaced.
    """
    target = check_target(target, marker)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    tmp.chmod(0o777 & ~_umask())
    old = target.with_name(f".{target.name}.old-{tmp.name[-8:]}")
    try:
        yield tmp
        if target.exists():
            target.rename(old)
            try:
                tmp.rename(target)
            except OSError:
                old.rename(target)  # put the previous results back
                raise
            shutil.rmtree(old)
        else:
            tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
