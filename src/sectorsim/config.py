"""Scenario files: TOML loading, ``extends``, overrides and clear errors.

A scenario is a TOML file whose tables mirror the dotted keys of :mod:`sectorsim.params`
(``[coalition] initial_size = 12`` sets ``coalition.initial_size``). Two top-level keys are not
parameters: ``description`` (one line for ``sectorsim scenarios``) and ``extends`` (the preset
or file this one starts from). Every value is checked against the schema; the first problem is
raised as a :class:`ConfigError` naming the file, the key, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from sectorsim.params import PARAMETERS, SECTIONS, Config, Inconsistent

META_KEYS = ("description", "extends")
COMMAND_LINE = "--set"


class ConfigError(ValueError):
    """A configuration problem, phrased for the user: where, which key, what value, what is allowed."""

    def __init__(
        self, source: str, key: str | None, value: Any = None, allowed: str = "", problem: str = ""
    ):
        self.source, self.key, self.value, self.allowed, self.problem = (
            source,
            key,
            value,
            allowed,
            problem,
        )
        parts = [source]
        if key:
            parts.append(f"key '{key}'" + (f" = {value!r}" if value is not None else ""))
        if problem:
            parts.append(problem)
        text = ": ".join(parts)
        if allowed:
            text += f"; allowed: {allowed}"
        super().__init__(text)


def presets_dir() -> Path:
    """The folder of the preset scenarios (the repository's ``scenarios/``, or the wheel's copy)."""
    repo = Path(__file__).resolve().parents[2] / "scenarios"
    return repo if repo.is_dir() else Path(str(resources.files("sectorsim") / "presets"))


def preset_names() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.toml"))


def resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """Find a scenario by preset name or path. A relative path given on the command line is
    relative to the current folder; one in a file (``relative_to`` its folder) only to that
    folder, so the current folder never lends a file of the same name."""
    text = str(name_or_path)
    if relative_to is None:
        candidates = [Path(text)]
    else:
        candidates = [relative_to / text, relative_to / f"{text}.toml"]
    if not text.endswith(".toml") and "/" not in text:
        candidates.append(presets_dir() / f"{text}.toml")
    for path in candidates:
        if path.is_file():
            return path
    raise ConfigError(
        text,
        None,
        problem="no such scenario file or preset",
        allowed="a path to a .toml file or one of " + ", ".join(preset_names()),
    )


def read_text(path: Path) -> str:
    """A file's text as UTF-8, or a ConfigError naming the file and where it is not UTF-8."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(
            str(path), None, problem=f"cannot be read ({exc.strerror or exc})"
        ) from None
    try:
        return data.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            str(path),
            None,
            problem=f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})",
            allowed="a TOML file saved as UTF-8",
        ) from None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), None, problem=f"not valid TOML ({exc})") from None


