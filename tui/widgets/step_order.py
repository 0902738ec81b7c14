"""The run screen's step table when it cannot show every step: the running and failed steps come
first (then those up for retry, then the rest in plan order), so at 80x24 what matters is on screen.
When every step fits, the table keeps plan order. The cursor stays on the step it was on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.widgets import DataTable

from dagdeck.core.console_api import StepStatus

STEP_COLUMN = "step"
"""The column whose text is the step key (the run screen's first column)."""
URGENT = {StepStatus.RUNNING: 0, StepStatus.FAILED: 1, StepStatus.UP_FOR_RETRY: 2}
"""Rank of the statuses shown first; every other status ranks after them."""


def urgent_first(statuses: Mapping[str, str], fits: bool) -> list[str]:
    """Step keys (in plan order, as `statuses` is) in the order the table shows them."""
    keys = list(statuses)
    if fits:
        return keys
    plan = {k: i for i, k in enumerate(keys)}
    return sorted(keys, key=lambda k: (URGENT.get(StepStatus(statuses[k]), len(URGENT)), plan[k]))


def order_step_rows(table: DataTable[Any], statuses: Mapping[str, str]) -> None:
    """Reorder `table` (row keys are step keys) after an update; call it from the run screen once
    the rows are added or updated. A no-op while the order is already right."""
    visible = max(0, table.size.height - (1 if table.show_header else 0))
    wanted = urgent_first(statuses, fits=not visible or len(statuses) <= visible)
    current = [str(k.value) for k in table.rows]
    if current == wanted or set(current) != set(wanted):
        return
    under_cursor = current[table.cursor_row] if 0 <= table.cursor_row < len(current) else None
    rank = {k: i for i, k in enumerate(wanted)}
    table.sort(STEP_COLUMN, key=lambda cell: rank.get(str(cell), len(rank)))
    if under_cursor is not None:
        table.move_cursor(row=table.get_row_index(under_cursor), scroll=False)
