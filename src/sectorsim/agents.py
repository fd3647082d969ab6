"""Mesa agents. ``SME`` is a view on the model's state columns: its attributes read and write
the arrays at its index, so the vectorised monthly update and per-agent inspection agree. The few
large firms, NGOs and the sector team hold their own state and decide per agent, calling the
pure functions of :mod:`sectorsim.mechanisms`.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sectorsim.mechanisms import chain, coalition, funding
from sectorsim.mechanisms.funding import Budget
from sectorsim.params import Config
from sectorsim.state import SizeClass, Stage

if TYPE_CHECKING:
    from sectorsim.model import SectorModel


def _column(name: str, cast=float, doc: str = "") -> property:
    def getter(self: SME):
        return cast(getattr(self.model.state, name)[self.index])

    def setter(self: SME, value) -> None:
        getattr(self.model.state, name)[self.index] = value

    return property(getter, setter, doc=doc)


class SME(mesa.Agent):
    """An SME (mkb-bedrijf): a view on row ``index`` of the model's :class:`~sectorsim.state.SMEState`."""

    model: SectorModel

    def __init__(self, model: SectorModel, index: int):
        super().__init__(model)
        self.index = index

    stage = property(
        lambda self: Stage(int(self.model.state.stage[self.index])),
        lambda self, value: self.model.state.stage.__setitem__(self.index, int(value)),
        doc="Adoption stage (Stage enum).",
    )
    size_class = property(lambda self: SizeClass(int(self.model.state.size_class[self.index])))
    motivation = _column("motivation", doc="Intrinsic motivation in [0, 1].")
    openness = _column("openness", doc="Openness to cooperation in [0, 1].")
    leadership = _column("leadership", doc="Leadership in [0, 1].")
    resources = _column("resources", doc="EUR per year available for MVO.")
    segment = _column("segment", int, doc="Chain segment.")
    market_share = _column("market_share", doc="Share of its segment's SME market.")
    threshold = _column("threshold", doc="Imitation threshold.")
    koploper = _column("koploper", bool, doc="Frontrunner with a podium.")
    coalition_member = _column("coalition_member", bool)

    @property
    def in_project(self) -> bool:
        """Whether it takes part in a change project."""
        return bool(self.model.state.project_of[self.index] >= 0)

    @property
    def neighbours(self) -> list[SME]:
        """The SME agents tied to this one in the sector network."""
        net = self.model.network
        if net.complete:
            return [a for a in self.model.smes if a.index != self.index]
        adj = net.adjacency
        idx = adj.indices[adj.indptr[self.index] : adj.indptr[self.index + 1]]
        return [self.model.smes[int(i)] for i in idx]

    def __repr__(self) -> str:
        return f"SME({self.index}, stage={self.stage.name})"


class ProgrammePhase(IntEnum):
    """Phases of the sector transition approach (DRIFT2015 §3); III and IV run in parallel."""

    NONE = 0
    PREPARATION = 1
    AGENDA = 2
    EXECUTION = 3
    BROADENING = 4  # execution and broadening together
    WITHDRAWN = 5


PROGRAMME_LABELS = {
    ProgrammePhase.NONE: "no programme",
    ProgrammePhase.PREPARATION: "I preparation",
    ProgrammePhase.AGENDA: "II agenda setting",
    ProgrammePhase.EXECUTION: "III execution",
    ProgrammePhase.BROADENING: "III+IV execution and broadening",
    ProgrammePhase.WITHDRAWN: "team withdrawn",
}


def programme_phase(t: int, config: Config) -> ProgrammePhase:
    """The programme phase in month ``t`` (0 = the first simulated month)."""
    p = config.programme
    if not p.enabled:
        return ProgrammePhase.NONE
    rel = t - p.start_month
    execution_from = p.preparation_months + p.agenda_months
    if rel < 0:
        return ProgrammePhase.NONE
    if rel >= p.duration:
        return ProgrammePhase.WITHDRAWN
    if rel < p.preparation_months:
        return ProgrammePhase.PREPARATION
    if rel < execution_from:
        return ProgrammePhase.AGENDA
    if rel >= max(config.broadening.start_month, execution_from) and config.mechanisms.broadening:
        return ProgrammePhase.BROADENING
    return ProgrammePhase.EXECUTION


class LargeFirm(mesa.Agent):
    """A large firm (grootbedrijf): buyer of SMEs in its chain segment (M9)."""

    model: SectorModel

    def __init__(
        self, model: SectorModel, index: int, segment: int, market_share: float, motivation: float
    ):
        super().__init__(model)
        self.index, self.segment = index, segment
        self.market_share, self.motivation = market_share, motivation
        self.adopted = False
        self.requires_suppliers = False
        self.coalition_member = False

    def step(self) -> None:
        """Decide on own IMVO policy, then on requirements for suppliers."""
        m, cfg = self.model, self.model.config
        if not cfg.mechanisms.chain:
            return
        rng = m.streams["large_firms"]
        draw_adopt, draw_require = rng.random(2)
        if not self.adopted:
            drive = chain.large_firm_drive(
                self.motivation,
                m.due_diligence,
                m.public_pressure,
                self.coalition_member,
                cfg.large_firms.due_diligence_drive,
                cfg.large_firms.coalition_drive,
            )
            self.adopted = draw_adopt < cfg.large_firms.adoption_rate * drive
        elif not self.requires_suppliers:
            factor = cfg.chain.due_diligence_factor if m.due_diligence else 1.0
            rate = cfg.chain.requirement_rate * factor
            self.requires_suppliers = draw_require < rate


