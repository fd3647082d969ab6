"""The month as an ordered plan of components (ODD §3), compiled: :func:`advance` runs months
``t0`` to ``t1`` and records each one's outputs; the switches decide what is in the plan."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.compiled import inline_kernel, kernel
from sectorsim.components import (
    coalition,
    environment,
    large_firms,
    neighbourhood,
    ngos,
    programme,
    projects,
    smes,
)
from sectorsim.outputs import column
from sectorsim.params import Config
from sectorsim.randomness import RandomStreams
from sectorsim.ties import Ties

ADOPTION = column("adoption_share")


class Plan(NamedTuple):
    """Which components step: under the full rule the environment and the SMEs always, the others
    by their switches; under a textbook rule the SMEs alone."""

    full: bool  # the full rule; a textbook rule steps the SMEs alone
    programme: bool  # programme.enabled
    ngos: bool  # mechanisms.ngo
    large_firms: bool  # mechanisms.chain
    projects: bool  # mechanisms.projects
    agenda_check: bool  # mechanisms.cartel
    coalition: bool  # mechanisms.coalition

    @classmethod
    def of(cls, config: Config) -> Plan:
        m = config.mechanisms
        full = config.adoption.rule == "full"
        return cls(
            full,
            full and config.programme.enabled,
            full and m.ngo,
            full and m.chain,
            full and m.projects,
            full and m.cartel,
            full and m.coalition,
        )

    def names(self) -> tuple[str, ...]:
        """The components in the plan, in order."""
        if not self.full:
            return ("smes",)
        steps = [("environment", True), ("programme", self.programme), ("ngos", self.ngos)]
        steps += [("large_firms", self.large_firms), ("projects", self.projects)]
        steps += [("coalition", self.agenda_check or self.coalition), ("smes", True)]
        return tuple(name for name, on in steps if on)


class Sector(NamedTuple):
    """The state of every component."""

    smes: smes.State
    neighbourhood: neighbourhood.State  # what each SME sees of its ties, and the ties
    large_firms: large_firms.State
    ngos: ngos.State
    environment: environment.State
    programme: programme.State
    coalition: coalition.State
    projects: projects.State


def build(config: Config, streams: RandomStreams, ties: Ties) -> Sector:
    """Each component's initial state, drawn from its own streams."""
    firms = large_firms.init(config, streams["large_firms"])
    prog = programme.init(config, streams["team"])
    sme_state = smes.init(config, streams["population"], streams["seeding"])
    nb = neighbourhood.init(config.sme.count, ties, config.sme.segments)
    neighbourhood.count(nb, sme_state)  # the record of month 0 reads the sector's counts
    return Sector(
        smes=sme_state,
        neighbourhood=nb,
        large_firms=firms,
        ngos=ngos.init(config.ngo.count),
        environment=environment.init(),
        programme=prog,
        coalition=coalition.init(config, sme_state),
        projects=projects.init(config, prog.balance),
    )


@inline_kernel
def step(t: int, p, plan: Plan, x: Sector, streams, adoption_last_month: float) -> None:
    """Month ``t`` (from 0), component by component."""
    nb = x.neighbourhood
    if not plan.full:
        smes.step_textbook(p, x.smes, nb, streams.uniform)
        return
    prog = x.programme
    environment.step(t, p, x.environment)
    if plan.programme:
        programme.step(t, p, prog, x.smes, nb, x.coalition, x.large_firms, x.ngos, streams.uniform)
    if plan.ngos:
        ngos.step(p, x.ngos, x.environment, streams.uniform)
    if plan.large_firms:
        large_firms.step(p, x.large_firms, x.environment, streams.uniform)
    if plan.projects:
        projects.step(
            t, p, x.projects, prog, x.smes, nb, x.coalition, x.environment, x.large_firms,
            x.ngos, streams,
        )  # fmt: skip
    if plan.agenda_check:
        coalition.check_agenda(
            p, x.smes, x.coalition, x.environment, x.large_firms, streams.uniform
        )
    if plan.coalition:
        coalition.step(
            t,
            p,
            x.smes,
            nb,
            x.coalition,
            prog.phase[0],
            programme.capacity(p, prog),
            prog.broadened[0],
            prog.known,
            adoption_last_month,
            streams.uniform,
        )
    smes.step(
        p,
        x.smes,
        nb,
        x.environment.knowledge_stock[0],
        prog.broadened[0],
        prog.podium[0],
        x.environment,
        x.large_firms,
        x.ngos,
        streams.uniform,
    )


@inline_kernel
def record(p, x: Sector, row: np.ndarray) -> int:
    """Write every component's outputs for the month just ended; return the programme phase."""
    smes.record(p, x.smes, x.neighbourhood, row)
    environment.record(x.environment, row)
    large_firms.record(x.large_firms, row)
    coalition.record(x.neighbourhood, x.coalition, row)
    projects.record(x.projects, row)
    programme.record(x.programme, row)
    return x.programme.phase[0]


@kernel
def advance(
    t0: int, t1: int, p, plan: Plan, x: Sector, streams, out: np.ndarray, phases: np.ndarray
) -> None:
    """Months ``t0`` to ``t1 - 1``; row ``t + 1`` of ``out`` holds the state after month ``t``."""
    neighbourhood.count(x.neighbourhood, x.smes)  # also sees changes made from outside
    for t in range(t0, t1):
        step(t, p, plan, x, streams, out[t, ADOPTION])
        phases[t + 1] = record(p, x, out[t + 1])
