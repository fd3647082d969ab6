"""Calibration of the behavioural parameters against what the source documents observed, by
approximate Bayesian computation with sequential Monte Carlo (ABC-SMC, pyabc; Beaumont et al.
2009, Klinger et al. 2018).

    sectorsim calibrate [--n 150] [--reps 2] [--workers N] [--out DIR] [--resume] [--quick]

**What is observed, and how it maps onto the model** (:data:`OBSERVATIONS`; constructs and
tolerances in docs/validation.md#calibration):

- **covenant_share** (WestWing-nd): "in 2020 only 1.6% of all Dutch companies in high-risk sectors
  had signed (onderstreept) the IMVO covenants", a real baseline figure quoted in a look back
  written as if from 2030. The model starts where that observation starts, before the covenants:
  the ``imvo_2013_2020`` preset is the historical programme (the sector approach of 2013-2017, as
  ``imvo_samen_veranderen``) with no adopter at month 0. The 1.6% counts thousands of firms, among
  which the programme's koplopers are a handful, while a coalition of 30-45 is 6-10% of the model's
  500 SMEs; so the model's figure is the share at stage 2 or higher at month 84 (2020) of the SMEs
  never in the coalition. A signature is not the model's stage 2 (a plan and measures), so one unit
  of the distance is a factor 2 and the tolerance a factor 2.5.
- **measures, cooperation, innovation** (MVOAlliantie-nd "Stap 1"): of about 250 Koploper
  participants over six years, 72% "gaat door KP energiebesparingsmaatregelen treffen" (will take
  energy-saving measures, future tense), 49% "gaat ... meer samenwerken" (will cooperate more),
  31% "heeft (of zal) ... nieuwe innovatieve producten/diensten ontwikkeld" (has or will have):
  self-reported, partly intentions, a survey of unknown response. In the ``koplopers_drenthe``
  preset, started with no adopter (the survey asks what the programme caused, "door KP"), the
  participants of its 9-month koploper programme (the members when its agenda phase ends), a year
  after the 24-month programme: at stage 2 or higher; ever in a change project; at stage 3 after a
  successful project. One unit is 15 points, the tolerance 20.

**Dropped** (:data:`DROPPED`): "95% think more about sustainability" is true by construction
(every coalition member is at least orienting); "growing to about thirty" is the sector approach's
plan, and the model has that plan as an input (``coalition.target_size = 30``).

**Diffusion outside the coalition.** The covenant share is the sources' only figure about firms
outside a programme's coalition, and it is weak: signatures, across all high-risk sectors (most
of which had no sector programme), at one moment. None of the sources observes adoption
spreading from koplopers to other firms over time, which is what the imitation rate governs; the
report says what this leaves open.

**Method.** A uniform prior (:data:`PRIOR`); pyabc's ABC-SMC with a fixed list of tolerances
(:attr:`Settings.epsilons`, the last one 1 unit: the combined standardised error the targets'
quality allows), ``n`` particles a generation, each particle the mean of ``reps`` replicates of
both measurements. The distance is the root of the summed squared standardised errors.

**Reproducible whatever the number of workers.** pyabc's own multicore samplers accept particles
in finishing order. :class:`BatchSampler` instead draws proposals in fixed batches in this
process (numpy's global generator, which pyabc uses, seeded from (seed, generation)), evaluates a
batch through the project's batch layer (serial, process pool), each evaluation seeded from
(seed, generation, index), and accepts in index order. pyabc's history database in the output
folder keeps every finished generation, so ``--resume`` goes on after an interrupt.

**The default point.** The ``refine_top`` particles of the final generation closest to the
observations are run again on ``refine_reps`` fresh replicates; the closest then is the candidate
for the schema's default (``params.py``; docs/validation.md#calibration says whether the schema
follows it). Findings are not to rest on one point: experiments draw plausible worlds from the
posterior, which ships with the package as ``sectorsim/data/posterior.parquet`` (one row per
particle: the parameters' dotted keys, ``weight``, ``distance``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sectorsim.batch import Run, Task, batch_folder, run_all
from sectorsim.config import load_scenario
from sectorsim.model import SectorModel
from sectorsim.params import PARAMETERS
from sectorsim.randomness import derive_seed
from sectorsim.storage import atomic_write_bytes

COVENANT_MONTH = 84  # 2020, seven years after the IMVO sector approach began in 2013
PARTICIPANTS_MONTH = 36  # a year after the 24-month Koploper programme: its projects have ended
HISTORICAL = "imvo_2013_2020"  # the historical programme, started before the covenants
SEED = 2020
CHECK_SEED = 2021  # the second, independent run whose posterior must overlap the first
POSTERIOR_FILE = "posterior.parquet"


@dataclass(frozen=True)
class Observation:
    """One observed figure: what was measured (its construct), the model output it maps onto, how
    far off counts as one unit of the distance, and the band a calibrated model must meet."""

    name: str
    target: float
    scale: float  # one unit of the distance (a factor, if ``log``)
    band: tuple[float, float]  # the tolerance: what the schema's defaults must meet (tested)
    construct: str
    source: str
    output: str
    log: bool = False

    def error(self, value: float) -> float:
        if not np.isfinite(value):
            return float("inf")
        if self.log:
            return float(np.log(max(value, 1e-4) / self.target) / np.log(self.scale))
        return (value - self.target) / self.scale


OBSERVATIONS = (
    Observation(
        "covenant_share",
        0.016,
        2.0,
        (0.016 / 2.5, 0.016 * 2.5),
        "a signature: share of all Dutch firms in high-risk sectors that had signed an IMVO "
        "covenant by 2020, quoted in a look back written as if from 2030",
        "WestWing-nd",
        f"{HISTORICAL} (no adopter at month 0): share at stage >= 2 at month "
        f"{COVENANT_MONTH} (2020) of the SMEs never in the coalition",
        log=True,
    ),
    Observation(
        "measures",
        0.72,
        0.15,
        (0.52, 0.92),
        "a self-reported intention: 'gaat door KP energiebesparingsmaatregelen treffen', of ~250 "
        "Koploper participants over six years (survey, response unknown)",
        'MVOAlliantie-nd "Stap 1"',
        f"koplopers_drenthe (no adopter at month 0), month {PARTICIPANTS_MONTH}: participants "
        "at stage >= 2",
    ),
    Observation(
        "cooperation",
        0.49,
        0.15,
        (0.29, 0.69),
        "a self-reported intention: 'gaat door KP meer samenwerken met andere bedrijven'",
        'MVOAlliantie-nd "Stap 1"',
        f"the same participants, month {PARTICIPANTS_MONTH}: ever in a change project",
    ),
    Observation(
        "innovation",
        0.31,
        0.15,
        (0.11, 0.51),
        "a self-report, past or future: 'heeft (of zal) door KP nieuwe innovatieve "
        "producten/diensten ontwikkeld'",
        'MVOAlliantie-nd "Stap 1"',
        f"the same participants, month {PARTICIPANTS_MONTH}: at stage 3 after a successful project",
    ),
)

#: Figures the sources give that are not targets, and why.
DROPPED = {
    "awareness": "MVOAlliantie-nd: 95% 'denkt door KP meer na over duurzaamheid'; true by "
    "construction: every coalition member is at least orienting (stage >= 1)",
    "coalition": "DRIFT2015 §3 'Sectorcoalitie': the coalition 'zal groeien tot zo'n dertig': a "
    "plan, not an observation, and an input of the model (coalition.target_size = 30)",
}

#: The behavioural parameters calibrated, with their prior ranges (uniform).
PRIOR: dict[str, tuple[float, float]] = {
    "adoption.b0": (-7.0, -3.5),
    "adoption.b_motivation": (0.0, 4.0),
    "imitation.linear_rate": (0.005, 0.08),  # the default linear rule; Bass q ~ 0.03/month
    # pressure does move firms (WestWing-nd: due diligence as the trigger)
    "adoption.b_pressure": (1.0, 6.0),
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
    n: int = 150  # particles a generation
    reps: int = 2  # replicates per particle (each pools the runs MEASUREMENTS says)
    seed: int = SEED
    epsilons: tuple[float, ...] = (2.0, 1.4, 1.0)  # tolerance of each generation
    prior_share: float = 0.25  # share of proposals drawn from the prior (see make_transition)
    batch: int = 100  # proposals evaluated together (the same for any number of workers)
    refine_top: int = 15  # best particles run again to choose the default point
    refine_reps: int = 16  # their fresh replicates
    check_seed: int | None = CHECK_SEED  # a second run, to show that the posterior is stable

    @property
    def hash(self) -> str:
        text = json.dumps(
            {**asdict(self), "prior": PRIOR, "observations": OBSERVATIONS_KEY}, sort_keys=True
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


OBSERVATIONS_KEY = [(o.name, o.target, o.scale, o.output) for o in OBSERVATIONS]
QUICK = Settings(
    n=20, reps=1, epsilons=(3.0, 2.0), batch=20, refine_top=3, refine_reps=4, check_seed=None
)


# --- the measurements --------------------------------------------------------------------------


def _run(preset: str, overrides: dict[str, Any], seed: int, months: int):
    """The preset with ``overrides`` run for ``months``; also the participants of its koploper
    programme (the members when the agenda phase ends) and which SMEs ever took part in a change
    project."""
    config = load_scenario(preset, {**overrides, "months": months})
    model = SectorModel(config, seed=seed)
    p = config.programme
    programme_end = p.start_month + p.preparation_months + p.agenda_months
    took_part = np.zeros(model.state.n, dtype=bool)
    ever_member = model.state.coalition_member.copy()
    participants = took_part
    for month in range(1, months + 1):
        model.step()
        took_part |= model.state.project_of >= 0
        ever_member |= model.state.coalition_member
        if month == programme_end:
            participants = model.state.coalition_member.copy()
    return model, participants, took_part, ever_member


def covenant(model: SectorModel, member, took_part, ever_member) -> dict[str, float]:
    """The adopted share of the SMEs never in the coalition: the programme's koplopers are a
    handful among the thousands of firms the 1.6% counts, but 6-10% of the model's sector."""
    outside = ~ever_member
    return {"covenant_share": float(np.mean(model.state.stage[outside] >= 2))}