class NGO(mesa.Agent):
    """An NGO or knowledge body (M10): supports projects, runs campaigns."""

    model: SectorModel

    def __init__(self, model: SectorModel, index: int):
        super().__init__(model)
        self.index = index
        self.coalition_member = False
        self.campaigns = 0

    def step(self) -> None:
        m, cfg = self.model, self.model.config
        if not cfg.mechanisms.ngo:
            return
        if m.streams["ngo"].random() < cfg.ngo.campaign_rate:
            m.public_pressure = min(1.0, m.public_pressure + cfg.ngo.campaign_pressure)
            self.campaigns += 1


class SectorTeam(mesa.Agent):
    """The sector team (e.g. MVO Nederland): runs the programme phases, recruits, broadens, funds."""

    model: SectorModel

    def __init__(self, model: SectorModel, known: np.ndarray, budget: Budget):
        super().__init__(model)
        self.known = known  # bool per SME: the team's personal network
        self.invited = np.zeros(known.size, dtype=bool)
        self.budget = budget
        self.phase = ProgrammePhase.NONE
        self.extra_capacity = 0.0

    @property
    def active(self) -> bool:
        return ProgrammePhase.PREPARATION <= self.phase <= ProgrammePhase.BROADENING

    @property
    def capacity(self) -> float:
        return self.model.config.team.capacity + self.extra_capacity

    def step(self, t: int) -> None:
        cfg = self.model.config
        self.phase = programme_phase(t, cfg)
        self.extra_capacity = 0.0
        if not self.active:
            return
        if self.phase == ProgrammePhase.PREPARATION and cfg.mechanisms.coalition:
            self.model.invite_partners()
            self.recruit_koplopers()
        p = cfg.programme
        if t - p.start_month == p.preparation_months + p.agenda_months and cfg.mechanisms.coalition:
            self.model.adopt_plans()
        if cfg.mechanisms.funding and cfg.mechanisms.coalition:
            self.fund_capacity(t)  # team capacity serves the coalition's relationships
            if self.phase >= ProgrammePhase.EXECUTION:
                self.give_vouchers()
        if (
            self.phase == ProgrammePhase.BROADENING
            and cfg.mechanisms.coalition
            and cfg.broadening.open
        ):
            self.model.broaden(via_team=True)

    def recruit_koplopers(self) -> None:
        """Phase I: invite the best koplopers from the team's network until the start size is met."""
        m, s, cfg = self.model, self.model.state, self.model.config
        shortfall = cfg.coalition.initial_size - int(s.coalition_member.sum())
        candidates = np.flatnonzero(self.known & ~self.invited & ~s.coalition_member)
        if shortfall <= 0 or candidates.size == 0:
            return
        invitees = coalition.recruitment_order(candidates, s.koploper_score())[:shortfall]
        self.invited[invitees] = True
        accept = coalition.acceptance_probability(
            s.motivation[invitees],
            s.resources[invitees],
            cfg.coalition.member_cost,
            cfg.coalition.acceptance,
            cfg.coalition.acceptance_slope,
        )
        joined = invitees[m.streams["recruitment"].random(invitees.size) < accept]
        m.admit(joined, koplopers=True)

    def fund_capacity(self, t: int) -> None:
        cfg = self.model.config
        months_left = cfg.programme.start_month + cfg.programme.duration - t
        extra, spend = funding.extra_capacity(
            self.budget.balance["team"], months_left, cfg.funding.cost_per_relationship
        )
        self.budget.pay("team", spend)
        self.extra_capacity = extra

    def give_vouchers(self) -> None:
        """Orienting SMEs the team reaches may take up a voucher: its network and the members, and
        from broadening on also the SMEs tied to members."""
        m, s, cfg = self.model, self.model.state, self.model.config
        reached = self.known | s.coalition_member
        if self.phase == ProgrammePhase.BROADENING:
            reached = reached | (m.network.neighbour_sum(s.coalition_member.astype(np.float64)) > 0)
        eligible = (s.stage == Stage.ORIENTING) & (s.subsidy == 0) & reached
        rng = m.streams["vouchers"]
        takers = np.flatnonzero(eligible & (rng.random(s.n) < cfg.funding.voucher_rate))
        rng.shuffle(takers)  # who is first in line when the money runs short
        takers = takers[: self.budget.affordable("vouchers", cfg.funding.voucher_value)]
        self.budget.pay("vouchers", takers.size * cfg.funding.voucher_value)
        s.subsidy[takers] = cfg.funding.voucher_value
