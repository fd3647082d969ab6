"""The facilitator's page: the room's participants live, the round's settings, the debrief.

Served at ``/facilitator`` and shown only to a browser whose cookies hold the facilitator's code
(:func:`sectorsim.app.server.is_facilitator`, checked here again because the websocket is shared
with the participants). The page waits on the room's changes in a background thread
(:func:`use_room_version`) and redraws at most :data:`REDRAWS_PER_SECOND` times a second, so
thirty participants playing at once cost the facilitator's page a steady few redraws, not one
per month of every run.

What the facilitator sees: one row per participant (:meth:`Room.rows`), their programmes'
chance of critical mass against the budget spent with the stored design front behind it, the
best programme so far for a stated chance, the next round's settings (preset, seed and levers
locked at a value) and the round's download; the debrief shows the chart large, with what the
programmes that tipped had in common.
"""

from __future__ import annotations

import threading
from html import escape
from typing import Any

import reacton.ipyvuetify as rv
import solara
import solara.lab

from sectorsim.app import charts
from sectorsim.app.levers import LEVERS, label
from sectorsim.app.page import (
    Lever,
    guarded,
    language_toggle,
    problem_text,
    replication_pool,
    shown_value,
)
from sectorsim.app.room import WORLD_REPLICATIONS, WORLDS, Room, plausible_worlds, the_room
from sectorsim.app.server import is_facilitator
from sectorsim.app.session import (
    DEFAULT_PRESET,
    Refused,
    lever_value,
    seed_value,
    stored_front,
)
from sectorsim.app.texts import ui
from sectorsim.config import load_scenario, preset_names
from sectorsim.params import PARAMETERS

REDRAWS_PER_SECOND = 2
CHANCES = (0.5, 0.95, 0.05)  # the stated chance's slider
TABLE_STYLE = (
    "<style>.room-table{border-collapse:collapse;font-size:.9em;width:100%}"
    ".room-table th,.room-table td{border-bottom:1px solid #ddd;padding:4px 8px;"
    "text-align:left;vertical-align:top}.room-table td.n{white-space:nowrap}"
    ".room-table th{background:#f4f4f4}</style>"
)


def use_room_version(room: Room) -> int:
    """The room's change counter, redrawing the component when it changes (throttled)."""
    version = solara.use_reactive(room.version)

    def watch(cancel: threading.Event) -> None:
        seen = version.value
        while not cancel.is_set():
            now = room.wait(seen, timeout=5.0)
            if now != seen and not cancel.is_set():
                seen = now
                version.set(now)
                cancel.wait(1.0 / REDRAWS_PER_SECOND)  # let changes gather before the next

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)
    return version.value


def euros(value: float, language: str) -> str:
    return shown_value(PARAMETERS["funding.budget"], value, language)


def changed_text(changed: dict[str, Any], language: str) -> str:
    if not changed:
        return ui("none_changed", language)
    return "; ".join(
        f"{label(k, language)} {shown_value(PARAMETERS[k], v, language)}"
        for k, v in changed.items()
    )


