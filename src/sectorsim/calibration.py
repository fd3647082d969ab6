"""Calibration of the behavioural parameters against the observations of the source documents,
by approximate Bayesian computation (ABC) with rejection over a Latin hypercube of the prior.

    sectorsim calibrate [--n 600] [--reps 4] [--workers N] [--out DIR] [--resume] [--quick]

Each sample of the behavioural parameters runs three measurements, each with ``reps`` replicates:

- **uptake** (WestWing-nd: about 1.6% of firms in high-risk sectors had endorsed an IMVO covenant in
  2020): the adopted share (stage 2 or higher) in the ``baseline`` preset (no programme) at month
  84, seven years after the sector approach began in 2013;
- **participants** (MVOAlliantie-nd "Stap 1": of about 250 Koploper participants 72% took
  energy-saving measures, 49% cooperate more with other firms, 31% developed new products or
  services, 95% think more about sustainability): in the ``koplopers_drenthe`` preset, the
  participants of its koploper programme (the coalition's members when the agenda phase ends, month
  9), a year after the 24-month programme (month 36, when most of its 6-24-month projects have
  ended, as for an evaluation that looks back): at stage 2 or higher (measures), ever in a change
  project (cooperation), at stage 3 after a successful change project (new products or services),
  and at stage 1 or higher (thinking about it);
- **coalition** (DRIFT2015 §3 "Sectorcoalitie": a group of 10-15 koplopers "zal groeien tot zo'n
  dertig"): the peak coalition size in the ``imvo_samen_veranderen`` preset during its 48-month
  programme.

The distance of a sample to the observations is the root of the summed squared standardised
errors (:data:`OBSERVATIONS`: uptake on a log scale, a factor 2 is one unit; shares in units of 10
points; the coalition in units of 6 members). The samples closest to the observations (the
``accept`` share, 5%) are the approximate posterior. Its marginal medians need not fit (the data
pin down combinations of parameters, not each one), so each accepted sample is run again on
``refine_reps`` fresh replicates, and the one closest to the observations then is the calibrated
parameter set; the posterior's 90% intervals are its uncertainty.
Every sample is stored as it finishes (the run store of the experiments), so ``--resume`` goes on
after an interrupt, and the numbers depend only on the seed, never on the number of workers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sectorsim.batch import Batch, Run, RunStore, Task, batch_folder, run_all
from sectorsim.config import load_scenario
from sectorsim.model import SectorModel
from sectorsim.params import PARAMETERS
from sectorsim.randomness import derive_seed
from sectorsim.storage import atomic_write_bytes

UPTAKE_MONTH = 84  # 2020, seven years after the IMVO sector approach began in 2013
PARTICIPANTS_MONTH = 36  # a year after the 24-month Koploper programme: its projects have ended
SEED = 2020


@dataclass(frozen=True)
class Observation:
    """One observed figure, the model output it maps onto, and how far off counts as one unit."""

    name: str
    target: float
    scale: float  # one unit of the distance
    band: tuple[float, float]  # what the calibrated model must meet (tests/test_calibration.py)
    source: str
    output: str
    log: bool = False

    def error(self, value: float) -> float:
        if self.log:
            return float(np.log(max(value, 1e-4) / self.target) / np.log(self.scale))
        return (value - self.target) / self.scale


OBSERVATIONS = (
    Observation(
        "uptake",
        0.016,
        2.0,
        (0.008, 0.032),
        "WestWing-nd: ~1.6% of firms in high-risk sectors under an IMVO covenant in 2020",
        f"baseline preset: share of SMEs at stage >= 2 at month {UPTAKE_MONTH}",
        log=True,
    ),
    Observation(
        "measures",
        0.72,
        0.10,
        (0.57, 0.87),
        "MVOAlliantie-nd: 72% of ~250 Koploper participants took energy-saving measures",
        f"koplopers_drenthe, month {PARTICIPANTS_MONTH}: participants at stage >= 2",
    ),
    Observation(
        "cooperation",
        0.49,
        0.10,
        (0.34, 0.64),
        "MVOAlliantie-nd: 49% cooperate more with other firms",
        f"koplopers_drenthe, month {PARTICIPANTS_MONTH}: participants ever in a change project",
    ),
    Observation(
        "innovation",
        0.31,
        0.10,
        (0.16, 0.46),
        "MVOAlliantie-nd: 31% developed new innovative products or services",
        f"koplopers_drenthe, month {PARTICIPANTS_MONTH}: participants at stage 3 after a successful project",
    ),
    Observation(
        "awareness",
        0.95,
        0.10,
        (0.85, 1.0),
        "MVOAlliantie-nd: 95% think more about sustainability",
        f"koplopers_drenthe, month {PARTICIPANTS_MONTH}: participants at stage >= 1",
    ),
    Observation(
        "coalition",
        30.0,
        6.0,
        (22.0, 40.0),
        "DRIFT2015: a coalition of 10-15 koplopers grows to about 30",
        "imvo_samen_veranderen: peak coalition size in the 48-month programme",
    ),
)

#: The behavioural parameters calibrated, with their prior ranges (uniform).
PRIOR: dict[str, tuple[float, float]] = {
    "adoption.b0": (-7.0, -3.5),
    "adoption.b_motivation": (0.0, 4.0),
    "imitation.linear_rate": (0.005, 0.08),  # the default linear rule; Bass q ~ 0.03/month
    "adoption.b_pressure": (
        1.0,
        6.0,
    ),  # pressure does move firms (WestWing-nd: due diligence as the trigger)
    "adoption.b_knowledge": (0.0, 4.0),
    "adoption.b_cost": (0.5, 3.0),
    "relapse.rate": (0.005, 0.04),
    "projects.rate": (0.02, 0.15),
    "projects.success_base": (0.4, 0.95),
    "coalition.plan_uptake": (0.0, 1.0),
    "coalition.acceptance": (-2.0, 2.0),
    "coalition.dropout_rate": (0.01, 0.08),
}


@dataclass(frozen=True)
class Settings:
    n: int = 600  # samples of the prior
    reps: int = 4  # replicates per measurement and sample
    seed: int = SEED
    accept: float = 0.05  # share of samples, closest first, that form the posterior
    refine_reps: int = 16  # fresh replicates per accepted sample, to choose the calibrated set

    @property
    def hash(self) -> str:
        text = json.dumps({**self.__dict__, "prior": PRIOR, "observations": OBSERVATIONS_KEY})
        return hashlib.sha256(text.encode()).hexdigest()[:16]


OBSERVATIONS_KEY = [(o.name, o.target, o.scale, o.output) for o in OBSERVATIONS]
QUICK = Settings(n=16, reps=1, refine_reps=2)


def prior_sample(settings: Settings) -> list[dict[str, float]]:
    """``settings.n`` points of the prior: a Latin hypercube (scipy.stats.qmc), seeded."""
    unit = qmc.LatinHypercube(d=len(PRIOR), seed=derive_seed(settings.seed, 0)).random(settings.n)
    low, high = np.array(list(PRIOR.values())).T
    return [dict(zip(PRIOR, map(float, row), strict=True)) for row in low + unit * (high - low)]


def _run(preset: str, overrides: dict[str, Any], seed: int, months: int):
    """The preset with ``overrides`` run for ``months``; also the participants of its koploper
    programme (the members when the agenda phase ends) and which SMEs ever took part in a change
    project."""
    config = load_scenario(preset, {**overrides, "months": months})
    model = SectorModel(config, seed=seed)
    p = config.programme
    programme_end = p.start_month + p.preparation_months + p.agenda_months
    took_part = np.zeros(model.state.n, dtype=bool)
    participants = took_part
    for month in range(1, months + 1):
        model.step()
        took_part |= model.state.project_of >= 0
        if month == programme_end:
            participants = model.state.coalition_member.copy()
    return model, participants, took_part


def uptake(model: SectorModel, member: np.ndarray, took_part: np.ndarray) -> dict[str, float]:
    return {"uptake": float(np.mean(model.state.stage >= 2))}


def participants(model: SectorModel, member: np.ndarray, took_part: np.ndarray) -> dict[str, float]:
    """What the koploper participants did (nothing, if the programme had none)."""
    if not member.any():
        return {}
    stage = model.state.stage
    done = (stage >= 3) & (model.state.project_of < 0)  # a project completed successfully
    return {
        "measures": float(np.mean(stage[member] >= 2)),
        "cooperation": float(np.mean(took_part[member])),
        "innovation": float(np.mean(done[member])),
        "awareness": float(np.mean(stage[member] >= 1)),
    }


def coalition(model: SectorModel, member: np.ndarray, took_part: np.ndarray) -> dict[str, float]:
    return {"coalition": float(model.series("coalition_size").max())}


#: The measurements of one replicate: preset, months run, and what is read from the run.
MEASUREMENTS = (
    ("baseline", UPTAKE_MONTH, uptake),
    ("koplopers_drenthe", PARTICIPANTS_MONTH, participants),
    ("imvo_samen_veranderen", 48, coalition),
)


@dataclass(frozen=True)
class Measurement:
    """One of :data:`MEASUREMENTS` (by its number) with the parameters to measure."""

    number: int
    overrides: dict[str, Any]


def observe(task: Task) -> Run:
    """A task of a :class:`Measurement`: its preset run, and what is read from it."""
    preset, months, read = MEASUREMENTS[task.config.number]
    model, member, took_part = _run(preset, task.config.overrides, task.seed, months)
    return Run(task, read(model, member, took_part))


def measure(overrides: dict[str, Any], seed: int, reps: int) -> dict[str, float]:
    """The model outputs of :data:`OBSERVATIONS` for one parameter set, means over replicates."""
    tasks = [
        Task(Measurement(k, overrides), derive_seed(seed, k + 1, r))
        for r in range(reps)
        for k in range(len(MEASUREMENTS))
    ]
    values: dict[str, list[float]] = {o.name: [] for o in OBSERVATIONS}
    for finished in run_all(tasks, run=observe):
        for name, value in finished.values.items():
            values[name].append(value)
    return {name: float(np.mean(v)) if v else float("nan") for name, v in values.items()}


def distance(stats: dict[str, float]) -> float:
    """Root of the summed squared standardised errors against :data:`OBSERVATIONS`."""
    errors = [o.error(stats[o.name]) for o in OBSERVATIONS]
    return float(np.sqrt(np.sum(np.square(errors)))) if np.all(np.isfinite(errors)) else np.inf


@dataclass(frozen=True)
class Sample:
    """One sample of the prior to measure, with how many replicates."""

    theta: dict[str, float]
    reps: int


def measure_task(task: Task) -> Run:
    """A task of a :class:`Sample` measured: its statistics and their distance."""
    stats = measure(task.config.theta, task.seed, task.config.reps)
    return Run(task, {**stats, "distance": distance(stats), "status": "done"})


def _evaluate_all(
    batch: Batch, store: RunStore, thetas: dict[int, dict[str, float]], seed: int, reps: int
) -> pd.DataFrame:
    """Measure every point of ``thetas`` not yet in ``store``, storing each as it finishes;
    return all stored points, indexed by point."""
    stored = store.done()
    todo = [
        Task(Sample(theta, reps), derive_seed(seed, p), {"point": p, "replicate": 0, **theta})
        for p, theta in thetas.items()
        if (p, 0) not in stored
    ]
    batch.run(store, todo, run=measure_task)
    return _frame(store)


def run_calibration(
    out: str | Path,
    settings: Settings = Settings(),
    workers: int | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Sample the prior into ``out`` (resumable), re-run the accepted samples on fresh seeds,
    write samples_runs.parquet, refined_runs.parquet, posterior.csv and report.md; return every
    sample with its statistics, distance, and (for the accepted ones) ``refined_distance``."""
    with batch_folder(
        out,
        settings.hash,
        "calibration",
        resume,
        workers=workers,
        progress=progress,
        calibration="abc-rejection",
        calibration_hash=settings.hash,
        settings=settings.__dict__,
        prior=PRIOR,
    ) as batch:
        samples_store = batch.store(parts="sample_parts", name="samples_", timeseries=False)
        refined_store = batch.store(parts="refine_parts", name="refined_", timeseries=False)
        k = accepted_count(settings)
        batch.total = settings.n + k
        thetas = dict(enumerate(prior_sample(settings)))
        samples = _evaluate_all(
            batch, samples_store, thetas, derive_seed(settings.seed, 1), settings.reps
        )
        best = samples.nsmallest(k, "distance")
        chosen = {int(p): {key: float(best.at[p, key]) for key in PRIOR} for p in best.index}
        refined = _evaluate_all(
            batch, refined_store, chosen, derive_seed(settings.seed, 2), settings.refine_reps
        )
        samples["refined_distance"] = refined["distance"]
        write_report(batch.folder, samples, settings, refined)
    return samples


