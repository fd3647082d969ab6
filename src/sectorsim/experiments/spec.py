"""Experiment files: what to vary, how to sample it, how often to replicate.

An experiment is a TOML file with four tables::

    [experiment]   name, scenario, replications, seed, and optionally months and baseline
                   (true: each run also runs without the programme, same seed, for the euros
                   per extra adopter)
    [set]          fixed overrides, dotted keys (as in scenario files)
    [factors]      dotted key = [values]              (a list: full factorial in a grid)
                   dotted key = {min = .., max = ..}  (a range; optional log = true, integer = true)
    [sampling]     method = "grid" | "lhs" | "sobol" | "morris", and n

Every value is checked against the parameter schema through the scenario it starts from; the first
problem is a :class:`~sectorsim.config.ConfigError` naming the file, the key, the value and what is
allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sectorsim.config import (
    COMMAND_LINE,
    ConfigError,
    flatten,
    load_scenario,
    read_text,
    resolve,
)
from sectorsim.params import PARAMETERS, SECTIONS, Config

METHODS = ("grid", "lhs", "sobol", "morris")
TABLES = ("experiment", "set", "factors", "sampling")
EXPERIMENT_KEYS = {
    "name": str,
    "scenario": str,
    "replications": int,
    "seed": int,
    "months": int,
    "baseline": bool,
}
RANGE_KEYS = {"min", "max", "log", "integer"}
NAME_LENGTH = 100
MAX_COUNT = 1_000_000  # replications or samples in one file: more is a typo
QUICK = {"replications": 2, "sme.count": 200, "lhs": 12, "sobol": 8, "morris": 4, "grid_levels": 2}


@dataclass(frozen=True)
class Factor:
    """One varied parameter: a list of values, or a range [low, high] (log and/or integer)."""

    key: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return self.values is None


@dataclass(frozen=True)
class Experiment:
    name: str
    scenario: str
    replications: int
    seed: int
    months: int | None
    fixed: dict[str, Any]
    factors: tuple[Factor, ...]
    method: str
    n: int | None
    source: str
    text: str
    quick: bool = False
    baseline: bool = False

    @property
    def hash(self) -> str:
        return file_hash(self.text, self.quick)

    def overrides(self, point: dict[str, Any]) -> dict[str, Any]:
        """The dotted-key overrides of one point: fixed values, the horizon, then the factors."""
        values = dict(self.fixed)
        if self.months is not None:
            values["months"] = self.months
        values.update(point)
        return values

    def config(self, point: dict[str, Any]) -> Config:
        return load_scenario(self.scenario, self.overrides(point))

    def shrunk(self) -> Experiment:
        """The ``--quick`` version: fewer points, replications and SMEs, for smoke tests and CI."""
        fixed = dict(self.fixed)
        count = self.config({}).sme.count
        fixed["sme.count"] = min(count, QUICK["sme.count"])
        factors = tuple(
            replace(f, values=(f.values[0], f.values[-1])) if f.values and len(f.values) > 2 else f
            for f in self.factors
            if f.key != "sme.count"
        )
        if self.method == "grid":
            n = min(self.n, QUICK["grid_levels"]) if self.n else None
        else:
            n = min(self.n, QUICK[self.method])
        return replace(
            self,
            fixed=fixed,
            factors=factors,
            n=n,
            replications=min(self.replications, QUICK["replications"]),
            quick=True,
        )


def file_hash(text: str, quick: bool) -> str:
    """Fingerprint of a file's text and the quick flag: what a results folder belongs to."""
    digest = hashlib.sha256(text.encode())
    digest.update(b"quick" if quick else b"full")
    return digest.hexdigest()[:16]


