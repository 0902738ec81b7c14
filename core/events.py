"""Event types and the one function that builds an event record."""

from __future__ import annotations

import enum
import time
from typing import Any


class EventType(enum.StrEnum):
    RUN_ENQUEUED = "RUN_ENQUEUED"
    RUN_STARTING = "RUN_STARTING"
    RUN_START = "RUN_START"
    RUN_SUCCESS = "RUN_SUCCESS"
    RUN_FAILURE = "RUN_FAILURE"
    RUN_CANCELING = "RUN_CANCELING"
    RUN_CANCELED = "RUN_CANCELED"
    STEP_START = "STEP_START"
    STEP_OUTPUT = "STEP_OUTPUT"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"
    ASSET_OBSERVATION = "ASSET_OBSERVATION"
    STEP_EXPECTATION_RESULT = "STEP_EXPECTATION_RESULT"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_SKIPPED = "STEP_SKIPPED"
    ASSET_CHECK_EVALUATION = "ASSET_CHECK_EVALUATION"
    HOOK_COMPLETED = "HOOK_COMPLETED"
    HOOK_ERRORED = "HOOK_ERRORED"
    HOOK_SKIPPED = "HOOK_SKIPPED"
    LOG = "LOG"
    ENGINE_EVENT = "ENGINE_EVENT"


RUN_EVENTS = frozenset(t for t in EventType if t.startswith("RUN_"))
STEP_EVENTS = frozenset(t for t in EventType if t.startswith("STEP_"))


def make_event(
    event_type: EventType | str,
    run_id: str | None,
    *,
    step_key: str | None = None,
    asset_key: str | None = None,
    message: str = "",
    level: str | None = None,
    timestamp: float | None = None,
    **data: Any,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "event_type": str(event_type),
        "timestamp": time.time() if timestamp is None else timestamp,
        "step_key": step_key,
        "asset_key": asset_key,
        "level": level,
        "message": message,
        "data": data,
    }
