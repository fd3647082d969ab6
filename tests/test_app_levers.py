"""The app's table of levers and Dutch names fits the parameter schema."""

import pytest

from sectorsim.app.levers import LEVERS, NAMES_NL, label
from sectorsim.params import PARAMETERS

ISSUE_LEVERS = {
    "coalition.initial_size",
    "coalition.target_size",
    "coalition.large_firms",
    "coalition.ngos",
    "broadening.start_month",
    "broadening.rate",
    "broadening.open",
    "funding.budget",
    "funding.share_vouchers",
    "funding.share_projects",
    "podium.visibility",
    "team.capacity",
    "cartel.green_deal",
    "cartel.safe_harbour_share",
    "regulation.due_diligence_month",
    "shock.month",
    "shock.size",
    "sme.count",
}


def test_the_levers_are_those_of_the_issue():
    assert set(LEVERS) == ISSUE_LEVERS


@pytest.mark.parametrize("lever", LEVERS.values(), ids=lambda lever: lever.key)
def test_a_lever_is_a_parameter_with_both_languages_and_a_slider_inside_its_range(lever):
    assert lever.key in PARAMETERS
    spec = PARAMETERS[lever.key]
    assert lever.label_nl and lever.description_nl
    assert lever.text("en") == (spec.label, spec.description)
    assert lever.text("nl") == (lever.label_nl, lever.description_nl)
    if spec.type in ("int", "float"):
        low, high, step = lever.slider
        assert spec.ge <= low < high <= spec.le and 0 < step <= high - low
        assert all(isinstance(x, int) for x in lever.slider) or spec.type == "float"
        assert low <= spec.default <= high or lever.key == "sme.count"
    else:
        assert lever.slider is None, "a switch or a choice has no slider"


def test_every_parameter_has_one_dutch_name():
    assert NAMES_NL.keys().isdisjoint(LEVERS)
    assert set(NAMES_NL) | set(LEVERS) == set(PARAMETERS)
    assert all(NAMES_NL.values())
    for key in PARAMETERS:
        assert label(key, "en") == PARAMETERS[key].label
        assert label(key, "nl") in (NAMES_NL.get(key), getattr(LEVERS.get(key), "label_nl", None))


def test_the_schema_keeps_no_app_metadata():
    fields = set(next(iter(PARAMETERS.values())).to_dict())
    assert not fields & {"label_nl", "description_nl", "slider"}
