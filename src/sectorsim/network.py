"""The sector network: who sees whom.

Explicit networks come from networkx generators (Watts & Strogatz 1998 small world by default,
Erdős–Rényi) and are stored as a scipy.sparse CSR adjacency, so one month's neighbour sums over
all SMEs are a single sparse product. The complete network (full mixing, the Bass case) is kept
implicit: a neighbour sum is the total minus oneself, so it costs O(n), not O(n^2) memory.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp


class Network:
    """An undirected, unweighted sector network over ``n`` SMEs."""

    def __init__(self, n: int, adjacency: sp.csr_array | None):
        self.n = n
        self.adjacency = adjacency  # None means complete (implicit)
        if adjacency is None:
            self.degree = np.full(n, n - 1, dtype=np.float64)
        else:
            self.degree = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()

    @property
    def complete(self) -> bool:
        return self.adjacency is None

    def neighbour_sum(self, x: np.ndarray) -> np.ndarray:
        """Sum of ``x`` over each SME's neighbours; ``x`` may be (n,) or (n, k)."""
        if self.adjacency is None:
            return x.sum(axis=0) - x
        return self.adjacency @ x

    def neighbour_share(self, indicator: np.ndarray) -> np.ndarray:
        """Share of each SME's neighbours for which ``indicator`` holds (0 for isolated SMEs)."""
        total = self.neighbour_sum(indicator.astype(np.float64))
        return np.divide(total, self.degree, out=np.zeros(self.n), where=self.degree > 0)

    def edges(self) -> np.ndarray:
        """The edges as an (m, 2) array with i < j (complete networks are refused above 5,000 SMEs)."""
        if self.adjacency is None:
            if self.n > 5000:
                raise ValueError("the complete network is implicit; too large to list its edges")
            i, j = np.triu_indices(self.n, k=1)
            return np.column_stack([i, j])
        upper = sp.triu(self.adjacency, k=1).tocoo()
        return np.column_stack([upper.row, upper.col])


def build_network(
    kind: str, n: int, mean_degree: float, rewiring: float, rng: np.random.Generator
) -> Network:
    """Generate the sector network with networkx, seeded from ``rng``."""
    if kind == "complete":
        return Network(n, None)
    seed = int(rng.integers(2**32))
    if kind == "watts_strogatz":
        k = int(mean_degree) // 2 * 2
        graph = nx.watts_strogatz_graph(n, k, rewiring, seed=seed) if k >= 2 else nx.empty_graph(n)
    elif kind == "erdos_renyi":
        graph = nx.fast_gnp_random_graph(n, mean_degree / (n - 1), seed=seed)
    else:
        raise ValueError(f"unknown network kind {kind!r}")
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=range(n), dtype=np.float64, format="csr")
    return Network(n, adjacency)