def participants(model: SectorModel, member, took_part, ever_member) -> dict[str, float]:
    """What the koploper participants did (nothing, if the programme had none)."""
    if not member.any():
        return {}
    stage = model.state.stage
    done = (stage >= 3) & (model.state.project_of < 0)  # a project completed successfully
    return {
        "measures": float(np.mean(stage[member] >= 2)),
        "cooperation": float(np.mean(took_part[member])),
        "innovation": float(np.mean(done[member])),
    }


#: The measurements of one replicate: preset, the starting state it is given, months run, what
#: is read from the run, and how many runs a replicate pools. Both start with no adopter: the
#: covenant share from before the covenants (the preset says so), the Koploper survey from what
#: the programme caused ("door KP"). A Drenthe run has only 8 participants, so a replicate pools
#: four runs (32 participants; the survey had ~250): otherwise the model's own sampling noise
#: (16 points on a share, a unit of the distance) would swamp the targets' tolerance.
MEASUREMENTS = (
    (HISTORICAL, {}, COVENANT_MONTH, covenant, 1),
    ("koplopers_drenthe", {"adoption.initial_adopters": 0}, PARTICIPANTS_MONTH, participants, 4),
)


@dataclass(frozen=True)
class Measurement:
    """One of :data:`MEASUREMENTS` (by its number) with the parameters to measure."""

    number: int
    overrides: dict[str, Any]


