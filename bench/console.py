"""`python -m bench console`: the console with 5,000 assets, 100,000 runs and 1,000,000 events (issue 4).

Data (built once, cached under /tmp/dagdeck-bench-console/<shape>/ with a READY marker; `--rebuild`):
* a generated definitions file: 10 groups x 5 layers x 100 assets; every asset of layer k > 0 depends
  on two of layer k-1, every 10th asset of a group's first layer on the previous group's last layer;
  kinds, descriptions, code versions (group `ml` declares a newer one than was materialized, so it
  is stale) and a freshness policy on a few assets;
* 100,000 runs over the last 30 days (80% SUCCESS, 15% FAILURE, 5% CANCELED), each materializing two
  assets with exactly 10 events (enqueue, starting, start, 3 per step, end), so 1,000,000 events and
  ~180,000 ASSET_MATERIALIZATION events with typed metadata (int, float, path, md, table): about 40
  materializations per asset (37 on average) for the metadata pane's sparklines. The last layer of the last group is
  never materialized. Written through the store API: `Store.add_run` per run, `Store.append_events`
  in batches (its executemany fast path, with the asset_state upserts).

Measured in a fresh process (`python -m bench console-case measure`), which does what `dagdeck tui`
does (`ConsoleAPI` + `api.reload()` + `DagdeckApp`, not readonly, file watching on, no daemon) under
`App.run_test(size=(120, 40))` (headless). A frame is the moment the app hands a screen update to its
driver (`App._display`, wrapped here; the headless driver writes nothing, so the wrapper also encodes
the update to terminal bytes as a real terminal driver would):
* first paint     -- from the parent's spawn of the process (imports, store open, definitions load,
                     app start) to the first frame with all 5,000 graph rows; also from run_test entry;
* metadata pane   -- until the first frame showing the selected asset's detail;
* key latency     -- a key event posted to the app (what the driver does for a real key press) until
                     the first frame showing its effect (graph cursor / table cursor moved). Presses
                     come at key-repeat cadence (`--interval-ms`, default 33: holding `j`) but never
                     overlap: the next press waits for the previous frame;
  assets `j`: 200 presses; then how long the metadata pane needed to catch up with the last press;
  detail `j`: `--detail-presses` presses, each timed until the pane shows the new asset;
  runs `down`: 200 presses on the Runs table (down, and up again at the last row of the page);
* open Runs       -- `2` until the first frame with the first page (100 rows) in the table;
  next page `n`   -- until the page's rows are shown (5 presses);
* peak RSS        -- ru_maxrss of that process at the end.
Main-thread costs inside the app (graph rebuilds, detail pane renders, runs table diffs) are timed
by wrapping those methods in the measured process.

Then `python -m bench console-case api` times every `ConsoleAPI` read the console makes (and its
parts) on the same store without the app, and with `--profile` (default: when a target is missed)
prints a cProfile of the slow ones. Exit status is always 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import py_compile
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import child_env, p95, peak_rss_mb, table, verdict

GEN_VERSION = 1
CACHE_ROOT = Path("/tmp/dagdeck-bench-console")
MARKER = "READY.json"
GROUPS = ("ingest", "raw", "staging", "core", "marts", "finance", "marketing", "ml", "reports", "exports")
LAYERS = 5
STALE_CODE_GROUP = "ml"
EVENTS_PER_RUN = 10
DAYS = 30
SEED = 4
RUN_CHUNK = 5_000

FIRST_PAINT_TARGET_S = 1.5
P95_TARGET_MS = 50.0
RSS_TARGET_MB = 300.0
DEFAULT_TIMEOUT_S = 900.0
SIZE = (120, 40)


# -- data -----------------------------------------------------------------------------------------


def _width(n_assets: int) -> int:
    return max(1, n_assets // (len(GROUPS) * LAYERS))


def asset_name(group: str, layer: int, col: int) -> str:
    return f"{group}_l{layer}_{col:03d}"


def asset_specs(n_assets: int) -> list[dict[str, Any]]:
    """Every asset in generation (group, layer, column) order, which is a topological order."""
    width = _width(n_assets)
    out = []
    for g, group in enumerate(GROUPS):
        for layer in range(LAYERS):
            for col in range(width):
                if layer:
                    deps = sorted({asset_name(group, layer - 1, col), asset_name(group, layer - 1, (col + 1) % width)})
                elif g and col % 10 == 0:
                    deps = [asset_name(GROUPS[g - 1], LAYERS - 1, col)]
                else:
                    deps = []
                code_version = None
                if col % 10 == 0:
                    code_version = "2" if group == STALE_CODE_GROUP else "1"
                out.append({
                    "name": asset_name(group, layer, col),
                    "group": group,
                    "layer": layer,
                    "col": col,
                    "deps": deps,
                    "kinds": ["python"] if layer < 2 else ["sql", "duckdb"] if layer < 4 else ["python", "pandas"],
                    "code_version": code_version,
                    "fresh": layer == LAYERS - 1 and col == 0,
                    "described": col % 5 == 0,
                })
    return out


def defs_source(n_assets: int) -> str:
    specs = asset_specs(n_assets)
    lines = [f'"""Generated by bench.console: {len(specs)} assets in {len(GROUPS)} groups."""', "", "import dagdeck as dg", ""]
    for s in specs:
        args = [f'group_name="{s["group"]}"', f"kinds={s['kinds']!r}"]
        if s["deps"]:
            args.append(f"deps=[{', '.join(s['deps'])}]")
        if s["code_version"]:
            args.append(f'code_version="{s["code_version"]}"')
        if s["fresh"]:
            args.append("freshness_policy=dg.FreshnessPolicy(maximum_lag_minutes=60 * 24 * 365)")
        lines.append(f"@dg.asset({', '.join(args)})")
        lines.append(f"def {s['name']}():")
        if s["described"]:
            lines.append(f'    """Layer {s["layer"]} of {s["group"]}: column {s["col"]} of the nightly build."""')
        lines += ["    return None", ""]
    lines.append("defs = dg.Definitions(")
    lines.append("    assets=[")
    lines += [f"        {s['name']}," for s in specs]
    lines.append("    ],")
    lines.append(")")
    return "\n".join(lines) + "\n"


def _metadata(spec: dict[str, Any], n: int, rng: random.Random) -> dict[str, dict[str, Any]]:
    col = spec["col"]
    md: dict[str, dict[str, Any]] = {
        "row_count": {"type": "int", "value": 10_000 + 37 * col + 250 * n + rng.randrange(500)},
        "size_mb": {"type": "float", "value": round(5 + col / 10 + n * 0.05 + rng.random(), 3)},
        "path": {"type": "path", "value": f"/data/{spec['group']}/{spec['name']}.parquet"},
    }
    if col % 10 == 0:
        md["summary"] = {"type": "md", "value": f"**{spec['name']}**: {n} loads, *{rng.randrange(3)} late rows*"}
    if col % 25 == 0:
        md["schema"] = {
            "type": "table",
            "value": {"columns": ["column", "type"], "rows": [["id", "int64"], ["ts", "timestamp"], ["amount", "float64"]]},
        }
    return md


def _run_and_events(
    i: int, n_runs: int, start: float, pair: tuple[dict[str, Any], dict[str, Any]], location: dict[str, Any],
    counts: dict[str, int], rng: random.Random,
) -> tuple[Any, list[dict[str, Any]]]:
    from dagdeck.store import Run

    run_id = f"{rng.getrandbits(128):032x}"
    created = start + i * (DAYS * 86400.0 / n_runs)
    roll = rng.random()
    status = "SUCCESS" if roll < 0.80 else "FAILURE" if roll < 0.95 else "CANCELED"
    trigger = rng.choices(("schedule:hourly", "sensor:new_files", "cli", "console"), (50, 20, 15, 15))[0]
    pid = 10_000 + rng.randrange(50_000)
    a, b = pair
    keys = [a["name"], b["name"]]

    def ev(kind: str, t: float, message: str = "", step: str | None = None, level: str | None = None,
           **data: Any) -> dict[str, Any]:
        return {"run_id": run_id, "event_type": kind, "timestamp": t, "step_key": step, "asset_key": step,
                "level": level, "message": message, "data": data}

    t = created
    events = [
        ev("RUN_ENQUEUED", t, f"queued by {trigger}"),
        ev("RUN_STARTING", t + 0.05, "starting worker"),
        ev("RUN_START", t + 0.4, f"worker pid {pid} on bench-host", pid=pid, host="bench-host"),
    ]
    started = t + 0.4
    t = started + 0.05

    def materialize(spec: dict[str, Any], t: float) -> float:
        key = spec["name"]
        took = 0.2 + rng.random() * 4
        counts[key] = counts.get(key, 0) + 1
        events.append(ev("STEP_START", t, "started", key, attempt=1))
        events.append(ev("ASSET_MATERIALIZATION", t + took, f"materialized {key}", key,
                         metadata=_metadata(spec, counts[key], rng), code_version="1" if spec["code_version"] else None))
        events.append(ev("STEP_SUCCESS", t + took + 0.001, f"succeeded in {took:.3f}s", key, duration_s=took))
        return t + took + 0.01

    t = materialize(a, t)
    failure_reason = None
    if status == "SUCCESS":
        t = materialize(b, t)
        events.append(ev("RUN_SUCCESS", t, "run succeeded"))
    elif status == "FAILURE":
        key = b["name"]
        events.append(ev("STEP_START", t, "started", key, attempt=1))
        events.append(ev("LOG", t + 0.3, f"reading upstream of {key}", key, level="INFO"))
        error = f"ValueError: {key}: column 'amount' has 3 null values"
        tb = f'Traceback (most recent call last):\n  File "defs_console.py", line 1, in {key}\n{error}\n'
        events.append(ev("STEP_FAILURE", t + 0.5, error, key, level="ERROR", error=error, traceback=tb,
                         attempt=1, canceled=False))
        t += 0.51
        failure_reason = f"step {key} failed"
        events.append(ev("RUN_FAILURE", t, failure_reason, level="ERROR", reason=failure_reason))
    else:
        key = b["name"]
        events.append(ev("STEP_START", t, "started", key, attempt=1))
        events.append(ev("RUN_CANCELING", t + 0.2, "cancel requested from console"))
        events.append(ev("STEP_FAILURE", t + 0.4, "canceled", key, level="ERROR", error="canceled", traceback="",
                         attempt=1, canceled=True))
        t += 0.41
        events.append(ev("RUN_CANCELED", t, "run canceled"))
    assert len(events) == EVENTS_PER_RUN
    run = Run(
        run_id=run_id,
        job_name="__ASSET_JOB",
        status=status,
        trigger=trigger,
        created_at=created,
        started_at=started,
        ended_at=t,
        run_config={},
        tags={"dagdeck/selection": ",".join(keys)},
        plan={"steps": keys, "assets": keys},
        location=location,
        executor="multiprocess",
        pid=pid,
        host="bench-host",
        heartbeat_at=t,
        failure_reason=failure_reason,
    )
    return run, events


def build(root: Path, n_assets: int, n_runs: int) -> dict[str, Any]:
    """Write the definitions file and fill a fresh store under ``root``; returns the build figures."""
    from dagdeck.core.defs.loader import CodeLocation
    from dagdeck.core.instance import Instance
    from dagdeck.core.settings import Settings

    wall = time.perf_counter()
    project = root / "project"
    project.mkdir(parents=True, exist_ok=True)
    defs_path = project / "defs_console.py"
    defs_path.write_text(defs_source(n_assets))
    specs = asset_specs(n_assets)
    last_group = GROUPS[-1]
    materializable = [s for s in specs if not (s["group"] == last_group and s["layer"] == LAYERS - 1)]
    pairs = [(materializable[k], materializable[k + 1]) for k in range(0, len(materializable) - 1, 2)]
    location = CodeLocation(file=str(defs_path), working_dir=str(project)).to_dict()

    instance = Instance.open(root / "home", settings=Settings())
    store = instance.store
    rng = random.Random(SEED)
    start = time.time() - DAYS * 86400.0 - 3600.0
    counts: dict[str, int] = {}
    runs_s = events_s = 0.0
    n_events = 0
    for chunk in range(0, n_runs, RUN_CHUNK):
        batch: list[dict[str, Any]] = []
        t0 = time.perf_counter()
        for i in range(chunk, min(n_runs, chunk + RUN_CHUNK)):
            run, events = _run_and_events(i, n_runs, start, pairs[i % len(pairs)], location, counts, rng)
            store.add_run(run)
            batch.extend(events)
        runs_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        for k in range(0, len(batch), 25_000):
            store.append_events(batch[k:k + 25_000])
        events_s += time.perf_counter() - t0
        n_events += len(batch)
        done = min(n_runs, chunk + RUN_CHUNK)
        if done % (n_runs // 10 or 1) == 0 or done == n_runs:
            print(f"  build: {done:>7,} runs, {n_events:>9,} events  ({time.perf_counter() - wall:5.1f}s)", flush=True)
    assert store.count_events() == n_events
    instance.close()
    db = root / "home" / "dagdeck.db"
    return {
        "gen_version": GEN_VERSION,
        "assets": len(specs),
        "runs": n_runs,
        "events": n_events,
        "materializations": sum(counts.values()),
        "materialized_assets": len(counts),
        "build_s": time.perf_counter() - wall,
        "add_run_s": runs_s,
        "append_events_s": events_s,
        "db_mb": sum(p.stat().st_size for p in db.parent.glob("dagdeck.db*")) / 1e6,
        "built_at": time.time(),
        "defs_file": str(defs_path),
        "project": str(project),
        "home": str(root / "home"),
    }


def ensure_data(n_assets: int, n_runs: int, rebuild: bool, cache_root: Path) -> tuple[Path, dict[str, Any], bool]:
    """The cached data set for these sizes, built first when missing (or with ``rebuild``)."""
    root = cache_root / f"a{n_assets}-r{n_runs}-v{GEN_VERSION}"
    marker = root / MARKER
    if marker.exists() and not rebuild:
        return root, json.loads(marker.read_text()), False
    # built in place (the definitions file and every run's location name the directory); the marker
    # is written last, so an interrupted build is never reused
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    info = build(root, n_assets, n_runs)
    marker.write_text(json.dumps(info, indent=1))
    return root, info, True


# -- the measured console process -----------------------------------------------------------------


class _Frames:
    """Wraps ``app._display``: timestamps every screen update the app hands its driver, and resolves
    waiters whose predicate holds at that frame (so the frame shows what the predicate checked).
    A waiter gets (wall time, main-thread CPU time) of that frame."""

    def __init__(self, app: Any) -> None:
        import asyncio

        self._asyncio = asyncio
        self.app = app
        self.count = 0
        self.first: float | None = None
        self._waiters: list[tuple[Callable[[], bool], Any]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or app._batch_count:
                return
            encode = getattr(renderable, "render_segments", None)
            if encode is not None:  # what a terminal driver does with the update
                with contextlib.suppress(Exception):  # encoding is only there for its cost
                    encode(app.console)
            now = time.perf_counter()
            self.count += 1
            if self.first is None:
                self.first = now
            if self._waiters:
                keep = []
                for pred, fut in self._waiters:
                    if fut.done():
                        continue
                    try:
                        ok = pred()
                    except Exception:  # noqa: BLE001 - screen still composing
                        ok = False
                    if ok:
                        fut.set_result((now, time.thread_time()))
                    else:
                        keep.append((pred, fut))
                self._waiters = keep

        app._display = display

    def expect(self, pred: Callable[[], bool]) -> Any:
        fut = self._asyncio.get_running_loop().create_future()
        self._waiters.append((pred, fut))
        return fut

    async def wait(self, fut: Any, timeout: float) -> tuple[float, float] | None:
        try:
            return await self._asyncio.wait_for(self._asyncio.shield(fut), timeout)
        except TimeoutError:
            return None


class _Costs:
    """Wall time of methods that run on the UI thread, by name."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}

    def wrap(self, cls: type, name: str, label: str) -> None:
        original = getattr(cls, name)
        costs = self.ms.setdefault(label, [])

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                costs.append((time.perf_counter() - t0) * 1000)

        setattr(cls, name, timed)


