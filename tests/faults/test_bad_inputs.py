"""Issue 12, failure 8, "Inputs that still crash or hang": each bad input given to the installed
`dagdeck` script is one line on stderr naming what is wrong and the fix, exit 2, never a traceback
and never a recorded run; a paused queue says so instead of waiting for ever; an oversized metadata
value is stored truncated with a note while its step still succeeds.

(`--home /etc/passwd`, a home under a read-only directory and the sensor tick collapse are tested
by their own parts.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dagdeck.core.defs.metadata import TRUNCATION_MARK, capped
from dagdeck.store import Store
from tests.faults.input_helpers import json_of, one_line_error, recorded_runs, run, settings_file, write_defs

SECRET = "hunter2pw"
"""A password put in bad store URLs: no error may print it."""


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("@missing.json", ["--config @missing.json", "no such file"]),
        ("@.", ["--config @.", "is a directory"]),
        ('{"ops": 5}', ['"ops" must be an object', '{"ops": {"STEP": {"config"']),
        ('{"ops": "ab"}', ['"ops" must be an object', "a string"]),
        ('{"ops": {"small": 5}}', ['"ops"."small" must be an object']),
        ('{"ops": {"small": {"conf": [1]}}}', ['unexpected config entry "conf" at path root:ops:small']),
    ],
)
def test_bad_run_config_is_one_line_and_no_run(tmp_path: Path, config: str, words: list[str]) -> None:
    """Failure 8: `--config @missing` and `--config '{"ops":5}'` printed a traceback (FileNotFoundError,
    TypeError in the planner); a config of the wrong shape is a usage error before any run exists."""
    home, defs = tmp_path / "home", write_defs(tmp_path)
    for command in (("materialize", "--select", "small"), ("job", "run", "small_job")):
        message = one_line_error(run(*command, "--config", config, home=home, file=defs))
        assert all(w in message for w in words), message
    assert recorded_runs(home) == []


@pytest.mark.parametrize(
    ("source", "value", "words"),
    [
        ("file", "store_url = 5", ["dagdeck.toml", "store_url = 5"]),
        ("file", f'store_url = "mysql://root:{SECRET}@db/x"', ["dagdeck.toml", "'mysql'", "postgresql://"]),
        ("env", "not a url", ["DAGDECK_STORE_URL", "'not a url' is not a database URL", "sqlite:///"]),
        ("env", f"postgresql://dagdeck:{SECRET}@db.internal:abc/dagdeck", ["DAGDECK_STORE_URL", "port that is not a number"]),
        ("env", f"postgresql://dagdeck:{SECRET}@db.internal:99999/dagdeck", ["DAGDECK_STORE_URL", "port 99999"]),
        ("env", f"oracle://scott:{SECRET}@db/orcl", ["DAGDECK_STORE_URL", "'oracle'", "does not support"]),
        ("env", f"postgresql+psycopg2://u:{SECRET}@db/x", ["DAGDECK_STORE_URL", "'psycopg2'"]),
    ],
)
def test_bad_store_url_is_one_line_without_the_password(
    tmp_path: Path, source: str, value: str, words: list[str]
) -> None:
    """Failure 8: `DAGDECK_STORE_URL='not a url'` and a port that is not a number printed SQLAlchemy
    tracebacks; an unknown dialect is refused before any connection, and no message shows a password."""
    home = tmp_path / "home"
    env = {}
    if source == "file":
        settings_file(home, value + "\n")
    else:
        env["DAGDECK_STORE_URL"] = value
    proc = run("runs", "list", home=home, env=env)
    message = one_line_error(proc)
    assert all(w in message for w in words), message
    assert SECRET not in proc.stderr + proc.stdout


def test_a_negative_run_limit_is_a_settings_error(tmp_path: Path) -> None:
    """Failure 8: a negative `max_concurrent_runs` other than -1 (no limit) is a settings error."""
    home = tmp_path / "home"
    settings_file(home, "max_concurrent_runs = -2\n")
    message = one_line_error(run("runs", "list", home=home))
    assert "dagdeck.toml" in message and "max_concurrent_runs = -2" in message


def test_paused_queue_says_so_instead_of_waiting(tmp_path: Path) -> None:
    """Failure 8: with `max_concurrent_runs = 0` (Dagster's paused queue) `materialize` waited
    silently for ever. Now the run is queued and stays QUEUED, its id goes to stdout, one stderr line
    says the queue is paused and how to resume, and the exit code is 3: not 0 (nothing was
    materialized, so `materialize && next` must not go on) and not 1 (the run did not fail)."""
    home, defs = tmp_path / "home", write_defs(tmp_path)
    settings_file(home, "max_concurrent_runs = 0\n")
    waited = run("materialize", "--select", "small", home=home, file=defs)
    job = run("job", "run", "small_job", "--json", home=home, file=defs)
    detached = run("materialize", "--select", "small", "--detach", home=home, file=defs)
    for proc, code in ((waited, 3), (job, 3), (detached, 0)):
        assert proc.returncode == code, (proc.args, proc.returncode, proc.stderr)
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "queue is paused" in lines[0], proc.stderr
        assert "set max_concurrent_runs above 0" in lines[0] and "runs cancel" in lines[0]
    ids = [waited.stdout.strip(), json_of(job)["run_id"], detached.stdout.strip()]
    assert json_of(job)["status"] == "QUEUED"
    runs = {r["run_id"]: r["status"] for r in recorded_runs(home)}  # `runs list` drains the queue too
    assert runs == dict.fromkeys(ids, "QUEUED")


def test_unknown_executor_is_a_usage_error_and_records_no_run(tmp_path: Path) -> None:
    """Failure 8: `--executor bogus` created a run and recorded it as FAILURE; now it is a usage
    error naming the valid executors (and the closest one), and no run exists."""
    home, defs = tmp_path / "home", write_defs(tmp_path)
    bogus = one_line_error(run("materialize", "--select", "small", "--executor", "bogus", home=home, file=defs))
    assert "'bogus'" in bogus and "in_process, multiprocess, dask" in bogus
    typo = one_line_error(run("job", "run", "small_job", "--executor", "multiproces", home=home, file=defs))
    assert "did you mean 'multiprocess'" in typo
    assert recorded_runs(home) == []


def test_oversized_metadata_is_stored_truncated_and_the_step_succeeds(tmp_path: Path) -> None:
    """Failure 8: a 3 MB metadata value was stored whole in every event (and printed whole by
    `assets show`). Now each value over `max_metadata_bytes` (1 MB by default) is cut, with a note in
    the value and `truncated`/`original_bytes` beside it, and the step still succeeds."""
    home, defs = tmp_path / "home", write_defs(tmp_path)
    done = run("materialize", "--select", "huge_note", "--json", home=home, file=defs)
    assert done.returncode == 0 and json_of(done)["status"] == "SUCCESS", done.stderr
    shown = json_of(run("assets", "show", "huge_note", "--json", home=home, file=defs))
    meta = shown["latest"]["metadata"]
    assert meta["count"] == 7
    for name in ("notes", "rows"):
        assert len(meta[name].encode()) <= 1024 * 1024
        assert meta[name].splitlines()[-1].startswith(TRUNCATION_MARK), meta[name][-200:]
    assert set(meta["notes"].splitlines()[0]) == {"é"}  # cut on a character boundary
    store = Store.sqlite(home / "dagdeck.db")
    try:
        [event] = store.get_events(run_id=json_of(done)["run_id"], event_types=["ASSET_MATERIALIZATION"])
    finally:
        store.close()
    stored = event.data["metadata"]
    assert stored["notes"]["truncated"] is True and stored["notes"]["original_bytes"] == 3 * 1024 * 1024
    assert stored["rows"]["type"] == "text" and stored["rows"]["original_type"] == "table"
    text = run("assets", "show", "huge_note", home=home, file=defs)
    assert text.returncode == 0 and len(text.stdout) < 20_000 and TRUNCATION_MARK in text.stdout


def test_the_metadata_limit_is_a_parameter() -> None:
    """Failure 8: the limit is configurable (`max_metadata_bytes`); small values pass untouched."""
    small = {"type": "text", "value": "x" * 2000}
    assert capped(small, 4096) is small
    cut = capped({"type": "json", "value": {"k": "y" * 5000}}, 4096)
    assert cut["truncated"] is True and len(cut["value"].encode()) <= 4096 and cut["original_type"] == "json"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("assets", "show", "/"), ["'/' is not an asset key"]),
        (("daemon", "--interval", "-1"), ["--interval", "above 0"]),
        (("daemon", "--interval", "nan"), ["--interval", "above 0"]),
        (("job", "run", "no_such_job"), ["unknown job 'no_such_job'", "small_job"]),
    ],
)
def test_other_bad_arguments_are_one_line(tmp_path: Path, args: tuple[str, ...], words: list[str]) -> None:
    """Failure 8: more inputs found crashing or spinning while testing the named ones: an asset key
    of only slashes (ValueError traceback), a daemon interval <= 0 or nan (a busy loop)."""
    home, defs = tmp_path / "home", write_defs(tmp_path)
    message = one_line_error(run(*args, home=home, file=defs, timeout=60))
    assert all(w in message for w in words), message


def test_logs_of_a_step_the_run_does_not_have(tmp_path: Path) -> None:
    """Failure 8: `runs logs RUN --step typo` printed nothing and exited 0, as if the step were silent."""
    home, defs = tmp_path / "home", write_defs(tmp_path)
    done = run("materialize", "--select", "small", "--json", home=home, file=defs)
    run_id = json_of(done)["run_id"]
    message = one_line_error(run("runs", "logs", run_id, "--step", "smal", home=home))
    assert "has no step 'smal'" in message and "did you mean 'small'" in message
