"""SectorModel: the Mesa model of a sector of SMEs moving toward responsible business conduct.

One ``step()`` is one month: the plan of components of :mod:`sectorsim.components` (ODD §3),
compiled; ``run()`` runs every remaining month in one compiled call. The model builds the
components' state, keeps the monthly record, and answers for the run (timeseries, summary).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from sectorsim import __version__
from sectorsim.compiled import Streams, compiled_params
from sectorsim.components import month
from sectorsim.components.schedule import PROGRAMME_LABELS, ProgrammePhase
from sectorsim.config import config_hash
from sectorsim.mechanisms.funding import PODIUM
from sectorsim.mesa_api import MonthlyDataCollector, model_config
from sectorsim.network import build_network
from sectorsim.outputs import (
    MONTHLY_OUTPUTS,
    PHASE_LABELS,
    Phase,
    classify_outcome,
    critical_mass,
    detect_phases,
    phase_starts,
)
from sectorsim.params import Config
from sectorsim.randomness import RandomStreams, as_seed, fresh_seed
from sectorsim.ties import Ties

NAMES = [o.name for o in MONTHLY_OUTPUTS]
#: the labels of the transition and programme phases, by their number
_PHASE_TEXT = np.array([PHASE_LABELS[Phase(k)] for k in range(len(Phase))], dtype=object)
_PROGRAMME_TEXT = np.array(
    [PROGRAMME_LABELS[ProgrammePhase(k)] for k in range(len(ProgrammePhase))], dtype=object
)


class NamedStreamsOnly:
    """Stands in for Mesa's ``random`` and ``rng``: every draw comes from a named stream."""

    def __init__(self, name: str):
        self.name = name

    def __getattr__(self, attribute: str):
        raise AttributeError(
            f"SectorModel.{self.name} is not used: draw from a named stream, "
            "model.streams['<name>'] (see sectorsim.randomness)"
        )


