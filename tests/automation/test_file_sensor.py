"""file_sensor: a new file starts a run, a file still being written waits, the path reaches the run,
and a restart does not relaunch files already seen.

Every wait is for a condition (a run, a later tick); how fast a file starts a run is measured by
`python -m bench automation`, not asserted here, so a loaded machine cannot fail these tests."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.loader import Loaded
from dagdeck.store import Run, Tick
from tests.automation.conftest import runs_of

FILES = """
class LoadConfig(dg.Config):
    path: str = ""

@dg.op
def load_file(context, config: LoadConfig) -> str:
    return config.path

@dg.job
def ingest():
    load_file()

incoming = dg.file_sensor("incoming/*.csv", job=ingest, name="incoming",
    default_status=dg.DefaultSensorStatus.RUNNING)
defs = dg.Definitions(assets=[a], jobs=[a_job, ingest], sensors=[incoming])
"""


def _wait_for_runs(d: Daemon, n: int, timeout: float = 30.0) -> list[Run]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = runs_of(d.instance, "sensor:incoming")
        if len(runs) >= n:
            return runs
        time.sleep(0.01)
    return runs_of(d.instance, "sensor:incoming")


def _wait_for_tick(d: Daemon, what: str, match: Callable[[Tick], bool], timeout: float = 30.0) -> Tick:
    """The newest of the sensor's recent ticks that `match`es, once there is one."""
    deadline = time.monotonic() + timeout
    while True:
        found = [t for t in d.store.list_ticks("incoming", limit=10) if t.status != "STARTED" and match(t)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _evaluated_after(d: Daemon, when: float) -> Tick:
    """Wait for an evaluation that began after `when` (a skip refreshes its row's time)."""
    return _wait_for_tick(d, "another evaluation", lambda t: t.timestamp > when)


def _real_daemon(daemons: Callable[..., Daemon], loaded: Loaded) -> Daemon:
    """A daemon on the real clock, back once it has evaluated the sensor for the first time."""
    d = daemons(loaded, now=time.time, watch_files=True, interval=0.5)
    started = time.time()
    d.start()
    _wait_for_tick(d, "the daemon's first evaluation", lambda t: t.timestamp >= started)
    return d


def test_new_file_starts_a_run_with_its_path(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], tmp_path: Path
) -> None:
    (tmp_path / "incoming").mkdir()
    loaded = load_defs(FILES)
    d = _real_daemon(daemons, loaded)
    path = tmp_path / "incoming" / "batch1.csv"
    written = time.monotonic()
    path.write_text("id,qty\n1,2\n")
    runs = _wait_for_runs(d, 1)
    print(f"file-to-run latency {time.monotonic() - written:.3f}s (the bench holds the target)")
    assert len(runs) == 1
    run = runs[0]
    st = os.stat(path)
    assert run.tags["dagdeck/file"] == str(path)
    assert run.tags["dagdeck/run_key"] == f"{path}:{st.st_mtime}:{st.st_size}"
    assert run.run_config == {"ops": {"load_file": {"config": {"path": str(path)}}}}
    assert run.job_name == "ingest" and run.trigger == "sensor:incoming"
    # a file that does not match the glob is ignored; a changed file launches again
    (tmp_path / "incoming" / "notes.txt").write_text("x")
    time.sleep(0.05)
    path.write_text("id,qty\n1,2\n3,4\n")
    runs = _wait_for_runs(d, 2)
    assert len(runs) == 2
    _evaluated_after(d, runs[-1].created_at)
    assert len(runs_of(d.instance, "sensor:incoming")) == 2
    d.stop()
    # a restart (even with the cursor lost) does not relaunch files it already saw: wait for the
    # new daemon to evaluate the file and find its run key used
    d.store.upsert_instigator("incoming", "sensor", cursor=None)
    restarted = time.time()
    d2 = _real_daemon(daemons, loaded)
    _wait_for_tick(
        d2,
        "the restarted daemon to refuse the used run key",
        lambda t: t.timestamp >= restarted and (t.skip_reason or "").startswith("run key already used"),
    )
    assert len(runs_of(d2.instance, "sensor:incoming")) == 2


def test_file_still_being_written_waits_until_its_size_is_stable(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], tmp_path: Path
) -> None:
    (tmp_path / "incoming").mkdir()
    loaded = load_defs(FILES)
    d = _real_daemon(daemons, loaded)
    path = tmp_path / "incoming" / "big.csv"
    deadline = time.monotonic() + 30

    def waited() -> bool:
        return any((t.skip_reason or "").startswith("waiting") for t in d.store.list_ticks("incoming"))

    with open(path, "w") as f:
        # keep writing (a chunk every 20 ms, well inside the 0.3 s settle window) until the sensor
        # has seen the partial file and waited, however long a loaded machine takes to look
        i = 0
        while i < 3 or not waited():
            assert time.monotonic() < deadline, "the sensor never saw the partial file"
            f.write(f"{i},{'x' * 1000}\n")
            f.flush()
            i += 1
            time.sleep(0.02)
    assert not runs_of(d.instance, "sensor:incoming")  # nothing launched while it grew
    runs = _wait_for_runs(d, 1)
    assert len(runs) == 1
    _evaluated_after(d, runs[0].created_at)
    runs = runs_of(d.instance, "sensor:incoming")
    assert len(runs) == 1
    assert runs[0].tags["dagdeck/run_key"].endswith(f":{path.stat().st_size}")
