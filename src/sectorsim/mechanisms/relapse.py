"""M11 Relapse: without support, pressure or peers an SME at stage 1-2 falls back to business
as usual (ODD §6 M11).

Monthly probability ``rate * (1 - peers) * (1 - pressure)`` where ``peers`` is the share of the
SME's network neighbours that have adopted; SMEs in the coalition or in a change project are
supported and do not relapse.
"""

from __future__ import annotations

import numpy as np

from sectorsim.state import Stage


def relapse_probability(
    stage: np.ndarray, peers: np.ndarray, pressure: np.ndarray, supported: np.ndarray, rate: float
) -> np.ndarray:
    at_risk = ((stage == Stage.ORIENTING) | (stage == Stage.IMPLEMENTING)) & ~supported
    return np.where(at_risk, rate * (1.0 - peers) * (1.0 - pressure), 0.0)