def participants_table(rows: list[dict[str, Any]], round_preset: str | None, language: str) -> str:
    """The participants as one HTML table (one element to redraw); every name escaped."""
    lang = language
    head = ["#", "col_name", "col_changed", "col_month", "col_adoption", "col_critical_mass"]
    head += ["col_spent", "col_p"]
    cells = "".join(f"<th>{escape(h if h == '#' else ui(h, lang))}</th>" for h in head)
    body = []
    for row in rows:
        month = row["critical_mass_month"]
        reached = "—" if month is None else "✓ " + ui("in_month", lang, month=month)
        if row["p"] is None:
            chance = "—"
        else:
            chance = (
                f"{row['p']:.0%} ({row['p_low']:.0%}-{row['p_high']:.0%}, n={row['replications']})"
            )
        changed = changed_text(row["changed"], lang)
        if round_preset is not None and row["preset"] != round_preset:
            changed = ui("other_preset", lang, preset=row["preset"]) + "; " + changed
        values = [
            (str(row["number"]), "n"),
            (row["name"], ""),
            (changed, ""),
            (str(row["month"]), "n"),
            (f"{row['adoption']:.1%}", "n"),
            (reached, "n"),
            (euros(row["spent"], lang), "n"),
            (chance, "n"),
        ]
        tds = "".join(f'<td class="{css}">{escape(text)}</td>' for text, css in values)
        body.append(f'<tr class="participant participant-{row["number"]}">{tds}</tr>')
    return (
        f'{TABLE_STYLE}<table class="room-table"><thead><tr>{cells}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def common_levers(
    rows: list[dict[str, Any]], chance: float, locked: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """For each lever the programmes differ on: its range among the programmes that tipped
    (chance of critical mass at least ``chance``) and among the other programmes with
    replications; ``apart`` when the two ranges do not overlap (the lever separates them in
    this room), those first. Levers ``locked`` for the round, or set alike in every programme,
    say nothing and are left out."""
    done = [r for r in rows if r["p"] is not None]
    tipped = [r for r in done if r["p"] >= chance - 1e-12]
    others = [r for r in done if r["p"] < chance - 1e-12]
    table = []
    for key in LEVERS:
        values = [r["levers"][key] for r in tipped]
        rest = [r["levers"][key] for r in others]
        if not values or key in locked or len({*values, *rest}) == 1:
            continue
        low, high = min(values), max(values)
        apart = bool(rest) and (max(rest) < low or min(rest) > high)
        table.append(
            {
                "key": key,
                "tipped": (low, high),
                "others": (min(rest), max(rest)) if rest else None,
                "apart": apart,
            }
        )
    return sorted(table, key=lambda row: not row["apart"])


def span(spec_key: str, bounds: tuple[Any, Any] | None, language: str) -> str:
    if bounds is None:
        return "—"
    spec = PARAMETERS[spec_key]
    low, high = (shown_value(spec, b, language) for b in bounds)
    return low if low == high else f"{low} – {high}"


@solara.component
def RoundSetup(room: Room, language: str, guard: Any):
    """The next round: preset, seed and levers locked at a value; the button that starts it."""
    lang = language
    current = room.round
    preset = solara.use_reactive(current.preset or DEFAULT_PRESET)
    seed = solara.use_reactive(current.seed)
    locks = solara.use_reactive(dict(current.locks))
    base = load_scenario(preset.value)

    def set_preset(name: Any) -> None:
        if not isinstance(name, str) or name not in preset_names():
            raise Refused("preset", name, "one of " + ", ".join(preset_names()))
        preset.set(name)

    def lock(key: str, on: Any) -> None:
        if not isinstance(on, bool) or key not in LEVERS:
            raise Refused(key, on, "on or off")
        new = dict(locks.value)
        if on:
            new[key] = base.get(key)
        else:
            new.pop(key, None)
        locks.set(new)

    def move(key: str, value: Any) -> None:
        locks.set({**locks.value, key: lever_value(key, value)})

    def start() -> None:
        room.start_round(preset.value, seed.value, locks.value)

    with solara.Card(ui("next_round", lang), classes=["round-setup"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            rv.Select(
                label=ui("preset", lang),
                items=preset_names(),
                v_model=preset.value,
                on_v_model=guard(set_preset),
                class_="round-preset",
                style_="max-width: 320px",
            )
            solara.InputInt(
                ui("seed", lang),
                value=seed.value,
                on_value=guard(lambda v: seed.set(seed_value(v))),
            )
            solara.Button(
                ui("start_round", lang, number=current.number + 1),
                icon_name="mdi-flag-checkered",
                color="primary",
                on_click=guard(start),
                classes=["start-round"],
            )
        with rv.ExpansionPanels(multiple=True, accordion=True), rv.ExpansionPanel():
            rv.ExpansionPanelHeader(
                children=[ui("locks", lang, n=len(locks.value))], class_="locks"
            )
            with rv.ExpansionPanelContent():
                for key, spec in LEVERS.items():
                    locked = key in locks.value
                    with solara.Row(style={"align-items": "center"}):
                        rv.Checkbox(
                            v_model=locked,
                            on_v_model=guard(lambda on, key=key: lock(key, on)),
                            label=ui("lock", lang),
                            class_=f"lock lock-{key.replace('.', '-')}",
                            hide_details=True,
                            style_="flex: 0 0 140px",
                        )
                        with solara.Column(style={"flex": "1 1 auto"}):
                            Lever(
                                spec,
                                locks.value.get(key, base.get(key)),
                                lang,
                                guard(lambda value, key=key: move(key, value)),
                            )


@solara.component
def FacilitatorRoom(room: Room):
    """Everything the facilitator sees (testable with ``solara.render``)."""
    version = use_room_version(room)
    language = solara.use_reactive("nl")
    chance = solara.use_reactive(0.8)
    debrief = solara.use_reactive(False)
    problem = solara.use_reactive(None)
    refusals = solara.use_reactive(0)
    lang = language.value

    def report(found: Any) -> None:
        problem.set(found)
        if found is not None:
            refusals.value += 1

    def guard(action: Any) -> Any:
        return guarded(action, report)

    def set_chance(value: Any) -> None:
        low, high, step = CHANCES
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not low - 1e-9 <= value <= high + 1e-9:
            raise Refused("chance", value, f"{low:g} to {high:g}")
        chance.set(round(round(value / step) * step, 10))

    _ = version
    rows = room.rows()
    current = room.round
    front = stored_front(current.preset or DEFAULT_PRESET)
    solara.Title("sectorsim: facilitator")
    with solara.Column(style={"padding": "0 16px"}, classes=["facilitator"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Markdown(f"## {ui('facilitator_title', lang)}")
            language_toggle(lang, language.set, guard, refusals.value)
            solara.Button(
                ui("debrief_close" if debrief.value else "debrief_open", lang),
                icon_name="mdi-projector-screen",
                on_click=lambda: debrief.set(not debrief.value),
                classes=["debrief-toggle"],
            )
        if problem.value is not None:
            solara.Error(problem_text(problem.value, lang), classes=["input-error"])
        if current.preset is None:
            solara.Text(ui("round_now_free", lang), classes=["round-now"])
        else:
            locks = ", ".join(
                f"{label(k, lang)} {shown_value(PARAMETERS[k], v, lang)}"
                for k, v in current.locks.items()
            )
            solara.Text(
                ui(
                    "round_now",
                    lang,
                    number=current.number,
                    preset=current.preset,
                    seed=current.seed,
                    locks=locks or ui("none_changed", lang),
                ),
                classes=["round-now"],
            )
        rv.Slider(
            label=f"{ui('chance', lang)}: {chance.value:.0%}",
            v_model=chance.value,
            on_v_model=guard(set_chance),
            min=CHANCES[0],
            max=CHANCES[1],
            step=CHANCES[2],
            thumb_label=True,
            hide_details=True,
            class_="chance",
            style_="max-width: 520px",
        ).key(f"chance-{refusals.value}")
        best = room.best(chance.value, rows)
        if best is None:
            best_text = ui("best_none", lang, chance=chance.value)
        else:
            best_text = ui(
                "best",
                lang,
                chance=chance.value,
                name=best["name"],
                p=best["p"],
                lo=best["p_low"],
                hi=best["p_high"],
                spend=euros(best["mean_spend"], lang),
                levers=changed_text(best["changed"], lang),
            )
        solara.Text(best_text, classes=["best"], style={"font-weight": "bold"})
        height = "560px" if debrief.value else "380px"
        solara.Markdown(f"### {ui('room_chart', lang)}")
        solara.FigureEcharts(
            charts.room_chart(front, rows, lang),
            attributes={"style": f"height: {height}; width: 100%;", "class": "room-chart"},
            responsive=True,
        )
        solara.Text(ui("room_chart_note", lang), classes=["room-chart-note"])
        if debrief.value:
            Debrief(rows, chance.value, tuple(current.locks), lang)
            Worlds(room, version, lang)
            return
        solara.Markdown(f"### {ui('participants', lang, n=len(rows))}")
        if not rows:
            solara.Text(ui("no_participants", lang))
        else:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=participants_table(rows, current.preset, lang),
                classes=["participants"],
            )
        solara.FileDownload(
            room.download,
            filename=f"sectorsim-round-{current.number}.zip",
            label=ui("download_round", lang),
            mime_type="application/zip",
        )
        RoundSetup(room, lang, guard).key(f"setup-{current.number}-{refusals.value}")


@solara.component
def Debrief(rows: list[dict[str, Any]], chance: float, locked: tuple[str, ...], language: str):
    """What the programmes that tipped had in common: each lever's range among them and among
    the others; levers whose ranges do not overlap first, in bold."""
    lang = language
    solara.Markdown(f"### {ui('debrief_common', lang, chance=chance)}")
    table = common_levers(rows, chance, locked)
    if not table:
        solara.Text(ui("debrief_none", lang), classes=["debrief-none"])
        return
    done = [r for r in rows if r["p"] is not None]
    tipped = sum(r["p"] >= chance - 1e-12 for r in done)
    head = [ui("col_lever", lang), ui("col_tipped", lang, n=tipped)]
    head.append(ui("col_others", lang, n=len(done) - tipped))
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        f'<tr style="font-weight:{"bold" if row["apart"] else "normal"}">'
        f"<td>{escape(label(row['key'], lang))}</td>"
        f"<td>{escape(span(row['key'], row['tipped'], lang))}</td>"
        f"<td>{escape(span(row['key'], row['others'], lang))}</td></tr>"
        for row in table
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f'{TABLE_STYLE}<table class="room-table debrief-table">'
        f"<thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>",
        classes=["debrief"],
    )


@solara.component
def FacilitatorPage():
    """The facilitator's route: their view with the facilitator's cookie, else a refusal."""
    if not is_facilitator(solara.lab.cookies.value):
        solara.Error(ui("facilitator_refused", "en"), classes=["facilitator-refused"])
        solara.Error(ui("facilitator_refused", "nl"))
        return
    FacilitatorRoom(the_room())


@solara.component
def Worlds(room: Room, version: int, language: str):
    """The room's programmes in plausible worlds: a button runs each programme with
    replications in :data:`~sectorsim.app.room.WORLDS` worlds of the calibration posterior, in
    the replication worker; the table gives each its chance pooled over the worlds, the median
    and 10-90% range across them, and its robustness."""
    lang = language
    progress = solara.use_reactive((0, 0))
    worlds = plausible_worlds()

    def run() -> None:
        progress.set((0, 0))
        room.run_worlds(
            worlds, executor=replication_pool(), progress=lambda d, t: progress.set((d, t))
        )

    task = solara.lab.use_task(run, dependencies=None)
    solara.Markdown(f"### {ui('worlds_title', lang, n=WORLDS)}")
    if worlds is None:
        solara.Text(ui("worlds_missing", lang))
        return
    solara.Button(
        ui("worlds_run", lang, n=WORLDS, r=WORLD_REPLICATIONS),
        icon_name="mdi-earth",
        on_click=task,
        disabled=task.pending,
        classes=["run-worlds"],
    )
    if task.pending:
        done, total = progress.value
        solara.ProgressLinear(100 * done / total if total else True)
    found = room.worlds
    if found is None or found["round"] != room.round.number:
        return
    head = ["col_name", "col_p_pooled", "col_p_median", "col_p_range", "col_robustness"]
    cells = "".join(f"<th>{escape(ui(h, lang))}</th>" for h in head)
    body = "".join(
        "<tr>"
        f"<td>{escape(str(row['name']))}</td>"
        f'<td class="n">{row["p_pooled"]:.0%}</td>'
        f'<td class="n">{row["p_median"]:.0%}</td>'
        f'<td class="n">{row["p_world_low"]:.0%} – {row["p_world_high"]:.0%}</td>'
        f'<td class="n">{row["robustness"]:.0%}</td>'
        "</tr>"
        for _, row in found["table"].iterrows()
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f'{TABLE_STYLE}<table class="room-table worlds-table">'
        f"<thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>",
        classes=["worlds"],
    )
    solara.Markdown(ui("worlds_note", lang, n=found["worlds"], r=WORLD_REPLICATIONS))