def flatten(table: dict[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables to ``{dotted key: value}``, rejecting keys the schema does not know."""
    flat: dict[str, Any] = {}
    for name, value in table.items():
        key = prefix + name
        if isinstance(value, dict):
            if key not in SECTIONS:
                _unknown(source, key, value)
            flat.update(flatten(value, source, key + "."))
        elif key in PARAMETERS:
            flat[key] = value
        elif key in SECTIONS:
            raise ConfigError(
                source,
                key,
                value,
                problem="is a table of parameters, not a value",
                allowed=f"a table [{key}] with keys " + ", ".join(_section_keys(key)),
            )
        else:
            _unknown(source, key, value)
    return flat


def _section_keys(section: str) -> list[str]:
    return [k.split(".", 1)[1] for k in PARAMETERS if k.startswith(section + ".")]


def _unknown(source: str, key: str, value: Any) -> None:
    known = list(PARAMETERS) + sorted(SECTIONS)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"unknown key; did you mean '{close[0]}'?" if close else "unknown key"
    raise ConfigError(
        source,
        key,
        None if isinstance(value, dict) else value,
        problem=hint,
        allowed="see `sectorsim params` for every key",
    )


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        *tables, name = key.split(".")
        node = nested
        for table in tables:
            node = node.setdefault(table, {})
        node[name] = value
    return nested


def _layers(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[str, str], str]:
    """Values of a scenario and everything it extends, with the file each value came from."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ConfigError(str(path), "extends", problem=f"extends itself ({chain})")
    raw = read_toml(path)
    extends = raw.pop("extends", None)
    description = raw.pop("description", "")
    if not isinstance(description, str):
        raise ConfigError(str(path), "description", description, allowed="a string")
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if extends is not None:
        if not isinstance(extends, str):
            raise ConfigError(str(path), "extends", extends, allowed="a preset name or a path")
        try:
            parent = resolve(extends, relative_to=path.parent)
        except ConfigError as exc:
            raise ConfigError(
                str(path), "extends", extends, problem=exc.problem, allowed=exc.allowed
            ) from None
        values, origin, parent_description = _layers(parent, (*seen, path))
        description = description or parent_description
    own = flatten(raw, str(path))
    values.update(own)
    origin.update(dict.fromkeys(own, str(path)))
    return values, origin, description


def validate(
    values: dict[str, Any], origin: dict[str, str] | None = None, source: str = "config"
) -> Config:
    """Turn ``{dotted key: value}`` into a :class:`Config`, or raise the first problem as a ConfigError."""
    origin = origin or {}
    for key in values:
        if key not in PARAMETERS:
            _unknown(origin.get(key, source), key, values[key])
    try:
        return Config.model_validate(nest(values))
    except ValidationError as exc:
        raise _config_error(exc, origin, source) from None


def _config_error(exc: ValidationError, origin: dict[str, str], source: str) -> ConfigError:
    """The first problem of ``exc`` for the user: a value's own error before a broken rule
    between values (which the schema checks only once each value is valid)."""
    errors = exc.errors()
    own = [e for e in errors if not isinstance(e.get("ctx", {}).get("error"), Inconsistent)]
    if not own:
        broken: Inconsistent = errors[0]["ctx"]["error"]
        return ConfigError(
            origin.get(broken.key, source),
            broken.key,
            broken.value,
            problem="inconsistent",
            allowed=broken.allowed,
        )
    err = own[0]
    key = ".".join(str(part) for part in err["loc"])
    spec = PARAMETERS.get(key)
    problem = (
        "wrong type"
        if "type" in err["type"] or err["type"].endswith("_parsing")
        else "out of range"
    )
    if err["type"] == "literal_error":
        problem = "not an allowed choice"
    return ConfigError(
        origin.get(key, source),
        key,
        err.get("input"),
        problem=problem,
        allowed=spec.allowed() if spec else err["msg"],
    )


def check_consistency(
    config: Config, origin: dict[str, str] | None = None, source: str = "config"
) -> None:
    """Check ``config`` against the schema again, rules tying parameters together included.

    A :class:`Config` built any validating way passes already (the rules are the schema's
    validators); this catches one made without validation (``Config.model_construct``).
    """
    validate(config.flat(), origin, source)


def parse_value(text: str) -> Any:
    """A command-line value as TOML would read it (``12``, ``0.5``, ``true``); otherwise a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """``["sme.count=1000", ...]`` from the command line to ``{"sme.count": 1000}``."""
    overrides: dict[str, Any] = {}
    for item in assignments:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                COMMAND_LINE,
                None,
                item,
                problem=f"'{item}' is not key=value",
                allowed="key=value, for example sme.count=1000",
            )
        overrides[key.strip()] = parse_value(text.strip())
    return overrides


def load_scenario(
    name_or_path: str | Path = "baseline", overrides: dict[str, Any] | None = None
) -> Config:
    """Load a preset (by name) or scenario file, apply dotted-key overrides, and validate."""
    config, _ = load_scenario_with_description(name_or_path, overrides)
    return config


def load_scenario_with_description(
    name_or_path: str | Path, overrides: dict[str, Any] | None = None
) -> tuple[Config, str]:
    values, origin, description = _layers(resolve(name_or_path))
    for key, value in (overrides or {}).items():
        values[key] = value
        origin[key] = COMMAND_LINE
    return validate(values, origin), description


def to_toml(config: Config, description: str, comment: str = "") -> str:
    """A scenario file holding every parameter of ``config``: it loads back to the same config."""
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    body = tomli_w.dumps({"description": description, **config.model_dump(mode="json")})
    return header + body


def config_hash(config: Config) -> str:
    """A short, stable fingerprint of a configuration."""
    text = json.dumps(config.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
