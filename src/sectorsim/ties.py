"""The sector network as the compiled month reads it: CSR arrays, or the complete network kept
implicit (see :mod:`sectorsim.components.neighbourhood`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

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
