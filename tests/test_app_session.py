"""The workshop app's session, charts and texts, without a browser."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sectorsim import SectorModel, load_scenario
from sectorsim.app import charts
from sectorsim.app.levers import LEVERS
from sectorsim.app.session import (
    NETWORK_SAMPLE,
    Refused,
    WorkshopSession,
    design_levers,
    stored_front,
)
from sectorsim.app.texts import LANGUAGES, MECHANISMS, UI, markdown, unit
from sectorsim.runs import replicate_seeds


@pytest.fixture
def session():
    s = WorkshopSession("imvo_samen_veranderen", seed=3)
    s.set_lever("sme.count", 300)
    return s


def test_every_interface_text_exists_in_both_languages():
    for key, texts in UI.items():
        assert set(texts) == set(LANGUAGES), key
    english_only = {"EUR", "share", "market share", "[0,1]", "on/off"}  # same words in Dutch
    for spec in LEVERS.values():
        assert spec.unit in english_only or unit(spec.unit, "nl") != spec.unit, spec.unit
    for mechanism in MECHANISMS:
        for language in LANGUAGES:
            title, text = mechanism.text(language)
            assert title and len(text) > 40
    assert markdown("nl") != markdown("en")


def test_shown_run_is_replicate_zero_of_the_seed(session):
    session.step(24)
    model = SectorModel(session.config, seed=replicate_seeds(3, 1)[0])
    for _ in range(24):
        model.step()
    np.testing.assert_array_equal(
        session.model.series("adoption_share"), model.series("adoption_share")
    )


def test_moving_a_lever_restarts_the_run_and_keeps_the_previous_one(session):
    session.step(30)
    before = session.model.series("adoption_share").copy()
    session.set_lever("coalition.initial_size", 30)
    assert session.month == 0
    assert session.config.coalition.initial_size == 30
    np.testing.assert_array_equal(session.previous, before)


def test_funding_shares_always_sum_to_one(session):
    session.set_lever("funding.share_vouchers", 0.8)
    f = session.config.funding
    assert f.share_vouchers == 0.8
    assert f.share_vouchers + f.share_projects + f.share_team == pytest.approx(1.0)
    assert f.share_projects <= 0.2 + 1e-9
    session.set_lever("funding.share_projects", 0.1)
    f = session.config.funding
    assert (f.share_vouchers, f.share_projects) == (0.8, 0.1)
    assert f.share_team == pytest.approx(0.1)


def test_settings_that_do_not_fit_are_refused_and_the_run_kept(session):
    session.step(5)
    session.set_lever("coalition.initial_size", 60)
    session.set_lever("sme.count", 100)  # fine: the schema allows it
    assert session.error is None
    config = session.config
    session.overrides["adoption.initial_adopters"] = 10_000  # more adopters than firms
    session.set_lever("podium.visibility", 2.0)
    assert session.error is not None and "adoption.initial_adopters" in session.error
    assert session.config == config


def test_baseline_is_the_same_seed_without_programme(session):
    assert session.baseline is not None
    assert session.baseline.size == session.config.months + 1
    described = session.description
    session.set_preset("baseline")
    assert session.baseline is None  # the baseline preset has no programme to compare with
    assert session.description and session.description != described


def test_kpis_report_spend_and_euros_per_extra_adopter(session):
    session.step(session.config.months)
    assert session.finished
    kpis = session.kpis()
    summary = session.model.summary()
    assert kpis["spent"] == summary["total_spend"]
    assert kpis["outcome"] == summary["outcome"]
    extra = (kpis["adoption"] - kpis["baseline_adoption"]) * session.config.sme.count
    if extra > 0:
        assert kpis["euros_per_extra_adopter"] == pytest.approx(kpis["spent"] / extra)


def test_replications_give_a_band_and_the_chance_of_critical_mass(session):
    seen = []
    result = session.run_replications(4, progress=seen.append)
    assert seen == [1, 2, 3, 4]
    assert result["n"] == 4 and 0 <= result["hits"] <= 4
    assert result["ci"][0] <= result["p"] <= result["ci"][1]
    assert np.all(result["p10"] <= result["p50"]) and np.all(result["p50"] <= result["p90"])
    assert session.replications is result


def test_replications_are_dropped_when_the_settings_change_meanwhile(session):
    calls = []

    def change_once(done):
        if not calls:
            calls.append(done)
            session.set_lever("podium.visibility", 5.0)

    assert session.run_replications(2, progress=change_once) is None
    assert session.replications is None


def test_downloaded_scenario_reproduces_the_run_with_the_cli(session, tmp_path):
    session.set_lever("coalition.initial_size", 25)
    session.set_lever("cartel.green_deal", True)
    session.step(session.config.months)
    scenario = tmp_path / "workshop.toml"
    scenario.write_text(session.scenario_toml())
    assert load_scenario(str(scenario)) == session.config
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "sectorsim.cli", "run", str(scenario), "--seed", "3", "--reps", "1"]
        + ["--out", str(out)],
        check=True,
        capture_output=True,
    )
    cli = pd.read_csv(out / "timeseries.csv")
    app = pd.read_csv(pd.io.common.StringIO(session.csv()))
    np.testing.assert_allclose(
        cli["adoption_share"].to_numpy(), app["adoption_share"].to_numpy(), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(cli["budget_spent"], app["budget_spent"], rtol=1e-12)


def test_charts_are_json_and_grow_with_the_run(session):
    session.step(12)
    session.run_replications(2)
    snapshot = session.snapshot()
    for language in LANGUAGES:
        for build in (
            charts.adoption_chart,
            charts.coalition_chart,
            charts.projects_chart,
            charts.budget_chart,
            charts.network_chart,
        ):
            json.dumps(build(snapshot, language))
    adoption = charts.adoption_chart(snapshot, "en")
    assert len(adoption["xAxis"]["data"]) == session.config.months + 1
    stages = adoption["series"][:2]  # innovating and implementing: the adopters, in percent
    assert all(len(s["data"]) == 13 for s in stages)
    top = np.sum([s["data"] for s in stages], axis=0)
    np.testing.assert_allclose(top, snapshot["frame"]["adoption_share"] * 100, atol=2e-2)
    assert (
        adoption["yAxis"]["max"] <= 100
        and adoption["yAxis"]["axisLabel"]["formatter"] == "{value}%"
    )
    assert adoption["legend"]["type"] == "plain"
    year = str(session.config.calendar.start_year)
    assert adoption["xAxis"]["data"][0] == year and adoption["xAxis"]["data"][12] == str(
        int(year) + 1
    )
    names = {s["name"] for s in adoption["series"]}
    assert {"no programme (same seed)", "10-90% of replications"} <= names
    assert charts.adoption_chart(snapshot, "nl")["series"][0]["name"] == "Innoverend"


def test_phase_bands_cover_each_stretch_of_a_phase():
    phases = ["predevelopment"] * 3 + ["take-off"] * 4 + ["acceleration"] * 2
    bands = charts.phase_bands(phases, "en")
    assert [(b[0]["name"], b[0]["xAxis"], b[1]["xAxis"]) for b in bands] == [
        ("take-off", 3, 6),
        ("acceleration", 7, 8),
    ]


def test_network_view_samples_a_large_sector(session):
    session.set_lever("sme.count", 2000)
    view = session.network_view
    assert view["n"] == 2000 and view["nodes"].size == NETWORK_SAMPLE
    assert view["positions"].shape == (NETWORK_SAMPLE, 2)
    assert view["edges"].size == 0 or view["edges"].max() < NETWORK_SAMPLE


def test_cli_app_is_documented_in_help():
    out = subprocess.run(
        [sys.executable, "-m", "sectorsim.cli", "app", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "--port" in out.stdout and "127.0.0.1" in out.stdout


def test_replications_in_a_process_pool_equal_those_run_here(session):
    from concurrent.futures import ProcessPoolExecutor

    here = session.run_replications(3)
    with ProcessPoolExecutor(max_workers=1) as pool:
        there = session.run_replications(3, executor=pool)
    assert (here["hits"], here["median_month"]) == (there["hits"], there["median_month"])
    np.testing.assert_array_equal(here["p50"], there["p50"])


# ---- what does it cost: the stored design front ------------------------------------------------
def test_the_default_preset_ships_a_design_front_read_from_design_output():
    front = stored_front("imvo_samen_veranderen")
    assert front is not None and len(front) >= 3
    assert (
        front["cost"].is_monotonic_increasing and front["p_critical_mass"].is_monotonic_increasing
    )
    assert stored_front("bass") is None


def test_loading_a_front_design_puts_its_levers_into_the_settings(session):
    front = stored_front("imvo_samen_veranderen")
    name = front["design"].iloc[len(front) // 2]
    session.step(5)
    session.load_design(name)
    levers = design_levers(front, name)
    assert levers and session.month == 0 and session.error is None
    for key, value in levers.items():
        assert session.value(key) == pytest.approx(value)
    f = session.config.funding
    assert f.share_vouchers + f.share_projects + f.share_team == pytest.approx(1.0)
    assert session.value("sme.count") == load_scenario("imvo_samen_veranderen").sme.count
    with pytest.raises(Refused, match="D99"):
        session.load_design("D99")


def test_the_front_chart_is_json_with_a_point_per_design():
    front = stored_front("imvo_samen_veranderen")
    for language in LANGUAGES:
        option = charts.front_chart(front, language)
        json.dumps(option)
        points = option["series"][0]["data"]
        assert [p["name"] for p in points] == front["design"].tolist()
