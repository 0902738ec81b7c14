"""Which executor runs a job's steps, chosen per Definitions, per job, or on the command line."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from dagdeck.core.errors import did_you_mean

EXECUTOR_NAMES = ("in_process", "multiprocess", "dask")


@dataclass(frozen=True)
class ExecutorDef:
    name: str
    config: dict[str, Any] = field(default_factory=dict)

    def configured(self, config: dict[str, Any]) -> ExecutorDef:
        return replace(self, config={**self.config, **config})

    @property
    def max_concurrent(self) -> int | None:
        value = self.config.get("max_concurrent")
        return int(value) if value else None


in_process_executor = ExecutorDef("in_process")
multiprocess_executor = ExecutorDef("multiprocess")
dask_executor = ExecutorDef("dask")


def executor_name_problem(name: str) -> str | None:
    """Why `name` names no executor (with the valid names, and the closest one), or None.

    Checked where a name arrives from outside the definitions (`--executor`), so a typo is a usage
    error before any run exists instead of a run recorded as FAILURE."""
    if name in EXECUTOR_NAMES:
        return None
    hint = did_you_mean(name, EXECUTOR_NAMES)
    return f"unknown executor {name!r}; use one of {', '.join(EXECUTOR_NAMES)}" + (f" ({hint})" if hint else "")


def coerce_executor(value: Any) -> ExecutorDef | None:
    if value is None or isinstance(value, ExecutorDef):
        return value
    if isinstance(value, str):
        return ExecutorDef(value)
    raise TypeError(f"executor must be a name or an ExecutorDef, got {value!r}")
