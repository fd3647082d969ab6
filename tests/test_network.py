"""Network generators and the implicit complete network.

networkx is the reference: the generators must draw the same random graphs as its
watts_strogatz_graph and gnp_random_graph (same model, not the same random numbers).
"""

import functools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from sectorsim.network import Network, _rewire, build_network

# (n, k, p): the default network, denser and sparser ones, small dense ones where rewiring often
# hits a tie that already exists, and the pure random end
WS_CASES = [(500, 8, 0.1), (500, 6, 0.1), (500, 8, 0.3), (2000, 4, 0.05), (300, 6, 1.0)]
WS_DENSE = [(12, 8, 0.5), (11, 8, 1.0), (9, 4, 1.0)]
STRUCTURE_CASES = WS_CASES + WS_DENSE + [(11, 10, 0.5), (7, 2, 1.0)]


def ws(n, k, p, seed):
    return build_network("watts_strogatz", n, k, p, np.random.default_rng(seed)).adjacency


def er(n, mean_degree, seed):
    return build_network("erdos_renyi", n, mean_degree, 0.0, np.random.default_rng(seed)).adjacency


def nx_ws(n, k, p, seed):
    graph = nx.watts_strogatz_graph(n, k, p, seed=seed)
    return nx.to_scipy_sparse_array(graph, nodelist=range(n), dtype=np.float64, format="csr")


def rows(adj):
    return np.repeat(np.arange(adj.shape[0]), np.diff(adj.indptr))


def clustering(adj):
    """Average clustering coefficient (isolated and degree-1 nodes count as 0, as in networkx)."""
    adj = sp.csr_array(adj, dtype=np.float64)
    triangles = (adj @ adj).multiply(adj).sum(axis=1) / 2
    degree = np.diff(adj.indptr)
    pairs = degree * (degree - 1) / 2
    return np.divide(triangles, pairs, out=np.zeros(adj.shape[0]), where=pairs > 0).mean()


