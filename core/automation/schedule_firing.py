"""The daemon's schedule pass: fire every due tick of each running schedule, oldest first.

When ticks are due (`schedule_ticks`) and how a tick is recorded (`tick_records.record_tick`) live
elsewhere; this module walks the schedules, catches up after downtime up to `max_catchup_ticks`,
finishes first a tick a dead daemon left half submitted (even one catch-up would now skip), and
stops at once when the lease is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from dagdeck.core.automation.instigators import instigator_state
from dagdeck.core.automation.loop_context import LoopContext
from dagdeck.core.automation.schedule_ticks import due_ticks, evaluate_schedule, run_key_for, tick_iso, zone
from dagdeck.core.automation.sensor_ticks import Evaluation, EvaluationThread, timeout_error
from dagdeck.core.automation.tick_records import record_tick
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import RunRequest
from dagdeck.core.statuses import InstigatorStatus, TickStatus
from dagdeck.store import InstigatorState

log = logging.getLogger("dagdeck.daemon")


def fire_due_schedules(ctx: LoopContext, loaded: Loaded, now: float, states: dict[str, InstigatorState]) -> bool:
    """Fire what is due; True when runs were launched (the caller drains the queue)."""
    launched = False
    for sched in list(loaded.defs.schedules.values()):
        name = str(sched.name)
        try:
            state = instigator_state(ctx.store, name, "schedule", str(sched.default_status), states, ctx.now())
            if state.status != InstigatorStatus.RUNNING:
                continue
            after = float(state.cursor) if state.cursor else None
            ticks, dropped = due_ticks(
                sched.cron_schedule,
                sched.execution_timezone,
                now=now,
                after=after,
                not_before=state.started_at if state.started_at is not None else now,
                limit=max(1, sched.max_catchup_ticks),
            )
            if dropped:
                log.warning("schedule %s: skipped %d missed tick(s) (max_catchup_ticks=%d)", name, dropped, sched.max_catchup_ticks)
            if name in ctx.resume:
                ticks = _with_interrupted(ctx, name, sched, ticks)
            for instant in ticks:
                if not ctx.lease.still_held():
                    return launched
                launched |= fire_schedule(ctx, loaded, sched, instant, now)
            ctx.resume.discard(name)
        except Exception as err:  # noqa: BLE001 - one schedule never stops the others
            ctx.resume.add(name)  # a tick may be left STARTED: finish it on the next pass
            ctx.report(f"schedule {name}", err)
    return launched


def _with_interrupted(
    ctx: LoopContext, name: str, sched: ScheduleDefinition, ticks: list[dt.datetime]
) -> list[dt.datetime]:
    """`ticks` with the scheduled time of the interrupted tick first, if it is not among them."""
    last = ctx.store.list_ticks(name, limit=1)
    if not last or last[0].status != TickStatus.STARTED or last[0].scheduled_at is None:
        return ticks
    ts = last[0].scheduled_at
    if any(t.timestamp() == ts for t in ticks):
        return ticks
    return [dt.datetime.fromtimestamp(ts, zone(sched.execution_timezone)), *ticks]


def fire_schedule(ctx: LoopContext, loaded: Loaded, sched: ScheduleDefinition, instant: dt.datetime, now: float) -> bool:
    """Evaluate and record one tick; True when it launched runs."""
    name = str(sched.name)
    ts = instant.timestamp()
    evaluation = evaluate_with_timeout(name, lambda: evaluate_schedule(sched, instant), ctx.evaluation_timeout)
    iso = tick_iso(instant)

    def key(i: int, r: RunRequest) -> str:
        return run_key_for(name, instant, r.run_key or (str(i) if i else None))

    result = record_tick(
        ctx.store,
        ctx.launcher,
        loaded,
        name=name,
        kind="schedule",
        evaluation=evaluation,
        now=now,
        trigger=f"schedule:{name}",
        job_name=sched.job_name,
        cursor=repr(ts),
        failure_cursor=repr(ts),
        run_key=key,
        extra_tags=lambda _r: {**sched.tags, "dagdeck/schedule": name, "dagdeck/scheduled_time": iso},
        scheduled_at=ts,
    )
    log.info("schedule %s tick %s: %s %s", name, iso, result.tick.status, " ".join(r[:8] for r in result.run_ids))
    return bool(result.run_ids)


def evaluate_with_timeout(name: str, fn: Callable[[], Evaluation], timeout: float) -> Evaluation:
    """Schedule functions are quick by nature; still, one that hangs fails its tick."""
    thread = EvaluationThread(name, fn, timeout, lambda: None)
    result = thread.wait(timeout)
    return result if result is not None else Evaluation(error=timeout_error(name, timeout))
