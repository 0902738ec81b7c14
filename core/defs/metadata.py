"""Typed metadata values and their JSON form.

Metadata is stored as `{name: {"type": t, "value": v}}` so the console knows how to show each entry
(a number it can chart, markdown, a table) while scripts get the plain value from `plain()`.

A value bigger than `max_bytes` as JSON (a 3 MB string, a huge table) is stored truncated: every event
is read back by the console, `runs show` and `assets show`, so one such value made each of them slow
and the database grow by megabytes per materialization. The stored entry says so twice: machine-readable
(`"truncated": true, "original_bytes": N`) and in the value's text itself, so every reader shows it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NUMERIC_TYPES = ("int", "float")
MAX_METADATA_BYTES = 1024 * 1024
"""The default of the `max_metadata_bytes` setting: the largest value stored whole."""
TRUNCATION_MARK = "[truncated by dagdeck:"
"""How the note on the last line of a truncated value begins, for readers that shorten values again."""


@dataclass(frozen=True)
class MetadataValue:
    type: str
    value: Any

    @staticmethod
    def int(value: int) -> MetadataValue:
        return MetadataValue("int", int(value))

    @staticmethod
    def float(value: float) -> MetadataValue:
        return MetadataValue("float", float(value))

    @staticmethod
    def text(value: str) -> MetadataValue:
        return MetadataValue("text", str(value))

    @staticmethod
    def bool(value: bool) -> MetadataValue:
        return MetadataValue("bool", bool(value))

    @staticmethod
    def md(value: str) -> MetadataValue:
        return MetadataValue("md", str(value))

    @staticmethod
    def url(value: str) -> MetadataValue:
        return MetadataValue("url", str(value))

    @staticmethod
    def path(value: str | Path) -> MetadataValue:
        return MetadataValue("path", str(value))

    @staticmethod
    def json(value: Any) -> MetadataValue:
        return MetadataValue("json", _jsonable(value))

    @staticmethod
    def timestamp(value: float | dt.datetime) -> MetadataValue:
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            value = value.timestamp()
        return MetadataValue("timestamp", float(value))

    @staticmethod
    def table(
        records: Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
        columns: Sequence[str] | None = None,
    ) -> MetadataValue:
        """Rows as dicts (columns inferred) or as sequences with `columns` given."""
        rows: list[list[Any]] = []
        cols = list(columns or [])
        for record in records:
            if isinstance(record, Mapping):
                for name in record:
                    if name not in cols:
                        cols.append(str(name))
                rows.append([_jsonable(record.get(c)) for c in cols])
            else:
                rows.append([_jsonable(v) for v in record])
        width = len(cols)
        rows = [r + [None] * (width - len(r)) for r in rows]
        return MetadataValue("table", {"columns": cols, "rows": rows})


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so only plain values are stored."""
    return json.loads(json.dumps(value, default=str))


def normalize_entry(value: Any) -> dict[str, Any]:
    if isinstance(value, MetadataValue):
        return {"type": value.type, "value": value.value}
    if value is None:
        return {"type": "null", "value": None}
    if isinstance(value, bool):
        return {"type": "bool", "value": value}
    if isinstance(value, int):
        return {"type": "int", "value": value}
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"type": "float", "value": None}
        return {"type": "float", "value": value}
    if isinstance(value, str):
        return {"type": "text", "value": value}
    if isinstance(value, Path):
        return {"type": "path", "value": str(value)}
    if isinstance(value, dt.datetime):
        return {"type": "timestamp", "value": MetadataValue.timestamp(value).value}
    if isinstance(value, dict | list | tuple):
        return {"type": "json", "value": _jsonable(value)}
    # numpy scalars and similar expose item()
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return normalize_entry(item())
        except (TypeError, ValueError):
            pass
    return {"type": "text", "value": str(value)}


def normalize(
    metadata: Mapping[str, Any] | None, max_bytes: int = MAX_METADATA_BYTES
) -> dict[str, dict[str, Any]]:
    """Typed entries, each value over `max_bytes` truncated with a note (see the module docstring)."""
    return {str(k): capped(normalize_entry(v), max_bytes) for k, v in (metadata or {}).items()}


def capped(entry: dict[str, Any], max_bytes: int = MAX_METADATA_BYTES) -> dict[str, Any]:
    """`entry` itself when its value fits in `max_bytes` (UTF-8 text; JSON text for structured
    values), else a text entry holding the first `max_bytes` and the note.

    Text is measured without encoding while it is surely small (a character is at most 4 bytes);
    structured values (json, table) are cut as JSON text and become text, since half a table is not
    a table the console could draw.
    """
    value = entry["value"]
    if value is None or isinstance(value, bool | int | float):
        return entry
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) * 4 <= max_bytes:
        return entry
    data = text.encode()
    if len(data) <= max_bytes:
        return entry
    note = f"\n{TRUNCATION_MARK} {len(data)} bytes, over max_metadata_bytes = {max_bytes}]"
    kept = data[: max(0, max_bytes - len(note))].decode(errors="ignore")  # never half a character
    out: dict[str, Any] = {"type": entry["type"] if isinstance(value, str) else "text", "value": kept + note}
    out.update(truncated=True, original_bytes=len(data))
    if not isinstance(value, str):
        out["original_type"] = entry["type"]
    return out


def plain(metadata: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """Typed metadata as plain JSON values, the shape `--json` output promises."""
    return {k: (v.get("value") if isinstance(v, Mapping) else v) for k, v in (metadata or {}).items()}


def numeric_value(entry: Mapping[str, Any] | None) -> float | None:
    if not entry or entry.get("type") not in NUMERIC_TYPES:
        return None
    value = entry.get("value")
    return float(value) if isinstance(value, int | float) else None
