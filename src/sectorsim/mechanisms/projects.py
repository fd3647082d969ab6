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

Projects live in a :class:`ProjectBook` of preallocated columns, one row per project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sectorsim.params import ProjectParams

ACTIVE, SUCCEEDED, FAILED, HALTED = 0, 1, 2, 3


def duration(radicalness: np.ndarray, min_months: int, max_months: int) -> np.ndarray:
    return np.rint(min_months + radicalness * (max_months - min_months)).astype(np.int32)


def success_probability(
    radicalness: np.ndarray,
    supported: np.ndarray,
    funded: np.ndarray,
    params: ProjectParams,
) -> np.ndarray:
    p = params
    chance = p.success_base - p.radical_penalty * radicalness + p.support_bonus * supported
    return np.clip(chance + p.funding_bonus * funded, 0.0, 1.0)


def learning(
    radicalness: np.ndarray,
    succeeded: np.ndarray,
    gain: float,
    failure_share: float,
    retained: float,
) -> float:
    """Action perspective the finished projects add to K: in proportion to radicalness."""
    per_project = gain * radicalness * np.where(succeeded, 1.0, failure_share)
    return float(per_project.sum() * retained)


def start_probability(rate: float, cohesion: float) -> float:
    """Monthly chance that a free member starts a project, when a grant is available."""
    return rate * cohesion


@dataclass
class ProjectBook:
    """All change projects of a run as columns (grown by doubling)."""

    capacity: int = 64
    count: int = 0
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    SCHEMA = {
        "start": np.int32,
        "end": np.int32,
        "radicalness": np.float64,
        "success_probability": np.float64,
        "status": np.int8,
        "flagged": np.bool_,
        "supported": np.bool_,
        "grant": np.float64,
        "large_firm": np.int32,  # index of a large-firm partner, -1 if none
        "segment": np.int32,  # the starter's chain segment
    }

    def __post_init__(self) -> None:
        self.columns = {name: np.zeros(self.capacity, dtype=t) for name, t in self.SCHEMA.items()}

    def __getattr__(self, name: str) -> np.ndarray:
        columns = self.__dict__.get("columns", {})
        if name in columns:
            return columns[name][: self.count]
        raise AttributeError(name)

    def add(self, **values: np.ndarray) -> np.ndarray:
        """Append projects (one row per element); return their ids."""
        k = len(values["start"])
        while self.count + k > self.capacity:
            self.capacity *= 2
            for name, col in self.columns.items():
                grown = np.zeros(self.capacity, dtype=col.dtype)
                grown[: self.count] = col[: self.count]
                self.columns[name] = grown
        ids = np.arange(self.count, self.count + k)
        for name, col in self.columns.items():
            col[ids] = values.get(name, 0)
        self.count += k
        return ids

    def active(self) -> np.ndarray:
        return np.flatnonzero(self.status == ACTIVE)

    def tally(self) -> dict[str, int]:
        status = self.status
        return {
            "projects_active": int((status == ACTIVE).sum()),
            "projects_succeeded": int((status == SUCCEEDED).sum()),
            "projects_failed": int((status == FAILED).sum()) + int((status == HALTED).sum()),
            "projects_flagged": int(self.flagged.sum()),
        }
