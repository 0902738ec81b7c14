"""Typed metadata values and their JSON form.

Metadata is stored as `{name: {"type": t, "value": v}}` so the console knows how to show each entry
(a number it can chart, markdown, a table) while scripts get the plain value from `plain()`.
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


def normalize(metadata: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {str(k): normalize_entry(v) for k, v in (metadata or {}).items()}


def plain(metadata: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """Typed metadata as plain JSON values, the shape `--json` output promises."""
    return {k: (v.get("value") if isinstance(v, Mapping) else v) for k, v in (metadata or {}).items()}


def numeric_value(entry: Mapping[str, Any] | None) -> float | None:
    if not entry or entry.get("type") not in NUMERIC_TYPES:
        return None
    value = entry.get("value")
    return float(value) if isinstance(value, int | float) else None
