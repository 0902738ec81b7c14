"""docs/compatibility.md stays true: every Dagster 1.13.28 name is listed once; every name marked
supported or partly imports from dagdeck; every name marked not yet says it is not supported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dagdeck as dg
from dagdeck.core.defs.dagster_names import DAGSTER_NAMES

TABLE = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"
ROW = re.compile(r"^\| `(?P<name>[A-Za-z_][A-Za-z0-9_]*)` \| (?P<status>[a-z ]+) \| (?P<notes>.*) \|$")
STATUSES = ("supported", "partly", "not yet")


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in TABLE.read_text().splitlines():
        if line.startswith("| `"):
            m = ROW.match(line)
            assert m, f"row not in the `| name | status | notes |` layout: {line!r}"
            rows.append((m["name"], m["status"], m["notes"].strip()))
    return rows


ROWS = _rows()
BY_STATUS = {s: sorted(n for n, status, _ in ROWS if status == s) for s in STATUSES}


def test_the_table_lists_exactly_dagsters_names_once() -> None:
    """Dagster 1.13.28: `dagster/__init__.py` exports these 431 names (`from ... import X as X`),
    stored in core/defs/dagster_names.py; the table lists each of them once, with a known status
    and, for partly, a note saying what works."""
    names = [n for n, _, _ in ROWS]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"listed twice: {duplicates}"
    assert set(names) - DAGSTER_NAMES == set(), "not Dagster names"
    assert DAGSTER_NAMES - set(names) == set(), "Dagster names missing from the table"
    assert {s for _, s, _ in ROWS} <= set(STATUSES)
    assert all(notes for _, s, notes in ROWS if s == "partly"), "a partly row needs a note"


@pytest.mark.parametrize("name", BY_STATUS["supported"] + BY_STATUS["partly"])
def test_supported_names_import_from_dagdeck(name: str) -> None:
    """Dagster 1.13.28: `from dagster import <name>` works for every name; dagdeck's must too
    for each name the table marks supported or partly."""
    namespace: dict[str, object] = {}
    exec(f"from dagdeck import {name}", namespace)
    assert namespace[name] is getattr(dg, name)


@pytest.mark.parametrize("name", BY_STATUS["not yet"])
def test_not_yet_names_say_so(name: str) -> None:
    """Dagster 1.13.28: `dagster.<name>` exists. dagdeck's `dg.<name>` raises AttributeError and
    `from dagdeck import <name>` ImportError, both saying "dagdeck does not support '<name>' yet"
    (a name that works must be marked supported or partly in the table)."""
    message = f"dagdeck does not support '{name}' yet"
    with pytest.raises(AttributeError, match=re.escape(message)):
        getattr(dg, name)
    with pytest.raises(ImportError, match=re.escape(message)):
        exec(f"from dagdeck import {name}", {})
