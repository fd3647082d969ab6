"""The SMEs (mkb-bedrijven): one numpy column per attribute, indexed by SME (columns, not objects,
after Starsim), and their monthly decisions: NGO advice (M10), imitation (M2), adoption (M1) and
relapse (M11), synchronous (all probabilities from the state at the start of the month). With a
textbook rule (``adoption.rule = "bass"`` or ``"threshold"``) only that rule runs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.analytic import truncated_thresholds
from sectorsim.compiled import ADOPTION as ADOPTION_DRAWS
from sectorsim.compiled import (
    ADVICE,
    RELAPSE,
    choice_index,
    inline_kernel,
    kernel,
    uniform,
    uniforms,
)
from sectorsim.components import environment, large_firms, neighbourhood, ngos
from sectorsim.mechanisms import adoption, broadening, chain, imitation, ngo, relapse
from sectorsim.outputs import column
from sectorsim.params import Config
from sectorsim.state import Stage

ORIENTING, IMPLEMENTING, INNOVATING = (
    int(Stage.ORIENTING),
    int(Stage.IMPLEMENTING),
    int(Stage.INNOVATING),
)
STAGES = len(Stage)
BASS = choice_index("adoption.rule", "bass")


class State(NamedTuple):
    stage: np.ndarray  # int8, Stage
    motivation: np.ndarray  # [0, 1]
    openness: np.ndarray  # [0, 1]
    leadership: np.ndarray  # [0, 1]
    resources: np.ndarray  # EUR/year available for MVO
    size_class: np.ndarray  # int8, SizeClass
    segment: np.ndarray  # int64, chain segment (competitors share a segment)
    market_share: np.ndarray  # share of its segment's SME market
    threshold: np.ndarray  # imitation threshold (complex contagion, threshold rule)
    koploper: np.ndarray  # bool, frontrunner given visibility
    coalition_member: np.ndarray  # bool
    enthusiasm: np.ndarray  # [0, 1]
    subsidy: np.ndarray  # EUR that lowers the cost of the next stage
    advised: np.ndarray  # bool, advised by an NGO (lower cost of the next stage)
    pressure: np.ndarray  # [0, 1], chain, regulatory and campaign pressure
    buyer: np.ndarray  # int64, the large firm it supplies (-1: none)
    project_of: np.ndarray  # int64, the change project it takes part in (-1: none)
    stage_before_project: np.ndarray  # int8, the stage it returns to if its project fails
    last_result: np.ndarray  # int64, month of joining or of its last project result

    @property
    def n(self) -> int:
        return self.stage.size

    def koploper_score(self) -> np.ndarray:
        """Frontrunner score: mean of motivation, openness and leadership (DRIFT2015)."""
        return koploper_score(self)


@kernel
def koploper_score(s: State) -> np.ndarray:
    return (s.motivation + s.openness + s.leadership) / 3.0


def _beta(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=n)


def draw_thresholds(mean: float, sd: float, n: int, rng: np.random.Generator) -> np.ndarray:
    dist = truncated_thresholds(mean, sd)
    if dist is None:
        return np.full(n, mean)
    return dist.rvs(size=n, random_state=rng)


def init(config: Config, population: np.random.Generator, seeding: np.random.Generator) -> State:
    """Draw the SMEs' traits, sizes, segments, buyers and thresholds, then the initial adopters.

    Market shares: the large firms of a segment hold ``large_firms.market_share`` of it; its SMEs
    share the rest in proportion to their resources (a size proxy).
    """
    sme, rng = config.sme, population
    n = sme.count
    size_class = rng.choice(
        3, size=n, p=[1.0 - sme.share_small - sme.share_medium, sme.share_small, sme.share_medium]
    ).astype(np.int8)
    median = np.array([sme.resources_micro, sme.resources_small, sme.resources_medium])[size_class]
    resources = median * np.exp(sme.resources_sigma * rng.standard_normal(n))
    segment = rng.integers(sme.segments, size=n)
    segment_total = np.bincount(segment, weights=resources, minlength=sme.segments)
    lf_segment = large_firms.segments(config)
    has_large = np.bincount(lf_segment, minlength=sme.segments)[: sme.segments] > 0
    sme_part = np.where(has_large, 1.0 - config.large_firms.market_share, 1.0)
    buyer = np.full(n, -1, dtype=np.int64)
    supplies = rng.random(n) < config.large_firms.supplier_share
    choice = rng.random(n)  # drawn even without large firms, so later draws never shift
    if lf_segment.size:
        # a supplier sells to a large firm of its own segment if there is one, else to any
        for g in range(sme.segments):
            pool = np.flatnonzero(lf_segment == g) if has_large[g] else np.arange(lf_segment.size)
            mine = supplies & (segment == g)
            buyer[mine] = pool[(choice[mine] * pool.size).astype(int)]
    kappa = sme.trait_concentration
    state = State(
        stage=np.zeros(n, dtype=np.int8),
        motivation=_beta(rng, sme.motivation_mean, kappa, n),
        openness=_beta(rng, sme.openness_mean, kappa, n),
        leadership=_beta(rng, sme.leadership_mean, kappa, n),
        resources=resources,
        size_class=size_class,
        segment=segment,
        market_share=sme_part[segment] * resources / segment_total[segment],
        threshold=draw_thresholds(config.adoption.threshold, config.adoption.threshold_sd, n, rng),
        koploper=np.zeros(n, dtype=np.bool_),
        coalition_member=np.zeros(n, dtype=np.bool_),
        enthusiasm=np.zeros(n),
        subsidy=np.zeros(n),
        advised=np.zeros(n, dtype=np.bool_),
        pressure=np.zeros(n),
        buyer=buyer,
        project_of=np.full(n, -1, dtype=np.int64),
        stage_before_project=np.zeros(n, dtype=np.int8),
        last_result=np.zeros(n, dtype=np.int64),
    )
    _seed_adopters(config, state, seeding)
    return state


def _seed_adopters(config: Config, s: State, rng: np.random.Generator) -> None:
    """Initial adopters: drawn by koploper score (full rule) or uniformly (textbook rules)."""
    cfg = config.adoption
    if cfg.initial_adopters == 0:
        return
    full = cfg.rule == "full"
    weights = None
    if full:
        score = s.koploper_score()
        weights = score / score.sum()
    chosen = rng.choice(s.n, size=cfg.initial_adopters, replace=False, p=weights)
    s.stage[chosen] = IMPLEMENTING
    if full:
        s.koploper[chosen] = True


@inline_kernel
def imitation_share(
    p, s: State, nb: neighbourhood.State, extra: float, large: np.ndarray, i: int
) -> float:
    """M2: SME ``i``'s share of its reference group ahead of it (0 from stage 2 on, where it no
    longer moves up by M1), from the kept neighbourhood and segment counts; ``extra``: a
    koploper's extra weight; ``large``: adopted coalition large firms per segment."""
    stage = s.stage[i]
    if stage >= IMPLEMENTING:
        return 0.0
    at_stage, koplopers_at = nb.stage, nb.koploper
    complete = nb.ties.complete
    row = 0 if complete else i  # the complete network keeps the sector's totals
    ahead = kop = kop_ahead = 0.0
    for k in range(STAGES):
        kop += koplopers_at[row, k]
        if k > stage:
            ahead += at_stage[row, k]
            kop_ahead += koplopers_at[row, k]
    g, me, seg = s.segment[i], s.koploper[i], nb.segment
    kop -= complete and me  # not oneself (one is never ahead of oneself)
    return imitation.reference_share(
        stage, nb.ties.degree[i], ahead, kop, kop_ahead, seg[g, imitation.PEERS] - 1,
        seg[g, imitation.AHEAD + stage], seg[g, imitation.KOPLOPERS] - me,
        seg[g, imitation.KOPLOPERS_AHEAD + stage], large[g], extra, p.podium.max_share,
        p.imitation.segment_weight,
    )  # fmt: skip


