"""The programme's phases by month (DRIFT2015 §3): I preparation, II agenda setting, then III
execution, with IV broadening alongside from ``broadening.start_month``, until the team
withdraws."""

from __future__ import annotations

from enum import IntEnum

from sectorsim.compiled import kernel


class ProgrammePhase(IntEnum):
    """Phases of the sector transition approach (DRIFT2015 §3); III and IV run in parallel."""

    NONE = 0
    PREPARATION = 1
    AGENDA = 2
    EXECUTION = 3
    BROADENING = 4  # execution and broadening together
    WITHDRAWN = 5


PROGRAMME_LABELS = {
    ProgrammePhase.NONE: "no programme",
    ProgrammePhase.PREPARATION: "I preparation",
    ProgrammePhase.AGENDA: "II agenda setting",
    ProgrammePhase.EXECUTION: "III execution",
    ProgrammePhase.BROADENING: "III+IV execution and broadening",
    ProgrammePhase.WITHDRAWN: "team withdrawn",
}

NONE, PREPARATION, AGENDA, EXECUTION, BROADENING, WITHDRAWN = (int(p) for p in ProgrammePhase)


@kernel
def programme_phase(t: int, p) -> int:
    """The programme phase in month ``t`` (0 = the first simulated month)."""
    prog = p.programme
    if not prog.enabled:
        return NONE
    rel = t - prog.start_month
    execution_from = prog.preparation_months + prog.agenda_months
    if rel < 0:
        return NONE
    if rel >= prog.duration:
        return WITHDRAWN
    if rel < prog.preparation_months:
        return PREPARATION
    if rel < execution_from:
        return AGENDA
    if rel >= max(p.broadening.start_month, execution_from) and p.mechanisms.broadening:
        return BROADENING
    return EXECUTION


@kernel
def team_active(phase: int) -> bool:
    """Whether the sector team works in this phase (I to IV)."""
    return PREPARATION <= phase <= BROADENING
