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

from sectorsim.network import Network

LEVELS = np.arange(3)  # "ahead of stage s" for s = 0, 1, 2; nobody is ahead of stage 3
LARGE_FIRM_STAGE = 2  # an adopted large firm is ahead of SMEs at stages 0 and 1


def _share(
    total: np.ndarray,
    ahead: np.ndarray,
    kop_total: np.ndarray,
    kop_ahead: np.ndarray,
    extra: float,
    max_share: float,
) -> np.ndarray:
    """Share ahead in one component, koplopers' extra weight capped at ``max_share`` of the group.

    ``total``/``kop_total`` count all peers / koploper peers; ``ahead``/``kop_ahead`` those ahead.
    """
    scale = np.ones_like(total)
    if extra > 0 and max_share < 1:
        room = max_share * total - kop_total  # extra weight that keeps koplopers at the ceiling
        wanted = (1.0 - max_share) * extra * kop_total
        scale = np.clip(np.divide(room, wanted, out=np.ones_like(room), where=wanted > 0), 0, 1)
    weight_extra = scale * extra
    num = ahead + weight_extra * kop_ahead
    den = total + weight_extra * kop_total
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def peers_ahead(
    stage: np.ndarray,
    koploper: np.ndarray,
    extra: float,
    network: Network,
    segment: np.ndarray,
    n_segments: int,
    segment_weight: float,
    max_share: float = 1.0,
    segment_large_firms: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted share of each SME's reference group at a higher stage, in [0, 1].

    ``segment_large_firms``: per segment, the weight of adopted coalition large firms.
    """
    n = stage.size
    rows = np.arange(n)
    level = np.minimum(stage, 2)
    ahead = (stage[:, None] > LEVELS).astype(np.float64)  # (n, 3)
    # columns: 1, ahead of 0/1/2, and while koplopers weigh extra: koploper, koploper ahead of 0/1/2
    parts = [np.ones(n), ahead]
    if extra > 0:
        kop = koploper.astype(np.float64)
        parts += [kop, kop[:, None] * ahead]
    cols = np.column_stack(parts)
    width = cols.shape[1]
    none = np.zeros(n)

    def split(sums: np.ndarray) -> tuple[np.ndarray, ...]:
        """(total, ahead, koplopers, koplopers ahead) of each firm's group from summed columns."""
        if width == 4:
            return sums[:, 0], sums[rows, 1 + level], none, none
        return sums[:, 0], sums[rows, 1 + level], sums[:, 4], sums[rows, 5 + level]

    net_share = _share(*split(network.neighbour_sum(cols)), extra, max_share)

    seg = np.stack(
        [np.bincount(segment, weights=cols[:, k], minlength=n_segments) for k in range(width)],
        axis=1,
    )
    seg_total, seg_ahead, kop_total, kop_ahead = split(seg[segment] - cols)  # without the firm
    if segment_large_firms is not None:
        large = segment_large_firms[segment]
        seg_total = seg_total + large
        seg_ahead = seg_ahead + large * (level < LARGE_FIRM_STAGE)
    seg_share = _share(seg_total, seg_ahead, kop_total, kop_ahead, extra, max_share)

    share = (1.0 - segment_weight) * net_share + segment_weight * seg_share
    return np.where(stage >= 3, 0.0, np.clip(share, 0.0, 1.0))


def imitation_signal(share_ahead: np.ndarray, threshold: np.ndarray, rule: str) -> np.ndarray:
    """The signal of each SME: the share itself (linear, logit) or 1 once past its threshold."""
    if rule == "complex":
        return (share_ahead >= threshold).astype(np.float64)
    return share_ahead


def podium_intensity(t: int, start: int, end: int | None, fade_months: float) -> float:
    """How much of the podium's extra visibility is left in month ``t``: 1 from ``start`` until
    ``end`` (None: still running), then halving every ``fade_months`` counted from its last month;
    0 before it starts."""
    if t < start:
        return 0.0
    if end is None or t < end:
        return 1.0
    if fade_months <= 0:
        return 0.0
    return float(0.5 ** ((t - end + 1) / fade_months))