def observe(task: Task) -> Run:
    """A task of a :class:`Measurement`: its preset run, and what is read from it."""
    preset, start, months, read, _ = MEASUREMENTS[task.config.number]
    run = _run(preset, {**start, **task.config.overrides}, task.seed, months)
    return Run(task, read(*run))


def measure(overrides: dict[str, Any], seed: int, reps: int) -> dict[str, float]:
    """The model outputs of :data:`OBSERVATIONS` for one parameter set, means over replicates."""
    tasks = [
        Task(Measurement(k, overrides), derive_seed(seed, k + 1, r))
        for k, (*_, pooled) in enumerate(MEASUREMENTS)
        for r in range(reps * pooled)
    ]
    values: dict[str, list[float]] = {o.name: [] for o in OBSERVATIONS}
    for finished in run_all(tasks, run=observe):
        for name, value in finished.values.items():
            values[name].append(value)
    return {name: float(np.mean(v)) if v else float("nan") for name, v in values.items()}


def distance(stats: dict[str, float]) -> float:
    """Root of the summed squared standardised errors against :data:`OBSERVATIONS`."""
    errors = [o.error(stats.get(o.name, float("nan"))) for o in OBSERVATIONS]
    return float(np.sqrt(np.sum(np.square(errors)))) if np.all(np.isfinite(errors)) else np.inf


def within_bands(stats: dict[str, float]) -> dict[str, bool]:
    return {o.name: bool(o.band[0] <= stats[o.name] <= o.band[1]) for o in OBSERVATIONS}


@dataclass(frozen=True)
class Sample:
    """A parameter set to measure, with how many replicates."""

    theta: dict[str, float]
    reps: int


def measure_task(task: Task) -> Run:
    """A task of a :class:`Sample` measured: its statistics and their distance."""
    stats = measure(task.config.theta, task.seed, task.config.reps)
    return Run(task, {**stats, "distance": distance(stats), "status": "done"})


