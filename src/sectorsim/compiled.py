"""What the compiled month reads: the configuration as named tuples, the random streams, and the
one decorator every compiled function uses.

The month is compiled with numba (``@kernel``, cached on disk, so the command line, pool workers
and Dask workers load it instead of compiling it again). numba checks a cached function against
its own file only, not against the functions it calls; so the cache lives in a folder named after
a hash of every compiled source file (:func:`cache_folder`), and editing any of them compiles
afresh. numba reads named tuples, not pydantic
models: :func:`compiled_params` turns a :class:`~sectorsim.params.Config` into one named tuple per
section (``p.adoption.b0`` as ``config.adoption.b0``), choices into their index (``p.imitation.rule
== LINEAR``). The month draws from the named streams of :class:`~sectorsim.randomness.RandomStreams`
by stepping numpy's PCG64 state inline (:class:`Streams`): the same numbers as in numpy.
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
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

from sectorsim.params import Config
from sectorsim.randomness import RandomStreams

PACKAGE = Path(__file__).parent
COMPILED_SOURCES = (
    "compiled.py",
    "ties.py",
    "network.py",
    "analytic.py",
    "outputs.py",
    "state.py",
    "params.py",  # the order of each choice, which the compiled code compares against
)


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
#: a component's step or record: inlined into the month, because a compiled call that passes the
#: state tuples costs about a microsecond (numba passes every array in them)
inline_kernel = numba.njit(cache=True, inline="always")

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


#: The streams the compiled month draws uniforms from, in the order of their rows in
#: :attr:`Streams.uniform`; change projects also draw from a numpy Generator (:attr:`Streams.projects`).
UNIFORM_STREAMS = (
    "adoption",
    "relapse",
    "dropout",
    "broadening",
    "vouchers",
    "plans",
    "recruitment",
    "large_firms",
    "ngo",
    "cartel",
    "advice",
    "project_starts",
)
(
    ADOPTION,
    RELAPSE,
    DROPOUT,
    BROADENING,
    VOUCHERS,
    PLANS,
    RECRUITMENT,
    LARGE_FIRMS,
    NGO,
    CARTEL,
    ADVICE,
    PROJECT_STARTS,
) = range(len(UNIFORM_STREAMS))
_MASK = (1 << 64) - 1


class Streams(NamedTuple):
    """The named random streams of the compiled month.

    ``uniform`` holds the PCG64 state (state high, low, increment high, low) of each stream of
    :data:`UNIFORM_STREAMS`: the month draws from them inline (:func:`uniform`), the very numbers
    ``Generator.random()`` gives, several times faster than numba's Generator methods; the state
    is copied from the Generators before a month and back after it (:meth:`load`, :meth:`store`).
    """

    uniform: np.ndarray
    projects: np.random.Generator  # beta, integers and shuffles of change projects

    @classmethod
    def of(cls, streams: RandomStreams) -> Streams:
        return cls(np.zeros((len(UNIFORM_STREAMS), 4), dtype=np.uint64), streams["projects"])

    def load(self, streams: RandomStreams) -> None:
        for row, name in enumerate(UNIFORM_STREAMS):
            pcg = streams[name].bit_generator.state["state"]
            state, inc = pcg["state"], pcg["inc"]
            self.uniform[row] = (state >> 64, state & _MASK, inc >> 64, inc & _MASK)

    def store(self, streams: RandomStreams) -> None:
        for row, name in enumerate(UNIFORM_STREAMS):
            generator = streams[name].bit_generator
            state = generator.state
            hi, lo, inc_hi, inc_lo = (int(v) for v in self.uniform[row])
            state["state"] = {"state": hi << 64 | lo, "inc": inc_hi << 64 | inc_lo}
            generator.state = state


_MUL_HI, _MUL_LO = np.uint64(2549297995355413924), np.uint64(4865540595714422341)


@intrinsic
def _mulhi(typingctx, a, b):
    """The high 64 bits of the 128-bit product of two uint64: one machine multiplication (LLVM's
    i128), where four 32-bit products cost the draw 4.2 ns instead of 1.8."""
    signature = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, sig, args):
        i128 = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], i128), builder.zext(args[1], i128))
        return builder.trunc(builder.lshr(product, ir.Constant(i128, 64)), ir.IntType(64))

    return signature, codegen


@numba.njit(inline="always")
def _mul64(a, b):
    """The 128-bit product of two uint64, as (high, low)."""
    return _mulhi(a, b), a * b


@numba.njit(inline="always")
def _next_double(s_hi, s_lo, i_hi, i_lo):
    """numpy's PCG64 step (128-bit LCG, XSL-RR output) and its double in [0, 1)."""
    hi, lo = _mul64(s_lo, _MUL_LO)
    hi = hi + s_hi * _MUL_LO + s_lo * _MUL_HI
    low = lo + i_lo
    hi = hi + i_hi + np.uint64(low < lo)
    rot = hi >> np.uint64(58)
    x = hi ^ low
    out = (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))
    return hi, low, (out >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@kernel
def uniform(u: np.ndarray, stream: int) -> float:
    """One uniform draw in [0, 1) from a stream of :data:`UNIFORM_STREAMS`."""
    u[stream, 0], u[stream, 1], value = _next_double(
        u[stream, 0], u[stream, 1], u[stream, 2], u[stream, 3]
    )
    return value


@kernel
def uniforms(u: np.ndarray, stream: int, n: int) -> np.ndarray:
    """``n`` uniform draws from a stream, as ``Generator.random(n)`` gives them."""
    out = np.empty(n)
    s_hi, s_lo, i_hi, i_lo = u[stream, 0], u[stream, 1], u[stream, 2], u[stream, 3]
    for k in range(n):
        s_hi, s_lo, out[k] = _next_double(s_hi, s_lo, i_hi, i_lo)
    u[stream, 0], u[stream, 1] = s_hi, s_lo
    return out


def _jump_table() -> np.ndarray:
    """Row ``b``: the 128-bit multiplier and sum (high, low words each) that advance PCG64's
    LCG by ``2**b`` steps: ``state -> A state + S increment`` (mod 2**128), after Brown (1994),
    as numpy's ``PCG64.advance``."""
    mask = (1 << 128) - 1
    a, total = (int(_MUL_HI) << 64) | int(_MUL_LO), 1
    rows = []
    for _ in range(64):
        rows.append((a >> 64, a & _MASK, total >> 64, total & _MASK))
        a, total = a * a & mask, total * (a + 1) & mask
    return np.array(rows, dtype=np.uint64)


_JUMPS = _jump_table()
_STEP_BELOW = 16  # skips shorter than this step the generator; longer ones jump


@numba.njit(inline="always")
def _mul128(x_hi, x_lo, y_hi, y_lo):
    """The product of two 128-bit numbers mod 2**128, as (high, low)."""
    return _mulhi(x_lo, y_lo) + x_hi * y_lo + x_lo * y_hi, x_lo * y_lo


@kernel
def skip(u: np.ndarray, stream: int, k: int) -> None:
    """Advance a stream past ``k`` draws without making them: the next draw is the one
    ``Generator.random()`` gives after ``k`` draws. A month that needs the draws of a few SMEs
    of a block of one draw per SME skips the others, so every SME keeps its own number."""
    s_hi, s_lo, i_hi, i_lo = u[stream, 0], u[stream, 1], u[stream, 2], u[stream, 3]
    if k < _STEP_BELOW:
        for _ in range(k):
            hi, lo = _mul128(s_hi, s_lo, _MUL_HI, _MUL_LO)
            s_lo = lo + i_lo
            s_hi = hi + i_hi + np.uint64(s_lo < lo)
    else:
        b = 0
        while k > 0:
            if k & 1:
                a_hi, a_lo = _mul128(_JUMPS[b, 0], _JUMPS[b, 1], s_hi, s_lo)
                c_hi, c_lo = _mul128(_JUMPS[b, 2], _JUMPS[b, 3], i_hi, i_lo)
                s_lo = a_lo + c_lo
                s_hi = a_hi + c_hi + np.uint64(s_lo < a_lo)
            k >>= 1
            b += 1
    u[stream, 0], u[stream, 1] = s_hi, s_lo


@kernel
def uniform_at(u: np.ndarray, stream: int, done: int, i: int) -> float:
    """Draw ``i`` of a block of which draws before ``done`` have been made or skipped (``i >=
    done``); the caller's next ``done`` is ``i + 1``."""
    skip(u, stream, i - done)
    return uniform(u, stream)


@kernel
def shuffle(u: np.ndarray, stream: int, a: np.ndarray) -> None:
    """Shuffle ``a`` in place (Fisher-Yates) with draws from a stream."""
    for i in range(a.size - 1, 0, -1):
        j = int(uniform(u, stream) * (i + 1))
        a[i], a[j] = a[j], a[i]


@kernel
def expit(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))
