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

from sectorsim.compiled import kernel

SME, LARGE = 0, 1  # the level of a firm in its chain segment


@kernel
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
    table = np.zeros((n_groups, n_segments))
    count = np.zeros((n_groups, n_segments, 2), dtype=np.int64)
    for k in range(group.size):
        table[group[k], segment[k]] += share[k]
        count[group[k], segment[k], level[k]] += 1
    combined = np.zeros(n_groups)
    for g in range(n_groups):
        for s in range(n_segments):
            if (count[g, s, 0] >= 2 or count[g, s, 1] >= 2) and table[g, s] > combined[g]:
                combined[g] = table[g, s]
    return combined


@kernel
def flag_hazard(combined_share: float, p) -> float:
    """Monthly chance that an exchange with this combined share is flagged (``p``: cartel
    parameters)."""
    if combined_share <= p.safe_harbour_share:
        return 0.0
    h = p.hazard * (p.green_deal_factor if p.green_deal else 1.0)
    return h * (p.precompetitive_factor if p.precompetitive else 1.0)


@kernel
def sharing(
    chill: float, large_firms_in_coalition: int, precompetitive: bool, fear: float
) -> float:
    """Willingness of members to share what their projects teach, in [0, 1]."""
    afraid = large_firms_in_coalition > 0 and not precompetitive
    return (1.0 - chill) * (1.0 - (fear if afraid else 0.0))
