"""file_sensor: a new file starts a run within a second, a file still being written waits, the
path reaches the run, and a restart does not relaunch files already seen."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.loader import Loaded
from dagdeck.store import Run
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


def _wait_for_runs(d: Daemon, n: int, timeout: float) -> list[Run]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = runs_of(d.instance, "sensor:incoming")
        if len(runs) >= n:
            return runs
        time.sleep(0.01)
    return runs_of(d.instance, "sensor:incoming")


def _real_daemon(daemons: Callable[..., Daemon], loaded: Loaded) -> Daemon:
    d = daemons(loaded, now=time.time, watch_files=True, interval=0.5)
    d.start()
    deadline = time.monotonic() + 5
    while not d.store.list_ticks("incoming") and time.monotonic() < deadline:
        time.sleep(0.01)
    return d


def test_new_file_starts_a_run_within_a_second_with_its_path(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], tmp_path: Path
) -> None:
    (tmp_path / "incoming").mkdir()
    loaded = load_defs(FILES)
    d = _real_daemon(daemons, loaded)
    path = tmp_path / "incoming" / "batch1.csv"
    written = time.monotonic()
    path.write_text("id,qty\n1,2\n")
    runs = _wait_for_runs(d, 1, 3)
    latency = time.monotonic() - written
    print(f"file-to-run latency {latency:.3f}s")
    assert len(runs) == 1 and latency < 1.0, latency
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
    runs = _wait_for_runs(d, 2, 3)
    assert len(runs) == 2
    time.sleep(0.5)
    assert len(runs_of(d.instance, "sensor:incoming")) == 2
    d.stop()
    # a restart (even with the cursor lost) does not relaunch files it already saw
    d.store.upsert_instigator("incoming", "sensor", cursor=None)
    d2 = _real_daemon(daemons, loaded)
    time.sleep(0.8)
    assert len(runs_of(d2.instance, "sensor:incoming")) == 2


def test_file_still_being_written_waits_until_its_size_is_stable(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], tmp_path: Path
) -> None:
    (tmp_path / "incoming").mkdir()
    loaded = load_defs(FILES)
    d = _real_daemon(daemons, loaded)
    path = tmp_path / "incoming" / "big.csv"
    with open(path, "w") as f:
        for i in range(8):  # 8 chunks, 0.1 s apart: longer than the settle window in total
            f.write(f"{i},{'x' * 1000}\n")
            f.flush()
            time.sleep(0.1)
    done = time.monotonic()
    runs = _wait_for_runs(d, 1, 3)
    assert len(runs) == 1 and time.monotonic() - done < 1.0
    time.sleep(0.5)
    runs = runs_of(d.instance, "sensor:incoming")
    assert len(runs) == 1
    assert runs[0].tags["dagdeck/run_key"].endswith(f":{path.stat().st_size}")
    waiting = [t for t in d.store.list_ticks("incoming") if (t.skip_reason or "").startswith("waiting")]
    assert waiting, "the sensor should have seen the partial file and waited"
