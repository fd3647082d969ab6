"""The participant's page: levers, play controls, KPI cards, charts, comparison, explanation,
downloads, and their place in the room (name, round).

Every participant has their own :class:`~sectorsim.app.session.WorkshopSession`, kept by the
room (:mod:`sectorsim.app.room`) under the token the server gave their browser, so one
participant's slider never moves another's and a reload finds the same session. A page holds
only its own participant: nothing it sends can reach another's session or the round. When the
facilitator starts a round, a background thread waiting on the room redraws the page.

The controls are generated from the app's levers (:data:`sectorsim.app.levers.LEVERS`). Playing runs in a
background task that steps the model and bumps a version counter; the charts redraw from a
snapshot taken under the session's lock.

The server takes only what the controls can send: every value from the page goes through
:func:`guarded`, which refuses a value outside a slider's range and step, a negative seed or an
unknown preset, design or language (a crafted message) with a message in the participant's
language, and keeps the traceback of anything unexpected in the server's log, never on the page.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import secrets
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from html import escape
from typing import Any

import reacton.ipyvuetify as rv
import solara
import solara.lab

from sectorsim.app import charts
from sectorsim.app.levers import LEVERS, label
from sectorsim.app.levers import Lever as LeverSpec
from sectorsim.app.room import Participant, Room, the_room
from sectorsim.app.server import PARTICIPANT_COOKIE, valid_token
from sectorsim.app.session import (
    FUNDING_SHARES,
    TEAM_SHARE,
    Refused,
    WorkshopSession,
    design_levers,
)
from sectorsim.app.texts import GROUPS, LANGUAGES, MECHANISMS, OUTCOMES, ui, unit
from sectorsim.config import preset_names
from sectorsim.params import PARAMETERS, ParamSpec
from sectorsim.pool import exit_with_parent

logger = logging.getLogger("sectorsim.app")

REPLICATIONS = 20
SPEEDS = (1, 60)  # months per second: the speed slider's range
OPEN_GROUPS = ("coalition", "funding")  # lever groups shown open when the page opens
FRAMES_PER_SECOND = 4
CHART_STYLE = {"style": "height: 320px; width: 100%;"}
ROUND_POLL = 5.0  # seconds a page's watcher waits for a new round before looking again


@functools.cache
def replication_pool() -> ProcessPoolExecutor:
    """One worker process for every session's replications, so that they run on another core
    than the page server and never hold up another participant's page."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    )


def lever_groups() -> dict[str, list[LeverSpec]]:
    """The levers by schema section, in the order of :data:`GROUPS`."""
    groups: dict[str, list[LeverSpec]] = {name: [] for name in GROUPS}
    for spec in LEVERS.values():
        groups[spec.key.split(".")[0]].append(spec)
    return {name: specs for name, specs in groups.items() if specs}


def shown_value(spec: ParamSpec | LeverSpec, value: Any, language: str) -> str:
    if spec.type == "bool":
        return {"nl": ("nee", "ja"), "en": ("no", "yes")}[language][bool(value)]
    if spec.unit == "EUR":
        return f"€ {value:,.0f}".replace(",", ".")
    if spec.unit in ("share", "market share"):
        return f"{value:.0%}"
    number = f"{int(value)}" if float(value).is_integer() else f"{value:.3g}"
    return f"{number} {unit(spec.unit, language)}"


@solara.component
def Lever(spec: LeverSpec, value: Any, language: str, on_value: Any, locked: bool = False):
    """One lever: a slider (or switch) with its label, value and unit, and its help as a hint;
    a lever the facilitator ``locked`` is disabled (and the session refuses it anyway).

    One Vuetify widget per lever keeps the page small, and a small page redraws fast.
    """
    label, help_text = spec.text(language)
    css = f"lever lever-{spec.key.replace('.', '-')}" + (" locked" if locked else "")
    common = {"hint": help_text, "persistent_hint": True, "class_": css, "disabled": locked}
    if spec.type == "bool":
        suffix = f" ({ui('locked', language)})" if locked else ""
        rv.Switch(v_model=value, on_v_model=on_value, label=label + suffix, **common)
        return
    if locked:
        label = f"{label} ({ui('locked', language)})"
    low, high, step = spec.slider
    rv.Slider(
        v_model=value,
        on_v_model=on_value,  # checked against min, max and step by the session
        label=f"{label}: {shown_value(spec, value, language)}",
        min=low,
        max=high,
        step=step,
        thumb_label=True,
        **common,
    )


