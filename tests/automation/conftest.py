"""Automation fixtures: a definitions file with schedules and sensors, a simulated clock, and
daemons that leave runs QUEUED (no worker processes) so hundreds of ticks take milliseconds."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.loader import CodeLocation, Loaded, load
from dagdeck.core.instance import Instance
from dagdeck.core.settings import Settings
from dagdeck.store import Run
from tests.store.pg import deselect_postgres_without_server

PRELUDE = """
import dagdeck as dg

@dg.asset
def a():
    return 1

a_job = dg.define_asset_job("a_job", selection="a")
"""


HERE = str(Path(__file__).resolve().parent)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The store-level tick tests run on PostgreSQL too; locally without a server they are left
    out as the store suite's are (under CI they fail instead)."""
    deselect_postgres_without_server(config, items, HERE)


WAIT = 60.0
"""Bound for `Daemon.run_once(wait=...)`: it returns as soon as the evaluations it started are
committed, so a generous bound costs nothing when all is well and keeps a loaded machine from
failing a test."""


class SimClock:
    """A thread-safe clock the test moves by hand."""

    def __init__(self, start: float) -> None:
        self.t = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.t

    def advance(self, seconds: float) -> float:
        with self._lock:
            self.t += seconds
            return self.t

    def set(self, when: float) -> None:
        with self._lock:
            self.t = when


def at(text: str, tz: str = "UTC") -> float:
    """Epoch seconds of a wall time like '2024-03-10 01:00' in `tz`."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(tz)).timestamp()


@pytest.fixture
def clock() -> SimClock:
    return SimClock(at("2024-01-01 00:00"))


@pytest.fixture
def load_defs(tmp_path: Path) -> Callable[[str], Loaded]:
    """Write PRELUDE + `code` (which must end by defining `defs`) and load it."""

    def make(code: str) -> Loaded:
        path = tmp_path / "defs.py"
        path.write_text(PRELUDE + code)
        return load(CodeLocation(file=str(path), working_dir=str(tmp_path)))

    return make


@pytest.fixture
def daemons(home: Path, clock: SimClock) -> Iterator[Callable[..., Daemon]]:
    """Make daemons on the test's home, each with its own Instance (own store connections)."""
    made: list[tuple[Daemon, Instance]] = []

    def make(loaded: Loaded, **kw: object) -> Daemon:
        inst = Instance.open(home, Settings())
        options: dict[str, object] = {"now": clock, "run_queue": False, "watch_files": False}
        options.update(kw)
        d = Daemon(inst, loaded, **options)  # type: ignore[arg-type]
        made.append((d, inst))
        return d

    yield make
    for d, inst in made:
        d.stop(timeout=2)
        inst.close()


def runs_of(instance: Instance, trigger_prefix: str = "") -> list[Run]:
    runs = instance.store.list_runs(limit=100_000)
    return sorted((r for r in runs if r.trigger.startswith(trigger_prefix)), key=lambda r: r.created_at)
