"""M10 NGOs: knowledge support and campaigns; scandal shocks (ODD §6 M10; MVOAlliantie-nd
"Stap 3": NGO as driver of a chain project; SFEC-M6 "Profiteren van externe druk": Rana Plaza as
catalyst).

Support: NGOs in the coalition give ``ngo.capacity`` project slots each, the others
``outside_share`` of that (knowledge bodies help any project a little); a supported project
succeeds more often (M5). They also advise SMEs: ``ngo.sme_capacity`` orienting SMEs at a time per
coalition NGO (``outside_share`` of that per other NGO), chosen at random among the orienting SMEs;
advice lowers the cost of the SME's next stage by ``advice_cost_reduction`` (M1) and ends when the
SME reaches stage 2 or falls back. Public pressure P is a sector-wide stock: each NGO campaigns
with monthly probability ``campaign_rate`` (adds ``campaign_pressure``), a scandal adds
``shock.size`` in ``shock.month`` (switch ``mechanisms.shocks``), and P halves every
``shock.half_life`` months. P adds to every SME's pressure (M9).
"""

from __future__ import annotations

import numpy as np

from sectorsim.compiled import kernel, shuffle


@kernel
def support_slots(capacity: int, in_coalition: int, outside: int, outside_share: float) -> int:
    """Projects (or SMEs) the NGOs can support at a time."""
    return int(capacity * in_coalition + outside_share * capacity * outside)


@kernel
def assign_advice(
    advised: np.ndarray, eligible: np.ndarray, slots: int, u: np.ndarray, stream: int
) -> None:
    """Advice ends for SMEs no longer eligible; free slots go to eligible SMEs at random (in
    place; the order from uniform stream ``stream`` of ``u``, see :mod:`sectorsim.compiled`)."""
    advised &= eligible
    free = slots - advised.sum()
    waiting = np.flatnonzero(eligible & ~advised)
    if free > 0 and waiting.size:
        shuffle(u, stream, waiting)
        advised[waiting[:free]] = True


@kernel
def decay_pressure(pressure: float, half_life: float) -> float:
    return pressure * 0.5 ** (1.0 / half_life)