class _Phases:
    """Named time windows of the measured process, with the garbage collections (they stop every
    thread) and the resident memory at the end of each."""

    def __init__(self) -> None:
        import gc

        self.gc: list[tuple[float, int, float]] = []
        self.rows: list[dict[str, Any]] = []
        self._gc_start: float | None = None
        self._begin = time.perf_counter()
        self._name = "startup (after imports) until first paint"
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        elif self._gc_start is not None:
            end = time.perf_counter()
            self.gc.append((self._gc_start, int(info.get("generation", 0)), (end - self._gc_start) * 1000))
            self._gc_start = None

    def next(self, name: str) -> None:
        """End the current phase and start ``name``."""
        end = time.perf_counter()
        inside = [g for g in self.gc if self._begin <= g[0] < end]
        full = [ms for _t, gen, ms in inside if gen == 2]
        self.rows.append({
            "phase": self._name,
            "s": end - self._begin,
            "gc": len(inside),
            "gc_ms": sum(ms for *_x, ms in inside),
            "gen2": len(full),
            "gen2_max_ms": max(full, default=0.0),
            "rss_mb": _rss_now_mb(),
            "peak_mb": peak_rss_mb(),
        })
        self._begin, self._name = end, name


def _rss_now_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _stats(values: list[float | None]) -> dict[str, Any]:
    ok = [v for v in values if v is not None]
    missing = len(values) - len(ok)
    if not ok:
        return {"n": len(values), "timeouts": missing}
    ordered = sorted(ok) + [float("inf")] * missing
    return {
        "n": len(values),
        "timeouts": missing,
        "p50": statistics.median(ordered),
        "p95": p95(ordered),
        "max": ordered[-1],
        "mean": statistics.fmean(ok),
    }


