"""Change projects (veranderprojecten, M5) and their cartel risk (M7): a book of preallocated
columns, one row per project. Each month projects that end succeed or fail and add to K, active
projects are checked for cartel risk, and free members start new ones while grants last (no
grant, no project: the grants the budget pays for bound the rows the book needs)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.compiled import (
    CARTEL,
    PROJECT_STARTS,
    inline_kernel,
    kernel,
    skip,
    uniform,
    uniform_at,
    uniforms,
)
from sectorsim.components import (
    coalition,
    environment,
    large_firms,
    neighbourhood,
    ngos,
    programme,
    smes,
)
from sectorsim.components.schedule import EXECUTION, team_active
from sectorsim.mechanisms import cartel, funding, projects
from sectorsim.mechanisms.projects import ACTIVE, FAILED, HALTED, SUCCEEDED
from sectorsim.outputs import column
from sectorsim.params import Config
from sectorsim.state import Stage
from sectorsim.ties import Ties

INNOVATING = int(Stage.INNOVATING)


class State(NamedTuple):
    count: np.ndarray  # int[1]: projects started so far (rows in use)
    start: np.ndarray  # int per project: month it started
    end: np.ndarray  # int: month it ends
    radicalness: np.ndarray
    success_probability: np.ndarray
    status: np.ndarray  # int8: ACTIVE, SUCCEEDED, FAILED or HALTED
    flagged: np.ndarray  # bool: flagged for cartel risk
    supported: np.ndarray  # bool: supported by an NGO
    grant: np.ndarray  # EUR
    large_firm: np.ndarray  # int: a large-firm partner, -1 if none
    segment: np.ndarray  # int: the starter's chain segment

    def view(self, column: str) -> np.ndarray:
        """A column over the projects started so far."""
        return getattr(self, column)[: self.count[0]]


def init(config: Config, budget: np.ndarray) -> State:
    """Room for every project the project channel can pay a grant for; where projects cost no
    grant (``projects.cost`` 0, or ``funding.cofunding_share`` 1), for one project per SME each
    ``projects.min_months`` (:func:`start` stops the run if that is not enough)."""
    p = config.projects
    grant = p.cost * (1.0 - config.funding.cofunding_share)
    most = config.sme.count * (config.months // max(1, p.min_months) + 1)
    rows = most if grant <= 0 else min(most, int(budget[funding.PROJECTS] / grant + 1e-9) + 1)
    return State(
        np.zeros(1, dtype=np.int64),
        np.zeros(rows, dtype=np.int64),
        np.zeros(rows, dtype=np.int64),
        np.zeros(rows),
        np.zeros(rows),
        np.zeros(rows, dtype=np.int8),
        np.zeros(rows, dtype=np.bool_),
        np.zeros(rows, dtype=np.bool_),
        np.zeros(rows),
        np.full(rows, -1, dtype=np.int64),
        np.zeros(rows, dtype=np.int64),
    )


@kernel
def _leave(t: int, s: smes.State, nb: neighbourhood.State, participants: np.ndarray) -> None:
    """Participants of a failed or halted project return to the stage they had before it."""
    for i in participants:
        neighbourhood.unmark(nb, s, i)
        s.stage[i] = s.stage_before_project[i]
        s.last_result[i] = t + 1
        s.project_of[i] = -1
        neighbourhood.mark(nb, s, i)


@inline_kernel
def finish(
    t: int,
    p,
    book: State,
    s: smes.State,
    nb: neighbourhood.State,
    coal: coalition.State,
    env: environment.State,
    firms: large_firms.State,
    orgs: ngos.State,
    rng: np.random.Generator,
) -> None:
    """Projects that end succeed or fail; they add to K; their participants move on."""
    count = book.count[0]
    ended = np.flatnonzero((book.status[:count] == ACTIVE) & (book.end[:count] <= t))
    if ended.size == 0:
        return
    outcome = np.zeros(count, dtype=np.int8)
    learned = 0.0
    for pid in ended:
        success = rng.random() < book.success_probability[pid]
        book.status[pid] = SUCCEEDED if success else FAILED
        outcome[pid] = 1 if success else -1
        learned += projects.learning(
            book.radicalness[pid], success, p.projects.knowledge_gain, p.projects.failure_learning
        )
    retained = 1.0 - p.cohesion.groupthink * coalition.groupthink(p, s, coal, firms, orgs)
    env.knowledge_stock[0] += learned * (retained * coalition.sharing(p, env, firms))
    for pid in ended:
        if outcome[pid] == 1 and book.large_firm[pid] >= 0:
            firms.adopted[book.large_firm[pid]] = True
    c = p.coalition
    for i in range(s.stage.size):
        if s.project_of[i] < 0:
            continue
        result = outcome[s.project_of[i]]
        if result != 0:
            neighbourhood.unmark(nb, s, i)
        if result == 1:
            s.koploper[i] = True
            s.enthusiasm[i] = min(1.0, s.enthusiasm[i] + c.enthusiasm_success)
            s.last_result[i] = t + 1
            s.project_of[i] = -1
        elif result == -1:
            s.enthusiasm[i] = max(0.0, s.enthusiasm[i] - c.enthusiasm_setback)
            s.stage[i] = s.stage_before_project[i]
            s.last_result[i] = t + 1
            s.project_of[i] = -1
        if result != 0:
            neighbourhood.mark(nb, s, i)


@inline_kernel
def check_cartel_risk(
    t: int,
    p,
    book: State,
    prog: programme.State,
    s: smes.State,
    nb: neighbourhood.State,
    coal: coalition.State,
    env: environment.State,
    firms: large_firms.State,
    u: np.ndarray,
) -> None:
    """Each active project: its participants' and large-firm partner's shares per segment."""
    count = book.count[0]
    active = np.flatnonzero(book.status[:count] == ACTIVE)
    if active.size == 0:
        return
    inside = np.flatnonzero(s.project_of >= 0)
    partnered = active[book.large_firm[active] >= 0]
    k, m = inside.size, partnered.size
    group = np.empty(k + m, dtype=np.int64)
    segment = np.empty(k + m, dtype=np.int64)
    share = np.empty(k + m)
    level = np.empty(k + m, dtype=np.int64)
    group[:k], segment[:k], share[:k] = (
        s.project_of[inside],
        s.segment[inside],
        s.market_share[inside],
    )
    level[:k] = cartel.SME
    partner = book.large_firm[partnered]
    group[k:], segment[k:], share[k:] = (
        partnered,
        firms.segment[partner],
        firms.market_share[partner],
    )
    level[k:] = cartel.LARGE
    combined = cartel.competitor_share(group, segment, share, level, count, p.sme.segments)
    draws = uniforms(u, CARTEL, active.size)
    flag = np.zeros(active.size, dtype=np.bool_)
    for a in range(active.size):
        pid = active[a]
        flag[a] = draws[a] < cartel.flag_hazard(combined[pid], p.cartel) and not book.flagged[pid]
    for pid in active[flag]:
        book.flagged[pid] = True
        coalition.scare(p, s, coal, env)
        if uniform(u, CARTEL) < p.cartel.halt_share:
            book.status[pid] = HALTED
            _leave(t, s, nb, np.flatnonzero(s.project_of == pid))
        else:
            book.end[pid] += p.cartel.tender_months
            if team_active(prog.phase[0]) and p.mechanisms.funding:
                funding.pay(prog.balance, prog.spent, funding.PROJECTS, p.cartel.tender_cost)


@kernel
def _sample(pool: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` distinct elements of ``pool`` at random."""
    drawn = pool.copy()
    rng.shuffle(drawn)
    return drawn[:k]


