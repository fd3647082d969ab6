"""Scenario files: presets, extends, overrides, and errors that say file, key, value and allowed."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorsim.config import ConfigError, load_scenario, parse_assignments, preset_names
from sectorsim.params import PARAMETERS


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_presets_include_the_foundation_scenarios():
    assert {"baseline", "bass", "threshold"} <= set(preset_names())


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_loads(name):
    load_scenario(name)


def test_overrides_use_dotted_keys():
    config = load_scenario("baseline", overrides={"sme.count": 1000, "adoption.rule": "bass"})
    assert config.sme.count == 1000 and config.adoption.rule == "bass"


def test_extends_starts_from_the_parent_and_overrides_it(tmp_path):
    path = write(tmp_path, "mine.toml", 'extends = "bass"\n[adoption]\nq = 0.05\n')
    config = load_scenario(path)
    assert config.adoption.rule == "bass"  # from bass.toml
    assert config.adoption.q == 0.05  # own value
    assert config.sme.count == 2000  # from bass.toml


def test_extends_finds_a_sibling_file(tmp_path):
    write(tmp_path, "parent.toml", "months = 24\n")
    child = write(tmp_path, "child.toml", 'extends = "parent"\n[sme]\ncount = 50\n')
    config = load_scenario(child)
    assert (config.months, config.sme.count) == (24, 50)


def test_integers_are_accepted_for_numbers(tmp_path):
    assert load_scenario(write(tmp_path, "a.toml", "[adoption]\nb0 = -3\n")).adoption.b0 == -3.0


def error_of(tmp_path, text, name="bad.toml") -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_scenario(write(tmp_path, name, text))
    return info.value


def test_unknown_key_suggests_the_closest(tmp_path):
    err = error_of(tmp_path, "[sme]\ncont = 100\n")
    assert err.key == "sme.cont" and "did you mean 'sme.count'?" in str(err)
    assert "bad.toml" in str(err)


def test_unknown_table_suggests_the_closest(tmp_path):
    err = error_of(tmp_path, "[adoptoin]\nrule = 'bass'\n")
    assert "did you mean 'adoption'" in str(err)


def test_wrong_type_names_key_value_and_allowed(tmp_path):
    err = error_of(tmp_path, '[sme]\ncount = "many"\n')
    assert (err.key, err.value) == ("sme.count", "many")
    assert "wrong type" in str(err) and "an integer from 10 to 1_000_000 (firms)" in str(err)


def test_float_for_integer_is_a_wrong_type(tmp_path):
    assert error_of(tmp_path, "[sme]\ncount = 100.5\n").key == "sme.count"


def test_bool_is_not_a_number(tmp_path):
    assert error_of(tmp_path, "[podium]\nvisibility = true\n").key == "podium.visibility"


def test_out_of_range(tmp_path):
    err = error_of(tmp_path, "critical_mass_share = 1.5\n")
    assert (
        err.key == "critical_mass_share"
        and "out of range" in str(err)
        and "0.01 to 0.99" in str(err)
    )


def test_choice_not_allowed(tmp_path):
    err = error_of(tmp_path, '[network]\nkind = "scale_free"\n')
    assert "one of 'watts_strogatz', 'erdos_renyi', 'complete'" in str(err)


def test_table_given_as_value(tmp_path):
    assert "is a table" in str(error_of(tmp_path, "sme = 5\n"))


def test_invalid_toml(tmp_path):
    assert "not valid TOML" in str(error_of(tmp_path, "[sme\ncount = 1\n"))


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b"\n')
    err = error_of(tmp_path, 'extends = "a"\n', name="b.toml")
    assert "extends itself" in str(err)


def test_missing_parent(tmp_path):
    err = error_of(tmp_path, 'extends = "nonexistent"\n')
    assert err.key == "extends" and "baseline" in err.allowed


def test_error_names_the_file_the_bad_value_came_from(tmp_path):
    write(tmp_path, "parent.toml", "[sme]\ncount = 3\n")
    err = error_of(tmp_path, 'extends = "parent"\nmonths = 10\n', name="child.toml")
    assert err.source.endswith("parent.toml") and err.key == "sme.count"


def test_inconsistent_values_are_rejected(tmp_path):
    err = error_of(tmp_path, "[sme]\ncount = 20\n[adoption]\ninitial_adopters = 30\n")
    assert err.key == "adoption.initial_adopters" and "at most sme.count = 20" in str(err)


def test_command_line_values_are_read_as_toml():
    assert parse_assignments(
        [
            "sme.count=1000",
            "adoption.rule=bass",
            "mechanisms.relapse=false",
            "podium.visibility=2.5",
        ]
    ) == {
        "sme.count": 1000,
        "adoption.rule": "bass",
        "mechanisms.relapse": False,
        "podium.visibility": 2.5,
    }


def test_command_line_errors_name_the_command_line():
    with pytest.raises(ConfigError) as info:
        load_scenario("baseline", parse_assignments(["sme.count=5"]))
    assert info.value.source == "--set"
    with pytest.raises(ConfigError):
        parse_assignments(["sme.count"])


NUMERIC = [s for s in PARAMETERS.values() if s.type in ("int", "float")]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NUMERIC), st.floats(min_value=1e-6, max_value=1e7), st.booleans())
def test_any_value_outside_a_range_is_rejected(spec, excess, below):
    value = spec.ge - excess if below else spec.le + excess
    value = int(value) - (1 if below else -1) if spec.type == "int" else value
    with pytest.raises(ConfigError) as info:
        load_scenario("baseline", {spec.key: value})
    assert info.value.key == spec.key
