"""The compiled month's plumbing: numpy's draws inline, parameters as named tuples, and the
SMEs' neighbourhood counts kept up to date."""

import networkx as nx
import numpy as np
import pytest

from sectorsim import SectorModel, load_scenario
from sectorsim.compiled import (
    ADOPTION,
    UNIFORM_STREAMS,
    Streams,
    compiled_params,
    shuffle,
    skip,
    uniform,
    uniform_at,
    uniforms,
)
from sectorsim.components import large_firms, neighbourhood, smes
from sectorsim.mechanisms import imitation
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


@pytest.mark.parametrize("k", [0, 1, 15, 16, 17, 1000, 2**40 + 12345])
def test_skipping_draws_is_numpys_advance(k):
    streams, named = loaded(4)
    skip(streams.uniform, ADOPTION, k)
    streams.store(named)
    fresh = RandomStreams(4)["adoption"]
    fresh.bit_generator.advance(k)
    assert named["adoption"].bit_generator.state == fresh.bit_generator.state


def test_draws_made_for_some_positions_only_are_those_positions_draws():
    """A month that draws for a few SMEs of a block and skips the others gives each SME the
    number it would have had, and leaves the stream at the block's end."""
    streams, named = loaded(6)
    expected = RandomStreams(6)["adoption"].random(50_001)
    wanted = np.sort(np.random.default_rng(0).choice(50_000, 700, replace=False))
    wanted = np.union1d(wanted, [0, 1, 2, 3, 30, 31, 49_999])
    done, drawn = 0, []
    for i in wanted:
        drawn.append(uniform_at(streams.uniform, ADOPTION, done, i))
        done = i + 1
    skip(streams.uniform, ADOPTION, 50_000 - done)
    np.testing.assert_array_equal(drawn, expected[wanted])
    assert uniform(streams.uniform, ADOPTION) == expected[-1]


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


@pytest.mark.parametrize("kind", ["watts_strogatz", "complete"])
def test_imitation_from_the_kept_counts_equals_the_share_counted_from_scratch(kind):
    """M2 as the month computes it (kept counts) and as :func:`imitation.peers_ahead` defines it
    (every tie counted), with koplopers weighing extra and adopted large firms in the segment."""
    overrides = {"sme.count": 300, "network.kind": kind, "coalition.large_firms": 3}
    model = SectorModel(load_scenario("ecosystem", overrides), seed=4)
    for _ in range(40):
        model.step()
    s, nb, p = model.state, model.sector.neighbourhood, model._params
    large = large_firms.visibility(p, model.sector.large_firms)
    assert large.any() and s.koploper.any() and (s.stage == 1).any()
    kept = smes.imitation_shares(p, s, nb, 2.5, large)
    ties = nb.ties
    counted = imitation.peers_ahead(
        s.stage, s.koploper, 2.5, ties.indptr, ties.indices, ties.complete, s.segment,
        p.sme.segments, p.imitation.segment_weight, p.podium.max_share, large,
    )  # fmt: skip
    below = s.stage < 2
    np.testing.assert_allclose(kept[below], counted[below], rtol=0, atol=1e-12)
    assert (kept[~below] == 0).all()


def test_projects_without_a_grant_that_outgrow_the_book_stop_the_run_with_an_error():
    """Free projects (no grant) halted every month restart at once: the book's room runs out,
    and the run stops with an error instead of writing past it."""
    overrides = {
        "sme.count": 60, "sme.segments": 1, "projects.cost": 0.0, "projects.size": 2,
        "projects.rate": 1.0, "projects.min_months": 24, "projects.max_months": 24,
        "cartel.hazard": 1.0, "cartel.halt_share": 1.0, "cartel.safe_harbour_share": 0.0,
        "mechanisms.cohesion": False, "cartel.cohesion_hit": 0.0, "coalition.initial_size": 40,
        "programme.duration": 120,
    }  # fmt: skip
    model = SectorModel(load_scenario("imvo_samen_veranderen", overrides), seed=0)
    with pytest.raises(RuntimeError, match="more change projects than the book has room for"):
        model.run()


def test_the_implicit_complete_network_counts_as_the_explicit_one():
    """Totals less oneself (the complete network kept implicit) give the imitation shares of an
    explicit complete graph (networkx's) counted tie by tie."""
    model = SectorModel(load_scenario("ecosystem", {"sme.count": 80, "network.kind": "complete"}))
    for _ in range(30):
        model.step()
    s, nb, p = model.state, model.sector.neighbourhood, model._params
    explicit = nx.to_scipy_sparse_array(nx.complete_graph(80), format="csr")
    large = large_firms.visibility(p, model.sector.large_firms)
    counted = imitation.peers_ahead(
        s.stage, s.koploper, 1.5, explicit.indptr.astype(np.int64),
        explicit.indices.astype(np.int64), False, s.segment, p.sme.segments,
        p.imitation.segment_weight, p.podium.max_share, large,
    )  # fmt: skip
    kept = smes.imitation_shares(p, s, nb, 1.5, large)
    below = s.stage < 2
    assert below.sum() > 10
    np.testing.assert_allclose(kept[below], counted[below], rtol=0, atol=1e-12)
