"""The rules as the ODD states them: the podium as a programme instrument, large firms that bring
more than risk, grants that start projects, NGO advice, switches that remove exactly their
mechanism, koploper status that lapses and critical mass that must hold."""

import ast
from pathlib import Path

import numpy as np
import pytest

from sectorsim import SectorModel, load_scenario
from sectorsim.outputs import critical_mass, median_month
from sectorsim.runs import replicate_seeds
from sectorsim.state import Stage
from sectorsim.validation import p_critical_mass, replicates, tipping_point

IMVO = "imvo_samen_veranderen"
SRC = Path(__file__).resolve().parents[1] / "src" / "sectorsim"


def run(overrides=None, seed=1, scenario=IMVO):
    return SectorModel(load_scenario(scenario, overrides or {}), seed=seed).run()


# ---- the podium (M2, M8) --------------------------------------------------------------------
def test_the_podium_costs_visibility_times_cost_per_month_for_each_month_it_runs():
    model = run({"podium.visibility": 2.0, "podium.cost_per_month": 1_000.0, "podium.months": 30})
    ts = model.timeseries()
    assert ts["budget_spent_podium"].iloc[-1] == pytest.approx(2.0 * 1_000.0 * 30)
    assert model.summary()["podium_spend"] == pytest.approx(60_000.0)
    assert model.summary()["total_spend"] == pytest.approx(ts["budget_spent"].iloc[-1])
    # the podium's money is set aside from the same budget: the other channels get less
    free = run({"podium.visibility": 2.0, "podium.cost_per_month": 0.0, "podium.months": 30})
    assert free.summary()["podium_spend"] == 0.0
    vouchers = "budget_spent_vouchers"
    assert model.series(vouchers)[-1] <= free.series(vouchers)[-1]


def test_the_podium_runs_its_months_then_fades_with_its_half_life():
    over = {"podium.visibility": 2.0, "podium.months": 20, "podium.fade_months": 6.0}
    podium = run(over).series("podium")  # row k: the state after month k - 1
    assert (podium[1:21] == 1.0).all()
    assert podium[20 + 6] == pytest.approx(0.5) and podium[20 + 12] == pytest.approx(0.25)
    assert run({**over, "podium.fade_months": 0.0}).series("podium")[21:].max() == 0.0
    assert run({**over, "podium.months": 0}).series("podium").max() == 0.0
    assert run({**over, "programme.enabled": False}).series("podium").max() == 0.0


def test_the_podium_lasts_as_long_as_the_programme_by_default_and_stops_when_money_runs_out():
    podium = run({"podium.visibility": 1.0, "programme.duration": 30}).series("podium")
    assert (podium[1:31] == 1.0).all() and podium[31] < 1.0
    # EUR 10,000 pays 10 months at 1,000 a month
    poor = run(
        {
            "podium.visibility": 1.0,
            "podium.cost_per_month": 1_000.0,
            "funding.budget": 10_000.0,
        }
    )
    assert poor.summary()["podium_spend"] == pytest.approx(10_000.0)
    assert (poor.series("podium")[1:11] == 1.0).all() and poor.series("podium")[12] < 1.0


def chance_of_critical_mass(overrides, reps=24, seed=2024):
    """P(critical mass) and mean final adoption over common replicate seeds."""
    models = replicates(IMVO, overrides, reps, seed)
    return p_critical_mass(models), np.mean([m.summary()["final_adoption"] for m in models])


# a programme on the edge of tipping: a small coalition and budget
EDGE = {"coalition.initial_size": 8, "funding.budget": 500_000.0}


@pytest.mark.slow
def test_critical_mass_rises_with_visibility_and_falls_when_the_podium_ends_sooner_or_fades_faster():
    none = chance_of_critical_mass({**EDGE, "podium.visibility": 0.0})
    strong = chance_of_critical_mass({**EDGE, "podium.visibility": 4.0})
    shorter = chance_of_critical_mass({**EDGE, "podium.visibility": 4.0, "podium.months": 12})
    faster = chance_of_critical_mass({**EDGE, "podium.visibility": 4.0, "podium.fade_months": 0})
    slower = chance_of_critical_mass({**EDGE, "podium.visibility": 4.0, "podium.fade_months": 60})
    assert strong[0] > none[0] + 0.2
    assert shorter[0] < strong[0] and shorter[1] < strong[1]
    assert faster[1] < strong[1] < slower[1]


