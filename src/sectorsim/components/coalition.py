"""The coalition (M3, M4, M6, M7): who is a member (the SMEs' ``coalition_member`` column, the large
firms' and NGOs' ``member``), its cohesion, and what happens to it: newcomers join
(:func:`admit`), members invite the SMEs they are tied to (:func:`broaden`), each month the
agenda is checked for cartel risk, enthusiasm fades, members drop out, and cohesion grows or
decays by programme phase (:func:`step`). The sector team's part (recruitment, plans, broadening
by the team) is in :mod:`.programme`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.compiled import BROADENING as BROADENING_DRAWS
from sectorsim.compiled import CARTEL, DROPOUT, inline_kernel, kernel, skip, uniform, uniform_at
from sectorsim.components import environment, large_firms, neighbourhood, ngos, smes
from sectorsim.components.schedule import AGENDA, BROADENING, EXECUTION, WITHDRAWN, team_active
from sectorsim.mechanisms import broadening, cartel, coalition, cohesion
from sectorsim.outputs import column
from sectorsim.state import Stage

ORIENTING, IMPLEMENTING = int(Stage.ORIENTING), int(Stage.IMPLEMENTING)


class State(NamedTuple):
    cohesion: np.ndarray  # float[1], in [0, 1]
    acceptance: np.ndarray  # per SME: chance it accepts an invitation to join (M3)


def init(config, s: smes.State) -> State:
    c = config.coalition
    cohesion_ = 0.0 if config.mechanisms.cohesion else config.cohesion.neutral
    accept = acceptance(s.motivation, s.resources, c.member_cost, c.acceptance, c.acceptance_slope)
    return State(np.array([cohesion_]), accept)


@kernel
def acceptance(motivation, resources, member_cost, acceptance_, slope) -> np.ndarray:
    """Each SME's chance to accept an invitation (its traits do not change during a run)."""
    accept = np.empty(motivation.size)
    for i in range(motivation.size):
        accept[i] = coalition.acceptance_probability(
            motivation[i], resources[i], member_cost, acceptance_, slope
        )
    return accept


@inline_kernel
def admit(
    t: int,
    p,
    s: smes.State,
    nb: neighbourhood.State,
    coal: State,
    joined: np.ndarray,
    koplopers: bool,
) -> None:
    """New members join: at least orienting, fully enthusiastic; they dilute cohesion."""
    if joined.size == 0:
        return
    if p.mechanisms.cohesion:
        coal.cohesion[0] = cohesion.dilute(
            coal.cohesion[0],
            s.coalition_member.sum(),
            joined.size,
            p.cohesion.newcomer_cohesion,
        )
    for i in joined:
        neighbourhood.unmark(nb, s, i)
        s.coalition_member[i] = True
        s.enthusiasm[i] = 1.0
        s.stage[i] = max(s.stage[i], ORIENTING)
        s.last_result[i] = t + 1
        if koplopers:
            s.koploper[i] = True
        neighbourhood.mark(nb, s, i)


@inline_kernel
def broaden(
    t: int,
    p,
    s: smes.State,
    nb: neighbourhood.State,
    coal: State,
    known: np.ndarray,
    via_team: bool,
    u: np.ndarray,
) -> None:
    """M6: SMEs tied to members, or known to the team while it is active, may join. One draw
    per SME, made only for those it can invite (the others' are skipped)."""
    n = s.stage.size
    rate = p.broadening.rate * (1.0 if via_team else coal.cohesion[0])
    size = s.coalition_member.sum()
    joined = np.empty(n, dtype=np.int64)
    count = done = 0
    for i in range(n):
        if s.coalition_member[i]:
            continue
        reach = broadening.reach(
            neighbourhood.tied_to_member(nb, s, i),
            known[i] and via_team,
            True,
            p.broadening.team_reach,
        )
        if reach > 0:
            prob = broadening.join_probability(
                reach,
                coal.acceptance[i],
                rate,
                size,
                p.coalition.target_size,
                p.broadening.beyond_target,
            )
            if prob > 0:
                draw = uniform_at(u, BROADENING_DRAWS, done, i)
                done = i + 1
                if draw < prob:
                    joined[count] = i
                    count += 1
    skip(u, BROADENING_DRAWS, n - done)
    admit(t, p, s, nb, coal, joined[:count], False)


@inline_kernel
def scare(p, s: smes.State, coal: State, env: environment.State) -> None:
    """A cartel flag: cohesion takes a hit, the chill rises, members lose enthusiasm (M7)."""
    if p.mechanisms.cohesion:
        coal.cohesion[0] *= 1.0 - p.cartel.cohesion_hit
    env.chill[0] = max(env.chill[0], p.cartel.chill)
    for i in range(s.stage.size):
        if s.coalition_member[i]:
            s.enthusiasm[i] = max(0.0, s.enthusiasm[i] - p.coalition.enthusiasm_setback)


