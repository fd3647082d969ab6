"""M11 Relapse: without support, pressure or peers an SME at stage 1-2 falls back to business
as usual (ODD §6 M11).

Monthly probability ``rate * (1 - peers) * (1 - pressure)`` where ``peers`` is the share of the
SME's network neighbours that have adopted; SMEs in the coalition or in a change project are
supported and do not relapse.
"""

from __future__ import annotations

from sectorsim.compiled import kernel
from sectorsim.state import Stage

ORIENTING, IMPLEMENTING = int(Stage.ORIENTING), int(Stage.IMPLEMENTING)


@kernel
def relapse_probability(
    stage: int, peers: float, pressure: float, supported: bool, rate: float
) -> float:
    if supported or stage not in (ORIENTING, IMPLEMENTING):
        return 0.0
    return rate * (1.0 - peers) * (1.0 - pressure)


@kernel
def relapse_bound(rate: float) -> float:
    """The most :func:`relapse_probability` can be (peers and pressure are shares in [0, 1]):
    a draw at or above it never moves a firm down."""
    return rate
