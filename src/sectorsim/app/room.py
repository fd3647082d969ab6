"""The workshop room: one facilitator, many participants, rounds with a shared question.

A :class:`Room` lives once in the server process (:func:`the_room`). It owns the round (its
number, preset, seed and the levers the facilitator locked at a value) and the participants,
each with a display name and their own :class:`~sectorsim.app.session.WorkshopSession`. A
participant's page holds only its own :class:`Participant`; every change it makes goes to that
participant's session, which refuses a locked lever or another preset, so a crafted message
cannot reach another participant's settings or the round. The facilitator's page reads the
participants' rows (:meth:`Room.rows`) and waits for changes (:meth:`Room.wait`), which
every session reports through its ``on_change``.

Participants are known by a token the server issues in a cookie (:func:`~sectorsim.app.server.issue_token`): a random
nonce signed with the process's secret, so a reload (or a second tab) keeps the participant's
place, and a made-up token is not taken. Plain Python, testable without a browser.
"""

from __future__ import annotations

import csv
import io
import math
import shlex
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sectorsim.app.levers import LEVERS
from sectorsim.app.server import issue_token, valid_token  # noqa: F401 - the room's tokens
from sectorsim.app.session import (
    DEFAULT_PRESET,
    FUNDING_SHARES,
    Refused,
    WorkshopSession,
    lever_value,
    seed_value,
)
from sectorsim.batch import Task, run_all
from sectorsim.config import ConfigError, load_scenario_with_description, preset_names, to_toml
from sectorsim.design.spec import rebalance
from sectorsim.runs import DEFAULT_SEED, replicate_seeds

WORLDS = 20  # plausible worlds of the debrief: particles of the calibration posterior
WORLD_REPLICATIONS = 5  # runs of each programme in each world (the same sectors in every world)
NAME_LENGTH = 40  # characters of a display name
MAX_PARTICIPANTS = 200  # a room refuses newcomers beyond this (a page per token costs memory)


def clean_name(name: Any) -> str:
    """A display name as typed: printable characters only, spaces collapsed, at most
    :data:`NAME_LENGTH` characters; else :class:`Refused`."""
    if not isinstance(name, str):
        raise Refused("name", name, f"text of 1 to {NAME_LENGTH} characters")
    shown = "".join(c for c in name if unicodedata.category(c)[0] not in "CZ" or c == " ")
    shown = " ".join(shown.split())[:NAME_LENGTH]
    if not shown:
        raise Refused("name", name, f"text of 1 to {NAME_LENGTH} characters")
    return shown


@dataclass(frozen=True)
class Round:
    """A round's settings: ``preset`` None is free play (each participant picks a preset)."""

    number: int = 0
    preset: str | None = None
    seed: int = DEFAULT_SEED
    locks: Mapping[str, Any] = field(default_factory=dict)

    def start(self) -> dict[str, Any]:
        """The overrides every participant starts from: the locks, and the funding shares
        that are not locked rebalanced around locked ones, so that the three sum to 1."""
        if self.preset is None:
            return dict(self.locks)
        base, _ = load_scenario_with_description(self.preset)
        return rebalance(dict(self.locks), base)

    def scenario_toml(self) -> str:
        """The round's settings as a scenario file (every parameter) for ``sectorsim run``."""
        preset = self.preset or DEFAULT_PRESET
        config, _ = load_scenario_with_description(preset, self.start())
        locked = ", ".join(f"{k} = {v!r}" for k, v in sorted(self.locks.items())) or "none"
        description = f"Workshop round {self.number}: {preset}, locked levers: {locked}"
        comment = (
            f"The settings of workshop round {self.number}, saved by the facilitator.\n"
            "programmes.csv beside it holds every participant's programme and the command that "
            "reproduces it:\n"
            f"sectorsim run round-{self.number}.toml --seed SEED --reps 1 --set KEY=VALUE ..."
        )
        return to_toml(config, description, comment)


@dataclass
class Participant:
    """One participant of the room: their number, display name and session."""

    number: int
    name: str
    session: WorkshopSession


