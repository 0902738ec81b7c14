"""What a user does to a backfill once it exists: cancel it (with its queued and running runs), or
start a new one for its failed partitions."""

from __future__ import annotations

import time
from collections.abc import Iterable

from dagdeck.core.automation.backfill_plan import ACTIVE, PARENT_TAG, ROOT_TAG, BackfillError, new_id
from dagdeck.core.automation.backfill_states import backfill_view
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.statuses import BACKFILL_ACTIVE, FINISHED, BackfillStatus, PartitionRunStatus
from dagdeck.store import Backfill, Store


def cancel_backfill(store: Store, launcher: Launcher, backfill: Backfill) -> Backfill:
    """Stop launching (CANCELED, atomically against a launch in progress), then cancel every run of
    the backfill still queued or running. Canceling a finished backfill is an error."""
    if not store.transition_backfill(
        backfill.backfill_id, ACTIVE, BackfillStatus.CANCELED, ended_at=time.time()
    ):
        current = store.get_backfill(backfill.backfill_id) or backfill
        raise BackfillError(
            f"backfill {backfill.backfill_id} is {current.status}; only a running backfill cancels"
        )
    for _chunk, run_id, status in store.backfill_runs(backfill.backfill_id):
        if status is not None and status not in FINISHED:
            launcher.cancel(run_id)
    return store.get_backfill(backfill.backfill_id) or backfill


def retry_failed(store: Store, backfill: Backfill, only: Iterable[str] | None = None) -> Backfill:
    """A new backfill (same selection and grouping) of the partitions whose run failed or was
    canceled (`only`: of those, just these keys); the original must have ended."""
    if backfill.status in BACKFILL_ACTIVE:
        raise BackfillError(
            f"backfill {backfill.backfill_id} is {backfill.status}; wait for it to end (or cancel it) first"
        )
    view = backfill_view(store, backfill)
    failed = [k for k, s in view.partitions.items() if s == PartitionRunStatus.FAILED]
    if not failed:
        raise BackfillError(f"backfill {backfill.backfill_id} has no failed partitions; nothing to retry")
    if only is not None:
        wanted = set(only)
        unknown = sorted(wanted - set(failed))
        if unknown:
            raise BackfillError(
                f"partitions {', '.join(unknown)} did not fail in backfill {backfill.backfill_id}; "
                f"failed: {', '.join(failed)}"
            )
        failed = [k for k in failed if k in wanted]
    retry = Backfill(
        backfill_id=new_id(),
        status=BackfillStatus.REQUESTED,
        selection=dict(backfill.selection),
        partition_keys=failed,
        partitions_per_run=backfill.partitions_per_run,
        tags={
            **backfill.tags,
            PARENT_TAG: backfill.backfill_id,
            ROOT_TAG: backfill.tags.get(ROOT_TAG, backfill.backfill_id),
        },
        location=dict(backfill.location),
        created_at=time.time(),
        parent_backfill_id=backfill.backfill_id,
    )
    store.add_backfill(retry)
    return retry
