"""Generated documentation stays in step with the code."""

from pathlib import Path

from sectorsim.docs import BLOCKS, regenerated
from sectorsim.outputs import MONTHLY_OUTPUTS

ROOT = Path(__file__).resolve().parents[1]


def test_odd_generated_blocks_are_present_and_up_to_date():
    text = (ROOT / "docs" / "ODD.md").read_text()
    assert all(f"<!-- {name}:start -->" in text for name in BLOCKS)
    assert text == regenerated(text), "run `make docs` to regenerate docs/ODD.md's tables"


def test_odd_lists_every_monthly_output():
    text = (ROOT / "docs" / "ODD.md").read_text()
    assert all(f"`{o.name}`" in text for o in MONTHLY_OUTPUTS)


def test_readme_opens_with_the_two_setup_commands():
    head = (ROOT / "README.md").read_text()[:1500]
    assert "make run" in head and "make test" in head
