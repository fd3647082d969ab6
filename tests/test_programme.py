"""The full model: programme phases, coalition, projects, funding and their invariants."""

import numpy as np
import pytest

from sectorsim import SectorModel, load_scenario
from sectorsim.mechanisms.funding import CHANNELS
from sectorsim.params import PARAMETERS
from sectorsim.runs import run_model

IMVO = "imvo_samen_veranderen"
SWITCHES = [k.split(".")[1] for k in PARAMETERS if k.startswith("mechanisms.")]


def run(overrides=None, seed=1, scenario=IMVO):
    return SectorModel(load_scenario(scenario, overrides or {}), seed=seed).run()


def test_large_firms_and_ngos_are_columns_of_their_components():
    config = load_scenario(IMVO)
    model = SectorModel(config, seed=0)
    assert model.sector.large_firms.motivation.size == config.large_firms.count
    assert model.sector.ngos.member.size == config.ngo.count


def test_team_runs_phases_i_to_iv_then_withdraws():
    phases = run().timeseries()["programme_phase"]
    assert phases[1] == "I preparation" and phases[6] == "I preparation"
    assert phases[7] == "II agenda setting" and phases[13] == "III execution"
    assert (
        phases[25] == "III+IV execution and broadening"
        and phases[48] == "III+IV execution and broadening"
    )
    assert (phases[49:] == "team withdrawn").all()
    assert (run({}, scenario="baseline").timeseries()["programme_phase"] == "no programme").all()


def test_phase_one_recruits_the_start_size_of_koplopers():
    model = SectorModel(load_scenario(IMVO, {"coalition.initial_size": 15}), seed=3)
    for _ in range(6):
        model.step()
    assert 10 <= model.state.coalition_member.sum() <= 15
    assert model.state.koploper[model.state.coalition_member].all()
    assert model.sector.large_firms.member.sum() == 1


@pytest.mark.parametrize("size", [10, 11])
def test_coalition_never_exceeds_the_sector(size):
    model = run(
        {
            "sme.count": size,
            "coalition.initial_size": 500,
            "coalition.target_size": 5000,
            "broadening.rate": 1.0,
            "network.mean_degree": 4,
            "adoption.initial_adopters": 1,
        }
    )
    assert model.series("coalition_size").max() <= size


def test_shares_stay_in_bounds_and_budget_is_never_overspent():
    model = run({"funding.budget": 150_000.0})
    ts = model.timeseries()
    for column in ["adoption_share", "cohesion", "large_firm_adoption_share", "mean_pressure"]:
        assert ts[column].between(0, 1).all(), column
    assert ts["budget_spent"].is_monotonic_increasing
    assert ts["budget_spent"].iloc[-1] <= 150_000.0 + 1e-6
    channels = ts[[f"budget_spent_{c}" for c in CHANNELS]].sum(axis=1)
    np.testing.assert_allclose(channels, ts["budget_spent"])
    assert (model.sector.programme.balance >= -1e-9).all()


def test_no_budget_no_spending_and_spending_stops_with_the_team():
    assert run({"funding.budget": 0.0}).timeseries()["budget_spent"].max() == 0.0
    ts = run().timeseries()
    assert ts["budget_spent"].iloc[49:].nunique() == 1  # nothing after the team withdraws


def test_team_capacity_zero_still_runs_and_loses_members():
    with_team = run({"team.capacity": 60, "funding.share_team": 0.0, "funding.share_projects": 0.7})
    without = run({"team.capacity": 0, "funding.share_team": 0.0, "funding.share_projects": 0.7})
    assert (
        without.series("coalition_size")[30:49].mean()
        < with_team.series("coalition_size")[30:49].mean()
    )


def test_a_closed_coalition_does_not_grow_after_phase_one():
    sizes = run({"broadening.open": False}).series("coalition_size")
    assert sizes[7:].max() <= sizes[6]


def test_projects_put_participants_at_stage_three_and_add_action_perspectives():
    model = run()
    assert model.summary()["projects_succeeded"] > 0 and model.knowledge_stock > 0
    model = SectorModel(load_scenario(IMVO), seed=1)
    while model.series("projects_active")[-1] == 0:
        model.step()
    inside = model.state.project_of >= 0
    assert (model.state.stage[inside] == 3).all()


@pytest.mark.parametrize("name", SWITCHES)
def test_each_mechanism_switched_off_runs_and_changes_the_run(name):
    on = run_model(load_scenario("ecosystem"), seed=11)[0]
    off = run_model(load_scenario("ecosystem", {f"mechanisms.{name}": False}), seed=11)[0]
    assert off != on


def test_every_mechanism_off_at_once():
    overrides = {f"mechanisms.{name}": False for name in SWITCHES}
    model = run(overrides)
    assert model.series("coalition_size").max() == 0 and model.knowledge_stock == 0


