"""Scenario files: presets, extends, overrides, and errors that say file, key, value and allowed."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sectorsim.config import (
    ConfigError,
    check_consistency,
    config_hash,
    load_scenario,
    nest,
    parse_assignments,
    preset_names,
)
from sectorsim.params import PARAMETERS, AdoptionParams, Config, SMEParams


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


# Every rule tying parameters together: values that break it, and the key blamed.
BROKEN_RULES = {
    "adoption.initial_adopters": {"sme.count": 20, "adoption.initial_adopters": 30},
    "network.mean_degree": {
        "sme.count": 20,
        "adoption.initial_adopters": 5,
        "network.mean_degree": 20,
    },
    "sme.share_medium": {"sme.share_small": 0.9, "sme.share_medium": 0.2},
    "funding.share_team": {"funding.share_team": 0.9},
    "adoption.adopted_stage": {"adoption.rule": "bass", "adoption.adopted_stage": 3},
    "programme.duration": {"programme.preparation_months": 30, "programme.agenda_months": 18},
    "projects.min_months": {"projects.min_months": 30, "projects.max_months": 24},
}


@pytest.mark.parametrize("key", BROKEN_RULES)
def test_a_broken_rule_is_refused_however_the_config_is_built(key):
    changes = BROKEN_RULES[key]
    for build in (
        lambda: Config().updated(changes),
        lambda: Config.model_validate(nest(changes)),
    ):
        with pytest.raises(ValidationError, match=f"{key} = .* is inconsistent; allowed"):
            build()
    with pytest.raises(ConfigError) as info:
        load_scenario("baseline", changes)
    assert info.value.key == key and info.value.problem == "inconsistent"
    assert info.value.value == changes.get(key, PARAMETERS[key].default)


def test_a_value_out_of_range_is_reported_before_a_broken_rule():
    changes = {**BROKEN_RULES["sme.share_medium"], "funding.budget": -1.0}
    with pytest.raises(ConfigError) as info:
        load_scenario("baseline", changes)
    assert info.value.key == "funding.budget" and info.value.problem == "out of range"


def test_a_broken_rule_is_allowed_where_it_does_not_apply():
    assert Config().updated({"adoption.rule": "full", "adoption.adopted_stage": 3})
    complete = {"sme.count": 20, "adoption.initial_adopters": 5, "network.mean_degree": 20}
    assert Config().updated({**complete, "network.kind": "complete"})


@pytest.mark.parametrize("months", [-5, 0, 1201, 12.0, "12"])
def test_an_invalid_update_is_refused_naming_the_key(months):
    config = Config()
    for update in (
        lambda: config.updated({"months": months}),
        lambda: config.model_copy(update={"months": months}),
    ):
        with pytest.raises(ValidationError) as info:
            update()
        assert [error["loc"] for error in info.value.errors()] == [("months",)]
    with pytest.raises(ValidationError, match="sme.cont"):
        config.updated({"sme.cont": 100})


def test_an_update_changes_only_its_keys_and_leaves_the_original():
    config = load_scenario("baseline")
    changed = config.updated({"coalition.initial_size": 30, "months": 120})
    assert changed.coalition.initial_size == 30 and changed.months == 120
    assert config.coalition.initial_size != 30 and config.months != 120
    assert {k for k, v in changed.flat().items() if config.get(k) != v} == {
        "coalition.initial_size",
        "months",
    }
    assert config.updated({}) == config and config_hash(config.updated({})) == config_hash(config)


def test_an_update_of_a_section_changes_only_its_keys():
    config = load_scenario("baseline").updated({"programme.duration": 60})
    dotted = config.updated({"programme.enabled": False})
    assert config.updated({"programme": {"enabled": False}}) == dotted
    assert config.updated({"programme": dotted.programme}) == dotted
    assert dotted.programme.duration == 60 and not dotted.programme.enabled
    with pytest.raises(ValidationError, match="programme.duration"):
        config.updated({"programme": {"duration": 2}})


def test_a_config_cannot_be_changed_in_place():
    config = Config()
    with pytest.raises(ValidationError):
        config.months = -5
    with pytest.raises(ValidationError):
        config.sme.count = 5
    assert config == Config()


def test_check_consistency_catches_a_config_built_without_validation():
    check_consistency(load_scenario("baseline"))
    out_of_range = Config.model_construct(**{**dict(Config()), "months": -5})
    small = {"sme": SMEParams(count=10), "adoption": AdoptionParams(initial_adopters=11)}
    inconsistent = Config.model_construct(**{**dict(Config()), **small})
    for config, key in ((out_of_range, "months"), (inconsistent, "adoption.initial_adopters")):
        with pytest.raises(ConfigError) as info:
            check_consistency(config, source="model")
        assert info.value.key == key and info.value.source == "model"


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
