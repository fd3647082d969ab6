"""M10 NGOs: knowledge support, campaigns and scandal shocks (MVOAlliantie-nd "Stap 3": NGO as
driver of a chain project; SFEC-M6 "Profiteren van externe druk": Rana Plaza as catalyst).

Support: NGOs in the coalition give ``ngo.capacity`` project slots each, the others a quarter of
that (knowledge bodies such as RVO help any project a little); a supported project succeeds more
often (M5). Public pressure P is a sector-wide stock: each NGO campaigns with monthly probability
``campaign_rate`` (adds ``campaign_pressure``), a scandal adds ``shock.size`` in ``shock.month``,
and P halves every ``shock.half_life`` months. P adds to every SME's pressure (M9).
"""

from __future__ import annotations

OUTSIDE_SHARE = 0.25  # support capacity of an NGO outside the coalition, relative to a member


def support_slots(capacity: int, in_coalition: int, outside: int) -> int:
    return int(capacity * in_coalition + OUTSIDE_SHARE * capacity * outside)


def decay_pressure(pressure: float, half_life: float) -> float:
    return pressure * 0.5 ** (1.0 / half_life)
