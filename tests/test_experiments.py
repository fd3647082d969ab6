"""Experiments: files, samplers, evaluators (serial, process pool, Dask), the run store with
resume, and the analysis report."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sectorsim.batch.runners import chunks
from sectorsim.batch.store import stored_rows
from sectorsim.cli import main
from sectorsim.config import ConfigError
from sectorsim.experiments import plan, run_experiment
from sectorsim.experiments.analysis import analyze
from sectorsim.experiments.sampling import points
from sectorsim.experiments.spec import load_experiment

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = sorted((ROOT / "experiments").glob("e*.toml"))

SMALL = """
[experiment]
name = "small"
scenario = "imvo_samen_veranderen"
replications = 3
seed = 7
months = 60

[set]
sme.count = 150

[factors]
coalition.initial_size = [5, 25]
funding.budget = {min = 0.0, max = 1_000_000.0}

[sampling]
method = "grid"
n = 3
"""


def write(tmp_path, text, name="exp.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


# ---- files -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_headline_experiment_files_load_and_say_what_they_answer(path):
    experiment = load_experiment(path)
    assert experiment.factors and experiment.replications >= 1
    assert path.read_text().startswith("# E"), "each file opens with the question it answers"


def test_headline_experiments_cover_e1_to_e5():
    assert [p.stem.split("_")[0] for p in EXPERIMENTS] == ["e1", "e2", "e3", "e4", "e5"]


@pytest.mark.parametrize(
    "edit,key,needle",
    [
        (("[sampling]", "[samplng]"), "samplng", "did you mean 'sampling'"),
        (("seed = 7", "sead = 7"), "experiment.sead", "did you mean 'experiment.seed'"),
        (
            ("coalition.initial_size = [5, 25]", "coalition.intial_size = [5, 25]"),
            "factors.coalition.intial_size",
            "unknown key",
        ),
        (
            ("coalition.initial_size = [5, 25]", "coalition.initial_size = [5, 99999]"),
            "factors.coalition.initial_size",
            "out of range",
        ),
        (("max = 1_000_000.0", "max = -1.0"), "factors.funding.budget", "allowed"),
        (('method = "grid"', 'method = "random"'), "sampling.method", "'lhs'"),
        (("sme.count = 150", "sme.count = 5"), "set.sme.count", "out of range"),
        (("replications = 3", "replications = 0"), "experiment.replications", "at least 1"),
        (("replications = 3", "replications = 2.5"), "experiment.replications", "wrong type"),
        (('method = "grid"', 'method = "grid"\nsize = 3'), "sampling.size", "sampling.n"),
        (("seed = 7", "seed = 7\nbaseline = 1"), "experiment.baseline", "true or false"),
        (
            ('scenario = "imvo_samen_veranderen"', 'scenario = "nowhere"'),
            "experiment.scenario",
            "no such scenario",
        ),
    ],
)
def test_bad_experiment_files_name_file_key_and_what_is_allowed(tmp_path, edit, key, needle):
    path = write(tmp_path, SMALL.replace(*edit))
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    assert info.value.key == key and needle in str(info.value) and "exp.toml" in str(info.value)


def test_lhs_needs_n(tmp_path):
    with pytest.raises(ConfigError, match="sampling.n"):
        load_experiment(write(tmp_path, SMALL.replace('method = "grid"\nn = 3', 'method = "lhs"')))


def test_bad_file_exits_2_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, SMALL.replace("[5, 25]", "[5, -3]"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "factors.coalition.initial_size" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ---- samplers --------------------------------------------------------------------------------
def test_grid_is_the_full_factorial_with_range_levels(tmp_path):
    pts = points(load_experiment(write(tmp_path, SMALL)))
    assert len(pts) == 2 * 3
    assert sorted({p["funding.budget"] for p in pts}) == [0.0, 500_000.0, 1_000_000.0]


@pytest.mark.parametrize(
    "method,n,count", [("lhs", 20, 20), ("sobol", 8, 8 * (3 + 2)), ("morris", 5, 5 * (3 + 1))]
)
def test_samplers_stay_in_range_and_repeat_with_the_seed(tmp_path, method, n, count):
    text = (
        SMALL.replace("[5, 25]", "{min = 5, max = 40, integer = true}")
        .replace('method = "grid"\nn = 3', f'method = "{method}"\nn = {n}')
        .replace("[factors]", "[factors]\nbroadening.open = [true, false]")
    )
    experiment = load_experiment(write(tmp_path, text))
    pts = points(experiment)
    assert len(pts) == count and pts == points(experiment)
    sizes = [p["coalition.initial_size"] for p in pts]
    assert all(isinstance(s, int) and 5 <= s <= 40 for s in sizes)
    assert all(0 <= p["funding.budget"] <= 1e6 for p in pts)
    assert {p["broadening.open"] for p in pts} <= {True, False}


def test_log_ranges_are_sampled_in_log_space(tmp_path):
    text = SMALL.replace(
        "funding.budget = {min = 0.0, max = 1_000_000.0}",
        "funding.budget = {min = 1_000.0, max = 1_000_000.0, log = true}",
    )
    text = text.replace('method = "grid"\nn = 3', 'method = "lhs"\nn = 400')
    budgets = np.array(
        [p["funding.budget"] for p in points(load_experiment(write(tmp_path, text)))]
    )
    assert 0.4 < np.mean(budgets < 31_623) < 0.6  # the geometric midpoint splits a log sample


def test_every_point_runs_the_same_replicate_sectors(tmp_path):
    """Common random numbers: replicate r has one seed at every point; replicates differ; more
    replicates keep the seeds of the first ones."""
    tasks = plan(load_experiment(write(tmp_path, SMALL)))
    more = plan(
        load_experiment(
            write(tmp_path, SMALL.replace("replications = 3", "replications = 5"), "b.toml")
        )
    )
    seeds = {(t.keys["point"], t.keys["replicate"]): t.seed for t in tasks}
    assert len({t.keys["point"] for t in tasks}) == 6
    for t in tasks:
        assert t.seed == seeds[(0, t.keys["replicate"])]
    assert len(set(seeds.values())) == 3
    assert all(seeds[(0, t.keys["replicate"])] == t.seed for t in more if t.keys["replicate"] < 3)


# ---- evaluators and store ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def serial_result(tmp_path_factory):
    d = tmp_path_factory.mktemp("serial")
    path = write(d, SMALL)
    return path, run_experiment(path, out=d / "out", workers=1)


def test_outputs_and_manifest(serial_result):
    path, (runs, ts) = serial_result
    out = path.parent / "out"
    assert {"runs.parquet", "timeseries.parquet", "manifest.json"} <= {
        p.name for p in out.iterdir()
    }
    assert len(runs) == 18 and (runs["status"] == "done").all()
    assert {
        "coalition.initial_size",
        "funding.budget",
        "point",
        "replicate",
        "seed",
        "final_adoption",
    } <= set(runs.columns)
    assert len(ts) == 18 * 61 and {"run_id", "month", "adoption_share"} <= set(ts.columns)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (
        manifest["text"] == path.read_text()
        and manifest["runs_done"] == 18
        and manifest["runs_failed"] == 0
    )
    assert manifest["status"] == "complete" and manifest["libraries"]["mesa"] and manifest["python"]
    assert manifest["started"] <= manifest["ended"]


def test_two_workers_give_identical_results(serial_result, tmp_path):
    path, (runs, ts) = serial_result
    runs2, ts2 = run_experiment(path, out=tmp_path / "two", workers=2)
    pd.testing.assert_frame_equal(runs, runs2)
    pd.testing.assert_frame_equal(ts, ts2)


def test_a_dask_cluster_gives_identical_results(serial_result, tmp_path, dask_scheduler):
    path, (runs, ts) = serial_result
    runs_dask, ts_dask = run_experiment(path, out=tmp_path / "dask", scheduler=dask_scheduler)
    pd.testing.assert_frame_equal(runs, runs_dask)
    pd.testing.assert_frame_equal(ts, ts_dask)


def test_another_experiment_in_the_folder_is_refused(serial_result, tmp_path, capsys):
    path, _ = serial_result
    other = write(tmp_path, SMALL.replace("seed = 7", "seed = 8"), "other.toml")
    assert main(["sweep", str(other), "--out", str(path.parent / "out")]) == 2
    assert "holds another experiment" in capsys.readouterr().err
    assert main(["sweep", str(path), "--out", str(path.parent / "out")]) == 2
    assert "--resume" in capsys.readouterr().err


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    # each value is valid alone; 30 initial adopters in a sector of 20 SMEs is not
    text = (
        SMALL.replace("[set]\nsme.count = 150\n", "")
        .replace(
            "coalition.initial_size = [5, 25]",
            "sme.count = [20, 150]\nadoption.initial_adopters = [5, 30]",
        )
        .replace("funding.budget = {min = 0.0, max = 1_000_000.0}\n", "")
    )
    runs, _ = run_experiment(write(tmp_path, text), out=tmp_path / "out", workers=1)
    failed = runs[runs["status"] == "failed"]
    assert len(failed) == 3
    assert (failed["sme.count"] == 20).all() and (failed["adoption.initial_adopters"] == 30).all()
    assert failed["error"].str.contains("initial_adopters").all()
    assert (runs["status"] == "done").sum() == 9


STOP = 6  # chunks that reach this run wait to be killed: the runs of the chunks before are kept
KEPT = sum(len(chunk) for chunk in chunks(range(18), 2) if chunk[-1][0] < STOP)  # of 18, 2 workers
GATED_SWEEP = """
import sys, time
import sectorsim.batch.runners as runners
from sectorsim.cli import main

