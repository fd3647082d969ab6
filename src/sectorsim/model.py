"""SectorModel: the Mesa model of a sector of SMEs moving toward responsible business conduct.

One ``step()`` is one month, in the order of ODD §3:

1. environment: the due-diligence obligation, scandal shocks, decay of public pressure, of K
   and of the chill; the podium is paid for, stops or fades (M2);
2. the sector team acts by programme phase (recruits, broadens, funds);
3. NGOs campaign; 4. large firms decide on IMVO policy and supplier requirements;
5. change projects progress, finish and are checked for cartel risk; new ones start while grants
   last; the coalition's agenda is checked for cartel risk; enthusiasm, dropout and cohesion;
6. SMEs: NGO advice (M10), imitation (M2), adoption (M1) and relapse (M11), vectorised over all
   SMEs at once and synchronous (all probabilities from the state at the start of the month);
7. the monthly outputs are recorded.

With ``adoption.rule = "bass"`` or ``"threshold"`` steps 1-5 are skipped and step 6 is the
textbook rule.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from sectorsim import __version__
from sectorsim.agents import (
    NGO,
    PROGRAMME_LABELS,
    SME,
    LargeFirm,
    ProgrammePhase,
    SectorTeam,
)
from sectorsim.config import check_consistency, config_hash
from sectorsim.mechanisms import (
    adoption,
    broadening,
    cartel,
    chain,
    coalition,
    cohesion,
    imitation,
    ngo,
    projects,
    relapse,
)
from sectorsim.mechanisms.funding import CHANNELS, Budget
from sectorsim.mesa_api import MonthlyDataCollector, model_config
from sectorsim.network import build_network
from sectorsim.outputs import (
    MONTHLY_OUTPUTS,
    PHASE_LABELS,
    PhaseTracker,
    classify_outcome,
    critical_mass,
    phase_starts,
)
from sectorsim.params import Config
from sectorsim.randomness import RandomStreams, as_seed, fresh_seed
from sectorsim.state import Stage, initial_state, large_firm_segments

ADOPTER_STAGE = int(Stage.IMPLEMENTING)  # where the textbook rules put an adopter


class SectorModel(mesa.Model):
    """A sector of SMEs on a network; ``step()`` = one month.

    ``SectorModel(config, seed=...)``, or with the parameters as keywords (``__`` for the dots of
    a dotted key) over a preset or the defaults, as ``mesa.batch_run`` passes them:
    ``SectorModel(scenario="imvo_samen_veranderen", seed=1, coalition__initial_size=30)``.
    ``datacollector`` holds the monthly outputs (see :mod:`sectorsim.mesa_api`).
    """

    def __init__(
        self,
        config: Config | None = None,
        seed: int | None = None,
        *,
        scenario: str | None = None,
        **kwargs: Any,
    ):
        config = model_config(config, scenario, kwargs)
        check_consistency(config)
        seed = fresh_seed() if seed is None else as_seed(seed)
        super().__init__(seed=seed)
        self.config = config
        self.seed = seed
        self.streams = RandomStreams(seed)
        n = config.sme.count

        net = config.network
        self.network = build_network(
            net.kind, n, net.mean_degree, net.rewiring, self.streams["network"]
        )
        self.state = initial_state(config, self.streams["population"])
        self._seed_adopters()
        self.smes = SME.create_agents(self, n, index=list(range(n)))
        self._create_programme_agents()

        self.knowledge_stock = 0.0
        self.cohesion = 0.0 if config.mechanisms.cohesion else config.cohesion.neutral
        self.chill = 0.0
        self.public_pressure = 0.0
        self.due_diligence = False
        self.podium = 0.0  # share of the podium's extra visibility in force (M2)
        self.podium_end: int | None = None  # month the podium stopped (None: not yet)
        self.broadened = False
        self.partners_invited = False
        self.projects = projects.ProjectBook()

        self._values = np.zeros((config.months + 1, len(MONTHLY_OUTPUTS)))
        self._phases = np.zeros(config.months + 1, dtype=np.int8)
        self._programme = np.zeros(config.months + 1, dtype=np.int8)
        self._tracker = PhaseTracker(config.phases, config.critical_mass_share)
        self._record()
        self.datacollector = MonthlyDataCollector(self)

    # ---- set-up ----------------------------------------------------------------------------
    def _seed_adopters(self) -> None:
        """Initial adopters: drawn by koploper score (full rule) or uniformly (textbook rules)."""
        cfg, s = self.config.adoption, self.state
        if cfg.initial_adopters == 0:
            return
        weights = None
        if cfg.rule == "full":
            score = s.koploper_score()
            weights = score / score.sum()
        chosen = self.streams["seeding"].choice(
            s.n, size=cfg.initial_adopters, replace=False, p=weights
        )
        s.stage[chosen] = ADOPTER_STAGE
        if cfg.rule == "full":
            s.koploper[chosen] = True

    def _create_programme_agents(self) -> None:
        cfg, rng = self.config, self.streams["large_firms"]
        lf = cfg.large_firms
        segments = large_firm_segments(cfg)
        per_segment = np.bincount(segments, minlength=cfg.sme.segments)
        kappa = lf.motivation_concentration
        motivation = rng.beta(
            lf.motivation_mean * kappa, (1.0 - lf.motivation_mean) * kappa, size=lf.count
        )
        self.large_firms = [
            LargeFirm(self, i, int(g), lf.market_share / per_segment[g], float(motivation[i]))
            for i, g in enumerate(segments)
        ]
        self.ngos = [NGO(self, i) for i in range(cfg.ngo.count)]
        known = self.streams["team"].random(cfg.sme.count) < cfg.team.network_reach
        total = cfg.funding.budget if (cfg.programme.enabled and cfg.mechanisms.funding) else 0.0
        shares = {
            "vouchers": cfg.funding.share_vouchers,
            "projects": cfg.funding.share_projects,
            "team": cfg.funding.share_team,
        }
        pod = cfg.podium
        podium_cost = pod.visibility * pod.cost_per_month * self.podium_months
        self.team = SectorTeam(self, known, Budget.split(total, shares, podium_cost))

    @property
    def podium_months(self) -> int:
        """How long the podium is planned to run (``podium.months``; -1: the programme's length)."""
        months = self.config.podium.months
        return self.config.programme.duration if months < 0 else months

    @property
    def month(self) -> int:
        return self.steps

    # ---- one month -------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month (see the module docstring for the order)."""
        t = self.steps - 1  # month being simulated, from 0 (mesa has already counted this step)
        if t >= self.config.months:
            raise RuntimeError(f"the run has reached its horizon of {self.config.months} months")
        if self.config.adoption.rule == "full":
            self._environment(t)
            self._podium(t)
            self.team.step(t)
            self.broadened |= self.team.phase == ProgrammePhase.BROADENING
            for organisation in self.ngos:
                organisation.step()
            for firm in self.large_firms:
                firm.step()
            self._projects(t)
            if self.config.mechanisms.cartel:
                self._coalition_cartel_check()
            self._coalition(t)
            self._sme_step_full()
        else:
            self._sme_step_textbook(self.config.adoption.rule)
        self._record()
        if self.steps >= self.config.months:
            self.running = False

    def _environment(self, t: int) -> None:
        cfg = self.config
        self.due_diligence = (
            cfg.mechanisms.regulation and 0 <= cfg.regulation.due_diligence_month <= t
        )
        self.public_pressure = ngo.decay_pressure(self.public_pressure, cfg.shock.half_life)
        if cfg.mechanisms.shocks and t == cfg.shock.month:
            self.public_pressure = min(1.0, self.public_pressure + cfg.shock.size)
        self.knowledge_stock *= 1.0 - cfg.projects.knowledge_decay
        self.chill *= 1.0 - cfg.cartel.chill_recovery

    def _podium(self, t: int) -> None:
        """M2's podium: runs ``podium.months`` from the programme's start while the podium channel
        pays for it, then its extra visibility fades with half-life ``podium.fade_months``."""
        cfg, pod = self.config, self.config.podium
        start = cfg.programme.start_month
        if not cfg.programme.enabled or pod.visibility == 0 or t < start:
            return
        if self.podium_end is None:
            due = pod.visibility * pod.cost_per_month
            if t >= start + self.podium_months or self.team.budget.pay("podium", due) < due - 1e-9:
                self.podium_end = t
        ran = self.podium_end is None or self.podium_end > start  # paid for at least one month
        self.podium = (
            imitation.podium_intensity(t, start, self.podium_end, pod.fade_months) if ran else 0.0
        )

    # ---- coalition (M3, M4, M6) -------------------------------------------------------------
    @property
    def coalition_large_firms(self) -> list[LargeFirm]:
        return [firm for firm in self.large_firms if firm.coalition_member]

    @property
    def coalition_ngos(self) -> int:
        return sum(organisation.coalition_member for organisation in self.ngos)

    def invite_partners(self) -> None:
        """Phase I: the most motivated large firms and the first NGOs join the coalition."""
        if self.partners_invited:
            return
        self.partners_invited = True
        by_motivation = sorted(self.large_firms, key=lambda firm: -firm.motivation)
        for firm in by_motivation[: self.config.coalition.large_firms]:
            firm.coalition_member = True
        for organisation in self.ngos[: self.config.coalition.ngos]:
            organisation.coalition_member = True

    def adopt_plans(self) -> None:
        """The end of the agenda phase, the koploper programme of MVOAlliantie-nd (a baseline
        measurement and an MVO plan): each member below stage 2 and not in a project adopts its
        plan (stage 2) with probability ``coalition.plan_uptake``."""
        s = self.state
        eligible = s.coalition_member & (s.stage < Stage.IMPLEMENTING) & (s.project_of < 0)
        draw = self.streams["plans"].random(s.n)
        s.stage[eligible & (draw < self.config.coalition.plan_uptake)] = Stage.IMPLEMENTING

    def admit(self, joined: np.ndarray, koplopers: bool = False) -> None:
        """New members join: at least orienting, fully enthusiastic; they dilute cohesion."""
        if joined.size == 0:
            return
        s = self.state
        if self.config.mechanisms.cohesion:
            self.cohesion = cohesion.dilute(
                self.cohesion,
                int(s.coalition_member.sum()),
                joined.size,
                self.config.cohesion.newcomer_cohesion,
            )
        s.coalition_member[joined] = True
        s.enthusiasm[joined] = 1.0
        s.stage[joined] = np.maximum(s.stage[joined], Stage.ORIENTING)
        s.last_result[joined] = self.steps
        if koplopers:
            s.koploper[joined] = True

    def broaden(self, via_team: bool) -> None:
        """M6: SMEs tied to members (or known to the team while it is active) may join."""
        cfg, s = self.config, self.state
        tied = self.network.neighbour_sum(s.coalition_member.astype(np.float64)) > 0
        reach = broadening.reach(
            tied, self.team.known & via_team, ~s.coalition_member, cfg.broadening.team_reach
        )
        accept = coalition.acceptance_probability(
            s.motivation,
            s.resources,
            cfg.coalition.member_cost,
            cfg.coalition.acceptance,
            cfg.coalition.acceptance_slope,
        )
        rate = cfg.broadening.rate * (1.0 if via_team else self.cohesion)
        prob = broadening.join_probability(
            reach,
            accept,
            rate,
            int(s.coalition_member.sum()),
            cfg.coalition.target_size,
            cfg.broadening.beyond_target,
        )
        self.admit(np.flatnonzero(self.streams["broadening"].random(s.n) < prob))

    def _coalition(self, t: int) -> None:
        cfg, s = self.config, self.state
        if not cfg.mechanisms.coalition:
            return
        members = s.coalition_member
        size = int(members.sum())
        if self.team.active:
            attention = coalition.attention(size, self.team.capacity)
        else:
            attention = self.cohesion * cfg.coalition.self_organisation
        idle = (self.steps - s.last_result[members]) >= cfg.coalition.idle_months
        s.enthusiasm[members] = coalition.fade_enthusiasm(
            s.enthusiasm[members], attention, idle, cfg.coalition.enthusiasm_decay
        )
        draw = self.streams["dropout"].random(s.n)
        leave = (
            members
            & (s.project_of < 0)
            & (draw < coalition.dropout_probability(s.enthusiasm, cfg.coalition.dropout_rate))
        )
        s.coalition_member[leave] = False
        s.koploper[leave & (s.stage < Stage.IMPLEMENTING)] = False  # left without a plan

        phase = self.team.phase
        if (
            phase == ProgrammePhase.WITHDRAWN
            and self.broadened
            and cfg.broadening.open
            and cfg.mechanisms.broadening
        ):
            self.broaden(via_team=False)
        if not cfg.mechanisms.cohesion:
            self.cohesion = cfg.cohesion.neutral
        elif phase == ProgrammePhase.AGENDA:
            self.cohesion = cohesion.build(self.cohesion, cfg.cohesion.meeting_rate)
        elif phase in (ProgrammePhase.EXECUTION, ProgrammePhase.BROADENING):
            self.cohesion = cohesion.build(self.cohesion, cfg.cohesion.upkeep_rate)
        elif phase == ProgrammePhase.WITHDRAWN:
            adoption_now = self.series("adoption_share")[-2]  # last month's
            self.cohesion = cohesion.decay_without_team(
                self.cohesion, adoption_now, cfg.critical_mass_share, cfg.cohesion.decay
            )

    def diversity(self) -> float:
        s = self.state
        return cohesion.diversity(
            s.segment[s.coalition_member],
            self.config.sme.segments,
            len(self.coalition_large_firms),
            self.coalition_ngos,
        )

    def sharing(self) -> float:
        c = self.config.cartel
        if not self.config.mechanisms.cartel:
            return 1.0
        return cartel.sharing(
            self.chill, len(self.coalition_large_firms), c.precompetitive, c.fear_large_firms
        )

    # ---- change projects (M5) and cartel risk (M7) -----------------------------------------
    def _projects(self, t: int) -> None:
        if not self.config.mechanisms.projects:
            return
        self._finish_projects(t)
        if self.config.mechanisms.cartel:
            self._project_cartel_checks()
        if self.team.phase >= ProgrammePhase.EXECUTION and self.config.mechanisms.coalition:
            self._start_projects(t)

    def _finish_projects(self, t: int) -> None:
        cfg, s, book = self.config, self.state, self.projects
        active = book.active()
        ended = active[book.end[active] <= t]
        if ended.size == 0:
            return
        success = self.streams["projects"].random(ended.size) < book.success_probability[ended]
        book.status[ended] = np.where(success, projects.SUCCEEDED, projects.FAILED)
        retained = (1.0 - cfg.cohesion.groupthink * self._groupthink()) * self.sharing()
        self.knowledge_stock += projects.learning(
            book.radicalness[ended],
            success,
            cfg.projects.knowledge_gain,
            cfg.projects.failure_learning,
            retained,
        )
        for pid in ended[success]:
            if book.large_firm[pid] >= 0:
                self.large_firms[book.large_firm[pid]].adopted = True
        outcome = np.zeros(book.count, dtype=np.int8)
        outcome[ended] = np.where(success, 1, -1)
        participants = np.flatnonzero(s.project_of >= 0)
        result = outcome[s.project_of[participants]]
        won, lost = participants[result == 1], participants[result == -1]
        s.koploper[won] = True
        s.enthusiasm[won] = np.minimum(1.0, s.enthusiasm[won] + cfg.coalition.enthusiasm_success)
        s.enthusiasm[lost] = np.maximum(0.0, s.enthusiasm[lost] - cfg.coalition.enthusiasm_setback)
        self._leave_projects(participants[result == -1])
        s.last_result[won] = self.steps
        s.project_of[won] = -1

    def _leave_projects(self, participants: np.ndarray) -> None:
        """Participants of a failed or halted project return to the stage they had before it."""
        s = self.state
        s.stage[participants] = s.stage_before_project[participants]
        s.last_result[participants] = self.steps
        s.project_of[participants] = -1

    def _groupthink(self) -> float:
        if not self.config.mechanisms.cohesion:
            return 0.0
        return cohesion.groupthink(self.cohesion, self.diversity())

    def _hazard(self, combined: np.ndarray) -> np.ndarray:
        c = self.config.cartel
        return cartel.flag_hazard(
            combined,
            c.safe_harbour_share,
            c.hazard,
            c.green_deal,
            c.green_deal_factor,
            c.precompetitive,
            c.precompetitive_factor,
        )

    def _project_cartel_checks(self) -> None:
        """Each active project: its participants' and large-firm partner's shares per segment."""
        s, book = self.state, self.projects
        active = book.active()
        if active.size == 0:
            return
        inside = np.flatnonzero(s.project_of >= 0)
        firms = [self.large_firms[f] for f in book.large_firm[active] if f >= 0]
        group = np.concatenate([s.project_of[inside], active[book.large_firm[active] >= 0]])
        segment = np.concatenate([s.segment[inside], [f.segment for f in firms]]).astype(int)
        share = np.concatenate([s.market_share[inside], [f.market_share for f in firms]])
        level = np.repeat([cartel.SME, cartel.LARGE], [inside.size, len(firms)])
        combined = cartel.competitor_share(
            group.astype(int), segment, share, level, book.count, self.config.sme.segments
        )
        draws = self.streams["cartel"].random(active.size)
        for pid in active[(draws < self._hazard(combined[active])) & ~book.flagged[active]]:
            self._flag_project(pid)

    def _coalition_cartel_check(self) -> None:
        """The coalition's agenda as a horizontal exchange: SME members among themselves, large
        firms among themselves, per segment (M7)."""
        s = self.state
        members = np.flatnonzero(s.coalition_member)
        firms = self.coalition_large_firms
        segment = np.concatenate([s.segment[members], [f.segment for f in firms]]).astype(int)
        share = np.concatenate([s.market_share[members], [f.market_share for f in firms]])
        level = np.repeat([cartel.SME, cartel.LARGE], [members.size, len(firms)])
        combined = cartel.competitor_share(
            level, segment, share, level, 2, self.config.sme.segments
        )
        if self.streams["cartel"].random() < self._hazard(combined).max():
            self._cartel_scare()

    def _flag_project(self, pid: int) -> None:
        cfg, book = self.config, self.projects
        book.flagged[pid] = True
        self._cartel_scare()
        if self.streams["cartel"].random() < cfg.cartel.halt_share:
            book.status[pid] = projects.HALTED
            self._leave_projects(np.flatnonzero(self.state.project_of == pid))
        else:
            book.end[pid] += cfg.cartel.tender_months
            if self.team.active and cfg.mechanisms.funding:
                self.team.budget.pay("projects", cfg.cartel.tender_cost)

    def _cartel_scare(self) -> None:
        cfg, s = self.config, self.state
        if cfg.mechanisms.cohesion:
            self.cohesion *= 1.0 - cfg.cartel.cohesion_hit
        self.chill = max(self.chill, cfg.cartel.chill)
        members = s.coalition_member
        s.enthusiasm[members] = np.maximum(
            0.0, s.enthusiasm[members] - cfg.coalition.enthusiasm_setback
        )

    def _start_projects(self, t: int) -> None:
        """Free members start projects while the project channel can pay grants (M5): no grant,
        no project. Each participant pays its part of the co-funding, less what a large-firm
        partner pays, and must be able to afford it."""
        cfg, s, book = self.config, self.state, self.projects
        p, lf = cfg.projects, cfg.large_firms
        rng = self.streams["projects"]
        draws = rng.random(s.n)
        if not (self.team.active and cfg.mechanisms.funding):
            return
        budget = self.team.budget
        grant = p.cost * (1.0 - cfg.funding.cofunding_share)
        grants_left = budget.affordable("projects", grant)
        free = s.project_of < 0
        prob = projects.start_probability(p.rate, self.cohesion)
        starters = np.flatnonzero(free & s.coalition_member & (draws < prob))
        if starters.size == 0 or grants_left == 0:
            return
        rng.shuffle(starters)
        taken = np.zeros(s.n, dtype=bool)
        slots = 0
        if cfg.mechanisms.ngo:
            slots = ngo.support_slots(
                cfg.ngo.capacity,
                self.coalition_ngos,
                len(self.ngos) - self.coalition_ngos,
                cfg.ngo.outside_share,
            )
            slots -= int(book.supported[book.active()].sum())
        partners = self.coalition_large_firms
        own_total = p.cost - grant
        for starter in starters:
            if grants_left == 0:
                break
            firm = -1
            if partners and rng.random() < lf.project_partner:
                firm = partners[int(rng.integers(len(partners)))].index
            from_firm = min(own_total, lf.cofunding * p.cost) if firm >= 0 else 0.0
            own_share = (own_total - from_firm) / p.size
            if taken[starter] or s.resources[starter] < own_share:
                continue
            able = ~taken & free & (s.resources >= own_share)
            team = self._project_team(starter, able, p.size, rng)
            grants_left -= 1
            r = rng.beta(
                p.radicalness_mean * p.radicalness_concentration,
                (1 - p.radicalness_mean) * p.radicalness_concentration,
            )
            supported = slots > 0
            slots -= supported
            success_p = projects.success_probability(
                np.array([r]), np.array([supported]), np.array([True]), p
            )[0]
            pid = book.add(
                start=[t],
                end=[t + projects.duration(np.array([r]), p.min_months, p.max_months)[0]],
                radicalness=[r],
                success_probability=[success_p],
                status=[projects.ACTIVE],
                flagged=[False],
                supported=[supported],
                grant=[budget.pay("projects", grant)],
                large_firm=[firm],
                segment=[s.segment[starter]],
            )[0]
            taken[team] = True
            s.project_of[team] = pid
            s.stage_before_project[team] = s.stage[team]
            s.stage[team] = Stage.INNOVATING

    def _project_team(
        self, starter: int, able: np.ndarray, size: int, rng: np.random.Generator
    ) -> np.ndarray:
        """The starter, free members at random, then free non-members tied to the starter (chain
        partners; on the complete network any free non-member)."""
        s = self.state
        able = able.copy()
        able[starter] = False
        members = np.flatnonzero(able & s.coalition_member)
        chosen = rng.choice(members, size=min(size - 1, members.size), replace=False)
        team = np.append(starter, chosen)
        if team.size < size:
            if self.network.complete:
                outside = np.flatnonzero(able & ~s.coalition_member)
            else:
                adj = self.network.adjacency
                ties = adj.indices[adj.indptr[starter] : adj.indptr[starter + 1]]
                outside = ties[able[ties] & ~s.coalition_member[ties]]
            extra = rng.choice(outside, size=min(size - team.size, outside.size), replace=False)
            team = np.append(team, extra)
        return team.astype(np.int64)

    # ---- SMEs (M1, M2, M11) ----------------------------------------------------------------
    def _sme_step_full(self) -> None:
        c, s, n = self.config, self.state, self.state.n
        up_draw = self.streams["adoption"].random(n)
        down_draw = self.streams["relapse"].random(n)

        requires = np.array([f.requires_suppliers for f in self.large_firms], dtype=bool)
        reg = c.regulation
        s.pressure = chain.sme_pressure(
            s.buyer,
            requires,
            s.size_class,
            c.chain.pressure if c.mechanisms.chain else 0.0,
            self.due_diligence,
            reg.pressure,
            self.public_pressure,
            np.array([reg.micro_factor, reg.small_factor, 1.0]),
        )
        supported = s.coalition_member | (s.project_of >= 0)
        knowledge = self.knowledge_stock
        if knowledge > 0:
            carriers = (supported | (s.stage >= Stage.INNOVATING)).astype(np.float64)
            access = broadening.knowledge_access(
                supported,
                self.network.neighbour_sum(carriers),
                c.broadening.open and self.broadened,
                c.broadening.closed_access,
                c.broadening.exposure_ties,
            )
            knowledge = knowledge * access
        cost_factor = self._advise() if c.mechanisms.ngo else 1.0

        social = np.zeros(n)
        if c.mechanisms.imitation:
            ahead = imitation.peers_ahead(
                s.stage,
                s.koploper,
                c.podium.visibility * self.podium,
                self.network,
                s.segment,
                c.sme.segments,
                c.imitation.segment_weight,
                c.podium.max_share,
                self._large_firm_visibility(),
            )
            social = imitation.imitation_signal(ahead, s.threshold, c.imitation.rule)
        linear = c.imitation.rule == "linear"
        utility = adoption.adoption_utility(
            s.stage,
            s.motivation,
            np.zeros(n) if linear else social,
            s.pressure,
            knowledge,
            s.subsidy,
            s.resources,
            c.adoption,
            cost_factor,
        )
        pull = c.imitation.linear_rate * social if linear else 0.0
        up = up_draw < adoption.step_up_probability(utility, s.stage, c.adoption.dwell, pull)

        if c.mechanisms.relapse:
            peers = self.network.neighbour_share(s.stage >= c.adoption.adopted_stage)
            p_down = relapse.relapse_probability(
                s.stage, peers, s.pressure, supported, c.relapse.rate
            )
            down = ~up & (down_draw < p_down)
        else:
            down = np.zeros(n, dtype=bool)

        s.stage[up] += 1
        s.stage[down] = Stage.BUSINESS_AS_USUAL
        s.koploper[down] = False  # a koploper that falls back is no frontrunner any more
        # a voucher is used up on reaching stage 2, and lapses on falling back to stage 0
        s.subsidy[(s.stage >= Stage.IMPLEMENTING) | down] = 0.0

    def _advise(self) -> np.ndarray:
        """M10: NGOs advise orienting SMEs up to their capacity; advice lowers the next cost."""
        cfg, s = self.config.ngo, self.state
        members = self.coalition_ngos
        slots = ngo.support_slots(
            cfg.sme_capacity, members, len(self.ngos) - members, cfg.outside_share
        )
        s.advised = ngo.assign_advice(
            s.advised, s.stage == Stage.ORIENTING, slots, self.streams["advice"]
        )
        return np.where(s.advised, 1.0 - cfg.advice_cost_reduction, 1.0)

    def _large_firm_visibility(self) -> np.ndarray:
        """Per segment, the weight of adopted coalition large firms in SMEs' reference groups."""
        weight = np.zeros(self.config.sme.segments)
        for firm in self.large_firms:
            if firm.coalition_member and firm.adopted:
                weight[firm.segment] += self.config.large_firms.visibility
        return weight

    def _sme_step_textbook(self, rule: str) -> None:
        c, s = self.config.adoption, self.state
        adopted = s.stage >= ADOPTER_STAGE
        share = self.network.neighbour_share(adopted)
        if rule == "bass":
            draw = self.streams["adoption"].random(s.n)
            new = draw < adoption.bass_probability(share, adopted, c.p, c.q)
        else:
            new = adoption.threshold_reached(share, adopted, s.threshold, self.network.degree)
        s.stage[new] = ADOPTER_STAGE

    def run(self) -> SectorModel:
        """Run to the horizon (``months``)."""
        while self.running:
            self.step()
        return self

    # ---- outputs ---------------------------------------------------------------------------
    def _measure(self) -> dict[str, float]:
        s = self.state
        stage_share = np.bincount(s.stage, minlength=4) / s.n
        spent = self.team.budget.spent
        values = {f"stage_share_{k}": stage_share[k] for k in range(4)}
        values.update(
            adoption_share=stage_share[self.config.adoption.adopted_stage :].sum(),
            koploper_count=float(s.koploper.sum()),
            coalition_size=float(s.coalition_member.sum()),
            cohesion=self.cohesion,
            knowledge_stock=self.knowledge_stock,
            budget_spent=self.team.budget.total_spent,
            large_firm_adoption_share=(
                float(np.mean([f.adopted for f in self.large_firms])) if self.large_firms else 0.0
            ),
            mean_pressure=float(s.pressure.mean()),
            public_pressure=self.public_pressure,
            podium=self.podium,
            **{f"budget_spent_{c}": spent[c] for c in CHANNELS},
            **self.projects.tally(),
        )
        return values

    def _record(self) -> None:
        values = self._measure()
        month = self.steps
        self._values[month] = [values[o.name] for o in MONTHLY_OUTPUTS]
        self._phases[month] = self._tracker.update(values["adoption_share"])
        self._programme[month] = self.team.phase

    def timeseries(self) -> pd.DataFrame:
        """One row per month recorded so far: month, the monthly outputs and the phases."""
        upto = self.steps + 1
        frame = pd.DataFrame(self._values[:upto], columns=[o.name for o in MONTHLY_OUTPUTS])
        frame.insert(0, "month", np.arange(upto))
        frame["phase"] = [PHASE_LABELS[p] for p in self._phases[:upto]]
        frame["programme_phase"] = [
            PROGRAMME_LABELS[ProgrammePhase(p)] for p in self._programme[:upto]
        ]
        return frame

    def series(self, name: str) -> np.ndarray:
        """The recorded values of one monthly output so far."""
        column = [o.name for o in MONTHLY_OUTPUTS].index(name)
        return self._values[: self.steps + 1, column]

    def summary(self) -> dict[str, Any]:
        """One record of the run so far (ODD §7)."""
        cfg = self.config
        adoption_share = self.series("adoption_share")
        phases = self._phases[: self.steps + 1]
        cm_month, cm_status = critical_mass(
            adoption_share, cfg.critical_mass_share, cfg.critical_mass_months
        )
        end = cfg.programme.start_month + cfg.programme.duration
        after = cfg.phases.self_carrying_months
        self_carrying = None
        if cfg.programme.enabled and cfg.adoption.rule == "full" and end + after <= self.steps:
            self_carrying = bool(adoption_share[end + after] >= adoption_share[end])
        tally = self.projects.tally()
        return {
            "seed": self.seed,
            "config_hash": config_hash(cfg),
            "version": __version__,
            "months": self.steps,
            "critical_mass_reached": cm_month is not None,
            "critical_mass_month": cm_month,
            "critical_mass_status": cm_status,
            "final_adoption": float(adoption_share[-1]),
            "peak_adoption": float(adoption_share.max()),
            "outcome": classify_outcome(phases, cm_month),
            "self_carrying": self_carrying,
            "peak_coalition_size": int(self.series("coalition_size").max()),
            "final_coalition_size": int(self.state.coalition_member.sum()),
            "projects_succeeded": tally["projects_succeeded"],
            "projects_failed": tally["projects_failed"],
            "projects_flagged": tally["projects_flagged"],
            "knowledge_stock": self.knowledge_stock,
            "large_firm_adoption_share": float(self.series("large_firm_adoption_share")[-1]),
            "total_spend": self.team.budget.total_spent,
            "podium_spend": self.team.budget.spent["podium"],
            "euros_per_extra_adopter": None,
            **phase_starts(phases),
        }
