"""M9 Chain pressure and regulation (DRIFT2015: chain responsibility; WestWing-nd: due diligence
as trigger).

Large firms adopt IMVO policy with monthly probability ``adoption_rate * drive`` where drive rises
with strategic motivation, the due-diligence obligation, public pressure and coalition membership
(a successful chain project makes its large-firm partner adopt at once). Adopted firms start
requiring responsible conduct of their suppliers at ``requirement_rate`` a month (twice that under
due diligence). SME pressure is the sum of chain pressure (its buyer requires it), the obligation
(``regulation.pressure`` for a medium firm, 0.75x small, 0.5x micro) and public pressure from
campaigns and scandals, capped at 1.
"""

from __future__ import annotations

import numpy as np

SIZE_FACTOR = np.array([0.5, 0.75, 1.0])  # micro, small, medium


def large_firm_drive(
    motivation: float, due_diligence: bool, public_pressure: float, in_coalition: bool
) -> float:
    return min(1.0, motivation + 0.5 * due_diligence + public_pressure + 0.5 * in_coalition)


def sme_pressure(
    buyer: np.ndarray,
    buyer_requires: np.ndarray,
    size_class: np.ndarray,
    chain_pressure: float,
    due_diligence: bool,
    regulation_pressure: float,
    public_pressure: float,
) -> np.ndarray:
    has_buyer = buyer >= 0
    required = np.zeros(buyer.size, dtype=bool)
    if buyer_requires.size:
        required[has_buyer] = buyer_requires[buyer[has_buyer]]
    pressure = chain_pressure * required + public_pressure
    if due_diligence:
        pressure = pressure + regulation_pressure * SIZE_FACTOR[size_class]
    return np.minimum(pressure, 1.0)
