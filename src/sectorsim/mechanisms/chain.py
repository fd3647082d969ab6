"""M9 Chain pressure and regulation (ODD §6 M9; DRIFT2015: chain responsibility; WestWing-nd:
due diligence as trigger).

Large firms (switch ``mechanisms.chain``) adopt IMVO policy with monthly probability
``adoption_rate * drive``, where drive = min(1, motivation + ``due_diligence_drive`` [obligation]
+ public pressure + ``coalition_drive`` [coalition member]); a successful chain project makes its
large-firm partner adopt at once. Adopted firms start requiring responsible conduct of their
suppliers at ``requirement_rate`` a month (``due_diligence_factor`` times that under the
obligation). The due-diligence obligation (switch ``mechanisms.regulation``) takes effect in
``regulation.due_diligence_month``. SME pressure is the sum of chain pressure (its buyer
requires it), the obligation (``regulation.pressure`` for a medium firm, ``small_factor`` and
``micro_factor`` of it for smaller ones) and public pressure from campaigns and scandals, capped
at 1.
"""

from __future__ import annotations

import numpy as np


def large_firm_drive(
    motivation: float,
    due_diligence: bool,
    public_pressure: float,
    in_coalition: bool,
    due_diligence_drive: float,
    coalition_drive: float,
) -> float:
    drive = motivation + due_diligence_drive * due_diligence + public_pressure
    return min(1.0, drive + coalition_drive * in_coalition)


def sme_pressure(
    buyer: np.ndarray,
    buyer_requires: np.ndarray,
    size_class: np.ndarray,
    chain_pressure: float,
    due_diligence: bool,
    regulation_pressure: float,
    public_pressure: float,
    size_factor: np.ndarray,
) -> np.ndarray:
    """Pressure on each SME; ``size_factor``: share of the obligation felt by micro, small and
    medium firms."""
    has_buyer = buyer >= 0
    required = np.zeros(buyer.size, dtype=bool)
    if buyer_requires.size:
        required[has_buyer] = buyer_requires[buyer[has_buyer]]
    pressure = chain_pressure * required + public_pressure
    if due_diligence:
        pressure = pressure + regulation_pressure * size_factor[size_class]
    return np.minimum(pressure, 1.0)
