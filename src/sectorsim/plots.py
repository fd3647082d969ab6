"""The figure of a run set (``sectorsim run``): does the sector reach critical mass, when, what
did the programme do, and what did it spend?

Panels over calendar years (``calendar.start_year`` is month 0), with the programme's phases
I-IV shaded behind every panel: adoption in percent on an axis scaled to the data (each
replicate, their mean, the no-programme baseline when it was run, the critical-mass line),
the SMEs beyond business as usual by stage, the transition phase of the mean, and with a
programme the coalition and its projects and the cumulative spend per channel against the
budget. Each colour and line style means one thing throughout (:data:`STYLE`); legends sit
beside the panels, never over the data.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MultipleLocator  # noqa: E402

from sectorsim.components.schedule import PROGRAMME_LABELS, ProgrammePhase  # noqa: E402
from sectorsim.labels import (  # noqa: E402
    euros,
    output_label,
    parameter_label,
    share_top,
    shows_critical_mass,
    year_of,
    year_step,
)
from sectorsim.mechanisms.funding import CHANNELS  # noqa: E402
from sectorsim.outputs import PHASE_LABELS, Phase, detect_phases  # noqa: E402
from sectorsim.params import Config  # noqa: E402
from sectorsim.runs import BASELINE_ADOPTION  # noqa: E402

#: one line style per meaning, in every figure of this module
STYLE: dict[str, dict[str, Any]] = {
    "replicate": {"color": "#9ecae1", "lw": 0.8, "ls": "-"},
    "adoption": {"color": "#08519c", "lw": 2.2, "ls": "-"},
    "baseline": {"color": "#636363", "lw": 1.8, "ls": "--"},
    "critical_mass": {"color": "#a50f15", "lw": 1.2, "ls": "-."},
    "coalition_size": {"color": "#238b45", "lw": 2.0, "ls": "-"},
    "projects_succeeded": {"color": "#35978f", "lw": 1.4, "ls": ":"},
    "projects_failed": {"color": "#fd8d3c", "lw": 1.4, "ls": ":"},
    "projects_flagged": {"color": "#6a51a3", "lw": 1.4, "ls": ":"},
    "budget": {"color": "#000000", "lw": 1.0, "ls": (0, (1, 3))},
}
STAGE_COLOURS = {1: "#c6dbef", 2: "#6baed6", 3: "#2171b5"}
SPEND_COLOURS = dict(  # one per funding channel, light to dark
    zip(
        (f"budget_spent_{channel}" for channel in CHANNELS),
        ("#fdd0a2", "#fd8d3c", "#d94801", "#7f2704", "#4d1802"),
        strict=False,
    )
)
PROGRAMME_SHADES = {  # programme phase label (timeseries) -> (shade, short label)
    PROGRAMME_LABELS[ProgrammePhase.PREPARATION]: ("#f0f0f0", "I"),
    PROGRAMME_LABELS[ProgrammePhase.AGENDA]: ("#e0e0e0", "II"),
    PROGRAMME_LABELS[ProgrammePhase.EXECUTION]: ("#f0f0f0", "III"),
    PROGRAMME_LABELS[ProgrammePhase.BROADENING]: ("#e0e0e0", "III+IV"),
}
TRANSITION_COLOURS = {
    Phase.PREDEVELOPMENT: "#f7f7f7",
    Phase.TAKE_OFF: "#fee391",
    Phase.ACCELERATION: "#a1d99b",
    Phase.STABILISATION: "#41ab5d",
    Phase.SETBACK: "#fc9272",
}
LEGEND = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8, "frameon": False}


def percent_axis(ax, top: float) -> None:
    """A 0-``top`` share axis labelled in percent, with a step that gives 4-8 ticks."""
    ax.set_ylim(0, top)
    step = next(s for s in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2) if top / s <= 8)
    ax.yaxis.set_major_locator(MultipleLocator(step))
    digits = 1 if step < 0.01 else 0
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.{digits}f}%"))


def year_axis(ax, months: int, start_year: int) -> None:
    """Calendar years on the x axis of a plot drawn over :func:`year_of` times."""
    ax.set_xlim(start_year, year_of(months, start_year))
    ax.xaxis.set_major_locator(MultipleLocator(year_step(months / 12)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    if year_step(months / 12) > 1:
        ax.xaxis.set_minor_locator(MultipleLocator(1))


def euro_axis(ax) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: euros(v, short=True)))


def programme_bands(axes, years: np.ndarray, labels: list[str], label_ax=None) -> None:
    """Shade the programme's phases I-IV behind ``axes``; name them at the top of ``label_ax``."""
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            shade = PROGRAMME_SHADES.get(labels[start])
            if shade is not None:
                end = years[min(i, len(years) - 1)]
                for ax in axes:
                    ax.axvspan(years[start], end, color=shade[0], lw=0, zorder=0)
                if label_ax is not None:
                    label_ax.text(
                        (years[start] + end) / 2,
                        1.01,
                        shade[1],
                        transform=label_ax.get_xaxis_transform(),
                        ha="center",
                        va="bottom",
                        fontsize=8,
                        color="#525252",
                    )
            start = i


