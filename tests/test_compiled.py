"""The compiled month's plumbing: numpy's draws inline, parameters as named tuples, and the
SMEs' neighbourhood counts kept up to date."""

import numpy as np
import pytest

from sectorsim import SectorModel, load_scenario
from sectorsim.compiled import (
    ADOPTION,
    UNIFORM_STREAMS,
    Streams,
    compiled_params,
    shuffle,
    uniform,
    uniforms,
)
from sectorsim.components import neighbourhood
from sectorsim.params import Config
from sectorsim.randomness import RandomStreams


def loaded(seed: int) -> tuple[Streams, RandomStreams]:
    named = RandomStreams(seed)
    streams = Streams.of(named)
    streams.load(named)
    return streams, named


def test_inline_draws_are_numpys_draws():
    streams, _ = loaded(5)
    expected = RandomStreams(5)["adoption"].random(10_001)
    drawn = np.append(uniforms(streams.uniform, ADOPTION, 10_000), uniform(streams.uniform, 0))
    np.testing.assert_array_equal(drawn, expected)


def test_the_generators_continue_where_the_month_stopped():
    streams, named = loaded(9)
    uniforms(streams.uniform, ADOPTION, 37)
    streams.store(named)
    fresh = RandomStreams(9)["adoption"]
    fresh.random(37)
    assert named["adoption"].random() == fresh.random()
    assert UNIFORM_STREAMS[ADOPTION] == "adoption"


def test_shuffle_is_a_permutation_and_depends_on_the_stream():
    streams, _ = loaded(1)
    a = np.arange(50)
    shuffle(streams.uniform, ADOPTION, a)
    b = np.arange(50)
    shuffle(streams.uniform, ADOPTION, b)
    assert sorted(a) == list(range(50)) and not np.array_equal(a, np.arange(50))
    assert not np.array_equal(a, b)


def test_compiled_parameters_mirror_the_configuration():
    config = Config().updated({"adoption.b0": -3.5, "imitation.rule": "complex"})
    p = compiled_params(config)
    assert p.adoption.b0 == -3.5 and p.months == config.months
    assert p.imitation.rule == 2  # the index of "complex" in its choices
    assert isinstance(p.programme.enabled, bool) and isinstance(p.coalition.initial_size, int)


@pytest.mark.parametrize(
    "overrides",
    [{}, {"podium.visibility": 3.0}, {"network.kind": "complete", "sme.count": 150}],
)
def test_neighbourhood_counts_kept_up_to_date_equal_a_recount(overrides):
    """Every change of a firm's stage, koploper status, membership or project updates its
    neighbours' counts: after a run of 180 months in one call they equal a fresh count."""
    model = SectorModel(load_scenario("ecosystem", {"sme.count": 400, **overrides}), seed=3)
    model.run()
    kept = [np.array(a) for a in model.sector.neighbourhood[1:]]
    neighbourhood.count(model.sector.neighbourhood, model.state)
    for name, before, after in zip(
        neighbourhood.State._fields[1:], kept, model.sector.neighbourhood[1:], strict=True
    ):
        np.testing.assert_array_equal(before, after, err_msg=name)
    assert model.state.coalition_member.any() and (model.state.stage == 3).any()