@kernel
def _team(starter: int, able: np.ndarray, size: int, s: smes.State, ties: Ties, rng) -> np.ndarray:
    """The starter, free members at random, then free non-members tied to the starter (chain
    partners; on the complete network any free non-member)."""
    able = able.copy()
    able[starter] = False
    members = np.flatnonzero(able & s.coalition_member)
    chosen = _sample(members, min(size - 1, members.size), rng)
    team = np.concatenate((np.array([starter]), chosen))
    if team.size < size:
        if ties.complete:
            outside = np.flatnonzero(able & ~s.coalition_member)
        else:
            neighbours = ties.indices[ties.indptr[starter] : ties.indptr[starter + 1]]
            outside = neighbours[able[neighbours] & ~s.coalition_member[neighbours]]
        extra = _sample(outside, min(size - team.size, outside.size), rng)
        team = np.concatenate((team, extra))
    return team


@inline_kernel
def start(
    t: int,
    p,
    book: State,
    prog: programme.State,
    s: smes.State,
    nb: neighbourhood.State,
    coal: coalition.State,
    firms: large_firms.State,
    orgs: ngos.State,
    u: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Free members start projects while the project channel can pay grants (M5): no grant,
    no project. Each participant pays its part of the co-funding, less what a large-firm
    partner pays, and must be able to afford it."""
    pp, lf = p.projects, p.large_firms
    n = s.stage.size
    if not (team_active(prog.phase[0]) and p.mechanisms.funding):
        return
    grant = pp.cost * (1.0 - p.funding.cofunding_share)
    grants_left = funding.affordable(prog.balance, funding.PROJECTS, grant)
    prob = projects.start_probability(pp.rate, coal.cohesion[0])
    free = s.project_of < 0
    # one draw per SME, made only for free members (the others' are skipped)
    starters = np.empty(n, dtype=np.int64)
    found = done = 0
    for i in range(n):
        if free[i] and s.coalition_member[i]:
            draw = uniform_at(u, PROJECT_STARTS, done, i)
            done = i + 1
            if draw < prob:
                starters[found] = i
                found += 1
    skip(u, PROJECT_STARTS, n - done)
    starters = starters[:found]
    if starters.size == 0 or grants_left == 0:
        return
    rng.shuffle(starters)
    taken = np.zeros(n, dtype=np.bool_)
    slots = 0
    count = book.count[0]
    if p.mechanisms.ngo:
        slots = ngos.slots(p.ngo.capacity, orgs, p.ngo.outside_share)
        for pid in range(count):
            slots -= book.status[pid] == ACTIVE and book.supported[pid]
    partners = np.flatnonzero(firms.member)
    own_total = pp.cost - grant
    for starter in starters:
        if grants_left == 0:
            break
        firm = -1
        if partners.size and rng.random() < lf.project_partner:
            firm = partners[rng.integers(0, partners.size)]
        from_firm = min(own_total, lf.cofunding * pp.cost) if firm >= 0 else 0.0
        own_share = (own_total - from_firm) / pp.size
        if taken[starter] or s.resources[starter] < own_share:
            continue
        able = ~taken & free & (s.resources >= own_share)
        team = _team(starter, able, pp.size, s, nb.ties, rng)
        grants_left -= 1
        c = pp.radicalness_concentration
        r = rng.beta(pp.radicalness_mean * c, (1 - pp.radicalness_mean) * c)
        supported = slots > 0
        slots -= supported
        pid = book.count[0]
        if pid == book.start.size:
            raise RuntimeError(
                "more change projects than the book has room for: projects that cost no grant "
                "(projects.cost 0 or funding.cofunding_share 1) and restart every month"
            )
        book.count[0] += 1
        book.start[pid] = t
        book.end[pid] = t + projects.duration(r, pp.min_months, pp.max_months)
        book.radicalness[pid] = r
        book.success_probability[pid] = projects.success_probability(r, supported, True, pp)
        book.status[pid] = ACTIVE
        book.supported[pid] = supported
        book.grant[pid] = funding.pay(prog.balance, prog.spent, funding.PROJECTS, grant)
        book.large_firm[pid] = firm
        book.segment[pid] = s.segment[starter]
        for i in team:
            taken[i] = True
            neighbourhood.unmark(nb, s, i)
            s.project_of[i] = pid
            s.stage_before_project[i] = s.stage[i]
            s.stage[i] = INNOVATING
            neighbourhood.mark(nb, s, i)


@inline_kernel
def step(t, p, book, prog, s, nb, coal, env, firms, orgs, streams) -> None:
    """Finish, check, start (M5, M7)."""
    finish(t, p, book, s, nb, coal, env, firms, orgs, streams.projects)
    if p.mechanisms.cartel:
        check_cartel_risk(t, p, book, prog, s, nb, coal, env, firms, streams.uniform)
    if prog.phase[0] >= EXECUTION and p.mechanisms.coalition:
        start(t, p, book, prog, s, nb, coal, firms, orgs, streams.uniform, streams.projects)


ACTIVE_, SUCCEEDED_, FAILED_, FLAGGED_ = (
    column("projects_active"),
    column("projects_succeeded"),
    column("projects_failed"),
    column("projects_flagged"),
)


@inline_kernel
def record(book: State, row: np.ndarray) -> None:
    count = book.count[0]
    status = book.status[:count]
    row[ACTIVE_] = (status == ACTIVE).sum()
    row[SUCCEEDED_] = (status == SUCCEEDED).sum()
    row[FAILED_] = (status == FAILED).sum() + (status == HALTED).sum()
    row[FLAGGED_] = book.flagged[:count].sum()
