"""Former home of the evaluators, now in :mod:`sectorsim.batch`; these names stay importable for
the app page and the benchmarks."""

from sectorsim.batch import evaluate
from sectorsim.pool import exit_with_parent

__all__ = ["evaluate", "exit_with_parent"]