def slider_echo(spec: LeverSpec, value: Any, current: Any) -> bool:
    """Whether ``value`` is a slider rounding the server's ``current`` value to its grid.

    A slider given a value off its grid (a design of the front has any budget) sends back the
    nearest grid value at once. A participant cannot send that value: the slider holds it
    already, and a click on it sends nothing. So it is not a move, and the value stays.
    """
    if spec.slider is None or isinstance(value, bool) or not isinstance(value, int | float):
        return False
    low, high, step = spec.slider

    def on_grid(x: float) -> bool:
        return low <= x <= high and abs((x - low) / step - round((x - low) / step)) < 1e-6

    nearest = min(max(current, low), high)
    return not on_grid(current) and on_grid(value) and abs(value - nearest) <= step * (0.5 + 1e-9)


def guarded(action: Any, report: Any, then: Any = None) -> Any:
    """``action(value)`` for a control's callback: a :class:`Refused` value, or any error, is
    reported with ``report(problem)`` (("refused", what) or ("failed", None)) instead of raised,
    the traceback of an error going to the server's log; on success ``report(None)`` and
    ``then()``."""

    def run(*args: Any) -> None:
        try:
            action(*args)
        except Refused as refused:
            logger.warning("refused a value the page cannot send: %s", refused)
            report(("refused", refused.what))
            return
        except Exception:
            logger.exception("a workshop action failed")
            report(("failed", None))
            return
        report(None)
        if then is not None:
            then()

    return run


def problem_text(problem: tuple[str, str | None], language: str) -> str:
    """The participant's message for a refused value or a failed action, in ``language``."""
    kind, what = problem
    if kind == "refused":
        if what in PARAMETERS:
            name = label(what, language)
        else:
            named = ("seed", "preset", "speed", "language", "design", "name")
            name = ui(what, language) if what in named else what
        return ui("refused", language, what=name)
    return ui("failed", language)


def language_toggle(lang: str, choose: Any, guard: Any, refusals: int) -> Any:
    """The NL/EN buttons: a click, checked, goes to ``choose(language)`` through its page's
    ``guard``; a refused click redraws them (``refusals``)."""
    return rv.BtnToggle(
        children=[rv.Btn(children=[name]) for name in LANGUAGES],
        v_model=LANGUAGES.index(lang),
        on_v_model=guard(lambda index: choose(language_at(index))),
        mandatory=True,
        class_="language",
    ).key(f"language-{refusals}")


def language_at(index: Any) -> str:
    """The language of the language buttons' ``index``, else :class:`Refused`."""
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(LANGUAGES):
        raise Refused("language", index, f"a button index from 0 to {len(LANGUAGES) - 1}")
    return LANGUAGES[index]


def check_speed(speed: Any) -> int:
    low, high = SPEEDS
    if isinstance(speed, float) and speed.is_integer():
        speed = int(speed)
    if not isinstance(speed, int) or isinstance(speed, bool) or not low <= speed <= high:
        raise Refused("speed", speed, f"a whole number from {low} to {high}")
    return speed


@solara.component
def Levers(
    session: WorkshopSession, values: dict[str, Any], language: str, guard: Any, refusals: int
):
    """The lever controls; ``values`` (the current settings) is what makes them redraw;
    ``guard`` wraps each lever's setter (see :func:`guarded`); a new count of ``refusals`` redraws
    them from the server's values (a refused value must not stay on a slider)."""

    def setter(spec: LeverSpec):
        def move(value: Any) -> None:
            if not slider_echo(spec, value, session.value(spec.key)):
                session.set_lever(spec.key, value)

        return guard(move)

    groups = lever_groups()
    opened = [i for i, group in enumerate(groups) if group in OPEN_GROUPS]
    with rv.ExpansionPanels(multiple=True, v_model=opened, accordion=True):
        for group, specs in groups.items():
            with rv.ExpansionPanel():
                rv.ExpansionPanelHeader(children=[GROUPS[group][language]])
                with rv.ExpansionPanelContent():
                    for spec in specs:
                        locked = spec.key in session.locks
                        Lever(spec, values[spec.key], language, setter(spec), locked).key(
                            f"{spec.key}-{refusals}"
                        )
                    if group == "funding":
                        names = " - ".join(label(k, language) for k in FUNDING_SHARES)
                        rv.Html(
                            tag="div",
                            class_="team-share",
                            style_="font-size: 0.85em",
                            children=[
                                f"{label(TEAM_SHARE, language)}: "
                                f"{values[TEAM_SHARE]:.0%} (= 100% - {names})"
                            ],
                        )


