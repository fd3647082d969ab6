"""What a Mesa user expects of a model: keyword parameters and a ``datacollector``.

``SectorModel(scenario="imvo_samen_veranderen", seed=1, coalition__initial_size=30)`` takes the
parameters of the schema as flat keywords, ``__`` standing for the dot of a dotted key, so that
``mesa.batch_run(SectorModel, parameters={...})`` can vary them. ``model.datacollector`` is a
:class:`mesa.DataCollector` whose model variables are the monthly outputs: the model records
them itself every month, and the collector reads them from that record when asked (its
``collect`` has nothing left to do for them), so it costs a run nothing.
"""

from __future__ import annotations

from typing import Any

import mesa

from sectorsim.config import ConfigError, load_scenario, validate
from sectorsim.outputs import MONTHLY_OUTPUTS
from sectorsim.params import Config

SOURCE = "SectorModel"


def dotted(keyword: str) -> str:
    """``coalition__initial_size`` -> ``coalition.initial_size``."""
    return keyword.replace("__", ".")


def model_config(config: Config | None, scenario: str | None, keywords: dict[str, Any]) -> Config:
    """The configuration of ``SectorModel(config, scenario=..., **keywords)``: the scenario (or
    ``config``, or the schema's defaults) with the keyword parameters over it, validated."""
    overrides = {dotted(k): v for k, v in keywords.items()}
    if config is not None and scenario is not None:
        raise ConfigError(SOURCE, "scenario", scenario, problem="given together with a config")
    if scenario is not None:
        return load_scenario(scenario, overrides)
    config = config if config is not None else Config()
    if not isinstance(config, Config):
        raise ConfigError(
            SOURCE,
            "config",
            type(config).__name__,
            problem="wrong type",
            allowed="a sectorsim Config (see sectorsim.load_scenario)",
        )
    if not overrides:
        return config
    return validate({**config.flat(), **overrides}, dict.fromkeys(overrides, SOURCE), SOURCE)


class MonthlyDataCollector(mesa.DataCollector):
    """A DataCollector over the model's own monthly record: ``model_vars[name][t]`` is the value
    of output ``name`` in month ``t`` (t = 0 is the state before the first step), the same
    numbers as ``model.timeseries()``."""

    def __init__(self, model: mesa.Model):  # a SectorModel
        self._model = model
        self._cache: tuple[int, dict[str, list[Any]]] | None = None
        columns = [o.name for o in MONTHLY_OUTPUTS] + ["phase", "programme_phase"]
        super().__init__(model_reporters={name: _Column(name) for name in columns})
        self._cache = None  # DataCollector.__init__ wrote empty lists into the record's view

    @property
    def model_vars(self) -> dict[str, list[Any]]:
        steps = self._model.steps
        if self._cache is None or self._cache[0] != steps:
            frame = self._model.timeseries()
            self._cache = (
                steps,
                {name: frame[name].tolist() for name in self.model_reporters},
            )
        return self._cache[1]

    @model_vars.setter
    def model_vars(self, value: dict[str, list[Any]]) -> None:
        """Ignored: the model keeps the record (DataCollector.__init__ assigns an empty one)."""

    def collect(self, model: mesa.Model) -> None:
        """Agent reporters, if any were added; the monthly outputs are recorded by the model."""
        reporters, self.model_reporters = self.model_reporters, {}
        try:
            super().collect(model)
        finally:
            self.model_reporters = reporters


class _Column:
    """A model reporter naming one monthly output (the values come from the model's record)."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, model: mesa.Model) -> Any:
        return model.timeseries()[self.name].iloc[-1]
