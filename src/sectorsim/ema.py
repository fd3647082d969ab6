"""sectorsim for EMA Workbench users: a model whose parameters come from the schema, and stored
sweeps as EMA results.

``ema_model(scenario, uncertainties=[keys], levers=[keys], replications=n, overrides={...})``
is an ``ema_workbench.Model``: each uncertainty or lever is the schema's parameter of that
dotted key, with its type (integer, real, boolean, categorical) and its allowed range as bounds
(give ``(key, low, high)`` or ``(key, [values])`` to narrow it). An experiment runs the scenario
with the overrides and the experiment's values, ``replications`` times on the same replicate
seeds for every experiment (common random numbers: differences between experiments are the
parameters', not the seeds'), and reports the outcomes over its replicates:

- ``critical_mass_reached``: the share of replicates reaching critical mass (0 or 1 for one);
- ``critical_mass_month``: the median month it is reached, a replicate that does not reach it
  by the horizon counting as ``months + 1`` (censored), so that every experiment has a number;
- the others (``final_adoption``, ``total_spend``, ...): the mean of the run summary's field.

``to_ema(results_dir)`` reads a folder written by ``sectorsim sweep`` as EMA's ``(experiments,
outcomes)``: one row per run, the factors as columns, the outcomes as numpy arrays without
missing values, ready for feature scoring, PRIM, CART and dimensional stacking (range factors as floats, even integer
ones, because CART puts its split values between two integers).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sectorsim._extras import require
from sectorsim.config import ConfigError, load_scenario, resolve
from sectorsim.params import PARAMETERS, ParamSpec
from sectorsim.randomness import DEFAULT_SEED
from sectorsim.runs import replicate_seeds, run_model

require("sweeps")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import (
        BooleanParameter,
        CategoricalParameter,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )

__all__ = ["OUTCOMES", "ema_model", "to_ema"]

SOURCE = "ema_model"

#: outcome -> what an optimiser does with it (the others are reported only)
OUTCOMES: dict[str, int] = {
    "critical_mass_reached": ScalarOutcome.MAXIMIZE,
    "critical_mass_month": ScalarOutcome.INFO,
    "final_adoption": ScalarOutcome.MAXIMIZE,
    "total_spend": ScalarOutcome.MINIMIZE,
    "peak_adoption": ScalarOutcome.INFO,
    "peak_coalition_size": ScalarOutcome.INFO,
}

Choice = str | tuple[Any, ...]


def _spec(key: str, role: str) -> ParamSpec:
    if key not in PARAMETERS:
        import difflib

        close = difflib.get_close_matches(key, list(PARAMETERS), n=1, cutoff=0.6)
        raise ConfigError(
            SOURCE,
            key,
            problem=f"unknown {role} key" + (f"; did you mean '{close[0]}'?" if close else ""),
            allowed="see `sectorsim params` for every key",
        )
    return PARAMETERS[key]


def parameter(choice: Choice, role: str = "uncertainty") -> Any:
    """The EMA parameter of a dotted key, typed and bounded by the schema; ``(key, low, high)``
    or ``(key, [values])`` narrows it."""
    key, *given = (choice,) if isinstance(choice, str) else tuple(choice)
    spec = _spec(key, role)
    if spec.type == "bool":
        return BooleanParameter(key)
    if spec.choices or (len(given) == 1 and not isinstance(given[0], int | float)):
        values = list(given[0]) if given else list(spec.choices)
        return CategoricalParameter(key, values)
    low, high = given if len(given) == 2 else (spec.ge, spec.le)
    if low is None or high is None:
        raise ConfigError(
            SOURCE,
            key,
            problem="the schema gives no bounds",
            allowed=f"({key!r}, low, high), {spec.allowed()}",
        )
    for value in (low, high):
        if (spec.ge is not None and value < spec.ge) or (spec.le is not None and value > spec.le):
            raise ConfigError(SOURCE, key, value, problem="out of range", allowed=spec.allowed())
    if spec.type == "int":
        return IntegerParameter(key, int(low), int(high))
    return RealParameter(key, float(low), float(high))


class Experiment:
    """The function an EMA model calls: one experiment's parameters in, its outcomes out
    (a module-level class, so that the multiprocessing evaluator can send it to workers)."""

    def __init__(
        self,
        scenario: str,
        overrides: Mapping[str, Any],
        seeds: Sequence[int],
        outcomes: Sequence[str],
    ):
        self.scenario = scenario
        self.overrides = dict(overrides)
        self.seeds = list(seeds)
        self.outcomes = list(outcomes)

    def __call__(self, **values: Any) -> dict[str, float]:
        values = {k: v.item() if hasattr(v, "item") else v for k, v in values.items()}
        config = load_scenario(self.scenario, {**self.overrides, **values})
        rows = [run_model(config, seed)[0] for seed in self.seeds]
        return {name: reduce(name, rows) for name in self.outcomes}


def censored_month(month: Any, months: int) -> float:
    """The month critical mass is reached, or ``months + 1`` if it is not by the horizon."""
    missing = month is None or (isinstance(month, float) and math.isnan(month))
    return float(months + 1) if missing else float(month)


def reduce(name: str, rows: list[dict[str, Any]]) -> float:
    """One number for an outcome over the replicates' summaries (see the module docstring)."""
    if name == "critical_mass_month":
        return float(np.median([censored_month(r[name], r["months"]) for r in rows]))
    return float(np.mean([math.nan if r[name] is None else float(r[name]) for r in rows]))


