"""Sampling the factor space with well-kept libraries.

- grid: the full factorial of the factors' lists (ranges get ``n`` evenly spaced levels);
- lhs: Latin hypercube from ``scipy.stats.qmc`` (``n`` points);
- sobol: Saltelli's extension of Sobol' sequences from SALib (``n`` base samples, first- and
  total-order indices: n (d + 2) points);
- morris: Morris' elementary-effects trajectories from SALib (``n`` trajectories, 4 levels).

Continuous samplers work in the unit interval per factor (log ranges in log space); a list factor
becomes an index dimension, so choices and booleans can be sampled too. Every sampler is seeded
from the experiment's seed: the same file always gives the same points, which is what lets
``sectorsim analyze`` rebuild the sample to pair it with the results.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy.stats import qmc

from sectorsim.experiments.spec import Experiment
from sectorsim.experiments.tables import Factor, from_unit

MORRIS_LEVELS = 4


def salib_problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    """SALib's problem dict: a unit-interval dimension per factor (mapped by :func:`from_unit`)."""
    return {
        "num_vars": len(factors),
        "names": [f.key for f in factors],
        "bounds": [[0.0, 1.0]] * len(factors),
    }


def levels(factor: Factor, n: int) -> list[Any]:
    """The values a factor takes in a grid."""
    if not factor.is_range:
        return list(factor.values)
    values = from_unit(factor, np.linspace(0.0, 1.0, n))
    return list(dict.fromkeys(values))  # integer rounding may repeat a level


def unit_sample(experiment: Experiment) -> np.ndarray:
    """The (points x factors) sample in the unit cube, for lhs, sobol and morris."""
    d, n, seed = len(experiment.factors), experiment.n, experiment.seed
    if experiment.method == "lhs":
        return qmc.LatinHypercube(d=d, seed=seed).random(n)
    problem = salib_problem(experiment.factors)
    if experiment.method == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    if experiment.method == "morris":
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
    raise ValueError(f"no unit sample for method {experiment.method!r}")


def points(experiment: Experiment) -> list[dict[str, Any]]:
    """The experiment's points, each a ``{dotted key: value}`` dict, in a fixed order."""
    factors = experiment.factors
    if experiment.method == "grid":
        grid = itertools.product(*(levels(f, experiment.n or 2) for f in factors))
        return [dict(zip((f.key for f in factors), combo, strict=True)) for combo in grid]
    sample = unit_sample(experiment)
    columns = [from_unit(f, sample[:, j]) for j, f in enumerate(factors)]
    return [{f.key: columns[j][i] for j, f in enumerate(factors)} for i in range(sample.shape[0])]
