"""CSV for spreadsheets: `sectorsim export` of a sweep and of a design, seeds kept whole."""

import csv

import pandas as pd
import pytest

from sectorsim.cli import main
from sectorsim.export import read_seed, seed_text

SWEEP = """
[experiment]
name = "budgets"
scenario = "imvo_samen_veranderen"
replications = 2
seed = 424242
months = 18

[set]
sme.count = 120
podium.visibility = 1.5

[factors]
funding.budget = [100_000.0, 900_000.0]
coalition.initial_size = [8, 16]

[sampling]
method = "grid"
"""

DESIGN = """
[design]
name = "tiny"
scenario = "imvo_samen_veranderen"
seed = 5
replications = 2
candidates = 4
batch = 2
reevaluation = 2

[target]
month = 24

[set]
sme.count = 100
critical_mass_share = 0.02

[levers]
funding.budget = {min = 0.0, max = 800_000.0}
funding.share_vouchers = {min = 0.1, max = 0.6}
"""


def _rows(path):
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "budgets.toml").write_text(SWEEP)
    assert (
        main(
            ["sweep", str(folder / "budgets.toml"), "--workers", "1", "--out", str(folder / "out")]
        )
        == 0
    )
    return folder / "out"


def test_seed_cells_are_text_and_read_back():
    seed = 8_765_432_109_876_543_210 >> 1
    assert seed_text(seed) == f'="{seed}"'
    assert read_seed(seed_text(seed)) == seed
    assert read_seed(str(seed)) == seed


def test_export_carries_parameters_on_every_row(sweep, tmp_path):
    out = tmp_path / "csv"
    assert main(["export", str(sweep), "--out", str(out)]) == 0
    runs, series = _rows(out / "runs.csv"), _rows(out / "timeseries.csv")
    stored = pd.read_parquet(sweep / "runs.parquet")
    assert len(runs) == len(stored) == 8
    assert len(series) == 8 * 19  # months 0-18 of each run
    by_run = {row["run_id"]: row for row in runs}
    for row in series:
        run = by_run[row["run_id"]]
        for key in ("funding.budget", "coalition.initial_size", "sme.count", "podium.visibility"):
            assert row[key] == run[key]
    assert {row["funding.budget"] for row in runs} == {"100000.0", "900000.0"}
    assert {row["sme.count"] for row in series} == {"120"}
    assert {row["months"] for row in runs} == {"18"}
    # seeds: text cells holding every digit of the stored seed
    for row in runs:
        stored_seed = int(stored.loc[stored["run_id"] == int(row["run_id"]), "seed"].iloc[0])
        assert row["seed"] == f'="{stored_seed}"' and read_seed(row["seed"]) == stored_seed
    assert max(len(str(s)) for s in stored["seed"]) >= 18


def test_export_defaults_to_the_folder_itself_with_the_points(sweep):
    assert main(["export", str(sweep)]) == 0
    assert (sweep / "runs.csv").is_file() and (sweep / "timeseries.csv").is_file()
    points = _rows(sweep / "points.csv")
    assert len(points) == 4  # two budgets x two coalition sizes
    assert all(
        0.0 <= float(p["p_low"]) <= float(p["p_critical_mass"]) <= float(p["p_high"]) <= 1.0
        for p in points
    )


def test_export_of_a_design_has_both_phases_and_lever_values(tmp_path):
    (tmp_path / "tiny.toml").write_text(DESIGN)
    out = tmp_path / "out"
    assert main(["design", str(tmp_path / "tiny.toml"), "--workers", "1", "--out", str(out)]) == 0
    assert main(["export", str(out)]) == 0
    runs = _rows(out / "runs.csv")
    assert {row["phase"] for row in runs} == {"search", "reevaluation"}
    assert all(0.0 <= float(row["funding.budget"]) <= 800_000.0 for row in runs)
    shares = [
        sum(float(row[f"funding.share_{c}"]) for c in ("vouchers", "projects", "team"))
        for row in runs
    ]
    assert shares == pytest.approx([1.0] * len(runs))
    assert all(row["seed"].startswith('="') for row in runs)
    assert _rows(out / "timeseries.csv") == []


def test_export_of_a_folder_without_manifest_exits_2(tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_run_writes_seeds_as_text(tmp_path):
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                "baseline",
                "--set",
                "sme.count=100",
                "--set",
                "months=6",
                "--reps",
                "2",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    seeds = [row["seed"] for row in _rows(out / "runs.csv")]
    assert len(seeds) == 2 and all(s.startswith('="') and s.endswith('"') for s in seeds)
    assert all(len(str(read_seed(s))) >= 15 for s in seeds)


def test_the_manifest_notices_an_edited_preset_and_stores_the_resolved_scenario(sweep, tmp_path):
    import json
    import subprocess

    from sectorsim.batch.store import provenance

    repo = tmp_path / "repo"
    for folder in ("src", "scenarios", "experiments"):
        (repo / folder).mkdir(parents=True)
        (repo / folder / "x.toml").write_text("a = 1\n")

    def git(*args):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    assert provenance(repo)["git_dirty"] is False
    for folder in ("scenarios", "experiments"):
        (repo / folder / "x.toml").write_text("a = 2\n")
        assert provenance(repo)["git_dirty"] is True
        git("checkout", "--", ".")

    manifest = json.loads((sweep / "manifest.json").read_text())
    assert manifest["scenario_resolved"]["sme"]["count"] == 120
    assert manifest["scenario_resolved"]["podium"]["visibility"] == 1.5
    assert manifest["scenario_resolved"]["calendar"]["start_year"] == 2013


def test_a_seed_cell_read_by_pandas_rebuilds_its_run(tmp_path):
    from sectorsim import SectorModel, load_scenario

    out = tmp_path / "run"
    over = ["--set", "sme.count=100", "--set", "months=12"]
    assert main(["run", "baseline", *over, "--reps", "2", "--out", str(out)]) == 0
    runs = pd.read_csv(out / "runs.csv")
    config = load_scenario("baseline", {"sme.count": 100, "months": 12})
    for _, row in runs.iterrows():
        model = SectorModel(config, seed=row["seed"]).run()  # the cell as pandas reads it
        assert model.summary()["final_adoption"] == pytest.approx(row["final_adoption"])
