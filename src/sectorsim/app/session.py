"""One workshop participant's simulation: settings, the running model, and its comparisons.

A :class:`WorkshopSession` is plain Python (no Solara), so everything the page does can be tested
without a browser. The run shown is replicate 0 of the seed, exactly what
``sectorsim run <downloaded file> --seed <seed> --reps 1`` computes; "run N replications" runs
replicates 0..N-1 of the same seed. The no-programme baseline uses the same run seed (common
random numbers), so the difference between the two lines is the programme's doing.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sectorsim.app.levers import LEVERS
from sectorsim.batch import replicate_tasks, run_all
from sectorsim.config import (
    ConfigError,
    load_scenario_with_description,
    preset_names,
    to_toml,
)
from sectorsim.design.search import levers_of
from sectorsim.design.spec import SHARES, rebalance
from sectorsim.model import SectorModel
from sectorsim.params import PARAMETERS, Config
from sectorsim.runs import (
    DEFAULT_SEED,
    proportion_interval,
    replicate_seeds,
    without_programme,
)

DEFAULT_PRESET = "imvo_samen_veranderen"
NETWORK_SAMPLE = 150  # SMEs drawn in the network view of a larger sector (few: it redraws monthly)
*FUNDING_SHARES, TEAM_SHARE = SHARES  # two sliders; the team's share is what they leave
FRONTS = Path(__file__).with_name("fronts")  # <preset>.parquet: a design search's front.parquet


@functools.cache
def stored_front(preset: str) -> pd.DataFrame | None:
    """The stored Pareto front of cost against P(critical mass) for ``preset``, if there is one
    (``make reproduce`` stores the front of experiments/design_programme.toml)."""
    path = FRONTS / f"{preset}.parquet"
    return pd.read_parquet(path) if path.is_file() else None


def design_levers(front: pd.DataFrame, design: str) -> dict[str, Any]:
    """The parameter values of one front design (its row's parameter columns)."""
    row = front.index[front["design"] == design]
    if not len(row):
        raise KeyError(f"no design {design!r} on the stored front")
    return levers_of(front, row[0], [key for key in front.columns if key in PARAMETERS])


MAX_SEED = 2**63 - 1


class Refused(ValueError):
    """A value the page's controls cannot send (a crafted message): refused, nothing changed.

    ``what`` names the control for the participant's message; ``allowed`` says what it takes.
    """

    def __init__(self, what: str, value: Any, allowed: str):
        self.what, self.value, self.allowed = what, value, allowed
        super().__init__(f"{what}: {value!r} refused; allowed: {allowed}")


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def lever_value(key: str, value: Any) -> Any:
    """``value`` for lever ``key`` as its control can send it: a switch's true or false, or a
    slider's value (its minimum, maximum and step, from the schema); anything else is
    :class:`Refused`. Returns the value on the slider's grid (an int for an integer lever)."""
    spec = LEVERS.get(key) if isinstance(key, str) else None
    if spec is None:
        raise Refused("lever", key, "one of the levers on the page")
    if spec.type == "bool" or spec.slider is None:
        if not isinstance(value, bool):
            raise Refused(key, value, "on or off")
        return value
    low, high, step = spec.slider
    allowed = f"{low:g} to {high:g} in steps of {step:g}"
    if not _is_number(value) or not low - 1e-9 * step <= value <= high + 1e-9 * step:
        raise Refused(key, value, allowed)
    steps = (value - low) / step
    if abs(steps - round(steps)) > 1e-6:
        raise Refused(key, value, allowed)
    on_grid = low + round(steps) * step
    return int(round(on_grid)) if spec.type == "int" else round(float(on_grid), 10)


def seed_value(seed: Any) -> int:
    """A seed as the seed box can send it: a whole number from 0, else :class:`Refused`."""
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise Refused("seed", seed, f"a whole number from 0 to {MAX_SEED}")
    return seed


class WorkshopSession:
    """The state behind one participant. Thread-safe: the play loop steps in a thread.

    In a workshop room the facilitator sets the round: the preset (then the participant cannot
    change it) and levers locked at a value (then :meth:`set_lever` refuses them, whatever the
    page sends). ``on_change``, if set, is called after every change of settings, run or
    replications (the room uses it to update the facilitator's page).
    """

    def __init__(
        self,
        preset: str = DEFAULT_PRESET,
        seed: int = DEFAULT_SEED,
        locks: dict[str, Any] | None = None,
        preset_fixed: bool = False,
        start: dict[str, Any] | None = None,
    ):
        self.lock = threading.RLock()
        self.on_change: Callable[[], None] | None = None
        if preset not in preset_names():
            raise Refused("preset", preset, "one of " + ", ".join(preset_names()))
        self.preset = preset
        self.seed = seed_value(seed)
        self.locks: dict[str, Any] = dict(locks or {})
        self.preset_fixed = preset_fixed
        self.start = {**(start or {}), **self.locks}  # the overrides the settings start from
        self.overrides: dict[str, Any] = dict(self.start)
        self.previous: np.ndarray | None = None
        self.error: str | None = None
        self.replications: dict[str, Any] | None = None
        self.config, self.description = load_scenario_with_description(preset, self.overrides)
        self.reset()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # ---- settings ------------------------------------------------------------------------------
    @property
    def run_seed(self) -> int:
        """The model seed of replicate 0, as ``sectorsim run --seed`` derives it."""
        return replicate_seeds(self.seed, 1)[0]

    def value(self, key: str) -> Any:
        return self.config.get(key)

    def set_preset(self, name: str) -> None:
        """Start from a preset (one of the page's list, else :class:`Refused`)."""
        names = preset_names()
        if not isinstance(name, str) or name not in names:
            raise Refused("preset", name, "one of " + ", ".join(names))
        if self.preset_fixed and name != self.preset:
            raise Refused("preset", name, f"{self.preset} (set for this round)")
        with self.lock:
            self.preset, self.overrides = name, dict(self.start)
            self._configure()

    def start_round(
        self, preset: str, seed: int, locks: dict[str, Any], start: dict[str, Any]
    ) -> None:
        """Start a round of the room: its preset, seed, locked levers and the overrides the
        settings start from (the locks, and funding shares rebalanced around them); the
        participant's own changes are dropped and the run restarts at month 0."""
        with self.lock:
            start = {**start, **locks}
            config, description = load_scenario_with_description(preset, start)
            self.preset, self.seed, self.locks, self.preset_fixed = preset, seed, dict(locks), True
            self.start, self.overrides = start, dict(start)
            self.config, self.description = config, description
            self.error = None
            self.previous = None
            self.model = None
            self.reset()

    def set_seed(self, seed: int) -> None:
        """Set the seed (a whole number from 0, else :class:`Refused`)."""
        seed = seed_value(seed)
        with self.lock:
            self.seed = seed
            self._configure()

    def set_lever(self, key: str, value: Any) -> None:
        """Set a lever; the run restarts from month 0 with the new settings. A value the
        lever's control cannot send is :class:`Refused` and nothing changes."""
        value = lever_value(key, value)
        if key in self.locks:
            raise Refused(key, value, f"{self.locks[key]!r} (locked for this round)")
        with self.lock:
            updates = {key: value}
            if key in FUNDING_SHARES:
                other = FUNDING_SHARES[1 - FUNDING_SHARES.index(key)]
                if other in self.locks and value + self.locks[other] > 1.0 + 1e-9:
                    allowed = f"at most {1.0 - self.locks[other]:g} (the other share is locked)"
                    raise Refused(key, value, allowed)
                other_value = min(self.value(other), round(1.0 - value, 10))
                updates[other] = other_value
                updates[TEAM_SHARE] = round(1.0 - value - other_value, 10)
            self._configure(updates)

    @property
    def front(self) -> pd.DataFrame | None:
        return stored_front(self.preset)

    def load_design(self, design: str) -> None:
        """Put a design of the stored front into the settings (its levers replace the current
        ones; a funding share it leaves open takes what its shares leave)."""
        front = self.front
        if front is None or not isinstance(design, str) or design not in set(front["design"]):
            raise Refused("design", design, "a design of the stored front")
        levers = design_levers(front, design)
        with self.lock:
            base, _ = load_scenario_with_description(self.preset, self.start)
            values = {k: v for k, v in levers.items() if k not in self.locks}
            values = {**rebalance(values, base), **self.locks}
            if any(k in self.locks for k in FUNDING_SHARES) and TEAM_SHARE in values:
                # a locked share keeps its value: the team's share takes what is left
                values[TEAM_SHARE] = round(
                    1.0 - sum(values.get(k, base.get(k)) for k in FUNDING_SHARES), 10
                )
                if values[TEAM_SHARE] < 0:
                    raise Refused("design", design, "a design that fits the locked funding shares")
            self.overrides = dict(self.start)
            self._configure(values)

    def _configure(self, updates: dict[str, Any] | None = None) -> None:
        overrides = {**self.overrides, **(updates or {})}
        try:
            config, description = load_scenario_with_description(self.preset, overrides)
        except ConfigError as error:
            self.error = str(error)
            return
        self.error = None
        self.overrides, self.config, self.description = overrides, config, description
        self.reset()

    # ---- the run -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Start the run again from month 0; the run so far becomes the 'previous run'."""
        with self.lock:
            model = getattr(self, "model", None)
            if model is not None and model.steps > 0:
                self.previous = model.series("adoption_share").copy()
            self.model = SectorModel(self.config, seed=self.run_seed)
            self.baseline = None
            if self.config.programme.enabled:
                self.baseline = baseline_adoption(without_programme(self.config), self.run_seed)
            self.replications = None
            self.network_view = network_view(self.model, self.run_seed)
        self._changed()

    @property
    def month(self) -> int:
        return self.model.steps

    @property
    def finished(self) -> bool:
        return not self.model.running

    def step(self, months: int = 1) -> None:
        with self.lock:
            for _ in range(months):
                if self.finished:
                    break
                self.model.step()
        self._changed()

    def snapshot(self) -> dict[str, Any]:
        """What the charts need, copied under the lock so the play loop can go on."""
        with self.lock:
            frame = self.model.timeseries()
            return {
                "frame": frame,
                "stage": self.model.state.stage[self.network_view["nodes"]].copy(),
                "network": self.network_view,
                "baseline": self.baseline,
                "previous": self.previous,
                "replications": self.replications,
                "config": self.config,
            }

    def kpis(self) -> dict[str, Any]:
        """The numbers of the KPI cards, for the run so far."""
        with self.lock:
            cfg, model = self.config, self.model
            summary = model.summary()
            adoption = model.series("adoption_share")
            month = model.steps
            spent = summary["total_spend"]
            base_now = None if self.baseline is None else float(self.baseline[month])
            extra = None if base_now is None else (adoption[-1] - base_now) * cfg.sme.count
            return {
                "month": month,
                "critical_mass_month": summary["critical_mass_month"],
                "adoption": float(adoption[-1]),
                "baseline_adoption": base_now,
                "outcome": summary["outcome"],
                "spent": spent,
                "euros_per_extra_adopter": spent / extra if extra and extra > 0 else None,
            }

    # ---- replications --------------------------------------------------------------------------
    def run_replications(
        self,
        n: int,
        progress: Callable[[int], None] | None = None,
        executor: Executor | None = None,
    ) -> dict[str, Any] | None:
        """Run replicates 0..n-1 of the current settings; their band and chance of critical mass.

        The runs go to ``executor`` (a process pool keeps them off the page server's core) or
        run here. Returns None, storing nothing, if the settings changed meanwhile.
        """
        with self.lock:
            config, seed = self.config, self.seed
        runs = run_all(
            replicate_tasks(config, seed, n),
            progress=None if progress is None else lambda done, _: progress(done),
            executor=executor,
        )
        hits = sum(bool(run.values["critical_mass_reached"]) for run in runs)
        spend = float(np.mean([run.values["total_spend"] for run in runs]))
        months = [m for run in runs if (m := run.values["critical_mass_month"]) is not None]
        curves = np.vstack([run.series("adoption_share") for run in runs])
        low, high = proportion_interval(hits, n)
        result = {
            "n": n,
            "hits": hits,
            "p": hits / n,
            "ci": (low, high),
            "median_month": float(np.median(months)) if months else None,
            "mean_spend": spend,
            "p10": np.quantile(curves, 0.1, axis=0),
            "p50": np.quantile(curves, 0.5, axis=0),
            "p90": np.quantile(curves, 0.9, axis=0),
        }
        with self.lock:
            if self.config != config or self.seed != seed:
                return None
            self.replications = result
        self._changed()
        return result

    def changed_levers(self) -> dict[str, Any]:
        """The levers whose value differs from the preset's and the round's locks: what the
        participant changed."""
        with self.lock:
            base = start_config(self.preset, tuple(sorted(self.start.items())))
            return {
                key: self.config.get(key)
                for key in LEVERS
                if key not in self.locks and self.config.get(key) != base.get(key)
            }

    # ---- take it home --------------------------------------------------------------------------
    def scenario_toml(self) -> str:
        """The current settings as a scenario file that ``sectorsim run`` reproduces exactly."""
        changed = ", ".join(f"{k} = {v!r}" for k, v in sorted(self.overrides.items()))
        description = f"{self.preset}" + (f" with {changed}" if changed else "")
        comment = (
            "Saved from the sectorsim workshop app. Every parameter is listed, so this file\n"
            f"reproduces the run exactly: sectorsim run <this file> --seed {self.seed} --reps 1"
        )
        return to_toml(self.config, description, comment)

    def csv(self) -> str:
        """The run so far, one row per month."""
        with self.lock:
            return self.model.timeseries().to_csv(index=False)


@functools.lru_cache(maxsize=64)
def start_config(preset: str, start: tuple[tuple[str, Any], ...]) -> Config:
    """The settings a round starts from (a preset with overrides), read once per round."""
    return load_scenario_with_description(preset, dict(start))[0]


@functools.lru_cache(maxsize=64)
def baseline_adoption(config: Config, seed: int) -> np.ndarray:
    """The adoption curve of a run to the horizon (shared by the sessions that ask for it)."""
    curve = SectorModel(config, seed=seed).run().series("adoption_share").copy()
    curve.flags.writeable = False
    return curve


_VIEWS: dict[tuple[Any, ...], dict[str, Any]] = {}
VIEWS_KEPT = 64


def network_view(model: SectorModel, seed: int) -> dict[str, Any]:
    """The network view of ``model``, built with ``seed`` (its run seed). The network follows
    from the network settings, the number of SMEs and the seed, so sessions with the same sector
    share one view and its layout is computed once."""
    key = (model.config.network, model.config.sme.count, seed)
    view = _VIEWS.get(key)
    if view is None:
        view = network_sample(model, seed)
        if len(_VIEWS) >= VIEWS_KEPT:
            _VIEWS.pop(next(iter(_VIEWS)))
        _VIEWS[key] = view
    return view


def network_sample(model: SectorModel, seed: int) -> dict[str, Any]:
    """The SMEs of the network view (all, or a sample of a large sector), their ties and layout."""
    n = model.state.n
    rng = np.random.default_rng(seed)
    nodes = np.arange(n) if n <= NETWORK_SAMPLE else np.sort(rng.choice(n, NETWORK_SAMPLE, False))
    if model.network.complete:
        edges = np.empty((0, 2), dtype=int)  # full mixing: every pair is tied, nothing to draw
    else:
        sub = model.network.adjacency[nodes][:, nodes]
        upper = np.triu(sub.toarray(), k=1)
        edges = np.argwhere(upper > 0)
    graph = nx.Graph()
    graph.add_nodes_from(range(nodes.size))
    graph.add_edges_from(edges.tolist())
    layout = nx.spring_layout(graph, seed=seed % 2**32, iterations=40)
    positions = np.array([layout[i] for i in range(nodes.size)])
    for shared in (nodes, edges, positions):
        shared.flags.writeable = False  # sessions with the same sector share this view
    return {"nodes": nodes, "edges": edges, "positions": positions, "n": n}
