"""The run store and its manifest: finished runs in Parquet part files, each written atomically.

A part holds the runs of one chunk (see :mod:`.runners`), made where they ran: their monthly
timeseries, with their summary rows as JSON in the file's metadata, so a run is on disk whole or
not at all: Ctrl-C or ``kill -9`` loses at most the chunks in flight, and ``--resume`` runs only
the missing runs. ``DIR/parts/part-<point>-<world>-<replicate>.parquet`` is named after its first
run. At the end the parts are gathered into ``runs.parquet`` and ``timeseries.parquet``.
``manifest.json`` says which experiment (or design search) the folder belongs to (its text and
hash) and with what software it was run; :func:`claim` refuses a folder of another one.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sectorsim import __version__
from sectorsim.storage import (
    OutputError,
    alive,
    atomic_write_bytes,
    atomic_write_table,
    check_writable,
    listing,
    remove_partial_writes,
)

MANIFEST = "manifest.json"
COMMANDS = {"experiment": "sweep", "design": "design", "calibration": "calibrate"}
TRACKED = ("src", "scenarios", "experiments")  # what git_dirty looks at: code, presets, files
PARTS = "parts"
POINT_WORLD_REPLICATE = ("point", "world", "replicate")  # the key of sweeps' and designs' runs
ROWS_KEY = b"sectorsim.rows"  # a part's summary rows, as a JSON list
ROW_KEY = b"sectorsim.row"  # the one row of a part written before parts held chunks
LIBRARIES = (
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "networkx",
    "pydantic",
    "pyarrow",
    "SALib",
    "dask",
    "distributed",
    "ema_workbench",
    "optuna",
)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a run row")


def provenance(repo: Path | None = None) -> dict[str, Any]:
    """Versions and the git commit of the code that runs the experiment; ``git_dirty`` says
    whether the code, the presets or the experiment files of ``repo`` (default: the one this
    package runs from) differ from that commit."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    repo = repo or Path(__file__).resolve().parents[3]
    commit = dirty = None
    if (repo / ".git").exists():
        try:
            commit = subprocess.run(
                ["git", "-C", str(repo), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            dirty = bool(
                subprocess.run(
                    ["git", "-C", str(repo), "status", "--porcelain", "--", *TRACKED],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
            )
        except (OSError, subprocess.CalledProcessError):
            pass
    return {
        "sectorsim": __version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": versions,
    }


def default_out(spec: Any) -> Path:
    """``results/<name>`` of an experiment or design file (``-quick`` for its small version)."""
    return Path("results") / (spec.name + ("-quick" if spec.quick else ""))


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """``directory/manifest.json`` as a dict, None if there is none, or an OutputError if it is not
    a manifest sectorsim wrote."""
    manifest = Path(directory) / MANIFEST
    if not manifest.is_file():
        return None
    try:
        held = json.loads(manifest.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputError(
            f"{manifest} is not a manifest sectorsim wrote (not valid JSON: {exc}); "
            "give another folder"
        ) from None
    if not isinstance(held, dict):
        raise OutputError(f"{manifest} is not a manifest sectorsim wrote; give another folder")
    return held


def state(manifest: dict[str, Any]) -> str:
    """ "complete", "running" (by a live process on this machine), or "interrupted": a manifest
    that says "running" while the process that wrote it is gone (killed, the machine restarted)."""
    status = manifest.get("status")
    if status == "complete":
        return "complete"
    if status == "running" and manifest.get("host") not in (None, platform.node()):
        return "running"  # another machine's process: it cannot be checked from here
    if status == "running" and alive(manifest.get("pid")):
        return "running"
    return "interrupted"


def progress_note(manifest: dict[str, Any], done: int | None = None) -> str:
    """'N of M runs' as far as the manifest and the runs on disk say."""
    total = manifest.get("runs_total")
    if done is None:
        done = manifest.get("runs_done")
    if done is None:
        return ""
    return f" after {done} of {total} runs" if total else f" after {done} runs"


def claim(directory: Path, fingerprint: str, kind: str, resume: bool) -> Path:
    """Make ``directory`` the results folder of the file with hash ``fingerprint`` (its manifest's
    ``<kind>_hash``): a new or empty folder, or, with ``resume``, one holding the same file's runs.
    Anything else is refused with an :class:`OutputError`, before anything is created."""
    directory = check_writable(directory)
    held = read_manifest(directory)
    if held is not None:
        if held.get(f"{kind}_hash") != fingerprint:
            what = (
                f"another {kind} ({held.get(kind)!r} from {held.get('file')}, "
                f"quick={held.get('quick')})"
                if f"{kind}_hash" in held
                else "the output of another command"
            )
            raise OutputError(f"{directory} holds {what}; give another --out")
        now_state = state(held)
        if now_state == "running":
            raise OutputError(
                f"{directory} is being written now by process {held.get('pid')} on "
                f"{held.get('host')}; wait for it, or give another --out"
            )
        if not resume:
            if now_state == "interrupted":
                done = len(stored_rows(directory / PARTS))
                note = progress_note(held, done if kind == "experiment" else None)
                raise OutputError(
                    f"{directory} holds this {kind}, interrupted{note}; add --resume to "
                    "finish it, or give another --out"
                )
            raise OutputError(
                f"{directory} holds this {kind} already; add --resume to "
                "finish it, or give another --out"
            )
    elif directory.is_dir() and any(directory.iterdir()):
        names = [p.name for p in directory.iterdir()]
        command = COMMANDS.get(kind, kind)
        raise OutputError(
            f"{directory} holds other files ({listing(directory, names)}), which no "
            f"`sectorsim {command}` wrote; give a new or empty folder"
        )
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def write_manifest(directory: Path, **fields: Any) -> None:
    """Update ``directory/manifest.json`` with ``fields``, atomically. A manifest saying
    "running" also records this process and machine, so that a killed run reads as interrupted."""
    manifest = directory / MANIFEST
    current = json.loads(manifest.read_text()) if manifest.is_file() else {}
    current.update(fields)
    if fields.get("status") == "running":
        current.update(pid=os.getpid(), host=platform.node())
    atomic_write_bytes(
        manifest, (json.dumps(current, indent=2, default=_json_default) + "\n").encode()
    )


def part_rows(metadata: dict[bytes, bytes]) -> list[dict[str, Any]]:
    """The summary rows of a part file, from its metadata (a part written before parts held
    chunks has one row under its own key)."""
    if ROWS_KEY in metadata:
        return json.loads(metadata[ROWS_KEY])
    return [json.loads(metadata[ROW_KEY])]


def part_files(parts: Path) -> list[Path]:
    """The part files in a parts folder, in the order of their names."""
    return sorted(Path(parts).glob("*.parquet"))


def stored_rows(parts: Path, key: tuple[str, ...] = ("point", "replicate")) -> list[dict[str, Any]]:
    """The summary rows of the runs in a parts folder (none if there is no such folder), sorted
    by ``key``; nothing is created."""
    import pyarrow.parquet as pq  # the sweeps extra: only where Parquet is read or written

    rows = [row for path in part_files(parts) for row in part_rows(pq.read_schema(path).metadata)]
    return sorted(rows, key=lambda row: tuple(row.get(k, 0) for k in key))


def encode_part(runs: Sequence[tuple[dict[str, Any], pd.DataFrame]]) -> bytes:
    """The part file of a chunk's runs, each given as (summary row, monthly timeseries): the
    timeseries one below the other with the run's ``run_id`` in front, the rows as JSON in the
    file's metadata. Made where the runs ran (a worker), so that the process that keeps the
    store only writes bytes, once a chunk; the columns go to Arrow from their arrays (pandas' own
    conversion costs ten times as much for a run's 180 months), text as large strings, as pandas
    writes them."""
    import pyarrow as pa  # the sweeps extra: only where Parquet is read or written
    import pyarrow.parquet as pq  # the sweeps extra: only where Parquet is read or written

    tables = []
    for row, timeseries in runs:
        if timeseries.empty:
            continue
        columns = {"run_id": pa.array(np.full(len(timeseries), row["run_id"], dtype=np.int64))}
        for name in timeseries.columns:
            values = timeseries[name].to_numpy()
            text = values.dtype == object
            columns[name] = pa.array(values, type=pa.large_string() if text else None)
        tables.append(pa.table(columns))
    table = pa.concat_tables(tables, promote_options="default") if tables else pa.table({})
    rows = json.dumps([row for row, _ in runs], default=_json_default)
    sink = pa.BufferOutputStream()
    # a few runs' months: dictionaries and statistics cost more than they save
    pq.write_table(
        table.replace_schema_metadata({ROWS_KEY: rows}),
        sink,
        use_dictionary=False,
        write_statistics=False,
    )
    return sink.getvalue().to_pybytes()


class RunStore:
    """Finished runs in ``directory/<parts>/``, gathered into ``<name>runs.parquet`` and (unless
    ``timeseries`` is false) ``<name>timeseries.parquet`` beside it (``name`` is a prefix such as
    ``"search_"``). A run is known by the values of its ``key`` columns, such as (point, world,
    replicate)."""

    def __init__(
        self,
        directory: Path,
        parts: str = PARTS,
        name: str = "",
        timeseries: bool = True,
        key: tuple[str, ...] = ("point", "replicate"),
    ):
        self.dir = Path(directory)
        self.key = key
        self.parts = self.dir / parts
        self.name = name
        self.timeseries = timeseries
        self.parts.mkdir(parents=True, exist_ok=True)
        remove_partial_writes(self.parts)
        remove_partial_writes(self.dir)

    def key_of(self, row: dict[str, Any]) -> tuple[int, ...]:
        return tuple(int(row[k]) for k in self.key)

    def done(self) -> set[tuple[int, ...]]:
        """The key of every run already on disk."""
        return set(self.rows())

    def rows(self) -> dict[tuple[int, ...], dict[str, Any]]:
        """The summary row of every run on disk, by its key, without its timeseries."""
        return {self.key_of(row): row for row in stored_rows(self.parts, self.key)}

    def write_part(self, first: dict[str, Any], part: bytes) -> None:
        """A part file, as :func:`encode_part` made it, named after the summary row of its
        ``first`` run (a run is in one part only, so the name is new)."""
        name = "part-" + "-".join(f"{k:06d}" for k in self.key_of(first)) + ".parquet"
        atomic_write_bytes(self.parts / name, part)

    def gather(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """All runs on disk as (runs, timeseries), sorted by their key; also written as
        runs.parquet and timeseries.parquet (with the store's name as prefix)."""
        import pyarrow as pa  # the sweeps extra: only where Parquet is read or written
        import pyarrow.parquet as pq  # the sweeps extra: only where Parquet is read or written

        def read(path: Path) -> pa.Table:  # not read_table: its dataset layer costs 0.6 ms a file
            return pq.ParquetFile(path).read()

        rows, series = [], []
        with ThreadPoolExecutor(os.cpu_count()) as pool:  # Arrow reads without holding the GIL
            tables = list(pool.map(read, part_files(self.parts)))
        for table in tables:
            held = part_rows(table.schema.metadata)
            rows += held
            table = table.replace_schema_metadata(None)
            if table.num_rows and "run_id" not in table.column_names:  # one run, its id in its row
                run_id = pa.array(np.full(table.num_rows, held[0]["run_id"], dtype=np.int64))
                table = table.add_column(0, "run_id", run_id)
            if table.num_rows:
                series.append(table)
        runs = pd.DataFrame(rows)
        if len(runs):
            runs = runs.sort_values(list(self.key), ignore_index=True)
        # one conversion of all runs' months, not one per run (tens of thousands in a sweep)
        timeseries = (
            pa.concat_tables(series, promote_options="default").to_pandas()
            if series
            else pd.DataFrame()
        )
        if len(timeseries):
            timeseries = timeseries.sort_values(["run_id", "month"], ignore_index=True)
        atomic_write_table(
            self.dir / f"{self.name}runs.parquet", pa.Table.from_pandas(runs, preserve_index=False)
        )
        if self.timeseries:
            atomic_write_table(
                self.dir / f"{self.name}timeseries.parquet",
                pa.Table.from_pandas(timeseries, preserve_index=False),
            )
        return runs, timeseries


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
