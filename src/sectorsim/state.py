"""The SME state: one numpy column per attribute, indexed by SME.

Columns, not objects (after Starsim): a month of all SMEs is a handful of array operations. The
Mesa ``SME`` agents in :mod:`sectorsim.agents` are views on these columns.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np

from sectorsim.analytic import truncated_thresholds
from sectorsim.params import Config


class Stage(IntEnum):
    """Adoption stages (DRIFT2015 §3: low-intensity vs fundamental change; MVOAlliantie-nd: three
    steps)."""

    BUSINESS_AS_USUAL = 0
    ORIENTING = 1
    IMPLEMENTING = 2
    INNOVATING = 3


class SizeClass(IntEnum):
    MICRO = 0
    SMALL = 1
    MEDIUM = 2


@dataclass
class SMEState:
    stage: np.ndarray  # int8, Stage
    motivation: np.ndarray  # [0, 1]
    openness: np.ndarray  # [0, 1]
    leadership: np.ndarray  # [0, 1]
    resources: np.ndarray  # EUR/year available for MVO
    size_class: np.ndarray  # int8, SizeClass
    segment: np.ndarray  # int32, chain segment (competitors share a segment)
    market_share: np.ndarray  # share of its segment's SME market
    threshold: np.ndarray  # imitation threshold (complex contagion, threshold rule)
    koploper: np.ndarray  # bool, frontrunner given visibility
    coalition_member: np.ndarray  # bool
    enthusiasm: np.ndarray  # [0, 1]
    subsidy: np.ndarray  # EUR that lowers the cost of the next stage
    advised: np.ndarray  # bool, advised by an NGO (lower cost of the next stage)
    pressure: np.ndarray  # [0, 1], chain, regulatory and campaign pressure
    buyer: np.ndarray  # int32, the large firm it supplies (-1: none)
    project_of: np.ndarray  # int32, the change project it takes part in (-1: none)
    stage_before_project: np.ndarray  # int8, the stage it returns to if its project fails
    last_result: np.ndarray  # int32, month of joining or of its last project result

    @property
    def n(self) -> int:
        return self.stage.size

    def koploper_score(self) -> np.ndarray:
        """Frontrunner score: mean of motivation, openness and leadership (DRIFT2015)."""
        return (self.motivation + self.openness + self.leadership) / 3.0

    def column_names(self) -> list[str]:
        return [f.name for f in fields(self)]


def _beta(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=n)


def draw_thresholds(mean: float, sd: float, n: int, rng: np.random.Generator) -> np.ndarray:
    dist = truncated_thresholds(mean, sd)
    if dist is None:
        return np.full(n, mean)
    return dist.rvs(size=n, random_state=rng)


def large_firm_segments(config: Config) -> np.ndarray:
    """Chain segment of each large firm: spread evenly over the segments."""
    return np.arange(config.large_firms.count) % config.sme.segments


def initial_state(config: Config, rng: np.random.Generator) -> SMEState:
    """Draw the SMEs' traits, sizes, segments, buyers and thresholds; everyone starts at stage 0.

    Market shares: the large firms of a segment hold ``large_firms.market_share`` of it; its SMEs
    share the rest in proportion to their resources (a size proxy).
    """
    sme = config.sme
    n = sme.count
    size_class = rng.choice(
        3, size=n, p=[1.0 - sme.share_small - sme.share_medium, sme.share_small, sme.share_medium]
    ).astype(np.int8)
    median = np.array([sme.resources_micro, sme.resources_small, sme.resources_medium])[size_class]
    resources = median * np.exp(sme.resources_sigma * rng.standard_normal(n))
    segment = rng.integers(sme.segments, size=n).astype(np.int32)
    segment_total = np.bincount(segment, weights=resources, minlength=sme.segments)
    lf_segment = large_firm_segments(config)
    has_large = np.bincount(lf_segment, minlength=sme.segments)[: sme.segments] > 0
    sme_part = np.where(has_large, 1.0 - config.large_firms.market_share, 1.0)
    buyer = np.full(n, -1, dtype=np.int32)
    supplies = rng.random(n) < config.large_firms.supplier_share
    choice = rng.random(n)  # drawn even without large firms, so later draws never shift
    if lf_segment.size:
        # a supplier sells to a large firm of its own segment if there is one, else to any
        for g in range(sme.segments):
            pool = np.flatnonzero(lf_segment == g) if has_large[g] else np.arange(lf_segment.size)
            mine = supplies & (segment == g)
            buyer[mine] = pool[(choice[mine] * pool.size).astype(int)]
    kappa = sme.trait_concentration
    return SMEState(
        stage=np.zeros(n, dtype=np.int8),
        motivation=_beta(rng, sme.motivation_mean, kappa, n),
        openness=_beta(rng, sme.openness_mean, kappa, n),
        leadership=_beta(rng, sme.leadership_mean, kappa, n),
        resources=resources,
        size_class=size_class,
        segment=segment,
        market_share=sme_part[segment] * resources / segment_total[segment],
        threshold=draw_thresholds(config.adoption.threshold, config.adoption.threshold_sd, n, rng),
        koploper=np.zeros(n, dtype=bool),
        coalition_member=np.zeros(n, dtype=bool),
        enthusiasm=np.zeros(n),
        subsidy=np.zeros(n),
        advised=np.zeros(n, dtype=bool),
        pressure=np.zeros(n),
        buyer=buyer,
        project_of=np.full(n, -1, dtype=np.int32),
        stage_before_project=np.zeros(n, dtype=np.int8),
        last_result=np.zeros(n, dtype=np.int32),
    )