def evaluate_all(
    thetas: Sequence[dict[str, float]], seeds: Sequence[int], reps: int, workers: int
) -> list[dict[str, float]]:
    """Every parameter set measured on its seed, in the given order, on ``workers`` processes."""
    tasks = [Task(Sample(theta, reps), s) for theta, s in zip(thetas, seeds, strict=True)]
    return [run.values for run in run_all(tasks, run=measure_task, workers=workers)]


# --- pyabc, made reproducible ------------------------------------------------------------------


def _safe(key: str) -> str:
    return key.replace(".", "__")


def _dotted(name: str) -> str:
    return name.replace("__", ".")


class BatchSampler:
    """Built by :func:`make_sampler` as a subclass of pyabc's ``Sampler`` (pyabc is imported
    only when a calibration runs)."""


def make_sampler(
    seed: int, batch: int, reps: int, workers: int, on_evaluated: Callable[[int], None]
):
    """A pyabc sampler whose result depends on ``seed`` only, never on ``workers``.

    pyabc's ``simulate_one()`` draws a proposal (numpy's global generator) and has the model
    evaluate it. Each batch is gone through twice: first with the model recording the proposals
    (each answered as a rejection), then, after the batch layer has measured them all (evaluation
    ``i`` of generation ``t`` seeded from (seed, t, i)), with the generator set back, so that the
    same proposals come again and the model answers from the measurements: acceptance happens in
    this process, in index order."""
    import pyabc

    class _Model(pyabc.Model):
        def __init__(self) -> None:
            super().__init__(name="sectorsim")
            self.recording = True
            self.proposals: list[dict[str, float]] = []
            self.answers: list[dict[str, float]] = []

        def sample(self, pars):
            theta = {_dotted(k): float(v) for k, v in pars.items()}
            if self.recording:
                self.proposals.append(theta)
                return {o.name: float("nan") for o in OBSERVATIONS}
            if theta != self.proposals[len(self.answers) - len(self.pending)]:
                raise RuntimeError("pyabc drew other proposals on the second pass")
            return self.pending.pop(0)

    class _BatchSampler(pyabc.sampler.Sampler, BatchSampler):
        def __init__(self) -> None:
            super().__init__()
            self.model = _Model()

        def sample_until_n_accepted(
            self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
        ):
            sample = self._create_empty_sample()
            # pyabc draws proposals from numpy's global generator: seed it per generation
            np.random.seed(derive_seed(seed, 1, t + 1) % 2**32)  # noqa: NPY002
            index = 0
            while sample.n_accepted < n and index < max_eval:
                state = np.random.get_state()  # noqa: NPY002
                model = self.model
                model.recording, model.proposals = True, []
                for _ in range(batch):
                    simulate_one()
                seeds = [derive_seed(seed, 2, t + 1, index + i) for i in range(batch)]
                answers = evaluate_all(model.proposals, seeds, reps, workers)
                on_evaluated(batch)
                np.random.set_state(state)  # noqa: NPY002
                model.recording, model.answers = False, answers
                model.pending = list(answers)
                for _ in range(batch):
                    sample.append(simulate_one())
                    index += 1
                    if sample.n_accepted >= n:
                        break
            self.nr_evaluations_ = index
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return _BatchSampler()


def make_transition(prior_share: float):
    """pyabc's multivariate normal kernel, mixed with the uniform prior: a share ``prior_share``
    of the proposals is drawn from the prior. A particle's importance weight is the prior's
    density over the proposal's, so no weight can exceed ``1 / prior_share`` times the prior's
    density over itself: without this, the weights of 12 broad parameters degenerate (an
    effective sample size of 5 of 200 particles in the last generation of a trial run)."""
    import pyabc

    low, high = (np.array(v) for v in zip(*PRIOR.values(), strict=True))
    density = 1.0 / float(np.prod(high - low))

    class DefensiveTransition(pyabc.transition.MultivariateNormalTransition):
        def rvs_single(self):
            if np.random.uniform() < prior_share:  # noqa: NPY002 (pyabc's generator)
                draw = low + np.random.uniform(size=len(low)) * (high - low)  # noqa: NPY002
                named = dict(zip(map(_safe, PRIOR), map(float, draw), strict=True))
                return pyabc.Parameter({c: named[c] for c in self.X.columns})
            return super().rvs_single()

        def rvs(self, size=None):
            if size is None:
                return self.rvs_single()
            return pd.DataFrame([self.rvs_single() for _ in range(size)])

        def pdf(self, x):
            inside = self._inside(x)
            return prior_share * density * inside + (1 - prior_share) * super().pdf(x)

        def _inside(self, x):
            keys = [_safe(k) for k in PRIOR]
            if isinstance(x, pd.DataFrame):
                values = x[keys].to_numpy()
                return ((values >= low) & (values <= high)).all(axis=1).astype(float)
            values = np.array([x[k] for k in keys])
            return float(((values >= low) & (values <= high)).all())

    return DefensiveTransition()


