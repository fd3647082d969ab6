"""The sector network: who sees whom.

Explicit networks are a Watts & Strogatz (1998) small world by default, or Erdős–Rényi G(n, p),
stored as a scipy.sparse CSR adjacency (the compiled month reads its arrays, see
:mod:`sectorsim.ties`). The generators are written here in numpy and numba rather than taken from
networkx, whose generators are pure Python: seconds for 100,000 SMEs, and milliseconds of fixed
cost per call, which add up when the model is built thousands of times. They draw the same random
graphs as ``networkx.watts_strogatz_graph`` and ``networkx.gnp_random_graph`` (not the same
numbers), only from the numpy Generator passed in, so the same seed gives the same network.

The adjacency is a csr_array with float64 data (all ones), sorted indices without duplicates and
int32 ``indptr`` and ``indices`` (scipy's own choice; networks past 2^31 - 1 stored ties are
refused). The complete network (full mixing, the Bass case) is kept implicit (``adjacency`` None):
what a firm sees of it is the sector's total less itself, so it costs O(n), not O(n^2) memory.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from sectorsim.compiled import kernel

_INT32_MAX = np.iinfo(np.int32).max
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier


class Network:
    """An undirected, unweighted sector network over ``n`` SMEs."""

    def __init__(self, n: int, adjacency: sp.csr_array | None):
        self.n = n
        if adjacency is not None:
            adjacency = _canonical(adjacency)
        self.adjacency = adjacency  # None means complete (implicit)
        if adjacency is None:
            self.degree = np.full(n, n - 1, dtype=np.float64)
        elif np.all(adjacency.data == 1.0):
            self.degree = np.diff(adjacency.indptr).astype(np.float64)
        else:
            self.degree = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()

    @property
    def complete(self) -> bool:
        return self.adjacency is None


def build_network(
    kind: str, n: int, mean_degree: float, rewiring: float, rng: np.random.Generator
) -> Network:
    """Generate the sector network, drawing only from ``rng``."""
    if kind == "complete":
        return Network(n, None)
    if kind == "watts_strogatz":
        return Network(n, watts_strogatz(n, int(mean_degree) // 2 * 2, rewiring, rng))
    if kind == "erdos_renyi":
        return Network(n, erdos_renyi(n, mean_degree / (n - 1) if n > 1 else 0.0, rng))
    raise ValueError(f"unknown network kind {kind!r}")


def watts_strogatz(n: int, k: int, p: float, rng: np.random.Generator) -> sp.csr_array:
    """Watts-Strogatz small world, the model of ``networkx.watts_strogatz_graph``.

    A ring lattice ties each node to its k/2 nearest neighbours on either side (k < 2: no ties);
    then, for j = 1..k/2 and u = 0..n-1 in that order, the lattice tie (u, u+j) is rewired with
    probability ``p`` to (u, w), w uniform among the nodes that are neither u nor tied to u (kept
    if u is tied to everyone).
    """
    if k > n:
        raise ValueError(f"Watts-Strogatz needs k <= n, got k={k}, n={n}")
    if k == n:
        return erdos_renyi(n, 1.0, rng)
    half = max(k, 0) // 2
    m = n * half
    _check_size(m)
    if m == 0:
        return _csr(n, np.zeros(n + 1, np.int32), np.zeros(0, np.int32))
    rewired = _bernoulli(rng, m, p)
    # w is drawn by rejection from uniform candidates; draw more if a run uses them all up
    spare = 2.0 * (k + 1) / max(n - k - 1, 1)
    candidates = rng.integers(0, n, size=int(rewired.size * (1.0 + spare)) + 64)
    while True:
        targets, complete_run = _rewire(n, half, rewired, candidates)
        if complete_run:
            break
        candidates = np.concatenate([candidates, rng.integers(0, n, size=candidates.size)])
    sources = np.tile(np.arange(n, dtype=np.int64), half)
    return _csr(n, *_pairs_to_csr(n, sources, targets))


def erdos_renyi(n: int, p: float, rng: np.random.Generator) -> sp.csr_array:
    """Erdős–Rényi G(n, p): each of the n(n-1)/2 pairs tied independently with probability p."""
    pairs = _bernoulli(rng, n * (n - 1) // 2, p)
    _check_size(pairs.size)
    return _csr(n, *_pairs_to_csr(n, *_pair_nodes(pairs)))


def _bernoulli(rng: np.random.Generator, total: int, p: float) -> np.ndarray:
    """Sorted positions of the successes in ``total`` Bernoulli(p) trials (geometric gaps)."""
    if total <= 0 or p <= 0.0:
        return np.zeros(0, np.int64)
    if p >= 1.0:
        return np.arange(total, dtype=np.int64)
    chunk = int(total * p + 5.0 * np.sqrt(total * p)) + 16
    positions = np.zeros(0, np.int64)
    last = -1
    while last < total:
        gaps = np.minimum(rng.geometric(p, size=chunk), total + 1)
        more = last + np.cumsum(gaps)
        positions = np.concatenate([positions, more]) if positions.size else more
        last = int(more[-1])
    return positions[: np.searchsorted(positions, total)]


def _check_size(m: int) -> None:
    if 2 * m > _INT32_MAX:
        raise ValueError(f"{m} ties exceed the int32 index of the adjacency")


def _csr(n: int, indptr: np.ndarray, indices: np.ndarray) -> sp.csr_array:
    adjacency = sp.csr_array(
        (np.ones(indices.size, dtype=np.float64), indices, indptr), shape=(n, n), copy=False
    )
    adjacency.has_sorted_indices = True
    return adjacency


def _canonical(adjacency: sp.sparray | sp.spmatrix) -> sp.csr_array:
    """The adjacency as a csr_array with float64 data, sorted int32 indices and int32 indptr."""
    if not isinstance(adjacency, sp.csr_array):
        adjacency = sp.csr_array(adjacency)
    if adjacency.data.dtype != np.float64:
        adjacency = adjacency.astype(np.float64)
    if adjacency.indices.dtype != np.int32 or adjacency.indptr.dtype != np.int32:
        _check_size(adjacency.nnz // 2)
        adjacency.indices = adjacency.indices.astype(np.int32)
        adjacency.indptr = adjacency.indptr.astype(np.int32)
    adjacency.sort_indices()
    return adjacency


@kernel
def _rewire(n, half, rewired, candidates):
    """Targets of the n*half lattice ties (u, u+j), tie e = (j-1)*n + u, after rewiring.

    ``rewired`` lists the ties to rewire in order; ``candidates`` are uniform draws from 0..n-1,
    used in turn. Returns (targets, False) if the candidates ran out before the end.
    """
    m = n * half
    targets = np.empty(m, np.int64)
    for e in range(m):
        targets[e] = (e % n + e // n + 1) % n
    lattice = np.ones(m, np.bool_)  # lattice tie e still in place
    degree = np.full(n, 2 * half, np.int64)
    # open-addressing hash set of the ties made by rewiring (u*n + w, u < w); never removed
    bits = 4
    while (1 << bits) < 2 * rewired.size:
        bits += 1
    table = np.full(1 << bits, -1, np.int64)
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    c = 0
    for e in rewired:
        u = e % n
        if degree[u] >= n - 1:
            continue
        while True:
            if c == candidates.size:
                return targets, False
            w = candidates[c]
            c += 1
            if w == u:
                continue
            d = (w - u) % n
            if d <= half and lattice[(d - 1) * n + u]:
                continue
            d = (u - w) % n
            if d <= half and lattice[(d - 1) * n + w]:
                continue
            key = min(u, w) * n + max(u, w)
            slot = np.int64((np.uint64(key) * _GOLDEN) >> shift)
            while table[slot] != -1 and table[slot] != key:
                slot = (slot + 1) & mask
            if table[slot] == key:
                continue
            table[slot] = key
            lattice[e] = False
            degree[targets[e]] -= 1
            degree[w] += 1
            targets[e] = w
            break
    return targets, True


@kernel
def _pair_nodes(pairs):
    """Pair index t = i(i-1)/2 + j (j < i) to its nodes (i, j)."""
    i = np.empty(pairs.size, np.int64)
    j = np.empty(pairs.size, np.int64)
    for e in range(pairs.size):
        t = pairs[e]
        a = np.int64((1.0 + np.sqrt(1.0 + 8.0 * t)) / 2.0)
        while a * (a - 1) // 2 > t:
            a -= 1
        while (a + 1) * a // 2 <= t:
            a += 1
        i[e] = a
        j[e] = t - a * (a - 1) // 2
    return i, j


@kernel
def _pairs_to_csr(n, a, b):
    """Symmetric CSR (indptr, sorted indices), both int32, of the ties (a[e], b[e])."""
    indptr = np.zeros(n + 1, np.int32)
    for e in range(a.size):
        indptr[a[e] + 1] += 1
        indptr[b[e] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    fill = indptr[:-1].copy()
    indices = np.empty(2 * a.size, np.int32)
    for e in range(a.size):
        indices[fill[a[e]]] = b[e]
        fill[a[e]] += 1
        indices[fill[b[e]]] = a[e]
        fill[b[e]] += 1
    for i in range(n):
        lo, hi = indptr[i], indptr[i + 1]
        if hi - lo > 32:
            indices[lo:hi] = np.sort(indices[lo:hi])
            continue
        for x in range(lo + 1, hi):  # insertion sort: rows are short and nearly sorted
            v = indices[x]
            y = x - 1
            while y >= lo and indices[y] > v:
                indices[y + 1] = indices[y]
                y -= 1
            indices[y + 1] = v
    return indptr, indices