class SectorModel(mesa.Model):
    """A sector of SMEs on a network; ``step()`` = one month.

    ``SectorModel(config, seed=...)``, or with the parameters as keywords (``__`` for the dots of
    a dotted key) over a preset or the defaults, as ``mesa.batch_run`` passes them:
    ``SectorModel(scenario="imvo_samen_veranderen", seed=1, coalition__initial_size=30)``.
    ``datacollector`` holds the monthly outputs (see :mod:`sectorsim.mesa_api`); the state of
    each component is in ``model.sector`` (``model.state`` is the SMEs').
    """

    def __init__(
        self,
        config: Config | None = None,
        seed: int | None = None,
        *,
        scenario: str | None = None,
        **kwargs: Any,
    ):
        config = model_config(config, scenario, kwargs)  # validated
        seed = fresh_seed() if seed is None else as_seed(seed)
        super().__init__(seed=seed)
        self.random = NamedStreamsOnly("random")
        self.rng = NamedStreamsOnly("rng")
        self.config = config
        self.seed = seed
        self.streams = RandomStreams(seed)
        net = config.network
        self.network = build_network(
            net.kind, config.sme.count, net.mean_degree, net.rewiring, self.streams["network"]
        )
        self._params = compiled_params(config)
        self._streams = Streams.of(self.streams)
        self.plan = month.Plan.of(config)
        self.sector = month.build(config, self.streams, Ties.of(self.network))
        self._values = np.zeros((config.months + 1, len(MONTHLY_OUTPUTS)))
        self._programme = np.zeros(config.months + 1, dtype=np.int64)
        month.record(self._params, self.sector, self._values[0])
        self._datacollector: MonthlyDataCollector | None = None
        self._phases: tuple[int, np.ndarray] | None = None  # (months, phases) last detected

    @property
    def datacollector(self) -> MonthlyDataCollector:
        """Mesa's view of the monthly record (built on first use)."""
        if self._datacollector is None:
            self._datacollector = MonthlyDataCollector(self)
        return self._datacollector

    @property
    def state(self):
        """The SMEs' columns (:class:`sectorsim.components.smes.State`)."""
        return self.sector.smes

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.steps

    @property
    def components(self) -> tuple[str, ...]:
        """The components a month runs, in order."""
        return self.plan.names()

    @property
    def knowledge_stock(self) -> float:
        return float(self.sector.environment.knowledge_stock[0])

    @property
    def cohesion(self) -> float:
        return float(self.sector.coalition.cohesion[0])

    @property
    def phase(self) -> ProgrammePhase:
        """The programme phase of the last month."""
        return ProgrammePhase(int(self.sector.programme.phase[0]))

    # ---- running ---------------------------------------------------------------------------
    def _advance(self, t0: int, t1: int) -> None:
        """Months ``t0`` to ``t1 - 1``."""
        if t1 > self.config.months:
            raise RuntimeError(f"the run has reached its horizon of {self.config.months} months")
        self._phases = None
        self._streams.load(self.streams)
        month.advance(
            t0,
            t1,
            self._params,
            self.plan,
            self.sector,
            self._streams,
            self._values,
            self._programme,
        )
        self._streams.store(self.streams)

    def step(self) -> None:
        """Advance one month (Mesa has already counted it in ``steps``)."""
        self._advance(self.steps - 1, self.steps)
        self.running = self.steps < self.config.months

    def run(self) -> SectorModel:
        """Run to the horizon (``months``) in one compiled call."""
        self._advance(self.steps, self.config.months)
        self.steps = self.config.months
        self.running = False
        return self

    # ---- outputs ---------------------------------------------------------------------------
    def series(self, name: str) -> np.ndarray:
        """The recorded values of one monthly output so far."""
        return self._values[: self.steps + 1, NAMES.index(name)]

    def phases(self) -> np.ndarray:
        """The transition phase of every month so far (causal: each from the months before)."""
        if self._phases is None or self._phases[0] != self.steps:
            cfg = self.config
            found = detect_phases(
                self.series("adoption_share"), cfg.phases, cfg.critical_mass_share
            )
            self._phases = (self.steps, found)  # the summary and the timeseries both read them
        return self._phases[1].copy()

    def timeseries(self) -> pd.DataFrame:
        """One row per month recorded so far: month, the monthly outputs and the phases."""
        upto = self.steps + 1
        columns = {"month": np.arange(upto)}
        columns.update(zip(NAMES, self._values[:upto].T, strict=True))
        columns["phase"] = _PHASE_TEXT[self.phases()]
        columns["programme_phase"] = _PROGRAMME_TEXT[self._programme[:upto]]
        return pd.DataFrame(columns)

    def summary(self) -> dict[str, Any]:
        """One record of the run so far (ODD §7)."""
        cfg = self.config
        adoption_share = self.series("adoption_share")
        phases = self.phases()
        cm_month, cm_status = critical_mass(
            adoption_share, cfg.critical_mass_share, cfg.critical_mass_months
        )
        end = cfg.programme.start_month + cfg.programme.duration
        after = cfg.phases.self_carrying_months
        self_carrying = None
        if cfg.programme.enabled and cfg.adoption.rule == "full" and end + after <= self.steps:
            self_carrying = bool(adoption_share[end + after] >= adoption_share[end])
        last = {name: self.series(name)[-1] for name in NAMES}
        spent = self.sector.programme.spent
        return {
            "seed": self.seed,
            "config_hash": config_hash(cfg),
            "version": __version__,
            "months": self.steps,
            "critical_mass_reached": cm_month is not None,
            "critical_mass_month": cm_month,
            "critical_mass_status": cm_status,
            "final_adoption": float(adoption_share[-1]),
            "peak_adoption": float(adoption_share.max()),
            "outcome": classify_outcome(phases, cm_month),
            "self_carrying": self_carrying,
            "peak_coalition_size": int(self.series("coalition_size").max()),
            "final_coalition_size": int(self.state.coalition_member.sum()),
            "projects_succeeded": int(last["projects_succeeded"]),
            "projects_failed": int(last["projects_failed"]),
            "projects_flagged": int(last["projects_flagged"]),
            "knowledge_stock": self.knowledge_stock,
            "large_firm_adoption_share": float(last["large_firm_adoption_share"]),
            "total_spend": float(spent.sum()),
            "podium_spend": float(spent[PODIUM]),
            "euros_per_extra_adopter": None,
            **phase_starts(phases),
        }
