"""Experiment files: what to vary, how to sample it, how often to replicate.

An experiment is a TOML file with four tables::

    [experiment]   name, scenario, replications, seed, and optionally months and baseline
                   (true: each run also runs without the programme, same seed, for the euros
                   per extra adopter)
    [set]          fixed overrides, dotted keys (as in scenario files)
    [factors]      dotted key = [values]              (a list: full factorial in a grid)
                   dotted key = {min = .., max = ..}  (a range; optional log = true, integer = true)
    [sampling]     method = "grid" | "lhs" | "sobol" | "morris", and n
    [uncertainty]  optionally: plausible worlds, every point runs in each (see
                   :mod:`sectorsim.experiments.worlds`)

Each table's shape is a pydantic model (:class:`ExperimentTable`, :class:`SamplingTable`,
:class:`RangeTable`: no unknown keys, TOML's own types), and every value is checked against the
parameter schema through the scenario it starts from; the first problem is a
:class:`~sectorsim.config.ConfigError` naming the file, the key, the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from sectorsim.config import ConfigError, load_scenario
from sectorsim.experiments.tables import (
    MAX_COUNT,
    Count,
    Factor,
    FolderName,
    Seed,
    Switch,
    Table,
    Text,
    factor_items,
    fixed_overrides,
    parse_factor,
    parse_table,
    read_file,
    read_tables,
    resolve_scenario,
)
from sectorsim.experiments.worlds import InWorlds, Uncertainty, parse_uncertainty
from sectorsim.params import Config

METHODS = ("grid", "lhs", "sobol", "morris")


TABLES = ("experiment", "set", "factors", "sampling", "uncertainty")


QUICK = {"replications": 2, "sme.count": 200, "lhs": 12, "sobol": 8, "morris": 4, "grid_levels": 2}


class ExperimentTable(Table):
    name: FolderName
    scenario: Text
    replications: Count
    seed: Seed
    months: Annotated[int | None, Field(description="a whole number (the horizon)")] = None
    baseline: Switch = False


class SamplingTable(Table):
    method: Annotated[
        Literal["grid", "lhs", "sobol", "morris"],
        Field(description="one of " + ", ".join(repr(m) for m in METHODS)),
    ] = "grid"
    n: Annotated[
        int | None, Field(ge=1, le=MAX_COUNT, description=f"a whole number from 1 to {MAX_COUNT:_}")
    ] = None


@dataclass(frozen=True)
class Experiment(InWorlds):
    name: str
    scenario: str
    replications: int
    seed: int
    months: int | None
    fixed: dict[str, Any]
    factors: tuple[Factor, ...]
    method: str
    n: int | None
    source: str
    text: str
    quick: bool = False
    baseline: bool = False
    uncertainty: Uncertainty | None = None

    def overrides(self, point: dict[str, Any]) -> dict[str, Any]:
        """The dotted-key overrides of one point: fixed values, the horizon, then the factors."""
        values = dict(self.fixed)
        if self.months is not None:
            values["months"] = self.months
        values.update(point)
        return values

    def config(self, point: dict[str, Any]) -> Config:
        return load_scenario(self.scenario, self.overrides(point))

    def shrunk(self) -> Experiment:
        """The ``--quick`` version: fewer points, replications and SMEs, for smoke tests and CI."""
        fixed = dict(self.fixed)
        count = self.config({}).sme.count
        fixed["sme.count"] = min(count, QUICK["sme.count"])
        factors = tuple(
            replace(f, values=(f.values[0], f.values[-1])) if f.values and len(f.values) > 2 else f
            for f in self.factors
            if f.key != "sme.count"
        )
        if self.method == "grid":
            n = min(self.n, QUICK["grid_levels"]) if self.n else None
        else:
            n = min(self.n, QUICK[self.method])
        return replace(
            self,
            fixed=fixed,
            factors=factors,
            n=n,
            replications=min(self.replications, QUICK["replications"]),
            quick=True,
            uncertainty=self.uncertainty.shrunk() if self.uncertainty else None,
        )


def load_experiment(path: str | Path) -> Experiment:
    """Read and check an experiment file."""
    return parse_experiment(*read_file(path, "experiment"))


def stored_experiment(manifest: dict[str, Any]) -> Experiment:
    """The experiment a results folder's manifest ran: its text as it was run (its path only
    anchors a scenario given relative to the file), in the worlds it was run in, shrunk if it ran
    ``--quick``."""
    experiment = parse_experiment(
        manifest["text"],
        Path(manifest.get("file_resolved", manifest["file"])),
        worlds=manifest.get("worlds"),
    )
    return experiment.shrunk() if manifest.get("quick") else experiment


def parse_experiment(
    text: str, path: Path, worlds: list[dict[str, Any]] | None = None
) -> Experiment:
    """Check the text of an experiment file; ``path`` names it and anchors relative scenarios.
    ``worlds`` (a results folder's) stand in for drawing the ``[uncertainty]`` table's worlds."""
    source = str(path)
    raw = read_tables(text, source, TABLES, ("experiment", "factors"))

    head = parse_table(ExperimentTable, raw["experiment"], source, "experiment")
    scenario = resolve_scenario(head.scenario, path, "experiment.scenario")
    fixed = fixed_overrides(raw, scenario, source, head.months)

    context = {"scenario": scenario, "fixed": fixed}
    factors = tuple(
        parse_factor(k, v, source, context) for k, v in factor_items(raw["factors"], source)
    )
    if not factors:
        raise ConfigError(
            source, "factors", None, problem="no factors", allowed="at least one factor"
        )

    sampling = parse_table(SamplingTable, raw.get("sampling", {}), source, "sampling")
    method, n = sampling.method, sampling.n
    if method != "grid" and n is None:
        raise ConfigError(
            source,
            "sampling.n",
            None,
            problem=f"missing for method '{method}'",
            allowed="the number of samples (lhs), base samples (sobol) or trajectories (morris)",
        )
    if method == "grid" and any(f.is_range for f in factors) and n is None:
        n = 5
    return Experiment(
        name=head.name,
        scenario=scenario,
        replications=head.replications,
        seed=head.seed,
        months=head.months,
        fixed=fixed,
        factors=factors,
        method=method,
        n=n,
        source=source,
        text=text,
        baseline=head.baseline,
        uncertainty=parse_uncertainty(
            raw["uncertainty"], source, path, scenario, fixed, {f.key for f in factors}, worlds
        )
        if "uncertainty" in raw
        else None,
    )
