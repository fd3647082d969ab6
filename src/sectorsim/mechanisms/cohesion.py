"""M4 Agenda, cohesion and groupthink (DRIFT2015 §3, phase II; ODD §6 M4).

Cohesion C in [0, 1] closes a share of its gap to 1 each month: ``meeting_rate`` in phase II
(meetings build a shared problem perception, ambition and agenda), ``upkeep_rate`` later while
the team is active. Newcomers bring ``newcomer_cohesion``, so broadening dilutes C. After the team
withdraws C decays by ``decay * C * (1 - min(1, A / A_crit))``: a movement close to critical mass
carries itself. Diversity D is the normalised Simpson index over member categories (each chain
segment's SMEs, large firms, NGOs); groupthink ``G = C (1 - D)`` (cohesive but homogeneous) costs a
share ``groupthink * G`` of each project's learning (DRIFT2015 §4 "Strategische reflectie": ideas
stuck, IMVO read too narrowly).
"""

from __future__ import annotations

import numpy as np

from sectorsim.compiled import kernel


@kernel
def diversity(member_segments: np.ndarray, n_segments: int, large_firms: int, ngos: int) -> float:
    """Normalised Simpson diversity of the coalition, in [0, 1]."""
    counts = np.zeros(n_segments + 2)
    for g in member_segments:
        counts[g] += 1
    counts[n_segments], counts[n_segments + 1] = large_firms, ngos
    total = counts.sum()
    if total <= 1:
        return 0.0
    simpson = 1.0 - np.sum((counts / total) ** 2)
    return simpson / (1.0 - 1.0 / counts.size)


@kernel
def groupthink(cohesion: float, diversity_index: float) -> float:
    return cohesion * (1.0 - diversity_index)


@kernel
def build(cohesion: float, rate: float) -> float:
    """Meetings close a share ``rate`` of the gap to full cohesion."""
    return cohesion + rate * (1.0 - cohesion)


@kernel
def dilute(cohesion: float, members: int, newcomers: int, newcomer_cohesion: float) -> float:
    if members + newcomers == 0:
        return cohesion
    return (members * cohesion + newcomers * newcomer_cohesion) / (members + newcomers)


@kernel
def decay_without_team(
    cohesion: float, adoption: float, critical_mass: float, rate: float
) -> float:
    return cohesion * (1.0 - rate * (1.0 - min(1.0, adoption / critical_mass)))
