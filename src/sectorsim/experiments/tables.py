"""The tables of experiment and design files, checked: pydantic models of each table's shape
(no unknown keys, TOML's own types), factors (a list of values or a range) checked against the
parameter schema through the scenario a file starts from, and the errors that name the file, the
key, the value and what is allowed (a :class:`~sectorsim.config.ConfigError`)."""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from sectorsim.config import COMMAND_LINE, ConfigError, flatten, load_scenario, read_text, resolve
from sectorsim.params import PARAMETERS, SECTIONS

NAME_LENGTH = 100


MAX_COUNT = 1_000_000  # replications or samples in one file: more is a typo


def refuse(problem: str, allowed: str) -> PydanticCustomError:
    """A validator's refusal, reported as a :class:`ConfigError` with this problem and allowed."""
    return PydanticCustomError("sectorsim", "{problem}", {"problem": problem, "allowed": allowed})


def plain_folder_name(name: str) -> str:
    """A file's ``name``, which names its results folder (``results/<name>``): one plain folder
    name, so that nothing is written outside ``results/``."""
    plain = (
        0 < len(name) <= NAME_LENGTH
        and name == name.strip()
        and not name.startswith(".")
        and not any(c in name for c in '/\\:*?"<>|')
        and name.isprintable()
    )
    if not plain:
        raise refuse("not a plain folder name", FOLDER_NAME)
    return name


FOLDER_NAME = (
    f'1 to {NAME_LENGTH} characters, no path separators or /\\:*?"<>|, '
    "not starting with a dot (it names the folder results/<name>)"
)


COUNT = f"a whole number of at least 1 and at most {MAX_COUNT:_}"


FolderName = Annotated[str, AfterValidator(plain_folder_name), Field(description=FOLDER_NAME)]


Count = Annotated[int, Field(ge=1, le=MAX_COUNT, description=COUNT)]


Seed = Annotated[int, Field(ge=0, description="a whole number of at least 0")]


Text = Annotated[str, Field(description="a string")]


Switch = Annotated[bool, Field(description="true or false")]


Number = Annotated[float, Field(description="a number")]


class Table(BaseModel):
    """A table of a file: only its keys, each of its type (TOML's own: no 1 for true)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


RANGE = "{min = ..., max = ...} with optional log = true, integer = true"


class RangeTable(Table):
    """A factor's range: {min, max} and optionally log and integer."""

    min: Number
    max: Number
    log: Switch = False
    integer: Annotated[bool | None, Field(description="true or false")] = None


def parse_table(
    model: type[Table], value: Any, source: str, key: str, shape: str | None = None
) -> Any:
    """``value``, the table ``key`` of the file ``source``, as a ``model``; its first problem as
    a :class:`ConfigError` naming the file, the key (``key.<its key>``), the value and what is
    allowed. With ``shape``, an unknown or a missing key is reported on the table itself, as not
    having that shape."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise table_error(model, value, exc, source, key, shape) from None


def table_error(
    model: type[Table],
    table: dict[str, Any],
    exc: ValidationError,
    source: str,
    name: str,
    shape: str | None,
) -> ConfigError:
    """The first problem of ``exc`` in the order a reader meets it: an unknown key or a wrong type
    (in file order), then a missing key, then a value out of its range."""
    order = list(table) if isinstance(table, dict) else []

    def rank(error: Any) -> tuple[int, int]:
        field = str(error["loc"][0]) if error["loc"] else ""
        place = order.index(field) if field in order else len(order)
        if error["type"] == "extra_forbidden" or error["type"].endswith("_type"):
            return (0, place)
        return (1 if error["type"] == "missing" else 2, place)

    errors = exc.errors()
    if not isinstance(table, dict):
        return ConfigError(source, name, table, problem="wrong type", allowed="a table")
    error = min(errors, key=rank)
    field = str(error["loc"][0]) if error["loc"] else ""
    key = f"{name}.{field}" if field else name
    value = table.get(field)
    known = model.model_fields
    if shape and error["type"] in ("extra_forbidden", "missing"):
        return ConfigError(source, name, table, problem="not a range", allowed=shape)
    if error["type"] == "extra_forbidden":
        return unknown_key(source, key, value, [f"{name}.{k}" for k in known])
    if error["type"] == "missing":
        return ConfigError(source, key, None, problem="missing", allowed="required")
    allowed = known[field].description if field in known else ""
    if error["type"] == "sectorsim":
        context = error["ctx"]
        return ConfigError(
            source, key, value, problem=context["problem"], allowed=context["allowed"]
        )
    if error["type"].endswith("_type"):
        problem = "wrong type"
    elif error["type"] == "literal_error":
        problem = "not an allowed choice"
    else:
        problem = "out of range"
    return ConfigError(source, key, value, problem=problem, allowed=allowed or error["msg"])


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


RUN_LAYOUT = b"runs by point, world and replicate; one seed per replicate at every point"


def file_hash(text: str, quick: bool) -> str:
    """Fingerprint of a file's text, the quick flag and the layout of its runs: what a results
    folder belongs to (a folder of runs laid out otherwise is not resumed)."""
    digest = hashlib.sha256(text.encode())
    digest.update(b"quick" if quick else b"full")
    digest.update(RUN_LAYOUT)
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
        bounds = parse_table(RangeTable, value, source, where, shape=RANGE)
        if spec.type not in ("int", "float"):
            raise ConfigError(
                source,
                where,
                value,
                problem=f"a range for a {spec.type} parameter",
                allowed=f"a list of values: {spec.allowed()}",
            )
        low, high = value["min"], value["max"]
        integer = spec.type == "int" if bounds.integer is None else bounds.integer
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
        log = bounds.log
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


def from_unit(factor: Factor, u: np.ndarray) -> list[Any]:
    """Map unit-interval draws onto a factor's values."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    if not factor.is_range:
        index = np.minimum((u * len(factor.values)).astype(int), len(factor.values) - 1)
        return [factor.values[i] for i in index]
    if factor.log:
        x = np.exp(np.log(factor.low) + u * (np.log(factor.high) - np.log(factor.low)))
    else:
        x = factor.low + u * (factor.high - factor.low)
    return [int(round(v)) for v in x] if factor.integer else [float(v) for v in x]
