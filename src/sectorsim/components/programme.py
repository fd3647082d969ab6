"""The sector team and its programme (e.g. MVO Nederland; DRIFT2015 §3, MVOAlliantie-nd): the
phase, the budget by channel (M8), the podium (M2), and the team's work each month: invite the
large firms and NGOs and recruit koplopers (phase I, M3), turn members' plans into practice at the
end of phase II, buy team capacity, give vouchers (M8), and open the coalition (phase IV, M6)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.compiled import (
    PLANS,
    RECRUITMENT,
    VOUCHERS,
    inline_kernel,
    kernel,
    shuffle,
    skip,
    uniform,
    uniform_at,
    uniforms,
)
from sectorsim.components import coalition, large_firms, neighbourhood, ngos, smes
from sectorsim.components.schedule import (
    BROADENING,
    EXECUTION,
    PREPARATION,
    programme_phase,
    team_active,
)
from sectorsim.mechanisms import coalition as membership
from sectorsim.mechanisms import funding, imitation
from sectorsim.outputs import column
from sectorsim.params import Config
from sectorsim.state import Stage

ORIENTING, IMPLEMENTING = int(Stage.ORIENTING), int(Stage.IMPLEMENTING)


class State(NamedTuple):
    phase: np.ndarray  # int[1], ProgrammePhase
    balance: np.ndarray  # float[4]: EUR left per channel (funding.CHANNELS)
    spent: np.ndarray  # float[4]: EUR spent per channel
    known: np.ndarray  # bool per SME: the team's personal network
    invited: np.ndarray  # bool per SME: invited to join in phase I
    extra_capacity: np.ndarray  # float[1]: relationships bought this month
    podium: np.ndarray  # float[1]: share of the podium's extra visibility in force (M2)
    podium_end: np.ndarray  # int[1]: month the podium stopped (-1: not yet)
    broadened: np.ndarray  # bool[1]: the coalition has been opened (phase IV)
    partners_invited: np.ndarray  # bool[1]


@kernel
def podium_months(months: int, duration: int) -> int:
    """How long the podium is planned to run: ``podium.months``, or with -1 the programme's
    ``duration``."""
    return duration if months < 0 else months


def init(config: Config, rng: np.random.Generator) -> State:
    known = rng.random(config.sme.count) < config.team.network_reach
    fund = config.funding
    total = fund.budget if (config.programme.enabled and config.mechanisms.funding) else 0.0
    shares = {"vouchers": fund.share_vouchers, "projects": fund.share_projects}
    shares["team"] = fund.share_team
    pod = config.podium
    balance = funding.split(
        total,
        shares,
        pod.visibility * pod.cost_per_month * podium_months(pod.months, config.programme.duration),
    )
    return State(
        phase=np.zeros(1, dtype=np.int64),
        balance=balance,
        spent=np.zeros(len(funding.CHANNELS)),
        known=known,
        invited=np.zeros(known.size, dtype=np.bool_),
        extra_capacity=np.zeros(1),
        podium=np.zeros(1),
        podium_end=np.full(1, -1, dtype=np.int64),
        broadened=np.zeros(1, dtype=np.bool_),
        partners_invited=np.zeros(1, dtype=np.bool_),
    )


@kernel
def capacity(p, prog: State) -> float:
    """Relationships the team can keep this month."""
    return p.team.capacity + prog.extra_capacity[0]


@inline_kernel
def run_podium(t: int, p, prog: State) -> None:
    """M2's podium: runs ``podium.months`` from the programme's start while the podium channel
    pays for it, then its extra visibility fades with half-life ``podium.fade_months``."""
    pod, start = p.podium, p.programme.start_month
    if pod.visibility == 0 or t < start:
        return
    months = podium_months(pod.months, p.programme.duration)
    if prog.podium_end[0] < 0:
        due = pod.visibility * pod.cost_per_month
        if (
            t >= start + months
            or funding.pay(prog.balance, prog.spent, funding.PODIUM, due) < due - 1e-9
        ):
            prog.podium_end[0] = t
    end = prog.podium_end[0]
    ran = end < 0 or end > start  # paid for at least one month
    prog.podium[0] = imitation.podium_intensity(t, start, end, pod.fade_months) if ran else 0.0


@kernel
def invite_partners(p, firms: large_firms.State, orgs: ngos.State) -> None:
    """Phase I: the most motivated large firms and the first NGOs join the coalition."""
    order = np.argsort(-firms.motivation, kind="mergesort")
    firms.member[order[: p.coalition.large_firms]] = True
    orgs.member[: p.coalition.ngos] = True


@inline_kernel
def recruit_koplopers(
    t: int, p, prog: State, s: smes.State, nb: neighbourhood.State, coal: coalition.State, u
) -> None:
    """Phase I: invite the best koplopers from the team's network until the start size is met."""
    shortfall = p.coalition.initial_size - s.coalition_member.sum()
    candidates = np.flatnonzero(prog.known & ~prog.invited & ~s.coalition_member)
    if shortfall <= 0 or candidates.size == 0:
        return
    invitees = membership.recruitment_order(candidates, smes.koploper_score(s))[:shortfall]
    prog.invited[invitees] = True
    joined = np.zeros(invitees.size, dtype=np.bool_)
    for k in range(invitees.size):
        joined[k] = uniform(u, RECRUITMENT) < coal.acceptance[invitees[k]]
    coalition.admit(t, p, s, nb, coal, invitees[joined], True)


