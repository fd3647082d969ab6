"""Pattern measures (P1-P6 of ODD §1) and the figures of docs/validation.md.

Each ``measure_*`` function runs fixed-seed replicates and returns plain numbers; the pattern
tests assert bands on them and :func:`main` draws them. Regenerate every figure with

    python -m sectorsim.validation docs/figures            (or: make figures)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from sectorsim.batch import Run, Task, replicate_tasks, run_all
from sectorsim.config import load_scenario, preset_names
from sectorsim.model import SectorModel
from sectorsim.runs import proportion_interval

IMVO = "imvo_samen_veranderen"
VALIDATION_SEED = 1
COALITION_SIZES = (5, 12, 25, 40)
BUDGETS = (0.0, 500_000.0, 1_000_000.0, 2_000_000.0)
STRONG = ("ecosystem", {"months": 300})  # P1: a strong programme, over 25 years to see the whole S
SIZES_AT = {"funding.budget": 2_000_000.0}  # P6: coalition size varies
BUDGETS_AT = {"coalition.initial_size": 20}  # P6: the budget varies
WEAK = {"coalition.initial_size": 5, "funding.budget": 0.0}  # P2: a small unfunded programme


def replicates(
    scenario: str,
    overrides: dict | None = None,
    reps: int = 24,
    seed: int = VALIDATION_SEED,
    workers: int = 1,
) -> list[Run]:
    """Replicates 0..reps-1 of a preset run to its horizon; each gives ``summary()`` and
    ``series(name)`` as the model does."""
    config = load_scenario(scenario, overrides or {})
    return run_all(replicate_tasks(config, seed, reps), workers=workers)


def mean_series(models, name: str) -> np.ndarray:
    return np.mean([m.series(name) for m in models], axis=0)


def p_critical_mass(models) -> float:
    return float(np.mean([m.summary()["critical_mass_reached"] for m in models]))


def outcomes(models) -> list[str]:
    return [m.summary()["outcome"] for m in models]


def at_programme_end(task: Task) -> Run:
    """A run to the end of its programme: the stages of the coalition's members and the rest."""
    model = SectorModel(task.config, seed=task.seed)
    for _ in range(task.config.programme.duration):
        model.step()
    member, stage = model.state.coalition_member, model.state.stage
    values = {
        "members_adopted": np.mean(stage[member] >= 2),
        "others_adopted": np.mean(stage[~member] >= 2),
        "members_engaged": np.mean(stage[member] >= 1),
    }
    return Run(task, values)


def measure_participants(reps: int = 12, seed: int = 2) -> dict[str, float]:
    """P4: stages of members and non-members when the default programme ends (month 48)."""
    runs = run_all(replicate_tasks(load_scenario(IMVO), seed, reps), run=at_programme_end)
    return {key: float(np.mean([run.values[key] for run in runs])) for key in runs[0].values}


TIPPING_SHARES = tuple(round(0.02 * k, 2) for k in range(1, 26))  # 2% to 50%
TIPPING_MONTHS = 120


def measure_tipping(
    scenario: str,
    shares=TIPPING_SHARES,
    reps: int = 8,
    months: int = TIPPING_MONTHS,
    seed: int = VALIDATION_SEED,
) -> tuple[float | None, dict[float, float]]:
    """A preset's own tipping point: the adoption share above which the sector keeps growing once
    the programme is gone. The sector is started with a share x of adopters (the most motivated
    firms, as the programme leaves them) and no programme, and run ``months``; the mean change in
    adoption over that time is recorded for each x (:func:`tipping_point` reads it)."""
    change = {}
    firms = load_scenario(scenario).sme.count
    for x in shares:
        over = {
            "programme.enabled": False,
            "months": months,
            "adoption.initial_adopters": max(1, round(x * firms)),
        }
        models = replicates(scenario, over, reps, seed)
        start = models[0].series("adoption_share")[0]
        change[x] = float(np.mean([m.series("adoption_share")[-1] for m in models]) - start)
    return tipping_point(change), change


def tipping_point(change: dict[float, float]) -> float | None:
    """From {start share: change}: the lowest share above the first declining start from which
    every higher start grows (None: no start declines; inf: none above a decline grows)."""
    shares = sorted(change)
    declining = [x for x in shares if change[x] < 0]
    if not declining:
        return None
    above = [x for x in shares if x > declining[0]]
    growing = [x for x in above if all(change[y] > 0 for y in above if y >= x)]
    return growing[0] if growing else float("inf")


def measure_lever(key: str, values, fixed: dict, reps: int = 24) -> dict[float, float]:
    """P6: probability of critical mass for each value of one lever of the default programme."""
    return {v: p_critical_mass(replicates(IMVO, {**fixed, key: v}, reps)) for v in values}


