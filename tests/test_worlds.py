"""Plausible worlds: the [uncertainty] table of experiment and design files, runs in every world
with common random numbers, and the analysis across worlds (robustness, regret, what decides)."""

import json

import numpy as np
import pandas as pd
import pytest

from sectorsim.cli import main
from sectorsim.config import ConfigError
from sectorsim.design import run_design
from sectorsim.design.search import score, world_spread
from sectorsim.design.spec import load_design
from sectorsim.experiments import plan, run_experiment
from sectorsim.experiments.analysis import analyze
from sectorsim.experiments.robustness import across_worlds
from sectorsim.experiments.spec import load_experiment
from sectorsim.experiments.worlds import shipped_posterior

PARTICLES = pd.DataFrame(
    {
        "imitation.linear_rate": [0.01, 0.02, 0.04, 0.06, 0.08],
        "relapse.rate": [0.01, 0.015, 0.02, 0.025, 0.03],
        "weight": [0.25, 0.25, 0.0, 0.25, 0.25],  # the third particle can never be drawn
        "distance": [0.5, 0.6, 0.7, 0.8, 0.9],
    }
)

SWEEP = """
[experiment]
name = "worlds"
scenario = "imvo_samen_veranderen"
replications = 2
seed = 11
months = 60

[set]
sme.count = 150

[factors]
coalition.initial_size = [5, 25]

[uncertainty]
worlds = 4
posterior = "posterior.parquet"
"""

RANGES = """
[uncertainty]
worlds = 8
source = "ranges"

[uncertainty.ranges]
"imitation.linear_rate" = {min = 0.005, max = 0.08}
"coalition.dropout_rate" = {min = 0.02, max = 0.03}
"""


def write(folder, text, name="exp.toml", particles=PARTICLES):
    particles.to_parquet(folder / "posterior.parquet", index=False)
    path = folder / name
    path.write_text(text)
    return path


def with_ranges(text):
    return text[: text.index("[uncertainty]")] + RANGES


# ---- the table ---------------------------------------------------------------------------------
def test_worlds_are_posterior_particles_drawn_by_weight(tmp_path):
    experiment = load_experiment(write(tmp_path, SWEEP))
    worlds = experiment.worlds
    assert len(worlds) == 4
    rows = {tuple(row) for row in PARTICLES[["imitation.linear_rate", "relapse.rate"]].values}
    drawn = {(w["imitation.linear_rate"], w["relapse.rate"]) for w in worlds}
    assert drawn <= rows and len(drawn) == 4, "without replacement while there are enough"
    assert (0.04, 0.02) not in drawn, "a particle of weight 0 is never drawn"


def test_worlds_do_not_depend_on_the_experiments_own_seed(tmp_path):
    one = load_experiment(write(tmp_path, with_ranges(SWEEP)))
    other = load_experiment(write(tmp_path, with_ranges(SWEEP).replace("seed = 11", "seed = 12")))
    assert one.worlds == other.worlds
    reseeded = with_ranges(SWEEP).replace('source = "ranges"', 'source = "ranges"\nseed = 5')
    assert load_experiment(write(tmp_path, reseeded)).worlds != one.worlds


def test_ranges_are_a_latin_hypercube(tmp_path):
    worlds = load_experiment(write(tmp_path, with_ranges(SWEEP))).worlds
    rates = np.array([w["imitation.linear_rate"] for w in worlds])
    strata = np.floor((rates - 0.005) / (0.075 / 8)).astype(int)
    assert sorted(strata) == list(range(8)), "one world in each eighth of the range"


@pytest.mark.parametrize(
    "table, key, problem",
    [
        ("[uncertainty]\nworlds = 0\n", "uncertainty.worlds", "out of range"),
        ("[uncertainty]\nworlds = 3\ncolour = 1\n", "uncertainty.colour", "unknown key"),
        ('[uncertainty]\nworlds = 3\nsource = "ranges"\n', "uncertainty.ranges", "no ranges"),
        (
            '[uncertainty]\nworlds = 3\nsource = "ranges"\n[uncertainty.ranges]\n'
            '"adoption.b0" = {min = -4.0, max = -6.0}\n',
            "uncertainty.ranges.adoption.b0",
            "min is not below max",
        ),
        (
            '[uncertainty]\nworlds = 3\nsource = "ranges"\n[uncertainty.ranges]\n'
            '"adoption.bzero" = {min = -6.0, max = -4.0}\n',
            "uncertainty.ranges.adoption.bzero",
            "unknown key",
        ),
        (
            '[uncertainty]\nworlds = 3\nsource = "ranges"\n[uncertainty.ranges]\n'
            '"coalition.initial_size" = {min = 5, max = 30}\n',
            "uncertainty",
            "both set or varied",
        ),
        (
            '[uncertainty]\nworlds = 3\nposterior = "nothere.parquet"\n',
            "uncertainty.posterior",
            "no calibration posterior",
        ),
        (
            '[uncertainty]\nworlds = 3\nposterior = "exp.toml"\n',
            "uncertainty.posterior",
            "not a Parquet table",
        ),
    ],
)
def test_bad_uncertainty_tables_are_refused_with_file_and_key(tmp_path, table, key, problem):
    text = SWEEP[: SWEEP.index("[uncertainty]")] + table
    with pytest.raises(ConfigError) as error:
        load_experiment(write(tmp_path, text))
    assert error.value.key == key and problem in error.value.problem
    assert error.value.source.endswith("exp.toml")