async def _cpu_idle(limit_s: float = 30.0) -> float:
    """Wait until this process uses < 10% CPU over 200 ms (background workers done); returns the wait."""
    import asyncio

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit_s:
        c0, w0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(0.2)
        if (time.process_time() - c0) < 0.1 * (time.perf_counter() - w0):
            break
    return time.perf_counter() - t0


Step = tuple[str, str | None, Callable[[], bool]]


def _ui_profiler(opts: argparse.Namespace) -> Any:
    """cProfile of the event-loop thread (cProfile hooks only the thread that enables it)."""
    if not opts.profile:
        return None
    import cProfile

    prof = cProfile.Profile()
    prof.enable()
    return prof


def _profile_text(prof: Any, label: str, dagdeck_lines: int = 16, own_lines: int = 10) -> str:
    import io
    import pstats

    out = io.StringIO()
    print(f"\n-- cProfile of the {label} --", file=out)
    stats = pstats.Stats(prof, stream=out)
    print("cumulative, dagdeck code only:", file=out)
    stats.sort_stats("cumulative").print_stats(r"/(core|tui|store)/", dagdeck_lines)
    print("own time, everything:", file=out)
    stats.sort_stats("tottime").print_stats(own_lines)
    keep = []
    for line in out.getvalue().splitlines():
        if not line.strip() or line.lstrip().startswith(("Ordered by", "List reduced")):
            continue
        if "function calls" in line and "seconds" in line:
            continue
        keep.append(line.replace(str(Path(sys.prefix)), "<venv>"))
    return "\n".join(keep)