@inline_kernel
def adopt_plans(p, s: smes.State, nb: neighbourhood.State, u: np.ndarray) -> None:
    """The end of the agenda phase, the koploper programme of MVOAlliantie-nd (a baseline
    measurement and an MVO plan): each member below stage 2 and not in a project adopts its
    plan (stage 2) with probability ``coalition.plan_uptake``."""
    draws = uniforms(u, PLANS, s.stage.size)
    for i in range(s.stage.size):
        draw = draws[i]
        eligible = s.coalition_member[i] and s.stage[i] < IMPLEMENTING and s.project_of[i] < 0
        if eligible and draw < p.coalition.plan_uptake:
            neighbourhood.unmark(nb, s, i)
            s.stage[i] = IMPLEMENTING
            neighbourhood.mark(nb, s, i)


@inline_kernel
def fund_capacity(t: int, p, prog: State) -> None:
    months_left = p.programme.start_month + p.programme.duration - t
    extra, spend = funding.extra_capacity(
        prog.balance[funding.TEAM], months_left, p.funding.cost_per_relationship
    )
    funding.pay(prog.balance, prog.spent, funding.TEAM, spend)
    prog.extra_capacity[0] = extra


@inline_kernel
def give_vouchers(p, prog: State, s: smes.State, nb: neighbourhood.State, u: np.ndarray) -> None:
    """Orienting SMEs the team reaches may take up a voucher: its network and the members, and
    from broadening on also the SMEs tied to members. One draw per SME, made only for those
    eligible (the others' are skipped)."""
    n = s.stage.size
    broadening = prog.phase[0] == BROADENING
    takers = np.empty(n, dtype=np.int64)
    count = done = 0
    for i in range(n):
        if s.stage[i] != ORIENTING or s.subsidy[i] != 0:
            continue
        reached = prog.known[i] or s.coalition_member[i]
        if not reached and broadening:
            reached = neighbourhood.tied_to_member(nb, s, i)
        if reached:
            draw = uniform_at(u, VOUCHERS, done, i)
            done = i + 1
            if draw < p.funding.voucher_rate:
                takers[count] = i
                count += 1
    skip(u, VOUCHERS, n - done)
    takers = takers[:count]
    shuffle(u, VOUCHERS, takers)  # who is first in line when the money runs short
    value = p.funding.voucher_value
    takers = takers[: funding.affordable(prog.balance, funding.VOUCHERS, value)]
    funding.pay(prog.balance, prog.spent, funding.VOUCHERS, takers.size * value)
    s.subsidy[takers] = value


@inline_kernel
def step(
    t: int,
    p,
    prog: State,
    s: smes.State,
    nb: neighbourhood.State,
    coal: coalition.State,
    firms: large_firms.State,
    orgs: ngos.State,
    u: np.ndarray,
) -> None:
    """The podium, then the team's work in this month's phase."""
    run_podium(t, p, prog)
    phase = programme_phase(t, p)
    prog.phase[0] = phase
    prog.extra_capacity[0] = 0.0
    if team_active(phase):
        m = p.mechanisms
        if phase == PREPARATION and m.coalition:
            if not prog.partners_invited[0]:
                prog.partners_invited[0] = True
                invite_partners(p, firms, orgs)
            recruit_koplopers(t, p, prog, s, nb, coal, u)
        prog_ = p.programme
        if t - prog_.start_month == prog_.preparation_months + prog_.agenda_months and m.coalition:
            adopt_plans(p, s, nb, u)
        if m.funding and m.coalition:
            fund_capacity(t, p, prog)  # team capacity serves the coalition's relationships
            if phase >= EXECUTION:
                give_vouchers(p, prog, s, nb, u)
        if phase == BROADENING and m.coalition and p.broadening.open:
            coalition.broaden(t, p, s, nb, coal, prog.known, True, u)
    if phase == BROADENING:
        prog.broadened[0] = True


SPENT = column("budget_spent")
SPENT_BY_CHANNEL = np.array([column(f"budget_spent_{c}") for c in funding.CHANNELS])
PODIUM = column("podium")


@inline_kernel
def record(prog: State, row: np.ndarray) -> None:
    row[SPENT] = prog.spent.sum()
    for c in range(SPENT_BY_CHANNEL.size):
        row[SPENT_BY_CHANNEL[c]] = prog.spent[c]
    row[PODIUM] = prog.podium[0]
