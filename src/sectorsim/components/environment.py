"""Environment: the sector-wide stocks. The due-diligence obligation (M9); public pressure, its
decay and scandal shocks (M10); the stock of action perspectives K that projects build (M5) and
its decay; the chill after a cartel flag (M7) and its recovery."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.compiled import inline_kernel
from sectorsim.mechanisms import ngo
from sectorsim.outputs import column


class State(NamedTuple):
    due_diligence: np.ndarray  # bool[1]: the obligation is in force
    public_pressure: np.ndarray  # float[1]: campaigns and scandals, in [0, 1]
    knowledge_stock: np.ndarray  # float[1]: action perspectives K
    chill: np.ndarray  # float[1]: reluctance to share after a cartel flag, in [0, 1]


def init() -> State:
    return State(np.zeros(1, dtype=np.bool_), np.zeros(1), np.zeros(1), np.zeros(1))


@inline_kernel
def step(t: int, p, env: State) -> None:
    env.due_diligence[0] = p.mechanisms.regulation and 0 <= p.regulation.due_diligence_month <= t
    pressure = ngo.decay_pressure(env.public_pressure[0], p.shock.half_life)
    if p.mechanisms.shocks and t == p.shock.month:
        pressure = min(1.0, pressure + p.shock.size)
    env.public_pressure[0] = pressure
    env.knowledge_stock[0] *= 1.0 - p.projects.knowledge_decay
    env.chill[0] *= 1.0 - p.cartel.chill_recovery


PUBLIC_PRESSURE, KNOWLEDGE = column("public_pressure"), column("knowledge_stock")


@inline_kernel
def record(env: State, row: np.ndarray) -> None:
    row[PUBLIC_PRESSURE] = env.public_pressure[0]
    row[KNOWLEDGE] = env.knowledge_stock[0]
