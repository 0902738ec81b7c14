"""Dynamic outputs (`DynamicOut`, `DynamicOutput`, `.map`, `.collect`) as Dagster runs them: each
mapped op is its own step `op[mapping_key]`, and a collect gets a list in the order the keys were
yielded."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli, cli_run, pipeline, run_record, stored_asset_value, stored_op_output

MAPPED = [f"{op}[{key}]" for op in ("file_size", "add_header") for key in ("beta", "alpha", "gamma")]


@pytest.mark.parametrize("executor", ["in_process", "multiprocess", "dask"])
def test_map_and_collect(tmp_path: Path, executor: str) -> None:
    """Dagster 1.13.28: `process_files` succeeds with steps list_files, file_size[beta],
    file_size[alpha], file_size[gamma], add_header[beta|alpha|gamma] and summarize; summarize's
    output is {"count": 3, "sizes": [41, 51, 51]} (yield order beta, alpha, gamma, not sorted).
    dagdeck runs it the same with each of its executors (the mapped steps are expanded by the
    scheduler from the mapping keys the dynamic step records next to its outputs)."""
    home = tmp_path / "home"
    run = cli_run(
        pipeline("graphs_dynamic"), "job", "run", "process_files", "--executor", executor, home=home
    )
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {
        "list_files": "succeeded",
        "summarize": "succeeded",
        **{k: "succeeded" for k in MAPPED},
    }
    run_id = run.doc["run_id"]
    assert stored_op_output(home, run_id, "summarize") == {"count": 3, "sizes": [41, 51, 51]}
    assert stored_op_output(home, run_id, "file_size[alpha]") == 50
    record = run_record(home, run_id)
    starts = [e.step_key for e in record.events if e.event_type == "STEP_START"]
    assert starts.index("list_files") < min(starts.index(k) for k in MAPPED)
    assert max(starts.index(k) for k in MAPPED) < starts.index("summarize")
    # the steps read in the order they ran: the mapped ones between their dynamic upstream and the collect
    listed = list(run.steps)
    assert listed[0] == "list_files" and listed[-1] == "summarize"
    assert set(listed[1:-1]) == set(MAPPED)


def test_no_dynamic_outputs_collects_an_empty_list(tmp_path: Path) -> None:
    """Dagster 1.13.28: a DynamicOut op that yields nothing succeeds, no mapped step runs, and the
    collecting op `count` runs with [] and returns 0; the run succeeds."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_dynamic"), "job", "run", "process_nothing", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"find_nothing": "succeeded", "count": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "count") == 0


def test_one_mapped_step_fails(tmp_path: Path) -> None:
    """Dagster 1.13.28: check_chunk[chunk_1] fails with "ValueError: chunk 1 is corrupt", its
    siblings check_chunk[chunk_0] and check_chunk[chunk_2] succeed, the run fails, and `merge`
    never runs (Dagster records no event for it; dagdeck records it as skipped)."""
    run = cli_run(
        pipeline("graphs_dynamic_failures"), "job", "run", "one_chunk_fails", home=tmp_path / "home"
    )
    assert run.status == "FAILURE"
    assert run.steps == {
        "chunks": "succeeded",
        "check_chunk[chunk_0]": "succeeded",
        "check_chunk[chunk_1]": "failed",
        "check_chunk[chunk_2]": "succeeded",
        "merge": "skipped",
    }
    errors = {s["key"]: s["error"] for s in run.doc["steps"]}
    assert "ValueError: chunk 1 is corrupt" in errors["check_chunk[chunk_1]"]


def test_invalid_mapping_key_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: yielding DynamicOutput(1, mapping_key="not-valid") fails step bad_keys with
    '"not-valid" is not a valid name in Dagster. Names must be in regex ^[A-Za-z0-9_]+$.'; nothing
    downstream runs and the run fails."""
    run = cli_run(pipeline("graphs_dynamic_failures"), "job", "run", "invalid_key", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"bad_keys": "failed", "merge": "skipped"}
    error = run.doc["steps"][0]["error"]
    assert '"not-valid" is not a valid name in Dagster. Names must be in regex ^[A-Za-z0-9_]+$.' in error


def test_duplicate_mapping_key_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: yielding mapping_key "a" twice fails step same_key_twice with
    'Compute for op "same_key_twice" yielded a DynamicOutput with mapping_key "a" multiple times.'"""
    run = cli_run(pipeline("graphs_dynamic_failures"), "job", "run", "duplicate_key", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"same_key_twice": "failed", "merge": "skipped"}
    error = run.doc["steps"][0]["error"]
    assert (
        'Compute for op "same_key_twice" yielded a DynamicOutput with mapping_key "a" multiple times.'
        in error
    )


