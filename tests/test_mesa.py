"""SectorModel as a Mesa user meets it: keyword parameters, a DataCollector, batch_run, SolaraViz."""

import mesa
import pandas as pd
import pytest

from sectorsim import Config, ConfigError, SectorModel, load_scenario
from sectorsim.config import validate
from sectorsim.outputs import MONTHLY_OUTPUTS

PRESET = "imvo_samen_veranderen"
SMALL = {"sme__count": 150, "months": 30}


def _config(**keywords):
    return load_scenario(PRESET, {k.replace("__", "."): v for k, v in keywords.items()})


def test_keywords_give_the_config_api_numbers():
    by_keywords = SectorModel(scenario=PRESET, seed=5, coalition__initial_size=30, **SMALL).run()
    by_config = SectorModel(_config(coalition__initial_size=30, **SMALL), seed=5).run()
    assert by_keywords.config == by_config.config
    assert by_keywords.config.coalition.initial_size == 30
    pd.testing.assert_frame_equal(by_keywords.timeseries(), by_config.timeseries())


def test_keywords_over_the_defaults_or_a_config():
    assert SectorModel(seed=1, sme__count=90, months=4).config.sme.count == 90
    base = _config(**SMALL)
    model = SectorModel(base, seed=1, funding__budget=250_000.0)
    assert model.config.funding.budget == 250_000.0 and model.config.sme.count == 150


@pytest.mark.parametrize(
    ("keywords", "needle"),
    [
        ({"coalition__initial_sise": 3}, "did you mean 'coalition.initial_size'"),
        ({"sme__count": -4}, "sme.count"),
        ({"adoption__rule": "magic"}, "not an allowed choice"),
    ],
)
def test_bad_keywords_are_named(keywords, needle):
    with pytest.raises(ConfigError, match=needle):
        SectorModel(scenario=PRESET, seed=1, **keywords)


def test_datacollector_holds_the_monthly_outputs_as_they_happen():
    model = SectorModel(scenario=PRESET, seed=2, **SMALL)
    assert isinstance(model.datacollector, mesa.DataCollector)
    for month in range(1, 4):
        model.step()
        assert len(model.datacollector.model_vars["adoption_share"]) == month + 1
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert {o.name for o in MONTHLY_OUTPUTS} <= set(frame.columns)
    expected = model.timeseries().drop(columns="month")
    pd.testing.assert_frame_equal(frame, expected[frame.columns])
    assert frame["adoption_share"].iloc[-1] == model.summary()["final_adoption"]


def test_batch_run_gives_the_config_api_numbers():
    results = mesa.batch_run(
        SectorModel,
        parameters={
            "scenario": PRESET,
            "seed": [11, 12],
            "coalition__initial_size": [10, 40],
            **SMALL,
        },
        max_steps=20,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert len(frame) == 2 * 2 * 21  # months 0-20 of four runs
    for (seed, size), rows in frame.groupby(["seed", "coalition__initial_size"]):
        series = SectorModel(_config(coalition__initial_size=size, **SMALL), seed=seed)
        series = series.run().timeseries().set_index("month")
        for name in ("adoption_share", "coalition_size", "budget_spent"):
            assert rows.set_index("Step")[name].tolist() == series.loc[rows["Step"], name].tolist()


def test_batch_run_takes_dotted_keys_too():
    results = pd.DataFrame(
        mesa.batch_run(
            SectorModel,
            parameters={"coalition.initial_size": [10, 40], "seed": 4, "sme.count": 150},
            max_steps=6,
            display_progress=False,
        )
    )
    assert results["coalition.initial_size"].tolist() == [10, 40]
    defaults = Config().flat()  # no scenario: the schema's defaults
    expected = [
        SectorModel(validate({**defaults, "coalition.initial_size": n, "sme.count": 150}), seed=4)
        for n in (10, 40)
    ]
    for model in expected:
        for _ in range(7):
            model.step()
    assert results["coalition_size"].tolist() == [m.series("coalition_size")[6] for m in expected]


def test_batch_run_over_configs():
    configs = [_config(funding__budget=b, **SMALL) for b in (0.0, 2_000_000.0)]
    results = pd.DataFrame(
        mesa.batch_run(
            SectorModel,
            parameters={"config": configs, "seed": 3},
            max_steps=12,
            display_progress=False,
        )
    )
    assert len(results) == 2 and set(results["Step"]) == {12}
    spent = [SectorModel(c, seed=3).run().timeseries()["budget_spent"][12] for c in configs]
    assert results["budget_spent"].tolist() == spent


def test_solaraviz_page_renders_and_its_controls_run_the_model():
    pytest.importorskip("altair")
    solara = pytest.importorskip("solara")
    import ipyvuetify as v
    from mesa.visualization import Slider, SolaraViz, make_plot_component
    from mesa.visualization.solara_viz import ModelController, ModelCreator

    params = {
        "scenario": PRESET,
        "seed": 1,
        **SMALL,
        "coalition__initial_size": Slider("coalition at the start", 20, 5, 60, 5),
        "funding__budget": Slider("programme budget (EUR)", 1_000_000, 0, 5_000_000, 250_000),
    }
    model = SectorModel(scenario=PRESET, seed=1, coalition__initial_size=20, **SMALL)
    plot = make_plot_component(["adoption_share"], backend="altair")
    solara.render(SolaraViz(model, components=[plot], model_params=params), handle_error=False)

    current, chosen = solara.reactive(model), solara.reactive({})

    @solara.component
    def Controls():
        ModelCreator(current, params, model_parameters=chosen)
        ModelController(
            current,
            model_parameters=chosen,
            play_interval=solara.reactive(100),
            render_interval=solara.reactive(1),
            use_threads=solara.reactive(False),
        )

    _, rc = solara.render(Controls(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert current.value.steps == 2
    assert len(current.value.datacollector.get_model_vars_dataframe()) == 3
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert current.value is not model and current.value.steps == 0
    assert current.value.config.coalition.initial_size == 20
    assert current.value.config.sme.count == 150
    assert current.value.config.funding.budget == 1_000_000.0
