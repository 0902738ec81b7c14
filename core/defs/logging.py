"""`get_dagster_logger()`: a plain `logging.Logger` whose records, while a step runs, also land in
that run's event log as LOG events of the step (as Dagster's do); outside a step it is ordinary
python logging under the `dagster.builtin` name Dagster uses.

The step a record belongs to is a context variable set around the step function (`step_logging`),
so steps running side by side in threads each get their own records.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BUILTIN = "dagster.builtin"

_current_log: contextvars.ContextVar[Any] = contextvars.ContextVar("dagdeck_step_log", default=None)


class _StepHandler(logging.Handler):
    """Forwards records to the running step's `context.log` (nothing outside a step)."""

    def emit(self, record: logging.LogRecord) -> None:
        step_log = _current_log.get()
        if step_log is None:
            return
        try:
            text = record.getMessage()
            if record.exc_info:
                text = f"{text}\n{self.formatter.formatException(record.exc_info) if self.formatter else ''}".rstrip()
            step_log._log(record.levelname, text)
        except Exception:  # noqa: BLE001 - logging must never fail the step
            self.handleError(record)


def _builtin_logger() -> logging.Logger:
    logger = logging.getLogger(BUILTIN)
    if not any(isinstance(h, _StepHandler) for h in logger.handlers):
        handler = _StepHandler(logging.DEBUG)
        handler.setFormatter(logging.Formatter())
        logger.addHandler(handler)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.DEBUG)  # info records reach the step's log, as in Dagster
    return logger


def get_dagster_logger(name: str | None = None) -> logging.Logger:
    """`dagster.builtin` (or `dagster.builtin.<name>`): inside a step, records become LOG events."""
    base = _builtin_logger()
    return base.getChild(name) if name else base


@contextmanager
def step_logging(step_log: Any) -> Iterator[None]:
    """While the step function runs, records of Dagster loggers go to `step_log` (`context.log`)."""
    token = _current_log.set(step_log)
    try:
        yield
    finally:
        _current_log.reset(token)
