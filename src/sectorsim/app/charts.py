"""The app's charts as ECharts options: plain dicts built from a session snapshot.

ECharts draws in the participant's browser, so a month's redraw costs the server only this
JSON. Series names come from the output registry (:data:`sectorsim.outputs.MONTHLY_OUTPUTS`)
in the chosen language. The x axis is a category axis of all months of the horizon (so that
stacking adds up the y values only, and a chart grows month by month instead of rescaling);
a series is its list of monthly values from month 0. The axis is labelled in calendar years
(``calendar.start_year`` is month 0); shares are drawn in percent on an axis scaled to the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sectorsim.app.texts import PHASES, ui
from sectorsim.components.schedule import PROGRAMME_LABELS, ProgrammePhase
from sectorsim.labels import share_top, shows_critical_mass, year_step
from sectorsim.mechanisms.funding import CHANNELS
from sectorsim.outputs import MONTHLY_OUTPUTS

OUTPUT = {o.name: o for o in MONTHLY_OUTPUTS}
STAGE_COLOURS = ("#c8c8c8", "#f2c14e", "#4f9d69", "#1b5e8c")  # business as usual .. innovating
PHASE_COLOURS = {
    "take-off": "rgba(242, 193, 78, 0.12)",
    "acceleration": "rgba(79, 157, 105, 0.14)",
    "stabilisation": "rgba(27, 94, 140, 0.12)",
    "setback": "rgba(200, 60, 60, 0.12)",
}
BASE: dict[str, Any] = {
    "animation": False,
    "tooltip": {"trigger": "axis"},
    "grid": {"left": 64, "right": 48, "top": 48, "bottom": 84},
}
PROGRAMME_MARKS = {  # programme phase (timeseries label) -> its mark on the adoption chart
    PROGRAMME_LABELS[ProgrammePhase.PREPARATION]: "I",
    PROGRAMME_LABELS[ProgrammePhase.AGENDA]: "II",
    PROGRAMME_LABELS[ProgrammePhase.EXECUTION]: "III",
    PROGRAMME_LABELS[ProgrammePhase.BROADENING]: "IV",
    PROGRAMME_LABELS[ProgrammePhase.WITHDRAWN]: "programme_end",  # words: ui("programme_end")
}
LEGEND: dict[str, Any] = {"type": "plain", "bottom": 0, "left": "center"}  # below, never over data


def label(name: str, language: str) -> str:
    output = OUTPUT[name]
    return output.label_nl if language == "nl" else output.label


def _rounded(values: np.ndarray, digits: int = 4) -> list[float]:
    return np.round(np.asarray(values, dtype=float), digits).tolist()


def month_labels(months: int, start_year: int) -> list[str]:
    """Category labels of months 0..months: the year at each January, year-month otherwise."""
    return [
        f"{start_year + m // 12}" if m % 12 == 0 else f"{start_year + m // 12}-{m % 12 + 1:02d}"
        for m in range(months + 1)
    ]


def _x_axis(config: Any, language: str) -> dict[str, Any]:
    months = config.months
    step = year_step(months / 12)
    return {
        "type": "category",
        "boundaryGap": False,
        "data": month_labels(months, config.calendar.start_year),
        "axisLabel": {"interval": 12 * step - 1},
        "axisTick": {"interval": 12 * step - 1},
        "name": ui("year", language),
        "nameLocation": "middle",
        "nameGap": 26,
    }


def _percent(values: Any) -> list[float]:
    return _rounded(np.asarray(values, dtype=float) * 100, 3)


def _line(name: str, y: np.ndarray, **style: Any) -> dict[str, Any]:
    return {"name": name, "type": "line", "showSymbol": False, "data": _rounded(y), **style}


def chance_axis(language: str) -> dict[str, Any]:
    """The y axis of the cost charts: the chance of critical mass, in percent."""
    return {
        "type": "value",
        "min": 0,
        "max": 100,
        "name": ui("cost_p", language),
        "axisLabel": {"formatter": "{value}%"},
    }


def front_chart(front: Any, language: str) -> dict[str, Any]:
    """A stored design front: P(critical mass) against expected cost, a step per design, with
    its 95% interval as dashed steps."""
    cost = (front["cost"] / 1e6).round(3).tolist()

    def steps(column: str, **style: Any) -> dict[str, Any]:
        points = [[c, round(float(p) * 100, 1)] for c, p in zip(cost, front[column], strict=True)]
        return {"type": "line", "step": "end", "data": points, **style}

    return {
        **BASE,
        "tooltip": {"trigger": "item"},
        "xAxis": {
            "type": "value",
            "name": ui("cost_axis", language),
            "nameLocation": "middle",
            "nameGap": 24,
            "axisLabel": {"formatter": "€{value}M"},
        },
        "yAxis": chance_axis(language),
        "series": [
            steps(
                "p_critical_mass",
                name=ui("cost_p", language),
                symbolSize=9,
                color="#1b5e8c",
                label={"show": True, "formatter": "{b}", "position": "top", "fontSize": 10},
                data=[
                    {"name": d, "value": [c, round(float(p) * 100, 1)]}
                    for d, c, p in zip(front["design"], cost, front["p_critical_mass"], strict=True)
                ],
            ),
            *(
                steps(
                    bound,
                    name=ui("cost_interval", language),
                    showSymbol=False,
                    color="#6baed6",
                    lineStyle={"type": "dashed", "width": 1},
                )
                for bound in ("p_low", "p_high")
            ),
        ],
    }


def phase_bands(phases: list[str], language: str) -> list[list[dict[str, Any]]]:
    """ECharts markArea ranges: one per stretch of months in the same transition phase."""
    bands, start = [], 0
    for month in range(1, len(phases) + 1):
        if month == len(phases) or phases[month] != phases[start]:
            phase = phases[start]
            if phase in PHASE_COLOURS:
                bands.append(
                    [
                        {
                            "name": PHASES[phase][language],
                            "xAxis": start,
                            "itemStyle": {"color": PHASE_COLOURS[phase]},
                        },
                        {"xAxis": month - 1},
                    ]
                )
            start = month
    return bands


def programme_marks(phases: list[str], language: str) -> list[dict[str, Any]]:
    """ECharts markLine items: a dotted vertical line where each programme phase I-IV starts,
    named by its numeral, and where the team withdraws."""
    marks = []
    for month, phase in enumerate(phases):
        if phase in PROGRAMME_MARKS and (month == 0 or phases[month - 1] != phase):
            marks.append(
                {
                    "xAxis": month,
                    "label": {
                        "formatter": _mark(PROGRAMME_MARKS[phase], language),
                        "position": "end",
                    },
                    "lineStyle": {"color": "#777", "type": "dotted", "width": 1},
                }
            )
    return marks


def _mark(text: str, language: str) -> str:
    return ui(text, language) if text == "programme_end" else text


def adoption_chart(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """The adopters' stages stacked, in percent on an axis scaled to the data, phases as bands,
    the critical-mass line, comparisons as lines."""
    frame, config = snapshot["frame"], snapshot["config"]
    adopted = config.adoption.adopted_stage
    series: list[dict[str, Any]] = []
    for stage in range(3, adopted - 1, -1):
        name = f"stage_share_{stage}"
        series.append(
            {
                **_line(
                    label(name, language),
                    frame[name].to_numpy(),
                    stack="stages",
                    areaStyle={"opacity": 0.85},
                    lineStyle={"width": 0},
                    color=STAGE_COLOURS[stage],
                ),
                "data": _percent(frame[name]),
            }
        )
    series[0]["markArea"] = {
        "silent": True,
        "label": {"position": "insideTop", "fontSize": 11},
        "data": phase_bands(frame["phase"].tolist(), language),
    }
    peaks = [float(frame["adoption_share"].max())]
    band = snapshot["replications"]
    if band is not None:
        series.append(
            {
                **_line(ui("band", language), band["p10"], stack="band", lineStyle={"width": 0}),
                "data": _percent(band["p10"]),
            }
        )
        series.append(
            {
                **_line(
                    ui("band", language),
                    band["p90"] - band["p10"],
                    stack="band",
                    lineStyle={"width": 0},
                    areaStyle={"color": "rgba(80, 80, 160, 0.18)"},
                    tooltip={"show": False},
                ),
                "data": _percent(np.asarray(band["p90"]) - np.asarray(band["p10"])),
            }
        )
        peaks.append(float(np.max(band["p90"])))
    for key, colour, style in (("baseline", "#555", "dashed"), ("previous", "#8e44ad", "dotted")):
        if snapshot[key] is not None:
            series.append(
                {
                    **_line(
                        ui(key, language),
                        snapshot[key],
                        color=colour,
                        lineStyle={"type": style, "width": 2},
                    ),
                    "data": _percent(snapshot[key]),
                }
            )
            peaks.append(float(np.max(snapshot[key])))
    peak, share = max(peaks), config.critical_mass_share
    shown = shows_critical_mass(peak, share)
    top = share_top(max(peak, share) if shown else peak) * 100
    step = next(s for s in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20) if top / s <= 8)
    top = min(100.0, float(np.ceil(top / step - 1e-9) * step))
    line_label = f"{ui('critical_mass_line', language)} ({share:.0%})"
    if shown:
        series[0]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "label": {"formatter": line_label, "position": "insideEndTop"},
            "lineStyle": {"color": "#a50f15", "type": "dashed", "width": 2},
            "data": [{"yAxis": round(share * 100, 3)}],
        }
    series[0].setdefault("markLine", {"silent": True, "symbol": "none", "data": []})
    series[0]["markLine"]["data"] += programme_marks(frame["programme_phase"].tolist(), language)
    title = {"text": ui("chart_adoption", language), "textStyle": {"fontSize": 14}}
    if not shown:
        title["subtext"] = ui("above_scale", language, share=f"{share:.0%}")
    return {
        **BASE,
        "grid": {**BASE["grid"], "top": 76},
        "title": title,
        "legend": LEGEND,
        "xAxis": _x_axis(config, language),
        "yAxis": {
            "type": "value",
            "min": 0,
            "max": round(top, 1),
            "interval": step,
            "name": ui("percent_of_smes", language),
            "axisLabel": {"formatter": "{value}%"},
        },
        "series": series,
    }


def _simple_chart(
    snapshot: dict[str, Any], language: str, title: str, names: list[str], **axis: Any
) -> dict[str, Any]:
    frame, config = snapshot["frame"], snapshot["config"]
    return {
        **BASE,
        "title": {"text": ui(title, language), "textStyle": {"fontSize": 14}},
        "legend": LEGEND,
        "xAxis": _x_axis(config, language),
        "yAxis": {"type": "value", "minInterval": 1, **axis},
        "series": [_line(label(name, language), frame[name].to_numpy()) for name in names],
    }


def coalition_chart(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """Coalition size (left axis) and cohesion (right axis, 0-1)."""
    option = _simple_chart(snapshot, language, "chart_coalition", ["coalition_size", "cohesion"])
    option["yAxis"] = [
        {"type": "value", "minInterval": 1},
        {"type": "value", "min": 0, "max": 1, "splitLine": {"show": False}},
    ]
    option["series"][1]["yAxisIndex"] = 1
    return option


def projects_chart(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    names = ["projects_active", "projects_succeeded", "projects_failed", "projects_flagged"]
    return _simple_chart(snapshot, language, "chart_projects", names)


def budget_chart(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """Cumulative spend per channel, stacked, in euro millions, against the whole budget."""
    names = [f"budget_spent_{channel}" for channel in CHANNELS]
    budget = snapshot["config"].funding.budget
    option = _simple_chart(snapshot, language, "chart_budget", names)
    option["yAxis"] = {
        "type": "value",
        "min": 0,
        "max": round(max(budget, 1.0) / 1e6, 3),
        "name": ui("euro_millions", language),
        "axisLabel": {"formatter": "€{value}M"},
    }
    for series, name in zip(option["series"], names, strict=True):
        series.update(
            stack="spend",
            areaStyle={"opacity": 0.7},
            data=_rounded(snapshot["frame"][name].to_numpy() / 1e6, 4),
        )
    return option


def network_chart(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """The SMEs of the network view as dots coloured by stage, their ties as lines."""
    view, stage = snapshot["network"], snapshot["stage"]
    positions = np.round(view["positions"] * 100, 1)
    names = [label(f"stage_share_{k}", language) for k in range(4)]
    return {
        "animation": False,
        "title": {
            "text": ui("chart_network", language, shown=stage.size, n=view["n"]),
            "textStyle": {"fontSize": 14},
        },
        "legend": {"top": 24, "data": names},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "top": 56,
                "symbolSize": 9,
                "categories": [
                    {"name": name, "itemStyle": {"color": colour}}
                    for name, colour in zip(names, STAGE_COLOURS, strict=True)
                ],
                "data": [
                    {"x": float(px), "y": float(py), "category": int(k)}
                    for (px, py), k in zip(positions, stage, strict=True)
                ],
                "links": [{"source": int(i), "target": int(j)} for i, j in view["edges"]],
                "lineStyle": {"color": "#bbb", "width": 0.5, "opacity": 0.6},
            }
        ],
    }


def room_chart(front: Any, rows: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """Every participant's programme with replications: its chance of critical mass (with its
    95% interval) against the mean budget its replications spent; the stored design front of
    the round's preset behind it, by the same measure (the budget its runs spent)."""
    series: list[dict[str, Any]] = []
    if front is not None:
        spend = (front["mean_spend"] / 1e6).round(3).tolist()
        series.append(
            {
                "name": ui("room_front", language),
                "type": "line",
                "step": "end",
                "color": "#9ecae1",
                "symbolSize": 6,
                "z": 1,
                "label": {"show": True, "formatter": "{b}", "position": "top", "fontSize": 9},
                "data": [
                    {"name": d, "value": [c, round(float(p) * 100, 1)]}
                    for d, c, p in zip(
                        front["design"], spend, front["p_critical_mass"], strict=True
                    )
                ],
            }
        )
    done = [r for r in rows if r["p"] is not None]
    series.append(
        {
            "name": ui("room_programmes", language),
            "type": "scatter",
            "color": "#d95f02",
            "symbolSize": 14,
            "z": 3,
            "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 12},
            "data": [
                {
                    "name": r["name"],
                    "value": [round(r["mean_spend"] / 1e6, 3), round(r["p"] * 100, 1)],
                }
                for r in done
            ],
        }
    )
    series.append(  # the 95% intervals as vertical segments, one per programme
        {
            "name": ui("cost_interval", language),
            "type": "lines",
            "coordinateSystem": "cartesian2d",
            "color": "#d95f02",
            "lineStyle": {"width": 1.5, "opacity": 0.6},
            "z": 2,
            "data": [
                {
                    "coords": [
                        [round(r["mean_spend"] / 1e6, 3), round(r["p_low"] * 100, 1)],
                        [round(r["mean_spend"] / 1e6, 3), round(r["p_high"] * 100, 1)],
                    ]
                }
                for r in done
            ],
        }
    )
    return {
        **BASE,
        "tooltip": {"trigger": "item"},
        "legend": LEGEND,
        "xAxis": {
            "type": "value",
            "name": ui("room_cost_axis", language),
            "nameLocation": "middle",
            "nameGap": 26,
            "min": 0,
            "axisLabel": {"formatter": "€{value}M"},
        },
        "yAxis": chance_axis(language),
        "series": series,
    }
