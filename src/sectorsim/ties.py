"""The sector network as the compiled month reads it: CSR arrays, or the complete network kept
implicit (a neighbour count is the total minus oneself)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sectorsim.compiled import kernel
from sectorsim.network import Network


class Ties(NamedTuple):
    indptr: np.ndarray  # int64, CSR row pointers (empty for the complete network)
    indices: np.ndarray  # int64, CSR column indices
    degree: np.ndarray  # float64 per SME
    complete: bool

    @classmethod
    def of(cls, network: Network) -> Ties:
        if network.complete:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, network.degree, True)
        adj = network.adjacency
        return cls(
            adj.indptr.astype(np.int64, copy=False),
            adj.indices.astype(np.int64, copy=False),
            network.degree,
            False,
        )


@kernel
def neighbour_count(mask: np.ndarray, ties: Ties) -> np.ndarray:
    """How many of each SME's neighbours ``mask`` holds for."""
    n = mask.size
    count = np.zeros(n)
    if ties.complete:
        total = mask.sum()
        for i in range(n):
            count[i] = total - mask[i]
        return count
    for i in range(n):
        c = 0
        for e in range(ties.indptr[i], ties.indptr[i + 1]):
            c += mask[ties.indices[e]]
        count[i] = c
    return count


@kernel
def tied_to(mask: np.ndarray, ties: Ties) -> np.ndarray:
    """Whether each SME has a neighbour for which ``mask`` holds."""
    return neighbour_count(mask, ties) > 0

