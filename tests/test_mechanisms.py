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
    share = imitation.peers_ahead(stage, np.zeros(3, bool), 0.0, net, np.zeros(3, int), 1, 0.0)
    # SME 0 sees 1 (ahead); SME 1 sees 0 and 2 (both behind); SME 2 sees 1 (ahead)
    np.testing.assert_allclose(share, [1.0, 0.0, 1.0])


def test_segment_competitors_count_with_their_weight():
    net = Network(4, sp.csr_array((4, 4)))  # no ties: only competitors matter
    stage = np.array([0, 2, 0, 0], dtype=np.int8)
    segment = np.array([0, 0, 0, 1])
    share = imitation.peers_ahead(stage, np.zeros(4, bool), 0.0, net, segment, 2, 1.0)
    np.testing.assert_allclose(share, [0.5, 0.0, 0.5, 0.0])  # SME 3 is alone in its segment


def test_podium_visibility_raises_the_pull_of_a_koploper():
    net = Network(3, None)  # complete
    stage = np.array([2, 0, 0], dtype=np.int8)
    koploper = np.array([True, False, False])
    zeros = np.zeros(3, int)
    plain = imitation.peers_ahead(stage, koploper, 0.0, net, zeros, 1, 0.0)
    podium = imitation.peers_ahead(stage, koploper, 3.0, net, zeros, 1, 0.0)
    assert plain[1] == pytest.approx(0.5) and podium[1] == pytest.approx(4 / 5)


def test_the_koplopers_weight_in_a_reference_group_stops_at_the_ceiling():
    net = Network(5, None)  # complete: each firm sees the four others
    stage = np.array([2, 0, 0, 0, 0], dtype=np.int8)
    koploper = np.array([True, False, False, False, False])
    zeros = np.zeros(5, int)
    # uncapped: (1 + 9) / (4 + 9) = 10/13 of firm 1's group is the koploper
    free = imitation.peers_ahead(stage, koploper, 9.0, net, zeros, 1, 0.0, max_share=1.0)
    capped = imitation.peers_ahead(stage, koploper, 9.0, net, zeros, 1, 0.0, max_share=0.5)
    assert free[1] == pytest.approx(10 / 13)
    assert capped[1] == pytest.approx(0.5)
    # below the ceiling the cap changes nothing
    small = imitation.peers_ahead(stage, koploper, 1.0, net, zeros, 1, 0.0, max_share=0.5)
    assert small[1] == pytest.approx(2 / 5)


def test_an_adopted_coalition_large_firm_counts_in_its_segment_as_a_peer_at_stage_two():
    net = Network(3, sp.csr_array((3, 3)))  # no ties: only the segment
    stage = np.array([0, 1, 2], dtype=np.int8)
    share = imitation.peers_ahead(
        stage,
        np.zeros(3, bool),
        0.0,
        net,
        np.zeros(3, int),
        1,
        1.0,
        segment_large_firms=np.array([2.0]),
    )
    # firm 0: peers 1, 2 ahead + 2 large-firm weight ahead, of 4; firm 1: 2 + 2 of 4;
    # firm 2 (stage 2): nobody ahead, the large firms only enlarge its group
    np.testing.assert_allclose(share, [1.0, 0.75, 0.0])


def test_the_podium_is_full_while_it_runs_and_halves_every_fade_months_after():
    assert imitation.podium_intensity(3, 5, None, 6.0) == 0.0
    assert imitation.podium_intensity(10, 5, None, 6.0) == 1.0
    assert imitation.podium_intensity(19, 5, 20, 6.0) == 1.0  # month 19 is its last
    assert imitation.podium_intensity(20, 5, 20, 6.0) == pytest.approx(0.5 ** (1 / 6))
    assert imitation.podium_intensity(25, 5, 20, 6.0) == pytest.approx(0.5)
    assert imitation.podium_intensity(31, 5, 20, 6.0) == pytest.approx(0.25)
    assert imitation.podium_intensity(21, 5, 20, 0.0) == 0.0


def test_nobody_is_ahead_of_stage_three():
    net = Network(2, None)
    share = imitation.peers_ahead(
        np.array([3, 3], dtype=np.int8), np.ones(2, bool), 2.0, net, np.zeros(2, int), 1, 0.5
    )
    np.testing.assert_array_equal(share, [0.0, 0.0])


def test_complex_contagion_is_all_or_nothing_at_the_threshold():
    signal = imitation.imitation_signal(
        np.array([0.1, 0.2, 0.3]), np.array([0.2, 0.2, 0.2]), "complex"
    )
    np.testing.assert_array_equal(signal, [0.0, 1.0, 1.0])
    for rule in ("linear", "logit"):
        plain = imitation.imitation_signal(np.array([0.1, 0.2]), np.array([0.2, 0.2]), rule)
        np.testing.assert_array_equal(plain, [0.1, 0.2])


def test_the_linear_rule_makes_the_monthly_hazard_linear_in_the_share_ahead():
    share = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    stage = np.zeros(5, dtype=np.int8)
    hazard = adoption.step_up_probability(np.full(5, -5.0), stage, 6.0, 0.03 * share)
    steps = np.diff(hazard)
    np.testing.assert_allclose(steps, steps[0])  # equal steps: a straight line
    assert steps[0] == pytest.approx(0.03 * 0.25)


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


def test_ngo_advice_lowers_the_cost_of_the_next_stage():
    assert utility(cost_factor=0.7) > utility()
    assert utility(cost_factor=0.0) == utility(subsidy=np.array([PARAMS.cost_implementing]))


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
