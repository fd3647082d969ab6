"""Keep generated parts of the docs in step with the code.

``python -m sectorsim.docs docs/ODD.md`` rewrites the parameter table between the markers
``<!-- params:start -->`` and ``<!-- params:end -->`` from the schema.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sectorsim.params import markdown_table

START, END = "<!-- params:start -->", "<!-- params:end -->"


def with_parameter_table(text: str) -> str:
    """``text`` with the block between the markers replaced by the current parameter table."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    if not rest or END not in rest:
        raise ValueError(f"markers {START} ... {END} not found")
    return f"{head}{START}\n{markdown_table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    for name in argv:
        path = Path(name)
        path.write_text(with_parameter_table(path.read_text()))
        print(f"updated the parameter table in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