def read_tables(
    text: str, source: str, tables: tuple[str, ...], required: tuple[str, ...]
) -> dict[str, Any]:
    """A file's TOML: only ``tables`` at the top, each of ``required`` present as a table."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, None, problem=f"not valid TOML ({exc})") from None
    for table in raw:
        if table not in tables:
            raise unknown_key(source, table, raw[table], list(tables))
    for table in required:
        if not isinstance(raw.get(table), dict):
            raise ConfigError(
                source, table, None, problem="missing table", allowed=f"a [{table}] table"
            )
    return raw


def unknown_key(source: str, key: str, value: Any, known: list[str]) -> ConfigError:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"unknown key; did you mean '{close[0]}'?" if close else "unknown key"
    return ConfigError(source, key, value, problem=hint, allowed=", ".join(known))


def factor_items(
    table: dict[str, Any], source: str, name: str = "factors", section: str = ""
) -> list[tuple[str, Any]]:
    """A ``[factors]`` table (or another of the same form, ``name``) as (dotted key, list or range
    table) pairs, in file order."""
    items = []
    for part, value in table.items():
        key = section + part
        if key in PARAMETERS:
            items.append((key, value))
        elif isinstance(value, dict) and key in SECTIONS:
            items.extend(factor_items(value, source, name, key + "."))
        else:
            raise unknown_key(
                source,
                f"{name}.{key}",
                None if isinstance(value, dict) else value,
                ["a parameter key, see `sectorsim params`"],
            )
    return items


def parse_factor(
    key: str, value: Any, source: str, experiment: dict[str, Any], name: str = "factors"
) -> Factor:
    """One factor (``[name]`` table entry) checked against the schema: a list or a range."""
    where = f"{name}.{key}"
    spec = PARAMETERS[key]
    if isinstance(value, list):
        if not value:
            raise ConfigError(
                source, where, value, problem="empty list", allowed="at least one value"
            )
        for v in value:
            check_value(source, where, key, v, experiment)
        return Factor(key, values=tuple(value))
    if isinstance(value, dict):
        extra = set(value) - RANGE_KEYS
        if extra or not {"min", "max"} <= set(value):
            raise ConfigError(
                source,
                where,
                value,
                problem="not a range",
                allowed="{min = ..., max = ...} with optional log = true, integer = true",
            )
        if spec.type not in ("int", "float"):
            raise ConfigError(
                source,
                where,
                value,
                problem=f"a range for a {spec.type} parameter",
                allowed=f"a list of values: {spec.allowed()}",
            )
        for option in ("min", "max"):
            bound = value[option]
            if not isinstance(bound, (int, float)) or isinstance(bound, bool):
                raise ConfigError(
                    source, f"{where}.{option}", bound, problem="wrong type", allowed="a number"
                )
        for option in ("log", "integer"):
            if option in value and not isinstance(value[option], bool):
                raise ConfigError(
                    source,
                    f"{where}.{option}",
                    value[option],
                    problem="wrong type",
                    allowed="true or false",
                )
        low, high = value["min"], value["max"]
        integer = value.get("integer", spec.type == "int")
        if spec.type == "int" and not integer:
            raise ConfigError(
                source,
                f"{where}.integer",
                integer,
                problem=f"{key} takes whole numbers",
                allowed="true (or leave it out) for an integer parameter",
            )
        if integer:
            for option, bound in (("min", low), ("max", high)):
                if not float(bound).is_integer():
                    raise ConfigError(
                        source,
                        f"{where}.{option}",
                        bound,
                        problem="not a whole number in an integer range",
                        allowed="whole-number bounds with integer = true",
                    )
            low, high = int(low), int(high)
        for bound in (low, high):
            check_value(source, where, key, bound, experiment)
        if not low < high:
            raise ConfigError(
                source, where, value, problem="min is not below max", allowed="min < max"
            )
        log = value.get("log", False)
        if log and low <= 0:
            raise ConfigError(
                source,
                where,
                value,
                problem="log range must start above 0",
                allowed="min > 0 with log = true",
            )
        return Factor(
            key,
            low=float(low),
            high=float(high),
            log=log,
            integer=integer,
        )
    raise ConfigError(
        source,
        where,
        value,
        problem="neither a list nor a range",
        allowed="[v1, v2, ...] or {min = ..., max = ...}",
    )


def in_scenario_file(error: ConfigError) -> bool:
    """Whether ``error`` lies in the scenario file itself (it cannot be read, or one of its own
    values is wrong), not in the values a file sets on it: it then names that file as it is."""
    return error.key is None or (error.source != COMMAND_LINE and error.problem != "inconsistent")


def check_value(source: str, where: str, key: str, value: Any, experiment: dict[str, Any]) -> None:
    """Check one value of a factor on the scenario (``experiment["complete"]``, if given, completes
    the overrides first, as a design file rebalances funding shares)."""
    overrides = {**experiment["fixed"], key: value}
    overrides = experiment.get("complete", lambda values: values)(overrides)
    try:
        load_scenario(experiment["scenario"], overrides)
    except ConfigError as exc:
        if in_scenario_file(exc):
            raise
        problem = exc.problem or "not allowed"
        if exc.key and exc.key != key:
            problem = f"makes {exc.key} = {exc.value!r} {problem}"
        raise ConfigError(source, where, value, problem=problem, allowed=exc.allowed) from None


KINDS = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
}


def check_table(
    table: dict[str, Any],
    keys: dict[str, type],
    required: tuple[str, ...],
    source: str,
    name: str,
) -> None:
    """Check a table of plain settings: only ``keys``, each of its type, ``required`` present."""
    for key, value in table.items():
        if key not in keys:
            raise unknown_key(source, f"{name}.{key}", value, [f"{name}.{k}" for k in keys])
        wanted = keys[key]
        right = isinstance(value, (int, float) if wanted is float else wanted)
        if not right or (wanted is not bool and isinstance(value, bool)):
            raise ConfigError(
                source, f"{name}.{key}", value, problem="wrong type", allowed=KINDS[wanted]
            )
    for key in required:
        if key not in table:
            raise ConfigError(source, f"{name}.{key}", None, problem="missing", allowed="required")


def resolve_scenario(scenario: str, path: Path, key: str) -> str:
    """The scenario a file starts from, as a path (relative names are relative to the file)."""
    try:
        return str(resolve(scenario, relative_to=path.parent))
    except ConfigError as exc:
        raise ConfigError(
            str(path), key, scenario, problem=exc.problem, allowed=exc.allowed
        ) from None


def fixed_overrides(
    raw: dict[str, Any], scenario: str, source: str, months: int | None
) -> dict[str, Any]:
    """The ``[set]`` table as checked dotted-key overrides (the horizon ``months`` checked along)."""
    fixed = flatten(raw.get("set", {}), source, "")
    trial = {**fixed, "months": months} if months is not None else fixed
    try:
        load_scenario(scenario, trial)
    except ConfigError as exc:
        if in_scenario_file(exc):
            raise
        raise ConfigError(
            source,
            f"set.{exc.key}" if exc.key else "set",
            exc.value,
            problem=exc.problem,
            allowed=exc.allowed,
        ) from None
    return fixed


def read_file(path: str | Path, kind: str) -> tuple[str, Path]:
    """The text of a ``kind`` file ("experiment", "design"), or a ConfigError if there is none
    or it is not UTF-8 text."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            str(path), None, problem=f"no such {kind} file", allowed="a path to a .toml file"
        )
    return read_text(path), path


