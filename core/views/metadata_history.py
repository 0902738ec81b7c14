"""One asset's metadata over its materializations, entry by entry: what the console's history
view (`h` on an entry) tables and plots and what `assets show --json` prints."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dagdeck.core.defs.metadata import numeric_value
from dagdeck.core.timefmt import iso
from dagdeck.store import EventRow


@dataclass(frozen=True)
class MetadataPoint:
    timestamp: float
    run_id: str
    entry: dict[str, Any]
    """The typed entry as stored: {"type": ..., "value": ...}."""

    @property
    def value(self) -> Any:
        return self.entry.get("value") if isinstance(self.entry, dict) else self.entry

    @property
    def number(self) -> float | None:
        """The value when the entry is numeric (int, float), else None."""
        return numeric_value(self.entry) if isinstance(self.entry, dict) else None


def metadata_history(materializations: Iterable[EventRow]) -> dict[str, list[MetadataPoint]]:
    """Entry name -> its value at each materialization, oldest first (`materializations` come
    newest first, as `store.materialization_history` returns them)."""
    out: dict[str, list[MetadataPoint]] = {}
    for e in reversed(list(materializations)):
        for name, entry in (e.data.get("metadata") or {}).items():
            out.setdefault(name, []).append(MetadataPoint(e.timestamp, str(e.run_id or ""), entry))
    return out


def summary(numbers: Sequence[float]) -> dict[str, float] | None:
    """min, max and last of a numeric series, or None when it is empty."""
    return {"min": min(numbers), "max": max(numbers), "last": numbers[-1]} if numbers else None


def history_json(history: dict[str, list[MetadataPoint]]) -> dict[str, dict[str, Any]]:
    """Per entry: its values (time, run, value; oldest first) and, when numeric, min/max/last."""
    out: dict[str, dict[str, Any]] = {}
    for name, points in history.items():
        numbers = [p.number for p in points if p.number is not None]
        out[name] = {
            "values": [{"timestamp": iso(p.timestamp), "run_id": p.run_id, "value": p.value} for p in points],
            "summary": summary(numbers) if len(numbers) == len(points) else None,
        }
    return out