def _abc(settings: Settings, seed: int, workers: int, on_evaluated: Callable[[int], None]):
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    sampler = make_sampler(seed, settings.batch, settings.reps, workers, on_evaluated)
    prior = pyabc.Distribution(
        **{_safe(k): pyabc.RV("uniform", low, high - low) for k, (low, high) in PRIOR.items()}
    )
    return pyabc.ABCSMC(
        sampler.model,
        prior,
        lambda x, x0: distance(x),
        population_size=settings.n,
        transitions=make_transition(settings.prior_share),
        sampler=sampler,
        eps=pyabc.epsilon.ListEpsilon(list(settings.epsilons)),
    )


def run_abc(
    db: Path, settings: Settings, seed: int, workers: int, on_evaluated: Callable[[int], None]
) -> pd.DataFrame:
    """One ABC-SMC run into the pyabc database ``db`` (continued where it stopped, if it exists);
    its final generation as :func:`population` gives it."""
    abc = _abc(settings, seed, workers, on_evaluated)
    url = f"sqlite:///{db}"
    if _generations_stored(db) > 0:
        abc.load(url, 1)
    else:
        db.unlink(missing_ok=True)  # interrupted before its first generation was stored
        abc.new(url, {o.name: o.target for o in OBSERVATIONS})
    left = len(settings.epsilons) - (abc.history.max_t + 1)
    if left > 0:
        abc.run(max_nr_populations=left)
    return population(abc.history)


def _generations_stored(db: Path) -> int:
    """How many generations the pyabc database ``db`` holds (0 if it is missing or unreadable)."""
    import pyabc

    if not db.exists():
        return 0
    try:
        return int(pyabc.History(f"sqlite:///{db}").max_t + 1)
    except Exception:  # an empty or cut file: start again
        return 0


def population(history) -> pd.DataFrame:
    """The final generation of a pyabc history: one row per particle, the parameters' dotted keys,
    ``weight`` (summing to 1) and ``distance``, in the order pyabc stored them."""
    particles = history.get_population(t=history.max_t).particles
    rows = [
        {
            **{_dotted(k): float(v) for k, v in p.parameter.items()},
            "weight": float(p.weight),
            "distance": float(p.distance),
        }
        for p in particles
    ]
    frame = pd.DataFrame(rows)[[*PRIOR, "weight", "distance"]]
    frame["weight"] /= frame["weight"].sum()
    return frame


