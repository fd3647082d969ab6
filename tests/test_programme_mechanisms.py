"""Pure cores of the programme mechanisms M3-M10: directions of effect, conservation, edge cases."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from sectorsim.params import ProjectParams


def accept(motivation, resources, cost=3000, slope=4.0):
    return coalition.acceptance_probability(
        np.array([motivation]), np.array([resources]), cost, 0.0, slope
    )[0]


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
    e = np.array([0.5, 0.5, 0.01])
    faded = coalition.fade_enthusiasm(e, 0.5, np.array([False, True, True]), 0.1)
    assert faded[0] < 0.5 and faded[1] < faded[0] and faded[2] == 0.0
    np.testing.assert_array_equal(coalition.fade_enthusiasm(e, 1.0, np.zeros(3, bool), 0.1), e)


def test_dropout_falls_with_enthusiasm():
    p = coalition.dropout_probability(np.array([0.0, 0.5, 1.0]), 0.1)
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
    np.testing.assert_array_equal(projects.duration(np.array([0.0, 0.5, 1.0]), 6, 24), [6, 15, 24])


def test_success_falls_with_radicalness_and_rises_with_support_and_funding():
    r = np.array([0.0, 1.0, 1.0, 1.0])
    supported = np.array([False, False, True, False])
    funded = np.array([False, False, False, True])
    p = projects.success_probability(r, supported, funded, ProjectParams())
    assert p[0] > p[2] > p[1] and p[3] > p[1]
    assert ((p > 0) & (p < 1)).all()


def test_what_a_project_teaches_is_proportional_to_its_radicalness():
    r = np.array([0.0, 0.25, 0.5, 1.0])
    each = [projects.learning(r[[k]], np.array([True]), 0.2, 0.3, 1.0) for k in range(4)]
    np.testing.assert_allclose(each, 0.2 * r)


def test_radical_and_successful_projects_teach_more():
    radical = projects.learning(np.array([1.0]), np.array([True]), 0.1, 0.3, 1.0)
    safe = projects.learning(np.array([0.0]), np.array([True]), 0.1, 0.3, 1.0)
    failed = projects.learning(np.array([1.0]), np.array([False]), 0.1, 0.3, 1.0)
    assert radical > safe and radical > failed > 0
    assert projects.learning(np.array([1.0]), np.array([True]), 0.1, 0.3, 0.0) == 0.0


def test_project_book_grows_and_tallies():
    book = projects.ProjectBook(capacity=2)
    for i in range(5):
        book.add(
            start=[i], end=[i + 6], radicalness=[0.5], status=[projects.ACTIVE], large_firm=[-1]
        )
    book.status[[0, 1]] = [projects.SUCCEEDED, projects.HALTED]
    book.flagged[1] = True
    assert book.count == 5 and book.capacity >= 5
    assert book.tally() == {
        "projects_active": 3,
        "projects_succeeded": 1,
        "projects_failed": 1,
        "projects_flagged": 1,
    }
    np.testing.assert_array_equal(book.start, np.arange(5))


def test_members_invite_more_strongly_than_the_team():
    r = broadening.reach(
        np.array([True, False, False, True]),
        np.array([False, True, False, True]),
        np.array([True, True, True, False]),
        0.25,
    )
    np.testing.assert_allclose(r, [1.0, 0.25, 0.0, 0.0])


def test_growth_slows_past_the_target():
    before = broadening.join_probability(np.ones(1), np.ones(1), 0.1, 10, 30, 0.3)
    after = broadening.join_probability(np.ones(1), np.ones(1), 0.1, 30, 30, 0.3)
    assert after[0] == pytest.approx(0.3 * before[0])


def test_a_closed_coalition_keeps_its_knowledge_inside():
    member = np.array([True, False, False])
    carriers = np.array([0.0, 0.0, 3.0])
    closed = broadening.knowledge_access(member, carriers, False, 0.2, 2.0)
    opened = broadening.knowledge_access(member, carriers, True, 0.2, 2.0)
    np.testing.assert_allclose(closed, [1.0, 0.2, 0.2])
    np.testing.assert_allclose(opened, [1.0, 0.2, 1.0])
    # with more ties needed to see everything, one tie shows less
    few = broadening.knowledge_access(member, np.array([0.0, 1.0, 1.0]), True, 0.2, 4.0)
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
    alone = cartel.competitor_share(np.zeros(2, int), segment, np.array([0.25, 0.01]), level, 1, 1)
    assert alone[0] == 0.0
    # two competing suppliers with their buyer: hub and spoke, the buyer's share counts
    hub = cartel.competitor_share(
        np.zeros(3, int),
        np.zeros(3, int),
        np.array([0.25, 0.01, 0.02]),
        np.array([LARGE, SME, SME]),
        1,
        1,
    )
    assert hub[0] == pytest.approx(0.28)


def test_cartel_hazard_only_above_the_safe_harbour_and_lower_with_a_green_deal():
    shares = np.array([0.1, 0.3])
    plain = cartel.flag_hazard(shares, 0.2, 0.04, False, 0.2, False, 0.5)
    deal = cartel.flag_hazard(shares, 0.2, 0.04, True, 0.2, False, 0.5)
    pre = cartel.flag_hazard(shares, 0.2, 0.04, False, 0.2, True, 0.5)
    np.testing.assert_allclose(plain, [0.0, 0.04])
    assert deal[1] == pytest.approx(0.008) and pre[1] == pytest.approx(0.02)


def test_large_firms_chill_sharing_unless_precompetitive():
    assert cartel.sharing(0.0, 0, False, 0.4) == 1.0
    assert cartel.sharing(0.0, 1, False, 0.4) == pytest.approx(0.6)
    assert cartel.sharing(0.0, 1, True, 0.4) == 1.0
    assert cartel.sharing(0.5, 0, False, 0.4) == pytest.approx(0.5)


@given(st.floats(0, 1e7), st.lists(st.floats(0, 1e6), max_size=30))
def test_budget_never_goes_negative_and_spending_adds_up(total, payments):
    budget = funding.Budget.split(total, {"vouchers": 0.3, "projects": 0.5, "team": 0.2})
    for i, amount in enumerate(payments):
        budget.pay(funding.CHANNELS[i % 3], amount)
    assert all(v >= 0 for v in budget.balance.values())
    assert budget.total_spent + sum(budget.balance.values()) == pytest.approx(
        total, rel=1e-9, abs=1e-6
    )


def test_affordable_counts_whole_payments():
    budget = funding.Budget.split(100.0, {"vouchers": 1.0, "projects": 0.0, "team": 0.0})
    assert budget.affordable("vouchers", 30.0) == 3
    assert budget.affordable("projects", 1.0) == 0


def test_team_money_is_spread_over_the_months_left():
    relationships, spend = funding.extra_capacity(12_000.0, 12, 500.0)
    assert (relationships, spend) == (2.0, 1000.0)
    assert funding.extra_capacity(12_000.0, 0, 500.0) == (0.0, 0.0)


def test_sme_pressure_adds_chain_regulation_and_public_pressure_capped_at_one():
    buyer = np.array([0, 1, -1, -1])
    requires = np.array([True, False])
    size = np.array([0, 0, 0, 2])
    factor = np.array([0.5, 0.75, 1.0])
    p = chain.sme_pressure(buyer, requires, size, 0.4, False, 0.3, 0.0, factor)
    np.testing.assert_allclose(p, [0.4, 0.0, 0.0, 0.0])
    dd = chain.sme_pressure(buyer, requires, size, 0.4, True, 0.3, 0.0, factor)
    np.testing.assert_allclose(dd, [0.55, 0.15, 0.15, 0.3])
    assert chain.sme_pressure(buyer, requires, size, 0.9, True, 0.9, 0.9, factor).max() == 1.0


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
    rng = np.random.default_rng(0)
    eligible = np.array([True, True, True, False, True])
    advised = ngo.assign_advice(np.zeros(5, bool), eligible, 2, rng)
    assert advised.sum() == 2 and not (advised & ~eligible).any()
    kept = advised.copy()
    again = ngo.assign_advice(advised, eligible, 2, rng)
    np.testing.assert_array_equal(again, kept)  # advice stays while the SME is eligible
    moved_on = eligible & ~kept  # the advised SMEs reach stage 2
    after = ngo.assign_advice(kept, moved_on, 2, rng)
    assert not (after & kept).any() and after.sum() == 2