@inline_kernel
def check_agenda(
    p, s: smes.State, coal: State, env: environment.State, firms: large_firms.State, u
) -> None:
    """The coalition's agenda as a horizontal exchange: SME members among themselves, large
    firms among themselves, per segment (M7)."""
    members = np.flatnonzero(s.coalition_member)
    partners = np.flatnonzero(firms.member)
    k, m = members.size, partners.size
    segment = np.empty(k + m, dtype=np.int64)
    share = np.empty(k + m)
    level = np.empty(k + m, dtype=np.int64)
    segment[:k], share[:k], level[:k] = s.segment[members], s.market_share[members], cartel.SME
    segment[k:], share[k:] = firms.segment[partners], firms.market_share[partners]
    level[k:] = cartel.LARGE
    combined = cartel.competitor_share(level, segment, share, level, 2, p.sme.segments)
    hazard = max(
        cartel.flag_hazard(combined[0], p.cartel), cartel.flag_hazard(combined[1], p.cartel)
    )
    if uniform(u, CARTEL) < hazard:
        scare(p, s, coal, env)


@kernel
def diversity(p, s: smes.State, firms: large_firms.State, orgs: ngos.State) -> float:
    return cohesion.diversity(
        s.segment[s.coalition_member], p.sme.segments, firms.member.sum(), orgs.member.sum()
    )


@kernel
def groupthink(p, s: smes.State, coal: State, firms: large_firms.State, orgs: ngos.State) -> float:
    if not p.mechanisms.cohesion:
        return 0.0
    return cohesion.groupthink(coal.cohesion[0], diversity(p, s, firms, orgs))


@kernel
def sharing(p, env: environment.State, firms: large_firms.State) -> float:
    if not p.mechanisms.cartel:
        return 1.0
    c = p.cartel
    return cartel.sharing(env.chill[0], firms.member.sum(), c.precompetitive, c.fear_large_firms)


@inline_kernel
def step(
    t: int,
    p,
    s: smes.State,
    nb: neighbourhood.State,
    coal: State,
    phase: int,
    capacity: float,
    broadened: bool,
    known: np.ndarray,
    adoption_last_month: float,
    u: np.ndarray,
) -> None:
    """Maintenance: enthusiasm fades without attention or results, members drop out; after the
    team withdraws, members keep inviting (at cohesion's rate); cohesion by phase (M3, M4, M6)."""
    n = s.stage.size
    size = s.coalition_member.sum()
    if team_active(phase):
        attention = coalition.attention(size, capacity)
    else:
        attention = coal.cohesion[0] * p.coalition.self_organisation
    done = 0  # one dropout draw per SME, made only for members outside projects
    for i in range(n):
        if not s.coalition_member[i]:
            continue
        idle = (t + 1 - s.last_result[i]) >= p.coalition.idle_months
        s.enthusiasm[i] = coalition.fade_enthusiasm(
            s.enthusiasm[i], attention, idle, p.coalition.enthusiasm_decay
        )
        if s.project_of[i] >= 0:
            continue
        draw = uniform_at(u, DROPOUT, done, i)
        done = i + 1
        if draw < coalition.dropout_probability(s.enthusiasm[i], p.coalition.dropout_rate):
            neighbourhood.unmark(nb, s, i)
            s.coalition_member[i] = False
            if s.stage[i] < IMPLEMENTING:
                s.koploper[i] = False  # left without a plan
            neighbourhood.mark(nb, s, i)
    skip(u, DROPOUT, n - done)
    if phase == WITHDRAWN and broadened and p.broadening.open and p.mechanisms.broadening:
        broaden(t, p, s, nb, coal, known, False, u)
    c = p.cohesion
    if not p.mechanisms.cohesion:
        coal.cohesion[0] = c.neutral
    elif phase == AGENDA:
        coal.cohesion[0] = cohesion.build(coal.cohesion[0], c.meeting_rate)
    elif phase in (EXECUTION, BROADENING):
        coal.cohesion[0] = cohesion.build(coal.cohesion[0], c.upkeep_rate)
    elif phase == WITHDRAWN:
        coal.cohesion[0] = cohesion.decay_without_team(
            coal.cohesion[0], adoption_last_month, p.critical_mass_share, c.decay
        )


SIZE, COHESION = column("coalition_size"), column("cohesion")


@inline_kernel
def record(nb: neighbourhood.State, coal: State, row: np.ndarray) -> None:
    row[SIZE] = nb.sector[2].sum()  # members, kept up to date
    row[COHESION] = coal.cohesion[0]
