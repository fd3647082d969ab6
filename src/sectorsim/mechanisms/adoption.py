"""M1 Individual adoption, and the two textbook rules of ODD §6 (textbook special cases).

Full rule: each month an SME moves up one stage with probability ``sigmoid(u) / dwell`` where
``u = b0 + b_motivation*motivation + b_social*social + b_pressure*pressure + b_knowledge*K
      - b_cost * max(0, cost_next - subsidy) / resources``
(ODD §6 M1). ``dwell`` bounds the speed: no firm moves faster than a stage per ``dwell``
months on average. M1 moves firms from 0 to 1 and from 1 to 2; stage 3 (innovating) is reached
only by taking part in a change project (M5). A voucher (subsidy) lowers the cost of stage 2.

Bass rule (Bass 1969): a non-adopter adopts with the exact one-month probability of the
continuous Bass model given the adopted share of its neighbours (see
:func:`sectorsim.analytic.bass_monthly_probability`). Threshold rule (Granovetter 1978, Watts
2002): a non-adopter adopts once the adopted share of its neighbours reaches its threshold.
In both textbook rules an adopter goes from stage 0 straight to stage 2.
"""

from __future__ import annotations

import numpy as np

from sectorsim.analytic import bass_monthly_probability
from sectorsim.compiled import expit, kernel
from sectorsim.state import Stage

ORIENTING, IMPLEMENTING = int(Stage.ORIENTING), int(Stage.IMPLEMENTING)


@kernel
def next_stage_cost(stage: int, p) -> float:
    """Cost in euros of moving from ``stage`` to the next by M1 (0 from stage 2 on)."""
    if stage == 0:
        return p.cost_orienting
    if stage == 1:
        return p.cost_implementing
    return 0.0


@kernel
def utility(
    stage: int,
    motivation: float,
    social: float,
    pressure: float,
    knowledge: float,
    subsidy: float,
    resources: float,
    cost_factor: float,
    p,
) -> float:
    """M1's utility of one SME; ``cost_factor`` scales the cost of its next stage (NGO advice,
    M10); ``p``: the adoption parameters."""
    voucher = subsidy if stage == ORIENTING else 0.0
    net_cost = max(0.0, next_stage_cost(stage, p) * cost_factor - voucher) / resources
    return (
        p.b0
        + p.b_motivation * motivation
        + p.b_social * social
        + p.b_pressure * pressure
        + p.b_knowledge * knowledge
        - p.b_cost * net_cost
    )


@kernel
def step_up_probability(utility_: float, stage: int, dwell: float, linear_pull: float) -> float:
    """Monthly probability of moving up one stage under the full rule (stages 0 and 1 only):
    ``sigmoid(u) / dwell`` plus the linear imitation hazard (M2's linear rule), at most 1."""
    if stage >= IMPLEMENTING:
        return 0.0
    return min(1.0, expit(utility_) / dwell + linear_pull)


@kernel
def utility_bound(knowledge_stock: float, social: float, p) -> float:
    """The most :func:`utility` can be this month for any SME: motivation, pressure and access
    to K at most 1, the imitation signal at most ``social``, the net cost at least 0; with a
    margin that covers rounding (+inf where a negative weight of the cost leaves no bound)."""
    if p.b_cost < 0:
        return np.inf
    most = p.b0 + max(p.b_motivation, 0.0) + max(p.b_social, 0.0) * social
    most += max(p.b_pressure, 0.0) + max(p.b_knowledge * knowledge_stock, 0.0)
    return most + 1e-9 * (1.0 + abs(most))


@kernel
def step_up_bound(utility_most: float, dwell: float, linear_rate: float) -> float:
    """The most :func:`step_up_probability` can be, given :func:`utility_bound`: a draw at or
    above it never moves a firm up, so the month need not work out that firm's utility.
    ``linear_rate``: the linear imitation hazard (0 under the other rules; the share ahead is
    at most 1)."""
    return min(1.0, expit(utility_most) / dwell + linear_rate)


@kernel
def bass_probability(adopted_share: float, p: float, q: float) -> float:
    """Monthly adoption probability of a non-adopter under the Bass rule."""
    return bass_monthly_probability(p, q, adopted_share)


@kernel
def threshold_reached(adopted_share: float, threshold: float, degree: float) -> bool:
    """Whether a non-adopter's share of adopting neighbours has reached its threshold."""
    return degree > 0 and adopted_share >= threshold
