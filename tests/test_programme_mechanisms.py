"""Pure cores of the programme mechanisms M3-M10: directions of effect, conservation, edge cases."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorsim.compiled import ADVICE, Streams, compiled_params
from sectorsim.components import projects as project_book
from sectorsim.mechanisms import (
    broadening,
    cartel,
    chain,
    coalition,
    cohesion,
    funding,
    ngo,
    projects,
)
from sectorsim.outputs import MONTHLY_OUTPUTS, column
from sectorsim.params import Config
from sectorsim.randomness import RandomStreams


def accept(motivation, resources, cost=3000, slope=4.0):
    return coalition.acceptance_probability(motivation, resources, cost, 0.0, slope)


def test_acceptance_rises_with_motivation_and_resources():
    base = accept(0.5, 10_000.0)
    assert accept(0.9, 10_000.0) > base
    assert accept(0.5, 50_000.0) > base
    assert accept(0.5, 10_000.0, cost=30_000) < base
    assert accept(0.9, 10_000.0, slope=0.0) == pytest.approx(base)  # the slope is motivation's


def test_recruitment_takes_the_best_koplopers_first():
    order = coalition.recruitment_order(np.array([0, 1, 2, 3]), np.array([0.2, 0.9, 0.5, 0.7]))
    np.testing.assert_array_equal(order, [1, 3, 2, 0])


def test_attention_is_shared_once_the_coalition_outgrows_the_team():
    assert coalition.attention(10, 20) == 1.0
    assert coalition.attention(40, 20) == 0.5
    assert coalition.attention(5, 0) == 0.0


def test_enthusiasm_fades_without_attention_or_results_and_stays_in_bounds():
    fade = np.vectorize(coalition.fade_enthusiasm)
    e = np.array([0.5, 0.5, 0.01])
    faded = fade(e, 0.5, np.array([False, True, True]), 0.1)
    assert faded[0] < 0.5 and faded[1] < faded[0] and faded[2] == 0.0
    np.testing.assert_array_equal(fade(e, 1.0, np.zeros(3, bool), 0.1), e)


def test_dropout_falls_with_enthusiasm():
    p = [coalition.dropout_probability(e, 0.1) for e in (0.0, 0.5, 1.0)]
    np.testing.assert_allclose(p, [0.1, 0.05, 0.0])


def test_diversity_is_zero_for_one_kind_and_high_for_a_mix():
    assert cohesion.diversity(np.zeros(10, int), 4, 0, 0) == 0.0
    mixed = cohesion.diversity(np.array([0, 1, 2, 3]), 4, 1, 1)
    assert 0.9 < mixed <= 1.0
    assert cohesion.diversity(np.array([], int), 4, 0, 0) == 0.0


def test_groupthink_needs_cohesion_without_diversity():
    assert cohesion.groupthink(0.9, 0.1) > cohesion.groupthink(0.9, 0.9)
    assert cohesion.groupthink(0.1, 0.1) < cohesion.groupthink(0.9, 0.1)


def test_cohesion_builds_dilutes_and_decays_within_bounds():
    assert cohesion.build(0.2, 0.5) == pytest.approx(0.6)
    assert cohesion.dilute(0.8, 10, 10, 0.2) == pytest.approx(0.5)
    assert cohesion.dilute(0.8, 0, 0, 0.2) == 0.8
    assert cohesion.decay_without_team(0.8, 0.0, 0.25, 0.1) == pytest.approx(0.72)
    assert cohesion.decay_without_team(0.8, 0.3, 0.25, 0.1) == pytest.approx(0.8)  # self-carrying


def test_project_duration_spans_six_to_twentyfour_months():
    months = [projects.duration(r, 6, 24) for r in (0.0, 0.5, 1.0)]
    np.testing.assert_array_equal(months, [6, 15, 24])


def test_success_falls_with_radicalness_and_rises_with_support_and_funding():
    r = np.array([0.0, 1.0, 1.0, 1.0])
    supported = np.array([False, False, True, False])
    funded = np.array([False, False, False, True])
    chance = np.vectorize(projects.success_probability, excluded={3})
    p = chance(r, supported, funded, compiled_params(Config()).projects)
    assert p[0] > p[2] > p[1] and p[3] > p[1]
    assert ((p > 0) & (p < 1)).all()


def test_what_a_project_teaches_is_proportional_to_its_radicalness():
    r = np.array([0.0, 0.25, 0.5, 1.0])
    each = [projects.learning(radicalness, True, 0.2, 0.3) for radicalness in r]
    np.testing.assert_allclose(each, 0.2 * r)


def test_radical_and_successful_projects_teach_more():
    radical = projects.learning(1.0, True, 0.1, 0.3)
    safe = projects.learning(0.0, True, 0.1, 0.3)
    failed = projects.learning(1.0, False, 0.1, 0.3)
    assert radical > safe and radical > failed > 0


def test_project_book_tallies_the_projects_in_use():
    rows = 8  # preallocated; 5 in use, the rest must not count
    book = project_book.State(
        count=np.array([5]),
        start=np.arange(rows),
        end=np.arange(rows) + 6,
        radicalness=np.full(rows, 0.5),
        success_probability=np.full(rows, 0.5),
        status=np.full(rows, projects.ACTIVE, dtype=np.int8),
        flagged=np.zeros(rows, dtype=np.bool_),
        supported=np.zeros(rows, dtype=np.bool_),
        grant=np.zeros(rows),
        large_firm=np.full(rows, -1),
        segment=np.zeros(rows, dtype=np.int64),
    )
    book.status[[0, 1, 6]] = [projects.SUCCEEDED, projects.HALTED, projects.FAILED]
    book.flagged[[1, 7]] = True
    row = np.zeros(len(MONTHLY_OUTPUTS))
    project_book.record(book, row)
    tally = {
        name: row[column(name)]
        for name in ("projects_active", "projects_succeeded", "projects_failed", "projects_flagged")
    }
    assert tally == {
        "projects_active": 3,
        "projects_succeeded": 1,
        "projects_failed": 1,  # a halted project counts as failed
        "projects_flagged": 1,
    }
    np.testing.assert_array_equal(book.view("start"), np.arange(5))


def test_members_invite_more_strongly_than_the_team():
    r = np.vectorize(broadening.reach)(
        np.array([True, False, False, True]),
        np.array([False, True, False, True]),
        np.array([True, True, True, False]),
        0.25,
    )
    np.testing.assert_allclose(r, [1.0, 0.25, 0.0, 0.0])


def test_growth_slows_past_the_target():
    before = broadening.join_probability(1.0, 1.0, 0.1, 10, 30, 0.3)
    after = broadening.join_probability(1.0, 1.0, 0.1, 30, 30, 0.3)
    assert after == pytest.approx(0.3 * before)


def test_a_closed_coalition_keeps_its_knowledge_inside():
    access = np.vectorize(broadening.knowledge_access)
    member = np.array([True, False, False])
    carriers = np.array([0.0, 0.0, 3.0])
    closed = access(member, carriers, False, 0.2, 2.0)
    opened = access(member, carriers, True, 0.2, 2.0)
    np.testing.assert_allclose(closed, [1.0, 0.2, 0.2])
    np.testing.assert_allclose(opened, [1.0, 0.2, 1.0])
    # with more ties needed to see everything, one tie shows less
    few = access(member, np.array([0.0, 1.0, 1.0]), True, 0.2, 4.0)
    np.testing.assert_allclose(few, [1.0, 0.4, 0.4])


SME, LARGE = cartel.SME, cartel.LARGE


def test_competitor_share_counts_segments_where_at_least_two_compete():
    share = cartel.competitor_share(
        np.array([0, 0, 0, 1]),
        np.array([0, 0, 1, 1]),
        np.array([0.1, 0.15, 0.3, 0.05]),
        np.array([SME, SME, SME, SME]),
        2,
        2,
    )
    # group 0: two competitors in segment 0 (0.25); its lone firm in segment 1 competes with no one
    # group 1: a single firm, no cooperation between competitors
    np.testing.assert_allclose(share, [0.25, 0.0])


def test_a_large_firm_with_one_supplier_exchanges_nothing_among_competitors():
    segment, level = np.array([0, 0]), np.array([LARGE, SME])
    alone = cartel.competitor_share(
        np.zeros(2, np.int64), segment, np.array([0.25, 0.01]), level, 1, 1
    )
    assert alone[0] == 0.0
    # two competing suppliers with their buyer: hub and spoke, the buyer's share counts
    hub = cartel.competitor_share(
        np.zeros(3, np.int64),
        np.zeros(3, np.int64),
        np.array([0.25, 0.01, 0.02]),
        np.array([LARGE, SME, SME]),
        1,
        1,
    )
    assert hub[0] == pytest.approx(0.28)


def test_cartel_hazard_only_above_the_safe_harbour_and_lower_with_a_green_deal():
    def hazard(share, green_deal=False, precompetitive=False):
        cartel_params = {
            "safe_harbour_share": 0.2,
            "hazard": 0.04,
            "green_deal": green_deal,
            "green_deal_factor": 0.2,
            "precompetitive": precompetitive,
            "precompetitive_factor": 0.5,
        }
        p = compiled_params(Config.model_validate({"cartel": cartel_params})).cartel
        return cartel.flag_hazard(share, p)

    np.testing.assert_allclose([hazard(0.1), hazard(0.3)], [0.0, 0.04])
    assert hazard(0.3, green_deal=True) == pytest.approx(0.008)
    assert hazard(0.3, precompetitive=True) == pytest.approx(0.02)


def test_large_firms_chill_sharing_unless_precompetitive():
    assert cartel.sharing(0.0, 0, False, 0.4) == 1.0
    assert cartel.sharing(0.0, 1, False, 0.4) == pytest.approx(0.6)
    assert cartel.sharing(0.0, 1, True, 0.4) == 1.0
    assert cartel.sharing(0.5, 0, False, 0.4) == pytest.approx(0.5)


@given(st.floats(0, 1e7), st.lists(st.floats(0, 1e6), max_size=30))
def test_budget_never_goes_negative_and_spending_adds_up(total, payments):
    balance = funding.split(total, {"vouchers": 0.3, "projects": 0.5, "team": 0.2})
    spent = np.zeros(len(funding.CHANNELS))
    for i, amount in enumerate(payments):
        funding.pay(balance, spent, i % 3, amount)
    assert (balance >= 0).all()
    assert spent.sum() + balance.sum() == pytest.approx(total, rel=1e-9, abs=1e-6)


def test_affordable_counts_whole_payments():
    balance = funding.split(100.0, {"vouchers": 1.0, "projects": 0.0, "team": 0.0})
    assert funding.affordable(balance, funding.VOUCHERS, 30.0) == 3
    assert funding.affordable(balance, funding.PROJECTS, 1.0) == 0


def test_team_money_is_spread_over_the_months_left():
    relationships, spend = funding.extra_capacity(12_000.0, 12, 500.0)
    assert (relationships, spend) == (2.0, 1000.0)
    assert funding.extra_capacity(12_000.0, 0, 500.0) == (0.0, 0.0)


def test_sme_pressure_adds_chain_regulation_and_public_pressure_capped_at_one():
    pressure = np.vectorize(chain.sme_pressure)
    # SME 0's buyer requires it; SME 1's buyer does not; SMEs 2 and 3 have no buyer
    buyer_requires = np.array([True, False, False, False])
    size_factor = np.array([0.5, 0.5, 0.5, 1.0])  # micro, micro, micro, medium
    p = pressure(buyer_requires, size_factor, 0.4, False, 0.3, 0.0)
    np.testing.assert_allclose(p, [0.4, 0.0, 0.0, 0.0])
    dd = pressure(buyer_requires, size_factor, 0.4, True, 0.3, 0.0)
    np.testing.assert_allclose(dd, [0.55, 0.15, 0.15, 0.3])
    assert pressure(buyer_requires, size_factor, 0.9, True, 0.9, 0.9).max() == 1.0


def test_due_diligence_and_coalition_drive_large_firms():
    def drive(dd, member):
        return chain.large_firm_drive(0.3, dd, 0.0, member, 0.4, 0.2)

    assert drive(True, False) == pytest.approx(0.7)
    assert drive(False, True) == pytest.approx(0.5)
    assert drive(False, False) == pytest.approx(0.3)


def test_public_pressure_halves_every_half_life():
    p = 1.0
    for _ in range(12):
        p = ngo.decay_pressure(p, 12.0)
    assert p == pytest.approx(0.5)
    assert ngo.support_slots(3, 1, 4, 0.25) == 6


def test_advice_goes_to_eligible_smes_up_to_capacity_and_ends_when_they_move_on():
    streams = Streams.of(RandomStreams(0))
    streams.load(RandomStreams(0))
    rng = (streams.uniform, ADVICE)
    eligible = np.array([True, True, True, False, True])
    advised = np.zeros(5, bool)
    ngo.assign_advice(advised, eligible, 2, *rng)
    assert advised.sum() == 2 and not (advised & ~eligible).any()
    kept = advised.copy()
    ngo.assign_advice(advised, eligible, 2, *rng)
    np.testing.assert_array_equal(advised, kept)  # advice stays while the SME is eligible
    moved_on = eligible & ~kept  # the advised SMEs reach stage 2
    ngo.assign_advice(advised, moved_on, 2, *rng)
    assert not (advised & kept).any() and advised.sum() == 2
