"""M5 Change projects (veranderprojecten; ODD §6 M5; DRIFT2015 §3, phase III; MVOAlliantie-nd
"Stap 3": 6-24 months).

While the team is active and the project channel can pay a grant, each free coalition member
starts a project with monthly probability ``rate * cohesion``; without a grant no project starts
(a grant and co-funding must both be available). A project has radicalness r ~ Beta(mean,
``radicalness_concentration``) and lasts ``min_months + r (max_months - min_months)`` months
(system-breaking projects take longer). Its success probability ``success_base - radical_penalty r
+ support_bonus [NGO support] + funding_bonus [grant]`` is fixed at the start. At the end it adds
``knowledge_gain r`` to the stock of action perspectives K on success and a share
``failure_learning`` of that on failure (room to fail: lessons speed up the next projects), times
(1 - groupthink loss) and times the willingness to share (M7). Participants are at stage 3 while
in a project and stay there after a success (which also makes them visible koplopers); after a
failure or a halt they return to the stage they had.

Projects live in :mod:`sectorsim.components.projects`, one row per project.
"""

from __future__ import annotations

import numpy as np

from sectorsim.compiled import kernel

ACTIVE, SUCCEEDED, FAILED, HALTED = 0, 1, 2, 3


@kernel
def duration(radicalness: float, min_months: int, max_months: int) -> int:
    return int(np.rint(min_months + radicalness * (max_months - min_months)))


@kernel
def success_probability(radicalness: float, supported: bool, funded: bool, p) -> float:
    """Chance of success fixed at the start (``p``: the project parameters)."""
    chance = p.success_base - p.radical_penalty * radicalness + p.support_bonus * supported
    return min(max(chance + p.funding_bonus * funded, 0.0), 1.0)


@kernel
def learning(radicalness: float, succeeded: bool, gain: float, failure_share: float) -> float:
    """Action perspective one finished project adds to K, before losses: in proportion to
    radicalness."""
    return gain * radicalness * (1.0 if succeeded else failure_share)


@kernel
def start_probability(rate: float, cohesion: float) -> float:
    """Monthly chance that a free member starts a project, when a grant is available."""
    return rate * cohesion
