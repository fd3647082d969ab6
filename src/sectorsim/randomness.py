"""Explicit randomness: one SeedSequence per run, one Generator per named stream.

Each stream is keyed by its name, not by the order it was asked for, so switching a mechanism
off or adding a new one never shifts the random numbers of the others (common random numbers
make scenario comparisons sharp).
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

DEFAULT_SEED = 20130101  # the IMVO sector approach started in 2013


def _key(name: str) -> int:
    return zlib.crc32(name.encode())


class RandomStreams:
    """Independent numpy Generators derived from one run seed, by stream name."""

    def __init__(self, seed: int):
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._streams:
            seq = np.random.SeedSequence(self.seed, spawn_key=(_key(name),))
            self._streams[name] = np.random.Generator(np.random.PCG64(seq))
        return self._streams[name]


def derive_seed(base: int, *path: int) -> int:
    """A run seed (63-bit) derived from a base seed and a path such as (point, replicate)."""
    state = np.random.SeedSequence(base, spawn_key=tuple(path)).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


def fresh_seed() -> int:
    """A new 63-bit seed from the operating system's entropy."""
    return derive_seed(int(np.random.SeedSequence().entropy))


def as_seed(value: Any) -> int:
    """A seed from an integer, a digit string or a spreadsheet text cell ``="digits"`` (how the CSV
    exports write seeds so that spreadsheets keep every digit)."""
    if isinstance(value, str):
        value = value.strip().removeprefix("=").strip('"')
    return int(value)