def generations(history) -> pd.DataFrame:
    """Per generation: its tolerance, particles and evaluations (pyabc's record)."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    particles = history.get_nr_particles_per_population()[pops["t"]].to_numpy()
    ess = []
    for t in pops["t"]:
        w = history.get_distribution(m=0, t=int(t))[1]
        ess.append(float(w.sum() ** 2 / np.square(w).sum()))
    return pd.DataFrame(
        {
            "generation": pops["t"].astype(int).to_numpy(),
            "tolerance": pops["epsilon"].astype(float).to_numpy(),
            "evaluations": pops["samples"].astype(int).to_numpy(),
            "acceptance": particles / pops["samples"].to_numpy(),
            "effective sample size": ess,
            "minutes": pops["wall_time"].astype(float).to_numpy() / 60,
        }
    )


# --- the whole calibration ---------------------------------------------------------------------


@dataclass
class Result:
    """What a calibration produced."""

    posterior: pd.DataFrame  # the final generation of the main run
    check: pd.DataFrame | None  # that of the second seed
    refined: pd.DataFrame  # the best particles on fresh replicates, closest first
    generations: pd.DataFrame
    # the main seed's population the second seed is compared with (the posterior, unless the
    # second run stopped at an earlier generation)
    reference: pd.DataFrame | None = None
    note: str = ""  # anything the report must say about how the run ended

    def __post_init__(self) -> None:
        if self.reference is None:
            self.reference = self.posterior

    @property
    def best(self) -> dict[str, float]:
        row = self.refined.iloc[0]
        return {k: float(row[k]) for k in PRIOR}


def run_calibration(
    out: str | Path,
    settings: Settings = Settings(),
    workers: int | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """ABC-SMC into ``out`` (resumable), the second seed's run beside it, the best particles
    refined; writes posterior.parquet, report.md and the figures."""
    import pyabc  # noqa: F401  (refuse early if it is missing)

    seeds = [settings.seed] + ([settings.check_seed] if settings.check_seed is not None else [])
    expected = len(seeds) * settings.n * len(settings.epsilons) * 3 + settings.refine_top
    with batch_folder(
        out,
        settings.hash,
        "calibration",
        resume,
        workers=workers,
        progress=progress,
        calibration="abc-smc (pyabc)",
        calibration_hash=settings.hash,
        settings=asdict(settings),
        prior=PRIOR,
    ) as batch:
        done = 0

        def on_evaluated(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress(done, max(expected, done + 1))

        _warm_up(settings)
        finals, histories = [], []
        for seed in seeds:
            db = batch.folder / f"abc-{seed}.db"
            finals.append(run_abc(db, settings, seed, batch.workers, on_evaluated))
            histories.append(_history(db))
        refined = refine(finals[0], settings, batch.workers)
        result = Result(
            finals[0], finals[1] if len(finals) > 1 else None, refined, generations(histories[0])
        )
        write_outputs(batch.folder, result, settings)
    return result


def load_result(folder: str | Path, settings: Settings = Settings()) -> Result:
    """The result of a finished calibration in ``folder``, read back (pyabc's databases and the
    refined particles), e.g. to write its report again."""
    folder = Path(folder)
    seeds = [settings.seed] + ([settings.check_seed] if settings.check_seed is not None else [])
    histories = [_history(folder / f"abc-{seed}.db") for seed in seeds]
    finals = [population(h) for h in histories]
    return Result(
        finals[0],
        finals[1] if len(finals) > 1 else None,
        pd.read_parquet(folder / "refined.parquet"),
        generations(histories[0]),
    )


def _history(db: Path):
    import pyabc

    return pyabc.History(f"sqlite:///{db}")


def _warm_up(settings: Settings) -> None:
    """One small run in this process, so that forked workers find the compiled month loaded."""
    measure({}, settings.seed, 1)


def refine(posterior: pd.DataFrame, settings: Settings, workers: int) -> pd.DataFrame:
    """The ``refine_top`` particles closest to the observations, each run on ``refine_reps``
    fresh replicates; closest first (ties: the particle's order)."""
    top = posterior.drop_duplicates(list(PRIOR)).nsmallest(settings.refine_top, "distance")
    thetas = [{k: float(row[k]) for k in PRIOR} for _, row in top.iterrows()]
    seeds = [derive_seed(settings.seed, 3, i) for i in range(len(thetas))]
    stats = evaluate_all(thetas, seeds, settings.refine_reps, workers)
    frame = pd.DataFrame([{**theta, **s} for theta, s in zip(thetas, stats, strict=True)])
    frame["search_distance"] = top["distance"].to_numpy()
    return frame.sort_values("distance", kind="stable").reset_index(drop=True)


# --- summaries, report, figures ----------------------------------------------------------------


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values)[order], np.asarray(weights)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(qs, cum, v)


def weighted_corr(frame: pd.DataFrame) -> pd.DataFrame:
    x = frame[list(PRIOR)].to_numpy()
    w = frame["weight"].to_numpy()
    cov = np.cov(x, rowvar=False, aweights=w)
    sd = np.sqrt(np.diag(cov))
    return pd.DataFrame(cov / np.outer(sd, sd), index=list(PRIOR), columns=list(PRIOR))


def overlap(a: pd.DataFrame, b: pd.DataFrame, key: str, bins: int = 10) -> float:
    """Overlap of two weighted marginals (the shared area of their histograms on the prior's range,
    in ``bins`` bins): 1 for the same distribution."""
    low, high = PRIOR[key]
    edges = np.linspace(low, high, bins + 1)
    ha = np.histogram(a[key], edges, weights=a["weight"])[0]
    hb = np.histogram(b[key], edges, weights=b["weight"])[0]
    return float(np.minimum(ha / ha.sum(), hb / hb.sum()).sum())


def summarise(result: Result) -> pd.DataFrame:
    """Per parameter: prior, schema default, the best particle, the posterior's median and 90%
    interval, its width against the prior's (central 90%), and, with a second seed, its median
    and the overlap of the two marginals."""
    post = result.posterior
    rows = []
    for key, (low, high) in PRIOR.items():
        q05, q50, q95 = weighted_quantiles(post[key], post["weight"], [0.05, 0.5, 0.95])
        row = {
            "parameter": key,
            "prior": f"{low:g} to {high:g}",
            "schema default": PARAMETERS[key].default,
            "best particle": result.best[key],
            "posterior median": float(q50),
            "90% interval": f"{q05:.3g} to {q95:.3g}",
            "width vs prior": float((q95 - q05) / (0.9 * (high - low))),
        }
        if result.check is not None:
            c, ref = result.check, result.reference
            first = float(weighted_quantiles(ref[key], ref["weight"], [0.5])[0])
            second = float(weighted_quantiles(c[key], c["weight"], [0.5])[0])
            row["second seed: median"] = second
            row["median shift (share of prior)"] = abs(second - first) / (high - low)
            row["overlap of the two"] = overlap(ref, c, key)
        rows.append(row)
    return pd.DataFrame(rows)