# ---- large firms (M5, M7, M9) -----------------------------------------------------------------
SAFE = {"cartel.green_deal": True, "cartel.precompetitive": True}
RISKY = {
    "cartel.green_deal": False,
    "cartel.precompetitive": False,
    "cartel.fear_large_firms": 1.0,
    "cartel.hazard": 0.5,
    "cartel.cohesion_hit": 0.8,
    "cartel.halt_share": 1.0,
    "cartel.chill": 1.0,
    "cartel.safe_harbour_share": 0.1,
}


def large_firm_effect(cartel, reps=48, seed=77):
    """Mean over paired seeds of the change in mean adoption when two large firms join."""
    base = {"coalition.initial_size": 12, "coalition.large_firms": 2, **cartel}
    diffs = [
        run(base, seed=s).series("adoption_share").mean()
        - run({**base, "coalition.large_firms": 0}, seed=s).series("adoption_share").mean()
        for s in replicate_seeds(seed, reps)
    ]
    return float(np.mean(diffs))


@pytest.mark.slow
def test_whether_large_firms_help_or_hurt_depends_on_the_cartel_settings():
    # co-funding, visibility and supplier requirements against fear and hub-and-spoke flags
    assert large_firm_effect(SAFE) > 0 > large_firm_effect(RISKY)


def test_one_large_firm_alone_never_raises_a_cartel_flag_on_the_coalition():
    # a closed coalition of a handful of SMEs and one large firm holding 25% of its segment:
    # the coalition's agenda is horizontal, so the large firm is nobody's competitor there
    over = {
        "coalition.initial_size": 4,
        "broadening.open": False,
        "coalition.large_firms": 1,
        "mechanisms.projects": False,
        "cartel.hazard": 1.0,
        "cartel.safe_harbour_share": 0.1,
    }
    ts = run(over).timeseries()
    assert ts["cohesion"].iloc[12] > 0.5  # no scare has cut it
    assert run({**over, "coalition.large_firms": 3}).timeseries()["cohesion"].iloc[12] < 0.5


def test_large_firm_partners_pay_part_of_the_project_so_poorer_smes_can_take_part():
    over = {"coalition.large_firms": 3, "large_firms.project_partner": 1.0}
    rich = run({**over, "large_firms.cofunding": 0.5})
    none = run({**over, "large_firms.cofunding": 0.0})
    assert rich.sector.projects.count[0] >= none.sector.projects.count[0]
    assert (rich.sector.projects.view("large_firm") >= 0).all()


# ---- projects need a grant (M5), NGOs advise SMEs (M10) ---------------------------------------
@pytest.mark.parametrize("over", [{"funding.budget": 0.0}, {"mechanisms.funding": False}])
def test_no_grant_no_project(over):
    model = run(over)
    assert model.sector.projects.count[0] == 0
    assert (model.state.stage < Stage.INNOVATING).all()


def test_ngos_advise_orienting_smes_up_to_their_capacity():
    model = SectorModel(load_scenario(IMVO), seed=3)
    for _ in range(24):
        model.step()
        s = model.state
        assert (s.stage[s.advised] == Stage.ORIENTING).all()
        assert s.advised.sum() <= 10 * 1 + 0.25 * 10 * 4  # one coalition NGO and four outside
    assert model.state.advised.any()
    off = SectorModel(load_scenario(IMVO, {"mechanisms.ngo": False}), seed=3)
    for _ in range(24):
        off.step()
    assert not off.state.advised.any()


# ---- switches remove exactly their mechanism --------------------------------------------------
def test_without_m4_cohesion_holds_its_neutral_value():
    ts = run({"mechanisms.cohesion": False, "cohesion.neutral": 0.4}).timeseries()
    np.testing.assert_allclose(ts["cohesion"], 0.4)


def test_without_chain_pressure_the_obligation_still_presses_and_without_regulation_it_does_not():
    over = {"regulation.due_diligence_month": 12, "regulation.pressure": 0.5}
    no_chain = run({**over, "mechanisms.chain": False}).timeseries()["mean_pressure"]
    assert no_chain.iloc[20] > no_chain.iloc[5] + 0.1
    no_rule = run({**over, "mechanisms.regulation": False}).timeseries()["mean_pressure"]
    assert no_rule.iloc[20] < no_chain.iloc[20] - 0.1


