"""What the compiled month reads: the configuration as named tuples, the random streams, and the
one decorator every compiled function uses.

The month is compiled with numba (``@kernel``, cached on disk, so the command line, pool workers
and Dask workers load it instead of compiling it again). numba checks a cached function against
its own file only, not against the functions it calls; so the cache lives in a folder named after
a hash of every compiled source file (:func:`cache_folder`), and editing any of them compiles
afresh. numba reads named tuples, not pydantic
models: :func:`compiled_params` turns a :class:`~sectorsim.params.Config` into one named tuple per
section (``p.adoption.b0`` as ``config.adoption.b0``), choices into their index (``p.imitation.rule
== LINEAR``). numba draws from the numpy Generators themselves, so each named stream of
:class:`~sectorsim.randomness.RandomStreams` gives the same numbers compiled as in numpy.
"""

from __future__ import annotations

import hashlib
import os
import typing
from collections import namedtuple
from pathlib import Path
from typing import Any, NamedTuple

import numba
import numpy as np

from sectorsim.params import Config
from sectorsim.randomness import RandomStreams

PACKAGE = Path(__file__).parent
COMPILED_SOURCES = ("compiled.py", "ties.py", "analytic.py", "outputs.py", "state.py")


def cache_folder() -> Path:
    """Where compiled functions are cached: ``$NUMBA_CACHE_DIR`` (default ``~/.cache/sectorsim``)
    / a hash of the compiled sources."""
    digest = hashlib.sha256()
    files = [PACKAGE / name for name in COMPILED_SOURCES]
    files += sorted([*PACKAGE.glob("components/*.py"), *PACKAGE.glob("mechanisms/*.py")])
    for path in files:
        digest.update(path.read_bytes())
    root = os.environ.get("NUMBA_CACHE_DIR") or Path.home() / ".cache" / "sectorsim"
    return Path(root) / f"numba-{digest.hexdigest()[:16]}"


numba.config.CACHE_DIR = str(cache_folder())  # before the first compiled function is defined
kernel = numba.njit(cache=True)  # every compiled function of the model

_CASTS = {int: int, float: float, bool: bool}


def _cast(annotation: Any):
    if annotation in _CASTS:
        return _CASTS[annotation]
    choices = typing.get_args(annotation)
    return lambda value: choices.index(value)  # a Literal: its index


def _tuple_type(name: str, section: type) -> tuple[type, dict[str, Any]]:
    fields = section.model_fields
    cls = namedtuple(name, list(fields))
    cls.__module__ = __name__
    return cls, {key: _cast(f.annotation) for key, f in fields.items()}


_SECTIONS = {
    key: _tuple_type(f"{key.title().replace('_', '')}Params", field.annotation)
    for key, field in Config.model_fields.items()
    if isinstance(field.annotation, type) and hasattr(field.annotation, "model_fields")
}
_TOP = {key: _cast(f.annotation) for key, f in Config.model_fields.items() if key not in _SECTIONS}
globals().update({cls.__name__: cls for cls, _ in _SECTIONS.values()})  # importable: cacheable
Params = namedtuple("Params", [*_TOP, *_SECTIONS])
Params.__module__ = __name__


def compiled_params(config: Config) -> Params:
    """The configuration as named tuples of plain numbers (choices as their index)."""
    values: dict[str, Any] = {key: cast(getattr(config, key)) for key, cast in _TOP.items()}
    for key, (cls, casts) in _SECTIONS.items():
        section = getattr(config, key)
        values[key] = cls(**{f: cast(getattr(section, f)) for f, cast in casts.items()})
    return Params(**values)


def choice_index(key: str, value: str) -> int:
    """The index of a choice in its parameter's Literal (``"imitation.rule"``, ``"linear"``)."""
    section, name = key.split(".")
    return typing.get_args(type(getattr(Config(), section)).model_fields[name].annotation).index(
        value
    )


class Streams(NamedTuple):
    """The named random streams the month draws from (one Generator each)."""

    population: np.random.Generator
    seeding: np.random.Generator
    large_firms: np.random.Generator
    team: np.random.Generator
    recruitment: np.random.Generator
    plans: np.random.Generator
    broadening: np.random.Generator
    dropout: np.random.Generator
    projects: np.random.Generator
    cartel: np.random.Generator
    vouchers: np.random.Generator
    ngo: np.random.Generator
    advice: np.random.Generator
    adoption: np.random.Generator
    relapse: np.random.Generator

    @classmethod
    def of(cls, streams: RandomStreams) -> Streams:
        return cls(*(streams[name] for name in cls._fields))


@kernel
def expit(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


@kernel
def flatnonzero(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)
