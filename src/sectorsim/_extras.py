"""Optional parts of sectorsim and the packages each needs (the extras of ``pyproject.toml``).

The core (the model, ``sectorsim run``, ``params``, ``scenarios`` and the plots) needs none of
them; a command that does calls :func:`require` first, which names the extra to install.
"""

from __future__ import annotations

from importlib.util import find_spec

#: extra -> the importable modules it brings
EXTRAS: dict[str, tuple[str, ...]] = {
    "sweeps": ("pyarrow", "SALib", "distributed", "ema_workbench", "tabulate"),
    "design": ("pyarrow", "SALib", "distributed", "tabulate", "optuna"),
    "app": ("solara", "ipyvuetify", "pyarrow"),
    "viz": ("solara", "altair"),
}


class MissingExtra(ImportError):
    """An optional part is used without its extra installed; the message says what to install."""

    def __init__(self, extra: str, missing: list[str]):
        self.extra = extra
        self.missing = missing
        super().__init__(
            f"this needs sectorsim's '{extra}' extra ({', '.join(missing)} missing): "
            f"pip install 'sectorsim[{extra}]'"
        )


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here."""
    return [module for module in EXTRAS[extra] if find_spec(module) is None]


def require(*extras: str) -> None:
    """Raise :class:`MissingExtra` for the first of ``extras`` that is not fully installed."""
    for extra in extras:
        if absent := missing(extra):
            raise MissingExtra(extra, absent)