# ---- figures ---------------------------------------------------------------------------------
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_baseline_and_coalition(out: Path, reps: int) -> None:
    """P3 and P5: baseline uptake, and coalition size under the default programme."""
    plt = _plt()
    base, imvo = replicates("baseline", reps=reps), replicates(IMVO, reps=reps)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    for m in base:
        a.plot(m.series("adoption_share"), color="#9ecae1", lw=0.7)
    a.plot(mean_series(base, "adoption_share"), color="#08306b", lw=2, label="mean")
    a.axhline(0.016, color="#cb181d", ls="--", label="1.6% (WestWing-nd, 2020)")
    a.axvline(84, color="grey", ls=":", lw=1)
    a.set(
        title="P3 baseline: no programme",
        xlabel="month (0 = 2013)",
        ylabel="adoption share",
        ylim=(0, 0.1),
    )
    a.legend()
    for m in imvo:
        b.plot(m.series("coalition_size"), color="#a1d99b", lw=0.7)
    b.plot(mean_series(imvo, "coalition_size"), color="#00441b", lw=2, label="mean")
    b.axhspan(10, 15, color="#fdd0a2", alpha=0.5, label="10-15 koplopers (DRIFT2015)")
    b.axhline(30, color="#cb181d", ls="--", label="about 30 (DRIFT2015)")
    b.axvline(48, color="grey", ls=":", lw=1)
    b.set(title="P5 coalition under 'Samen Veranderen'", xlabel="month", ylabel="members")
    b.legend()
    fig.savefig(out / "p3_p5_baseline_coalition.png", dpi=110)
    plt.close(fig)


def figure_s_curves(out: Path, reps: int) -> None:
    """P1 and P2: adoption curves of a strong, the default and a weak programme."""
    plt = _plt()
    long = STRONG[1]  # the same 25-year horizon for every curve
    cases = [
        (*STRONG, "ecosystem (strong)", "#006d2c"),
        (IMVO, long, "Samen Veranderen", "#08519c"),
        (IMVO, {**WEAK, **long}, "5 koplopers, no budget", "#a50f15"),
    ]
    fig, ax = plt.subplots(figsize=(9, 4.5), constrained_layout=True)
    for scenario, overrides, label, colour in cases:
        models = replicates(scenario, overrides, reps)
        for m in models:
            ax.plot(m.series("adoption_share"), color=colour, alpha=0.15, lw=0.7)
        ax.plot(
            mean_series(models, "adoption_share"), color=colour, lw=2.2, label=f"{label} (mean)"
        )
    ax.axhline(0.25, color="black", ls="--", lw=1, label="critical mass 25%")
    ax.axhline(0.05, color="grey", ls=":", lw=1, label="take-off 5%")
    ax.set(
        title="P1/P2 take-off, lock-in and no take-off",
        xlabel="month",
        ylabel="adoption share",
        ylim=(0, 1),
    )
    ax.legend(fontsize=8)
    fig.savefig(out / "p1_p2_adoption_curves.png", dpi=110)
    plt.close(fig)


def figure_thresholds(out: Path, reps: int) -> None:
    """P6: probability of critical mass against coalition size and budget."""
    plt = _plt()
    sizes = measure_lever("coalition.initial_size", COALITION_SIZES, SIZES_AT, reps)
    budgets = measure_lever("funding.budget", BUDGETS, BUDGETS_AT, reps)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    for ax, data, xlabel, scale in (
        (a, sizes, "koplopers at the start (budget EUR 2M)", 1),
        (
            b,
            budgets,
            f"budget, EUR million ({BUDGETS_AT['coalition.initial_size']} koplopers)",
            1e6,
        ),
    ):
        x = np.array(list(data)) / scale
        p = np.array(list(data.values()))
        ci = np.array([proportion_interval(round(v * reps), reps) for v in p])
        ax.errorbar(x, p, yerr=[p - ci[:, 0], ci[:, 1] - p], marker="o", capsize=3)
        ax.set(xlabel=xlabel, ylabel="P(critical mass by month 180)", ylim=(-0.02, 1))
    a.set_title("P6 coalition size")
    b.set_title("P6 funding")
    fig.savefig(out / "p6_thresholds.png", dpi=110)
    plt.close(fig)


def tipping_presets() -> list[str]:
    """The presets of the full model (the textbook presets have no programme to leave)."""
    return [name for name in preset_names() if load_scenario(name).adoption.rule == "full"]


def figure_tipping_points(out: Path, reps: int) -> None:
    """Each preset's own tipping point against the 25% convention."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4.8), constrained_layout=True)
    rows = []
    for name in tipping_presets():
        tip, change = measure_tipping(name, reps=max(4, reps // 3))
        x = np.array(list(change))
        line = ax.plot(x * 100, np.array(list(change.values())) * 100, marker=".", label=name)[0]
        if tip is not None and np.isfinite(tip):
            ax.plot([tip * 100], [change[tip] * 100], "o", color=line.get_color(), ms=9, mfc="none")
        rows.append((name, tip))
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(25, color="black", ls="--", lw=1, label="critical mass convention 25%")
    ax.set(
        title=f"Without a programme: change in adoption over {TIPPING_MONTHS // 12} years",
        xlabel="adoption at the start, % of SMEs",
        ylabel="change in adoption, percentage points",
    )
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.savefig(out / "tipping_points.png", dpi=110)
    plt.close(fig)
    for name, tip in rows:
        text = "grows from any start" if tip is None else f"{tip:.0%}"
        print(f"tipping point of {name}: {'above 50%' if tip == float('inf') else text}")


FIGURES = (figure_baseline_and_coalition, figure_s_curves, figure_thresholds, figure_tipping_points)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sectorsim.validation", description=__doc__)
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument(
        "--reps", type=int, default=24, help="replicates per curve or point (default 24)"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for figure in FIGURES:
        figure(args.out, args.reps)
        print(f"{figure.__name__}: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
