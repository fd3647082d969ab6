"""NGOs and knowledge bodies (M10): campaigns raise public pressure; coalition membership and
capacity decide how many projects and SMEs they support (see :mod:`.projects` and :mod:`.smes`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.compiled import NGO, inline_kernel, kernel, uniform
from sectorsim.components import environment
from sectorsim.mechanisms import ngo


class State(NamedTuple):
    member: np.ndarray  # bool per NGO: in the coalition
    campaigns: np.ndarray  # int per NGO: campaigns run so far


def init(count: int) -> State:
    return State(np.zeros(count, dtype=np.bool_), np.zeros(count, dtype=np.int64))


@inline_kernel
def step(p, ngos: State, env: environment.State, u: np.ndarray) -> None:
    for i in range(ngos.member.size):
        if uniform(u, NGO) < p.ngo.campaign_rate:
            env.public_pressure[0] = min(1.0, env.public_pressure[0] + p.ngo.campaign_pressure)
            ngos.campaigns[i] += 1


@kernel
def slots(capacity: int, ngos: State, outside_share: float) -> int:
    """Projects or SMEs the NGOs can support at a time (M10)."""
    members = ngos.member.sum()
    return ngo.support_slots(capacity, members, ngos.member.size - members, outside_share)