def critical_mass_line(ax, share: float, top: float) -> Any:
    """The critical-mass line, or, when it lies above the axis, a note at the top edge."""
    label = f"{parameter_label('critical_mass_share', unit=False).lower()} ({share:.0%})"
    if share <= top:
        return ax.axhline(share, **STYLE["critical_mass"], label=label)
    ax.text(
        0.99,
        0.98,
        f"{label}: above this scale",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8,
        color=STYLE["critical_mass"]["color"],
    )
    return None


def plot_adoption(timeseries: pd.DataFrame, config: Config, path: Path, title: str = "") -> None:
    """Write the run set's PNG (see the module docstring)."""
    fig = adoption_figure(timeseries, config, title)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def adoption_figure(timeseries: pd.DataFrame, config: Config, title: str = "") -> plt.Figure:
    """The run set's figure (see the module docstring)."""
    mean = timeseries.groupby("month").mean(numeric_only=True)
    months = mean.index.to_numpy()
    start_year = config.calendar.start_year
    years = year_of(months, start_year)
    first = timeseries[timeseries["replicate"] == timeseries["replicate"].min()]
    programme_labels = first["programme_phase"].tolist()
    programme = config.programme.enabled and config.adoption.rule == "full"
    replicates = timeseries["replicate"].nunique()

    heights = [3.0, 1.8, 0.4] + ([2.0, 2.0] if programme else [])
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(10, sum(heights) + 1.4),
        sharex=True,
        gridspec_kw={"height_ratios": heights},
        constrained_layout=True,
    )
    adoption_ax, stage_ax, phase_ax = axes[:3]
    programme_bands([ax for ax in axes if ax is not phase_ax], years, programme_labels, adoption_ax)

    # adoption, each replicate and the mean, the baseline, critical mass
    peak = timeseries["adoption_share"].max()
    has_baseline = BASELINE_ADOPTION in timeseries
    if has_baseline:
        peak = max(peak, timeseries[BASELINE_ADOPTION].max())
    cm = config.critical_mass_share
    top = share_top(max(peak, cm) if shows_critical_mass(peak, cm) else peak)
    for i, (_, rep) in enumerate(timeseries.groupby("replicate")):
        adoption_ax.plot(
            year_of(rep["month"].to_numpy(), start_year),
            rep["adoption_share"],
            **STYLE["replicate"],
            label=f"each of {replicates} replicates" if i == 0 and replicates > 1 else None,
        )
    adoption_ax.plot(years, mean["adoption_share"], **STYLE["adoption"], label="mean")
    if has_baseline:
        adoption_ax.plot(
            years, mean[BASELINE_ADOPTION], **STYLE["baseline"], label="mean without programme"
        )
    critical_mass_line(adoption_ax, cm, top)
    percent_axis(adoption_ax, top)
    adoption_ax.set_ylabel("adoption\n(% of SMEs)")
    adoption_ax.legend(**LEGEND)
    adoption_ax.set_title(
        textwrap.fill(title or "Adoption", 95) + "\n", fontsize=10, loc="left", parse_math=False
    )

    # SMEs beyond business as usual, by stage
    stages = [mean[f"stage_share_{k}"].to_numpy() for k in (3, 2, 1)]
    stage_ax.stackplot(
        years,
        stages,
        colors=[STAGE_COLOURS[k] for k in (3, 2, 1)],
        labels=[output_label(f"stage_share_{k}").lower() for k in (3, 2, 1)],
    )
    percent_axis(stage_ax, share_top(float(np.sum(stages, axis=0).max())))
    stage_ax.set_ylabel("by stage\n(% of SMEs, mean)")
    stage_ax.legend(**LEGEND)

    # transition phase of the mean adoption
    phases = detect_phases(mean["adoption_share"].to_numpy(), config.phases, cm)
    start = 0
    for i in range(1, len(phases) + 1):
        if i == len(phases) or phases[i] != phases[start]:
            end = years[min(i, len(years) - 1)]
            phase_ax.axvspan(years[start], end, color=TRANSITION_COLOURS[Phase(phases[start])])
            name = PHASE_LABELS[Phase(phases[start])]
            if end - years[start] > (years[-1] - years[0]) * 0.0085 * len(name):  # room for it
                phase_ax.text(
                    (years[start] + end) / 2,
                    0.5,
                    name,
                    ha="center",
                    va="center",
                    fontsize=6.5,
                )
            start = i
    phase_ax.set_yticks([])
    phase_ax.set_ylabel("transition\nphase", rotation=0, ha="right", va="center", fontsize=9)

    if programme:
        coalition_ax, spend_ax = axes[3], axes[4]
        coalition_ax.plot(
            years,
            mean["coalition_size"],
            **STYLE["coalition_size"],
            label=output_label("coalition_size").lower() + " (left)",
        )
        coalition_ax.set_ylabel("SMEs (mean)")
        coalition_ax.set_ylim(bottom=0)
        twin = coalition_ax.twinx()
        for name in ("projects_succeeded", "projects_failed", "projects_flagged"):
            twin.plot(
                years, mean[name], **STYLE[name], label=output_label(name).lower() + " (right)"
            )
        twin.set_ylabel("projects, cumulative")
        twin.set_ylim(bottom=0)
        lines, labels = coalition_ax.get_legend_handles_labels()
        more, more_labels = twin.get_legend_handles_labels()
        coalition_ax.legend(
            lines + more, labels + more_labels, **{**LEGEND, "bbox_to_anchor": (1.14, 1.0)}
        )

        spend = [mean[name].to_numpy() for name in SPEND_COLOURS]
        spend_ax.stackplot(
            years,
            spend,
            colors=list(SPEND_COLOURS.values()),
            labels=[output_label(name).lower() for name in SPEND_COLOURS],
        )
        budget = config.funding.budget
        spend_ax.axhline(
            budget,
            **STYLE["budget"],
            label=f"{parameter_label('funding.budget', unit=False).lower()} {euros(budget, short=True)}",
        )
        spend_ax.set_ylim(0, max(budget, float(np.sum(spend, axis=0).max()), 1.0) * 1.08)
        euro_axis(spend_ax)
        spend_ax.set_ylabel("spent, cumulative\n(mean)")
        spend_ax.legend(**LEGEND)

    year_axis(axes[-1], int(months[-1]), start_year)
    axes[-1].set_xlabel(
        f"year (month 0 = January {start_year}; shaded: programme phases I-IV)"
        if programme
        else f"year (month 0 = January {start_year})"
    )
    return fig