def agree(a, b, sds=4.0):
    """Two samples' means agree within ``sds`` standard errors of their difference."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return abs(a.mean() - b.mean()) <= sds * se + 1e-12


def same_distribution(a, b):
    """Pooled samples of small integers come from one distribution (chi-square, sparse bins merged)."""
    top = max(a.max(), b.max()) + 1
    table = np.vstack([np.bincount(a, minlength=top), np.bincount(b, minlength=top)])
    merged, current = [], np.zeros(2)
    for column in table.T:
        current = current + column
        if current.sum() >= 20:
            merged.append(current)
            current = np.zeros(2)
    if merged:
        merged[-1] = merged[-1] + current
    if len(merged) < 2:
        return True
    return stats.chi2_contingency(np.array(merged).T).pvalue > 1e-3


# --- structure ---


@pytest.mark.parametrize(("n", "k", "p"), STRUCTURE_CASES)
def test_watts_strogatz_is_symmetric(n, k, p):
    adj = ws(n, k, p, 7)
    assert (adj != adj.T).nnz == 0


@pytest.mark.parametrize(("n", "k", "p"), STRUCTURE_CASES)
def test_watts_strogatz_has_no_self_loops(n, k, p):
    adj = ws(n, k, p, 7)
    assert not np.any(adj.indices == rows(adj))


@pytest.mark.parametrize(("n", "k", "p"), STRUCTURE_CASES)
def test_watts_strogatz_has_no_duplicate_ties(n, k, p):
    adj = ws(n, k, p, 7)
    pairs = rows(adj).astype(np.int64) * n + adj.indices
    assert np.unique(pairs).size == adj.nnz


@pytest.mark.parametrize(("n", "k", "p"), STRUCTURE_CASES)
def test_watts_strogatz_has_exactly_nk_over_2_ties(n, k, p):
    assert ws(n, k, p, 7).nnz == n * k  # each tie stored twice


@pytest.mark.parametrize("kind", ["watts_strogatz", "erdos_renyi"])
def test_adjacency_is_csr_with_int32_sorted_indices_and_float64_ones(kind):
    adj = build_network(kind, 300, 8, 0.3, np.random.default_rng(1)).adjacency
    assert isinstance(adj, sp.csr_array)
    assert adj.indptr.dtype == np.int32 and adj.indices.dtype == np.int32
    assert adj.data.dtype == np.float64 and np.all(adj.data == 1.0)
    same_row = rows(adj)[1:] == rows(adj)[:-1]
    assert np.all(np.diff(adj.indices)[same_row] > 0)
    assert adj.has_canonical_format


def test_network_normalises_an_adjacency_built_elsewhere():
    graph = nx.watts_strogatz_graph(40, 4, 0.5, seed=1)
    coo = nx.to_scipy_sparse_array(graph, format="coo")
    shuffled = sp.csr_array(
        (coo.data.astype(np.int64), (coo.row.astype(np.int64), coo.col.astype(np.int64))),
        shape=(40, 40),
    )
    shuffled.indices = shuffled.indices.astype(np.int64)
    shuffled.indptr = shuffled.indptr.astype(np.int64)
    net = Network(40, shuffled)
    assert net.adjacency.indices.dtype == np.int32 and net.adjacency.indptr.dtype == np.int32
    assert net.adjacency.data.dtype == np.float64 and net.adjacency.has_sorted_indices
    assert (net.adjacency != nx.to_scipy_sparse_array(graph, format="csr")).nnz == 0


def test_watts_strogatz_has_the_requested_degree():
    net = build_network("watts_strogatz", 1000, 8, 0.1, np.random.default_rng(1))
    assert net.degree.mean() == pytest.approx(8.0)
    assert (net.adjacency != net.adjacency.T).nnz == 0


def test_watts_strogatz_rounds_the_degree_down_to_even_and_below_2_is_empty():
    assert (
        build_network("watts_strogatz", 100, 7.9, 0.2, np.random.default_rng(1)).adjacency.nnz
        == 600
    )
    for mean_degree in (0.0, 1.0, 1.9):
        net = build_network("watts_strogatz", 100, mean_degree, 0.2, np.random.default_rng(1))
        assert net.adjacency.nnz == 0 and net.adjacency.shape == (100, 100)


# --- the seed ---


@pytest.mark.parametrize("kind", ["watts_strogatz", "erdos_renyi"])
def test_network_is_reproducible_from_the_seed_and_differs_for_another(kind):
    def build(seed):
        return build_network(kind, 500, 8, 0.1, np.random.default_rng(seed)).adjacency

    a, b, c = build(11), build(11), build(12)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert (a != c).nnz > 0


def test_rewiring_resumes_when_candidates_run_out():
    # the generator draws more candidates and reruns; that is only exact if a longer candidate
    # list never changes what a shorter, sufficient one gives
    rng = np.random.default_rng(3)
    n, half = 12, 4
    rewired = np.sort(rng.choice(n * half, size=30, replace=False)).astype(np.int64)
    candidates = rng.integers(0, n, size=2000)
    full, complete = _rewire(n, half, rewired, candidates)
    assert complete
    _, short_complete = _rewire(n, half, rewired, candidates[:20])
    assert not short_complete
    longer, _ = _rewire(n, half, rewired, np.concatenate([candidates, candidates]))
    np.testing.assert_array_equal(full, longer)


# --- the same graphs as networkx ---


@pytest.mark.parametrize("k", [2, 4, 8])
def test_ring_lattice_without_rewiring_is_identical_to_networkx(k):
    ours, reference = ws(501, k, 0.0, 1), nx_ws(501, k, 0.0, 1)
    np.testing.assert_array_equal(ours.indptr, reference.indptr)
    np.testing.assert_array_equal(ours.indices, reference.indices)


def test_clustering_helper_equals_networkx():
    graph = nx.watts_strogatz_graph(200, 6, 0.3, seed=5)
    adj = nx.to_scipy_sparse_array(graph, format="csr")
    assert clustering(adj) == pytest.approx(nx.average_clustering(graph))


@functools.cache
def _ensembles(n, k, p):
    seeds = 40 if n >= 1000 else (80 if n >= 100 else 400)
    ours = [ws(n, k, p, seed) for seed in range(seeds)]
    reference = [nx_ws(n, k, p, 10_000 + seed) for seed in range(seeds)]
    return ours, reference


@pytest.mark.parametrize(("n", "k", "p"), WS_CASES + WS_DENSE)
def test_watts_strogatz_degree_distribution_matches_networkx(n, k, p):
    ours, reference = _ensembles(n, k, p)
    deg_ours = [np.diff(a.indptr) for a in ours]
    deg_ref = [np.diff(a.indptr) for a in reference]
    assert np.mean(deg_ours) == np.mean(deg_ref) == k
    assert agree([d.var() for d in deg_ours], [d.var() for d in deg_ref])
    assert same_distribution(np.concatenate(deg_ours), np.concatenate(deg_ref))


@pytest.mark.parametrize(("n", "k", "p"), WS_CASES + WS_DENSE)
def test_watts_strogatz_clustering_matches_networkx(n, k, p):
    ours, reference = _ensembles(n, k, p)
    assert agree([clustering(a) for a in ours], [clustering(a) for a in reference])


def test_fully_rewired_nodes_keep_their_own_half_of_the_lattice_ties():
    # networkx rewires the far end only, so at p = 1 no SME has fewer than k/2 ties
    assert all(np.diff(ws(300, 8, 1.0, seed).indptr).min() >= 4 for seed in range(10))


# --- Erdős–Rényi ---


def test_erdos_renyi_mean_degree_within_sampling_error():
    net = build_network("erdos_renyi", 4000, 5.0, 0.0, np.random.default_rng(2))
    # mean degree of G(n, p): sd of the edge count is sqrt(m), so sd of the mean degree ~ 2 sqrt(m)/n
    assert abs(net.degree.mean() - 5.0) < 4 * 2 * np.sqrt(10_000) / 4000


@pytest.mark.parametrize(("n", "mean_degree"), [(500, 8.0), (60, 30.0)])
def test_erdos_renyi_is_a_simple_undirected_graph(n, mean_degree):
    adj = er(n, mean_degree, 4)
    assert (adj != adj.T).nnz == 0
    assert not np.any(adj.indices == rows(adj))
    assert np.unique(rows(adj).astype(np.int64) * n + adj.indices).size == adj.nnz


@pytest.mark.parametrize(("n", "mean_degree"), [(500, 8.0), (60, 30.0)])
def test_erdos_renyi_edge_count_is_binomial_and_matches_networkx(n, mean_degree):
    pairs, p = n * (n - 1) // 2, mean_degree / (n - 1)
    edges = np.array([er(n, mean_degree, seed).nnz // 2 for seed in range(300)])
    reference = [
        nx.fast_gnp_random_graph(n, p, seed=10_000 + seed).number_of_edges() for seed in range(100)
    ]
    assert abs(edges.mean() - pairs * p) < 4 * np.sqrt(pairs * p * (1 - p) / edges.size)
    assert 0.7 < edges.var(ddof=1) / (pairs * p * (1 - p)) < 1.4
    assert agree(edges, reference)


@pytest.mark.parametrize(("n", "mean_degree"), [(500, 8.0), (60, 30.0)])
def test_erdos_renyi_degrees_are_binomial_for_every_node(n, mean_degree):
    p = mean_degree / (n - 1)
    degrees = np.array([np.diff(er(n, mean_degree, seed).indptr) for seed in range(200)])
    reference = stats.binom(n - 1, p).rvs(size=degrees.size, random_state=1)
    assert same_distribution(degrees.ravel(), reference)
    # no node is favoured: mean degree per block of node labels
    blocks = degrees.reshape(degrees.shape[0], 10, -1).mean(axis=(0, 2))
    se = np.sqrt((n - 1) * p * (1 - p) / (degrees.size / 10))
    assert np.all(np.abs(blocks - mean_degree) < 4 * se)


def test_erdos_renyi_extremes():
    assert er(50, 0.0, 1).nnz == 0
    assert er(30, 29.0, 1).nnz == 30 * 29


# --- complete network ---


def test_the_complete_network_is_implicit():
    net = build_network("complete", 30, 0, 0, np.random.default_rng(0))
    assert net.complete and net.adjacency is None and (net.degree == 29).all()
