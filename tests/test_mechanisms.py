"""The pure cores of M1 adoption, M2 imitation and M11 relapse: directions of effect and edge cases."""

import numpy as np
import pytest
import scipy.sparse as sp

from sectorsim.compiled import compiled_params
from sectorsim.mechanisms import adoption, imitation, relapse
from sectorsim.network import Network
from sectorsim.params import Config
from sectorsim.ties import Ties


def path_network(n):
    """0 - 1 - 2 - ... - (n-1)."""
    rows = np.arange(n - 1)
    adj = sp.coo_array((np.ones(n - 1), (rows, rows + 1)), shape=(n, n))
    return Network(n, (adj + adj.T).tocsr())


def peers_ahead(
    stage,
    koploper,
    extra,
    net,
    segment,
    n_segments,
    segment_weight,
    max_share=1.0,
    segment_large_firms=None,
):
    """M2's share ahead with the network as CSR arrays; no large firms unless given."""
    ties = Ties.of(net)
    if segment_large_firms is None:
        segment_large_firms = np.zeros(n_segments)
    return imitation.peers_ahead(
        np.asarray(stage, dtype=np.int8),
        np.asarray(koploper, dtype=np.bool_),
        extra,
        ties.indptr,
        ties.indices,
        ties.complete,
        np.asarray(segment, dtype=np.int64),
        n_segments,
        segment_weight,
        max_share,
        np.asarray(segment_large_firms, dtype=np.float64),
    )


def test_peers_ahead_counts_neighbours_at_a_higher_stage():
    net = path_network(3)
    stage = np.array([0, 2, 1], dtype=np.int8)
    share = peers_ahead(stage, np.zeros(3, bool), 0.0, net, np.zeros(3, int), 1, 0.0)
    # SME 0 sees 1 (ahead); SME 1 sees 0 and 2 (both behind); SME 2 sees 1 (ahead)
    np.testing.assert_allclose(share, [1.0, 0.0, 1.0])


def test_segment_competitors_count_with_their_weight():
    net = Network(4, sp.csr_array((4, 4)))  # no ties: only competitors matter
    stage = np.array([0, 2, 0, 0], dtype=np.int8)
    segment = np.array([0, 0, 0, 1])
    share = peers_ahead(stage, np.zeros(4, bool), 0.0, net, segment, 2, 1.0)
    np.testing.assert_allclose(share, [0.5, 0.0, 0.5, 0.0])  # SME 3 is alone in its segment


def test_podium_visibility_raises_the_pull_of_a_koploper():
    net = Network(3, None)  # complete
    stage = np.array([2, 0, 0], dtype=np.int8)
    koploper = np.array([True, False, False])
    zeros = np.zeros(3, int)
    plain = peers_ahead(stage, koploper, 0.0, net, zeros, 1, 0.0)
    podium = peers_ahead(stage, koploper, 3.0, net, zeros, 1, 0.0)
    assert plain[1] == pytest.approx(0.5) and podium[1] == pytest.approx(4 / 5)


def test_the_koplopers_weight_in_a_reference_group_stops_at_the_ceiling():
    net = Network(5, None)  # complete: each firm sees the four others
    stage = np.array([2, 0, 0, 0, 0], dtype=np.int8)
    koploper = np.array([True, False, False, False, False])
    zeros = np.zeros(5, int)
    # uncapped: (1 + 9) / (4 + 9) = 10/13 of firm 1's group is the koploper
    free = peers_ahead(stage, koploper, 9.0, net, zeros, 1, 0.0, max_share=1.0)
    capped = peers_ahead(stage, koploper, 9.0, net, zeros, 1, 0.0, max_share=0.5)
    assert free[1] == pytest.approx(10 / 13)
    assert capped[1] == pytest.approx(0.5)
    # below the ceiling the cap changes nothing
    small = peers_ahead(stage, koploper, 1.0, net, zeros, 1, 0.0, max_share=0.5)
    assert small[1] == pytest.approx(2 / 5)


