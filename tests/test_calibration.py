"""Calibration: the calibrated defaults meet the observations of the source documents within
their stated bands; the ABC machinery is reproducible and resumable."""

import json

import numpy as np
import pandas as pd
import pytest

from sectorsim.calibration import (
    OBSERVATIONS,
    PRIOR,
    QUICK,
    distance,
    measure,
    prior_sample,
    run_calibration,
)
from sectorsim.cli import main
from sectorsim.params import PARAMETERS


@pytest.mark.slow
def test_the_calibrated_defaults_meet_every_observation_within_its_band():
    stats = measure({}, seed=7, reps=16)
    for o in OBSERVATIONS:
        low, high = o.band
        assert low <= stats[o.name] <= high, f"{o.name}: {stats[o.name]:.3f} outside {o.band}"


def test_every_calibrated_parameter_cites_the_calibration_and_lies_in_its_prior():
    for key, (low, high) in PRIOR.items():
        spec = PARAMETERS[key]
        assert low <= spec.default <= high
        assert "calibrated" in spec.source, key


def test_distance_is_zero_at_the_targets_and_counts_a_factor_two_in_uptake_as_one():
    exact = {o.name: o.target for o in OBSERVATIONS}
    assert distance(exact) == 0.0
    assert distance({**exact, "uptake": 0.032}) == pytest.approx(1.0)
    assert distance({**exact, "measures": 0.62}) == pytest.approx(1.0)
    assert distance({**exact, "coalition": float("nan")}) == np.inf


def test_the_prior_sample_is_a_seeded_latin_hypercube_inside_the_prior():
    points = pd.DataFrame(prior_sample(QUICK))
    assert len(points) == QUICK.n
    for key, (low, high) in PRIOR.items():
        assert points[key].between(low, high).all()
        # one point in each of the n strata of every parameter
        strata = np.floor((points[key] - low) / (high - low) * QUICK.n).astype(int)
        assert sorted(strata) == list(range(QUICK.n))
    assert points.equals(pd.DataFrame(prior_sample(QUICK)))


def test_calibration_is_the_same_for_any_number_of_workers_and_after_a_resume(tmp_path):
    one = run_calibration(tmp_path / "one", QUICK, workers=1)
    two = run_calibration(tmp_path / "two", QUICK, workers=2)
    pd.testing.assert_frame_equal(one, two)

    def stop(done, total):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_calibration(tmp_path / "cut", QUICK, workers=1, progress=stop)
    manifest = json.loads((tmp_path / "cut" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    resumed = run_calibration(tmp_path / "cut", QUICK, workers=1, resume=True)
    pd.testing.assert_frame_equal(resumed, one)
    report = (tmp_path / "one" / "report.md").read_text()
    assert "posterior median" in report and "## Fit" in report
    assert len(pd.read_csv(tmp_path / "one" / "posterior.csv")) >= 2


def test_cli_calibrate_quick_writes_its_report(tmp_path, capsys):
    out = tmp_path / "cal"
    assert main(["calibrate", "--quick", "--out", str(out)]) == 0
    assert "imitation.linear_rate" in capsys.readouterr().out
    assert (out / "posterior.png").stat().st_size > 10_000
    assert main(["calibrate", "--n", "0", "--out", str(tmp_path / "bad")]) == 2
    assert not (tmp_path / "bad").exists()
