"""Executors run a plan's steps (threads in the worker, one process per step, or Dask tasks), all
through the one scheduling loop in `scheduler.py`."""

from dagdeck.core.running.executors.scheduler import ExecutionResult

__all__ = ["ExecutionResult"]
