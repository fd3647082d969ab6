"""The EMA Workbench adapter: parameters from the schema, outcomes as sectorsim computes them,
stored sweeps as EMA results, and the examples of docs/ema.md."""

import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ema_workbench")

from ema_workbench import (  # noqa: E402
    BooleanParameter,
    CategoricalParameter,
    IntegerParameter,
    RealParameter,
    SequentialEvaluator,
)
from ema_workbench.analysis import cart, dimensional_stacking, feature_scoring, prim  # noqa: E402

from sectorsim import ConfigError, load_scenario  # noqa: E402
from sectorsim.ema import ema_model, to_ema  # noqa: E402
from sectorsim.experiments import run_experiment  # noqa: E402
from sectorsim.params import PARAMETERS  # noqa: E402
from sectorsim.runs import replicate_seeds, run_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"sme.count": 120, "months": 36}

SWEEP = """
[experiment]
name = "discovery"
scenario = "imvo_samen_veranderen"
replications = 2
seed = 77
months = 48

[set]
sme.count = 120
podium.visibility = 2.0

[factors]
coalition.initial_size = {min = 5, max = 40, integer = true}
funding.budget = {min = 0.0, max = 2_000_000.0}
broadening.open = [true, false]

[sampling]
method = "lhs"
n = 12
"""


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_parameters_take_type_and_bounds_from_the_schema():
    model = ema_model(
        "imvo_samen_veranderen",
        uncertainties=["podium.visibility", "network.kind", ("imitation.segment_weight", 0.2, 0.8)],
        levers=["coalition.initial_size", "broadening.open"],
        overrides=SMALL,
    )
    u, lever = model.uncertainties, model.levers
    spec = PARAMETERS["podium.visibility"]
    assert isinstance(u["podium.visibility"], RealParameter)
    assert (u["podium.visibility"].lower_bound, u["podium.visibility"].upper_bound) == (
        spec.ge,
        spec.le,
    )
    assert isinstance(u["network.kind"], CategoricalParameter)
    assert [c.value for c in u["network.kind"].categories] == list(
        PARAMETERS["network.kind"].choices
    )
    assert u["imitation.segment_weight"].upper_bound == 0.8
    assert isinstance(lever["coalition.initial_size"], IntegerParameter)
    assert lever["coalition.initial_size"].upper_bound == PARAMETERS["coalition.initial_size"].le
    assert isinstance(lever["broadening.open"], BooleanParameter)
    names = {o.name for o in model.outcomes}
    assert {
        "critical_mass_reached",
        "critical_mass_month",
        "final_adoption",
        "total_spend",
    } <= names


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"uncertainties": ["podium.visibilty"]}, "did you mean 'podium.visibility'"),
        ({"levers": [("funding.budget", -5.0, 10.0)]}, "out of range"),
        ({"overrides": {"sme.count": 3}}, "sme.count"),
        ({"uncertainties": ["podium.visibility"], "levers": ["podium.visibility"]}, "both"),
    ],
)
def test_bad_input_is_refused_before_anything_runs(kwargs, needle):
    with pytest.raises(ConfigError, match=re.escape(needle)):
        ema_model("imvo_samen_veranderen", **kwargs)


def test_experiments_give_sectorsims_numbers():
    model = ema_model(
        "imvo_samen_veranderen",
        uncertainties=[("coalition.initial_size", 5, 40), "broadening.open"],
        levers=[("funding.budget", 0.0, 2_000_000.0)],
        replications=2,
        overrides=SMALL,
    )
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=3, policies=2)
    assert len(experiments) == 6 and all(len(v) == 6 for v in outcomes.values())
    row = experiments.iloc[4]
    config = load_scenario(
        "imvo_samen_veranderen",
        {
            **SMALL,
            "coalition.initial_size": int(row["coalition.initial_size"]),
            "broadening.open": bool(row["broadening.open"]),
            "funding.budget": float(row["funding.budget"]),
        },
    )
    runs = [run_model(config, seed)[0] for seed in replicate_seeds(20130101, 2)]
    assert outcomes["final_adoption"][4] == pytest.approx(
        np.mean([r["final_adoption"] for r in runs])
    )
    assert outcomes["total_spend"][4] == pytest.approx(np.mean([r["total_spend"] for r in runs]))
    assert outcomes["critical_mass_reached"][4] == np.mean(
        [r["critical_mass_reached"] for r in runs]
    )
    pickle.loads(pickle.dumps(model))  # what the multiprocessing evaluator needs


def test_optimize_over_the_levers():
    model = ema_model(
        "imvo_samen_veranderen",
        levers=[("funding.budget", 0.0, 2_000_000.0)],
        overrides=SMALL,
    )
    with SequentialEvaluator(model) as evaluator:
        front = evaluator.optimize(
            nfe=12, searchover="levers", epsilons=[0.5, 0.1, 100_000.0], population_size=6
        )
    assert len(front) >= 1
    assert front["funding.budget"].between(0.0, 2_000_000.0).all()
    assert (front["total_spend"] <= front["funding.budget"] + 1e-6).all()


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "discovery.toml").write_text(SWEEP)
    run_experiment(folder / "discovery.toml", out=folder / "out", workers=1)
    return folder / "out"


def test_a_stored_sweep_is_ema_input(sweep):
    import pandas as pd

    experiments, outcomes = to_ema(sweep)
    runs = pd.read_parquet(sweep / "runs.parquet").sort_values("run_id")
    assert len(experiments) == len(runs) == 24
    assert {"coalition.initial_size", "funding.budget", "broadening.open"} <= set(experiments)
    assert experiments["broadening.open"].dtype == "category"
    assert (experiments["funding.budget"].to_numpy() == runs["funding.budget"].to_numpy()).all()
    assert (outcomes["final_adoption"] == runs["final_adoption"].to_numpy()).all()
    assert set(np.unique(outcomes["critical_mass_reached"])) <= {0.0, 1.0}
    reached = outcomes["critical_mass_reached"] == 1
    assert (outcomes["critical_mass_month"][~reached] == 49).all()  # censored: months + 1
    assert (outcomes["critical_mass_month"][reached] <= 48).all()
    assert not any(np.isnan(v).any() for v in outcomes.values())
    assert "total_spend" in outcomes
    # EMA's analyses take it as it is
    scores = feature_scoring.get_feature_scores_all(experiments, outcomes)
    assert {"coalition.initial_size", "funding.budget"} <= set(scores.index)
    y = outcomes["final_adoption"] > np.median(outcomes["final_adoption"])
    prim.Prim(experiments, y, threshold=0.6).find_box()
    tree = cart.CART(experiments, y)
    tree.build_tree()
    assert tree.boxes
    dimensional_stacking.create_pivot_plot(experiments, y, 2)


def test_to_ema_refuses_a_folder_that_is_not_a_sweep(tmp_path):
    with pytest.raises(ConfigError, match="not a sweep folder"):
        to_ema(tmp_path)


def test_the_examples_of_docs_ema_run(sweep, monkeypatch, tmp_path):
    text = (ROOT / "docs" / "ema.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 4
    namespace: dict = {}
    for block in blocks[:3]:
        exec(compile(block, "docs/ema.md", "exec"), namespace)
    assert len(namespace["experiments"]) == 32
    assert {"mean_adoption", "mean_spend"} <= set(namespace["front"].columns)
    results = tmp_path / "results"
    results.mkdir()
    (results / "e5_discovery").symlink_to(sweep)
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[3], "docs/ema.md", "exec"), namespace)
