"""Every citation resolves inside the repository: source documents by their key in
docs/sources.md, the model description by its sections in docs/ODD.md."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"
ODD = ROOT / "docs" / "ODD.md"
SCANNED = ("src", "scenarios", "experiments", "docs", "benchmarks", "tests", "README.md")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".cfg", ".ini", ".yaml", ".yml"}

#: Citations of material a reader of the repository cannot open.
FORBIDDEN = {
    "the old model specification": re.compile(r"MODEL_SPEC"),
    "a numbered source document ('seed 00n')": re.compile(r"\bseeds? 00\d", re.IGNORECASE),
    "a numbered essay ('essay 00n')": re.compile(r"\bessay 00\d", re.IGNORECASE),
    "a source folder ('seeds/')": re.compile(r"\bseeds/"),
    "a backticked document number": re.compile(r"`00\d`"),
    "a line number in a source document ('000: 180')": re.compile(r"(?<![\d.,:])\b00[0-4]: ?\d"),
    "a page outside the repository": re.compile(r"\b(?:DOMAIN|CONVENTIONS)\.md\b"),
}
#: What a citation key looks like: a name, then a year, "-nd" (no date) or "-M<module>".
KEY_LIKE = re.compile(r"\b[A-Z][A-Za-z]*(?:\d{4}|-nd|-M\d+)\b")
ODD_CITATION = re.compile(r"\bODD §(\d+)(?: (M\d+))?")


def tracked_text_files() -> list[Path]:
    """The repository's tracked text files under SCANNED (all such files outside git)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", *SCANNED],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        paths = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        paths = [ROOT / "README.md"]
        for folder in SCANNED[:-1]:
            paths += [p for p in (ROOT / folder).rglob("*") if p.is_file()]
    own = Path(__file__).resolve()
    return sorted(
        p for p in paths if p.suffix in TEXT_SUFFIXES and p.is_file() and p.resolve() != own
    )


def defined_keys() -> set[str]:
    """The citation keys of docs/sources.md: the headings under 'Source documents'."""
    text = SOURCES.read_text(encoding="utf-8")
    section = text.split("\n## Source documents", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^### (\S+)\s*$", section, flags=re.MULTILINE))


def odd_sections() -> tuple[set[str], set[str]]:
    """The numbered sections ('1'..'8') and the submodels ('M1'..'M11') of docs/ODD.md."""
    text = ODD.read_text(encoding="utf-8")
    sections = set(re.findall(r"^## (\d+)\. ", text, flags=re.MULTILINE))
    submodels = set(re.findall(r"^### (M\d+) ", text, flags=re.MULTILINE))
    return sections, submodels


FILES = tracked_text_files()


def test_sources_defines_the_five_source_documents():
    keys = defined_keys()
    assert len(keys) == 5, keys
    text = SOURCES.read_text(encoding="utf-8")
    assert all(f"`{key}`" in text for key in keys)  # each listed in the overview table
    assert all(KEY_LIKE.fullmatch(key) for key in keys), "keys must look like citation keys"


def test_the_scan_sees_the_repository():
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"README.md", "docs/ODD.md", "src/sectorsim/params.py"} <= names
    assert any(n.startswith("scenarios/") for n in names)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_citation_points_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    found = [
        f"line {text.count(chr(10), 0, m.start()) + 1}: {what}: {m.group(0)!r}"
        for what, pattern in FORBIDDEN.items()
        for m in pattern.finditer(text)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_citation_key_is_defined_in_sources(path):
    keys = defined_keys()
    unknown = sorted(set(KEY_LIKE.findall(path.read_text(encoding="utf-8"))) - keys)
    assert not unknown, f"not defined in docs/sources.md: {unknown}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_odd_citation_names_an_existing_section(path):
    sections, submodels = odd_sections()
    bad = [
        m.group(0)
        for m in ODD_CITATION.finditer(path.read_text(encoding="utf-8"))
        if m.group(1) not in sections
        or (m.group(2) and (m.group(1) != "6" or m.group(2) not in submodels))
    ]
    assert not bad, f"no such section in docs/ODD.md: {bad}"
