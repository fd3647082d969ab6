"""Plausible worlds: settings of the behavioural parameters that the observations cannot pin
down, in each of which every point of an experiment or design runs.

An experiment or design file asks for them in an ``[uncertainty]`` table::

    [uncertainty]
    worlds = 50              # parameter sets; every point runs in every world
    source = "posterior"     # the calibration posterior shipped with sectorsim (default),
                             # or "ranges": a Latin hypercube over [uncertainty.ranges]
    posterior = "my.parquet" # optional, with source = "posterior": another posterior file
                             # (columns: parameter keys, optional weight and distance)
    seed = 1                 # optional: which worlds are drawn (default: the same for every file)
    [uncertainty.ranges]
    "adoption.b0" = {min = -6.0, max = -4.0}

With the posterior, the worlds are particles drawn by their weights (without replacement while
there are enough); with ranges, a Latin hypercube (``scipy.stats.qmc``). The worlds depend on the
table and (for a posterior) on the posterior file's content, never on the experiment's own seed,
so that every experiment with the same table runs in the same worlds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field
from scipy.stats import qmc

from sectorsim.config import ConfigError, load_scenario
from sectorsim.experiments.tables import (
    Count,
    Factor,
    Seed,
    Table,
    Text,
    factor_items,
    file_hash,
    from_unit,
    parse_factor,
    parse_table,
)
from sectorsim.params import PARAMETERS

SOURCES = ("posterior", "ranges")
WORLD_SEED = 2013  # the worlds a table draws when it names no seed
POSTERIOR_COLUMNS = ("weight", "distance")  # a posterior's columns that are not parameters
QUICK_WORLDS = 3


def shipped_posterior() -> Path:
    """The calibration posterior that ships with sectorsim (``make calibrate`` writes it)."""
    return Path(str(files("sectorsim") / "data" / "posterior.parquet"))


class UncertaintyTable(Table):
    worlds: Count
    source: Annotated[
        Literal["posterior", "ranges"],
        Field(description="one of " + ", ".join(repr(s) for s in SOURCES)),
    ] = "posterior"
    posterior: Annotated[Text | None, Field(description="a path to a .parquet file")] = None
    seed: Seed | None = None
    ranges: Annotated[
        dict[str, Any] | None,
        Field(description='a table of ranges, e.g. "adoption.b0" = {min = -6.0, max = -4.0}'),
    ] = None


@dataclass(frozen=True)
class Uncertainty:
    """The worlds of a file: one ``{dotted key: value}`` per world, and where they came from."""

    source: str
    keys: tuple[str, ...]
    worlds: tuple[dict[str, Any], ...]
    origin: str  # the posterior file, or "ranges"
    digest: str  # what the worlds depend on besides the file's text (the posterior's content)

    def shrunk(self) -> Uncertainty:
        """The ``--quick`` version: the first few worlds."""
        return Uncertainty(
            self.source, self.keys, self.worlds[:QUICK_WORLDS], self.origin, self.digest
        )

    def describe(self) -> str:
        where = "the calibration posterior" if self.source == "posterior" else "ranges"
        return f"{len(self.worlds)} plausible worlds from {where} over {', '.join(self.keys)}"


class InWorlds:
    """What experiment and design files share about their worlds: a dataclass with ``source``,
    ``text``, ``quick`` and ``uncertainty`` (an :class:`Uncertainty` or None)."""

    @property
    def hash(self) -> str:
        """What a results folder belongs to: the file's text, the quick flag and what the
        worlds depend on beyond the text (a posterior's content)."""
        digest = self.uncertainty.digest if self.uncertainty else ""
        return file_hash(self.text + digest, self.quick)

    @property
    def worlds(self) -> tuple[dict[str, Any], ...]:
        """The parameter values of each world (one world with none, without uncertainty)."""
        return self.uncertainty.worlds if self.uncertainty else ({},)

    def manifest(self) -> dict[str, Any]:
        """The manifest's fields of the file: where it is, its text, quick or not, its worlds."""
        return {
            "file": self.source,
            "file_resolved": str(Path(self.source).resolve()),
            "text": self.text,
            "quick": self.quick,
            "worlds": [*self.worlds] if self.uncertainty else None,
            "worlds_from": self.uncertainty.origin if self.uncertainty else None,
        }


def parse_uncertainty(
    raw: Any,
    source: str,
    path: Path,
    scenario: str,
    fixed: dict[str, Any],
    varied: set[str],
    stored: list[dict[str, Any]] | None = None,
) -> Uncertainty:
    """Check an ``[uncertainty]`` table (``raw``) of the file ``source`` at ``path`` and draw its
    worlds; the first problem is a :class:`ConfigError` naming the file and the key. ``stored``
    worlds (those a results folder ran in) are taken as they are instead of drawn again."""
    table = parse_table(UncertaintyTable, raw, source, "uncertainty")
    if stored is not None:
        keys = tuple(stored[0]) if stored else ()
        return Uncertainty(table.source, keys, tuple(stored), "the results folder", "")
    seed = WORLD_SEED if table.seed is None else table.seed
    if table.source == "ranges":
        if table.posterior is not None:
            raise ConfigError(
                source,
                "uncertainty.posterior",
                table.posterior,
                problem='a posterior file with source = "ranges"',
                allowed='source = "posterior", or leave posterior out',
            )
        factors = parse_ranges(table.ranges, source, scenario, fixed)
        keys = tuple(f.key for f in factors)
        worlds = hypercube(factors, table.worlds, seed)
        origin, digest = "ranges", ""
    else:
        if table.ranges is not None:
            raise ConfigError(
                source,
                "uncertainty.ranges",
                None,
                problem='ranges with source = "posterior"',
                allowed='source = "ranges", or leave [uncertainty.ranges] out',
            )
        file = shipped_posterior() if table.posterior is None else path.parent / table.posterior
        key = "uncertainty.source" if table.posterior is None else "uncertainty.posterior"
        keys, values, weights, digest = read_posterior(file, source, key)
        worlds = draw_particles(keys, values, weights, table.worlds, seed)
        origin = str(file)
    both = sorted(set(keys) & (varied | set(fixed)))
    if both:
        raise ConfigError(
            source,
            "uncertainty",
            both[0],
            problem="both set or varied by the file and uncertain",
            allowed="a parameter is a lever ([factors], [levers], [set]) or an uncertainty, not both",
        )
    for number, world in enumerate(worlds):
        try:
            load_scenario(scenario, {**fixed, **world})
        except ConfigError as exc:
            raise ConfigError(
                source,
                f"uncertainty (world {number}: {origin})",
                exc.value,
                problem=f"{exc.key}: {exc.problem}",
                allowed=exc.allowed,
            ) from None
    return Uncertainty(table.source, keys, tuple(worlds), origin, digest)


def parse_ranges(
    ranges: dict[str, Any] | None, source: str, scenario: str, fixed: dict[str, Any]
) -> list[Factor]:
    """The ``[uncertainty.ranges]`` table as range factors, each checked on the scenario."""
    if not ranges:
        raise ConfigError(
            source,
            "uncertainty.ranges",
            ranges,
            problem="no ranges",
            allowed='at least one "key" = {min = ..., max = ...} with source = "ranges"',
        )
    context = {"scenario": scenario, "fixed": fixed}
    factors = []
    for key, value in factor_items(ranges, source, "uncertainty.ranges"):
        if not isinstance(value, dict):
            raise ConfigError(
                source,
                f"uncertainty.ranges.{key}",
                value,
                problem="not a range",
                allowed="{min = ..., max = ...} with optional log = true, integer = true",
            )
        factors.append(parse_factor(key, value, source, context, name="uncertainty.ranges"))
    return factors


def hypercube(factors: list[Factor], worlds: int, seed: int) -> list[dict[str, Any]]:
    """``worlds`` points of a Latin hypercube over the ranges (scipy.stats.qmc), seeded."""
    unit = qmc.LatinHypercube(d=len(factors), seed=seed).random(worlds)
    columns = [from_unit(f, unit[:, j]) for j, f in enumerate(factors)]
    return [{f.key: columns[j][i] for j, f in enumerate(factors)} for i in range(worlds)]


def read_posterior(
    file: Path, source: str, key: str
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, str]:
    """A posterior file's parameter keys, values (particles x keys), normalised weights and the
    digest of its content; a ConfigError naming the experiment file and ``key`` if it cannot be
    read or is not a posterior."""
    allowed = (
        "a Parquet file with one column per parameter key (and optionally weight, distance), "
        "as `sectorsim calibrate` writes posterior.parquet"
    )
    if not file.is_file():
        raise ConfigError(
            source,
            key,
            str(file),
            problem="no calibration posterior there",
            allowed=allowed + '; or source = "ranges"',
        )
    import pyarrow.parquet as pq  # the sweeps extra: only where Parquet is read or written

    content = file.read_bytes()
    try:
        frame = pq.read_table(file).to_pandas()
    except Exception as exc:
        raise ConfigError(
            source, key, str(file), problem=f"not a Parquet table ({exc})", allowed=allowed
        ) from None
    keys = tuple(c for c in frame.columns if c not in POSTERIOR_COLUMNS)
    unknown = [k for k in keys if k not in PARAMETERS or PARAMETERS[k].type not in ("int", "float")]
    if unknown or not keys or not len(frame):
        problem = (
            f"column {unknown[0]!r} is not a numeric parameter key"
            if unknown
            else "no particles"
            if keys
            else "no parameter columns"
        )
        raise ConfigError(source, key, str(file), problem=problem, allowed=allowed)
    values = frame[list(keys)].to_numpy(dtype=float)
    weights = frame["weight"].to_numpy(dtype=float) if "weight" in frame else np.ones(len(frame))
    if not (np.isfinite(values).all() and np.isfinite(weights).all() and (weights >= 0).all()):
        raise ConfigError(
            source, key, str(file), problem="missing or negative values", allowed=allowed
        )
    if weights.sum() <= 0:
        raise ConfigError(source, key, str(file), problem="weights sum to 0", allowed=allowed)
    return keys, values, weights / weights.sum(), hashlib.sha256(content).hexdigest()[:16]


def draw_particles(
    keys: tuple[str, ...], values: np.ndarray, weights: np.ndarray, worlds: int, seed: int
) -> list[dict[str, Any]]:
    """``worlds`` particles drawn by weight (without replacement while there are enough)."""
    rng = np.random.default_rng(seed)
    nonzero = int((weights > 0).sum())
    index = rng.choice(len(values), size=worlds, replace=worlds > nonzero, p=weights)
    integer = [PARAMETERS[k].type == "int" for k in keys]
    return [
        {
            k: int(round(v)) if i else float(v)
            for k, v, i in zip(keys, values[j], integer, strict=True)
        }
        for j in index
    ]
