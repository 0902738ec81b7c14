"""`python -m bench scale`: what running past one machine costs (issue 7).

* dask -- per-step overhead of the dask executor: 1,000 wide no-op assets on a LocalCluster of two
  single-threaded worker processes. Reported twice: against a cluster already running (the steady
  cost per step: submit, load-once-per-worker, step, events through the workers' own store
  connections, result) and with the LocalCluster started and closed by the run itself, as
  ``executor="dask"`` without an address does.
* store -- the engine bench's shapes (bench/engine.py, bench/gen.py) run with the in_process
  executor on SQLite and on PostgreSQL, so the difference is the store alone. PostgreSQL needs a
  server: ``DAGDECK_BENCH_PG_URL`` (or ``DAGDECK_TEST_PG_URL``); without one this part prints how
  to start one and is skipped.

Each case runs in a fresh process (`python -m bench scale-case`), like the engine bench.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import gen
from bench.common import child_env, table

DASK_STEPS = 1000
STORE_SHAPES = ("chain", "wide", "layers")
STORE_SIZES = (100, 1000)
PG_ENV = ("DAGDECK_BENCH_PG_URL", "DAGDECK_TEST_PG_URL")

START_PG_HINT = """no PostgreSQL server: set DAGDECK_BENCH_PG_URL=postgresql+psycopg://USER@HOST:PORT/DB (a database
the bench may create and drop databases from). A throwaway local one, as root (Debian):
  apt-get install -y postgresql
  D=$(mktemp -d); chown postgres "$D"
  su postgres -c "/usr/lib/postgresql/*/bin/initdb -D $D/data -A trust -U postgres"
  su postgres -c "/usr/lib/postgresql/*/bin/pg_ctl -D $D/data -l $D/log -o '-h 127.0.0.1 -p 55432 -k $D -c fsync=off' start"
  export DAGDECK_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:55432/postgres
