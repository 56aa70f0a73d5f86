"""docs/trust-checklist.md names a test for every item of the trust checklist, and every named test exists.

Renaming or removing a mapped test fails here, so the map cannot silently go stale.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "trust-checklist.md"

# The checklist's own IDs, then one per bullet of its unnumbered sections (data integrity,
# privacy, accessibility). A new checklist item needs a new ID here and a row in the document.
IDS = ([f"A{n}" for n in range(1, 8)] + [f"S{n}" for n in range(1, 7)] + [f"Z{n}" for n in range(1, 5)]
       + [f"X{n}" for n in range(1, 6)] + ["C1", "C2", "H1", "H2", "R1", "L1", "L2"]
       + [f"D{n}" for n in range(1, 6)] + [f"P{n}" for n in range(1, 8)] + [f"B{n}" for n in range(1, 4)])
NODE = re.compile(r"`(tests/[\w/]+\.py::\w+)`")
ROW = re.compile(r"^\| ([A-Z]\d+) \|(.*)\|\s*$", re.MULTILINE)


def mapping(text: str) -> dict[str, list[str]]:
    """Checklist ID -> node ids named in its row (the mutation table at the end is not part of the map)."""
    rows: dict[str, list[str]] = {}
    for item, rest in ROW.findall(text.split("## Removal checks")[0]):
        assert item not in rows, f"{item} has two rows"
        rows[item] = NODE.findall(rest)
    return rows


@pytest.fixture(scope="module")
def rows() -> dict[str, list[str]]:
    return mapping(DOC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def collected(rows) -> set[str]:
    """Every node id pytest collects from the files the document names (browser files too)."""
    files = sorted({node.split("::")[0] for nodes in rows.values() for node in nodes})
    existing = [f for f in files if (ROOT / f).is_file()]
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER_TESTS", "REQUIRE_BROWSER")}
    result = subprocess.run(  # noqa: S603 - our own interpreter and test files
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *existing],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {line.strip() for line in result.stdout.splitlines() if "::" in line}


def exists(node: str, collected: set[str]) -> bool:
    # Parametrized tests are collected as node[params]; the document names the test itself.
    return node in collected or any(c.startswith(node + "[") for c in collected)


def test_every_checklist_item_has_a_row_with_a_test(rows):
    missing = [item for item in IDS if not rows.get(item)]
    assert missing == [], f"no row or no node id for {missing} in {DOC.name}"
    assert sorted(rows) == sorted(IDS), f"unknown IDs: {sorted(set(rows) - set(IDS))}"


def test_every_named_test_exists(rows, collected):
    unknown = sorted({node for nodes in rows.values() for node in nodes if not exists(node, collected)})
    assert unknown == [], "named in docs/trust-checklist.md but not collected (renamed or removed?):\n" + \
        "\n".join(unknown)


def test_the_mutation_table_is_in_the_document():
    text = DOC.read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if re.match(r"^\| M\d+ \|", line)]
    assert len(table) >= 12
    assert all(line.rstrip().endswith("| killed |") for line in table), "a protection survived its removal"


def test_the_checker_catches_a_missing_item_and_a_renamed_test():
    text = "| A1 | x | y | `tests/test_auth.py::test_gone` |\n| A2 | x | y | none |\n"
    rows = mapping(text)
    assert rows == {"A1": ["tests/test_auth.py::test_gone"], "A2": []}
    assert not exists("tests/test_auth.py::test_gone", {"tests/test_auth.py::test_gone_too[sqlite]"})
    assert exists("tests/test_auth.py::test_x", {"tests/test_auth.py::test_x[sqlite-a]"})
