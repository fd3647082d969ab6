"""Pattern-oriented tests: P1-P6 of ODD §1 over fixed-seed replicates, each with its band
and source. The measures live in :mod:`sectorsim.validation`, which also draws them for
docs/validation.md. If a change of mechanism or default moves a pattern out of its band, the test
names the pattern that broke.
"""

import numpy as np
import pytest

from sectorsim import load_scenario
from sectorsim.outputs import Phase, detect_phases
from sectorsim.validation import (
    BUDGETS_AT,
    IMVO,
    SIZES_AT,
    STRONG,
    WEAK,
    mean_series,
    measure_lever,
    measure_participants,
    outcomes,
    p_critical_mass,
    replicates,
)

pytestmark = pytest.mark.slow


def test_p3_without_a_programme_uptake_stays_near_the_covenant_level_for_years():
    """WestWing-nd: ~1.6% of firms in high-risk sectors in 2020 (7 years after 2013)."""
    mean = mean_series(replicates("baseline"), "adoption_share")
    assert 0.005 <= mean[60:97].mean() <= 0.04  # years 5-8
    assert mean[180] < 0.05  # still below take-off after 15 years


def test_p5_a_coalition_of_10_to_15_koplopers_grows_to_about_30():
    """DRIFT2015 §3 "Sectorcoalitie": 'groep van 10-15 deelnemers ... zal groeien tot zo'n
    dertig man'."""
    models = replicates(IMVO)
    assert 10 <= np.mean([m.series("coalition_size")[6] for m in models]) <= 15
    assert 22 <= np.mean([m.series("coalition_size")[:49].max() for m in models]) <= 40


def test_p4_the_programme_changes_its_participants_strongly():
    """MVOAlliantie-nd "Stap 1": of ~250 Koploper participants 72% take energy-saving measures
    and 95% think more about sustainability. Here: members at the programme's end against the
    rest of the sector."""
    m = measure_participants()
    assert 0.5 <= m["members_adopted"] <= 0.95  # band around the 72%
    assert m["members_engaged"] >= 0.95  # the 95% who think more about it
    assert m["members_adopted"] > 5 * m["others_adopted"]


def test_p1_a_strong_programme_gives_predevelopment_then_an_s_shaped_take_off():
    """DRIFT2015 §2: predevelopment, take-off, acceleration, stabilisation: an S over 25 years."""
    config = load_scenario(*STRONG)
    mean = mean_series(replicates(*STRONG), "adoption_share")
    phases = detect_phases(mean, config.phases, config.critical_mass_share)
    first = {Phase(p): int(np.argmax(phases == p)) for p in set(phases)}
    assert 12 <= first[Phase.TAKE_OFF] < first[Phase.ACCELERATION]
    growth = np.convolve(np.diff(mean), np.ones(12) / 12, mode="valid")
    end = config.programme.start_month + config.programme.duration
    peak = end + int(np.argmax(growth[end:]))  # the sector's own S, after the programme's push
    assert 60 < peak < 260  # fastest growth in the middle: an S, not an r
    assert mean[-1] > 0.75 and growth[-24:].mean() < 0.5 * growth[peak]  # and it levels off


def test_p2_transitions_can_fail():
    """DRIFT2015 §2 ("versterkte lock-in"): no take-off, or lock-in. Without a programme most
    runs never take off; a small unfunded programme takes off but stalls below critical mass
    (lock-in); the default programme mostly stalls below critical mass."""
    assert outcomes(replicates("baseline")).count("no take-off") >= 12
    weak = outcomes(replicates(IMVO, WEAK))
    assert set(weak) <= {"no take-off", "take-off", "setback"}
    assert p_critical_mass(replicates(IMVO)) <= 0.4


@pytest.fixture(scope="module")
def by_coalition_size():
    return measure_lever("coalition.initial_size", (5, 12, 25, 40), SIZES_AT)


def test_p6_probability_of_critical_mass_rises_steeply_with_coalition_size(by_coalition_size):
    """Critical mass as a threshold phenomenon: almost nothing below a dozen koplopers, then a
    steep rise (24 replicates a point: standard error at most 0.1)."""
    p = by_coalition_size
    assert p[5] <= 0.1 and p[40] >= 0.45
    assert p[5] <= p[12] <= p[25] + 0.1 and p[25] <= p[40] + 0.1
    # not linear: a koploper added below 12 buys less than one added above it
    assert (p[12] - p[5]) / 7 < (p[40] - p[12]) / 28 + 0.01


def test_p6_probability_of_critical_mass_rises_with_funding():
    p = measure_lever("funding.budget", (0.0, 500_000.0, 2_000_000.0), BUDGETS_AT)
    assert p[0.0] <= 0.1 and p[2_000_000.0] >= 0.3
    assert p[0.0] < p[500_000.0] <= p[2_000_000.0] + 0.1


def test_the_levers_span_no_take_off_and_critical_mass(by_coalition_size):
    """Coalition size 5-40 and budget 0 to EUR 2 million span runs that never reach critical mass
    and runs that nearly always do."""
    corner = [m.summary() for m in replicates(IMVO, WEAK)]
    assert not any(s["critical_mass_reached"] for s in corner)
    assert by_coalition_size[5] == 0.0 and by_coalition_size[40] >= 0.9
