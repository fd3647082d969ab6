"""sectorsim: agent-based simulation of SME-driven sector transitions toward responsible
business conduct (IMVO/MVO)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sectorsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from sectorsim.config import ConfigError, load_scenario  # noqa: E402
from sectorsim.model import SectorModel  # noqa: E402
from sectorsim.params import PARAMETERS, Config  # noqa: E402

__all__ = ["PARAMETERS", "Config", "ConfigError", "SectorModel", "__version__", "load_scenario"]
