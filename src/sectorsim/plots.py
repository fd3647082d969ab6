"""Figures of a run set: stage shares with phase bands, adoption per replicate, the coalition."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sectorsim.outputs import PHASE_LABELS, Phase, detect_phases  # noqa: E402
from sectorsim.params import Config  # noqa: E402

STAGE_LABELS = ["0 business as usual", "1 orienting", "2 implementing", "3 innovating"]
STAGE_COLOURS = ["#d9d9d9", "#9ecae1", "#3182bd", "#08519c"]
PHASE_COLOURS = {
    Phase.PREDEVELOPMENT: "#ffffff",
    Phase.TAKE_OFF: "#fff7bc",
    Phase.ACCELERATION: "#c7e9c0",
    Phase.STABILISATION: "#d9f0d3",
    Phase.SETBACK: "#fcbba1",
}


def plot_adoption(timeseries: pd.DataFrame, config: Config, path: Path, title: str = "") -> None:
    """Write the run set's PNG: mean stage shares over transition-phase bands, adoption per
    replicate, and, with a programme, the coalition and its projects."""
    mean = timeseries.groupby("month").mean(numeric_only=True)
    months = mean.index.to_numpy()
    phases = detect_phases(
        mean["adoption_share"].to_numpy(), config.phases, config.critical_mass_share
    )
    programme = config.programme.enabled and config.adoption.rule == "full"

    rows = 3 if programme else 2
    fig, axes = plt.subplots(rows, 1, figsize=(9, 3.4 * rows), sharex=True, constrained_layout=True)
    top, middle = axes[0], axes[1]
    _phase_bands(top, months, phases)
    top.stackplot(
        months,
        [mean[f"stage_share_{k}"] for k in range(4)],
        labels=STAGE_LABELS,
        colors=STAGE_COLOURS,
        alpha=0.85,
    )
    top.set_ylabel("share of SMEs (mean)")
    top.set_ylim(0, 1)
    top.legend(loc="upper left", fontsize=8, ncols=2)
    top.set_title(textwrap.fill(title or "Adoption stages", 90), fontsize=10, parse_math=False)

    _phase_bands(middle, months, phases)
    for _, rep in timeseries.groupby("replicate"):
        middle.plot(rep["month"], rep["adoption_share"], color="#3182bd", alpha=0.25, lw=0.8)
    middle.plot(months, mean["adoption_share"], color="#08306b", lw=2, label="mean adoption")
    middle.axhline(
        config.critical_mass_share,
        color="#cb181d",
        ls="--",
        lw=1.2,
        label=f"critical mass ({config.critical_mass_share:.0%})",
    )
    middle.set_ylabel("adoption share (each replicate)")
    middle.set_ylim(0, 1)
    middle.legend(loc="upper left", fontsize=8)

    if programme:
        bottom = axes[2]
        bottom.plot(
            months, mean["coalition_size"], color="#006d2c", lw=2, label="coalition members"
        )
        bottom.set_ylabel("members (mean)")
        twin = bottom.twinx()
        for name, colour in (
            ("projects_succeeded", "#2171b5"),
            ("projects_failed", "#fd8d3c"),
            ("projects_flagged", "#cb181d"),
        ):
            twin.plot(
                months, mean[name], color=colour, lw=1.2, ls="--", label=name.replace("_", " ")
            )
        twin.set_ylabel("projects, cumulative (mean)")
        end = config.programme.start_month + config.programme.duration
        bottom.axvline(end, color="grey", ls=":", lw=1)
        bottom.text(
            end,
            bottom.get_ylim()[1] * 0.95,
            " team withdraws",
            fontsize=7,
            color="#555555",
            va="top",
        )
        lines = bottom.get_legend_handles_labels()
        more = twin.get_legend_handles_labels()
        bottom.legend(lines[0] + more[0], lines[1] + more[1], loc="upper right", fontsize=8)
    axes[-1].set_xlabel("month")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _phase_bands(ax, months, phases) -> None:
    start = 0
    for i in range(1, len(phases) + 1):
        if i == len(phases) or phases[i] != phases[start]:
            ax.axvspan(
                months[start],
                months[i - 1],
                color=PHASE_COLOURS[Phase(phases[start])],
                lw=0,
                zorder=0,
            )
            if i - start > len(phases) * 0.08:
                ax.text(
                    (months[start] + months[i - 1]) / 2,
                    0.97,
                    PHASE_LABELS[Phase(phases[start])],
                    ha="center",
                    va="top",
                    fontsize=7,
                    color="#555555",
                )
            start = i
