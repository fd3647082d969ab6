"""Words and numbers for readers: parameter and output labels with their units, values formatted
by their unit (euros, percentages, whole numbers) and calendar years. Labels and units come from
the schema (:data:`sectorsim.params.PARAMETERS`; the app's Dutch names are in
:mod:`sectorsim.app.levers`) and the output registry (:data:`sectorsim.outputs.MONTHLY_OUTPUTS`);
nothing here restates them.
"""

from __future__ import annotations

from typing import Any

from sectorsim.outputs import MONTHLY_OUTPUTS
from sectorsim.params import PARAMETERS

SHARE_UNITS = ("share", "market share", "probability", "share of SMEs", "share of large firms")
OUTPUT = {o.name: o for o in MONTHLY_OUTPUTS}


def euros(value: float, short: bool = False) -> str:
    """``€1,250,000``; with ``short``: ``€1.25M``, ``€250k``, ``€900``."""
    if not short:
        return f"€{value:,.0f}"
    size = abs(value)
    if size >= 1e6:
        return f"€{value / 1e6:.3g}M"
    if size >= 1e3:
        return f"€{value / 1e3:.3g}k"
    return f"€{value:,.0f}"


def percent(share: float, digits: int = 0) -> str:
    return f"{share * 100:.{digits}f}%"


def parameter_label(key: str, unit: bool = True) -> str:
    """A parameter's label, with its unit in brackets where it has one that a reader needs (not
    for on/off switches and choices). The app's Dutch names are the app's
    (:func:`sectorsim.app.levers.label`)."""
    spec = PARAMETERS.get(key)
    if spec is None:
        return key
    label = spec.label
    if not unit or spec.type == "bool" or spec.choices or spec.unit in ("on/off", "-", ""):
        return label
    shown = "%" if spec.unit in SHARE_UNITS else "€" if spec.unit == "EUR" else spec.unit
    return f"{label} ({shown})"


def phrase(key: str) -> str:
    """A parameter's label inside a sentence: "koplopers at the start"."""
    label = parameter_label(key, unit=False)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def output_label(name: str, language: str = "en") -> str:
    """A monthly output's label in ``language``; other names (summary fields) as words."""
    if name in OUTPUT:
        return OUTPUT[name].label_nl if language == "nl" else OUTPUT[name].label
    return name.replace("_", " ")


def value_text(key: str, value: Any, short: bool = True) -> str:
    """A parameter's value for a tick or a table: euros, percentages, yes/no, whole numbers."""
    spec = PARAMETERS.get(key)
    if isinstance(value, bool) or (spec is not None and spec.type == "bool"):
        return "yes" if value else "no"
    if isinstance(value, str) or spec is None:
        return str(value) if not isinstance(value, float) else f"{value:g}"
    if spec.unit == "EUR":
        return euros(float(value), short=short)
    if spec.unit in SHARE_UNITS:
        return percent(float(value))
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):.3g}"


def share_top(peak: float) -> float:
    """The top of a share axis scaled to data peaking at ``peak``: a little above it, at least 1%."""
    return float(min(1.0, max(0.01, peak * 1.15)))


def shows_critical_mass(peak: float, critical_mass: float) -> bool:
    """Whether a share axis for data peaking at ``peak`` should reach up to the critical-mass
    line (when it is near enough not to flatten the data)."""
    return critical_mass <= share_top(peak) * 1.6


def year_of(month: float, start_year: int) -> float:
    """The calendar time of a month since January of ``start_year``, in years."""
    return start_year + month / 12.0


def year_step(years: float) -> int:
    """Years between labelled ticks on an axis spanning ``years``."""
    for step in (1, 2, 5, 10, 20, 50):
        if years / step <= 12:
            return step
    return 100