def check_name(source: str, key: str, name: Any) -> str:
    """A file's ``name``, which names its results folder (``results/<name>``): one plain folder
    name, so that nothing is written outside ``results/``."""
    plain = (
        isinstance(name, str)
        and 0 < len(name) <= NAME_LENGTH
        and name == name.strip()
        and not name.startswith(".")
        and not any(c in name for c in '/\\:*?"<>|')
        and name.isprintable()
    )
    if not plain:
        raise ConfigError(
            source,
            key,
            name,
            problem="not a plain folder name",
            allowed=f'1 to {NAME_LENGTH} characters, no path separators or /\\:*?"<>|, '
            "not starting with a dot (it names the folder results/<name>)",
        )
    return name


def load_experiment(path: str | Path) -> Experiment:
    """Read and check an experiment file."""
    return parse_experiment(*read_file(path, "experiment"))


def parse_experiment(text: str, path: Path) -> Experiment:
    """Check the text of an experiment file; ``path`` names it and anchors relative scenarios."""
    source = str(path)
    raw = read_tables(text, source, TABLES, ("experiment", "factors"))

    head = raw["experiment"]
    check_table(
        head, EXPERIMENT_KEYS, ("name", "scenario", "replications", "seed"), source, "experiment"
    )
    if not 1 <= head["replications"] <= MAX_COUNT or head["seed"] < 0:
        bad = "seed" if head["seed"] < 0 else "replications"
        raise ConfigError(
            source,
            f"experiment.{bad}",
            head[bad],
            problem="out of range",
            allowed=f"replications at least 1 and at most {MAX_COUNT:_}, seed at least 0",
        )
    check_name(source, "experiment.name", head["name"])
    scenario = resolve_scenario(head["scenario"], path, "experiment.scenario")
    fixed = fixed_overrides(raw, scenario, source, head.get("months"))

    context = {"scenario": scenario, "fixed": fixed}
    factors = tuple(
        parse_factor(k, v, source, context) for k, v in factor_items(raw["factors"], source)
    )
    if not factors:
        raise ConfigError(
            source, "factors", None, problem="no factors", allowed="at least one factor"
        )

    sampling = raw.get("sampling", {})
    for key in sampling:
        if key not in ("method", "n"):
            raise unknown_key(
                source, f"sampling.{key}", sampling[key], ["sampling.method", "sampling.n"]
            )
    method = sampling.get("method", "grid")
    if method not in METHODS:
        raise ConfigError(
            source,
            "sampling.method",
            method,
            problem="not an allowed choice",
            allowed="one of " + ", ".join(repr(m) for m in METHODS),
        )
    n = sampling.get("n")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_COUNT):
        raise ConfigError(
            source,
            "sampling.n",
            n,
            problem="not allowed",
            allowed=f"a whole number from 1 to {MAX_COUNT:_}",
        )
    if method != "grid" and n is None:
        raise ConfigError(
            source,
            "sampling.n",
            None,
            problem=f"missing for method '{method}'",
            allowed="the number of samples (lhs), base samples (sobol) or trajectories (morris)",
        )
    if method == "grid" and any(f.is_range for f in factors) and n is None:
        n = 5
    return Experiment(
        name=head["name"],
        scenario=scenario,
        replications=head["replications"],
        seed=head["seed"],
        months=head.get("months"),
        fixed=fixed,
        factors=factors,
        method=method,
        n=n,
        source=source,
        text=text,
        baseline=head.get("baseline", False),
    )
