"""The run queue: at most `max_concurrent_runs` active runs; the rest wait QUEUED and start oldest
first as soon as a slot frees, whichever process launched them."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from runs_helpers import RUNS_DEFS, popen_cli, run_events, write_settings

from dagdeck.core.instance import Instance

WriteDefs = Callable[..., Path]
Cli = Callable[..., subprocess.CompletedProcess[str]]
ACTIVE = {"STARTING", "STARTED", "CANCELING"}


def test_six_runs_with_two_slots(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    write_settings(home, max_concurrent_runs=2)
    defs_file = write_defs(RUNS_DEFS)
    launches = [popen_cli(home, defs_file, "materialize", "--select", "one_second", "--detach") for _ in range(6)]

    inst = Instance.open(home)
    peak_active = 0
    samples = 0
    run_ids: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            runs = inst.store.list_runs(limit=100)
            active = sum(1 for r in runs if r.status in ACTIVE)
            peak_active = max(peak_active, active)
            samples += 1
            if len(runs) == 6 and all(r.status in ("SUCCESS", "FAILURE", "CANCELED") for r in runs):
                break
            time.sleep(0.03)
        for proc in launches:
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err
            run_ids.append(out.strip())
        runs = sorted(inst.store.list_runs(limit=100), key=lambda r: (r.created_at, r.run_id))
    finally:
        inst.close()

    assert sorted(r.run_id for r in runs) == sorted(run_ids)
    assert [r.status for r in runs] == ["SUCCESS"] * 6
    assert peak_active == 2, (peak_active, samples)  # the queue was used, and never exceeded

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
