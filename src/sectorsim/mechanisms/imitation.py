"""M2 Imitation: "Ik moet ook zoiets gaan doen!" (DRIFT2015: jealousy-driven imitation).

An SME's reference group is its network neighbours and its competitors (the SMEs of its chain
segment). The imitation signal is the visibility-weighted share of that group at a higher stage
than the SME itself; koplopers given a podium weigh ``1 + podium.visibility`` instead of 1
(KplusV2020). Simple contagion feeds the share into the adoption utility linearly; complex
contagion (Centola & Macy 2007) feeds in 1 once the share reaches the SME's own threshold.
"""

from __future__ import annotations

import numpy as np

from sectorsim.network import Network

LEVELS = np.arange(3)  # "ahead of stage s" for s = 0, 1, 2; nobody is ahead of stage 3


def visibility_weight(koploper: np.ndarray, visibility: float) -> np.ndarray:
    """Weight of each SME in its peers' reference groups."""
    return 1.0 + visibility * koploper


def peers_ahead(
    stage: np.ndarray,
    weight: np.ndarray,
    network: Network,
    segment: np.ndarray,
    n_segments: int,
    segment_weight: float,
) -> np.ndarray:
    """Weighted share of each SME's reference group at a higher stage, in [0, 1]."""
    n = stage.size
    rows = np.arange(n)
    level = np.minimum(stage, 2)
    ahead = weight[:, None] * (stage[:, None] > LEVELS)  # (n, 3)

    net_total = network.neighbour_sum(weight)
    net_ahead = network.neighbour_sum(ahead)[rows, level]
    net_share = np.divide(net_ahead, net_total, out=np.zeros(n), where=net_total > 0)

    seg_ahead = np.stack(
        [np.bincount(segment, weights=ahead[:, s], minlength=n_segments) for s in LEVELS], axis=1
    )
    seg_total = np.bincount(segment, weights=weight, minlength=n_segments)[segment] - weight
    seg_share = np.divide(
        seg_ahead[segment, level], seg_total, out=np.zeros(n), where=seg_total > 0
    )

    share = (1.0 - segment_weight) * net_share + segment_weight * seg_share
    return np.where(stage >= 3, 0.0, np.clip(share, 0.0, 1.0))


def imitation_signal(share_ahead: np.ndarray, threshold: np.ndarray, rule: str) -> np.ndarray:
    """What imitation adds to the adoption utility (before its weight)."""
    if rule == "complex":
        return (share_ahead >= threshold).astype(np.float64)
    return share_ahead
