"""The run queue: at most `max_concurrent_runs` active runs; the rest wait QUEUED and start oldest
first as soon as a slot frees, whichever process launched them."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from runs_helpers import RUNS_DEFS, popen_cli, run_events, wait_for, write_settings

from dagdeck.core.instance import Instance

WriteDefs = Callable[..., Path]
Cli = Callable[..., subprocess.CompletedProcess[str]]
ACTIVE = {"STARTING", "STARTED", "CANCELING"}


def _in_step(here: Path) -> set[str]:
    """Runs whose `waiter` step has started (it marks `waiter.<run_id>` next to the definitions)."""
    return {m.name.split(".", 1)[1] for m in here.glob("waiter.*") if not m.name.endswith(".tmp")}


def test_six_runs_with_two_slots(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    write_settings(home, max_concurrent_runs=2)
    defs_file = write_defs(RUNS_DEFS)
    here = defs_file.parent
    # `waiter` marks `waiter.<run_id>` and blocks until the test writes `open`: with the gate shut,
    # the two runs that got the slots hold them, so what the others do is a state, not a race
    launches = [popen_cli(home, defs_file, "materialize", "--select", "waiter", "--detach") for _ in range(6)]
    run_ids: list[str] = []
    for proc in launches:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        run_ids.append(out.strip())

    inst = Instance.open(home)
    peak_active = 0
    try:
        in_step = wait_for(lambda: len(found := _in_step(here)) >= 2 and found, timeout=120, what="two runs to start")
        # every launch has returned and both slots are held: the other four wait in the queue
        statuses = {r.run_id: r.status for r in inst.store.list_runs(limit=100)}
        assert sorted(statuses) == sorted(run_ids)
        assert len(in_step) == 2, in_step  # the queue was used: two runs at once...
        assert {statuses[rid] for rid in in_step} == {"STARTED"}, statuses
        assert sorted(s for rid, s in statuses.items() if rid not in in_step) == ["QUEUED"] * 4, statuses
        assert _in_step(here) == in_step  # ...and no third one got past the queue

        (here / "open").write_text("")

        def all_finished() -> bool:
            nonlocal peak_active
            now = inst.store.list_runs(limit=100)
            peak_active = max(peak_active, sum(1 for r in now if r.status in ACTIVE))
            return len(now) == 6 and all(r.status in ("SUCCESS", "FAILURE", "CANCELED") for r in now)

        wait_for(all_finished, timeout=240, what="all six runs to finish")
        runs = sorted(inst.store.list_runs(limit=100), key=lambda r: (r.created_at, r.run_id))
    finally:
        inst.close()

    assert sorted(r.run_id for r in runs) == sorted(run_ids)
    assert [r.status for r in runs] == ["SUCCESS"] * 6
    assert peak_active <= 2, peak_active  # sampled while the queue drained: never more than two
    assert _in_step(here) == set(run_ids)

    # from the event log: never more than two runs between RUN_START and their end
    spans = []
    for r in runs:
        (start,) = run_events(home, r.run_id, "RUN_START")
        (end,) = run_events(home, r.run_id, "RUN_SUCCESS")
        spans.append((start.timestamp, end.timestamp))
    overlap = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
    assert overlap <= 2, spans

    # oldest first: when a slot was claimed, no older run that was already queued was passed over
    enqueued = {r.run_id: run_events(home, r.run_id, "RUN_ENQUEUED")[0].id for r in runs}
    claimed = {r.run_id: run_events(home, r.run_id, "RUN_STARTING")[0].id for r in runs}
    for newer in runs:
        for older in runs:
            if older.created_at < newer.created_at and enqueued[older.run_id] < claimed[newer.run_id]:
                assert claimed[older.run_id] < claimed[newer.run_id], (older.run_id, newer.run_id)

    listed = cli("runs", "list", "--json", home=home, file=defs_file)
    rows = json.loads(listed.stdout)
    assert [(row["status"], row["trigger"]) for row in rows] == [("SUCCESS", "cli")] * 6
    assert [row["run_id"] for row in rows] == [r.run_id for r in reversed(runs)]  # newest first
