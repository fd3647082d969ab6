"""M3 Coalition formation and maintenance (DRIFT2015 §3, phases I and IV; ODD §6 M3).

Recruitment: the sector team invites koplopers from its personal network, best koploper score first;
an invited SME accepts with probability ``sigmoid(acceptance + acceptance_slope (motivation - 0.5) +
log(resources / member_cost))`` — motivated firms say yes, firms for which membership is a large
share of their means say no (DRIFT2015 §4 "Coalitiedeelnemers": limited time and money).
Maintenance: each member needs attention; with more members than the team can keep relationships
with, attention per member is ``capacity / size`` and enthusiasm fades; members leave with monthly
probability ``dropout_rate * (1 - enthusiasm)``. When the agenda phase (the koploper programme of
MVOAlliantie-nd "Stap 1") ends, members below stage 2 adopt their MVO plan with probability
``plan_uptake`` (:func:`sectorsim.components.programme.adopt_plans`).
"""

from __future__ import annotations

import numpy as np

from sectorsim.compiled import expit, kernel


@kernel
def acceptance_probability(
    motivation: float, resources: float, member_cost: float, acceptance: float, slope: float
) -> float:
    ratio = resources / max(member_cost, 1.0)
    return expit(acceptance + slope * (motivation - 0.5) + np.log(ratio))


@kernel
def recruitment_order(candidates: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Candidate indices, best koploper score first (ties in index order)."""
    return candidates[np.argsort(-score[candidates], kind="mergesort")]


@kernel
def attention(size: int, capacity: float) -> float:
    """Share of the attention each member needs that it gets."""
    return 1.0 if size <= capacity else capacity / size


@kernel
def fade_enthusiasm(enthusiasm: float, attention_share: float, idle: bool, decay: float) -> float:
    """Monthly fading: from lack of attention and from time without results."""
    loss = decay * (1.0 - attention_share) + decay * idle
    return min(max(enthusiasm - loss, 0.0), 1.0)


@kernel
def dropout_probability(enthusiasm: float, rate: float) -> float:
    return rate * (1.0 - enthusiasm)
