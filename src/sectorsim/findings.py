"""The figures of docs/findings.md, from the stored results of the headline experiments E1-E5.

``python -m sectorsim.findings RESULTS FIGURES [SUFFIX]`` (part of ``make reproduce``) copies each
experiment's (and the design search's) report figures from ``RESULTS/<experiment><SUFFIX>/`` into ``FIGURES`` as
``<experiment>_<figure>.png`` (``SUFFIX`` is ``-quick`` for the small versions), and draws one figure of its own: how the E1 heat map of the
probability of critical mass changes when critical mass is 16% of firms (Rogers' innovators and
early adopters) instead of the default 25% (Centola et al. 2018), read from the stored monthly
adoption of every run.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sectorsim.experiments.analysis import load  # noqa: E402
from sectorsim.labels import parameter_label, value_text  # noqa: E402
from sectorsim.outputs import critical_mass  # noqa: E402

EXPERIMENTS = (
    "e1_coalition_funding",
    "e2_broadening",
    "e3_cartel",
    "e4_sensitivity",
    "e5_discovery",
    "design_programme",  # the design search (`sectorsim design`): its front.png
)
SHARES = (0.16, 0.25)
E1_ROWS, E1_COLUMNS = "coalition.initial_size", "funding.budget"


def copy_figures(results: Path, figures: Path, suffix: str = "") -> list[Path]:
    """Every report figure of E1-E5 and the design search, renamed ``<experiment>_<figure>.png``."""
    copied = []
    for name in EXPERIMENTS:
        for png in sorted((results / f"{name}{suffix}").glob("*.png")):
            target = figures / f"{name}_{png.name}"
            shutil.copyfile(png, target)
            copied.append(target)
    return copied


def critical_mass_by_share(
    results: Path, suffix: str = "", shares: tuple[float, ...] = SHARES
) -> pd.DataFrame:
    """Per E1 point: the probability of critical mass within the horizon for each share, with
    critical mass as the model defines it (a stretch of ``critical_mass_months`` at or above the
    share, ODD §7)."""
    folder = results / f"{EXPERIMENTS[0]}{suffix}"
    _, experiment, runs = load(folder)
    months = experiment.config({}).critical_mass_months
    series = pd.read_parquet(folder / "timeseries.parquet", columns=["run_id", "adoption_share"])
    adoption = {run: group.to_numpy() for run, group in series.groupby("run_id")["adoption_share"]}
    runs = runs.set_index("run_id")
    table = {}
    for share in shares:
        column = f"p_{share:g}"
        runs[column] = [
            critical_mass(adoption[run], share, months)[0] is not None for run in runs.index
        ]
        table[column] = runs.groupby([E1_ROWS, E1_COLUMNS])[column].mean()
    return pd.DataFrame(table).reset_index()


def plot_share_sensitivity(table: pd.DataFrame, target: Path) -> Path:
    """Side-by-side heat maps of the E1 chance of critical mass at each share."""
    from matplotlib.ticker import FuncFormatter

    shares = [c for c in table.columns if c.startswith("p_")]
    fig, axes = plt.subplots(
        1, len(shares), figsize=(5.4 * len(shares), 4.4), sharey=True, constrained_layout=True
    )
    for ax, column in zip(axes, shares, strict=True):
        grid = table.pivot(index=E1_ROWS, columns=E1_COLUMNS, values=column)
        image = ax.imshow(grid.to_numpy(), origin="lower", vmin=0, vmax=1, cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [value_text(E1_COLUMNS, b) for b in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [value_text(E1_ROWS, s) for s in grid.index])
        ax.set_xlabel(parameter_label(E1_COLUMNS))
        ax.set_title(f"critical mass = adoption of {float(column[2:]):.0%}", fontsize=10)
        for (i, j), value in pd.DataFrame(grid.to_numpy()).stack().items():
            ax.text(
                j,
                i,
                f"{value:.0%}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if value < 0.5 else "black",
            )
    axes[0].set_ylabel(parameter_label(E1_ROWS))
    bar = fig.colorbar(image, ax=axes, label="chance of critical mass within the horizon")
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


def main(argv: list[str]) -> int:
    results, figures, suffix = Path(argv[0]), Path(argv[1]), (argv[2:] or [""])[0]
    figures.mkdir(parents=True, exist_ok=True)
    copied = copy_figures(results, figures, suffix)
    table = critical_mass_by_share(results, suffix)
    table.to_csv(figures / "e1_critical_mass_share.csv", index=False)
    plot_share_sensitivity(table, figures / "e1_critical_mass_share.png")
    print(f"{len(copied)} report figures and the critical-mass share figure in {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
