"""The parameter schema is the one definition every front end reads."""

import json

import pytest

from sectorsim.params import PARAMETERS, SECTIONS, Config, markdown_table

REQUIRED_KEYS = [
    "adoption.rule",
    "adoption.p",
    "adoption.q",
    "adoption.threshold",
    "adoption.threshold_sd",
    "adoption.initial_adopters",
    "network.kind",
    "network.mean_degree",
    "sme.count",
    "months",
    "critical_mass_share",
    "podium.visibility",
    "imitation.rule",
]


@pytest.mark.parametrize("key", REQUIRED_KEYS)
def test_the_issue_keys_exist_with_these_exact_names(key):
    assert key in PARAMETERS


@pytest.mark.parametrize("spec", PARAMETERS.values(), ids=lambda s: s.key)
def test_every_parameter_is_documented(spec):
    assert spec.unit and spec.description and spec.source and spec.label
    assert spec.description.endswith(".")
    if spec.type in ("int", "float"):
        assert spec.ge is not None and spec.le is not None, "numbers need a range"
        assert spec.ge <= spec.default <= spec.le
    if spec.choices:
        assert spec.default in spec.choices


def test_defaults_form_a_valid_config():
    config = Config()
    assert config.flat() == {k: s.default for k, s in PARAMETERS.items()}


def test_sections_are_the_tables_of_dotted_keys():
    assert "adoption" in SECTIONS and "months" not in SECTIONS
    assert all(k.split(".")[0] in SECTIONS for k in PARAMETERS if "." in k)


def test_allowed_text_names_range_unit_and_choices():
    assert PARAMETERS["sme.count"].allowed() == "an integer from 10 to 1_000_000 (firms)"
    assert PARAMETERS["adoption.rule"].allowed() == "one of 'full', 'bass', 'threshold'"
    assert PARAMETERS["mechanisms.relapse"].allowed() == "true or false"


def test_markdown_table_has_a_row_per_parameter():
    rows = [line for line in markdown_table().splitlines() if line.startswith("| `")]
    assert len(rows) == len(PARAMETERS)


def test_json_dump_is_serialisable():
    json.dumps([s.to_dict() for s in PARAMETERS.values()])
