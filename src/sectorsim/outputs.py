"""Outputs: the registry of monthly outputs, phase detection and the run summary (ODD §6
transition phases and outcome, ODD §7).

Each monthly output is declared once in :data:`MONTHLY_OUTPUTS`; the recorder, the timeseries
columns, the plots and the docs read that list.

Phase detection runs on the trailing moving average A(t) of the adoption share and is causal
(each month's phase uses only the months before it), so it can be shown live:
predevelopment while A < takeoff_share (or not growing); take-off from A >= takeoff_share while
growing; acceleration from critical mass; stabilisation once growth has stayed below
``growth_min`` for ``stable_months`` after acceleration; setback while A lies more than
``setback_drop`` (a share of the peak) below its peak, before critical mass.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from sectorsim.params import PhaseParams


@dataclass(frozen=True)
class Output:
    name: str
    label: str
    label_nl: str
    unit: str


MONTHLY_OUTPUTS: tuple[Output, ...] = (
    Output("adoption_share", "Adoption (stage >= adopted stage)", "Adoptie", "share of SMEs"),
    Output("stage_share_0", "Business as usual", "Business as usual", "share of SMEs"),
    Output("stage_share_1", "Orienting", "Oriënterend", "share of SMEs"),
    Output("stage_share_2", "Implementing", "Implementerend", "share of SMEs"),
    Output("stage_share_3", "Innovating", "Innoverend", "share of SMEs"),
    Output("koploper_count", "Koplopers", "Koplopers", "firms"),
    Output("coalition_size", "Coalition members", "Coalitieleden", "SMEs"),
    Output("cohesion", "Coalition cohesion", "Binding coalitie", "[0,1]"),
    Output("projects_active", "Active projects", "Lopende projecten", "projects"),
    Output(
        "projects_succeeded", "Projects succeeded", "Geslaagde projecten", "projects (cumulative)"
    ),
    Output(
        "projects_failed",
        "Projects failed or halted",
        "Mislukte projecten",
        "projects (cumulative)",
    ),
    Output(
        "projects_flagged",
        "Projects flagged for cartel risk",
        "Kartelvlaggen",
        "projects (cumulative)",
    ),
    Output("knowledge_stock", "Action perspectives K", "Handelingsperspectieven K", "K"),
    Output("budget_spent", "Budget spent", "Besteed budget", "EUR (cumulative)"),
    Output(
        "budget_spent_vouchers", "Spent on vouchers", "Besteed aan vouchers", "EUR (cumulative)"
    ),
    Output(
        "budget_spent_projects",
        "Spent on project grants",
        "Besteed aan projecten",
        "EUR (cumulative)",
    ),
    Output("budget_spent_team", "Spent on team capacity", "Besteed aan team", "EUR (cumulative)"),
    Output(
        "large_firm_adoption_share",
        "Large firms adopted",
        "Grote bedrijven geadopteerd",
        "share of large firms",
    ),
    Output("mean_pressure", "Mean pressure on SMEs", "Gemiddelde druk", "[0,1]"),
    Output("public_pressure", "Public pressure", "Publieke druk", "[0,1]"),
    Output("budget_spent_podium", "Spent on the podium", "Besteed aan podium", "EUR (cumulative)"),
    Output("podium", "Podium visibility in force", "Podium van kracht", "share of visibility"),
)


def column(name: str) -> int:
    """The position of a monthly output in the record."""
    return [o.name for o in MONTHLY_OUTPUTS].index(name)


class Phase(IntEnum):
    PREDEVELOPMENT = 0
    TAKE_OFF = 1
    ACCELERATION = 2
    STABILISATION = 3
    SETBACK = 4

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.PREDEVELOPMENT: "predevelopment",
    Phase.TAKE_OFF: "take-off",
    Phase.ACCELERATION: "acceleration",
    Phase.STABILISATION: "stabilisation",
    Phase.SETBACK: "setback",
}

OUTCOMES = ("no take-off", "setback", "take-off", "critical mass", "stabilised")


class PhaseTracker:
    """Causal transition-phase detection on the smoothed adoption share."""

    def __init__(self, params: PhaseParams, critical_mass_share: float):
        self.params = params
        self.critical_mass_share = critical_mass_share
        self.window: deque[float] = deque(maxlen=params.smoothing_months)
        self.phase = Phase.PREDEVELOPMENT
        self.smoothed = None
        self.peak = 0.0
        self.slow_months = 0

    def update(self, adoption: float) -> Phase:
        p = self.params
        self.window.append(adoption)
        smoothed = sum(self.window) / len(self.window)
        growth = 0.0 if self.smoothed is None else smoothed - self.smoothed
        self.smoothed = smoothed
        self.peak = max(self.peak, smoothed)

        if self.phase in (Phase.PREDEVELOPMENT, Phase.TAKE_OFF, Phase.SETBACK):
            fallen = self.peak >= p.takeoff_share and smoothed < (1.0 - p.setback_drop) * self.peak
            if smoothed >= self.critical_mass_share:
                self.phase = Phase.ACCELERATION
            elif fallen:
                self.phase = Phase.SETBACK
            elif self.phase == Phase.SETBACK:
                self.phase = Phase.TAKE_OFF if smoothed >= p.takeoff_share else Phase.PREDEVELOPMENT
            elif self.phase == Phase.PREDEVELOPMENT and smoothed >= p.takeoff_share and growth > 0:
                self.phase = Phase.TAKE_OFF
        elif self.phase == Phase.ACCELERATION:
            self.slow_months = self.slow_months + 1 if growth < p.growth_min else 0
            if self.slow_months >= p.stable_months:
                self.phase = Phase.STABILISATION
        return self.phase


def detect_phases(
    adoption: np.ndarray, params: PhaseParams, critical_mass_share: float
) -> np.ndarray:
    """Phase codes for a whole adoption series (same as tracking it month by month)."""
    tracker = PhaseTracker(params, critical_mass_share)
    return np.array([tracker.update(float(a)) for a in adoption], dtype=np.int8)


def first_month(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def critical_mass(adoption: np.ndarray, share: float, months: int) -> tuple[int | None, str]:
    """(month, status) of sustained critical mass: the first month that starts a stretch of
    ``months`` months at or above ``share``. Status ``"reached"``; else ``"pending"`` when the
    series ends inside a stretch not yet that long, or ``"censored"``: neither is "never", only
    "not by the horizon"."""
    above = np.asarray(adoption) >= share
    window = np.convolve(above, np.ones(months, dtype=np.int64), mode="valid")
    hits = np.flatnonzero(window == months)
    if hits.size:
        return int(hits[0]), "reached"
    return None, "pending" if above.size and above[-1] else "censored"


def median_month(months) -> float | None:
    """Median month of critical mass over runs, censoring-aware: a run that did not reach it by
    the horizon (None or NaN) counts as later than every run that did; None when at least half
    did not reach it."""
    values = np.array([np.inf if m is None else float(m) for m in months], dtype=float)
    values[np.isnan(values)] = np.inf
    if values.size == 0:
        return None
    median = float(np.median(values))
    return median if np.isfinite(median) else None


def classify_outcome(phases: np.ndarray, critical_mass_month: int | None) -> str:
    """The outcome class of a run (ODD §6, transition phases and outcome)."""
    if (phases == Phase.STABILISATION).any():
        return "stabilised"
    if critical_mass_month is not None:
        return "critical mass"
    if (phases == Phase.SETBACK).any():
        return "setback"
    if (phases == Phase.TAKE_OFF).any():
        return "take-off"
    return "no take-off"


def phase_starts(phases: np.ndarray) -> dict[str, int | None]:
    """Month each phase is first entered (None if never)."""
    return {
        f"phase_start_{PHASE_LABELS[ph].replace('-', '_')}": first_month(phases == ph)
        for ph in Phase
    }