KPI_CARD = (
    '<div class="kpi kpi-{name}" style="min-width:170px;padding:8px 12px;margin:4px;'
    'border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.25);background:#fff">'
    '<div style="font-size:.85em;color:#666">{title}</div>'
    '<div class="kpi-value" style="font-size:1.6em;font-weight:bold">{value}</div>'
    '<div style="font-size:.8em">{detail}</div></div>'
)


def kpi_cards(kpis: dict[str, Any], language: str) -> str:
    """The KPI cards as one HTML block: a month redraws one element, not dozens."""
    month = kpis["critical_mass_month"]
    per_adopter = kpis["euros_per_extra_adopter"]
    base = kpis["baseline_adoption"]
    cards = [
        ("month", ui("month", language), str(kpis["month"]), ""),
        (
            "critical-mass",
            ui("kpi_critical_mass", language),
            "✓" if month is not None else "—",
            ui("kpi_reached_in", language, month=month)
            if month is not None
            else ui("kpi_not_reached", language),
        ),
        (
            "adoption",
            ui("kpi_adoption", language),
            f"{kpis['adoption']:.1%}",
            ui("kpi_baseline", language, share=f"{base:.1%}") if base is not None else "",
        ),
        ("outcome", ui("kpi_outcome", language), OUTCOMES[kpis["outcome"]][language], ""),
        (
            "spend",
            ui("kpi_spend", language),
            shown_value(PARAMETERS["funding.budget"], kpis["spent"], language),
            "",
        ),
        (
            "per-adopter",
            ui("kpi_per_adopter", language),
            f"€ {per_adopter:,.0f}".replace(",", ".") if per_adopter else "—",
            "" if per_adopter else ui("kpi_no_extra", language),
        ),
    ]
    return "".join(
        KPI_CARD.format(name=name, title=escape(title), value=escape(value), detail=escape(detail))
        for name, title, value, detail in cards
    )


@solara.component
def NetworkView(view_id: int, stage: bytes, language: str, session: WorkshopSession):
    """The network chart; redrawn only when a shown SME changes stage (``stage`` is their bytes)."""
    option = solara.use_memo(
        lambda: charts.network_chart(session.snapshot(), language), [view_id, stage, language]
    )
    solara.FigureEcharts(option, attributes=CHART_STYLE, responsive=True)


@solara.component
def Controls(
    language: str,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    finished: bool,
    on_step: Any,
    on_reset: Any,
    guard: Any,
):
    lang = language
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        if playing.value:
            solara.Button(
                ui("pause", lang),
                icon_name="mdi-pause",
                color="primary",
                on_click=lambda: playing.set(False),
                classes=["pause"],
            )
        else:
            solara.Button(
                ui("play", lang),
                icon_name="mdi-play",
                color="primary",
                on_click=lambda: playing.set(True),
                disabled=finished,
                classes=["play"],
            )
        solara.Button(
            ui("step", lang),
            icon_name="mdi-step-forward",
            on_click=on_step,
            disabled=finished,
            classes=["step"],
        )
        solara.Button(
            ui("reset", lang), icon_name="mdi-restart", on_click=on_reset, classes=["reset"]
        )
        with solara.Column(style={"width": "320px"}):
            rv.Slider(
                label=ui("speed", lang),
                v_model=speed.value,
                on_v_model=guard(lambda value: speed.set(check_speed(value))),
                min=SPEEDS[0],
                max=SPEEDS[1],
                step=1,
                thumb_label=True,
                hide_details=True,
                class_="speed",
            )


@solara.component
def Compare(language: str, band: dict[str, Any] | None, pending: bool, done: int, on_run: Any):
    """The replications button, its progress and the chance of critical mass it found."""
    lang = language
    with solara.Card(ui("compare", lang)):
        solara.Button(
            ui("replicate", lang, n=REPLICATIONS),
            icon_name="mdi-chart-bell-curve",
            on_click=on_run,
            disabled=pending,
            classes=["replicate"],
        )
        if pending:
            solara.Text(ui("replicating", lang))
            solara.ProgressLinear(100 * done / REPLICATIONS)
        if band is not None:
            low, high = band["ci"]
            solara.Text(
                ui(
                    "band_result",
                    lang,
                    p=band["p"],
                    hits=band["hits"],
                    n=band["n"],
                    lo=low,
                    hi=high,
                ),
                classes=["band-result"],
            )


