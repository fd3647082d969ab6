"""The command line: outputs written whole, bad input rejected with exit 2 and nothing written."""

import json
import os
import signal
import subprocess
import sys

import pandas as pd
import pytest

from sectorsim.cli import main
from sectorsim.export import read_seed
from sectorsim.params import PARAMETERS
from sectorsim.storage import atomic_directory


def test_run_writes_the_four_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "run",
            "baseline",
            "--set",
            "sme.count=200",
            "--set",
            "months=36",
            "--reps",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "adoption.png",
        "runs.csv",
        "summary.json",
        "timeseries.csv",
    ]
    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == 3 * 37 and set(ts["replicate"]) == {0, 1, 2}
    assert {"month", "adoption_share", "stage_share_0", "stage_share_3", "phase"} <= set(ts.columns)
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 3 and runs["seed"].nunique() == 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["sme"]["count"] == 200 and summary["seed"] == 20130101
    assert summary["aggregate"]["replications"] == 3
    assert (out / "adoption.png").read_bytes()[:4] == b"\x89PNG"
    assert str(out) in capsys.readouterr().out


def test_a_row_seed_rebuilds_that_replicate(tmp_path):
    from sectorsim import SectorModel, load_scenario

    out = tmp_path / "out"
    main(
        [
            "run",
            "baseline",
            "--set",
            "sme.count=150",
            "--set",
            "months=24",
            "--reps",
            "2",
            "--out",
            str(out),
        ]
    )
    runs = pd.read_csv(out / "runs.csv")
    rebuilt = SectorModel(
        load_scenario("baseline", {"sme.count": 150, "months": 24}),
        seed=read_seed(runs["seed"][1]),
    ).run()
    assert rebuilt.summary()["final_adoption"] == pytest.approx(runs["final_adoption"][1])


def test_same_seed_same_files(tmp_path):
    for name in ("a", "b"):
        main(
            [
                "run",
                "bass",
                "--set",
                "sme.count=300",
                "--set",
                "months=40",
                "--reps",
                "2",
                "--out",
                str(tmp_path / name),
            ]
        )
    assert (tmp_path / "a" / "timeseries.csv").read_bytes() == (
        tmp_path / "b" / "timeseries.csv"
    ).read_bytes()
    assert (tmp_path / "a" / "runs.csv").read_bytes() == (tmp_path / "b" / "runs.csv").read_bytes()


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--set", "sme.cont=500"], "did you mean 'sme.count'"),
        (["--set", "sme.count=5"], "out of range"),
        (["--set", "sme.count=lots"], "wrong type"),
        (["--set", "network.kind=lattice"], "one of"),
        (["--set", "nokey"], "not key=value"),
        (["--reps", "0"], "at least 1"),
    ],
)
def test_bad_values_exit_2_and_write_nothing(tmp_path, capsys, args, needle):
    out = tmp_path / "out"
    assert main(["run", "baseline", *args, "--out", str(out)]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_scenario_file_exits_2_naming_file_and_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\n[adoption]\nrule = "logistic"\n')
    out = tmp_path / "out"
    assert main(["run", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "adoption.rule" in err and "'logistic'" in err and "'bass'" in err
    assert not out.exists()


def test_a_failed_run_leaves_earlier_results_untouched(tmp_path):
    out = tmp_path / "out"
    main(["run", "baseline", "--set", "sme.count=100", "--set", "months=12", "--out", str(out)])
    before = (out / "runs.csv").read_bytes()
    assert main(["run", "baseline", "--set", "sme.count=1", "--out", str(out)]) == 2
    assert (out / "runs.csv").read_bytes() == before


def test_out_never_replaces_a_folder_of_the_users(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert main(["run", "baseline", "--set", "months=12", "--out", str(mine)]) == 2
    assert "holds other files" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text() == "keep me"
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["run", "baseline", "--set", "months=12", "--out", str(afile)]) == 2
    assert afile.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "mine"]


def test_negative_seed_is_refused(tmp_path, capsys):
    assert main(["run", "baseline", "--seed", "-1", "--out", str(tmp_path / "o")]) == 2
    assert "--seed" in capsys.readouterr().err


def test_atomic_directory_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "t"
    with pytest.raises(RuntimeError), atomic_directory(target, marker="summary.json") as tmp:
        (tmp / "half.csv").write_text("a,b\n")
        raise RuntimeError("crash while writing")
    assert list(tmp_path.iterdir()) == []


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_ctrl_c_during_a_run_writes_nothing(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sectorsim.cli",
            "run",
            "baseline",
            "--set",
            "sme.count=20000",
            "--reps",
            "200",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        # a shell's background job ignores SIGINT, and Python keeps an inherited SIG_IGN (and
        # a thread's blocked signals): give the run a terminal's default, as a user at Ctrl-C has
        preexec_fn=default_sigint,
    )
    # the runs start once this line is out; 200 replicates of 20,000 SMEs take minutes
    assert proc.stdout.readline().startswith(b"running 200 replicate(s)")
    assert proc.poll() is None
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"nothing was written" in err
    assert list(tmp_path.iterdir()) == []


def test_scenarios_lists_presets_with_descriptions(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "bass" in out and "Watts" in out


def test_params_json_lists_every_parameter(capsys):
    assert main(["params", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in rows] == list(PARAMETERS)


@pytest.mark.parametrize("command", [[], ["run"], ["scenarios"], ["params"]])
def test_help_everywhere(command):
    result = subprocess.run(
        [sys.executable, "-m", "sectorsim.cli", *command, "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "usage: sectorsim" in result.stdout


def test_console_script_is_installed():
    exe = os.path.join(os.path.dirname(sys.executable), "sectorsim")
    result = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("sectorsim ")


def test_run_workers_give_the_same_files_and_show_progress(tmp_path, capsys):
    args = ["run", "baseline", "--set", "sme.count=120", "--set", "months=12", "--reps", "3"]
    assert main([*args, "--out", str(tmp_path / "one")]) == 0
    assert main([*args, "--workers", "2", "--out", str(tmp_path / "two")]) == 0
    assert "3/3" in capsys.readouterr().err  # the progress bar, on stderr
    for name in ("runs.csv", "timeseries.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_help_texts_name_the_flags_they_describe(capsys):
    for command in (["run", "--help"], ["calibrate", "--help"]):
        with pytest.raises(SystemExit):
            main(command)
    run, calibrate = " ".join(capsys.readouterr().out.split()).split("usage: sectorsim calibrate")
    assert "into DIR" not in run and "into the --out folder" in run
    assert "into DIR" in calibrate and "--out DIR" in calibrate
    text = run + calibrate
    assert "Settings." not in text and "default 150" in text
