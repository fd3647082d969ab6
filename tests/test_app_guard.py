"""The workshop server takes only what the page's controls can send: crafted widget messages
are refused with a message in the participant's language, and tracebacks stay in the log."""

import logging

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from sectorsim.app import page as app_page
from sectorsim.app.levers import LEVERS
from sectorsim.app.page import Page
from sectorsim.app.session import (
    MAX_SEED,
    Refused,
    WorkshopSession,
    design_levers,
    lever_value,
    stored_front,
)


@pytest.fixture
def session():
    return WorkshopSession("baseline")


# ---- the session ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key,value",
    [
        ("sme.count", 20000),  # above the slider (100-5000), inside the schema (to 1,000,000)
        ("sme.count", 1_000_000),
        ("sme.count", 50),  # below the slider
        ("sme.count", 150),  # between two steps of 100
        ("sme.count", 500.5),
        ("sme.count", "500"),
        ("sme.count", "abc"),
        ("sme.count", None),
        ("sme.count", True),
        ("sme.count", float("nan")),
        ("funding.share_vouchers", 0.33),  # the slider's step is 0.05
        ("funding.share_vouchers", -0.05),
        ("funding.budget", float("inf")),
        ("funding.budget", 10**400),
        ("months", 120),  # not a lever
        ("../x", 1),
    ],
)
def test_a_lever_takes_only_what_its_slider_can_send(session, key, value):
    before = session.config
    with pytest.raises(Refused):
        session.set_lever(key, value)
    assert session.config == before and session.error is None
    session.set_lever("coalition.initial_size", 20)  # the session still works
    assert session.value("coalition.initial_size") == 20


def test_every_slider_end_and_step_is_accepted():
    for key, spec in LEVERS.items():
        if spec.slider is None:
            assert lever_value(key, True) is True
            with pytest.raises(Refused):
                lever_value(key, 1)
            continue
        low, high, step = spec.slider
        for value in (low, high, low + step):
            got = lever_value(key, value)
            assert got == pytest.approx(value)
            assert isinstance(got, int) == (spec.type == "int")


@pytest.mark.parametrize("seed", [-1, -(2**70), 1.5, "7", None, True, MAX_SEED + 1])
def test_a_seed_is_a_whole_number_from_zero(session, seed, tmp_path):
    with pytest.raises(Refused):
        session.set_seed(seed)
    assert session.seed == 20130101
    session.set_lever("coalition.initial_size", 15)  # every lever still moves
    assert f"--seed {session.seed} " in session.scenario_toml()
    session.set_seed(0)
    assert session.seed == 0


@pytest.mark.parametrize("preset", ["nope", "../../etc/passwd", None, 3])
def test_only_known_presets_are_taken(session, preset):
    with pytest.raises(Refused):
        session.set_preset(preset)
    assert session.preset == "baseline"
    with pytest.raises(Refused):
        WorkshopSession(preset)


def test_a_session_never_starts_on_a_negative_seed():
    with pytest.raises(Refused):
        WorkshopSession("baseline", seed=-1)


@pytest.mark.parametrize("design", ["D99", None, 1])
def test_only_designs_of_the_stored_front_are_loaded(design):
    session = WorkshopSession()
    with pytest.raises(Refused):
        session.load_design(design)


# ---- the page, driven as crafted widget messages arrive ---------------------------------------------
@solara.component
def Room():
    with solara.AppLayout():
        Page()


@pytest.fixture
def rendered():
    _, rc = solara.render(Room(), handle_error=False)
    yield rc
    rc.close()


def widget(rc, kind, css: str):
    (found,) = [w for w in rc.find(kind).widgets if css in (w.class_ or "").split()]
    return found


def alerts(rc) -> list[str]:
    return [" ".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]


def page_text(rc) -> str:
    """Every string the page's widgets send to the browser."""
    texts, seen, todo = [], set(), [rc.container]
    while todo:
        w = todo.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        for name in w.keys:
            values = getattr(w, name, None)
            for value in values if isinstance(values, (list, tuple)) else [values]:
                if isinstance(value, str):
                    texts.append(value)
                elif isinstance(value, ipywidgets.Widget):
                    todo.append(value)
    return "\n".join(texts)


def lever(rc, key):
    return widget(rc, v.Slider, f"lever-{key.replace('.', '-')}")