@solara.component
def RunView(
    session: WorkshopSession,
    language: str,
    settings: int,
    guard: Any,
    refusals: int,
    round_number: int = 0,
):
    """Play controls, KPI cards, charts and the comparison: everything that changes per month.

    A month redraws only this part of the page, and in it only the KPI block and the charts;
    ``settings`` changes when a lever, the preset or the seed does (the run has then restarted).
    """
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(12)
    progress = solara.use_reactive(0)
    _ = version.value  # a bump redraws this view

    def changed() -> None:
        version.value += 1

    def play_loop() -> None:
        # at most FRAMES_PER_SECOND redraws, several months each at high speed: the server
        # stays responsive when a whole room plays at once
        while playing.value and not session.finished:
            started = time.perf_counter()
            months = max(1, round(speed.value / FRAMES_PER_SECOND))
            session.step(months)
            changed()
            time.sleep(max(0.0, months / speed.value - (time.perf_counter() - started)))
        playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value])
    # a new round resets the run: the play loop stops
    solara.use_effect(lambda: playing.set(False), [round_number])

    def replicate() -> None:
        progress.value = 0
        session.run_replications(REPLICATIONS, progress=progress.set, executor=replication_pool())
        changed()

    replications = solara.lab.use_task(replicate, dependencies=None)

    def do_step() -> None:
        playing.value = False
        session.step()
        changed()

    def do_reset() -> None:
        playing.value = False
        session.reset()
        changed()

    snapshot = session.snapshot()
    Controls(language, playing, speed, session.finished, do_step, do_reset, guard).key(
        f"controls-{refusals}"
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=kpi_cards(session.kpis(), language),
        style={"display": "flex", "flex-wrap": "wrap"},
    )
    with solara.Columns([1, 1]):
        solara.FigureEcharts(
            charts.adoption_chart(snapshot, language), attributes=CHART_STYLE, responsive=True
        )
        NetworkView(id(session.network_view), snapshot["stage"].tobytes(), language, session)
    with solara.Columns([1, 1, 1]):
        for build in (charts.coalition_chart, charts.projects_chart, charts.budget_chart):
            solara.FigureEcharts(build(snapshot, language), attributes=CHART_STYLE, responsive=True)
    Compare(language, snapshot["replications"], replications.pending, progress.value, replications)


def design_label(row: Any, language: str) -> str:
    cost = shown_value(PARAMETERS["funding.budget"], row["cost"], language)
    return f"{row['design']} · {cost} · {row['p_critical_mass']:.0%}"


@solara.component
def CostPanel(session: WorkshopSession, language: str, settings: int, guard: Any):
    """The stored design front of the preset; a click on a design loads it into the sliders."""
    loaded = solara.use_reactive(None)
    front = session.front
    with solara.Card(ui("cost", language), classes=["cost-panel"]):
        if front is None:
            solara.Markdown(ui("cost_none", language))
            return
        solara.Markdown(
            ui(
                "cost_intro",
                language,
                month=int(front["target_month"].iloc[0]),
                n=int(front["replications"].iloc[0]),
            )
        )
        solara.FigureEcharts(
            charts.front_chart(front, language), attributes=CHART_STYLE, responsive=True
        )

        def load(design: str) -> Any:
            def run() -> None:
                session.load_design(design)
                loaded.set(design)

            return lambda: guard(run)()

        with solara.Row(style={"flex-wrap": "wrap"}):
            for _, row in front.iterrows():
                solara.Button(
                    design_label(row, language),
                    on_click=load(row["design"]),
                    small=True,
                    outlined=loaded.value != row["design"],
                    color="primary",
                    classes=["design", f"design-{row['design']}"],
                )
        if loaded.value is not None:
            levers = design_levers(front, loaded.value)
            shown = ", ".join(
                f"{label(k, language)} {shown_value(PARAMETERS[k], v, language)}"
                for k, v in levers.items()
            )
            solara.Text(
                ui("cost_loaded", language, design=loaded.value, levers=shown),
                classes=["design-loaded"],
            )


@solara.component
def Explain(language: str):
    text = "\n\n".join(
        f"**{title}.** {body}" for m in MECHANISMS for title, body in [m.text(language)]
    )
    with solara.Details(ui("explain", language)):
        solara.Markdown(text)


@solara.component
def TakeHome(session: WorkshopSession, language: str, settings: int):
    """Downloads of the settings and of the run so far (made when clicked)."""
    file_name = f"sectorsim-{session.preset}-seed{session.seed}.toml"
    with solara.Card(ui("take_home", language)):
        with solara.Row():
            solara.FileDownload(
                session.scenario_toml,
                filename=file_name,
                label=ui("download_toml", language),
                mime_type="application/toml",
            )
            solara.FileDownload(
                session.csv,
                filename=f"sectorsim-{session.preset}-seed{session.seed}.csv",
                label=ui("download_csv", language),
                mime_type="text/csv",
            )
        solara.Markdown(ui("reproduce", language, file=file_name, seed=session.seed))


