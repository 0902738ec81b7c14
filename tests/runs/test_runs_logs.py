"""Step logs: stdout/stderr captured per step under `<home>/logs/<run_id>/`, size-capped, printed by
`dagdeck runs logs ID [--step KEY]`."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from runs_helpers import RUNS_DEFS, popen_cli, write_settings

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]
CAP = 1000


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_step_logs_are_captured_per_step_and_capped(
    executor: str, cli: Cli, write_defs: WriteDefs, home: Path
) -> None:
    write_settings(home, step_log_max_bytes=CAP)
    defs_file = write_defs(RUNS_DEFS)
    run = cli(
        "materialize", "--select", "chatty quiet flood", "--executor", executor, "--json", home=home, file=defs_file
    )
    assert run.returncode == 0, run.stderr
    run_id = json.loads(run.stdout)["run_id"]

    one = popen_cli(home, defs_file, "runs", "logs", run_id, "--step", "chatty")
    every = popen_cli(home, defs_file, "runs", "logs", run_id[:8])
    one_out, one_err = one.communicate(timeout=60)
    all_out, all_err = every.communicate(timeout=60)
    assert one.returncode == 0 and every.returncode == 0, (one_err, all_err)

    assert one_out.splitlines() == [
        "chatty.stdout: chatty says hello on stdout",
        "chatty.stderr: chatty complains on stderr",
    ]
    assert "chatty.stdout: chatty says hello on stdout" in all_out
    assert "quiet.stdout: quiet whispers" in all_out
    assert "flood.stdout: line 00000" in all_out
    assert "line 01999" not in all_out  # cut at the cap

    logs_dir = home / "logs" / run_id
    flood = (logs_dir / "flood.stdout").read_text()
    assert len(flood.encode()) <= CAP + 100, len(flood)
    assert "truncated" in flood
    assert (logs_dir / "quiet.stdout").read_text() == "quiet whispers\n"