def test_switching_funding_off_spends_nothing():
    assert run({"mechanisms.funding": False}).summary()["total_spend"] == 0.0


def test_full_model_is_reproducible():
    a, b = run(seed=9), run(seed=9)
    assert a.summary() == b.summary()
    assert a.timeseries().equals(b.timeseries())


def test_same_seed_baseline_gives_euros_per_extra_adopter():
    summary, _ = run_model(load_scenario(IMVO), seed=4, compare_baseline=True)
    assert summary["extra_adopters"] == pytest.approx(
        (summary["final_adoption"] - summary["baseline_final_adoption"]) * 500
    )
    if summary["extra_adopters"] > 0:
        assert summary["euros_per_extra_adopter"] == pytest.approx(
            summary["total_spend"] / summary["extra_adopters"]
        )


def test_textbook_rules_ignore_the_programme():
    a = run({}, scenario="bass").timeseries()
    assert a["coalition_size"].max() == 0 and a["budget_spent"].max() == 0


def test_due_diligence_raises_pressure_and_large_firm_adoption():
    without = [run({"regulation.due_diligence_month": -1}, seed=s) for s in range(4)]
    with_dd = [run({"regulation.due_diligence_month": 12}, seed=s) for s in range(4)]
    assert np.mean([m.series("mean_pressure")[-1] for m in with_dd]) > np.mean(
        [m.series("mean_pressure")[-1] for m in without]
    )
    assert np.mean([m.series("large_firm_adoption_share")[-1] for m in with_dd]) >= np.mean(
        [m.series("large_firm_adoption_share")[-1] for m in without]
    )


def test_a_scandal_raises_public_pressure_in_its_month():
    ts = run({"shock.month": 30, "shock.size": 0.5}).timeseries()
    assert ts["public_pressure"][31] > ts["public_pressure"][30] + 0.4


@pytest.mark.parametrize(
    "scenario",
    [
        "imvo_samen_veranderen",
        "textiel",
        "leer",
        "tuinbouw",
        "koplopers_drenthe",
        "due_diligence_2030",
        "cartel_chill",
        "ecosystem",
    ],
)
def test_every_source_scenario_runs(scenario):
    summary = run({}, scenario=scenario).summary()
    assert 0 <= summary["final_adoption"] <= 1


def test_bad_new_parameters_get_clear_errors():
    from sectorsim.config import ConfigError

    with pytest.raises(ConfigError, match="funding.share_team"):
        load_scenario(IMVO, {"funding.share_team": 0.5})
    with pytest.raises(ConfigError, match="did you mean 'broadening.start_month'"):
        load_scenario(IMVO, {"broadening.start_mnth": 10})
    with pytest.raises(ConfigError, match="cartel.safe_harbour_share"):
        load_scenario(IMVO, {"cartel.safe_harbour_share": 1.5})


def test_a_failed_project_returns_participants_to_their_earlier_stage():
    model = SectorModel(
        load_scenario(IMVO, {"projects.success_base": 0.0, "projects.support_bonus": 0.0}), seed=2
    )
    before = {}
    for _ in range(120):
        inside = np.flatnonzero(model.state.project_of >= 0)
        before.update({int(i): int(model.state.stage_before_project[i]) for i in inside})
        model.step()
        for i in list(before):
            if model.state.project_of[i] < 0:
                assert model.state.stage[i] <= max(
                    before.pop(i), 2
                )  # back, then at most M1's stage 2
    assert model.summary()["projects_failed"] > 0 and model.summary()["projects_succeeded"] == 0


def test_participants_can_pay_their_share_of_the_project():
    """Each pays its part of the co-funding, less what a large-firm partner pays (M5)."""
    config = load_scenario(IMVO)
    model = SectorModel(config, seed=3)
    p, lf = config.projects, config.large_firms
    own = config.funding.cofunding_share * p.cost
    share = np.array([own, own - min(own, lf.cofunding * p.cost)]) / p.size
    for _ in range(60):
        model.step()
        inside = np.flatnonzero(model.state.project_of >= 0)
        partner = model.sector.projects.large_firm[model.state.project_of[inside]] >= 0
        assert (model.state.resources[inside] >= share[partner.astype(int)] - 1e-9).all()


def test_action_perspectives_fade_without_new_projects():
    model = SectorModel(load_scenario(IMVO, {"projects.knowledge_decay": 0.05}), seed=1)
    model.sector.environment.knowledge_stock[0] = 1.0
    model.step()
    assert model.knowledge_stock <= 0.95 + 1e-12


def test_a_run_past_its_horizon_is_refused():
    model = run({"months": 12})
    with pytest.raises(RuntimeError, match="horizon"):
        model.step()
