"""Figures of a run set: stage shares with phase bands, and adoption per replicate."""

from __future__ import annotations

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
    """Write a two-panel PNG: mean stage shares over phase bands, and adoption per replicate."""
    mean = timeseries.groupby("month").mean(numeric_only=True)
    months = mean.index.to_numpy()
    phases = detect_phases(
        mean["adoption_share"].to_numpy(), config.phases, config.critical_mass_share
    )

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True, constrained_layout=True)
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
    top.set_title(title or "Adoption stages")

    _phase_bands(bottom, months, phases)
    for _, rep in timeseries.groupby("replicate"):
        bottom.plot(rep["month"], rep["adoption_share"], color="#3182bd", alpha=0.25, lw=0.8)
    bottom.plot(months, mean["adoption_share"], color="#08306b", lw=2, label="mean adoption")
    bottom.axhline(
        config.critical_mass_share,
        color="#cb181d",
        ls="--",
        lw=1.2,
        label=f"critical mass ({config.critical_mass_share:.0%})",
    )
    bottom.set_xlabel("month")
    bottom.set_ylabel("adoption share (each replicate)")
    bottom.set_ylim(0, 1)
    bottom.legend(loc="upper left", fontsize=8)
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