async def _drive(app: Any, probe: dict[str, Any], opts: argparse.Namespace, n_assets: int, n_runs: int,
                 phases: _Phases) -> dict[str, Any]:
    import asyncio

    from textual import events

    from dagdeck.tui.screens.assets import AssetsScreen
    from dagdeck.tui.screens.runs import PAGE, RunsScreen

    out: dict[str, Any] = {}
    frames = _Frames(app)
    interval = opts.interval_ms / 1000

    def graph() -> Any:
        screen = app.screen
        return screen.graph if isinstance(screen, AssetsScreen) else None

    def populated() -> bool:
        g = graph()
        return g is not None and len(g.rows) == n_assets and len(g.items) > 0

    first_paint = frames.expect(populated)
    first_detail = frames.expect(lambda: probe["detail_key"] is not None)

    async def press(key: str, char: str | None, pred: Callable[[], bool],
                    timeout: float = 10.0) -> tuple[float, float | None, float | None]:
        """Post one key event; (when, ms until the frame showing it, main-thread CPU ms meanwhile)."""
        fut = frames.expect(pred)
        event = events.Key(key, char)
        event.set_sender(app)
        c0 = time.thread_time()
        t0 = time.perf_counter()
        app.post_message(event)
        done = await frames.wait(fut, timeout)
        if done is None:
            return t0, None, None
        return t0, (done[0] - t0) * 1000, (done[1] - c0) * 1000

    async def presses(n: int, step: Callable[[int], Step], cadence: float) -> tuple[dict[str, Any], dict[str, Any]]:
        lat: list[float | None] = []
        cpu: list[float | None] = []
        next_at = 0.0
        for k in range(n):
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            key, char, pred = step(k)
            t0, ms, cpu_ms = await press(key, char, pred)
            lat.append(ms)
            cpu.append(cpu_ms)
            next_at = t0 + cadence
        return _stats(lat), _stats(cpu)

    probe["t_enter"] = time.perf_counter()
    async with app.run_test(size=opts.size) as pilot:
        probe["t_ready"] = time.perf_counter()
        painted = await frames.wait(first_paint, opts.timeout)
        out["first_paint"] = painted[0] if painted else None
        out["first_frame"] = frames.first
        phases.next("open: first paint -> metadata pane")
        shown = await frames.wait(first_detail, opts.timeout)
        out["first_detail"] = shown[0] if shown else None
        if painted is None:
            out["error"] = f"the graph never showed {n_assets} rows within {opts.timeout:.0f}s"
            return out
        g = graph()
        out["graph_items"] = len(g.items)
        phases.next("open: metadata pane -> idle")
        out["idle_after_open_s"] = await _cpu_idle()

        # detail: each press waits until the metadata pane shows the newly selected asset
        def detail_step(_k: int) -> Step:
            target = g.cursor + 1
            key = g.items[target].row.key if target < len(g.items) and g.items[target].row else None
            if key is None:
                return "j", "j", lambda: g.cursor == target
            return "j", "j", lambda: g.cursor == target and probe["detail_key"] == key

        phases.next(f"assets: {opts.detail_presses} j, each until the pane shows it")
        out["detail_ms"], _ = await presses(opts.detail_presses, detail_step, 0.0)
        phases.next("assets: idle")
        await _cpu_idle()

        # j at key-repeat cadence: until the cursor row is repainted
        def j_step(_k: int) -> Step:
            target = min(len(g.items) - 1, g.cursor + 1)
            return "j", "j", lambda: g.cursor == target

        phases.next(f"assets: {opts.presses} j at {opts.interval_ms:g} ms cadence")
        prof = _ui_profiler(opts)
        out["assets_j_ms"], out["assets_j_cpu_ms"] = await presses(opts.presses, j_step, interval)
        if prof is not None:
            prof.disable()
            out["ui_profile_j"] = _profile_text(prof, f"UI thread during {opts.presses} j presses on the asset graph")
        phases.next("assets: metadata pane catching up")
        last_key = g.current_key
        t_last = time.perf_counter()
        while time.perf_counter() - t_last < opts.timeout and probe["detail_key"] != last_key:
            await asyncio.sleep(0.005)
        out["detail_catch_up_s"] = time.perf_counter() - t_last if probe["detail_key"] == last_key else None
        phases.next("assets: idle")
        out["idle_after_j_s"] = await _cpu_idle()

        # the Runs screen: first page, then down/up on the table
        def runs_table() -> Any:
            screen = app.screen
            return screen.table if isinstance(screen, RunsScreen) else None

        want = min(PAGE, n_runs)
        phases.next("runs: open (2) until the first page")
        _, ms, _ = await press("2", "2", lambda: runs_table() is not None and runs_table().row_count >= want, opts.timeout)
        out["open_runs_ms"] = ms
        phases.next("runs: idle")
        out["idle_after_runs_s"] = await _cpu_idle()
        table = runs_table()
        if table is None:
            out["error"] = "the Runs screen did not open"
            return out
        direction = [1]

        def down_step(_k: int) -> Step:
            row = table.cursor_row
            if not 0 <= row + direction[0] < table.row_count:
                direction[0] = -direction[0]
            target = row + direction[0]
            return ("down" if direction[0] > 0 else "up"), None, lambda: table.cursor_row == target

        phases.next(f"runs: {opts.presses} down/up at {opts.interval_ms:g} ms cadence")
        prof = _ui_profiler(opts)
        out["runs_down_ms"], out["runs_down_cpu_ms"] = await presses(opts.presses, down_step, interval)
        if prof is not None:
            prof.disable()
            out["ui_profile_runs"] = _profile_text(prof, f"UI thread during {opts.presses} down/up presses on the Runs table")
        phases.next("runs: idle")
        await _cpu_idle()

        screen = app.screen
        pages: list[float | None] = []
        phases.next("runs: 5 x next page (n)")
        for k in range(1, 6):
            _, ms, _ = await press("n", "n", lambda k=k: screen.page == k and f"page {k + 1}/" in str(table.border_title),
                                   opts.timeout)
            pages.append(ms)
            await _cpu_idle()
        out["next_page_ms"] = _stats(pages)
        out["frames"] = frames.count
        phases.next("exit")
        await pilot.pause()
    return out


