"""SectorModel: the Mesa model of a sector of SMEs moving toward responsible business conduct.

One ``step()`` is one month, in the order of MODEL_SPEC §3. The SME part (step 6) is vectorised
over all SMEs: imitation (M2), individual adoption (M1) and relapse (M11) are computed from the
state at the start of the month and applied at once (synchronous update).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from sectorsim import __version__
from sectorsim.agents import SME
from sectorsim.config import config_hash
from sectorsim.mechanisms import adoption, imitation, relapse
from sectorsim.network import build_network
from sectorsim.outputs import (
    MONTHLY_OUTPUTS,
    PHASE_LABELS,
    PhaseTracker,
    classify_outcome,
    first_month,
    phase_starts,
)
from sectorsim.params import Config
from sectorsim.randomness import RandomStreams, fresh_seed
from sectorsim.state import Stage, initial_state

ADOPTER_STAGE = int(Stage.IMPLEMENTING)  # where the textbook rules put an adopter


class SectorModel(mesa.Model):
    """A sector of SMEs on a network. ``SectorModel(config, seed=...)``; ``step()`` = one month."""

    def __init__(self, config: Config | None = None, seed: int | None = None):
        config = config or Config()
        seed = fresh_seed() if seed is None else int(seed)
        super().__init__(seed=seed)
        self.config = config
        self.seed = seed
        self.streams = RandomStreams(seed)
        n = config.sme.count

        net = config.network
        self.network = build_network(
            net.kind, n, net.mean_degree, net.rewiring, self.streams["network"]
        )
        self.state = initial_state(config, self.streams["population"])
        self.knowledge_stock = 0.0
        self._seed_adopters()
        self.smes = SME.create_agents(self, n, index=list(range(n)))

        self._values = np.zeros((config.months + 1, len(MONTHLY_OUTPUTS)))
        self._phases = np.zeros(config.months + 1, dtype=np.int8)
        self._tracker = PhaseTracker(config.phases, config.critical_mass_share)
        self._record()

    @property
    def month(self) -> int:
        return self.steps

    def _seed_adopters(self) -> None:
        """Initial adopters: drawn by koploper score (full rule) or uniformly (textbook rules)."""
        cfg, s = self.config.adoption, self.state
        if cfg.initial_adopters == 0:
            return
        weights = None
        if cfg.rule == "full":
            score = s.koploper_score()
            weights = score / score.sum()
        chosen = self.streams["seeding"].choice(
            s.n, size=cfg.initial_adopters, replace=False, p=weights
        )
        s.stage[chosen] = (
            ADOPTER_STAGE if cfg.rule != "full" else max(cfg.adopted_stage, ADOPTER_STAGE)
        )
        if cfg.rule == "full":
            s.koploper[chosen] = True

    # ---- one month -------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month (MODEL_SPEC §3; programme mechanisms M3-M10 slot in before step 6)."""
        rule = self.config.adoption.rule
        if rule == "full":
            self._sme_step_full()
        else:
            self._sme_step_textbook(rule)
        self._record()
        if self.steps >= self.config.months:
            self.running = False

    def _sme_step_full(self) -> None:
        c, s, n = self.config, self.state, self.state.n
        up_draw = self.streams["adoption"].random(n)
        down_draw = self.streams["relapse"].random(n)

        if c.mechanisms.imitation:
            weight = imitation.visibility_weight(s.koploper, c.podium.visibility)
            ahead = imitation.peers_ahead(
                s.stage, weight, self.network, s.segment, c.sme.segments, c.imitation.segment_weight
            )
            social = imitation.imitation_signal(ahead, s.threshold, c.imitation.rule)
        else:
            social = np.zeros(n)
        utility = adoption.adoption_utility(
            s.stage,
            s.motivation,
            social,
            s.pressure,
            self.knowledge_stock,
            s.subsidy,
            s.resources,
            c.adoption,
        )
        up = up_draw < adoption.step_up_probability(
            utility, s.stage, s.in_project, c.adoption.dwell
        )

        if c.mechanisms.relapse:
            peers = self.network.neighbour_share(s.stage >= c.adoption.adopted_stage)
            supported = s.coalition_member | s.in_project
            p_down = relapse.relapse_probability(
                s.stage, peers, s.pressure, supported, c.relapse.rate
            )
            down = ~up & (down_draw < p_down)
        else:
            down = np.zeros(n, dtype=bool)

        s.stage[up] += 1
        s.stage[down] = Stage.BUSINESS_AS_USUAL

    def _sme_step_textbook(self, rule: str) -> None:
        c, s = self.config.adoption, self.state
        adopted = s.stage >= ADOPTER_STAGE
        share = self.network.neighbour_share(adopted)
        if rule == "bass":
            draw = self.streams["adoption"].random(s.n)
            new = draw < adoption.bass_probability(share, adopted, c.p, c.q)
        else:
            new = adoption.threshold_reached(share, adopted, s.threshold, self.network.degree)
        s.stage[new] = ADOPTER_STAGE

    def run(self) -> SectorModel:
        """Run to the horizon (``months``)."""
        while self.running:
            self.step()
        return self

    # ---- outputs ---------------------------------------------------------------------------
    def _measure(self) -> dict[str, float]:
        s = self.state
        stage_share = np.bincount(s.stage, minlength=4) / s.n
        values = {f"stage_share_{k}": stage_share[k] for k in range(4)}
        values["adoption_share"] = stage_share[self.config.adoption.adopted_stage :].sum()
        values["koploper_count"] = float(s.koploper.sum())
        return values

    def _record(self) -> None:
        values = self._measure()
        month = self.steps
        self._values[month] = [values[o.name] for o in MONTHLY_OUTPUTS]
        self._phases[month] = self._tracker.update(values["adoption_share"])

    def timeseries(self) -> pd.DataFrame:
        """One row per month recorded so far: month, the monthly outputs and the phase."""
        upto = self.steps + 1
        frame = pd.DataFrame(self._values[:upto], columns=[o.name for o in MONTHLY_OUTPUTS])
        frame.insert(0, "month", np.arange(upto))
        frame["phase"] = [PHASE_LABELS[p] for p in self._phases[:upto]]
        return frame

    def summary(self) -> dict[str, Any]:
        """One record of the run so far (MODEL_SPEC §5)."""
        upto = self.steps + 1
        adoption_share = self._values[:upto, 0]
        phases = self._phases[:upto]
        cm_month = first_month(adoption_share >= self.config.critical_mass_share)
        return {
            "seed": self.seed,
            "config_hash": config_hash(self.config),
            "version": __version__,
            "months": self.steps,
            "critical_mass_reached": cm_month is not None,
            "critical_mass_month": cm_month,
            "final_adoption": float(adoption_share[-1]),
            "peak_adoption": float(adoption_share.max()),
            "outcome": classify_outcome(phases, cm_month),
            **phase_starts(phases),
        }