class Room:
    """The room's round and participants; thread-safe (every page runs in its own thread)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        # the pages' signals have a lock of their own, never held while another is taken: a
        # session reports a change while it holds its own lock, and the room takes sessions'
        # locks while it holds ``lock`` (a new round), so sharing ``lock`` could deadlock
        signal = threading.Lock()
        self.changed = threading.Condition(signal)
        self.round_changed = threading.Condition(signal)
        self.version = 0  # counts every change a facilitator's page shows
        self.round = Round()
        self.participants: dict[str, Participant] = {}
        self.worlds: dict[str, Any] | None = None  # the debrief's chances across worlds

    # ---- changes -------------------------------------------------------------------------------
    def touch(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """The version once it differs from ``seen``, or after ``timeout`` seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    def wait_round(self, seen: int, timeout: float) -> int:
        """The round number once it differs from ``seen``, or after ``timeout`` seconds."""
        with self.round_changed:
            self.round_changed.wait_for(lambda: self.round.number != seen, timeout=timeout)
            return self.round.number

    # ---- participants --------------------------------------------------------------------------
    def join(self, token: str) -> Participant:
        """The participant of ``token``: the one who has it, or a new one with the next number
        (named after it until they give a name) who starts from the current round."""
        with self.lock:
            known = self.participants.get(token)
            if known is not None:
                return known
            if len(self.participants) >= MAX_PARTICIPANTS:
                raise Refused("participant", token, f"at most {MAX_PARTICIPANTS} in a room")
            number = len(self.participants) + 1
            session = self._session(self.round)
            participant = Participant(number, f"#{number}", session)
            self.participants[token] = participant
            session.on_change = self.touch
        self.touch()
        return participant

    def _session(self, round_: Round) -> WorkshopSession:
        if round_.preset is None:
            return WorkshopSession(seed=round_.seed)
        return WorkshopSession(
            round_.preset, round_.seed, dict(round_.locks), preset_fixed=True, start=round_.start()
        )

    def rename(self, participant: Participant, name: Any) -> None:
        """Give ``participant`` a display name (see :func:`clean_name`)."""
        shown = clean_name(name)
        with self.lock:
            participant.name = shown
        self.touch()

    # ---- rounds --------------------------------------------------------------------------------
    def start_round(self, preset: Any, seed: Any, locks: Mapping[str, Any]) -> Round:
        """Start the next round: every participant's page resets to ``preset``, ``seed`` and
        the ``locks`` (lever: value), each value one its slider can send and all of them
        together valid settings; else :class:`Refused` and nothing changes."""
        if not isinstance(preset, str) or preset not in preset_names():
            raise Refused("preset", preset, "one of " + ", ".join(preset_names()))
        seed = seed_value(seed)
        if not isinstance(locks, Mapping):
            raise Refused("locks", locks, "levers and their values")
        checked = {key: lever_value(key, value) for key, value in locks.items()}
        if sum(checked.get(k, 0.0) for k in FUNDING_SHARES) > 1.0 + 1e-9:
            raise Refused("locks", locks, "funding shares that sum to at most 1")
        with self.lock:
            new = Round(self.round.number + 1, preset, seed, checked)
            try:
                start = new.start()
                load_scenario_with_description(preset, start)
            except ConfigError as error:
                raise Refused("locks", locks, f"settings that fit together ({error})") from None
            for participant in self.participants.values():
                participant.session.start_round(preset, seed, checked, start)
            self.round = new
        with self.round_changed:
            self.round_changed.notify_all()
        self.touch()
        return new

    # ---- what the facilitator sees -------------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        """One row per participant: name, changed levers, month, adoption, critical mass and
        when, spend, and the replications' chance of critical mass with its interval."""
        with self.lock:
            participants = list(self.participants.values())
        rows = []
        for participant in participants:
            session = participant.session
            with session.lock:
                kpis = session.kpis()
                band = session.replications
                row = {
                    "number": participant.number,
                    "name": participant.name,
                    "preset": session.preset,
                    "seed": session.seed,
                    "changed": session.changed_levers(),
                    "levers": {key: session.value(key) for key in LEVERS},
                    "overrides": dict(session.overrides),
                    "month": kpis["month"],
                    "adoption": kpis["adoption"],
                    "critical_mass_month": kpis["critical_mass_month"],
                    "spent": kpis["spent"],
                    "replications": None if band is None else band["n"],
                    "p": None if band is None else band["p"],
                    "p_low": None if band is None else band["ci"][0],
                    "p_high": None if band is None else band["ci"][1],
                    "mean_spend": None if band is None else band["mean_spend"],
                }
            rows.append(row)
        return rows

    def best(self, chance: float, rows: list[dict[str, Any]] | None = None) -> dict | None:
        """The cheapest programme (mean spend over its replications) whose chance of critical
        mass is at least ``chance``, or None."""
        rows = self.rows() if rows is None else rows
        good = [r for r in rows if r["p"] is not None and r["p"] >= chance - 1e-12]
        return min(good, key=lambda r: (r["mean_spend"], -r["p"]), default=None)

    # ---- the debrief: plausible worlds ---------------------------------------------------------
    def run_worlds(
        self,
        worlds: list[dict[str, Any]],
        replications: int = WORLD_REPLICATIONS,
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> pd.DataFrame | None:
        """Every programme with replications, run in each of ``worlds`` (``{key: value}`` of
        the behavioural parameters the observations leave open) on the same ``replications``
        sectors: per programme its chance of critical mass pooled over the worlds, the median
        and 10-90% range across them and its robustness (the share of worlds in which the
        chance is at least 0.5), as :func:`sectorsim.experiments.robustness.across_worlds`
        computes them. None if no programme has replications."""
        from sectorsim.experiments.robustness import across_worlds

        with self.lock:
            programmes = [
                (p.number, p.name, p.session.config, p.session.seed)
                for p in self.participants.values()
                if p.session.replications is not None
            ]
            number = self.round.number
        if not programmes or not worlds:
            return None
        tasks = [
            Task(config.updated(world), seed, {"point": point, "world": w}, keep_timeseries=False)
            for point, _, config, base_seed in programmes
            for w, world in enumerate(worlds)
            for seed in replicate_seeds(base_seed, replications)
        ]
        runs = run_all(tasks, progress=progress, executor=executor)
        per_run = pd.DataFrame(
            [{**run.task.keys, "hit": bool(run.values["critical_mass_reached"])} for run in runs]
        )
        per_world = (
            per_run.groupby(["point", "world"])["hit"]
            .mean()
            .rename("p_critical_mass")
            .reset_index()
        )
        table = across_worlds(per_world)
        pooled = per_run.groupby("point")["hit"].mean()
        table["p_pooled"] = table["point"].map(pooled)
        table["name"] = table["point"].map({point: name for point, name, _, _ in programmes})
        table = table.sort_values("p_pooled", ascending=False).reset_index(drop=True)
        with self.lock:
            self.worlds = {"round": number, "worlds": len(worlds), "table": table}
        self.touch()
        return table

    # ---- take it home --------------------------------------------------------------------------
    def programmes_csv(self, rows: list[dict[str, Any]] | None = None) -> str:
        """Every participant's programme: their levers, results and the command that
        reproduces the run they see (with the round's TOML file)."""
        rows = self.rows() if rows is None else rows
        number = self.round.number
        out = io.StringIO()
        fields = ["participant", "name", "round", "preset", "seed", *LEVERS]
        fields += ["month", "adoption", "critical_mass_month", "spent"]
        fields += ["replications", "p_critical_mass", "p_low", "p_high", "mean_spend", "command"]
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        round_start = self.round.start() if self.round.preset else {}
        for row in rows:
            sets = {
                k: v
                for k, v in row["overrides"].items()
                if k not in round_start or round_start[k] != v
            }
            command = ["sectorsim", "run", f"round-{number}.toml", "--seed", str(row["seed"])]
            command += ["--reps", "1"]
            for key, value in sorted(sets.items()):
                command += ["--set", f"{key}={_toml_value(value)}"]
            if row["preset"] != (self.round.preset or DEFAULT_PRESET):
                command = ["#", "another preset:", row["preset"], *command]
            writer.writerow(
                {
                    "participant": row["number"],
                    "name": row["name"],
                    "round": number,
                    "preset": row["preset"],
                    "seed": row["seed"],
                    **row["levers"],
                    "month": row["month"],
                    "adoption": row["adoption"],
                    "critical_mass_month": row["critical_mass_month"],
                    "spent": row["spent"],
                    "replications": row["replications"],
                    "p_critical_mass": row["p"],
                    "p_low": row["p_low"],
                    "p_high": row["p_high"],
                    "mean_spend": row["mean_spend"],
                    "command": shlex.join(command),
                }
            )
        return out.getvalue()

    def download(self) -> bytes:
        """The round as one zip file: ``round-N.toml`` (its settings) and ``programmes.csv``."""
        number = self.round.number
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"round-{number}.toml", self.round.scenario_toml())
            archive.writestr("programmes.csv", self.programmes_csv())
        return buffer.getvalue()


def _toml_value(value: Any) -> str:
    """A value as ``--set`` reads it (TOML: true/false, numbers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return str(value)


def plausible_worlds(count: int = WORLDS) -> list[dict[str, Any]] | None:
    """``count`` particles of the calibration posterior that ships with sectorsim (the worlds an
    experiment's ``[uncertainty]`` table draws by default), or None where it is missing."""
    from sectorsim.experiments.worlds import (
        WORLD_SEED,
        draw_particles,
        read_posterior,
        shipped_posterior,
    )

    file = shipped_posterior()
    if not file.is_file():
        return None
    keys, values, weights, _ = read_posterior(file, "the calibration posterior", "posterior")
    return draw_particles(keys, values, weights, count, WORLD_SEED)


_ROOM = Room()


def the_room() -> Room:
    """The server process's room."""
    return _ROOM
