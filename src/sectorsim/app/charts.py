"""The app's charts as ECharts options: plain dicts built from a session snapshot.

ECharts draws in the participant's browser, so a month's redraw costs the server only this
JSON. Series names come from the output registry (:data:`sectorsim.outputs.MONTHLY_OUTPUTS`)
in the chosen language. The x axis is a category axis of all months of the horizon (so that
stacking adds up the y values only, and a chart grows month by month instead of rescaling);
a series is its list of monthly values from month 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sectorsim.app.texts import PHASES, ui
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
    "grid": {"left": 64, "right": 48, "top": 64, "bottom": 36},
}


def label(name: str, language: str) -> str:
    output = OUTPUT[name]
    return output.label_nl if language == "nl" else output.label


def _rounded(values: np.ndarray, digits: int = 4) -> list[float]:
    return np.round(np.asarray(values, dtype=float), digits).tolist()


def _x_axis(months: int, language: str) -> dict[str, Any]:
    return {
        "type": "category",
        "boundaryGap": False,
        "data": list(range(months + 1)),
        "axisLabel": {"interval": 12 * max(1, round(months / 72)) - 1 if months > 60 else 0},
        "name": ui("month", language),
        "nameLocation": "middle",
        "nameGap": 22,
    }


def _line(name: str, y: np.ndarray, **style: Any) -> dict[str, Any]:
    return {"name": name, "type": "line", "showSymbol": False, "data": _rounded(y), **style}


def front_chart(front: Any, language: str) -> dict[str, Any]:
    """A stored design front: P(critical mass) against expected cost, a step per design, with
    its 95% interval as dashed steps."""
    cost = (front["cost"] / 1e6).round(3).tolist()

    def steps(column: str, **style: Any) -> dict[str, Any]:
        points = [[c, round(float(p), 3)] for c, p in zip(cost, front[column], strict=True)]
        return {"type": "line", "step": "end", "data": points, **style}

    return {
        **BASE,
        "tooltip": {"trigger": "item"},
        "xAxis": {
            "type": "value",
            "name": ui("cost_axis", language),
            "nameLocation": "middle",
            "nameGap": 24,
        },
        "yAxis": {"type": "value", "min": 0, "max": 1, "name": ui("cost_p", language)},
        "series": [
            steps(
                "p_critical_mass",
                name=ui("cost_p", language),
                symbolSize=9,
                color="#1b5e8c",
                label={"show": True, "formatter": "{b}", "position": "top", "fontSize": 10},
                data=[
                    {"name": d, "value": [c, round(float(p), 3)]}
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


def adoption_chart(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """Stacked area of the stages above business as usual, phases as bands, comparisons as lines."""
    frame, config = snapshot["frame"], snapshot["config"]
    series: list[dict[str, Any]] = []
    for stage in (3, 2, 1):
        name = f"stage_share_{stage}"
        series.append(
            _line(
                label(name, language),
                frame[name].to_numpy(),
                stack="stages",
                areaStyle={"opacity": 0.85},
                lineStyle={"width": 0},
                color=STAGE_COLOURS[stage],
            )
        )
    series[0]["markArea"] = {
        "silent": True,
        "label": {"position": "insideTop", "fontSize": 11},
        "data": phase_bands(frame["phase"].tolist(), language),
    }
    series[0]["markLine"] = {
        "silent": True,
        "symbol": "none",
        "label": {"formatter": ui("critical_mass_line", language), "position": "insideEndTop"},
        "lineStyle": {"color": "#c0392b", "type": "dashed", "width": 2},
        "data": [{"yAxis": config.critical_mass_share}],
    }
    band = snapshot["replications"]
    if band is not None:
        series.append(
            _line(ui("band", language), band["p10"], stack="band", lineStyle={"width": 0})
        )
        series.append(
            _line(
                ui("band", language),
                band["p90"] - band["p10"],
                stack="band",
                lineStyle={"width": 0},
                areaStyle={"color": "rgba(80, 80, 160, 0.18)"},
                tooltip={"show": False},
            )
        )
    if snapshot["baseline"] is not None:
        series.append(
            _line(
                ui("baseline", language),
                snapshot["baseline"],
                color="#555",
                lineStyle={"type": "dashed", "width": 2},
            )
        )
    if snapshot["previous"] is not None:
        series.append(
            _line(
                ui("previous", language),
                snapshot["previous"],
                color="#8e44ad",
                lineStyle={"type": "dotted", "width": 2},
            )
        )
    top = max(0.5, config.critical_mass_share + 0.1, float(frame["adoption_share"].max()) + 0.05)
    return {
        **BASE,
        "title": {"text": ui("chart_adoption", language), "textStyle": {"fontSize": 14}},
        "legend": {"top": 24, "type": "scroll"},
        "xAxis": _x_axis(config.months, language),
        "yAxis": {"type": "value", "min": 0, "max": round(min(1.0, top), 2)},
        "series": series,
    }


def _simple_chart(
    snapshot: dict[str, Any], language: str, title: str, names: list[str], **axis: Any
) -> dict[str, Any]:
    frame, config = snapshot["frame"], snapshot["config"]
    return {
        **BASE,
        "title": {"text": ui(title, language), "textStyle": {"fontSize": 14}},
        "legend": {"top": 24},
        "xAxis": _x_axis(config.months, language),
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
    """Cumulative spend per channel, stacked, against the whole budget."""
    names = [f"budget_spent_{channel}" for channel in CHANNELS]
    option = _simple_chart(
        snapshot, language, "chart_budget", names, max=max(1.0, snapshot["config"].funding.budget)
    )
    for series in option["series"]:
        series.update(stack="spend", areaStyle={"opacity": 0.7})
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
