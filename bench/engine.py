"""`python -m bench engine`: load, plan and in-process run cost of large no-op DAGs (issue 2).

Each shape and size runs in a fresh subprocess (`python -m bench engine-case ...`) so the peak RSS
is that case's alone and no import or cache from an earlier case helps a later one.

In the case process:
* load   -- `core.loader.load` of the generated file, cold (first import: compiles the file);
* plan   -- `core.running.plan_assets.plan_assets` over every asset;
* run    -- what `core.in_process.materialize` does: `Launcher.submit(start=False)` into a fresh temp
            instance, `mark_started`, then `core.execution.execute_run` (which plans again and runs
            the in_process thread-pool executor); the wall time covers all three;
* events -- `store.count_events(run_id)`;
* peak RSS of the case process (ru_maxrss).

Case directories are deleted only after every case has run: on a disk mounted with online discard
(this machine's ext4 is), deleting a case's thousand files keeps the disk busy for seconds and made
the next case 2-3x slower, a cost of the bench's cleanup rather than of dagdeck.

Cases up to 1,000 assets are repeated (`--repeat`, default 5, each in its own fresh process) and
the median run is reported, because the machine this runs on is often shared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import gen
from bench.common import child_env, peak_rss_mb, table, verdict, verdict_le

DEFAULT_SIZES = (100, 1000, 10000)
PER_STEP_TARGET_MS = 1.0  # at 1,000 assets, issue 2
LOAD_TARGET_S = 2.0  # 10,000-asset definitions, issue 2
DEFAULT_TIMEOUT_S = 600.0
REPEAT_MAX_SIZE = 1000


# -- inside the case process -------------------------------------------------------------------


def run_case(shape: str, n: int, workdir: Path, io: str = "fs", profile: bool = False) -> dict:
    """Body of the case subprocess; returns the measurements."""
    from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
    from dagdeck.core.defs.loader import CodeLocation, load
    from dagdeck.core.instance import Instance
    from dagdeck.core.running.execute_run import execute_run
    from dagdeck.core.running.launcher import Launcher, LaunchSpec
    from dagdeck.core.running.plan_assets import plan_assets
    from dagdeck.core.running.run_status import mark_started
    from dagdeck.core.settings import Settings

    path = gen.write(workdir, shape, n, io)
    location = CodeLocation(file=str(path), working_dir=str(workdir))

    t0 = time.perf_counter()
    loaded = load(location)
    load_s = time.perf_counter() - t0
    defs = loaded.defs
    keys = set(defs.asset_graph.assets)

    t0 = time.perf_counter()
    plan = plan_assets(defs, keys)
    plan_s = time.perf_counter() - t0
    rss_loaded = peak_rss_mb()

    instance = Instance.open(workdir / "home", settings=Settings())
    spec = LaunchSpec(
        job_name=ASSET_JOB_NAME,
        location=location,
        steps=plan.step_keys,
        assets=plan.asset_keys,
        trigger="bench",
        executor="in_process",
    )
    profiler = _ThreadProfiler() if profile else None
    if profiler:
        profiler.start()
    t0 = time.perf_counter()
    run = Launcher(instance).submit(spec, start=False)
    mark_started(instance.store, run.run_id, os.getpid(), socket.gethostname())
    run = instance.store.get_run(run.run_id) or run
    outcome = execute_run(instance, run, defs)
    run_s = time.perf_counter() - t0
    if profiler:
        profiler.stop(run_s, len(plan.steps))

    events = instance.store.count_events(run.run_id)
    instance.close()
    return {
        "shape": shape,
        "n": len(keys),
        "load_s": load_s,
        "plan_s": plan_s,
        "run_s": run_s,
        "steps": len(plan.steps),
        "status": str(outcome.status),
        "events": events,
        "rss_loaded_mb": rss_loaded,
        "rss_peak_mb": peak_rss_mb(),
    }


class _ThreadProfiler:
    """cProfile of the run across every thread (main loop, step pool, event-sink writer).

    cProfile hooks only the thread that enables it, so each thread started during the run gets its
    own profiler (via threading.setprofile) and the stats are merged at the end.
    """

    def __init__(self) -> None:
        import cProfile
        import threading

        self._cprofile = cProfile
        self._threading = threading
        self.profilers: list = []

    def _thread_hook(self, *_args: object) -> None:
        prof = self._cprofile.Profile()
        self.profilers.append(prof)
        prof.enable()  # replaces this hook for the new thread

    def start(self) -> None:
        self._threading.setprofile(self._thread_hook)
        main = self._cprofile.Profile()
        self.profilers.append(main)
        main.enable()

    def stop(self, run_s: float, steps: int) -> None:
        import io
        import pstats

        self.profilers[0].disable()
        self._threading.setprofile(None)
        out = io.StringIO()
        stats = pstats.Stats(self.profilers[0], stream=out)
        for prof in self.profilers[1:]:
            stats.add(prof)
        print(
            f"cProfile of the run ({steps} steps, {run_s:.2f}s wall under the profiler, "
            f"{len(self.profilers)} threads merged: times are summed over concurrent threads)",
            file=out,
        )
        stats.sort_stats("cumulative").print_stats(15)
        stats.sort_stats("tottime").print_stats(15)
        sys.stderr.write(out.getvalue())


def case_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench engine-case")
    p.add_argument("--shape", required=True, choices=gen.SHAPES)
    p.add_argument("--size", required=True, type=int)
    p.add_argument("--dir", required=True)
    p.add_argument("--io", default="fs", choices=("fs", "mem"))
    p.add_argument("--profile", action="store_true")
    a = p.parse_args(argv)
    result = run_case(a.shape, a.size, Path(a.dir), a.io, a.profile)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0


# -- driver ---------------------------------------------------------------------------------------


def _spawn_case(root: Path, shape: str, n: int, timeout: float, io: str, profile: bool = False) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"{shape}-{n}-", dir=root))
    cmd = [sys.executable, "-m", "bench", "engine-case", "--shape", shape, "--size", str(n),
           "--dir", str(workdir), "--io", io]
    if profile:
        cmd.append("--profile")
    started = time.perf_counter()
    try:
        # cwd is the temp dir so no pyproject.toml [tool.dagdeck] settings leak into the case
        proc = subprocess.run(cmd, cwd=workdir, env=child_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"shape": shape, "n": n, "error": f"TIMEOUT after {timeout:.0f}s (did not finish)"}
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            result = json.loads(line[len("BENCH-RESULT "):])
            result["case_s"] = time.perf_counter() - started
            if profile:
                result["profile"] = proc.stderr
            return result
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"shape": shape, "n": n, "error": f"exit {proc.returncode}: {' | '.join(tail)}"}


def _merge(samples: list[dict]) -> dict:
    """The median-run sample of a repeated case, with the spread of ms/step."""
    ok = [s for s in samples if "error" not in s]
    if not ok:
        return samples[0]
    ok.sort(key=lambda s: s["run_s"])
    chosen = dict(ok[(len(ok) - 1) // 2])
    per_step = [s["run_s"] * 1000 / max(1, s["steps"]) for s in ok]
    chosen["ms_step_min"], chosen["ms_step_max"] = min(per_step), max(per_step)
    chosen["load_s"] = statistics.median(s["load_s"] for s in ok)
    chosen["plan_s"] = statistics.median(s["plan_s"] for s in ok)
    chosen["rss_peak_mb"] = max(s["rss_peak_mb"] for s in ok)
    chosen["repeats"] = len(ok)
    return chosen


def _ms_step(r: dict) -> float:
    return r["run_s"] * 1000 / max(1, r["steps"])


def _fmt_row(r: dict) -> list[object]:
    if "error" in r:
        return [r["shape"], r["n"], r["error"], "", "", "", "", "", "", "", ""]
    spread = f"{r['ms_step_min']:.2f}-{r['ms_step_max']:.2f}" if r.get("repeats", 1) > 1 else "(1 run)"
    return [
        r["shape"],
        r["n"],
        f"{r['load_s']:.3f}",
        f"{r['plan_s'] * 1000:.1f}",
        f"{r['run_s']:.2f}",
        f"{_ms_step(r):.2f}",
        spread,
        r["events"],
        f"{r['events'] / max(1, r['steps']):.1f}",
        f"{r['rss_peak_mb']:.0f}",
        r["status"],
    ]


def disk_baseline(root: Path, ops: int = 300) -> float:
    """ms per value for the default IO manager's own write (pickle, temp file, rename) called in a loop
    without the engine: the floor of per-step cost with io=fs. Files stay until the bench ends."""
    from dagdeck.core.defs.asset_key import AssetKey
    from dagdeck.core.defs.io_managers import FilesystemIOManager, IOContext

    storage = Path(tempfile.mkdtemp(prefix="disk-", dir=root))
    manager = FilesystemIOManager()
    t0 = time.perf_counter()
    for i in range(ops):
        manager.handle_output(IOContext(storage, "bench", f"a_{i}", asset_key=AssetKey([f"a_{i}"])), None)
    return (time.perf_counter() - t0) * 1000 / ops


def _loadavg() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench engine", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated asset counts")
    p.add_argument("--shapes", default=",".join(gen.SHAPES), help="comma-separated: chain,wide,layers")
    p.add_argument("--io", default="fs", choices=("fs", "mem"),
                   help="fs: default filesystem IO manager (what users get); mem: dg.mem_io_manager, "
                   "to separate engine overhead from filesystem cost")
    p.add_argument("--repeat", type=int, default=5,
                   help=f"fresh-process runs per case up to {REPEAT_MAX_SIZE:,} assets (median reported); "
                   "larger cases run once")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per case (default 600)")
    p.add_argument("--profile", metavar="SHAPE:SIZE", action="append", default=None,
                   help="after the table, cProfile this case's run (top 15 by cumulative and by own time); "
                   "repeatable. Default: wide:1000 when its per-step overhead misses the target")
    p.add_argument("--no-profile", action="store_true", help="never profile")
    a = p.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    shapes = [s.strip() for s in a.shapes.split(",") if s.strip()]
    for s in shapes:
        if s not in gen.SHAPES:
            p.error(f"unknown shape {s!r}; choose from {', '.join(gen.SHAPES)}")
    root = Path(tempfile.mkdtemp(prefix="dagdeck-bench-engine-"))
    try:
        _measure(a, shapes, sizes, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


def _measure(a: argparse.Namespace, shapes: list[str], sizes: list[int], root: Path) -> None:
    print(f"dagdeck engine bench: shapes {','.join(shapes)}, sizes {','.join(map(str, sizes))}, io={a.io}, "
          f"one fresh process per case (its files deleted after all cases), {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"load average at start: {_loadavg()}")
    disk_before = disk_baseline(root)
    results = []
    wall = time.perf_counter()
    for n in sizes:
        # repeats go round the shapes (chain, wide, layers, chain, ...) so a slow spell of a shared
        # machine lands on one repeat of each shape rather than on every repeat of one shape
        repeats = max(1, a.repeat) if n <= REPEAT_MAX_SIZE else 1
        samples: dict[str, list[dict]] = {shape: [] for shape in shapes}
        for _ in range(repeats):
            for shape in shapes:
                if not any("error" in s for s in samples[shape]):
                    samples[shape].append(_spawn_case(root, shape, n, a.timeout, a.io))
        for shape in shapes:
            r = _merge(samples[shape])
            results.append(r)
            took = " ".join(f"{s['case_s']:.1f}s" for s in samples[shape] if "case_s" in s) or r.get("error", "")
            print(f"  {shape:<6} {n:>6}: done ({took})", flush=True)
    print(f"load average at end:   {_loadavg()}")
    disk_after = disk_baseline(root)
    print(f"disk baseline (temp dir): the default IO manager writing one pickled value on its own (temp file, "
          f"rename) costs {disk_before:.3f} ms before / {disk_after:.3f} ms after the cases, without the engine: "
          "that is the floor of ms/step with io=fs")
    print()
    headers = ["shape", "assets", "load s", "plan ms", "run s", "ms/step", "ms/step range", "events",
               "ev/step", "peak RSS MB", "status"]
    print(table(headers, [_fmt_row(r) for r in results]))
    print()
    print("load = core.loader.load of the generated file (cold: first import, compiles it). "
          "run = submit + mark_started + execute_run (in_process executor, fresh SQLite instance, "
          f"{'filesystem' if a.io == 'fs' else 'in-memory'} IO manager); ms/step = run wall / steps "
          "(median of the repeats; range = min-max over them).")
    print()

    targets = []
    for r in results:
        if r["n"] == 1000:
            m = r.get("error") or f"{_ms_step(r):.2f} ms"
            v = "MISS" if "error" in r else verdict_le(_ms_step(r), PER_STEP_TARGET_MS)
            targets.append((f"per-step overhead, {r['shape']} 1,000", m, f"<= {PER_STEP_TARGET_MS:g} ms", v))
        if r["n"] == 10000:
            m = r.get("error") or f"{r['load_s']:.2f} s"
            v = "MISS" if "error" in r else verdict(r["load_s"], LOAD_TARGET_S)
            targets.append((f"definitions load, {r['shape']} 10,000", m, f"< {LOAD_TARGET_S:g} s", v))
    if targets:
        print(table(["target (issue 2)", "measured", "target", "verdict"], targets))
    else:
        print("(no 1,000- or 10,000-asset case selected: no target applies)")

    to_profile = [] if a.no_profile else list(a.profile or [])
    if not a.profile and not a.no_profile:
        for r in results:
            if r["shape"] == "wide" and r["n"] == 1000 and ("error" in r or _ms_step(r) > PER_STEP_TARGET_MS):
                to_profile.append("wide:1000")
    for item in to_profile:
        shape, _, size = item.partition(":")
        if shape not in gen.SHAPES or not size.isdigit():
            print(f"\n--profile {item!r}: give SHAPE:SIZE, e.g. wide:1000")
            continue
        print(f"\n== cProfile of the {shape} {size} in-process run (io={a.io}) ==")
        r = _spawn_case(root, shape, int(size), a.timeout, a.io, profile=True)
        print(r["error"] if "error" in r else r.get("profile", "").rstrip())
    print(f"\ntotal bench wall time {time.perf_counter() - wall:.1f}s")
