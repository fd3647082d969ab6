"""The SMEs' stages and size classes (their columns are in :mod:`sectorsim.components.smes`)."""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    """Adoption stages (DRIFT2015 §3: low-intensity vs fundamental change; MVOAlliantie-nd: three
    steps)."""

    BUSINESS_AS_USUAL = 0
    ORIENTING = 1
    IMPLEMENTING = 2
    INNOVATING = 3


class SizeClass(IntEnum):
    MICRO = 0
    SMALL = 1
    MEDIUM = 2
