"""Large firms (M9): buyers of SMEs in their chain segment; they adopt IMVO policy, then require
responsible conduct of their suppliers. Columns, one row per firm."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.compiled import LARGE_FIRMS, inline_kernel, kernel, uniform
from sectorsim.components import environment
from sectorsim.mechanisms import chain
from sectorsim.outputs import column
from sectorsim.params import Config


class State(NamedTuple):
    segment: np.ndarray  # int, chain segment
    market_share: np.ndarray  # share of its segment's market
    motivation: np.ndarray  # [0, 1]
    adopted: np.ndarray  # bool, has an IMVO policy
    requires: np.ndarray  # bool, requires responsible conduct of its suppliers
    member: np.ndarray  # bool, in the coalition


def segments(config: Config) -> np.ndarray:
    """Chain segment of each large firm: spread evenly over the segments."""
    return np.arange(config.large_firms.count) % config.sme.segments


def init(config: Config, rng: np.random.Generator) -> State:
    lf = config.large_firms
    segment = segments(config)
    per_segment = np.bincount(segment, minlength=config.sme.segments)
    kappa = lf.motivation_concentration
    motivation = rng.beta(
        lf.motivation_mean * kappa, (1.0 - lf.motivation_mean) * kappa, size=lf.count
    )
    no = np.zeros(lf.count, dtype=np.bool_)
    share = lf.market_share / per_segment[segment] if lf.count else np.zeros(0)
    return State(segment, share, motivation, no, no.copy(), no.copy())


@inline_kernel
def step(p, firms: State, env: environment.State, u: np.ndarray) -> None:
    """Each firm decides on its own IMVO policy, then on requirements for its suppliers."""
    for i in range(firms.segment.size):
        draw_adopt, draw_require = uniform(u, LARGE_FIRMS), uniform(u, LARGE_FIRMS)
        if not firms.adopted[i]:
            drive = chain.large_firm_drive(
                firms.motivation[i],
                env.due_diligence[0],
                env.public_pressure[0],
                firms.member[i],
                p.large_firms.due_diligence_drive,
                p.large_firms.coalition_drive,
            )
            firms.adopted[i] = draw_adopt < p.large_firms.adoption_rate * drive
        elif not firms.requires[i]:
            factor = p.chain.due_diligence_factor if env.due_diligence[0] else 1.0
            firms.requires[i] = draw_require < p.chain.requirement_rate * factor


@kernel
def visibility(p, firms: State) -> np.ndarray:
    """Per segment, the weight of adopted coalition large firms in SMEs' reference groups (M2)."""
    weight = np.zeros(p.sme.segments)
    for i in range(firms.segment.size):
        if firms.member[i] and firms.adopted[i]:
            weight[firms.segment[i]] += p.large_firms.visibility
    return weight


LARGE_FIRM_ADOPTION = column("large_firm_adoption_share")


@inline_kernel
def record(firms: State, row: np.ndarray) -> None:
    n = firms.adopted.size
    row[LARGE_FIRM_ADOPTION] = firms.adopted.sum() / n if n else 0.0
