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

from sectorsim.compiled import kernel


@kernel
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


@kernel
def sme_pressure(
    buyer_requires: bool,
    size_factor: float,
    chain_pressure: float,
    due_diligence: bool,
    regulation_pressure: float,
    public_pressure: float,
) -> float:
    """Pressure on one SME; ``size_factor``: the share of the obligation its size class feels."""
    pressure = chain_pressure * buyer_requires + public_pressure
    if due_diligence:
        pressure = pressure + regulation_pressure * size_factor
    return min(pressure, 1.0)