def _model_name(text: str) -> str:
    """EMA's model names are letters and digits: ``imvo_samen_veranderen`` -> ``ImvoSamenVeranderen``."""
    name = "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", Path(text).stem))
    return name if name[:1].isalpha() else f"Sector{name}"


def ema_model(
    scenario: str = "baseline",
    uncertainties: Iterable[Choice] = (),
    levers: Iterable[Choice] = (),
    replications: int = 1,
    overrides: Mapping[str, Any] | None = None,
    outcomes: Iterable[str] = tuple(OUTCOMES),
    seed: int = DEFAULT_SEED,
    name: str | None = None,
) -> Model:
    """An EMA Workbench model of ``scenario`` (a preset name or a scenario file).

    ``uncertainties`` and ``levers`` are dotted keys (see ``sectorsim params``), each optionally
    ``(key, low, high)`` or ``(key, [values])``; ``overrides`` fixes other parameters for every
    experiment; ``replications`` runs each experiment on that many replicate seeds derived from
    ``seed``; ``outcomes`` are fields of the run summary (default: :data:`OUTCOMES`).
    """
    overrides = dict(overrides or {})
    path = resolve(scenario)  # a missing preset or file is reported here, not in a worker
    load_scenario(path, overrides)  # and so is a bad override
    if replications < 1:
        raise ConfigError(SOURCE, "replications", replications, allowed="at least 1")
    outcomes = list(outcomes)
    uncertain = [parameter(c, "uncertainty") for c in uncertainties]
    chosen = [parameter(c, "lever") for c in levers]
    clash = {p.name for p in uncertain} & {p.name for p in chosen}
    if clash:
        raise ConfigError(SOURCE, sorted(clash)[0], problem="both an uncertainty and a lever")
    model = Model(
        name or _model_name(str(scenario)),
        function=Experiment(str(path), overrides, replicate_seeds(seed, replications), outcomes),
    )
    model.uncertainties = uncertain
    model.levers = chosen
    model.outcomes = [ScalarOutcome(o, kind=OUTCOMES.get(o, ScalarOutcome.INFO)) for o in outcomes]
    return model


def to_ema(results_dir: str | Path) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A stored sweep as EMA's ``(experiments, outcomes)``: one row per finished run, a column per
    factor and uncertain parameter (categorical factors as pandas categories) and ``scenario``
    (the sweep's point; in a sweep over plausible worlds, the world, and ``policy`` the point),
    ``policy`` and ``model`` as EMA writes them; the outcomes as float arrays in the same order
    (``critical_mass_reached`` as 0/1, ``critical_mass_month`` NaN where it is not reached)."""
    from sectorsim.experiments.spec import stored_experiment

    directory = Path(results_dir)
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file() or "experiment" not in json.loads(manifest_path.read_text()):
        raise ConfigError(
            str(directory),
            None,
            problem="not a sweep folder (no manifest.json of an experiment)",
            allowed="a folder written by `sectorsim sweep`",
        )
    manifest = json.loads(manifest_path.read_text())
    experiment = stored_experiment(manifest)
    runs = pd.read_parquet(directory / "runs.parquet")
    runs = runs[runs["status"] == "done"].sort_values("run_id", ignore_index=True)
    keys = [f.key for f in experiment.factors if f.key in runs]
    uncertain = [
        k for k in (experiment.uncertainty.keys if experiment.uncertainty else ()) if k in runs
    ]
    experiments = runs[keys + uncertain].copy()
    for factor in experiments.columns:
        if factor in uncertain or next(f for f in experiment.factors if f.key == factor).is_range:
            experiments[factor] = experiments[factor].astype(float)  # EMA's CART splits between
        else:
            experiments[factor] = experiments[factor].astype("category")
    if uncertain:  # EMA's terms: a scenario is a setting of the uncertainties, a policy of levers
        experiments["scenario"] = runs["world"].astype(int).to_numpy()
        experiments["policy"] = runs["point"].astype(int).to_numpy()
    else:
        experiments["scenario"] = runs["point"].astype(int).to_numpy()
        experiments["policy"] = "none"
    experiments["model"] = experiment.name
    skip = {"run_id", "point", "world", "replicate", "seed", "months", *keys, *uncertain}
    outcomes = {}
    for column in runs.columns:
        values = runs[column]
        if column in skip:
            continue
        if column == "critical_mass_month":
            values = pd.Series(map(censored_month, values, runs["months"]))
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            numbers = values.to_numpy(dtype=float)
        elif values.dtype == object and not values.map(lambda v: isinstance(v, str)).any():
            numbers = values.map(_as_number).to_numpy(dtype=float)  # booleans with None
        else:
            continue
        if not np.isnan(numbers).any():  # EMA's analyses take no missing values
            outcomes[column] = numbers
    return experiments, outcomes


def _as_number(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return np.nan
    return float(value)