def test_a_posterior_of_unknown_columns_is_refused(tmp_path):
    bad = PARTICLES.rename(columns={"relapse.rate": "relapse.speed"})
    with pytest.raises(ConfigError, match="relapse.speed"):
        load_experiment(write(tmp_path, SWEEP, particles=bad))


def test_a_missing_posterior_exits_2_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, SWEEP.replace("posterior.parquet", "gone.parquet"))
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    assert not out.exists()
    assert "uncertainty.posterior" in capsys.readouterr().err


def test_the_shipped_posterior_is_the_default_source(tmp_path):
    text = SWEEP.replace('posterior = "posterior.parquet"\n', "")
    if not shipped_posterior().is_file():
        with pytest.raises(ConfigError, match="no calibration posterior"):
            load_experiment(write(tmp_path, text))
        return
    experiment = load_experiment(write(tmp_path, text))
    assert experiment.uncertainty.origin == str(shipped_posterior())


# ---- the runs ----------------------------------------------------------------------------------
def test_every_point_runs_in_every_world_on_the_same_seeds(tmp_path):
    experiment = load_experiment(write(tmp_path, SWEEP))
    tasks = plan(experiment)
    assert len(tasks) == 2 * 4 * 2
    for task in tasks:
        world = experiment.worlds[task.keys["world"]]
        assert all(task.config.overrides[k] == v for k, v in world.items())
        assert all(task.keys[k] == v for k, v in world.items()), "the world's values in its row"
    seeds = {(t.keys["point"], t.keys["world"], t.keys["replicate"]): t.seed for t in tasks}
    assert {seeds[p, w, 1] for p in range(2) for w in range(4)} == {seeds[0, 0, 1]}
    assert seeds[0, 0, 0] != seeds[0, 0, 1]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worlds")
    path = write(folder, with_ranges(SWEEP).replace("months = 60", "months = 96"))
    runs, _ = run_experiment(path, out=folder / "out", workers=1)
    return folder, path, runs


def test_runs_carry_their_world_and_its_values(swept):
    _, path, runs = swept
    assert len(runs) == 2 * 8 * 2 and (runs["status"] == "done").all()
    worlds = load_experiment(path).worlds
    for _, row in runs.iterrows():
        assert row["imitation.linear_rate"] == worlds[row["world"]]["imitation.linear_rate"]
    # the worlds do differ where it matters: stronger imitation, more adoption
    by_world = runs.groupby("world")[["imitation.linear_rate", "final_adoption"]].mean()
    assert by_world.corr().iloc[0, 1] > 0.5


def test_workers_and_resume_give_the_same_runs(swept, tmp_path):
    folder, path, runs = swept
    again, _ = run_experiment(path, out=tmp_path / "two", workers=2)
    pd.testing.assert_frame_equal(runs, again)
    parts = sorted((tmp_path / "two" / "parts").glob("part-*.parquet"))
    for part in parts[::3]:
        part.unlink()
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["worlds"] == [dict(w) for w in load_experiment(path).worlds]
    resumed, _ = run_experiment(path, out=tmp_path / "two", workers=2, resume=True)
    pd.testing.assert_frame_equal(runs, resumed)


def test_a_dask_cluster_runs_the_same_worlds(swept, tmp_path, dask_scheduler):
    _, path, runs = swept
    on_dask, _ = run_experiment(path, out=tmp_path / "dask", scheduler=dask_scheduler)
    pd.testing.assert_frame_equal(runs, on_dask)


