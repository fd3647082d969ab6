"""The run figure as an analyst reads it: percent on a scale that fits the data, calendar years,
the programme's phases, the baseline, the spend, legends beside the data."""

import matplotlib.pyplot as plt
import pytest

from sectorsim import load_scenario
from sectorsim.batch import run_replicates
from sectorsim.plots import STYLE, adoption_figure


@pytest.fixture(scope="module")
def figure():
    config = load_scenario("imvo_samen_veranderen", {"sme.count": 300, "months": 96})
    _, timeseries = run_replicates(config, 7, 3, compare_baseline=True)
    fig = adoption_figure(timeseries, config, "test")
    yield fig, config, timeseries
    plt.close(fig)


def test_adoption_axis_fits_the_data_in_percent(figure):
    fig, config, timeseries = figure
    adoption = fig.axes[0]
    top = adoption.get_ylim()[1]
    peak = timeseries["adoption_share"].max()
    assert peak < top <= max(peak * 1.2, 0.011) or top >= config.critical_mass_share
    assert all(t.get_text().endswith("%") for t in adoption.get_yticklabels() if t.get_text())


def test_time_runs_in_calendar_years_from_the_scenario(figure):
    fig, config, _ = figure
    assert config.calendar.start_year == 2013
    left, right = fig.axes[-1].get_xlim()
    assert (left, right) == (2013, 2013 + 96 / 12)
    fig.canvas.draw()
    labels = [
        t.get_text()
        for t, x in zip(fig.axes[-1].get_xticklabels(), fig.axes[-1].get_xticks(), strict=True)
        if left <= x <= right
    ]
    assert labels[0] == "2013" and all(len(label) == 4 for label in labels)


def test_baseline_phases_spend_and_legends(figure):
    fig, config, _ = figure
    adoption = fig.axes[0]
    styles = {(line.get_color(), line.get_linestyle()) for line in adoption.get_lines()}
    assert (STYLE["baseline"]["color"], "--") in styles
    assert any(text.get_text() == "III" for text in adoption.texts)  # programme phases named
    spend = fig.axes[4]
    assert any(
        f"€{config.funding.budget / 1e6:.3g}M" in t.get_text()
        for t in spend.get_legend().get_texts()
    )
    fig.canvas.draw()
    for ax in (fig.axes[0], fig.axes[1], fig.axes[4]):
        legend = ax.get_legend().get_window_extent()
        assert legend.x0 >= ax.get_window_extent().x1  # beside the panel, not over its data


def test_each_style_means_one_thing():
    pairs = [(s["color"], str(s["ls"])) for s in STYLE.values()]
    assert len(pairs) == len(set(pairs))
