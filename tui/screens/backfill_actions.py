"""`c` and `r` on a backfill (the list and the detail share them): read it in a worker, say in a
confirm dialog what the action will do (how many runs it cancels, which partitions it retries),
then act in a worker and report."""

from __future__ import annotations

from textual import work

from dagdeck.core.console_api import (
    BackfillStatus,
    BackfillView,
    DagdeckError,
    PartitionRunStatus,
    Run,
    RunStatus,
    short_duration,
)
from dagdeck.tui.screens.base import BaseScreen
from dagdeck.tui.widgets.dialogs import ConfirmScreen

ACTIVE = (BackfillStatus.REQUESTED, BackfillStatus.IN_PROGRESS)
RUNNING = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)
SHOWN_KEYS = 8


def keys_line(keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOWN_KEYS])
    return shown + (f" and {len(keys) - SHOWN_KEYS} more" if len(keys) > SHOWN_KEYS else "")


def cancel_body(view: BackfillView, runs: list[Run], grace: float) -> str:
    """What `c` will stop: its queued and running runs, and the partitions never launched."""
    b = view.backfill
    queued = sum(r.status == RunStatus.QUEUED for r in runs)
    running = sum(r.status in RUNNING for r in runs)
    missing = view.counts()[PartitionRunStatus.MISSING]
    lines = [
        f"backfill {b.backfill_id}, {b.selection.get('select')}, {len(b.partition_keys)} partitions, {b.status}",
        f"cancels {queued} queued and {running} running run(s)",
        f"launches none of its {missing} partition(s) not started yet",
    ]
    if running:
        lines.append(f"running steps get {short_duration(grace)} to stop, then they are killed")
    return "\n".join(lines)


def runs_for(view: BackfillView, keys: list[str]) -> int:
    """How many runs a backfill of `keys` starts, grouped as the original was."""
    per_run = view.backfill.partitions_per_run
    if not keys:
        return 0
    return 1 if per_run is None else -(-len(keys) // per_run)


class BackfillActionsScreen(BaseScreen):
    """A screen showing backfills: it says which one is selected (and which keys are marked)."""

    def reload(self) -> None:
        """Read the backfills again (in a worker)."""

    def selected_backfill_id(self) -> str | None:
        raise NotImplementedError

    def marked_keys(self) -> list[str]:
        return []

    def backfill_started(self, backfill_id: str) -> None:
        """A retry was recorded: the list puts its cursor there."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("cancel_backfill", "retry_backfill") and self.app.readonly)  # type: ignore[attr-defined]

    # -- cancel --------------------------------------------------------------------------------
    def action_cancel_backfill(self) -> None:
        backfill_id = self.selected_backfill_id()
        if backfill_id:
            self._read_for_cancel(backfill_id)

    @work(thread=True, exclusive=True, group="backfill-read")
    def _read_for_cancel(self, backfill_id: str) -> None:
        try:
            view = self.api.backfill(backfill_id)
            runs = self.api.backfill_runs(backfill_id) if view else []
            grace = self.api.cancel_grace_seconds
        except Exception as err:  # noqa: BLE001 - a lost store is a message, not a crash
            self.app.call_from_thread(
                self.notify, f"cannot read backfill {backfill_id}: {err}", severity="error"
            )
            return
        self.app.call_from_thread(self._ask_cancel, backfill_id, view, runs, grace)

    def _ask_cancel(self, backfill_id: str, view: BackfillView | None, runs: list[Run], grace: float) -> None:
        if view is None:
            self.notify(f"no backfill {backfill_id}", severity="warning")
            return
        b = view.backfill
        if b.status not in ACTIVE:
            self.notify(
                f"backfill {b.backfill_id} is {b.status}; only a running backfill cancels", severity="warning"
            )
            return

        def answer(ok: bool | None) -> None:
            if ok:
                self._cancel(b.backfill_id)

        body = cancel_body(view, runs, grace)
        self.app.push_screen(ConfirmScreen(f"Cancel backfill {b.backfill_id}?", body), answer)

    @work(thread=True, group="backfill-act")
    def _cancel(self, backfill_id: str) -> None:
        try:
            view = self.api.cancel_backfill(backfill_id)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.notify, f"backfill {backfill_id}: {view.backfill.status}")
        self.app.call_from_thread(self.reload)

    # -- retry failed --------------------------------------------------------------------------
    def action_retry_backfill(self) -> None:
        backfill_id = self.selected_backfill_id()
        if backfill_id:
            self._read_for_retry(backfill_id, self.marked_keys())

    @work(thread=True, exclusive=True, group="backfill-read")
    def _read_for_retry(self, backfill_id: str, marked: list[str]) -> None:
        try:
            view = self.api.backfill(backfill_id)
        except Exception as err:  # noqa: BLE001 - a lost store is a message, not a crash
            self.app.call_from_thread(
                self.notify, f"cannot read backfill {backfill_id}: {err}", severity="error"
            )
            return
        self.app.call_from_thread(self._ask_retry, backfill_id, view, marked)

    def _ask_retry(self, backfill_id: str, view: BackfillView | None, marked: list[str]) -> None:
        if view is None:
            self.notify(f"no backfill {backfill_id}", severity="warning")
            return
        b = view.backfill
        if b.status in ACTIVE:
            self.notify(
                f"backfill {b.backfill_id} is {b.status}; wait for it to end (or cancel it with c) first",
                severity="warning",
            )
            return
        failed = [k for k, s in view.partitions.items() if s == PartitionRunStatus.FAILED]
        keys = [k for k in failed if k in set(marked)] if marked else failed
        if not keys:
            what = (
                f"none of the {len(marked)} marked partition(s) failed" if marked else "no partition failed"
            )
            self.notify(f"backfill {b.backfill_id}: {what}; nothing to retry", severity="warning")
            return
        lines = [
            f"a new backfill of {b.selection.get('select')} for: {keys_line(keys)}",
            f"the daemon starts {runs_for(view, keys)} run(s) for them",
        ]
        if marked and len(keys) < len(marked):
            lines.append(f"{len(marked) - len(keys)} marked partition(s) did not fail: not retried")
        which = "marked failed" if marked else "failed"

        def answer(ok: bool | None) -> None:
            if ok:
                self._retry(b.backfill_id, keys if marked else None)

        title = f"Retry {len(keys)} {which} partition(s) of backfill {b.backfill_id}?"
        self.app.push_screen(ConfirmScreen(title, "\n".join(lines)), answer)

    @work(thread=True, group="backfill-act")
    def _retry(self, backfill_id: str, keys: list[str] | None) -> None:
        try:
            view = self.api.retry_backfill(backfill_id, keys)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        new = view.backfill
        message = (
            f"backfill {new.backfill_id}: retrying {len(new.partition_keys)} partition(s) of {backfill_id}"
        )
        if self.app.daemon_label().endswith(": off"):  # type: ignore[attr-defined]
            message += "; no daemon is running: `dagdeck daemon` launches its runs"
        self.app.call_from_thread(self.notify, message)
        self.app.call_from_thread(self.backfill_started, new.backfill_id)
