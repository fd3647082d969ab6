"""Atomic writes: output folders and files, checked before any work, written whole, and never
a folder of the user's.

A folder is written into a hidden temporary folder next to the target, which takes the target's
place only when complete (:func:`atomic_directory`); a file is written into a hidden temporary
file beside it, which replaces it only when complete (:func:`atomic_write_bytes`). An existing target is replaced only if it holds nothing but a previous
output of the same command (its files, and a marker file that reads as one); anything else is
refused with an :class:`OutputError` saying what is there. Temporary folders left by a killed
process are removed by the next write into the same place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


class OutputError(OSError):
    """The output folder cannot be used; the message says why."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def listing(folder: Path, names: list[str], limit: int = 5) -> str:
    """A few of ``names`` in ``folder`` for a message: 'notes.txt, src/ and 3 more'."""
    shown = [n + ("/" if (folder / n).is_dir() else "") for n in sorted(names)[:limit]]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def check_writable(target: Path) -> Path:
    """The resolved ``target``, or an OutputError if a folder cannot be made there.

    Finds the nearest existing folder above ``target`` and creates (and removes) a probe folder
    in it, so a read-only place, a path through a file or a pseudo file system is refused before
    any work is done; nothing is left behind.
    """
    target = Path(target).expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder; give a folder for the outputs")
    place = target if target.is_dir() else target.parent
    while not place.exists():
        place = place.parent
    if not place.is_dir():
        raise OutputError(f"cannot make {target}: {place} is a file, not a folder")
    try:
        probe = tempfile.mkdtemp(prefix=".sectorsim-probe-", dir=place)
        os.rmdir(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"cannot write in {place} ({reason}); give another folder") from None
    return target


def alive(pid: object) -> bool:
    """Whether a process with id ``pid`` runs on this machine (anything but a positive int:
    no)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    except OverflowError:
        return False
    return True


def _temp_prefixes(target: Path) -> tuple[str, str]:
    return f".{target.name}.tmp-", f".{target.name}.old-"


TEMPORARY = re.compile(r"(?:(\d+)-)?[a-z0-9_]{8}")  # [<pid>-]<mkdtemp's 8 characters>


def remove_stale_temporaries(target: Path) -> None:
    """Remove the hidden temporary folders of ``target`` left by processes that are gone.

    Their names hold the writing process's id (``.NAME.tmp-<pid>-xxxxxxxx``): a folder whose
    process still runs is left alone; one without an id (an earlier version's) counts as left
    behind; a name of any other form is not one of these folders and is left alone.
    """
    if not target.parent.is_dir():
        return
    for prefix in _temp_prefixes(target):
        for path in target.parent.glob(prefix + "*"):
            match = TEMPORARY.fullmatch(path.name[len(prefix) :])
            if not match or not path.is_dir() or path.is_symlink():
                continue
            if match.group(1) and alive(int(match.group(1))):
                continue
            shutil.rmtree(path, ignore_errors=True)


def check_target(
    target: Path,
    marker: str,
    outputs: frozenset[str] | None = None,
    is_output: Callable[[Path], bool] | None = None,
    command: str = "sectorsim",
) -> Path:
    """The resolved target, or an OutputError if results may not be written there.

    A target may be new, empty, or a previous output: only names in ``outputs`` (any name, if
    None), ``marker`` among them, and ``is_output(marker path)`` true if given.
    """
    target = check_writable(target)
    if not target.is_dir():
        return target
    names = [p.name for p in target.iterdir()]
    if not names:
        return target
    stray = [n for n in names if outputs is not None and n not in outputs]
    if outputs is not None:
        stray += [n for n in names if n in outputs and not (target / n).is_file()]
    marked = (target / marker).is_file() and (is_output is None or is_output(target / marker))
    if stray or not marked:
        what = listing(target, stray or names)
        raise OutputError(
            f"{target} holds other files ({what}), which `{command}` did not write: it is "
            "not replaced; "
            "give a new or empty folder, or a folder of an earlier output"
        )
    return target


@contextlib.contextmanager
def atomic_directory(
    target: Path,
    marker: str,
    outputs: frozenset[str] | None = None,
    is_output: Callable[[Path], bool] | None = None,
    command: str = "sectorsim",
) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target`` whole, on failure it vanishes.

    ``target`` must pass :func:`check_target` (``marker``, ``outputs`` and ``is_output`` say what
    a previous output looks like); anything else is refused rather than replaced.
    """
    target = check_target(target, marker, outputs, is_output, command)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    tmp_prefix, old_prefix = _temp_prefixes(target)
    tmp = Path(tempfile.mkdtemp(prefix=f"{tmp_prefix}{os.getpid()}-", dir=target.parent))
    tmp.chmod(0o777 & ~_umask())
    old = target.with_name(f"{old_prefix}{os.getpid()}-{tmp.name[-8:]}")
    try:
        yield tmp
        if target.exists():
            check_target(target, marker, outputs, is_output, command)  # still ours?
            target.rename(old)
            try:
                tmp.rename(target)
            except OSError:
                old.rename(target)  # put the previous results back
                raise
            shutil.rmtree(old)
        else:
            try:
                tmp.rename(target)
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                raise OutputError(
                    f"{target} appeared while writing; nothing was replaced"
                ) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a hidden temporary file beside it, renamed
    over it when complete), readable by the rest of a team."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide results from the rest of a team
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """A Parquet file written with :func:`atomic_write_bytes`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


PARTIAL = re.compile(r"\.(.+\.(parquet|json|md|png|csv|toml))\.[a-z0-9_]{8}")


def remove_partial_writes(folder: Path) -> None:
    """Remove the temporary files of :func:`atomic_write_bytes` that a killed process left in
    ``folder`` (``.<name>.<8 characters>`` of an output file's name)."""
    for path in folder.glob(".*"):
        if path.is_file() and PARTIAL.fullmatch(path.name):
            path.unlink(missing_ok=True)
