"""Executors run a plan's steps: threads in the worker, or one process per step."""

from dagdeck.core.running.executors.common import ExecutionResult

__all__ = ["ExecutionResult"]
