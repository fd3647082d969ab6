"""The reference: the Bass adoption and imitation rule as most users of Mesa would write it.

One Mesa agent per SME; each month every agent, in random order (``shuffle_do``), loops over its
neighbours to count the adopters and draws whether it adopts; a second pass commits the month's
decisions, so that, as in sectorsim, every decision of a month sees the state at its start. The
rule and its monthly probability are sectorsim's (:func:`sectorsim.analytic.bass_monthly_probability`),
on the same network, so both models must give the same adoption curve in distribution.
"""

from __future__ import annotations

import mesa
import numpy as np

from sectorsim.analytic import bass_monthly_probability


class Firm(mesa.Agent):
    def __init__(self, model: ReferenceModel, neighbours: list[int]):
        super().__init__(model)
        self.neighbours = neighbours
        self.adopted = False
        self.adopts_now = False

    def step(self) -> None:
        if self.adopted:
            return
        firms = self.model.firms
        adopters = 0
        for other in self.neighbours:
            adopters += firms[other].adopted
        share = adopters / len(self.neighbours) if self.neighbours else 0.0
        probability = bass_monthly_probability(self.model.p, self.model.q, share)
        self.adopts_now = self.random.random() < probability

    def advance(self) -> None:
        if self.adopts_now:
            self.adopted, self.adopts_now = True, False


class ReferenceModel(mesa.Model):
    def __init__(self, adjacency, p: float, q: float, seed: int):
        super().__init__(seed=seed)
        self.p, self.q = p, q
        rows = np.split(adjacency.indices, adjacency.indptr[1:-1])
        self.firms = [Firm(self, row.tolist()) for row in rows]
        self.curve = [0.0]

    def step(self) -> None:
        self.agents.shuffle_do("step")
        self.agents.do("advance")
        self.curve.append(sum(f.adopted for f in self.firms) / len(self.firms))
