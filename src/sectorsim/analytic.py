"""Closed-form results the textbook special cases are tested against.

- Bass (1969) diffusion: dF/dt = (p + qF)(1 - F). Its solution from F(0) = F0 is
  F(t) = (1 - C e^{-(p+q)t}) / (1 + (q/p) C e^{-(p+q)t}) with C = (1 - F0) / (1 + (q/p) F0),
  which for F0 = 0 is the familiar F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}).
- Watts (2002) cascades on random graphs with Poisson degrees: the probability that a single
  seed triggers a global cascade is the size of the extended vulnerable cluster,
  P = 1 - G0(1 - u), where u, the chance that an edge leads into the infinite vulnerable
  cluster, solves u = sum_k (k p_k / z) rho_k (1 - (1 - u)^{k-1}) and rho_k = P(phi <= 1/k)
  (Gleeson & Cahalane 2007 give the same equations).
"""

from __future__ import annotations

import numba
import numpy as np
from scipy import stats

import sectorsim.compiled  # noqa: F401  (sets the cache folder before compiling)


@numba.vectorize(["float64(float64, float64, float64, float64)"], cache=True)
def _bass(p: float, q: float, t: float, f0: float) -> float:
    ratio = q / p
    decay = (1.0 - f0) / (1.0 + ratio * f0) * np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + ratio * decay)


def bass_curve(
    p: float, q: float, t: np.ndarray | float, f0: np.ndarray | float = 0.0
) -> np.ndarray:
    """Bass solution F(t) from F(0) = f0 (vectorised over ``t`` or ``f0``)."""
    return _bass(p, q, t, f0)


@numba.vectorize(["float64(float64, float64, float64)"], cache=True)
def bass_monthly_probability(p: float, q: float, share: float) -> float:
    """Chance that a non-adopter adopts within one month when a share ``share`` has adopted.

    This is the exact one-month transition of the continuous Bass model,
    (F(1 | F0=share) - share) / (1 - share), so the mean-field monthly process follows the closed
    form at every whole month, for any p and q (a first-order step p + q*share would drift from
    it when p + q is not small, and can exceed 1).
    """
    share = min(share, 1.0 - 1e-12)
    return (_bass(p, q, 1.0, share) - share) / (1.0 - share)


def truncated_thresholds(mean: float, sd: float) -> stats.rv_continuous | None:
    """The threshold distribution: normal(mean, sd) truncated to (0, 1]; None when sd = 0."""
    if sd == 0:
        return None
    return stats.truncnorm((0.0 - mean) / sd, (1.0 - mean) / sd, loc=mean, scale=sd)


def vulnerable_probability(k: np.ndarray, mean: float, sd: float) -> np.ndarray:
    """rho_k: chance that a node of degree k adopts after a single adopting neighbour."""
    k = np.asarray(k, dtype=float)
    one_over_k = np.divide(1.0, k, out=np.zeros_like(k), where=k > 0)
    dist = truncated_thresholds(mean, sd)
    rho = (mean <= one_over_k + 1e-12).astype(float) if dist is None else dist.cdf(one_over_k)
    return np.where(k > 0, rho, 0.0)


def watts_cascade_probability(
    mean_degree: float, mean: float, sd: float = 0.0, kmax: int = 400
) -> float:
    """Probability that one random seed triggers a global cascade on a Poisson random graph."""
    if mean_degree <= 0:
        return 0.0
    k = np.arange(kmax + 1)
    pk = stats.poisson.pmf(k, mean_degree)
    rho = vulnerable_probability(k, mean, sd)
    edge_end = k * pk / mean_degree * rho
    u = 1.0
    for _ in range(10_000):
        new = float(np.sum(edge_end[1:] * (1.0 - (1.0 - u) ** (k[1:] - 1))))
        if abs(new - u) < 1e-13:
            break
        u = new
    return float(1.0 - np.sum(pk * (1.0 - u) ** k)) if u > 1e-9 else 0.0


def watts_cascade_window(
    mean: float, sd: float = 0.0, degrees: np.ndarray | None = None
) -> np.ndarray:
    """Mean degrees at which global cascades are possible (the analytic window)."""
    degrees = np.linspace(0.1, 20.0, 400) if degrees is None else degrees
    probs = np.array([watts_cascade_probability(z, mean, sd) for z in degrees])
    return degrees[probs > 0]
