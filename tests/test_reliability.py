"""Careless and hostile input at the command line: nothing the user owns is deleted, nothing is
written outside the output folder, and no traceback reaches the terminal."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sectorsim.cli import main

SMALL_RUN = ["--set", "sme.count=100", "--set", "months=12"]

EXPERIMENT = """
[experiment]
name = "probe"
scenario = "baseline"
replications = 1
seed = 3
months = 12

[set]
sme.count = 100

[factors]
coalition.initial_size = [5, 10]
"""


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (folders end in /)."""
    return {
        str(p.relative_to(folder)) + ("/" if p.is_dir() else ""): b""
        if p.is_dir()
        else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def no_traceback(text: str) -> bool:
    return "Traceback" not in text and 'File "' not in text


def dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ---- 1. nothing a user owns is deleted ----------------------------------------------------------
def test_a_folder_with_a_summary_and_other_files_is_refused_and_kept(tmp_path, capsys):
    out = tmp_path / "p"
    (out / "src").mkdir(parents=True)
    (out / "src" / "main.py").write_text("print('mine')\n")
    (out / "notes.md").write_text("my notes\n")
    (out / "summary.json").write_text('{"mine": true}\n')
    before = tree(out)
    assert main(["run", "baseline", *SMALL_RUN, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "notes.md" in err and "src/" in err and no_traceback(err)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_a_previous_output_with_one_file_added_is_refused(tmp_path, capsys):
    out = tmp_path / "p"
    assert main(["run", "baseline", *SMALL_RUN, "--out", str(out)]) == 0
    (out / "analysis.ipynb").write_text("{}")
    before = tree(out)
    assert main(["run", "baseline", *SMALL_RUN, "--seed", "5", "--out", str(out)]) == 2
    assert "analysis.ipynb" in capsys.readouterr().err
    assert tree(out) == before


def test_a_summary_json_that_run_did_not_write_is_not_a_previous_output(tmp_path, capsys):
    out = tmp_path / "p"
    out.mkdir()
    (out / "summary.json").write_text('{"totals": [1, 2, 3]}\n')
    (out / "runs.csv").write_text("my,own\n1,2\n")
    before = tree(out)
    assert main(["run", "baseline", *SMALL_RUN, "--out", str(out)]) == 2
    assert "summary.json" in capsys.readouterr().err
    assert tree(out) == before


def test_a_previous_output_is_replaced_whole(tmp_path):
    out = tmp_path / "p"
    assert main(["run", "baseline", *SMALL_RUN, "--out", str(out)]) == 0
    assert main(["run", "baseline", *SMALL_RUN, "--seed", "5", "--out", str(out)]) == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_stray_temporary_folders_of_killed_runs_are_cleaned_up(tmp_path):
    gone = dead_pid()
    stale = [tmp_path / f".p.tmp-{gone}-ab12cd34", tmp_path / f".p.old-{gone}-x1y2z3w4"]
    for folder in stale:
        folder.mkdir()
        (folder / "timeseries.csv").write_text("month\n0\n")
    live = tmp_path / f".p.tmp-{os.getpid()}-zz99yy88"  # a run still writing: left alone
    live.mkdir()
    earlier = tmp_path / ".p.tmp-k3j5h7g9"  # an earlier version's, without a process id
    earlier.mkdir()
    unrelated = [tmp_path / ".q.tmp-1-keep0000", tmp_path / ".p.tmp-my notes"]
    for folder in unrelated:
        folder.mkdir()
    assert main(["run", "baseline", *SMALL_RUN, "--out", str(tmp_path / "p")]) == 0
    kept = ["p", live.name, *(folder.name for folder in unrelated)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)


def test_kill_9_while_run_writes_leaves_a_temporary_the_next_run_removes(tmp_path):
    out = tmp_path / "p"
    stall = (
        "import sys, time, sectorsim.cli as cli, sectorsim.plots as plots\n"
        "plot = plots.plot_adoption\n"
        "def stalled(*args, **kwargs):\n"
        "    plot(*args, **kwargs)\n"
        "    time.sleep(120)\n"
        "plots.plot_adoption = stalled\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    args = ["run", "baseline", *SMALL_RUN, "--out", str(out)]
    proc = subprocess.Popen([sys.executable, "-c", stall, *args], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".p.tmp-*/adoption.png")):  # killed in the middle of writing
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert [p.name for p in tmp_path.iterdir()][0].startswith(".p.tmp-")
    assert main(args) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


# ---- 3. user text is text, never markup ---------------------------------------------------------
@pytest.mark.parametrize(
    "assignment,needle",
    [
        ("[/x]=1", "'[/x]'"),
        ("[bold red]sme.count=1", "key '[bold red]sme.count' = 1: unknown key"),
        ("sme.count=[/red]", "[/red]"),
    ],
)
def test_markup_in_set_is_printed_as_given(tmp_path, capsys, assignment, needle):
    assert main(["run", "baseline", "--set", assignment, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert needle in err and no_traceback(err)
    assert list(tmp_path.iterdir()) == []


def test_markup_and_dollars_in_a_description_are_printed_as_given(tmp_path, capsys):
    scenario = tmp_path / "odd.toml"
    description = "[/red] and [bold]half[/bold] $\\frac{1}{$ done"
    scenario.write_text(f'description = {json.dumps(description)}\nextends = "baseline"\n')
    out = tmp_path / "o"
    assert main(["run", str(scenario), *SMALL_RUN, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert description in captured.out and no_traceback(captured.err)
    assert (out / "adoption.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "text,needle",
    [
        ("[factors]\nsme.count = [100]\n", "a [experiment] table"),
        (EXPERIMENT.replace("[5, 10]", '"some"'), "[v1, v2, ...]"),
    ],
)
def test_allowed_values_keep_their_brackets(tmp_path, capsys, text, needle):
    path = tmp_path / "exp.toml"
    path.write_text(text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert needle in err and no_traceback(err)


def test_markup_in_an_experiment_name_is_printed_as_given(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT.replace('name = "probe"', 'name = "[bold]probe[red]"'))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "[bold]probe[red]" in captured.err and no_traceback(captured.err)


# ---- 4. unwritable destinations are found before the work ---------------------------------------
def unwritable(tmp_path: Path) -> list[Path]:
    afile = tmp_path / "afile"
    afile.write_text("mine")
    return [Path("/proc/sectorsim-out"), afile / "sub", afile / "sub" / "deeper"]


@pytest.mark.parametrize("case", [0, 1, 2])
def test_run_into_an_unwritable_place_is_refused_before_running(tmp_path, capsys, case):
    out = unwritable(tmp_path)[case]
    assert main(["run", "baseline", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "running" not in captured.out, "refused only after the runs"
    assert str(out.parent if case == 0 else tmp_path / "afile") in captured.err
    assert no_traceback(captured.err)
    assert (tmp_path / "afile").read_text() == "mine"


@pytest.mark.parametrize("case", [0, 1])
@pytest.mark.parametrize("command", ["sweep", "design"])
def test_sweep_and_design_into_an_unwritable_place_are_refused(tmp_path, capsys, case, command):
    out = unwritable(tmp_path)[case]
    root = Path(__file__).resolve().parents[1] / "experiments"
    path = root / ("design_programme.toml" if command == "design" else "e1_coalition_funding.toml")
    assert main([command, str(path), "--quick", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cannot" in err and no_traceback(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_calibrate_into_a_file_is_refused(tmp_path, capsys):
    out = unwritable(tmp_path)[1]
    assert main(["calibrate", "--quick", "--out", str(out)]) == 2
    assert no_traceback(capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


# ---- 5. encodings and where `extends` looks ---------------------------------------------------------
LATIN1 = 'description = "Caf\xe9 sector"\nextends = "baseline"\n'.encode("latin-1")


def test_a_scenario_that_is_not_utf8_is_refused(tmp_path, capsys):
    scenario = tmp_path / "latin.toml"
    scenario.write_bytes(LATIN1)
    assert main(["run", str(scenario), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "latin.toml" in err and "UTF-8" in err and "line 1" in err and no_traceback(err)
    assert not (tmp_path / "o").exists()


def test_extends_pointing_at_a_file_that_is_not_utf8_is_refused(tmp_path, capsys):
    (tmp_path / "latin.toml").write_bytes(LATIN1)
    child = tmp_path / "child.toml"
    child.write_text('extends = "latin.toml"\n')
    assert main(["run", str(child), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "latin.toml" in err and "UTF-8" in err and no_traceback(err)


@pytest.mark.parametrize("command", ["sweep", "design"])
def test_an_experiment_or_design_file_that_is_not_utf8_is_refused(tmp_path, capsys, command):
    path = tmp_path / "latin.toml"
    path.write_bytes(EXPERIMENT.replace("probe", "caf\xe9").encode("cp1252"))
    assert main([command, str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "UTF-8" in err and no_traceback(err)
    assert not (tmp_path / "o").exists()


def test_extends_never_picks_up_a_file_of_the_current_folder(tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    (elsewhere / "parent.toml").write_text('extends = "baseline"\n[sme]\ncount = 4321\n')
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "child.toml").write_text('extends = "parent.toml"\n')
    monkeypatch.chdir(elsewhere)
    assert main(["run", str(mine / "child.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "no such scenario file" in capsys.readouterr().err
    (mine / "parent.toml").write_text('extends = "baseline"\nmonths = 12\n[sme]\ncount = 120\n')
    assert main(["run", str(mine / "child.toml"), "--out", str(tmp_path / "o")]) == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["config"]["sme"]["count"] == 120


# ---- 6. experiment files ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "factor,key,needle",
    [
        ('months = {min = 24, max = 36, log = "no"}', "factors.months.log", "true or false"),
        ('months = {min = 24, max = 36, integer = "yes"}', "factors.months.integer", "true or"),
        ("months = {min = 1190, max = 1200.9, integer = true}", "factors.months.max", "whole"),
        ("months = {min = 24.5, max = 36}", "factors.months.min", "whole"),
        ("months = {min = 24, max = 36, integer = false}", "factors.months.integer", "whole"),
        ('months = {min = "24", max = 36}', "factors.months.min", "a number"),
        ("months = {min = true, max = 36}", "factors.months.min", "a number"),
        ("funding.budget = {min = 0.5, max = 9.5, integer = true}", "funding.budget.min", "whole"),
    ],
)
def test_range_options_are_type_checked(tmp_path, capsys, factor, key, needle):
    path = tmp_path / "exp.toml"
    path.write_text(
        EXPERIMENT.replace("months = 12\n", "").replace("coalition.initial_size = [5, 10]", factor)
    )
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert key in err and needle in err and no_traceback(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml"]


@pytest.mark.parametrize("name", ["../escaped", "/tmp/sectorsim-escaped", "", ".hidden", "a/b"])
@pytest.mark.parametrize("command", ["sweep", "design"])
def test_names_that_would_write_outside_results_are_refused(
    tmp_path, monkeypatch, capsys, name, command
):
    root = Path(__file__).resolve().parents[1] / "experiments"
    source = root / (
        "design_programme.toml" if command == "design" else "e1_coalition_funding.toml"
    )
    text = source.read_text()
    head = "[design]" if command == "design" else "[experiment]"
    old = next(line for line in text.splitlines() if line.startswith("name = "))
    path = tmp_path / "work" / "file.toml"
    path.parent.mkdir()
    path.write_text(text.replace(old, f"name = {json.dumps(name)}"))
    assert head in text
    monkeypatch.chdir(path.parent)
    assert main([command, str(path), "--quick"]) == 2
    err = capsys.readouterr().err
    assert f"{head[1:-1]}.name" in err and "plain folder name" in err and no_traceback(err)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["file.toml", "work"]
    assert not Path("/tmp/sectorsim-escaped-quick").exists()


# ---- 7. interrupted work ----------------------------------------------------------------------------
def test_an_invalid_manifest_in_the_target_is_refused(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    out = tmp_path / "o"
    out.mkdir()
    (out / "manifest.json").write_text("{not json")
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    assert main(["sweep", str(path), "--out", str(out), "--resume"]) == 2
    assert main(["analyze", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("manifest.json") == 3 and no_traceback(err)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def test_a_killed_sweeps_manifest_reads_as_interrupted(tmp_path, capsys):
    """A manifest left saying "running" by a process that is gone (kill -9)."""
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT.replace("[5, 10]", "[5, 10, 15]"))
    out = tmp_path / "o"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "runs.parquet").unlink()
    (out / "timeseries.parquet").unlink()
    sorted((out / "parts").iterdir())[-1].unlink()
    manifest.update(status="running", pid=dead_pid(), ended=None)
    (out / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()

    assert main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "interrupted after 2 of 3 runs" in err and "--resume" in err

    assert main(["analyze", str(out)]) == 0
    said = capsys.readouterr().out
    assert "incomplete" in said and "2 of 3 runs" in said and "--resume" in said
    report = (out / "report.md").read_text()
    assert "**Incomplete**" in report and "2 of 3 runs" in report

    assert main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "1"]) == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    assert main(["analyze", str(out)]) == 0
    assert "Incomplete" not in (out / "report.md").read_text()


def test_analyze_on_a_sweep_killed_before_any_run_finished(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    out = tmp_path / "o"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    for part in (out / "parts").iterdir():
        part.unlink()
    for name in ("runs.parquet", "timeseries.parquet"):
        (out / name).unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(status="running", pid=dead_pid())
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["analyze", str(out)]) == 0
    assert "0 of 2 runs" in capsys.readouterr().out
    assert "0 of 2 runs" in (out / "report.md").read_text()


@pytest.mark.parametrize(
    "manifest", [None, "[]", '{"design_hash": "x"}', '{"experiment_hash": 1, "file": 2, "text": 3}']
)
def test_analyze_on_a_folder_that_is_not_a_sweeps_is_refused(tmp_path, capsys, manifest):
    if manifest is not None:
        (tmp_path / "manifest.json").write_text(manifest)
    assert main(["analyze", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a sweep folder" in err or "not a manifest" in err
    assert no_traceback(err)


# ---- 8. Dask schedulers -----------------------------------------------------------------------------
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "address,needle",
    [
        ("tcp://127.0.0.1:{port}", "cannot be reached"),
        ("http://x", "not a Dask scheduler protocol"),
        ("tcp://127.0.0.1", "not HOST:PORT"),
        ("tcp://127.0.0.1:99999", "not a valid address"),
        ("127.0.0.1:{port}", "not a Dask scheduler protocol"),
    ],
)
@pytest.mark.parametrize("command", ["sweep", "design"])
def test_a_bad_scheduler_is_refused_at_once_and_claims_no_folder(
    tmp_path, capsys, address, needle, command
):
    root = Path(__file__).resolve().parents[1] / "experiments"
    path = root / ("design_programme.toml" if command == "design" else "e1_coalition_funding.toml")
    out = tmp_path / "o"
    started = time.monotonic()
    args = [command, str(path), "--quick", "--out", str(out)]
    assert main([*args, "--scheduler", address.format(port=closed_port())]) == 2
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert "--scheduler" in err and needle in err and no_traceback(err)
    assert not out.exists()


def test_a_port_that_is_not_a_dask_scheduler_is_refused(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert "does not answer as a Dask scheduler" in err and no_traceback(err)
    assert not (tmp_path / "o").exists()


# ---- 9. pipes, and errors nobody expected -----------------------------------------------------------
@pytest.mark.parametrize(
    "args", [["params", "--json"], ["params"], ["scenarios"], ["--help"], ["run", "--help"]]
)
def test_a_closed_pipe_ends_quietly(args):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written, as `| head` can be
    result = subprocess.run(
        [sys.executable, "-m", "sectorsim.cli", *args], stdout=write, stderr=subprocess.PIPE
    )
    os.close(write)
    assert result.stderr.decode() == "" and result.returncode == 0


def test_an_internal_error_is_one_line_and_a_log(tmp_path, monkeypatch, capsys):
    import sectorsim.cli

    def broken(*_args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(sectorsim.cli, "_scenarios", broken)
    monkeypatch.setenv("SECTORSIM_LOG_DIR", str(tmp_path / "logs"))
    assert main(["scenarios"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and no_traceback(err)
    assert "ZeroDivisionError: a bug" in err
    (log,) = (tmp_path / "logs").iterdir()
    assert str(log) in err
    text = log.read_text()
    assert "Traceback" in text and "broken" in text and "['scenarios']" in text


# ---- more of the same families ----------------------------------------------------------------------
@pytest.mark.parametrize("command", ["sweep", "design", "calibrate"])
def test_sweep_design_and_calibrate_never_take_a_folder_of_the_users(tmp_path, capsys, command):
    out = tmp_path / "p"
    (out / "src").mkdir(parents=True)
    (out / "summary.json").write_text("{}")
    (out / "src" / "main.py").write_text("print('mine')\n")
    before = tree(out)
    root = Path(__file__).resolve().parents[1] / "experiments"
    file = {"sweep": ["e1_coalition_funding.toml"], "design": ["design_programme.toml"]}
    args = [str(root / name) for name in file.get(command, [])]
    assert main([command, *args, "--quick", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "src/" in err and "summary.json" in err and no_traceback(err)
    assert tree(out) == before


def test_a_scenario_saved_with_a_byte_order_mark_is_read(tmp_path):
    scenario = tmp_path / "bom.toml"
    scenario.write_bytes(b"\xef\xbb\xbf" + b'extends = "baseline"\nmonths = 12\n')
    assert main(["run", str(scenario), "--set", "sme.count=100", "--out", str(tmp_path / "o")]) == 0


def test_an_experiment_on_a_scenario_that_is_not_utf8_names_that_scenario(tmp_path, capsys):
    (tmp_path / "latin.toml").write_bytes(LATIN1)
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT.replace('scenario = "baseline"', 'scenario = "latin.toml"'))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "latin.toml: not UTF-8" in err and no_traceback(err)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "edit,key",
    [
        (("replications = 1", "replications = 10_000_000_000"), "experiment.replications"),
        (("[factors]", "[sampling]\nmethod = 'lhs'\nn = 9_000_000_000\n\n[factors]"), "sampling.n"),
    ],
)
def test_counts_beyond_reason_are_refused(tmp_path, capsys, edit, key):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT.replace(*edit))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    assert key in capsys.readouterr().err


def test_an_empty_scheduler_address_is_refused(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--scheduler", ""]) == 2
    assert "--scheduler" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_resume_removes_the_partial_writes_of_a_killed_sweep(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    out = tmp_path / "o"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    partial = [out / "parts" / ".run-000001-0000.parquet.ab12cd_z", out / ".manifest.json.k2j4h5g6"]
    for file in partial:
        file.write_bytes(b"half")
    mine = out / "parts" / ".my-notes"
    mine.write_text("not a partial write")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(status="running", pid=dead_pid())
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "1"]) == 0
    assert not any(file.exists() for file in partial) and mine.exists()


def test_export_never_overwrites_files_of_the_users(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    sweep = tmp_path / "sweep"
    assert main(["sweep", str(path), "--out", str(sweep), "--workers", "1"]) == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "runs.csv").write_text("my,own,numbers\n1,2,3\n")
    (mine / "notes.md").write_text("keep\n")
    before = tree(mine)
    assert main(["export", str(sweep), "--out", str(mine)]) == 2
    err = capsys.readouterr().err
    assert "notes.md" in err and no_traceback(err)
    assert tree(mine) == before
    out = tmp_path / "csv"
    assert main(["export", str(sweep), "--out", str(out)]) == 0
    assert main(["export", str(sweep), "--out", str(out)]) == 0  # a previous export is replaced
    assert sorted(p.name for p in out.iterdir()) == ["points.csv", "runs.csv", "timeseries.csv"]


def test_export_of_a_broken_or_interrupted_folder_exits_2(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    sweep = tmp_path / "sweep"
    assert main(["sweep", str(path), "--out", str(sweep), "--workers", "1"]) == 0
    (sweep / "runs.parquet").unlink()
    assert main(["export", str(sweep), "--out", str(tmp_path / "csv")]) == 2
    assert "interrupted" in capsys.readouterr().err
    (sweep / "manifest.json").write_text("{broken")
    assert main(["export", str(sweep), "--out", str(tmp_path / "csv")]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and no_traceback(err)
    assert not (tmp_path / "csv").exists()
