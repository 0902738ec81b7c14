"""The one file watcher: an undebounced watch calls back on every change, a debounced one once per
burst, a files watch counts only the files and modules beside them, and the headless daemon reloads
its definitions when their file is saved (and keeps the last good ones when it breaks)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.automation.watch import FileWatcher, dir_watch, files_watch
from dagdeck.core.defs.loader import Loaded
from tests.automation.conftest import PRELUDE


class Calls:
    """Counts callbacks by watch name, from the watcher's threads."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.changed = threading.Condition()

    def __call__(self, name: str) -> None:
        with self.changed:
            self.counts[name] += 1
            self.changed.notify_all()

    def wait_for(self, name: str, n: int = 1, timeout: float = 60.0) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.counts[name] >= n, timeout)
            return self.counts[name]


def _wait(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_undebounced_watch_calls_back_on_a_new_file(tmp_path: Path) -> None:
    calls = Calls()
    watcher = FileWatcher(calls)
    try:
        watcher.sync({"incoming": dir_watch(tmp_path)})
        assert watcher.watching("incoming")
        (tmp_path / "a.csv").write_text("x")
        assert calls.wait_for("incoming") >= 1
        watcher.sync({})
        assert not watcher.watching("incoming")
    finally:
        watcher.stop()


def test_files_watch_counts_the_files_and_modules_beside_them(tmp_path: Path) -> None:
    defs = tmp_path / "defs.yaml"
    watch = files_watch([defs])
    assert watch.dirs == frozenset({(str(tmp_path.resolve()), False)})
    assert watch.accepts(str(defs.resolve())) and watch.accepts(str(tmp_path.resolve() / "helpers.py"))
    assert not watch.accepts(str(tmp_path.resolve() / "data.csv"))


def test_debounced_watch_calls_once_per_burst(tmp_path: Path) -> None:
    defs = tmp_path / "defs.py"
    defs.write_text("x = 1\n")
    calls = Calls()
    watcher = FileWatcher(calls)
    try:
        watcher.sync({"defs": files_watch([defs], debounce=1.0)})
        for i in range(5):  # one save's worth of events, and more
            defs.write_text(f"x = {i}\n")
        assert calls.wait_for("defs") == 1
        (tmp_path / "helpers.py").write_text("y = 2\n")  # a module beside the definitions
        assert calls.wait_for("defs", 2) == 2
    finally:
        watcher.stop()


def test_headless_daemon_reloads_definitions_when_their_file_is_saved(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon]
) -> None:
    loaded = load_defs("defs = dg.Definitions(assets=[a], jobs=[a_job])\n")
    d = daemons(loaded, reload_definitions=True, interval=0.05)
    d.start()
    assert _wait(lambda: d.status().last_iteration_at is not None)
    path = Path(loaded.location.file or "")
    path.write_text(
        PRELUDE
        + """
@dg.asset
def b(a):
    return a + 1

defs = dg.Definitions(assets=[a, b], jobs=[a_job])
"""
    )
    assert _wait(lambda: "b" in {k.to_user_string() for k in d.loaded.defs.asset_graph.assets}), "not reloaded"
    path.write_text("this is not python(\n")
    assert _wait(lambda: (d.status().last_error or "").startswith("definitions not reloaded")), d.status()
    assert "b" in {k.to_user_string() for k in d.loaded.defs.asset_graph.assets}  # the last good ones stay