@pytest.mark.parametrize("value", [20000, -5, "abc", None, [1, 2], 150])
def test_a_crafted_lever_value_is_refused_in_the_page(rendered, value, caplog):
    with caplog.at_level(logging.WARNING, logger="sectorsim.app"):
        lever(rendered, "sme.count").v_model = value
    assert alerts(rendered) == [
        "Aantal mkb-bedrijven: die waarde kan de pagina niet sturen; er is niets veranderd."
    ]
    assert "Traceback" not in page_text(rendered) and "sme.count" in caplog.text
    assert lever(rendered, "sme.count").v_model == 500  # the slider shows the server's value
    lever(rendered, "sme.count").v_model = 1200  # the next move works and clears the message
    assert alerts(rendered) == [] and lever(rendered, "sme.count").v_model == 1200


def test_a_negative_seed_is_refused_and_levers_keep_working(rendered):
    seed = [w for w in rendered.find(v.TextField).widgets if w.label.startswith("Seed")][0]
    seed.v_model = "-1"
    seed.fire_event("keyup.enter", "-1")
    assert any(text.startswith("Seed") for text in alerts(rendered))
    seed = [w for w in rendered.find(v.TextField).widgets if w.label.startswith("Seed")][0]
    assert seed.v_model == "20130101"
    lever(rendered, "coalition.initial_size").v_model = 20
    assert alerts(rendered) == []
    assert "--seed 20130101 " in page_text(rendered)


@pytest.mark.parametrize(
    "css,kind,value",
    [
        ("preset", v.Select, "../../etc/passwd"),
        ("language", v.BtnToggle, 7),
        ("language", v.BtnToggle, "de"),
        ("speed", v.Slider, 0),
        ("speed", v.Slider, "fast"),
    ],
)
def test_crafted_values_of_other_controls_are_refused(rendered, css, kind, value):
    widget(rendered, kind, css).v_model = value
    (message,) = alerts(rendered)
    assert "die waarde kan de pagina niet sturen" in message
    assert widget(rendered, kind, css).v_model != value  # the control shows the server's value
    assert "Traceback" not in page_text(rendered)


def test_the_participant_reads_their_language(rendered):
    widget(rendered, v.BtnToggle, "language").v_model = 1
    lever(rendered, "sme.count").v_model = 20000
    assert alerts(rendered) == [
        "Number of SMEs: the page cannot send that value; nothing was changed."
    ]


def test_an_unexpected_error_stays_in_the_log(rendered, monkeypatch, caplog):
    def broken(self, key, value):
        raise RuntimeError("/srv/secret/path.py exploded")

    monkeypatch.setattr(app_page.WorkshopSession, "set_lever", broken)
    with caplog.at_level(logging.ERROR, logger="sectorsim.app"):
        lever(rendered, "sme.count").v_model = 1200
    (message,) = alerts(rendered)
    assert "Er ging iets mis" in message
    assert "/srv/secret" not in page_text(rendered) and "Traceback" not in page_text(rendered)
    assert "exploded" in caplog.text and caplog.records[-1].exc_info is not None


def test_a_slider_rounding_a_loaded_design_leaves_the_design(rendered):
    front = stored_front("imvo_samen_veranderen")
    design = front["design"].iloc[-1]
    budget = design_levers(front, design)["funding.budget"]
    low, high, step = LEVERS["funding.budget"].slider
    nearest = low + round((budget - low) / step) * step
    assert nearest != budget, "the design's budget is off the slider's grid"
    widget(rendered, v.Select, "preset").v_model = "imvo_samen_veranderen"
    widget(rendered, v.Btn, f"design-{design}").fire_event("click", {})
    shown = f"€ {budget:,.0f}".replace(",", ".")
    assert shown in lever(rendered, "funding.budget").label
    lever(rendered, "funding.budget").v_model = nearest  # what the slider sends back at once
    assert shown in lever(rendered, "funding.budget").label and alerts(rendered) == []
    lever(rendered, "funding.budget").v_model = nearest + step  # a participant's move
    assert f"€ {nearest + step:,.0f}".replace(",", ".") in lever(rendered, "funding.budget").label


def test_a_participants_crafted_messages_reach_only_their_own_sector():
    """Two participants' pages in one room: whatever one page's widgets are sent, the other's
    settings and the round stay as they were, and the page has no control of the round."""
    from sectorsim.app.room import the_room

    room = the_room()
    first = solara.render(Room(), handle_error=False)[1]
    second = solara.render(Room(), handle_error=False)[1]
    try:
        rnd, others = room.round, lever(second, "sme.count").v_model
        widget(first, v.Select, "preset").v_model = "baseline"
        for value in (20000, 4000, -1, "x"):
            lever(first, "sme.count").v_model = value
        assert lever(first, "sme.count").v_model == 4000
        assert lever(second, "sme.count").v_model == others and room.round == rnd
        for css in ("start-round", "round-setup", "lock-funding-budget", "room-table"):
            assert css not in page_text(first)
    finally:
        first.close()
        second.close()
