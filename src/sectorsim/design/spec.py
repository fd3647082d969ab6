"""Design files: which programme levers may move, what a programme costs, what it must achieve.

A design file is a TOML file with these tables::

    [design]   name, scenario, seed, replications (per candidate), candidates (how many the
               optimiser may try), and optionally batch (candidates run together, default 8),
               reevaluation (fresh replications per front design, default 100) and sampler
               ("tpe", the default, "nsga2" or "random")
    [target]   month: critical mass must be reached by this month (the runs' horizon);
               optionally probabilities = [0.5, 0.8, 0.9], the levels the report answers for
    [cost]     per_member (euros per coalition member, on the coalition's peak size) and
               per_month (euros per month of programme up to the target month); the budget
               actually spent always counts
    [set]      fixed overrides, dotted keys (as in scenario files)
    [levers]   dotted key = [choices]  or  {min = .., max = ..} (optional log, integer),
               as the factors of an experiment file. The split of the budget over the funding
               channels is a lever too: the funding shares that are not levers take what the
               lever shares leave, in the proportions the scenario gives them.
    [uncertainty]  optionally: plausible worlds (see :mod:`sectorsim.experiments.worlds`);
               every candidate then runs ``replications`` (and ``reevaluation``) replicates in
               every world, and is scored over all of them

Errors name the file, the key, the value and what is allowed, as for scenarios and experiments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from sectorsim.config import ConfigError, load_scenario
from sectorsim.experiments.tables import (
    Count,
    Factor,
    FolderName,
    Seed,
    Table,
    Text,
    factor_items,
    fixed_overrides,
    parse_factor,
    parse_table,
    read_file,
    read_tables,
    refuse,
    resolve_scenario,
)
from sectorsim.experiments.worlds import InWorlds, Uncertainty, parse_uncertainty
from sectorsim.params import Config

TABLES = ("design", "target", "cost", "set", "levers", "uncertainty")
SAMPLERS = ("tpe", "nsga2", "random")
SHARES = ("funding.share_vouchers", "funding.share_projects", "funding.share_team")
QUICK = {
    "candidates": 12,
    "batch": 4,
    "replications": 4,
    "reevaluation": 8,
    "sme.count": 200,
}


class DesignTable(Table):
    name: FolderName
    scenario: Text
    seed: Seed
    replications: Count
    candidates: Count
    batch: Count = 8
    reevaluation: Count = 100
    sampler: Annotated[
        Literal["tpe", "nsga2", "random"],
        Field(description="one of " + ", ".join(repr(s) for s in SAMPLERS)),
    ] = "tpe"


PROBABILITIES = "numbers in (0, 1], e.g. [0.5, 0.8, 0.9]"


def check_probabilities(values: list[float]) -> list[float]:
    if not values or not all(0 < p <= 1 for p in values):
        raise refuse("not a list of probabilities", PROBABILITIES)
    return values


def euros(value: float) -> float:
    if value < 0:
        raise refuse("negative", "euros, at least 0")
    return value


Euros = Annotated[float, AfterValidator(euros), Field(description="euros, at least 0")]


class TargetTable(Table):
    month: Annotated[int, Field(ge=1, description="a whole number of at least 1")]
    probabilities: Annotated[
        list[float], AfterValidator(check_probabilities), Field(description=PROBABILITIES)
    ] = [0.5, 0.8, 0.9]


class CostTable(Table):
    per_member: Euros = 0.0
    per_month: Euros = 0.0


@dataclass(frozen=True)
class Design(InWorlds):
    name: str
    scenario: str
    seed: int
    replications: int
    candidates: int
    batch: int
    reevaluation: int
    sampler: str
    target_month: int
    probabilities: tuple[float, ...]
    per_member: float
    per_month: float
    fixed: dict[str, Any]
    levers: tuple[Factor, ...]
    source: str
    text: str
    quick: bool = False
    uncertainty: Uncertainty | None = None

    @cached_property
    def base(self) -> Config:
        """The scenario with the fixed overrides, before any lever moves."""
        return load_scenario(self.scenario, {**self.fixed, "months": self.target_month})

    def overrides(self, levers: dict[str, Any]) -> dict[str, Any]:
        """The dotted-key overrides of one candidate: fixed values, the horizon, the levers, and
        the funding shares that are not levers rebalanced to what the lever shares leave."""
        return rebalance({**self.fixed, "months": self.target_month, **levers}, self.base)

    def config(self, levers: dict[str, Any]) -> Config:
        return load_scenario(self.scenario, self.overrides(levers))

    def cost(self, config: Config, spent: float, coalition: float) -> float:
        """Euros of one run: the budget spent, the coalition's members, the programme's months."""
        p = config.programme
        months = max(0, min(p.start_month + p.duration, config.months) - p.start_month)
        months = months if p.enabled else 0
        return spent + self.per_member * coalition + self.per_month * months

    def shrunk(self) -> Design:
        """The ``--quick`` version: fewer candidates, replications and SMEs, for smoke tests."""
        count = self.config({}).sme.count
        return replace(
            self,
            fixed={**self.fixed, "sme.count": min(count, QUICK["sme.count"])},
            levers=tuple(f for f in self.levers if f.key != "sme.count"),
            candidates=min(self.candidates, QUICK["candidates"]),
            batch=min(self.batch, QUICK["batch"]),
            replications=min(self.replications, QUICK["replications"]),
            reevaluation=min(self.reevaluation, QUICK["reevaluation"]),
            quick=True,
            uncertainty=self.uncertainty.shrunk() if self.uncertainty else None,
        )


def rebalance(values: dict[str, Any], base: Config) -> dict[str, Any]:
    """Where ``values`` set one or two funding shares, give the others what is left, in the
    proportions ``base`` gives them, so that the three still sum to 1."""
    moved = [k for k in SHARES if k in values]
    if not moved or len(moved) == len(SHARES):
        return values
    rest = [k for k in SHARES if k not in moved]
    weights = [base.get(k) for k in rest]
    left = 1.0 - sum(values[k] for k in moved)
    values = dict(values)
    for key, weight in zip(rest, weights, strict=True):
        values[key] = left * (weight / sum(weights) if sum(weights) else 1 / len(rest))
    return values


def load_design(path: str | Path) -> Design:
    """Read and check a design file."""
    return parse_design(*read_file(path, "design"))


def _check_shares(source: str, levers: tuple[Factor, ...], fixed: dict[str, Any]) -> None:
    """Funding shares as levers leave at least one share to take the rest, and never exceed 1."""
    moved = [lever for lever in levers if lever.key in SHARES]
    if not moved:
        return
    where = f"levers.{moved[-1].key}"
    if len(moved) == len(SHARES):
        raise ConfigError(
            source,
            where,
            None,
            problem="all three funding shares are levers",
            allowed="at most two; the third takes what they leave",
        )
    most = sum(lever.high if lever.is_range else max(lever.values) for lever in moved)
    if most > 1:
        raise ConfigError(
            source,
            where,
            None,
            problem=f"the lever shares can sum to {most:g}",
            allowed="ranges whose maxima sum to at most 1",
        )


def _check_pinned_shares(source: str, levers: list[str], fixed: dict[str, Any]) -> None:
    pinned = [k for k in SHARES if k in fixed]
    if pinned and any(k in SHARES for k in levers):
        raise ConfigError(
            source,
            f"set.{pinned[0]}",
            fixed[pinned[0]],
            problem="a fixed funding share beside funding shares as levers",
            allowed="the shares that are not levers follow from the lever shares; drop it",
        )


def stored_design(manifest: dict[str, Any]) -> Design:
    """The design a results folder's manifest ran, in the worlds it ran in (see
    :func:`~sectorsim.experiments.spec.stored_experiment`)."""
    design = parse_design(
        manifest["text"],
        Path(manifest.get("file_resolved", manifest["file"])),
        worlds=manifest.get("worlds"),
    )
    return design.shrunk() if manifest.get("quick") else design


def parse_design(text: str, path: Path, worlds: list[dict[str, Any]] | None = None) -> Design:
    """Check the text of a design file; ``path`` names it and anchors a relative scenario;
    ``worlds`` (a results folder's) stand in for drawing the ``[uncertainty]`` table's worlds."""
    source = str(path)
    raw = read_tables(text, source, TABLES, ("design", "target", "levers"))

    head = parse_table(DesignTable, raw["design"], source, "design")
    scenario = resolve_scenario(head.scenario, path, "design.scenario")
    target = parse_table(TargetTable, raw["target"], source, "target")
    cost = parse_table(CostTable, raw.get("cost", {}), source, "cost")

    fixed = fixed_overrides(raw, scenario, source, target.month)
    items = factor_items(raw["levers"], source, "levers")
    _check_pinned_shares(source, [k for k, _ in items], fixed)
    base = load_scenario(scenario, {**fixed, "months": target.month})
    context = {
        "scenario": scenario,
        "fixed": {**fixed, "months": target.month},
        "complete": lambda values: rebalance(values, base),
    }
    levers = tuple(parse_factor(k, v, source, context, "levers") for k, v in items)
    if not levers:
        raise ConfigError(source, "levers", None, problem="no levers", allowed="at least one lever")
    for lever in levers:
        if lever.key in fixed or lever.key == "months":
            raise ConfigError(
                source,
                f"levers.{lever.key}",
                None,
                problem="is also fixed (in [set] or by target.month)",
                allowed="a key either in [set] or in [levers]",
            )
    _check_shares(source, levers, fixed)
    return Design(
        name=head.name,
        scenario=scenario,
        seed=head.seed,
        replications=head.replications,
        candidates=head.candidates,
        batch=head.batch,
        reevaluation=head.reevaluation,
        sampler=head.sampler,
        target_month=target.month,
        probabilities=tuple(sorted(target.probabilities)),
        per_member=cost.per_member,
        per_month=cost.per_month,
        fixed=fixed,
        levers=levers,
        source=source,
        text=text,
        uncertainty=parse_uncertainty(
            raw["uncertainty"],
            source,
            path,
            scenario,
            {**fixed, "months": target.month},
            {lever.key for lever in levers},
            worlds,
        )
        if "uncertainty" in raw
        else None,
    )
