"""M2 Imitation: "Ik moet ook zoiets gaan doen!" (ODD §6 M2; DRIFT2015: jealousy-driven imitation).

An SME's reference group is its network neighbours and its competitors (the SMEs of its chain
segment), weighted ``1 - segment_weight`` and ``segment_weight``. The imitation signal is the
weighted share of that group at a higher stage than the SME itself. Every peer weighs 1; while the
podium runs (KplusV2020: give koplopers a podium) and as it fades, a koploper weighs ``1 + extra``
with ``extra = visibility x intensity``, but the koplopers together never weigh more than
``max_share`` of a firm's reference group: where they would, their extra weight is scaled down to
that ceiling. An adopted large firm in the coalition counts in its segment as
``large_firms.visibility`` peers at stage 2.

Three rules turn the share into a pull (:func:`imitation_signal`): ``linear`` (simple contagion: the
monthly hazard rises linearly in the share, added outside the logit of M1), ``logit`` (the share
enters M1's utility) and ``complex`` (Centola & Macy 2007: 1 in M1's utility once the share reaches
the SME's threshold).
"""

from __future__ import annotations

import numpy as np

from sectorsim.compiled import kernel

LINEAR, LOGIT, COMPLEX = 0, 1, 2  # imitation.rule
LARGE_FIRM_STAGE = 2  # an adopted large firm is ahead of SMEs at stages 0 and 1


@kernel
def share_ahead(
    total: float, ahead: float, kop_total: float, kop_ahead: float, extra: float, max_share: float
) -> float:
    """Share ahead in one part of the reference group, the koplopers' extra weight capped at
    ``max_share`` of the group. ``total``/``kop_total`` count all peers / koploper peers;
    ``ahead``/``kop_ahead`` those ahead."""
    scale = 1.0
    if extra > 0 and max_share < 1:
        room = max_share * total - kop_total  # extra weight that keeps koplopers at the ceiling
        wanted = (1.0 - max_share) * extra * kop_total
        scale = min(max(room / wanted if wanted > 0 else 1.0, 0.0), 1.0)
    weight_extra = scale * extra
    num = ahead + weight_extra * kop_ahead
    den = total + weight_extra * kop_total
    return num / den if den > 0 else 0.0


@kernel
def peers_ahead(
    stage: np.ndarray,
    koploper: np.ndarray,
    extra: float,
    indptr: np.ndarray,
    indices: np.ndarray,
    complete: bool,
    segment: np.ndarray,
    n_segments: int,
    segment_weight: float,
    max_share: float,
    segment_large_firms: np.ndarray,
) -> np.ndarray:
    """Weighted share of each SME's reference group at a higher stage, in [0, 1].

    The network is given as CSR arrays (``complete``: everyone sees everyone);
    ``segment_large_firms``: per segment, the weight of adopted coalition large firms.
    """
    n = stage.size
    weighs = extra > 0  # koplopers count apart only while they weigh extra
    # per segment (and for the complete network, in all): peers, and those ahead of levels 0-2
    seg = np.zeros((n_segments, 8))
    for i in range(n):
        g, k = segment[i], weighs and koploper[i]
        seg[g, 0] += 1
        seg[g, 4] += k
        for level in range(3):
            if stage[i] > level:
                seg[g, 1 + level] += 1
                seg[g, 5 + level] += k
    everyone = seg.sum(axis=0)
    share = np.zeros(n)
    for i in range(n):
        if stage[i] >= 3:
            continue
        level, g, k = stage[i], segment[i], weighs and koploper[i]
        me_ahead = stage[i] > level  # never: one is not ahead of oneself
        if complete:
            total = everyone[0] - 1
            ahead = everyone[1 + level] - me_ahead
            kop_total = everyone[4] - k
            kop_ahead = everyone[5 + level] - k * me_ahead
        else:
            total = ahead = kop_total = kop_ahead = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                up = stage[j] > level
                kj = weighs and koploper[j]
                total += 1
                ahead += up
                kop_total += kj
                kop_ahead += kj and up
        net = share_ahead(total, ahead, kop_total, kop_ahead, extra, max_share)
        large = segment_large_firms[g]
        seg_total = seg[g, 0] - 1 + large
        seg_ahead = seg[g, 1 + level] + (large if level < LARGE_FIRM_STAGE else 0.0)
        own = share_ahead(
            seg_total, seg_ahead, seg[g, 4] - k, seg[g, 5 + level], extra, max_share
        )
        both = (1.0 - segment_weight) * net + segment_weight * own
        share[i] = min(max(both, 0.0), 1.0)
    return share


@kernel
def imitation_signal(share_ahead_: float, threshold: float, rule: int) -> float:
    """An SME's signal: the share itself (linear, logit) or 1 once past its threshold (complex)."""
    if rule == COMPLEX:
        return 1.0 if share_ahead_ >= threshold else 0.0
    return share_ahead_


@kernel
def podium_intensity(t: int, start: int, end: int, fade_months: float) -> float:
    """How much of the podium's extra visibility is left in month ``t``: 1 from ``start`` until
    ``end`` (-1: still running), then halving every ``fade_months`` counted from its last month;
    0 before it starts."""
    if t < start:
        return 0.0
    if end < 0 or t < end:
        return 1.0
    if fade_months <= 0:
        return 0.0
    return 0.5 ** ((t - end + 1) / fade_months)
