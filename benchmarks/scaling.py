"""How the cost of a run grows with the number of SMEs, the months and the network degree.

    python benchmarks/scaling.py [--quick]

Times runs of the default scenario (construction apart, median of three) per setting, varying one thing at a
time from 10,000 SMEs, 180 months and mean degree 6, and draws docs/figures/performance_scaling.png.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sectorsim import SectorModel, load_scenario  # noqa: E402

FIGURE = Path(__file__).resolve().parents[1] / "docs" / "figures" / "performance_scaling.png"
BASE = {"sme.count": 10_000, "months": 180, "network.mean_degree": 6.0}


def run_seconds(overrides: dict, repeat: int = 3) -> float:
    """Median seconds of ``repeat`` runs (seeds 1, 2, ...), construction apart."""
    config = load_scenario("imvo_samen_veranderen", {**BASE, **overrides})
    seconds = []
    for seed in range(1, repeat + 1):
        model = SectorModel(config, seed=seed)
        started = time.perf_counter()
        model.run()
        seconds.append(time.perf_counter() - started)
    return float(np.median(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 30,000 SMEs only")
    quick = parser.parse_args().quick
    sweeps = {
        "sme.count": [1_000, 3_000, 10_000, 30_000] + ([] if quick else [100_000]),
        "months": [60, 120, 180, 360],
        "network.mean_degree": [2.0, 4.0, 6.0, 10.0, 20.0],
    }
    labels = {"sme.count": "SMEs", "months": "months", "network.mean_degree": "mean degree"}
    run_seconds({"sme.count": 100}, repeat=1)  # load the compiled month before any clock runs
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (key, values) in zip(axes, sweeps.items(), strict=True):
        seconds = [run_seconds({key: v}) for v in values]
        for v, s in zip(values, seconds, strict=True):
            print(f"{key} = {v:>9g}: {s:7.3f} s")
        ax.plot(values, seconds, "o-")
        ax.set_xlabel(labels[key])
        ax.set_ylabel("seconds per run")
        if key == "sme.count":
            ax.set_xscale("log")
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)
        ax.set_title(f"varying {labels[key]}", fontsize=10)
        ax.grid(alpha=0.3)
    fig.suptitle(
        "a run of the default scenario (median of three); others held at 10,000 SMEs, 180 months,"
        " degree 6"
    )
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=110)
    print(f"figure: {FIGURE}")


if __name__ == "__main__":
    main()