def test_without_ngos_a_scandal_still_strikes_and_without_shocks_it_does_not():
    over = {"shock.month": 30, "shock.size": 0.5, "ngo.campaign_rate": 0.0}
    no_ngo = run({**over, "mechanisms.ngo": False}).series("public_pressure")
    assert no_ngo[31] == pytest.approx(0.5)
    no_shock = run({**over, "mechanisms.shocks": False}).series("public_pressure")
    assert no_shock.max() == 0.0


def test_without_a_coalition_nothing_is_spent_on_it():
    model = run({"mechanisms.coalition": False})
    ts = model.timeseries()
    assert ts["coalition_size"].max() == 0
    assert ts["budget_spent_team"].iloc[-1] == 0.0 and ts["budget_spent_projects"].iloc[-1] == 0.0


# ---- koploper status lapses -----------------------------------------------------------------
def test_a_koploper_that_falls_back_is_no_koploper_any_more():
    model = SectorModel(
        load_scenario("baseline", {"relapse.rate": 0.5, "adoption.initial_adopters": 40}), seed=5
    )
    before = int(model.state.koploper.sum())
    for _ in range(24):
        model.step()
        s = model.state
        assert not (s.koploper & (s.stage == Stage.BUSINESS_AS_USUAL)).any()
    assert model.state.koploper.sum() < before


# ---- critical mass must hold --------------------------------------------------------------------
def test_critical_mass_is_the_first_month_of_a_long_enough_stretch():
    a = np.array([0.1, 0.3, 0.3, 0.2, 0.3, 0.3, 0.3, 0.1])
    assert critical_mass(a, 0.25, 3) == (4, "reached")
    assert critical_mass(a, 0.25, 4) == (None, "censored")
    assert critical_mass(a[:6], 0.25, 3) == (None, "pending")
    assert critical_mass(a, 0.25, 1) == (1, "reached")


def test_the_median_month_counts_runs_that_did_not_get_there_as_later():
    assert median_month([100, 120, None]) == 120  # the censored run lies beyond both
    assert median_month([100, None, None]) is None  # most never got there by the horizon
    assert median_month([100, float("nan"), 90, 95, None]) == 100
    assert median_month([]) is None


@pytest.mark.slow
def test_every_reported_critical_mass_month_starts_a_stretch_at_or_above_the_share():
    over = {"coalition.initial_size": 30, "podium.visibility": 2.0, "critical_mass_months": 18}
    seen = 0
    for seed in replicate_seeds(9, 12):
        model = run(over, seed=seed)
        summary, adoption = model.summary(), model.series("adoption_share")
        month = summary["critical_mass_month"]
        if month is None:
            assert summary["critical_mass_status"] in ("pending", "censored")
            continue
        seen += 1
        assert (adoption[month : month + 18] >= 0.25).all() and len(adoption[month:]) >= 18
        stretch = [adoption[m : m + 18] for m in range(month)]
        assert not any(len(s) == 18 and (s >= 0.25).all() for s in stretch)  # none earlier
    assert seen > 0


def test_the_tipping_point_is_where_decline_turns_into_growth_for_good():
    bistable = {0.02: 0.01, 0.06: -0.01, 0.1: -0.02, 0.14: 0.01, 0.18: -0.001, 0.22: 0.03, 0.3: 0.1}
    assert tipping_point(bistable) == 0.22
    assert tipping_point({0.02: 0.01, 0.1: 0.05}) is None  # grows from every start
    assert tipping_point({0.02: 0.01, 0.1: -0.05, 0.2: -0.01}) == float("inf")


# ---- no behavioural constant outside the schema ----------------------------------------------
STRUCTURAL = {0, 1, 2, 3, -1, 0.5, 1e-9, 30}  # stages, identities, halving, a tolerance, 1 << 30
LAYOUT = {  # numbers that shape data, not behaviour
    "imitation.py": {4, 5, 8},  # columns of the peer counts
    "schedule.py": {4, 5},  # programme phase codes
}
COMPONENTS = sorted((SRC / "components").glob("*.py"))


@pytest.mark.parametrize(
    "path", [SRC / "model.py", *COMPONENTS, *sorted((SRC / "mechanisms").glob("*.py"))]
)
def test_no_behavioural_number_lives_outside_the_parameter_schema(path):
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    numbers = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and id(node) not in docstrings
    }
    allowed = STRUCTURAL | LAYOUT.get(path.name, set())
    assert numbers <= allowed, f"{path.name}: {sorted(numbers - allowed)}"
