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
from scipy.special import expit

from sectorsim.analytic import bass_monthly_probability
from sectorsim.params import AdoptionParams
from sectorsim.state import Stage


def next_stage_cost(stage: np.ndarray, params: AdoptionParams) -> np.ndarray:
    """Cost in euros of moving from each SME's stage to the next by M1 (0 from stage 2 on)."""
    costs = np.array([params.cost_orienting, params.cost_implementing, 0.0, 0.0])
    return costs[stage]


def adoption_utility(
    stage: np.ndarray,
    motivation: np.ndarray,
    social: np.ndarray,
    pressure: np.ndarray,
    knowledge: float,
    subsidy: np.ndarray,
    resources: np.ndarray,
    params: AdoptionParams,
    cost_factor: np.ndarray | float = 1.0,
) -> np.ndarray:
    """M1's utility; ``cost_factor`` scales the cost of the next stage (NGO advice, M10)."""
    voucher = np.where(stage == Stage.ORIENTING, subsidy, 0.0)
    cost = next_stage_cost(stage, params) * cost_factor
    net_cost = np.maximum(0.0, cost - voucher) / resources
    return (
        params.b0
        + params.b_motivation * motivation
        + params.b_social * social
        + params.b_pressure * pressure
        + params.b_knowledge * knowledge
        - params.b_cost * net_cost
    )


def step_up_probability(
    utility: np.ndarray, stage: np.ndarray, dwell: float, linear_pull: np.ndarray | float = 0.0
) -> np.ndarray:
    """Monthly probability of moving up one stage under the full rule (stages 0 and 1 only):
    ``sigmoid(u) / dwell`` plus the linear imitation hazard (M2's linear rule), at most 1."""
    hazard = np.minimum(1.0, expit(utility) / dwell + linear_pull)
    return np.where(stage >= Stage.IMPLEMENTING, 0.0, hazard)


def bass_probability(
    adopted_share: np.ndarray, adopted: np.ndarray, p: float, q: float
) -> np.ndarray:
    """Monthly adoption probability of each non-adopter under the Bass rule."""
    return np.where(adopted, 0.0, bass_monthly_probability(p, q, adopted_share))


def threshold_reached(
    adopted_share: np.ndarray, adopted: np.ndarray, threshold: np.ndarray, degree: np.ndarray
) -> np.ndarray:
    """Non-adopters whose share of adopting neighbours has reached their threshold."""
    return ~adopted & (degree > 0) & (adopted_share >= threshold)