def verdict(width: float) -> str:
    if width <= 0.5:
        return "pinned (narrowed to half the prior or less)"
    if width <= 0.8:
        return "narrowed"
    return "left open"


def write_table(path: Path, frame: pd.DataFrame) -> None:
    import pyarrow as pa

    from sectorsim.storage import atomic_write_table

    atomic_write_table(path, pa.Table.from_pandas(frame, preserve_index=False))


def write_outputs(folder: Path, result: Result, settings: Settings) -> None:
    write_table(folder / POSTERIOR_FILE, result.posterior)
    if result.check is not None:
        write_table(folder / f"posterior-seed{settings.check_seed}.parquet", result.check)
    write_table(folder / "refined.parquet", result.refined)
    plot_marginals(result, folder / "marginals.png")
    plot_pairs(result.posterior, folder / "pairs.png")
    plot_fit(result, folder / "fit.png")
    write_report(folder, result, settings)


def write_report(folder: Path, result: Result, settings: Settings) -> Path:
    table = summarise(result)
    table["what the data do"] = table["width vs prior"].map(verdict)
    best = result.refined.iloc[0]
    fit = pd.DataFrame(
        {
            "target": [o.name for o in OBSERVATIONS],
            "observed": [o.target for o in OBSERVATIONS],
            "tolerance (band)": [f"{o.band[0]:.3g} to {o.band[1]:.3g}" for o in OBSERVATIONS],
            f"best particle ({settings.refine_reps} fresh replicates)": [
                float(best[o.name]) for o in OBSERVATIONS
            ],
            "construct": [o.construct for o in OBSERVATIONS],
            "source": [o.source for o in OBSERVATIONS],
            "model output": [o.output for o in OBSERVATIONS],
        }
    )
    corr = weighted_corr(result.posterior)
    pairs = [
        (corr.index[i], corr.columns[j], corr.iat[i, j])
        for i in range(len(corr))
        for j in range(i + 1, len(corr))
    ]
    strong = sorted(pairs, key=lambda p: -abs(p[2]))[:8]
    gens = result.generations
    text = [
        "# Calibration (ABC-SMC, pyabc)",
        "",
        f"{settings.n} particles a generation, {settings.reps} replicates of each measurement "
        f"per particle, tolerances {', '.join(f'{e:g}' for e in settings.epsilons)} "
        f"(seed {settings.seed}"
        + (f"; a second run with seed {settings.check_seed}" if result.check is not None else "")
        + f"). The best particle: the closest of the {settings.refine_top} best on "
        f"{settings.refine_reps} fresh replicates (distance {best['distance']:.2f}; "
        f"{best['search_distance']:.2f} in the search).",
        "",
        *([result.note, ""] if result.note else []),
        "## Targets",
        "",
        fit.to_markdown(index=False, floatfmt=".3g"),
        "",
        "Dropped: " + "; ".join(f"**{k}** ({v})" for k, v in DROPPED.items()) + ".",
        "",
        "## Generations",
        "",
        gens.to_markdown(index=False, floatfmt=".3g"),
        "",
        "## Parameters",
        "",
        "![marginals](marginals.png)",
        "",
        table.to_markdown(index=False, floatfmt=".3g"),
        "",
        "(width vs prior: the weighted central 90% of the posterior over that of the prior; "
        "overlap: shared area of the two seeds' weighted marginal histograms, 10 bins over "
        "the prior's range; 1 is the same histogram.)",
        "",
        "## Pairs",
        "",
        "![pairs](pairs.png)",
        "",
        "The strongest weighted correlations in the posterior:",
        "",
        *[f"- `{a}` and `{b}`: {r:+.2f}" for a, b, r in strong],
        "",
        "## Fit of the posterior",
        "",
        "![fit](fit.png)",
        "",
    ]
    path = folder / "report.md"
    atomic_write_bytes(path, "\n".join(text).encode())
    return path


