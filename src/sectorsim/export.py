"""CSV for spreadsheets: the runs and the monthly timeseries of a stored sweep or design.

``export(DIR)`` writes ``runs.csv`` (one row per run: its seed, the value of every parameter the
file sets or varies, and its summary) and ``timeseries.csv`` (one row per run and month, carrying
the same parameter values, so no join is needed). Seeds are 18-19 digit numbers, more than a
spreadsheet keeps of a number (15 digits): they are written as text cells, ``="<digits>"``, which
spreadsheets show as the digits themselves; :func:`read_seed` turns such a cell back into the
integer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sectorsim.params import PARAMETERS
from sectorsim.randomness import as_seed

SEED_COLUMNS = ("seed",)
RUN_KEYS = ("run_id", "phase", "point", "replicate", "seed")
EXPORTED = frozenset({"runs.csv", "timeseries.csv", "points.csv"})  # what an export folder holds
RESULTS_FOLDER = "a folder written by `sectorsim sweep` or `sectorsim design`"


def seed_text(seed: Any) -> Any:
    """A seed as a spreadsheet text cell (``="12345"``); missing values stay missing."""
    if seed is None or (isinstance(seed, float) and pd.isna(seed)):
        return seed
    return f'="{int(seed)}"'


read_seed = as_seed  # the integer seed of a cell written by :func:`seed_text`, or a number


def seeds_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose seed columns are spreadsheet text cells."""
    frame = frame.copy()
    for column in SEED_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(seed_text).astype(object)
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as CSV at ``path``, seeds as text."""
    seeds_as_text(frame).to_csv(path, index=False)


def _parameters(manifest: dict[str, Any], runs: pd.DataFrame) -> pd.DataFrame:
    """Every parameter a run's file set or varied, one column per dotted key, in schema order."""
    if "design" in manifest:
        from sectorsim.design.spec import stored_design

        spec = stored_design(manifest)
        varied = [lever.key for lever in spec.levers]
    else:
        from sectorsim.experiments.spec import stored_experiment

        spec = stored_experiment(manifest)
        varied = [factor.key for factor in spec.factors]
    varied += list(spec.uncertainty.keys) if spec.uncertainty else []
    varied = [key for key in varied if key in runs]
    rows = [
        spec.overrides({key: row[key] for key in varied if key in row and pd.notna(row[key])})
        for row in runs.to_dict("records")
    ]
    values = pd.DataFrame(rows, index=runs.index)
    order = [key for key in PARAMETERS if key in values]
    return values[order]


def load(directory: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs, timeseries) of a folder written by ``sectorsim sweep`` or ``sectorsim design``,
    each row with its run's parameter values."""
    from sectorsim.config import ConfigError

    directory = Path(directory)
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        raise ConfigError(
            str(directory),
            None,
            problem="not a results folder (no manifest.json)",
            allowed=RESULTS_FOLDER,
        )
    from sectorsim.batch import read_manifest
    from sectorsim.storage import OutputError

    try:
        manifest = read_manifest(directory)
    except OutputError as exc:
        raise ConfigError(str(directory), None, problem=str(exc), allowed=RESULTS_FOLDER) from None
    if not {"file", "text"} <= set(manifest) or not ({"design", "experiment"} & set(manifest)):
        raise ConfigError(
            str(directory),
            None,
            problem="its manifest.json is not a sweep's or a design search's",
            allowed=RESULTS_FOLDER,
        )
    if "design" not in manifest and not (directory / "runs.parquet").is_file():
        raise ConfigError(
            str(directory),
            None,
            problem="the sweep has not gathered its runs (it was interrupted)",
            allowed="a finished sweep: `sectorsim sweep FILE --out DIR --resume` finishes it",
        )
    if "design" in manifest:
        parts = []
        for phase in ("search", "reevaluation"):
            path = directory / f"{phase}_runs.parquet"
            if path.is_file():
                parts.append(pd.read_parquet(path).assign(phase=phase))
        runs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if len(runs):
            runs["run_id"] = range(len(runs))
        timeseries = pd.DataFrame()
    else:
        runs = pd.read_parquet(directory / "runs.parquet")
        path = directory / "timeseries.parquet"
        timeseries = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    if not len(runs):
        return runs, timeseries
    parameters = _parameters(manifest, runs)
    keys = [k for k in RUN_KEYS if k in runs]
    rest = [c for c in runs.columns if c not in keys and c not in parameters]
    runs = pd.concat([runs[keys], parameters, runs[rest]], axis=1)
    if len(timeseries):
        carried = runs[[*keys, *parameters.columns]]
        timeseries = carried.merge(timeseries, on="run_id", how="right", validate="one_to_many")
    else:  # a design keeps no timeseries: the header says what a row would hold
        timeseries = pd.DataFrame(columns=[*keys, *parameters.columns, "month"])
    return runs, timeseries


def export(directory: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write ``runs.csv`` and ``timeseries.csv`` of a stored sweep or design into ``out``
    (default: the folder itself), and for a sweep ``points.csv`` (the analysis' table of each
    point: the chance of critical mass with its interval, ...); return their paths.

    A given ``out`` is written whole, and only into a new or empty folder or one that holds a
    previous export and nothing else (see :mod:`sectorsim.storage`)."""
    from sectorsim.storage import atomic_directory, check_target

    runs, timeseries = load(directory)
    guard = {"marker": "runs.csv", "outputs": EXPORTED, "is_output": _is_export}
    if out is not None:
        check_target(Path(out), command="sectorsim export", **guard)
    manifest = json.loads((Path(directory) / "manifest.json").read_text())
    points = None
    if "experiment" in manifest and len(runs):
        from sectorsim.experiments.analysis import load as load_sweep
        from sectorsim.experiments.analysis import per_point

        _, experiment, stored = load_sweep(directory)
        points = per_point(stored, experiment)

    def write(folder: Path) -> list[Path]:
        paths = [folder / "runs.csv", folder / "timeseries.csv"]
        write_csv(runs, paths[0])
        write_csv(timeseries, paths[1])
        if points is not None:
            paths.append(folder / "points.csv")
            points.to_csv(paths[-1], index=False)
        return paths

    if out is None:
        return write(Path(directory))
    with atomic_directory(Path(out), command="sectorsim export", **guard) as tmp:
        written = write(tmp)
    return [Path(out) / path.name for path in written]


def _is_export(path: Path) -> bool:
    """Whether ``path`` is a runs.csv that :func:`export` wrote (its first column is run_id)."""
    try:
        with path.open(encoding="utf-8") as fh:
            return fh.readline().split(",")[0].strip() == "run_id"
    except (OSError, UnicodeDecodeError):
        return False
