"""The two textbook special cases reproduce their analytic results (ODD §6).

Both tests use parameter values other than the presets'. Tolerances come from the sampling
error of the replicates plus a stated finite-size allowance: the analytic results hold for an
infinite population, the model has a finite one.
"""

import numpy as np
import pytest

from sectorsim import SectorModel, load_scenario
from sectorsim.analytic import bass_curve, watts_cascade_probability
from sectorsim.runs import replicate_seeds

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("p,q", [(0.01, 0.12), (0.002, 0.06)])
def test_bass_mean_curve_matches_closed_form(p, q):
    n, reps, months = 2000, 150, 150
    config = load_scenario(
        "bass", {"adoption.p": p, "adoption.q": q, "sme.count": n, "months": months}
    )
    curves = np.array(
        [
            SectorModel(config, seed=s).run().timeseries()["adoption_share"].to_numpy()
            for s in replicate_seeds(11, reps)
        ]
    )
    mean = curves.mean(axis=0)
    standard_error = curves.std(axis=0, ddof=1) / np.sqrt(reps)
    expected = bass_curve(p, q, np.arange(months + 1))
    # 4 standard errors of the mean, plus 0.004 for finite n (self-exclusion and the
    # curvature of the monthly hazard give an O(1/n) bias; measured ~0.002 at n = 2000)
    assert np.all(np.abs(mean - expected) <= 4 * standard_error + 0.004)
    assert expected[-1] > 0.9  # the comparison covers the whole S-curve


def test_bass_with_initial_adopters_follows_the_shifted_solution():
    n, reps, months, seeds = 1000, 100, 80, 50
    config = load_scenario(
        "bass",
        {
            "adoption.p": 0.004,
            "adoption.q": 0.09,
            "sme.count": n,
            "months": months,
            "adoption.initial_adopters": seeds,
        },
    )
    curves = np.array(
        [
            SectorModel(config, seed=s).run().timeseries()["adoption_share"].to_numpy()
            for s in replicate_seeds(5, reps)
        ]
    )
    expected = bass_curve(0.004, 0.09, np.arange(months + 1), f0=seeds / n)
    standard_error = curves.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(curves.mean(axis=0) - expected) <= 4 * standard_error + 0.005)


def cascade_frequency(mean_degree, threshold, threshold_sd, reps, n=4000):
    config = load_scenario(
        "threshold",
        {
            "network.mean_degree": mean_degree,
            "adoption.threshold": threshold,
            "adoption.threshold_sd": threshold_sd,
            "sme.count": n,
            "months": 60,
        },
    )
    finals = np.array(
        [
            SectorModel(config, seed=s).run().summary()["final_adoption"]
            for s in replicate_seeds(int(mean_degree * 100), reps)
        ]
    )
    return np.mean(finals > 0.5), finals


@pytest.mark.parametrize(
    "mean_degree,threshold,threshold_sd",
    [
        (2.5, 0.16, 0.0),  # deep inside the window
        (4.5, 0.16, 0.0),
        (3.0, 0.22, 0.04),  # thresholds drawn per SME
    ],
)
def test_global_cascade_frequency_matches_watts_inside_the_window(
    mean_degree, threshold, threshold_sd
):
    reps = 120
    expected = watts_cascade_probability(mean_degree, threshold, threshold_sd)
    observed, finals = cascade_frequency(mean_degree, threshold, threshold_sd, reps)
    # 3 binomial standard errors, plus 0.08 for the finite graph (n = 4000)
    assert abs(observed - expected) <= 3 * np.sqrt(expected * (1 - expected) / reps) + 0.08
    assert expected > 0.5
    # cascades are global or nothing: almost no run ends in between
    assert np.mean((finals > 0.05) & (finals < 0.5)) < 0.05


@pytest.mark.parametrize("mean_degree", [0.7, 9.0])
def test_almost_no_global_cascades_outside_the_window(mean_degree):
    assert watts_cascade_probability(mean_degree, 0.16) == 0.0
    observed, _ = cascade_frequency(mean_degree, 0.16, 0.0, reps=80)
    assert observed <= 0.03


def test_analytic_window_for_phi_018_spans_about_one_to_six():
    from sectorsim.analytic import watts_cascade_window

    window = watts_cascade_window(0.18)
    assert 0.9 < window.min() < 1.2 and 5.5 < window.max() < 6.5  # Watts 2002, Fig. 1