@pytest.mark.parametrize(
    ("job", "message"),
    [
        (
            "unmapped",
            "received the dynamic output 'result' from op 'list_files' directly. "
            "Dynamic output must be unpacked by invoking map or collect",
        ),
        ("two_origins", "cannot be downstream of more than one dynamic output"),
        ("collect_in_fan_in", "a fan-in list can only hold outputs of other ops"),
    ],
)
def test_dynamic_wiring_errors_are_one_line(tmp_path: Path, job: str, message: str) -> None:
    """Dagster 1.13.28: each job fails at definition time with DagsterInvalidDefinitionError:
    passing a dynamic output straight to an op ("In @job unmapped, received the dynamic output
    result from op 'list_files' directly. Dynamic output must be unpacked by invoking map or
    collect."), an op downstream of two dynamic outputs ("op 'pair' cannot be downstream of more
    than one dynamic output. It is downstream of both ..."), and a fan-in list holding a collect
    ("received a list containing an invalid type at index 0 ...")."""
    proc = cli(pipeline(f"graphs_dynamic_bad_{job}"), "job", "run", job, home=tmp_path / "home")
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert message in lines[0]
    assert f"graphs_dynamic_bad_{job}.py" in lines[0]
    assert "Traceback" not in proc.stderr


def test_reexecute_from_failure_runs_the_failed_mapping_again(tmp_path: Path) -> None:
    """Dagster 1.13.28: the first run fails with batches, process[b1] and process[b3] succeeded
    and process[b2] failed ("RuntimeError: batch b2 failed"); re-executed from failure, the run
    succeeds and combine gets ['b1:B1', 'b2:B2', 'b3:B3'] (each value made with
    context.get_mapping_key()). Dagster re-runs only process[b2] and combine; dagdeck re-runs every
    instance of the mapped step (process[b1], process[b2], process[b3]) and combine."""
    home = tmp_path / "home"
    env = {"BATCH_MARKER": str(tmp_path / "marker")}
    first = cli_run(pipeline("graphs_dynamic_retry"), "job", "run", "flaky_batches", home=home, env=env)
    assert first.status == "FAILURE"
    assert first.steps == {
        "batches": "succeeded",
        "process[b1]": "succeeded",
        "process[b2]": "failed",
        "process[b3]": "succeeded",
        "combine": "skipped",
    }
    again = cli_run(
        pipeline("graphs_dynamic_retry"),
        "runs",
        "reexecute",
        first.doc["run_id"],
        "--from-failure",
        home=home,
        env=env,
    )
    assert again.returncode == 0, again.stderr
    assert again.status == "SUCCESS"
    assert again.steps == {k: "succeeded" for k in ["process[b1]", "process[b2]", "process[b3]", "combine"]}
    assert stored_op_output(home, again.doc["run_id"], "combine") == ["b1:B1", "b2:B2", "b3:B3"]


def test_dynamic_and_regular_outputs_of_one_op(tmp_path: Path) -> None:
    """Dagster 1.13.28: `mixed_outputs` succeeds with steps split, double[i0], double[i1],
    double[i2] and combine; combine gets {"values": [0, 20, 40], "count": 3}."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_dynamic_mixed"), "job", "run", "mixed_outputs", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        k: "succeeded" for k in ["split", "double[i0]", "double[i1]", "double[i2]", "combine"]
    }
    assert stored_op_output(home, run.doc["run_id"], "combine") == {"values": [0, 20, 40], "count": 3}


def test_dynamic_fan_out_inside_a_graph_asset(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing joined and shout succeeds with steps joined.parts,
    joined.upper[x], joined.upper[y], joined.join and shout; shout's value is "XY!"."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_dynamic_asset"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    steps = ["joined.parts", "joined.upper[x]", "joined.upper[y]", "joined.join", "shout"]
    assert run.steps == {k: "succeeded" for k in steps}
    assert stored_asset_value(home, "joined") == "XY"
    assert stored_asset_value(home, "shout") == "XY!"


def test_run_config_reaches_every_mapped_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: with run config ops.scale.config.factor=10 and ops.add.config.amount=5,
    `cfg_job` succeeds (scale[n0], scale[n1], add[n0], add[n1]) and gather gets [5, 15]: the
    config given under the op's name reaches each of its mapped steps."""
    home = tmp_path / "home"
    config = '{"ops": {"scale": {"config": {"factor": 10}}, "add": {"config": {"amount": 5}}}}'
    run = cli_run(pipeline("graphs_dynamic_config"), "job", "run", "cfg_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        k: "succeeded" for k in ["nums", "scale[n0]", "scale[n1]", "add[n0]", "add[n1]", "gather"]
    }
    assert stored_op_output(home, run.doc["run_id"], "gather") == [5, 15]