def measure(root: Path, info: dict[str, Any], opts: argparse.Namespace) -> dict[str, Any]:
    """Body of the measured process."""
    t_start = time.perf_counter()
    wall_start = time.time()
    import asyncio

    from dagdeck.core.console_api import ConsoleAPI
    from dagdeck.core.defs.loader import CodeLocation
    from dagdeck.core.instance import Instance
    from dagdeck.core.settings import Settings
    from dagdeck.tui.app import DagdeckApp
    from dagdeck.tui.screens.assets import AssetsScreen
    from dagdeck.tui.screens.runs import RunsScreen
    from dagdeck.tui.widgets.asset_detail import AssetDetailPane
    from dagdeck.tui.widgets.asset_graph import AssetGraph

    t_imported = time.perf_counter()
    phases = _Phases()
    probe: dict[str, Any] = {"detail_key": None, "detail_at": None}
    original_show = AssetDetailPane.show

    def show(self: Any, detail: Any, *args: Any, **kwargs: Any) -> None:
        original_show(self, detail, *args, **kwargs)
        probe["detail_key"] = detail.row.key if detail else None
        probe["detail_at"] = time.perf_counter()

    costs = _Costs()
    costs.wrap(AssetGraph, "_rebuild", "AssetGraph._rebuild (layout + items)")
    costs.wrap(AssetsScreen, "_apply_rows", "AssetsScreen._apply_rows (incl. rebuild)")
    AssetDetailPane.show = show  # type: ignore[method-assign]
    costs.wrap(AssetDetailPane, "show", "AssetDetailPane.show (render detail)")
    costs.wrap(RunsScreen, "_apply", "RunsScreen._apply (table diff)")

    instance = Instance.open(info["home"], settings=Settings())
    location = CodeLocation(file=info["defs_file"], working_dir=info["project"])
    api = ConsoleAPI(instance, location)
    t_opened = time.perf_counter()
    err = api.reload()
    t_loaded = time.perf_counter()
    app = DagdeckApp(api, readonly=False, watch_files=True, daemon=None)
    out = asyncio.run(_drive(app, probe, opts, info["assets"], info["runs"], phases))
    phases.next("")
    import gc

    out["gc_objects"] = len(gc.get_objects())
    out["gc_threshold"] = list(gc.get_threshold())
    instance.close()

    def since_spawn(t: float | None) -> float | None:
        return None if t is None else wall_start + (t - t_start) - opts.t0

    out.update({
        "load_error": str(err) if err else None,
        "spawn_to_main_s": since_spawn(t_start),
        "imports_s": t_imported - t_start,
        "store_open_s": t_opened - t_imported,
        "defs_load_s": t_loaded - t_opened,
        "first_paint_s": since_spawn(out.get("first_paint")),
        "first_paint_from_run_test_s": None if out.get("first_paint") is None else out["first_paint"] - probe["t_enter"],
        "run_test_ready_s": probe.get("t_ready", t_start) - probe["t_enter"],
        "first_frame_s": since_spawn(out.get("first_frame")),
        "first_detail_s": since_spawn(out.get("first_detail")),
        "rss_peak_mb": peak_rss_mb(),
        "ui_costs_ms": {k: _stats(v) | {"sum": sum(v)} for k, v in costs.ms.items() if v},
        "phases": phases.rows,
    })
    for k in ("first_paint", "first_frame", "first_detail"):
        out.pop(k, None)
    return out


