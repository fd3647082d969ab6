"""M7 Cartel risk and knowledge sharing (DRIFT2015 §4 "Samenwerking": cooperation read as
cartel forming; Green Deals).

For each project, and for the coalition as a whole, the combined market share of the competing
firms involved is the largest, over chain segments with at least two participants, of the summed
market shares of the participants in that segment (SMEs and large firms). Above ``safe_harbour_share`` (after the EU 2023 horizontal
guidelines' soft safe harbour) a flag comes with monthly hazard ``hazard`` (x ``green_deal_factor``
under a Green Deal, x 0.5 when sharing is pre-competitive). A flagged project halts (share
``halt_share``) or goes through a tender (delay and cost). Each flag costs the coalition a share
``cohesion_hit`` of its cohesion and chills knowledge sharing. Willingness to share is
``(1 - chill) (1 - fear)``, with fear ``fear_large_firms`` when large firms sit in the coalition
and sharing is not pre-competitive (DRIFT2015 §4 "Delen": SMEs fear a large firm uses
their insights).
"""

from __future__ import annotations

import numpy as np


def competitor_share(
    group: np.ndarray, segment: np.ndarray, share: np.ndarray, n_groups: int, n_segments: int
) -> np.ndarray:
    """Per group (project), the largest combined market share of competitors in it: firms of one
    segment, counted only where at least two of them cooperate."""
    if n_groups == 0:
        return np.zeros(0)
    table = np.zeros((n_groups, n_segments))
    count = np.zeros((n_groups, n_segments), dtype=np.int64)
    np.add.at(table, (group, segment), share)
    np.add.at(count, (group, segment), 1)
    return np.where(count >= 2, table, 0.0).max(axis=1)


def flag_hazard(
    combined_share: np.ndarray,
    safe_harbour: float,
    hazard: float,
    green_deal: bool,
    green_deal_factor: float,
    precompetitive: bool,
) -> np.ndarray:
    h = hazard * (green_deal_factor if green_deal else 1.0) * (0.5 if precompetitive else 1.0)
    return np.where(combined_share > safe_harbour, h, 0.0)


def sharing(
    chill: float, large_firms_in_coalition: int, precompetitive: bool, fear: float
) -> float:
    """Willingness of members to share knowledge, in [0, 1]."""
    afraid = large_firms_in_coalition > 0 and not precompetitive
    return (1.0 - chill) * (1.0 - (fear if afraid else 0.0))
