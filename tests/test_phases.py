"""Transition phases and outcome classes on made-up adoption curves (ODD §6, ODD §7)."""

import numpy as np

from sectorsim.outputs import Phase, PhaseTracker, classify_outcome, detect_phases, first_month
from sectorsim.params import PhaseParams

PARAMS = PhaseParams()
CM = 0.25


def logistic(months, midpoint, rate=0.1, top=0.8):
    t = np.arange(months)
    return top / (1 + np.exp(-rate * (t - midpoint)))


def test_an_s_curve_passes_all_four_phases_in_order():
    phases = detect_phases(logistic(240, 100), PARAMS, CM)
    seen = [Phase(p) for p in dict.fromkeys(phases)]
    assert seen == [Phase.PREDEVELOPMENT, Phase.TAKE_OFF, Phase.ACCELERATION, Phase.STABILISATION]
    assert classify_outcome(phases, first_month(logistic(240, 100) >= CM)) == "stabilised"


def test_a_rise_and_fall_before_critical_mass_is_a_setback():
    curve = np.concatenate([logistic(80, 40, top=0.15), np.linspace(0.15, 0.05, 40)])
    phases = detect_phases(curve, PARAMS, CM)
    assert Phase.SETBACK in phases
    assert classify_outcome(phases, None) == "setback"


def test_flat_low_adoption_never_takes_off():
    phases = detect_phases(np.full(180, 0.016), PARAMS, CM)
    assert set(phases) == {Phase.PREDEVELOPMENT}
    assert classify_outcome(phases, None) == "no take-off"


def test_detection_is_causal():
    curve = logistic(200, 90)
    full = detect_phases(curve, PARAMS, CM)
    for cut in (30, 90, 150):
        np.testing.assert_array_equal(detect_phases(curve[:cut], PARAMS, CM), full[:cut])


def test_tracker_month_by_month_equals_detect_phases():
    curve = logistic(120, 50)
    tracker = PhaseTracker(PARAMS, CM)
    np.testing.assert_array_equal(
        [tracker.update(a) for a in curve], detect_phases(curve, PARAMS, CM)
    )