# -- ConsoleAPI reads, without the app --------------------------------------------------------------


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), result


def api_case(info: dict[str, Any], profile: bool, repeat: int) -> dict[str, Any]:
    from dagdeck.core.console_api import ConsoleAPI
    from dagdeck.core.defs.loader import CodeLocation
    from dagdeck.core.events import EventType
    from dagdeck.core.instance import Instance
    from dagdeck.core.settings import Settings
    from dagdeck.core.views.asset_health import check_views, failed_error_checks, overdue, stale_reasons
    from dagdeck.tui.widgets.graph_layout import layout

    instance = Instance.open(info["home"], settings=Settings())
    api = ConsoleAPI(instance, CodeLocation(file=info["defs_file"], working_dir=info["project"]))
    store = instance.store
    rows_out: list[tuple[str, float, str]] = []

    def t(label: str, fn: Callable[[], Any], note: Callable[[Any], str] = lambda _r: "", n: int = repeat) -> Any:
        ms, result = _timed(fn, n)
        rows_out.append((label, ms, note(result)))
        return result

    t("ConsoleAPI.reload (load definitions)", api.reload, n=1)
    defs = api.defs
    assert defs is not None
    rows = t("ConsoleAPI.asset_rows", api.asset_rows, lambda r: f"{len(r)} rows, {sum(x.stale for x in r)} stale")
    t("  store.asset_states", store.asset_states, lambda r: f"{len(r)} states")
    t("  asset_health.stale_reasons (all)", lambda: stale_reasons(defs, store),
      lambda r: f"{sum(1 for a in defs.asset_graph.assets.values() if a.code_version)} materialization_history queries")
    t("  asset_health.failed_error_checks", lambda: failed_error_checks(store))
    t("  asset_health.overdue", lambda: overdue(defs, store),
      lambda _r: f"{sum(1 for a in defs.asset_graph.assets.values() if a.freshness_policy)} assets with a policy")
    stale_key = next(r.key for r in rows if r.stale and defs.asset_graph.assets[defs.asset_graph.by_string[r.key]].code_version)
    plain_key = next(r.key for r in rows if r.status == "materialized" and not r.stale)
    t(f"ConsoleAPI.asset_detail ({plain_key})", lambda: api.asset_detail(plain_key),
      lambda d: f"{len(d.series)} series, {len(d.recent_runs)} runs")
    t(f"ConsoleAPI.asset_detail ({stale_key}, stale)", lambda: api.asset_detail(stale_key))
    t("  store.materialization_history(50)", lambda: store.materialization_history(plain_key, limit=50), lambda r: f"{len(r)} events")
    t("  store.get_events(asset, STEP_START, desc, 50)",
      lambda: store.get_events(asset_key=plain_key, event_types=[EventType.STEP_START], descending=True, limit=50))
    t("  asset_health.stale_reasons([key])", lambda: stale_reasons(defs, store, [stale_key]))
    t("  asset_health.check_views", lambda: check_views(defs, store, plain_key))
    t("ConsoleAPI.runs (first page, 100)", lambda: api.runs(limit=100), lambda r: f"{len(r)} runs")
    t("ConsoleAPI.count_runs", api.count_runs, lambda r: f"{r:,} runs")
    middle = (info["runs"] // 2 // 100) * 100
    t(f"ConsoleAPI.runs (page {middle // 100 + 1}, offset {middle:,})", lambda: api.runs(limit=100, offset=middle))
    t("ConsoleAPI.runs (status:failed)", lambda: api.runs(statuses=["FAILURE"], limit=100))
    t("ConsoleAPI.count_runs (status:failed)", lambda: api.count_runs(statuses=["FAILURE"]), lambda r: f"{r:,}")
    t("ConsoleAPI.runs (text 'abc')", lambda: api.runs(text="abc", limit=100))
    t("ConsoleAPI.count_runs (text 'abc')", lambda: api.count_runs(text="abc"), lambda r: f"{r:,}")
    some_run = api.runs(limit=1)[0].run_id
    t("ConsoleAPI.run_view (one run)", lambda: api.run_view(some_run))
    t("poll: ConsoleAPI.last_event_id", api.last_event_id, lambda r: f"{r:,}")
    t("poll: ConsoleAPI.active_run_count", api.active_run_count)
    t("poll: ConsoleAPI.daemon_state", api.daemon_state)
    t("poll: ConsoleAPI.watch (every 2 s)", api.watch)
    order = [r.key for r in rows]
    ups = {r.key: r.upstream for r in rows}
    t(f"graph_layout.layout ({len(order):,} rows)", lambda: layout(order, ups),
      lambda r: f"widest {max(len(g.cells) for g in r) // 2} lanes")
    out: dict[str, Any] = {"rows": rows_out, "rss_peak_mb": peak_rss_mb()}
    if profile:
        out["profile"] = _profiles([
            ("ConsoleAPI.asset_rows()", api.asset_rows),
            (f"ConsoleAPI.asset_detail({plain_key!r})", lambda: api.asset_detail(plain_key)),
            (f"graph_layout.layout() of {len(order):,} rows", lambda: layout(order, ups)),
        ])
    instance.close()
    return out


def _profiles(calls: list[tuple[str, Callable[[], Any]]]) -> str:
    import cProfile

    texts = []
    for label, fn in calls:
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        fn()
        prof.disable()
        texts.append(_profile_text(prof, f"{label}: {(time.perf_counter() - t0) * 1000:.0f} ms under the profiler", 14, 8))
    return "\n".join(texts)


def case_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench console-case")
    p.add_argument("what", choices=("measure", "api"))
    p.add_argument("--root", required=True)
    p.add_argument("--t0", type=float, default=0.0)
    p.add_argument("--presses", type=int, default=200)
    p.add_argument("--detail-presses", type=int, default=20)
    p.add_argument("--interval-ms", type=float, default=33.0)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--width", type=int, default=SIZE[0])
    p.add_argument("--height", type=int, default=SIZE[1])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--profile", action="store_true")
    a = p.parse_args(argv)
    a.size = (a.width, a.height)
    root = Path(a.root)
    info = json.loads((root / MARKER).read_text())
    if a.what == "measure":
        result = measure(root, info, a)
    else:
        result = api_case(info, a.profile, a.repeat)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0


# -- driver ---------------------------------------------------------------------------------------


def _spawn(args: list[str], cwd: str, timeout: float, stamp: bool = False) -> tuple[dict[str, Any] | None, str]:
    """Run ``python -m bench console-case ARGS``; ``stamp`` passes the spawn time (--t0) for first paint."""
    cmd = [sys.executable, "-m", "bench", "console-case", *args]
    if stamp:
        cmd += ["--t0", repr(time.time())]
    try:
        # a user's second console start finds the definitions compiled in __pycache__; measure that
        # case even where the environment forbids writing bytecode (the driver compiled it already)
        env = child_env()
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"TIMEOUT after {timeout:.0f}s"
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):]), proc.stderr
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
    return None, f"exit {proc.returncode}:\n" + "\n".join(tail)


