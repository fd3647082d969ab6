"""Network generators and the implicit complete network."""

import networkx as nx
import numpy as np
import pytest

from sectorsim.network import build_network


def test_watts_strogatz_has_the_requested_degree():
    net = build_network("watts_strogatz", 1000, 8, 0.1, np.random.default_rng(1))
    assert net.degree.mean() == pytest.approx(8.0)
    assert (net.adjacency != net.adjacency.T).nnz == 0


def test_erdos_renyi_mean_degree_within_sampling_error():
    net = build_network("erdos_renyi", 4000, 5.0, 0.0, np.random.default_rng(2))
    # mean degree of G(n, p): sd of the edge count is sqrt(m), so sd of the mean degree ~ 2 sqrt(m)/n
    assert abs(net.degree.mean() - 5.0) < 4 * 2 * np.sqrt(10_000) / 4000


def test_implicit_complete_network_equals_the_explicit_one():
    n = 30
    implicit = build_network("complete", n, 0, 0, np.random.default_rng(0))
    explicit = nx.to_scipy_sparse_array(nx.complete_graph(n), format="csr")
    x = np.random.default_rng(3).random((n, 3))
    np.testing.assert_allclose(implicit.neighbour_sum(x), explicit @ x)
    assert implicit.edges().shape == (n * (n - 1) // 2, 2)


def test_share_of_an_isolated_sme_is_zero():
    net = build_network("erdos_renyi", 50, 0.0, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(net.neighbour_share(np.ones(50, bool)), np.zeros(50))
