"""SectorModel: a Mesa model of components that own their state, reproducible, with sane
outputs."""

import mesa
import numpy as np
import pandas as pd
import pytest

from sectorsim import SectorModel, load_scenario
from sectorsim.randomness import RandomStreams
from sectorsim.state import Stage


def test_is_a_mesa_model_whose_month_is_a_plan_of_components(small_config):
    model = SectorModel(small_config, seed=1)  # the baseline: no programme
    assert isinstance(model, mesa.Model)
    assert model.components == (
        "environment", "ngos", "large_firms", "projects", "coalition", "smes"
    )  # fmt: skip
    assert model.state.stage.size == small_config.sme.count
    programme = SectorModel(load_scenario("imvo_samen_veranderen", {"sme.count": 60}), seed=1)
    assert programme.components[:2] == ("environment", "programme")
    bass = SectorModel(load_scenario("bass", {"sme.count": 50}), seed=1)
    assert bass.components == ("smes",)


def test_switches_take_components_out_of_the_plan(small_config):
    off = {"mechanisms.chain": False, "mechanisms.ngo": False, "mechanisms.projects": False}
    model = SectorModel(load_scenario("imvo_samen_veranderen", {"sme.count": 60, **off}), seed=1)
    assert model.components == ("environment", "programme", "coalition", "smes")


def test_the_state_a_month_changes_is_the_state_the_model_shows(small_config):
    model = SectorModel(small_config, seed=1)
    model.state.stage[:] = Stage.INNOVATING  # everyone far ahead: nobody moves up or down
    model.step()
    assert model.series("stage_share_3")[-1] == 1.0


def test_mesa_generators_cannot_be_drawn_from_by_mistake(small_config):
    model = SectorModel(small_config, seed=1)
    for name in ("random", "rng"):
        with pytest.raises(AttributeError, match="named stream"):
            getattr(model, name).random()


def test_same_config_and_seed_give_identical_outputs(small_config):
    a = SectorModel(small_config, seed=42).run()
    b = SectorModel(small_config, seed=42).run()
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())
    assert a.summary() == b.summary()


def test_different_seeds_give_different_runs(small_config):
    a = SectorModel(small_config, seed=1).run().timeseries()
    b = SectorModel(small_config, seed=2).run().timeseries()
    assert not a.equals(b)


def test_a_fresh_seed_is_recorded_so_the_run_can_be_rebuilt(small_config):
    a = SectorModel(small_config).run()
    b = SectorModel(small_config, seed=a.seed).run()
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())


def test_step_advances_one_month_and_run_stops_at_the_horizon(small_config):
    model = SectorModel(small_config, seed=3)
    model.step()
    assert model.month == 1 and len(model.timeseries()) == 2
    model.run()
    assert model.month == small_config.months and not model.running
    assert list(model.timeseries()["month"]) == list(range(small_config.months + 1))


def test_timeseries_shares_are_valid(small_config):
    ts = SectorModel(small_config, seed=5).run().timeseries()
    stages = ts[[f"stage_share_{k}" for k in range(4)]]
    np.testing.assert_allclose(stages.sum(axis=1), 1.0)
    assert ((stages >= 0) & (stages <= 1)).all().all()
    np.testing.assert_allclose(ts["adoption_share"], ts["stage_share_2"] + ts["stage_share_3"])
    assert set(ts["phase"]) <= {
        "predevelopment",
        "take-off",
        "acceleration",
        "stabilisation",
        "setback",
    }


def test_without_change_projects_no_sme_reaches_stage_three(small_config):
    model = SectorModel(small_config.updated({"months": 120}), seed=1).run()
    assert model.state.stage.max() <= Stage.IMPLEMENTING


def test_summary_fields(small_config):
    summary = SectorModel(small_config, seed=9).run().summary()
    for key in (
        "critical_mass_reached",
        "critical_mass_month",
        "final_adoption",
        "outcome",
        "seed",
        "config_hash",
    ):
        assert key in summary
    assert summary["critical_mass_reached"] == (summary["critical_mass_month"] is not None)


def test_switching_relapse_off_means_nobody_falls_back():
    config = load_scenario(
        "baseline", {"sme.count": 300, "months": 100, "mechanisms.relapse": False}
    )
    model = SectorModel(config, seed=4)
    previous = model.state.stage.copy()
    for _ in range(100):
        model.step()
        assert (model.state.stage >= previous).all()
        previous = model.state.stage.copy()


def test_switching_a_mechanism_off_keeps_the_other_random_streams():
    on = SectorModel(load_scenario("baseline", {"sme.count": 300}), seed=4)
    off = SectorModel(
        load_scenario("baseline", {"sme.count": 300, "mechanisms.imitation": False}), seed=4
    )
    np.testing.assert_array_equal(on.state.motivation, off.state.motivation)
    assert (on.network.adjacency != off.network.adjacency).nnz == 0


def stream_states(overrides, months=24):
    """The state of the SMEs' adoption and relapse streams after ``months`` of the default
    programme, and the state numpy's Generator reaches after the SMEs' draws alone (one number
    per SME a month each)."""
    config = load_scenario("imvo_samen_veranderen", overrides)
    model = SectorModel(config, seed=11)
    for _ in range(months):
        model.step()
    own = RandomStreams(11)
    states = {}
    for name in ("adoption", "relapse"):
        own[name].random(months * config.sme.count)
        states[name] = (model.streams[name].bit_generator.state, own[name].bit_generator.state)
    return states


@pytest.mark.parametrize(
    "switch", ["none", "relapse", "imitation", "ngo", "chain", "cartel", "projects", "coalition"]
)
def test_each_mechanism_draws_from_a_stream_of_its_own(switch):
    """Common random numbers: the adoption and relapse streams hand out exactly the SMEs' monthly
    draws, whichever mechanism is off; a mechanism that drew from them would shift every later
    number."""
    overrides = {} if switch == "none" else {f"mechanisms.{switch}": False}
    for name, (drawn, expected) in stream_states(overrides).items():
        assert drawn == expected, f"{name} stream with {switch} off"


def test_imitation_speeds_up_adoption():
    finals = {}
    for flag in (True, False):
        config = load_scenario(
            "baseline", {"sme.count": 1000, "mechanisms.imitation": flag, "podium.visibility": 5.0}
        )
        finals[flag] = np.mean(
            [SectorModel(config, seed=s).run().summary()["final_adoption"] for s in range(5)]
        )
    assert finals[True] > finals[False]


def test_initial_adopters_are_the_koplopers_at_the_adopted_stage():
    config = load_scenario("baseline", {"sme.count": 400, "adoption.initial_adopters": 20})
    model = SectorModel(config, seed=0)
    assert model.state.koploper.sum() == 20
    assert (model.state.stage[model.state.koploper] == Stage.IMPLEMENTING).all()
    assert model.timeseries()["adoption_share"].iloc[0] == pytest.approx(20 / 400)


@pytest.mark.parametrize("n", [10, 11])
def test_smallest_sectors_run(n):
    config = load_scenario(
        "baseline", {"sme.count": n, "network.mean_degree": 4, "adoption.initial_adopters": 1}
    )
    SectorModel(config, seed=0).run()
