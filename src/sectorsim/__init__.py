"""sectorsim: agent-based simulation of SME-driven sector transitions toward responsible
business conduct (IMVO/MVO)."""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("sectorsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

#: public name -> the module that defines it, imported on first use (so that the command line
#: starts without loading Mesa, pandas and scipy)
_LAZY = {
    "PARAMETERS": "sectorsim.params",
    "Config": "sectorsim.params",
    "ConfigError": "sectorsim.config",
    "load_scenario": "sectorsim.config",
    "SectorModel": "sectorsim.model",
}

__all__ = ["PARAMETERS", "Config", "ConfigError", "SectorModel", "__version__", "load_scenario"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sectorsim' has no attribute {name!r}")