def test_report_across_worlds(swept):
    folder, _, runs = swept
    report = analyze(folder / "out").read_text()
    assert "## Across plausible worlds" in report and "robustness" in report
    table = pd.read_csv(folder / "out" / "points.csv")
    per_world = pd.read_csv(folder / "out" / "worlds.csv")
    assert len(per_world) == 2 * 8 and {"p_median", "robustness", "regret_max"} <= set(table)
    for point, group in per_world.groupby("point"):
        row = table.set_index("point").loc[point]
        assert row["robustness"] == pytest.approx((group["p_critical_mass"] >= 0.5).mean())
        assert row["p_critical_mass"] == pytest.approx(group["p_critical_mass"].mean())
    for name in ("worlds.png", "feature_scores.png"):
        assert (folder / "out" / name).stat().st_size > 10_000
    # what decides: imitation, whose range spans weak to strong, not the narrow dropout range
    scores = report[report.index("What decides") :]
    assert scores.index("imitation.linear_rate") < scores.index("coalition.dropout_rate")


def test_analysis_uses_the_worlds_the_sweep_ran_in(swept, tmp_path):
    """A new posterior, or none, does not change the analysis of a finished sweep."""
    folder, _, _ = swept
    (folder / "posterior.parquet").unlink()
    report = analyze(folder / "out").read_text()
    assert "## Across plausible worlds" in report
    PARTICLES.to_parquet(folder / "posterior.parquet", index=False)


# ---- the analysis, by hand ----------------------------------------------------------------------
def test_robustness_and_regret_follow_their_definitions():
    chances = {  # point -> chance in worlds 0, 1, 2, 3
        0: [0.9, 0.6, 0.2, 0.5],
        1: [0.7, 0.8, 0.4, 0.1],
    }
    per_world = pd.DataFrame(
        [
            {"point": p, "world": w, "p_critical_mass": c}
            for p, values in chances.items()
            for w, c in enumerate(values)
        ]
    )
    table = across_worlds(per_world).set_index("point")
    assert table.loc[0, "robustness"] == 0.75 and table.loc[1, "robustness"] == 0.5
    assert table.loc[0, "regret_max"] == pytest.approx(0.2)  # world 1: 0.8 - 0.6
    assert table.loc[1, "regret_max"] == pytest.approx(0.4)  # world 3: 0.5 - 0.1
    assert table.loc[0, "regret_median"] == pytest.approx(0.1)  # 0, 0.2, 0, 0
    assert table.loc[1, "p_median"] == pytest.approx(0.55)
    assert table.loc[1, "p_world_low"] == pytest.approx(np.quantile(chances[1], 0.1))


# ---- design ------------------------------------------------------------------------------------
DESIGN = """
[design]
name = "robust"
scenario = "imvo_samen_veranderen"
seed = 3
replications = 2
candidates = 6
batch = 3
reevaluation = 2

[target]
month = 72

[set]
sme.count = 150

[levers]
coalition.initial_size = {min = 5, max = 40}

[uncertainty]
worlds = 3
posterior = "posterior.parquet"
"""


def test_a_design_is_scored_over_worlds_and_replicates(tmp_path):
    path = write(tmp_path, DESIGN, "design.toml")
    front = run_design(path, out=tmp_path / "out", workers=2)
    runs = pd.read_parquet(tmp_path / "out" / "search_runs.parquet")
    assert len(runs) == 6 * 3 * 2 and set(runs["world"]) == {0, 1, 2}
    assert {"p_median", "p_world_low", "p_world_high", "robustness"} <= set(front)
    assert (front["replications"] == 3 * 2).all()
    assert "plausible worlds" in (tmp_path / "out" / "report.md").read_text()
    again = run_design(path, out=tmp_path / "out", workers=1, resume=True)
    pd.testing.assert_frame_equal(front, again)


def test_design_score_spreads_over_worlds(tmp_path):
    design = load_design(write(tmp_path, DESIGN, "design.toml"))
    rows = [
        {
            "status": "done",
            "world": w,
            "critical_mass_reached": hit,
            "critical_mass_month": 50 if hit else None,
            "total_spend": 0.0,
            "peak_coalition_size": 10,
        }
        for w, hits in enumerate([(True, True), (True, False), (False, False)])
        for hit in hits
    ]
    numbers = score(design, {"coalition.initial_size": 10}, rows)
    assert numbers["p_critical_mass"] == pytest.approx(0.5)
    assert numbers["robustness"] == pytest.approx(2 / 3)
    assert numbers["p_median"] == 0.5
    assert world_spread(rows)["p_world_high"] == pytest.approx(np.quantile([1, 0.5, 0], 0.9))


def test_ema_sees_worlds_as_scenarios_and_points_as_policies(swept):
    from sectorsim.ema import to_ema

    folder, _, runs = swept
    experiments, outcomes = to_ema(folder / "out")
    assert {"imitation.linear_rate", "coalition.dropout_rate"} <= set(experiments)
    assert (experiments["scenario"].to_numpy() == runs["world"].to_numpy()).all()
    assert (experiments["policy"].to_numpy() == runs["point"].to_numpy()).all()
    assert "imitation.linear_rate" not in outcomes and "world" not in outcomes