def plot_marginals(result: Result, path: Path) -> None:
    from sectorsim.plots import plt

    keys = list(PRIOR)
    post, check = result.posterior, result.check
    fig, axes = plt.subplots(3, 4, figsize=(14, 8), constrained_layout=True)
    for ax, key in zip(axes.flat, keys, strict=True):
        low, high = PRIOR[key]
        bins = np.linspace(low, high, 21)
        ax.axhline(1 / (high - low), color="#969696", lw=1.5, label="prior")
        ax.hist(
            post[key],
            bins=bins,
            weights=post["weight"],
            density=True,
            color="#3182bd",
            alpha=0.7,
            label=f"posterior (seed {SEED})",
        )
        if check is not None:
            ax.hist(
                check[key],
                bins=bins,
                weights=check["weight"],
                density=True,
                histtype="step",
                color="#e6550d",
                lw=1.5,
                label="second seed",
            )
        ax.axvline(
            result.best[key], color="#cb181d", lw=1.5, ls="--", label="best particle (refined)"
        )
        ax.set_title(key, fontsize=9)
        ax.set_xlim(low, high)
        ax.set_yticks([])
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(
        "Calibration: the uniform prior and the ABC-SMC posterior of each parameter", fontsize=11
    )
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_pairs(post: pd.DataFrame, path: Path) -> None:
    """Lower triangle: the particles (darker: more weight); upper: the weighted correlation."""
    from sectorsim.plots import plt

    keys = list(PRIOR)
    k = len(keys)
    corr = weighted_corr(post)
    fig, axes = plt.subplots(k, k, figsize=(17, 17))
    w = post["weight"].to_numpy()
    alpha = np.clip(0.15 + 0.85 * w / w.max(), 0, 1)
    for i, yi in enumerate(keys):
        for j, xj in enumerate(keys):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if i == j:
                ax.hist(post[xj], bins=np.linspace(*PRIOR[xj], 16), weights=w, color="#3182bd")
                ax.set_xlim(*PRIOR[xj])
            elif i > j:
                ax.scatter(post[xj], post[yi], s=7, c="#08519c", alpha=alpha, linewidths=0)
                ax.set_xlim(*PRIOR[xj])
                ax.set_ylim(*PRIOR[yi])
            else:
                r = corr.iat[i, j]
                ax.set_facecolor(plt.cm.RdBu_r((r + 1) / 2))
                ax.text(
                    0.5,
                    0.5,
                    f"{r:+.2f}",
                    ha="center",
                    va="center",
                    fontsize=11,
                    transform=ax.transAxes,
                )
            if i == k - 1:
                ax.set_xlabel(xj.replace(".", ".\n"), fontsize=10)
            if j == 0:
                ax.set_ylabel(yi.replace(".", ".\n"), fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.06, top=0.96, wspace=0.06, hspace=0.06)
    fig.suptitle(
        "Posterior pairs (axes: the prior's ranges; darker: more weight) and weighted correlations",
        fontsize=14,
    )
    fig.savefig(path, dpi=70)
    plt.close(fig)


def plot_fit(result: Result, path: Path) -> None:
    """The model outputs of the best particles on fresh replicates against each target's band."""
    from sectorsim.plots import plt

    fig, axes = plt.subplots(1, len(OBSERVATIONS), figsize=(13, 3.2), constrained_layout=True)
    for ax, o in zip(axes, OBSERVATIONS, strict=True):
        values = result.refined[o.name]
        ax.axvspan(*o.band, color="#c7e9c0", label="tolerance")
        ax.axvline(o.target, color="#006d2c", lw=2, label="observed")
        ax.plot(values, np.arange(len(values)), "o", color="#3182bd", ms=4, label="best particles")
        ax.plot(values.iloc[0], 0, "o", color="#cb181d", ms=7, label="best particle (refined)")
        if o.log:
            ax.set_xscale("log")
            ticks = [o.target / 4, o.target / 2, o.target, o.target * 2, o.target * 4]
            ax.set_xticks(ticks, [f"{t:.1%}" for t in ticks])
            ax.minorticks_off()
        else:
            ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.set_title(o.name, fontsize=10)
        ax.set_yticks([])
        ax.invert_yaxis()
    axes[0].set_ylabel("particle (closest on top)")
    axes[0].legend(fontsize=7)
    fig.suptitle(
        "The best particles of the posterior on fresh replicates, against the observations",
        fontsize=10,
    )
    fig.savefig(path, dpi=100)
    plt.close(fig)


def width_ratio(frame: pd.DataFrame, key: str) -> float:
    low, high = PRIOR[key]
    q05, q95 = weighted_quantiles(frame[key], frame["weight"], [0.05, 0.95])
    return float((q95 - q05) / (0.9 * (high - low)))
