"""M7 Cartel risk and knowledge sharing (ODD §6 M7; DRIFT2015 §4 "Samenwerking": cooperation read as
cartel forming; Green Deals).

Cooperation among competitors can be read as cartel forming. A flag needs an actual exchange among
competitors: in one chain segment, at least two firms of the same level (two SMEs, or two large
firms) that work together. Their combined market share is the summed share of every participant in
that segment, a coordinating large firm included (hub and spoke: a buyer that aligns its competing
suppliers); a large firm with one supplier, or firms of different segments, exchange nothing among
competitors. A change project is such an exchange; so is the coalition's agenda among its SME
members (horizontal only: the coalition's large firms sit at the table as buyers, not as their
suppliers' competitors). Above ``safe_harbour_share`` (after the EU 2023 horizontal guidelines' soft
safe harbour) a flag comes with monthly hazard ``hazard`` (x ``green_deal_factor`` under a Green
Deal, x ``precompetitive_factor`` when sharing is pre-competitive). A flagged project halts (share
``halt_share``) or goes through a tender (delay and cost). Each flag costs the coalition a share
``cohesion_hit`` of its cohesion and raises the chill. Willingness to share what projects teach is
``(1 - chill) (1 - fear)``, with fear ``fear_large_firms`` when large firms sit in the coalition and
sharing is not pre-competitive (DRIFT2015 §4 "Delen": SMEs fear a large firm uses their insights):
the fear acts once, on what reaches K.
"""

from __future__ import annotations

import numpy as np

SME, LARGE = 0, 1  # the level of a firm in its chain segment


def competitor_share(
    group: np.ndarray,
    segment: np.ndarray,
    share: np.ndarray,
    level: np.ndarray,
    n_groups: int,
    n_segments: int,
) -> np.ndarray:
    """Per group (project, or the coalition), the largest combined market share over segments in
    which at least two firms of one level cooperate (0 where no competitors exchange)."""
    if n_groups == 0:
        return np.zeros(0)
    table = np.zeros((n_groups, n_segments))
    count = np.zeros((n_groups, n_segments, 2), dtype=np.int64)
    np.add.at(table, (group, segment), share)
    np.add.at(count, (group, segment, level), 1)
    competitors = (count >= 2).any(axis=2)
    return np.where(competitors, table, 0.0).max(axis=1)


def flag_hazard(
    combined_share: np.ndarray,
    safe_harbour: float,
    hazard: float,
    green_deal: bool,
    green_deal_factor: float,
    precompetitive: bool,
    precompetitive_factor: float,
) -> np.ndarray:
    h = hazard * (green_deal_factor if green_deal else 1.0)
    h *= precompetitive_factor if precompetitive else 1.0
    return np.where(combined_share > safe_harbour, h, 0.0)


def sharing(
    chill: float, large_firms_in_coalition: int, precompetitive: bool, fear: float
) -> float:
    """Willingness of members to share what their projects teach, in [0, 1]."""
    afraid = large_firms_in_coalition > 0 and not precompetitive
    return (1.0 - chill) * (1.0 - (fear if afraid else 0.0))
