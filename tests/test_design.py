"""Design search: design files, the cost model, a problem whose answer is known by construction,
re-evaluation, reproduction through `sectorsim run`, resume and worker-independence."""

import json
from pathlib import Path

import pandas as pd
import pytest

from sectorsim import load_scenario
from sectorsim.batch.runners import MAX_CHUNK
from sectorsim.batch.store import stored_rows
from sectorsim.cli import main
from sectorsim.config import ConfigError
from sectorsim.design import run_design
from sectorsim.design.search import SEARCH, run_seeds
from sectorsim.design.spec import SHARES, load_design
from sectorsim.runs import run_model

ROOT = Path(__file__).resolve().parents[1]

# Only the budget matters: the coalition and podium are fixed, the cost is the budget spent, and
# the second lever is a decoy (the month of a scandal of size 0). P(critical mass by month 120)
# rises with the budget, so the front is a rising staircase in the budget and its knee, the
# cheapest budget with P >= 0.5, can be found by bisection on the same replicate seeds.
BUDGET_ONLY = """
[design]
name = "budget_only"
scenario = "imvo_samen_veranderen"
seed = 11
replications = 10
candidates = 24
batch = 6
reevaluation = 20

[target]
month = 120

[set]
sme.count = 300
coalition.initial_size = 30

[levers]
funding.budget = {min = 0.0, max = 800_000.0}
shock.month = {min = 1, max = 119}
"""


def write(tmp_path, text, name="design.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


# ---- files -----------------------------------------------------------------------------------
def test_the_shipped_design_file_loads_and_says_what_it_answers():
    path = ROOT / "experiments" / "design_programme.toml"
    design = load_design(path)
    assert len(design.levers) >= 8 and design.per_member > 0 and design.per_month > 0
    assert path.read_text().startswith("# What is the cheapest programme")


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("candidates = 24", "candidate = 24", "did you mean 'design.candidates'"),
        ("batch = 6", "batch = 0", "key 'design.batch' = 0: out of range"),
        ("seed = 11", 'seed = 11\nsampler = "cmaes"', "one of 'tpe', 'nsga2', 'random'"),
        ("month = 120", "month = 120.5", "key 'target.month' = 120.5: wrong type"),
        ("[target]\nmonth = 120", "[target]\nmonth = 120\nprobabilities = [1.5]", "(0, 1]"),
        (
            "[target]\nmonth = 120",
            "[target]\nmonth = 120\nprobabilities = []",
            "key 'target.probabilities' = []: not a list of probabilities",
        ),
        ("batch = 6", "batch = true", "key 'design.batch' = True: wrong type"),
        ("shock.month", "shock.mont", "key 'levers.shock.mont'"),
        ("max = 800_000.0}", "max = -1.0}", "key 'levers.funding.budget' = -1.0: out of range"),
        ("[set]\n", "[cost]\nper_member = -5.0\n[set]\n", "key 'cost.per_member' = -5.0: negative"),
        ("coalition.initial_size = 30", "funding.budget = 1.0", "is also fixed"),
        (
            "shock.month = {min = 1, max = 119}",
            "funding.share_vouchers = {min = 0.0, max = 0.6}\n"
            "funding.share_projects = {min = 0.0, max = 0.6}",
            "the lever shares can sum to 1.2",
        ),
        (
            "shock.month = {min = 1, max = 119}",
            "\n".join(f"{k} = {{min = 0.0, max = 0.3}}" for k in SHARES),
            "all three funding shares are levers",
        ),
        (
            "coalition.initial_size = 30",
            "funding.share_team = 0.2\n[levers]\nfunding.share_vouchers = [0.1, 0.2]\n[x]",
            "key 'set.funding.share_team' = 0.2: a fixed funding share",
        ),
    ],
)
def test_bad_design_files_name_file_key_and_what_is_allowed(tmp_path, old, new, needle):
    assert old in BUDGET_ONLY
    text = BUDGET_ONLY.replace(old, new, 1)
    if "[x]" in new:  # the lever table moved up: drop the original one
        text = text.replace("[x]", "").replace("\n[levers]\nfunding.budget", "\nfunding.budget")
    with pytest.raises(ConfigError) as err:
        load_design(write(tmp_path, text))
    assert "design.toml" in str(err.value)
    assert needle in str(err.value)


