"""Re-execution: from failure runs exactly the failed and skipped steps, loading upstream values from
storage; re-execute all runs every step; new runs link to their parent and root."""

from __future__ import annotations

import json
import pickle
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from runs_helpers import RUNS_DEFS, popen_cli

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]


@pytest.fixture
def defs_file(write_defs: WriteDefs) -> Path:
    return write_defs(RUNS_DEFS)


def _json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}") from None


def _steps(doc: dict[str, Any]) -> dict[str, str]:
    return {s["key"]: s["status"] for s in doc["steps"]}


def test_reexecute_asset_job_from_failure_then_all(cli: Cli, defs_file: Path, home: Path) -> None:
    here = defs_file.parent
    first = cli("job", "run", "flaky_job", "--json", home=home, file=defs_file)
    assert first.returncode == 1
    parent = _json(first)
    assert _steps(parent) == {"base": "succeeded", "flaky": "failed", "after_flaky": "skipped", "bystander": "succeeded"}

    (here / "fixed").write_text("")
    retry = cli("runs", "reexecute", parent["run_id"], "--from-failure", "--json", home=home, file=defs_file)
    assert retry.returncode == 0, retry.stderr
    child = _json(retry)
    assert child["status"] == "SUCCESS"
    assert child["job"] == "flaky_job"
    assert _steps(child) == {"flaky": "succeeded", "after_flaky": "succeeded"}  # exactly failed + skipped
    assert child["parent_run_id"] == parent["run_id"]
    assert child["root_run_id"] == parent["run_id"]
    assert (here / "base.count").read_text() == "1"  # upstream value came from storage
    assert pickle.loads((home / "storage" / "after_flaky").read_bytes()) == 42

    all_again = popen_cli(home, defs_file, "runs", "reexecute", parent["run_id"], "--json")
    grandchild = popen_cli(home, defs_file, "runs", "reexecute", child["run_id"], "--json")
    everything = json.loads(all_again.communicate(timeout=60)[0])
    chained = json.loads(grandchild.communicate(timeout=60)[0])
    assert all_again.returncode == 0 and grandchild.returncode == 0

    assert _steps(everything) == dict.fromkeys(["base", "flaky", "after_flaky", "bystander"], "succeeded")
    assert (everything["parent_run_id"], everything["root_run_id"]) == (parent["run_id"], parent["run_id"])
    assert (here / "base.count").read_text() == "2"
    assert _steps(chained) == {"flaky": "succeeded", "after_flaky": "succeeded"}
    assert (chained["parent_run_id"], chained["root_run_id"]) == (child["run_id"], parent["run_id"])

    nothing = cli("runs", "reexecute", everything["run_id"], "--from-failure", home=home, file=defs_file)
    assert nothing.returncode == 2 and "Traceback" not in nothing.stderr


def test_reexecute_op_job_from_failure_loads_outputs_of_the_parent_run(
    cli: Cli, defs_file: Path, home: Path
) -> None:
    here = defs_file.parent
    first = cli("job", "run", "op_chain", "--json", home=home, file=defs_file)
    assert first.returncode == 1
    parent = _json(first)
    assert _steps(parent) == {"op_base": "succeeded", "op_flaky": "failed", "op_last": "skipped", "op_side": "succeeded"}

    (here / "fixed").write_text("")
    retry = cli("runs", "reexecute", parent["run_id"][:8], "--from-failure", "--json", home=home, file=defs_file)
    assert retry.returncode == 0, retry.stderr
    child = _json(retry)
    assert _steps(child) == {"op_flaky": "succeeded", "op_last": "succeeded"}
    assert (child["parent_run_id"], child["root_run_id"]) == (parent["run_id"], parent["run_id"])
    assert (here / "op_base.count").read_text() == "1"
    assert (here / "op_last.result").read_text() == "16"  # op_base's 5 from the parent run, *3, +1