def participant_key(token: str | None) -> str:
    """The participant's key in the room: the token the server gave this browser, or, for a
    page without one (rendered without the server's guard), a key of its own."""
    return token if valid_token(token) else f"page-{secrets.token_urlsafe(16)}"


def use_room_round(room: Room) -> int:
    """The room's round number, redrawing the component when the facilitator starts a round."""
    number = solara.use_reactive(room.round.number)

    def watch(cancel: threading.Event) -> None:
        seen = number.value
        while not cancel.is_set():
            now = room.wait_round(seen, timeout=ROUND_POLL)
            if now != seen and not cancel.is_set():
                seen = now
                number.set(now)

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)
    return number.value


def lock_text(locks: dict[str, Any], language: str) -> str:
    return ", ".join(
        f"{label(k, language)} {shown_value(PARAMETERS[k], v, language)}" for k, v in locks.items()
    )


@solara.component
def RoomBar(
    room: Room, participant: Participant, name: str, language: str, guard: Any, refusals: int
):
    """Who the participant is in the room (``name``, which they may change) and the round's
    settings."""
    lang = language
    session = participant.session
    rv.Html(tag="div", class_="you-are", children=[ui("you_are", lang, name=name)])
    solara.InputText(
        ui("name", lang),
        value="" if name.startswith("#") else name,
        on_value=guard(lambda name: room.rename(participant, name)),
        continuous_update=False,
        classes=["display-name"],
    ).key(f"name-{refusals}")
    if not session.preset_fixed:
        text = ui("round_free", lang)
    else:
        text = ui("round_set", lang, number=room.round.number, preset=session.preset)
        if session.locks:
            text += " " + ui("round_locks", lang, locks=lock_text(session.locks, lang))
    rv.Html(tag="div", class_="round-info", style_="font-size: 0.85em", children=[text])


@solara.component
def Page():
    room = the_room()
    token = (solara.lab.cookies.value or {}).get(PARTICIPANT_COOKIE)
    participant = solara.use_memo(lambda: room.join(participant_key(token)), [token])
    session = participant.session
    round_number = use_room_round(room)
    language = solara.use_reactive("nl")
    settings = solara.use_reactive(0)
    problem = solara.use_reactive(None)  # the last refused value or failed action
    refusals = solara.use_reactive(0)  # controls are redrawn from the server's values after one
    lang = language.value

    def changed() -> None:
        settings.value += 1

    def report(found: Any) -> None:
        problem.set(found)
        if found is not None:
            refusals.value += 1

    def guard(action: Any):
        return guarded(action, report, changed)

    def quiet(action: Any):  # for controls that change no settings
        return guarded(action, report)

    solara.Title("sectorsim")
    with solara.Sidebar():
        language_toggle(lang, language.set, quiet, refusals.value)
        RoomBar(room, participant, participant.name, lang, guard, refusals.value).key(
            f"room-{round_number}"
        )
        rv.Select(
            label=ui("preset", lang),
            items=preset_names(),
            v_model=session.preset,
            on_v_model=guard(session.set_preset),
            disabled=session.preset_fixed,
            class_="preset",
        ).key(f"preset-{refusals.value}-{round_number}")
        solara.Text(session.description, style={"font-size": "0.8em", "color": "#666"})
        solara.InputInt(ui("seed", lang), value=session.seed, on_value=guard(session.set_seed)).key(
            f"seed-{refusals.value}-{round_number}"
        )
        solara.Markdown(f"### {ui('levers', lang)}")
        values = {key: session.value(key) for key in (*LEVERS, TEAM_SHARE)}
        Levers(session, values, lang, guard, refusals.value).key(f"levers-{round_number}")
    with solara.Column(style={"padding": "0 12px"}):
        solara.Markdown(f"## {ui('title', lang)}")
        if problem.value is not None:
            solara.Error(problem_text(problem.value, lang), classes=["input-error"])
        if session.error:
            solara.Error(f"{ui('invalid', lang)}: {session.error}", classes=["settings-error"])
        RunView(session, lang, settings.value, quiet, refusals.value, round_number)
        CostPanel(session, lang, settings.value, guard).key(f"cost-{round_number}")
        Explain(lang)
        TakeHome(session, lang, settings.value)
