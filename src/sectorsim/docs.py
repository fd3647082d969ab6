"""Keep generated parts of the docs in step with the code.

``python -m sectorsim.docs docs/ODD.md`` rewrites each generated block of the file: the
parameter table (between ``<!-- params:start -->`` and ``<!-- params:end -->``) from the schema,
and the mechanisms in plain words (``<!-- mechanisms:start -->`` ... ``<!-- mechanisms:end -->``),
the texts the workshop app shows, in English and Dutch.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from sectorsim.app.texts import markdown as mechanisms_markdown
from sectorsim.params import markdown_table


def _mechanisms() -> str:
    return f"{mechanisms_markdown('en')}\n\nIn Dutch, as the app shows them:\n\n{mechanisms_markdown('nl')}"


BLOCKS: dict[str, Callable[[], str]] = {"params": markdown_table, "mechanisms": _mechanisms}


def with_block(text: str, name: str) -> str:
    """``text`` with the block ``name`` between its markers regenerated (if the markers are there)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, _, rest = text.partition(start)
    if not rest:
        return text
    if end not in rest:
        raise ValueError(f"marker {start} without {end}")
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{BLOCKS[name]()}\n{end}{tail}"


def regenerated(text: str) -> str:
    """``text`` with every generated block brought up to date."""
    for name in BLOCKS:
        text = with_block(text, name)
    return text


def main(argv: list[str]) -> int:
    for name in argv:
        path = Path(name)
        path.write_text(regenerated(path.read_text()))
        print(f"regenerated the generated blocks of {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
