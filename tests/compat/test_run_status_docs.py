"""The examples of docs/alerting.md, run as written: a failure sensor appending to a file, and one
posting JSON to a webhook (a local HTTP server here)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from compat_helpers import cli_run

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.defs.loader import load as load_location
from dagdeck.core.instance import Instance

DOC = Path(__file__).resolve().parents[2] / "docs" / "alerting.md"
WAIT = 60.0


def _examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def test_docs_failure_examples_write_the_file_and_post_the_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    """Dagster 1.13.28: with both sensors of docs/alerting.md in one code location, after one failed
    nightly_etl run the file sensor appends `nightly_etl<TAB><run id><TAB>Execution of run for
    "nightly_etl" failed. Steps failed: ['extract'].` and the webhook sensor posts one JSON body with
    that text, job nightly_etl, the run id and the run's tags; later ticks add nothing."""
    to_file, to_webhook = _examples()
    url, received = webhook
    log = tmp_path / "failures.log"
    monkeypatch.setenv("FAILURE_LOG", str(log))
    monkeypatch.setenv("ALERT_WEBHOOK_URL", url)
    file = tmp_path / "alerting.py"
    file.write_text(
        f"{to_file}\n{to_webhook}\n"
        "defs = dg.Definitions(jobs=[nightly_etl], sensors=[failures_to_file, failures_to_webhook])\n"
    )
    home = tmp_path / "home"
    instance = Instance.open(home)
    clock = [time.time()]
    daemon = Daemon(
        instance,
        load_location(CodeLocation(file=str(file))),
        now=lambda: clock[0],
        watch_files=False,
        run_queue=False,
    )
    try:
        daemon.run_once(wait=WAIT)
        run = cli_run(file, "job", "run", "nightly_etl", home=home)
        assert run.status == "FAILURE"
        for _ in range(2):
            clock[0] += 31
            daemon.run_once(wait=WAIT)
        message = "Execution of run for \"nightly_etl\" failed. Steps failed: ['extract']."
        assert log.read_text() == f"nightly_etl\t{run.doc['run_id']}\t{message}\n"
        assert len(received) == 1
        body = received[0]
        assert (body["text"], body["job"], body["run_id"]) == (message, "nightly_etl", run.doc["run_id"])
        assert isinstance(body["tags"], dict)
    finally:
        daemon.stop()
        instance.close()