(.ci/run does exactly this for the test suite.)"""


# -- inside the case process ------------------------------------------------------------------------


def run_case(kind: str, shape: str, n: int, workdir: Path, store_url: str | None, address: str | None) -> dict:
    """One measured run: submit, mark started and ``execute_run``, as bench/engine.py does."""
    from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
    from dagdeck.core.defs.loader import CodeLocation, load
    from dagdeck.core.instance import Instance
    from dagdeck.core.running.execute_run import execute_run
    from dagdeck.core.running.launcher import Launcher, LaunchSpec
    from dagdeck.core.running.plan_assets import plan_assets
    from dagdeck.core.running.run_status import mark_started
    from dagdeck.core.settings import Settings

    source = gen.source(shape, n, "fs")
    executor = "in_process"
    cluster = None
    if kind == "dask":
        executor = "dask"
        if address == "own":  # a cluster that outlives the run: measure steps, not cluster startup
            import logging

            from distributed import Client, LocalCluster

            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            )
            with Client(cluster, set_as_default=False) as client:
                client.wait_for_workers(2)
            config = json.dumps({"scheduler_address": cluster.scheduler_address})
            source = source.rstrip().removesuffix(")") + f"    executor=dg.dask_executor.configured({config}),\n)\n"
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"defs_{shape}_{n}.py"
    path.write_text(source)
    location = CodeLocation(file=str(path), working_dir=str(workdir))
    defs = load(location).defs
    plan = plan_assets(defs, set(defs.asset_graph.assets))
    instance = Instance.open(workdir / "home", settings=Settings(store_url=store_url))
    spec = LaunchSpec(
        job_name=ASSET_JOB_NAME,
        location=location,
        steps=plan.step_keys,
        assets=plan.asset_keys,
        trigger="bench",
        executor=executor,
    )
    try:
        t0 = time.perf_counter()
        run = Launcher(instance).submit(spec, start=False)
        mark_started(instance.store, run.run_id, os.getpid(), socket.gethostname())
        run = instance.store.get_run(run.run_id) or run
        outcome = execute_run(instance, run, defs)
        run_s = time.perf_counter() - t0
        events = instance.store.count_events(run.run_id)
    finally:
        instance.close()
        if cluster is not None:
            cluster.close()
    return {
        "kind": kind,
        "shape": shape,
        "n": len(plan.steps),
        "store": "sqlite" if store_url is None else "postgresql",
        "run_s": run_s,
        "status": str(outcome.status),
        "reason": outcome.reason,
        "events": events,
    }


def case_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench scale-case")
    p.add_argument("--kind", required=True, choices=("dask", "store"))
    p.add_argument("--shape", required=True, choices=gen.SHAPES)
    p.add_argument("--size", required=True, type=int)
    p.add_argument("--dir", required=True)
    p.add_argument("--store-url")
    p.add_argument("--address", help="'own': a LocalCluster started before the timed run")
    a = p.parse_args(argv)
    result = run_case(a.kind, a.shape, a.size, Path(a.dir), a.store_url, a.address)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0


# -- driver -----------------------------------------------------------------------------------------


def _spawn(args: list[str], timeout: float) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="dagdeck-bench-scale-"))
    cmd = [sys.executable, "-m", "bench", "scale-case", "--dir", str(workdir), *args]
    try:
        proc = subprocess.run(cmd, cwd=workdir, env=child_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"TIMEOUT after {timeout:.0f}s"}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"error": f"exit {proc.returncode}: {' | '.join(tail)}"}


def _repeat(args: list[str], repeat: int, timeout: float) -> dict[str, Any]:
    """The median-run sample of ``repeat`` fresh-process runs (the machine is often shared)."""
    samples = []
    for _ in range(max(1, repeat)):
        sample = _spawn(args, timeout)
        if "error" in sample:
            return sample
        samples.append(sample)
    samples.sort(key=lambda s: s["run_s"])
    chosen = dict(samples[(len(samples) - 1) // 2])
    chosen["runs"] = [s["run_s"] for s in samples]
    return chosen


def _ms(r: dict[str, Any]) -> str:
    return "-" if "error" in r else f"{r['run_s'] * 1000 / max(1, r['n']):.2f}"


def _pg_server() -> str | None:
    for name in PG_ENV:
        if os.environ.get(name):
            return os.environ[name]
    return None


class _PgDatabase:
    """A fresh database per case on the given server, dropped afterwards."""

    def __init__(self, server: str) -> None:
        from sqlalchemy.engine import make_url

        self._server = make_url(server)
        self.name = f"dagdeck_bench_{uuid.uuid4().hex[:12]}"
        self.url = self._server.set(drivername="postgresql+psycopg", database=self.name).render_as_string(
            hide_password=False
        )

    def _admin(self) -> Any:
        import psycopg

        libpq = self._server.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(libpq, autocommit=True, connect_timeout=5)

    def __enter__(self) -> str:
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *_exc: object) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=DASK_STEPS, help="wide no-op assets on Dask (default 1000)")
    p.add_argument("--sizes", default=",".join(map(str, STORE_SIZES)), help="store part: asset counts")
    p.add_argument("--shapes", default=",".join(STORE_SHAPES), help="store part: chain,wide,layers")
    p.add_argument("--repeat", type=int, default=3, help="fresh-process runs per case (median reported)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per case")
    p.add_argument("--skip", choices=("dask", "store"), action="append", default=[], help="leave a part out")
    a = p.parse_args(argv)
    wall = time.perf_counter()
    print(f"dagdeck scale bench: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.2f}")

    if "dask" not in a.skip:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("\n== dask == skipped: pip install 'dagdeck[dask]'")
        else:
            print(f"\n== dask: {a.steps} wide no-op assets, LocalCluster(2 workers x 1 thread), SQLite store ==")
            rows = []
            steady = _repeat(["--kind", "dask", "--shape", "wide", "--size", str(a.steps), "--address", "own"],
                             a.repeat, a.timeout)
            whole = _repeat(["--kind", "dask", "--shape", "wide", "--size", str(a.steps)], 1, a.timeout)
            local = _repeat(["--kind", "store", "--shape", "wide", "--size", str(a.steps)], a.repeat, a.timeout)
            for label, r in (("dask, cluster already running", steady),
                             ("dask, LocalCluster started by the run", whole),
                             ("in_process (reference)", local)):
                if "error" in r:
                    rows.append([label, r["error"], "", "", ""])
                else:
                    runs = " ".join(f"{s:.2f}" for s in r.get("runs", [r["run_s"]]))
                    rows.append([label, f"{r['run_s']:.2f}", _ms(r), r["status"], runs])
            print(table(["executor", "run s", "ms/step", "status", "runs (s)"], rows))
            if "error" not in steady and "error" not in whole:
                print(f"cluster start + stop inside the run: ~{whole['run_s'] - steady['run_s']:.1f} s")

    if "store" not in a.skip:
        sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
        shapes = [s.strip() for s in a.shapes.split(",") if s.strip()]
        server = _pg_server()
        print(f"\n== store: in_process executor, SQLite vs PostgreSQL, shapes {','.join(shapes)} ==")
        if server is None:
            print(START_PG_HINT)
        rows = []
        for n in sizes:
            for shape in shapes:
                base = ["--kind", "store", "--shape", shape, "--size", str(n)]
                lite = _repeat(base, a.repeat, a.timeout)
                if server is None:
                    pg: dict[str, Any] = {"error": "no server"}
                else:
                    samples = []
                    for _ in range(max(1, a.repeat)):
                        with _PgDatabase(server) as url:
                            samples.append(_spawn([*base, "--store-url", url], a.timeout))
                        if "error" in samples[-1]:
                            break
                    ok = [s for s in samples if "error" not in s]
                    pg = samples[-1] if len(ok) < len(samples) else dict(
                        sorted(ok, key=lambda s: s["run_s"])[(len(ok) - 1) // 2]
                    )
                ratio = "-" if "error" in lite or "error" in pg else f"{pg['run_s'] / lite['run_s']:.2f}x"
                rows.append([
                    shape, n,
                    lite.get("error") or f"{lite['run_s']:.2f}", _ms(lite),
                    pg.get("error") or f"{pg['run_s']:.2f}", _ms(pg), ratio,
                    lite.get("events", "-"),
                ])
                print(f"  {shape:<6} {n:>6}: done", flush=True)
        print(table(["shape", "assets", "sqlite s", "sqlite ms/step", "postgres s", "postgres ms/step",
                     "pg/sqlite", "events"], rows))
        print("run = submit + mark_started + execute_run in a fresh process and a fresh database; "
              "median of the repeats.")
    print(f"\ntotal bench wall time {time.perf_counter() - wall:.1f}s")
    return 0