def test_a_missing_target_is_named(tmp_path):
    text = BUDGET_ONLY.replace("[target]\nmonth = 120\n", "")
    with pytest.raises(ConfigError, match="'target'.*missing table"):
        load_design(write(tmp_path, text))


def test_bad_design_file_exits_2_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, BUDGET_ONLY.replace("candidates = 24", "candidates = -1"))
    out = tmp_path / "out"
    assert main(["design", str(path), "--out", str(out)]) == 2
    assert "design.candidates" in capsys.readouterr().err
    assert not out.exists()


# ---- the cost model and the funding split ------------------------------------------------------
def test_funding_shares_that_are_not_levers_take_what_is_left_in_proportion(tmp_path):
    text = BUDGET_ONLY.replace(
        "shock.month = {min = 1, max = 119}", "funding.share_vouchers = {min = 0.0, max = 0.8}"
    )
    design = load_design(write(tmp_path, text))
    base = load_scenario("imvo_samen_veranderen").funding
    config = design.config({"funding.budget": 1e5, "funding.share_vouchers": 0.6})
    f = config.funding
    assert f.share_vouchers == 0.6
    assert f.share_vouchers + f.share_projects + f.share_team == pytest.approx(1.0)
    assert f.share_projects / f.share_team == pytest.approx(base.share_projects / base.share_team)


def test_cost_counts_spend_members_and_programme_months_up_to_the_target(tmp_path):
    text = BUDGET_ONLY.replace("[set]", "[cost]\nper_member = 1000.0\nper_month = 100.0\n[set]")
    design = load_design(write(tmp_path, text))
    config = design.config({"funding.budget": 1e5, "shock.month": 5})
    p = config.programme
    months = min(p.start_month + p.duration, 120) - p.start_month
    assert design.cost(config, spent=5000.0, coalition=12) == 5000.0 + 12_000.0 + 100.0 * months
    long = design.config({"funding.budget": 1e5, "shock.month": 5, "programme.duration": 200})
    assert design.cost(long, spent=0.0, coalition=0) == 100.0 * (120 - p.start_month)


# ---- a problem whose answer is known by construction ---------------------------------------------
@pytest.fixture(scope="module")
def known(tmp_path_factory):
    folder = tmp_path_factory.mktemp("design")
    path = write(folder, BUDGET_ONLY)
    front = run_design(path, out=folder / "out", workers=1)
    return path, folder / "out", front


def knee(design, seeds, resolution=5_000.0):
    """The cheapest budget with P >= 0.5 on ``seeds``, by bisection, and its mean spend."""

    def runs(budget):
        config = design.config({"funding.budget": budget, "shock.month": 60})
        return [run_model(config, seed)[0] for seed in seeds]

    low, high = 0.0, 800_000.0
    while high - low > resolution:
        middle = (low + high) / 2
        hits = sum(r["critical_mass_reached"] for r in runs(middle))
        low, high = (low, middle) if hits >= len(seeds) / 2 else (middle, high)
    return high, sum(r["total_spend"] for r in runs(high)) / len(seeds)


def test_the_decoy_lever_changes_nothing(tmp_path):
    design = load_design(write(tmp_path, BUDGET_ONLY))
    seed = run_seeds(design, SEARCH)[0]
    early, late = (
        run_model(design.config({"funding.budget": 2e5, "shock.month": m}), seed)[0]
        for m in (5, 100)
    )
    assert {**early, "config_hash": None} == {**late, "config_hash": None}


def test_the_front_finds_the_knee_of_the_budget(known):
    path, out, front = known
    design = load_design(path)
    seeds = run_seeds(design, SEARCH)
    budget, spend = knee(design, seeds)
    assert 50_000 < budget < 750_000, "the construction puts the knee inside the range"
    candidates = pd.read_parquet(out / "candidates.parquet")
    reaching = candidates[candidates["p_critical_mass"] >= 0.5]
    cheapest = reaching.sort_values("cost").iloc[0]
    # found within 25% of the knee's cost, and nothing cheaper than the knee reaches it
    assert cheapest["cost"] <= 1.25 * spend + 10_000
    assert (reaching["funding.budget"] >= budget - 5_000).all()
    # along the front, cost and P both rise with the budget; the decoy has no say
    assert front["funding.budget"].is_monotonic_increasing
    assert front["cost"].is_monotonic_increasing