@inline_kernel
def imitation_shares(
    p, s: State, nb: neighbourhood.State, extra: float, large: np.ndarray
) -> np.ndarray:
    """:func:`imitation_share` of every SME."""
    shares = np.zeros(s.stage.size)
    for i in range(s.stage.size):
        shares[i] = imitation_share(p, s, nb, extra, large, i)
    return shares


@inline_kernel
def step(
    p,
    s: State,
    nb: neighbourhood.State,
    knowledge_stock: float,
    broadened: bool,
    podium: float,
    env: environment.State,
    firms: large_firms.State,
    orgs: ngos.State,
    u: np.ndarray,
) -> None:
    """One month of every SME under the full rule: every decision from the state at the start
    of the month, then all moves at once. An SME whose draw is at or above the most any step-up
    (or relapse) probability can be this month skips working its own out: the same decisions,
    without the imitation share and the exponential of most SMEs."""
    n = s.stage.size
    m = p.mechanisms
    up_draw = uniforms(u, ADOPTION_DRAWS, n)
    down_draw = uniforms(u, RELAPSE, n)
    chain_pressure = p.chain.pressure if m.chain else 0.0
    size_factor = (p.regulation.micro_factor, p.regulation.small_factor, 1.0)
    if m.ngo:
        slots = ngos.slots(p.ngo.sme_capacity, orgs, p.ngo.outside_share)
        ngo.assign_advice(s.advised, s.stage == ORIENTING, slots, u, ADVICE)

    extra = p.podium.visibility * podium
    large = large_firms.visibility(p, firms)
    open_now = p.broadening.open and broadened
    linear = p.imitation.rule == imitation.LINEAR
    social_most = 1.0 if (m.imitation and not linear) else 0.0
    up_most = adoption.step_up_bound(
        adoption.utility_bound(knowledge_stock, social_most, p.adoption),
        p.adoption.dwell,
        p.imitation.linear_rate if linear else 0.0,
    )
    down_most = relapse.relapse_bound(p.relapse.rate)
    advice_factor = 1.0 - p.ngo.advice_cost_reduction
    at_stage = nb.stage  # neighbours at each stage
    complete, degree = nb.ties.complete, nb.ties.degree
    carriers = neighbourhood.carriers(nb, s)
    move = np.zeros(n, dtype=np.int8)  # +1: up a stage; -1: back to stage 0
    for i in range(n):
        required = s.buyer[i] >= 0 and firms.requires[s.buyer[i]]
        s.pressure[i] = chain.sme_pressure(
            required,
            size_factor[s.size_class[i]],
            chain_pressure,
            env.due_diligence[0],
            p.regulation.pressure,
            env.public_pressure[0],
        )
        stage = s.stage[i]
        row = 0 if complete else i  # the complete network keeps the sector's totals
        supported = s.coalition_member[i] or s.project_of[i] >= 0
        if stage < IMPLEMENTING and up_draw[i] < up_most:
            signal = 0.0
            if m.imitation:
                share = imitation_share(p, s, nb, extra, large, i)
                signal = imitation.imitation_signal(share, s.threshold[i], p.imitation.rule)
            access = 1.0
            if knowledge_stock > 0:
                access = broadening.knowledge_access(
                    supported,
                    carriers[i],
                    open_now,
                    p.broadening.closed_access,
                    p.broadening.exposure_ties,
                )
            utility = adoption.utility(
                stage,
                s.motivation[i],
                0.0 if linear else signal,
                s.pressure[i],
                knowledge_stock * access,
                s.subsidy[i],
                s.resources[i],
                advice_factor if (m.ngo and s.advised[i]) else 1.0,
                p.adoption,
            )
            pull = p.imitation.linear_rate * signal if linear else 0.0
            if up_draw[i] < adoption.step_up_probability(utility, stage, p.adoption.dwell, pull):
                move[i] = 1
                continue
        if (
            m.relapse
            and not supported
            and stage in (ORIENTING, IMPLEMENTING)
            and down_draw[i] < down_most
        ):
            adopted = 0.0
            for k in range(p.adoption.adopted_stage, STAGES):
                adopted += at_stage[row, k]
            adopted -= complete and stage >= p.adoption.adopted_stage  # not oneself
            peers = adopted / degree[i] if degree[i] > 0 else 0.0
            p_down = relapse.relapse_probability(
                stage, peers, s.pressure[i], supported, p.relapse.rate
            )
            if down_draw[i] < p_down:
                move[i] = -1
    for i in range(n):
        if move[i] != 0:
            neighbourhood.unmark(nb, s, i)
            if move[i] == 1:
                s.stage[i] += 1
            else:
                s.stage[i] = 0
                s.koploper[i] = False  # a koploper that falls back is no frontrunner any more
            neighbourhood.mark(nb, s, i)
        # a voucher is used up on reaching stage 2, and lapses on falling back to stage 0
        if s.stage[i] >= IMPLEMENTING or move[i] == -1:
            s.subsidy[i] = 0.0


