"""Helpers shared by tests/checks (imported as `tests.checks.checks_helpers`)."""

from __future__ import annotations

import json
import subprocess
import threading
from typing import Any

from dagdeck.core.defs.metadata import plain
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.store import EventRow


class SimClock:
    """A clock the test moves by hand (the daemon's injectable `now`)."""

    def __init__(self, start: float) -> None:
        self.t = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.t

    def advance(self, seconds: float) -> float:
        with self._lock:
            self.t += seconds
            return self.t

    def set(self, when: float) -> None:
        with self._lock:
            self.t = when


def events(instance: Instance, run_id: str | None = None, event_type: str | None = None, **kw: Any) -> list[EventRow]:
    rows = instance.store.get_events(run_id=run_id, limit=1_000_000, **kw)
    return [e for e in rows if event_type is None or e.event_type == event_type]


def evaluations(instance: Instance, run_id: str | None = None, asset_key: str | None = None) -> dict[str, EventRow]:
    """check name -> its (single) ASSET_CHECK_EVALUATION event in the run."""
    rows = events(instance, run_id, EventType.ASSET_CHECK_EVALUATION, asset_key=asset_key)
    out: dict[str, EventRow] = {}
    for e in rows:
        name = str(e.data["check_name"])
        assert name not in out, f"check {name} evaluated twice in one run"
        out[name] = e
    return out


def parse_json(proc: subprocess.CompletedProcess[str]) -> Any:
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as err:
        raise AssertionError(
            f"not one JSON document (rc={proc.returncode}): {err}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        ) from None


def steps_by_key(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in view["steps"]}


def meta(e: EventRow) -> Any:
    """An event's metadata as plain values (events store typed metadata entries)."""
    return plain(e.data.get("metadata"))