def test_the_front_is_monotone_and_holds_on_reevaluation(known):
    _, out, front = known
    assert len(front) >= 2
    assert front["p_critical_mass"].is_monotonic_increasing and front["p_critical_mass"].is_unique
    assert (front["replications"] == 20).all() and (front["search_replications"] == 10).all()
    # the search's estimate and the fresh one agree within their 95% intervals
    assert (front["search_p_high"] >= front["p_low"]).all()
    assert (front["search_p_low"] <= front["p_high"]).all()
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_front_designs_reproduce_through_sectorsim_run(known, tmp_path):
    _, out, front = known
    report = (out / "report.md").read_text()
    assert "P ≥ 50%" in report and "The levers along the front" in report
    for _, row in front.iloc[[0, -1]].iterrows():
        command = next(line for line in report.splitlines() if "sectorsim run designs/" in line)
        seed = int(command.split("--seed ")[1].split("`")[0])
        target = tmp_path / row["design"]
        argv = ["run", str(out / row["file"]), "--reps", "20", "--seed", str(seed)]
        assert main([*argv, "--out", str(target)]) == 0
        aggregate = json.loads((target / "summary.json").read_text())["aggregate"]
        assert aggregate["p_critical_mass"] == row["p_critical_mass"]
        assert aggregate["mean_total_spend"] == pytest.approx(row["mean_spend"])


def test_an_interrupted_search_resumes_to_the_same_front(known, tmp_path):
    path, _, front = known
    out = tmp_path / "out"

    def stop_midway(done, total):
        if done == 70:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_design(path, out=out, workers=1, progress=stop_midway)
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert 70 <= len(stored_rows(out / "search_parts")) < 70 + MAX_CHUNK  # whole chunks
    assert not (out / "front.parquet").exists()
    resumed = run_design(path, out=out, workers=1, resume=True)
    pd.testing.assert_frame_equal(resumed, front)


def test_two_workers_give_the_same_front(known, tmp_path):
    path, _, front = known
    pd.testing.assert_frame_equal(run_design(path, out=tmp_path / "two", workers=2), front)


def test_a_dask_cluster_gives_the_same_front(known, tmp_path, dask_scheduler):
    path, _, front = known
    on_dask = run_design(path, out=tmp_path / "dask", scheduler=dask_scheduler)
    pd.testing.assert_frame_equal(on_dask, front)


def test_a_folder_of_another_design_is_refused(known, tmp_path, capsys):
    path, out, _ = known
    other = write(tmp_path, BUDGET_ONLY.replace("seed = 11", "seed = 12"), "other.toml")
    assert main(["design", str(other), "--out", str(out)]) == 2
    assert "holds another design" in capsys.readouterr().err
    assert main(["design", str(path), "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err


def test_quick_design_of_the_shipped_file_writes_every_output(tmp_path):
    out = tmp_path / "quick"
    path = ROOT / "experiments" / "design_programme.toml"
    assert main(["design", str(path), "--quick", "--out", str(out)]) == 0
    for name in ("front.parquet", "candidates.parquet", "front.png", "report.md"):
        assert (out / name).is_file()
    front = pd.read_parquet(out / "front.parquet")
    assert sorted(p.name for p in (out / "designs").glob("*.toml")) == [
        f"{d}.toml" for d in front["design"]
    ]
    assert len(pd.read_parquet(out / "candidates.parquet")) == 12


def test_a_search_where_nothing_tips_reports_an_empty_front(tmp_path):
    text = BUDGET_ONLY.replace("month = 120", "month = 12").replace(
        "candidates = 24", "candidates = 6"
    )
    out = tmp_path / "out"
    assert main(["design", str(write(tmp_path, text)), "--out", str(out), "--workers", "1"]) == 0
    assert len(pd.read_parquet(out / "front.parquet")) == 0
    assert not list((out / "designs").glob("*.toml"))
    assert "no design within the levers' ranges reached it" in (out / "report.md").read_text()