def _frame(store: RunStore) -> pd.DataFrame:
    runs = store.gather()[0]
    return runs.drop(columns=["replicate", "status"]).set_index("point", drop=False)


def accepted_count(settings: Settings) -> int:
    return max(2, int(round(settings.accept * settings.n)))


def calibrated(samples: pd.DataFrame) -> pd.Series:
    """The calibrated parameter set: the accepted sample closest to the observations on its fresh
    replicates."""
    return samples.loc[samples["refined_distance"].idxmin()]


def posterior(samples: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The accepted samples: the ``accept`` share closest to the observations."""
    return samples[samples["refined_distance"].notna()]


def summarise(samples: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per parameter: prior range, the schema's default, the calibrated value, the posterior median
    and 90% interval, and how much the data narrowed it (posterior width over prior width of the
    central 90%)."""
    accepted = posterior(samples, settings)
    best = calibrated(samples)
    rows = []
    for key, (low, high) in PRIOR.items():
        q05, q50, q95 = np.quantile(accepted[key], [0.05, 0.5, 0.95])
        rows.append(
            {
                "parameter": key,
                "prior": f"{low:g} to {high:g}",
                "schema default": PARAMETERS[key].default,
                "calibrated": float(best[key]),
                "posterior median": float(q50),
                "90% interval": f"{q05:.3g} to {q95:.3g}",
                "narrowed to": float((q95 - q05) / (0.9 * (high - low))),
            }
        )
    return pd.DataFrame(rows)


def write_report(
    folder: Path, samples: pd.DataFrame, settings: Settings, refined: pd.DataFrame
) -> Path:
    """posterior.csv, the prior-versus-posterior figure and report.md."""
    accepted = posterior(samples, settings)
    accepted.to_csv(folder / "posterior.csv", index=False)
    table = summarise(samples, settings)
    best = calibrated(samples)
    again = refined.loc[int(best["point"])]
    plot_posterior(samples, accepted, folder / "posterior.png")
    fit = pd.DataFrame(
        {
            "observation": [o.name for o in OBSERVATIONS],
            "target": [o.target for o in OBSERVATIONS],
            "band": [f"{o.band[0]:g} to {o.band[1]:g}" for o in OBSERVATIONS],
            f"calibrated ({settings.refine_reps} fresh replicates)": [
                float(again[o.name]) for o in OBSERVATIONS
            ],
            "posterior median of the output": [
                float(accepted[o.name].median()) for o in OBSERVATIONS
            ],
            "prior 5-95%": [
                f"{samples[o.name].quantile(0.05):.3g} to {samples[o.name].quantile(0.95):.3g}"
                for o in OBSERVATIONS
            ],
            "maps onto": [o.output for o in OBSERVATIONS],
        }
    )
    text = "\n".join(
        [
            "# Calibration (ABC rejection)",
            "",
            f"{len(samples)} samples of the prior (Latin hypercube), {settings.reps} replicates "
            f"per measurement; the {len(accepted)} closest to the observations (distance at most "
            f"{accepted['distance'].max():.2f}) form the posterior. Each was run again on "
            f"{settings.refine_reps} fresh replicates; the calibrated set is sample "
            f"{int(best['point'])}, at distance {best['refined_distance']:.2f} there "
            f"({best['distance']:.2f} in the search).",
            "",
            "![posterior](posterior.png)",
            "",
            "## Parameters",
            "",
            table.to_markdown(index=False, floatfmt=".3g"),
            "",
            "## Fit",
            "",
            fit.to_markdown(index=False, floatfmt=".3g"),
            "",
        ]
    )
    path = folder / "report.md"
    atomic_write_bytes(path, text.encode())
    return path


def plot_posterior(samples: pd.DataFrame, accepted: pd.DataFrame, path: Path) -> None:
    from sectorsim.plots import plt

    keys = list(PRIOR)
    fig, axes = plt.subplots(2, (len(keys) + 1) // 2, figsize=(15, 5.5), constrained_layout=True)
    for ax, key in zip(axes.flat, keys, strict=False):
        low, high = PRIOR[key]
        bins = np.linspace(low, high, 13)
        ax.hist(samples[key], bins=bins, color="#d9d9d9", density=True, label="prior")
        ax.hist(
            accepted[key], bins=bins, color="#3182bd", alpha=0.8, density=True, label="posterior"
        )
        ax.axvline(accepted[key].median(), color="#08306b", lw=2)
        ax.axvline(calibrated(accepted)[key], color="#cb181d", lw=2, ls="--")
        ax.set_title(key, fontsize=9)
        ax.set_yticks([])
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(
        "Calibration: prior (grey) and ABC posterior (blue; solid line: median; "
        "dashed: the calibrated value)",
        fontsize=10,
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)
