"""The pure cores of M1 adoption, M2 imitation and M11 relapse: directions of effect and edge cases."""

import numpy as np
import pytest
import scipy.sparse as sp

from sectorsim.mechanisms import adoption, imitation, relapse
from sectorsim.network import Network
from sectorsim.params import AdoptionParams


def path_network(n):
    """0 - 1 - 2 - ... - (n-1)."""
    rows = np.arange(n - 1)
    adj = sp.coo_array((np.ones(n - 1), (rows, rows + 1)), shape=(n, n))
    return Network(n, (adj + adj.T).tocsr())


def test_peers_ahead_counts_neighbours_at_a_higher_stage():
    net = path_network(3)
    stage = np.array([0, 2, 1], dtype=np.int8)
    share = imitation.peers_ahead(stage, np.ones(3), net, np.zeros(3, int), 1, segment_weight=0.0)
    # SME 0 sees 1 (ahead); SME 1 sees 0 and 2 (both behind); SME 2 sees 1 (ahead)
    np.testing.assert_allclose(share, [1.0, 0.0, 1.0])


def test_segment_competitors_count_with_their_weight():
    net = Network(4, sp.csr_array((4, 4)))  # no ties: only competitors matter
    stage = np.array([0, 2, 0, 0], dtype=np.int8)
    segment = np.array([0, 0, 0, 1])
    share = imitation.peers_ahead(stage, np.ones(4), net, segment, 2, segment_weight=1.0)
    np.testing.assert_allclose(share, [0.5, 0.0, 0.5, 0.0])  # SME 3 is alone in its segment


def test_podium_visibility_raises_the_pull_of_a_koploper():
    net = Network(3, None)  # complete
    stage = np.array([2, 0, 0], dtype=np.int8)
    koploper = np.array([True, False, False])
    plain = imitation.peers_ahead(
        stage, imitation.visibility_weight(koploper, 0.0), net, np.zeros(3, int), 1, 0.0
    )
    podium = imitation.peers_ahead(
        stage, imitation.visibility_weight(koploper, 3.0), net, np.zeros(3, int), 1, 0.0
    )
    assert plain[1] == pytest.approx(0.5) and podium[1] == pytest.approx(4 / 5)


def test_nobody_is_ahead_of_stage_three():
    net = Network(2, None)
    share = imitation.peers_ahead(
        np.array([3, 3], dtype=np.int8), np.ones(2), net, np.zeros(2, int), 1, 0.5
    )
    np.testing.assert_array_equal(share, [0.0, 0.0])


def test_complex_contagion_is_all_or_nothing_at_the_threshold():
    signal = imitation.imitation_signal(
        np.array([0.1, 0.2, 0.3]), np.array([0.2, 0.2, 0.2]), "complex"
    )
    np.testing.assert_array_equal(signal, [0.0, 1.0, 1.0])
    simple = imitation.imitation_signal(np.array([0.1, 0.2]), np.array([0.2, 0.2]), "simple")
    np.testing.assert_array_equal(simple, [0.1, 0.2])


PARAMS = AdoptionParams()


def utility(**kw):
    base = dict(
        stage=np.array([1]),
        motivation=np.array([0.5]),
        social=np.array([0.0]),
        pressure=np.array([0.0]),
        knowledge=0.0,
        subsidy=np.array([0.0]),
        resources=np.array([10_000.0]),
        params=PARAMS,
    )
    base.update(kw)
    return adoption.adoption_utility(**base)[0]


@pytest.mark.parametrize(
    "name,low,high",
    [
        ("motivation", np.array([0.1]), np.array([0.9])),
        ("social", np.array([0.0]), np.array([0.5])),
        ("pressure", np.array([0.0]), np.array([0.5])),
        ("knowledge", 0.0, 0.5),
        ("subsidy", np.array([0.0]), np.array([10_000.0])),
        ("resources", np.array([5_000.0]), np.array([50_000.0])),
    ],
)
def test_utility_rises_with_each_driver(name, low, high):
    assert utility(**{name: high}) > utility(**{name: low})


def test_subsidy_beyond_the_cost_adds_nothing():
    cost = PARAMS.cost_implementing
    assert utility(subsidy=np.array([cost])) == utility(subsidy=np.array([cost * 3]))


def test_step_up_is_capped_by_dwell_and_stage_three_is_left_to_projects():
    stage = np.array([0, 1, 2, 3], dtype=np.int8)
    prob = adoption.step_up_probability(np.full(4, 50.0), stage, dwell=4.0)
    np.testing.assert_allclose(prob, [0.25, 0.25, 0.0, 0.0])


def test_a_voucher_lowers_only_the_cost_of_implementing():
    with_voucher = utility(stage=np.array([0]), subsidy=np.array([5_000.0]))
    assert with_voucher == utility(stage=np.array([0]))
    assert utility(subsidy=np.array([5_000.0])) > utility()


def test_bass_probability_is_zero_for_adopters_and_rises_with_share():
    prob = adoption.bass_probability(
        np.array([0.0, 0.5, 0.5]), np.array([False, False, True]), 0.01, 0.3
    )
    assert prob[2] == 0 and prob[1] > prob[0] > 0


def test_threshold_needs_neighbours_and_the_share():
    reached = adoption.threshold_reached(
        np.array([0.2, 0.1, 0.0, 0.5]),
        np.array([False, False, False, True]),
        np.full(4, 0.18),
        np.array([5, 5, 0, 5]),
    )
    np.testing.assert_array_equal(reached, [True, False, False, False])


def test_relapse_spares_supported_and_stage_zero_and_three():
    stage = np.array([0, 1, 2, 3, 2], dtype=np.int8)
    supported = np.array([False, False, False, False, True])
    prob = relapse.relapse_probability(stage, np.zeros(5), np.zeros(5), supported, 0.1)
    np.testing.assert_allclose(prob, [0, 0.1, 0.1, 0, 0])


def test_peers_and_pressure_protect_against_relapse():
    stage = np.array([1, 1, 1], dtype=np.int8)
    prob = relapse.relapse_probability(
        stage, np.array([0.0, 0.5, 0.0]), np.array([0.0, 0.0, 0.5]), np.zeros(3, bool), 0.1
    )
    assert prob[0] > prob[1] and prob[0] > prob[2]
