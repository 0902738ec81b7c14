"""PostgreSQL only: URLs, clear errors, and surviving a lost connection (real server, real sockets)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from dagdeck.store import Store, StoreError
from dagdeck.store import connection as connection_module
from dagdeck.store.engine import normalize_url
from tests.store.pg import fresh_database, libpq_url, require_pg_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database(require_pg_url()) as url:
        yield url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Outage:
    """A TCP forwarder in front of the server that can drop every connection and refuse new ones."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = _free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Refuse new connections and cut the open ones, like a server restart or a network cut."""
        assert self._listener is not None
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (close alone does not)
        self._listener.close()
        self._listener = None
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def outage(pg_url: str) -> Iterator[tuple[Outage, str]]:
    parsed = make_url(pg_url)
    proxy = Outage(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxy.up()
    yield proxy, parsed.set(port=proxy.port).render_as_string(hide_password=False)
    if proxy._listener is not None:
        proxy.down()


def test_plain_postgres_urls_mean_psycopg() -> None:
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


class _SimulatedClock:
    """Stands in for the `time` module of the store's retry loop: `sleep` moves the clock on at
    once, so the retries and their backoff are checked exactly, however busy the machine is."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_unreachable_server_is_a_clear_store_error_after_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """No server needed: nothing listens on a port we just freed."""
    url = f"postgresql://dagdeck:secret@127.0.0.1:{_free_port()}/dagdeck"
    clock = _SimulatedClock()
    monkeypatch.setattr(connection_module, "time", clock)
    with pytest.raises(StoreError, match="cannot reach database") as info:
        Store(url, retry_seconds=0.6)
    # retried with growing waits (the last one cut to what was left) until the 0.6 s budget was spent
    assert len(clock.sleeps) >= 3, clock.sleeps
    assert clock.sleeps[:-1] == sorted(clock.sleeps[:-1]) and clock.sleeps[0] < clock.sleeps[-2], clock.sleeps
    assert sum(clock.sleeps) == pytest.approx(0.6), clock.sleeps
    message = str(info.value)
    assert "secret" not in message and "127.0.0.1" in message and "DAGDECK_STORE_URL" in message
    assert f"after {len(clock.sleeps) + 1} attempts" in message, message


def test_missing_database_names_the_fix() -> None:
    server = require_pg_url()
    url = make_url(server).set(database="dagdeck_no_such_db").render_as_string(hide_password=False)
    with pytest.raises(StoreError, match="does not exist; create it"):
        Store(url, retry_seconds=0.2)


def test_server_side_disconnect_is_healed_transparently(pg_url: str) -> None:
    import psycopg

    with Store(pg_url) as store:
        store.append_events([{"event_type": "LOG"}])
        name = make_url(pg_url).database
        with psycopg.connect(libpq_url(pg_url), autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()
        assert killed is not None and killed[0] >= 1
        assert store.append_events([{"event_type": "LOG"}]) == [2]
        assert store.count_events() == 2 and store.connection_problem is None


def test_outage_is_retried_with_backoff_then_the_call_succeeds(outage: tuple[Outage, str]) -> None:
    proxy, url = outage
    with Store(url, retry_seconds=120) as store:
        store.append_events([{"event_type": "LOG"}])
        proxy.down()
        during: list[str | None] = []
        server_back = threading.Event()

        def restore() -> None:
            """The server comes back only once the store is seen retrying (the wait stops a hang)."""
            deadline = time.monotonic() + 60
            try:
                while store.connection_problem is None and time.monotonic() < deadline:
                    time.sleep(0.01)
                during.append(store.connection_problem)
            finally:
                server_back.set()  # before up(): the call cannot get through before this is set
                proxy.up()

        thread = threading.Thread(target=restore, daemon=True)
        thread.start()
        assert store.append_events([{"event_type": "LOG", "message": "after"}]) == [2]
        assert server_back.is_set()  # the call waited through the outage
        thread.join(timeout=60)
        assert during and during[0] is not None and "reconnecting" in during[0]
        assert store.connection_problem is None
        assert [e.message for e in store.get_events()] == ["", "after"]


def test_outage_longer_than_the_retry_budget_fails_cleanly(outage: tuple[Outage, str]) -> None:
    proxy, url = outage
    with Store(url, retry_seconds=0.5) as store:
        assert store.count_events() == 0
        proxy.down()
        with pytest.raises(StoreError, match="cannot reach database"):
            store.get_events()
        assert store.connection_problem is not None
        proxy.up()
        assert store.count_events() == 0
        assert store.connection_problem is None
