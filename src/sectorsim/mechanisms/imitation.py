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

from sectorsim.compiled import choice_index, kernel

LINEAR, LOGIT, COMPLEX = (choice_index("imitation.rule", r) for r in ("linear", "logit", "complex"))
LARGE_FIRM_STAGE = 2  # an adopted large firm is ahead of SMEs at stages 0 and 1
#: columns of :func:`segment_counts`: peers, ahead of level 0-2 (AHEAD + level), koplopers, ...
PEERS, AHEAD, KOPLOPERS, KOPLOPERS_AHEAD = 0, 1, 4, 5
SEGMENT_COLUMNS = 8


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
def reference_share(
    level: int,
    net_peers: float,
    net_ahead: float,
    net_koplopers: float,
    net_koplopers_ahead: float,
    seg_peers: float,
    seg_ahead: float,
    seg_koplopers: float,
    seg_koplopers_ahead: float,
    large: float,
    extra: float,
    max_share: float,
    segment_weight: float,
) -> float:
    """The share ahead of an SME at ``level`` (its stage, below 3) in its reference group: its
    ties (``net_*``) and the other firms of its segment (``seg_*``), each as peers, peers ahead
    of it, koplopers and koplopers ahead; ``large``: the weight of adopted coalition large firms
    in its segment (they count as peers at stage 2)."""
    weighs = extra > 0
    net = share_ahead(
        net_peers, net_ahead, net_koplopers * weighs, net_koplopers_ahead * weighs, extra,
        max_share,
    )  # fmt: skip
    ahead = seg_ahead + (large if level < LARGE_FIRM_STAGE else 0.0)
    own = share_ahead(
        seg_peers + large, ahead, seg_koplopers * weighs, seg_koplopers_ahead * weighs, extra,
        max_share,
    )  # fmt: skip
    both = (1.0 - segment_weight) * net + segment_weight * own
    return min(max(both, 0.0), 1.0)


@kernel
def add_to_segment(seg: np.ndarray, g: int, stage: int, koploper: bool, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) one firm of segment ``g`` in the segment counts."""
    seg[g, PEERS] += sign
    seg[g, KOPLOPERS] += sign * koploper
    for level in range(min(stage, 3)):
        seg[g, AHEAD + level] += sign
        seg[g, KOPLOPERS_AHEAD + level] += sign * koploper


@kernel
def segment_counts(
    stage: np.ndarray, koploper: np.ndarray, segment: np.ndarray, n_segments: int
) -> np.ndarray:
    """Per segment: firms, firms ahead of levels 0-2, koplopers, koplopers ahead of levels 0-2."""
    seg = np.zeros((n_segments, SEGMENT_COLUMNS))
    for i in range(stage.size):
        add_to_segment(seg, segment[i], stage[i], koploper[i], 1)
    return seg


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
    """:func:`reference_share` of every SME, its ties counted from scratch (the model keeps the
    counts up to date instead: :mod:`sectorsim.components.neighbourhood`)."""
    n = stage.size
    seg = segment_counts(stage, koploper, segment, n_segments)
    everyone = seg.sum(axis=0)
    share = np.zeros(n)
    for i in range(n):
        level, g, k = stage[i], segment[i], koploper[i]
        if level >= 3:
            continue
        if complete:
            peers, ahead = everyone[PEERS] - 1, everyone[AHEAD + level]
            kop, kop_ahead = everyone[KOPLOPERS] - k, everyone[KOPLOPERS_AHEAD + level]
        else:
            peers = ahead = kop = kop_ahead = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                up = stage[j] > level
                peers += 1
                ahead += up
                kop += koploper[j]
                kop_ahead += koploper[j] and up
        share[i] = reference_share(
            level, peers, ahead, kop, kop_ahead, seg[g, PEERS] - 1, seg[g, AHEAD + level],
            seg[g, KOPLOPERS] - k, seg[g, KOPLOPERS_AHEAD + level], segment_large_firms[g],
            extra, max_share, segment_weight,
        )  # fmt: skip
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