@inline_kernel
def step_textbook(p, s: State, nb: neighbourhood.State, u: np.ndarray) -> None:
    """One month under the Bass or the threshold rule: an adopter goes to stage 2."""
    n = s.stage.size
    adopted = s.stage >= IMPLEMENTING
    degree, complete = nb.ties.degree, nb.ties.complete
    share = np.zeros(n)
    for i in range(n):
        row = 0 if complete else i
        if degree[i] > 0:
            count = (
                nb.stage[row, IMPLEMENTING] + nb.stage[row, INNOVATING] - (complete and adopted[i])
            )
            share[i] = count / degree[i]
    bass = p.adoption.rule == BASS
    new = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if bass:
            draw = uniform(u, ADOPTION_DRAWS)
            new[i] = not adopted[i] and draw < adoption.bass_probability(
                share[i], p.adoption.p, p.adoption.q
            )
        else:
            new[i] = not adopted[i] and adoption.threshold_reached(
                share[i], s.threshold[i], degree[i]
            )
    for i in range(n):
        if new[i]:
            neighbourhood.unmark(nb, s, i)
            s.stage[i] = IMPLEMENTING
            neighbourhood.mark(nb, s, i)


ADOPTION, KOPLOPERS, PRESSURE = (
    column("adoption_share"),
    column("koploper_count"),
    column("mean_pressure"),
)
STAGE_SHARE = np.array([column(f"stage_share_{int(k)}") for k in Stage])


@inline_kernel
def record(p, s: State, nb: neighbourhood.State, row: np.ndarray) -> None:
    """Stage shares and koplopers from the sector's kept counts; the mean pressure."""
    n = s.stage.size
    counts = nb.sector[0]
    adopted = 0.0
    for k in range(STAGE_SHARE.size):
        row[STAGE_SHARE[k]] = counts[k] / n
        if k >= p.adoption.adopted_stage:
            adopted += counts[k] / n
    row[ADOPTION] = adopted
    row[KOPLOPERS] = nb.sector[1].sum()
    row[PRESSURE] = s.pressure.mean()