def _ms(v: float | None) -> str:
    return "-" if v is None else "timeout" if v == float("inf") else f"{v:.1f}"


def _lat_row(label: str, s: dict[str, Any] | None) -> list[object]:
    if not s or "p50" not in s:
        return [label, s.get("n", 0) if s else 0, "-", "-", "-", "-", s.get("timeouts", "") if s else ""]
    return [label, s["n"], _ms(s["p50"]), _ms(s["p95"]), _ms(s["max"]), f"{s['mean']:.1f}", s["timeouts"]]


def _s(v: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if v is None else fmt.format(v)


def _loadavg() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench console", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--assets", type=int, default=5000, help="assets (multiple of 50; default 5000)")
    p.add_argument("--runs", type=int, default=100_000, help=f"runs, {EVENTS_PER_RUN} events each (default 100000)")
    p.add_argument("--presses", type=int, default=200, help="key presses per screen (default 200)")
    p.add_argument("--detail-presses", type=int, default=20,
                   help="`j` presses each timed until the metadata pane shows the new asset (default 20)")
    p.add_argument("--interval-ms", type=float, default=33.0,
                   help="key-repeat cadence of the presses (default 33 ms, ~30/s); 0 = back to back")
    p.add_argument("--cache", default=str(CACHE_ROOT), help=f"where the data set is cached (default {CACHE_ROOT})")
    p.add_argument("--rebuild", action="store_true", help="build the data set again even if cached")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per measured process")
    p.add_argument("--profile", action="store_true", help="always print the cProfile of the slow ConsoleAPI reads")
    p.add_argument("--no-profile", action="store_true", help="never profile")
    a = p.parse_args(argv)
    wall = time.perf_counter()
    print(f"dagdeck console bench: {a.assets:,} assets, {a.runs:,} runs, {a.runs * EVENTS_PER_RUN:,} events; "
          f"{SIZE[0]}x{SIZE[1]} headless; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"load average at start: {_loadavg()}")

    root, info, built = ensure_data(a.assets, a.runs, a.rebuild, Path(a.cache))
    if built:
        print(f"data set built in {info['build_s']:.1f}s ({info['add_run_s']:.1f}s in {info['runs']:,} Store.add_run, "
              f"{info['append_events_s']:.1f}s in Store.append_events of {info['events']:,} events); cached in {root}")
    else:
        print(f"data set reused from {root} (built in {info['build_s']:.1f}s on "
              f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(info['built_at']))}; --rebuild to build again)")
    print(f"  {info['assets']:,} assets, {info['runs']:,} runs, {info['events']:,} events, "
          f"{info['materializations']:,} materializations of {info['materialized_assets']:,} assets, "
          f"store {info['db_mb']:.0f} MB")
    from dagdeck.store import Store

    t0 = time.perf_counter()
    Store.sqlite(Path(info["home"]) / "dagdeck.db").close()  # migrate now, not inside the measured process
    print(f"  store opened (schema check / migration) in {time.perf_counter() - t0:.2f}s")

    case = ["--root", str(root), "--presses", str(a.presses), "--detail-presses", str(a.detail_presses),
            "--interval-ms", str(a.interval_ms)]
    print("measuring the console in a fresh process ...", flush=True)
    py_compile.compile(info["defs_file"], doraise=True)
    m, err = _spawn(["measure", *case], info["project"], a.timeout, stamp=True)
    print("timing ConsoleAPI reads in another fresh process ...", flush=True)
    api, api_err = _spawn(["api", "--root", str(root)], info["project"], a.timeout)
    print(f"load average at end:   {_loadavg()}")
    print()

    if m is None:
        print(f"measured process failed: {err}")
    else:
        if m.get("error"):
            print(f"ERROR: {m['error']}")
        if m.get("load_error"):
            print(f"definitions did not load: {m['load_error']}")
        print("startup (seconds from the spawn of the process)")
        print(table(["phase", "s"], [
            ("python start until bench code runs", _s(m["spawn_to_main_s"])),
            ("imports (textual, tui, core, store)", _s(m["imports_s"])),
            ("Instance.open (store)", _s(m["store_open_s"])),
            (f"ConsoleAPI.reload ({info['assets']:,}-asset definitions file)", _s(m["defs_load_s"])),
            ("App.run_test entry until the app is ready", _s(m["run_test_ready_s"])),
            ("first frame (chrome, empty graph)", _s(m["first_frame_s"])),
            (f"first frame with all {info['assets']:,} graph rows", _s(m["first_paint_s"])),
            ("  the same, from App.run_test entry", _s(m["first_paint_from_run_test_s"])),
            ("first frame with the metadata pane filled", _s(m["first_detail_s"])),
            ("then until the process was idle (background reads)", _s(m.get("idle_after_open_s"))),
        ]))
        print()
        print(f"key presses (ms from the key event to the first frame showing its effect; "
              f"cadence {a.interval_ms:g} ms, never overlapping)")
        print(table(["what", "n", "p50", "p95", "max", "mean", "timeouts"], [
            _lat_row("assets: j (graph cursor)", m.get("assets_j_ms")),
            _lat_row("assets: j until the metadata pane shows it", m.get("detail_ms")),
            _lat_row("runs: down/up (table cursor)", m.get("runs_down_ms")),
            _lat_row("runs: n (next page of 100)", m.get("next_page_ms")),
        ]))
        print(table(["main-thread CPU per press (thread_time, ms)", "n", "p50", "p95", "max", "mean", "timeouts"], [
            _lat_row("assets: j (graph cursor)", m.get("assets_j_cpu_ms")),
            _lat_row("runs: down/up (table cursor)", m.get("runs_down_cpu_ms")),
        ]))
        print(f"after the {a.presses} j presses the metadata pane needed {_s(m.get('detail_catch_up_s'))} s to show "
              f"the last selected asset; the process was busy {_s(m.get('idle_after_j_s'))} s more")
        print(f"open the Runs screen (2) until the first page is shown: {_ms(m.get('open_runs_ms'))} ms; "
              f"frames drawn in total: {m.get('frames', '-')}")
        print()
        print("phases of the measured process: garbage collections (they stop every thread) and memory at the end")
        print(table(["phase", "s", "GCs", "GC ms", "full GCs", "max full GC ms", "RSS MB", "peak MB"], [
            [r["phase"], f"{r['s']:.2f}", r["gc"], f"{r['gc_ms']:.0f}", r["gen2"], f"{r['gen2_max_ms']:.0f}",
             _s(r["rss_mb"], "{:.0f}"), f"{r['peak_mb']:.0f}"] for r in m.get("phases", [])
        ]))
        print()
        print(f"objects tracked by the garbage collector at exit: {m.get('gc_objects', 0):,} "
              f"(thresholds {m.get('gc_threshold')}); a full collection walks all of them")
        print()
        print("UI-thread work in the measured process (wrapped methods)")
        print(table(["method", "calls", "p50 ms", "max ms", "total ms"], [
            [k, v["n"], _ms(v.get("p50")), _ms(v.get("max")), f"{v['sum']:.0f}"] for k, v in m["ui_costs_ms"].items()
        ]))
        print()

    if api is None:
        print(f"ConsoleAPI timing process failed: {api_err}")
    else:
        print("ConsoleAPI reads without the app (median of 5 calls, ms; fresh process, warm page cache)")
        print(table(["call", "ms", "note"], [[label, f"{ms:.1f}", note] for label, ms, note in api["rows"]]))
        print()

    fp = m.get("first_paint_s") if m else None
    j95 = (m or {}).get("assets_j_ms", {}).get("p95")
    r95 = (m or {}).get("runs_down_ms", {}).get("p95")
    rss = m.get("rss_peak_mb") if m else None
    rows = [
        ("first paint of the assets screen", _s(fp, "{:.2f} s"), f"< {FIRST_PAINT_TARGET_S:g} s", verdict(fp, FIRST_PAINT_TARGET_S)),
        ("key latency p95, assets j", _s(j95, "{:.1f} ms"), f"< {P95_TARGET_MS:g} ms", verdict(j95, P95_TARGET_MS)),
        ("key latency p95, runs down", _s(r95, "{:.1f} ms"), f"< {P95_TARGET_MS:g} ms", verdict(r95, P95_TARGET_MS)),
        ("peak RSS of the console process", _s(rss, "{:.0f} MB"), f"< {RSS_TARGET_MB:g} MB", verdict(rss, RSS_TARGET_MB)),
    ]
    print(table(["target (issue 4)", "measured", "target", "verdict"], rows))
    missed = any(r[3] == "MISS" for r in rows)
    if (a.profile or missed) and not a.no_profile:
        print("\n== cProfile of the slow ConsoleAPI reads (cumulative, dagdeck code only; then own time) ==")
        prof, perr = _spawn(["api", "--root", str(root), "--repeat", "1", "--profile"], info["project"], a.timeout)
        print(perr if prof is None else prof.get("profile", "").rstrip())
        print("\n== cProfile of the console's UI thread (another measured process, same presses; "
              "latencies under the profiler are not reported) ==")
        ui, uerr = _spawn(["measure", *case, "--detail-presses", "0", "--profile"], info["project"], a.timeout, stamp=True)
        if ui is None:
            print(uerr)
        else:
            print(ui.get("ui_profile_j", "").rstrip())
            print(ui.get("ui_profile_runs", "").rstrip())
    print(f"\ntotal bench wall time {time.perf_counter() - wall:.1f}s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