stop, run_chunk = int(sys.argv[1]), runners.run_chunk

def gated(run, chunk, **options):
    while chunk[-1][0] >= stop:  # the chunks past the first `stop` runs wait to be killed
        time.sleep(1)
    return run_chunk(run, chunk, **options)

runners.run_chunk = gated  # the pool's workers are forked from here, so they run it too
sys.exit(main(sys.argv[2:]))
"""


def test_killed_sweep_resumes_to_the_uninterrupted_result(serial_result, tmp_path, capsys):
    path, (runs, ts) = serial_result
    out = tmp_path / "killed"
    # the sweep, its chunks from run STOP on held back: the kill lands mid-way, after exactly
    # KEPT stored runs, however fast or slow the runs are
    command = [sys.executable, "-c", GATED_SWEEP, str(STOP), "sweep", str(path)]
    command += ["--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )

    def finished_runs():
        return len(stored_rows(out / "parts"))

    deadline = time.time() + 60
    while finished_runs() < KEPT:  # kill once KEPT runs are stored
        assert time.time() < deadline and proc.poll() is None, "the sweep stored too few runs"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # the sweep process only: its workers must follow it
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.killpg(proc.pid, 0)  # is any process of the sweep's group left?
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("pool workers outlived the killed sweep")
    kept = finished_runs()
    assert 0 < kept == KEPT
    assert not (out / "runs.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"  # kill -9
    assert main(["sweep", str(path), "--out", str(out)]) == 2  # it reads as interrupted
    assert f"interrupted after {kept} of 18 runs; add --resume" in capsys.readouterr().err
    assert main(["analyze", str(out)]) == 0  # the runs so far, marked incomplete
    assert f"{kept} of 18 runs finished" in capsys.readouterr().out
    assert "**Incomplete**" in (out / "report.md").read_text()
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "1"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "timeseries.parquet"), ts)


# ---- analysis --------------------------------------------------------------------------------
def test_baseline_experiments_report_euros_per_extra_adopter(tmp_path):
    path = write(tmp_path, SMALL.replace("seed = 7", "seed = 7\nbaseline = true"))
    runs, _ = run_experiment(path, out=tmp_path / "out", workers=1)
    assert runs["baseline_final_adoption"].notna().all()
    with_budget = runs[(runs["funding.budget"] > 0) & (runs["extra_adopters"] > 0)]
    assert len(with_budget) > 0
    ratio = with_budget["total_spend"] / with_budget["extra_adopters"]
    np.testing.assert_allclose(with_budget["euros_per_extra_adopter"], ratio)
    table = pd.read_csv(analyze(tmp_path / "out").parent / "points.csv")
    assert {"mean_extra_adopters", "median_euros_per_extra_adopter"} <= set(table.columns)


def test_grid_report_has_heat_maps_and_points(serial_result):
    path, _ = serial_result
    report = analyze(path.parent / "out")
    text = report.read_text()
    assert "heatmap_probability.png" in text and "lines.png" in text and "## Points" in text
    for name in ("heatmap_probability.png", "heatmap_month.png", "lines.png", "points.csv"):
        assert (report.parent / name).stat().st_size > 0
    table = pd.read_csv(report.parent / "points.csv")
    assert len(table) == 6 and table["p_low"].le(table["p_critical_mass"]).all()


def test_lhs_report_finds_a_prim_box(tmp_path):
    text = (
        SMALL.replace("[5, 25]", "{min = 3, max = 60, integer = true}")
        .replace('method = "grid"\nn = 3', 'method = "lhs"\nn = 30')
        .replace("replications = 3", "replications = 2")
    )
    text = text.replace("months = 60", "months = 72")  # some runs tip, some do not
    path = write(tmp_path, text)
    runs, _ = run_experiment(path, out=tmp_path / "out", workers=2)
    assert 0 < runs["critical_mass_reached"].mean() < 1
    report = analyze(tmp_path / "out").read_text()
    assert "Critical mass is likely when" in report and "coverage" in report
    box = json.loads((tmp_path / "out" / "prim_box.json").read_text())
    assert box["density"] >= box["share_reaching"]


def test_prim_words_say_when_no_region_makes_critical_mass_likely():
    from sectorsim.experiments.analysis import box_in_words

    rare = {"found": True, "coverage": 1.0, "density": 0.04, "mass": 1.0, "limits": {}}
    text = box_in_words({**rare, "share_reaching": 0.04})
    assert "unlikely throughout the sampled space" in text and "4% of all runs" in text
    assert "likely when" not in text and "anywhere" not in text
    boxed = {**rare, "density": 0.3, "limits": {"funding.budget": [1e6, 2e6]}}
    text = box_in_words({**boxed, "share_reaching": 0.05})
    assert "unlikely throughout" in text and "€1M and €2M" in text
    common = {**rare, "density": 0.9, "share_reaching": 0.9}
    assert box_in_words(common).startswith("Critical mass is likely anywhere")


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_quick_version_of_every_experiment_runs_and_reports(path, tmp_path):
    out = tmp_path / "quick"
    assert main(["sweep", str(path), "--quick", "--out", str(out)]) == 0
    assert main(["analyze", str(out)]) == 0
    report = (out / "report.md").read_text()
    assert report.startswith(f"# {load_experiment(path).name}")
    assert json.loads((out / "manifest.json").read_text())["quick"] is True