def test_an_adopted_coalition_large_firm_counts_in_its_segment_as_a_peer_at_stage_two():
    net = Network(3, sp.csr_array((3, 3)))  # no ties: only the segment
    stage = np.array([0, 1, 2], dtype=np.int8)
    share = peers_ahead(
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
    assert imitation.podium_intensity(3, 5, -1, 6.0) == 0.0  # end -1: still running
    assert imitation.podium_intensity(10, 5, -1, 6.0) == 1.0
    assert imitation.podium_intensity(19, 5, 20, 6.0) == 1.0  # month 19 is its last
    assert imitation.podium_intensity(20, 5, 20, 6.0) == pytest.approx(0.5 ** (1 / 6))
    assert imitation.podium_intensity(25, 5, 20, 6.0) == pytest.approx(0.5)
    assert imitation.podium_intensity(31, 5, 20, 6.0) == pytest.approx(0.25)
    assert imitation.podium_intensity(21, 5, 20, 0.0) == 0.0


def test_nobody_is_ahead_of_stage_three():
    net = Network(2, None)
    share = peers_ahead(
        np.array([3, 3], dtype=np.int8), np.ones(2, bool), 2.0, net, np.zeros(2, int), 1, 0.5
    )
    np.testing.assert_array_equal(share, [0.0, 0.0])


def test_complex_contagion_is_all_or_nothing_at_the_threshold():
    signal = [
        imitation.imitation_signal(share, 0.2, imitation.COMPLEX) for share in (0.1, 0.2, 0.3)
    ]
    np.testing.assert_array_equal(signal, [0.0, 1.0, 1.0])
    for rule in (imitation.LINEAR, imitation.LOGIT):
        plain = [imitation.imitation_signal(share, 0.2, rule) for share in (0.1, 0.2)]
        np.testing.assert_array_equal(plain, [0.1, 0.2])


def test_the_linear_rule_makes_the_monthly_hazard_linear_in_the_share_ahead():
    share = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    hazard = np.array([adoption.step_up_probability(-5.0, 0, 6.0, 0.03 * s) for s in share])
    steps = np.diff(hazard)
    np.testing.assert_allclose(steps, steps[0])  # equal steps: a straight line
    assert steps[0] == pytest.approx(0.03 * 0.25)


PARAMS = compiled_params(Config()).adoption


def utility(**kw):
    base = dict(
        stage=1,
        motivation=0.5,
        social=0.0,
        pressure=0.0,
        knowledge=0.0,
        subsidy=0.0,
        resources=10_000.0,
        cost_factor=1.0,
        p=PARAMS,
    )
    base.update(kw)
    return adoption.utility(**base)


@pytest.mark.parametrize(
    "name,low,high",
    [
        ("motivation", 0.1, 0.9),
        ("social", 0.0, 0.5),
        ("pressure", 0.0, 0.5),
        ("knowledge", 0.0, 0.5),
        ("subsidy", 0.0, 10_000.0),
        ("resources", 5_000.0, 50_000.0),
    ],
)
def test_utility_rises_with_each_driver(name, low, high):
    assert utility(**{name: high}) > utility(**{name: low})


def test_subsidy_beyond_the_cost_adds_nothing():
    cost = PARAMS.cost_implementing
    assert utility(subsidy=cost) == utility(subsidy=cost * 3)


def test_step_up_is_capped_by_dwell_and_stage_three_is_left_to_projects():
    prob = [adoption.step_up_probability(50.0, stage, 4.0, 0.0) for stage in (0, 1, 2, 3)]
    np.testing.assert_allclose(prob, [0.25, 0.25, 0.0, 0.0])


def test_ngo_advice_lowers_the_cost_of_the_next_stage():
    assert utility(cost_factor=0.7) > utility()
    assert utility(cost_factor=0.0) == utility(subsidy=PARAMS.cost_implementing)


def test_a_voucher_lowers_only_the_cost_of_implementing():
    with_voucher = utility(stage=0, subsidy=5_000.0)
    assert with_voucher == utility(stage=0)
    assert utility(subsidy=5_000.0) > utility()


def test_bass_probability_rises_with_share():
    # the caller skips adopters: the rule is only asked about non-adopters
    none, half = (adoption.bass_probability(share, 0.01, 0.3) for share in (0.0, 0.5))
    assert half > none > 0


def test_threshold_needs_neighbours_and_the_share():
    reached = [
        adoption.threshold_reached(share, threshold, degree)
        for share, threshold, degree in (
            (0.2, 0.18, 5),
            (0.1, 0.18, 5),
            (0.0, 0.18, 0),
            (0.0, 0.0, 0),
        )
    ]
    # the last: a zero threshold is not reached without neighbours
    np.testing.assert_array_equal(reached, [True, False, False, False])


def test_relapse_spares_supported_and_stage_zero_and_three():
    stage = np.array([0, 1, 2, 3, 2], dtype=np.int8)
    supported = np.array([False, False, False, False, True])
    prob = np.vectorize(relapse.relapse_probability)(stage, 0.0, 0.0, supported, 0.1)
    np.testing.assert_allclose(prob, [0, 0.1, 0.1, 0, 0])


def test_peers_and_pressure_protect_against_relapse():
    alone, peers, pressure = (
        relapse.relapse_probability(1, peers_, pressure_, False, 0.1)
        for peers_, pressure_ in ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5))
    )
    assert alone > peers and alone > pressure
