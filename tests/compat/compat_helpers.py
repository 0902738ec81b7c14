"""Run a Dagster-style pipeline file through dagdeck the ways a user would, and read back what
happened: step statuses, stored outputs, materialization metadata.

Pipelines live in `pipelines/` (one feature each, written as Dagster's documentation writes them,
with `import dagdeck as dg`). Each test module says, per test, what Dagster 1.13.28 did with the
same code (checked side by side in a scratch venv); these helpers make the dagdeck side short.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.defs.loader import load as load_location
from dagdeck.core.instance import Instance

PIPELINES = Path(__file__).resolve().parent / "pipelines"
DAGDECK = Path(sys.executable).parent / "dagdeck"


def pipeline(name: str) -> Path:
    """The path of `pipelines/<name>.py`."""
    path = PIPELINES / f"{name}.py"
    assert path.exists(), path
    return path


def cli(file: Path, *args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`dagdeck -f file --home home args...` as a user types it, from the pipeline's folder."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    full_env.pop("DAGDECK_HOME", None)
    return subprocess.run(
        [str(DAGDECK), "-f", str(file), "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=str(file.parent),
        env=full_env,
    )


@dataclass
class CliRun:
    """A finished run as `--json` reported it."""

    returncode: int
    doc: dict[str, Any]
    stderr: str

    @property
    def status(self) -> str:
        return self.doc["status"]

    @property
    def steps(self) -> dict[str, str]:
        """Step key -> status word (`succeeded`, `failed`, `skipped`, ...)."""
        return {s["key"]: s["status"] for s in self.doc["steps"]}


def cli_run(file: Path, *args: str, home: Path, env: dict[str, str] | None = None) -> CliRun:
    """`materialize ...` or `job run ...` with `--json`; the run must have been recorded."""
    proc = cli(file, *args, "--json", home=home, env=env)
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"no JSON (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr}") from None
    return CliRun(proc.returncode, doc, proc.stderr)


@dataclass
class RunRecord:
    """What the store holds about one run, read the way the console reads it."""

    run_id: str
    status: str
    steps: dict[str, str]
    materializations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Asset key -> metadata of each materialization in this run, in order."""
    events: list[Any] = field(default_factory=list)

    def metadata(self, asset_key: str) -> dict[str, Any]:
        """Metadata of the (last) materialization of `asset_key` in this run, as plain values."""
        return {k: _plain(v) for k, v in self.materializations[asset_key][-1].items()}

    def event_types(self, step_key: str | None = None) -> list[str]:
        return [e.event_type for e in self.events if step_key is None or e.step_key == step_key]


def _plain(value: Any) -> Any:
    """A stored metadata entry's value (entries are stored as {"type": ..., "value": ...})."""
    if isinstance(value, dict) and "value" in value and "type" in value:
        return value["value"]
    return value


def run_record(home: Path, run_id: str) -> RunRecord:
    """Read a run back from the instance at `home`."""
    from dagdeck.core.running.step_status import run_view

    instance = Instance.open(home)
    try:
        run = instance.store.get_run(run_id)
        assert run is not None, run_id
        view = run_view(instance.store, run)
        events = instance.store.get_events(run_id=run_id, limit=100_000)
        mats: dict[str, list[dict[str, Any]]] = {}
        for e in events:
            if e.event_type == "ASSET_MATERIALIZATION" and e.asset_key:
                mats.setdefault(e.asset_key, []).append(dict(e.data.get("metadata") or {}))
        return RunRecord(
            run_id=run_id,
            status=str(run.status.value if hasattr(run.status, "value") else run.status),
            steps={s.key: str(s.status.value if hasattr(s.status, "value") else s.status) for s in view.steps},
            materializations=mats,
            events=list(events),
        )
    finally:
        instance.close()


def load(file: Path) -> Any:
    """Load a pipeline file's Definitions as `dagdeck check` does."""
    return load_location(CodeLocation(file=str(file))).defs


def stored_op_output(home: Path, run_id: str, step_key: str, output: str = "result") -> Any:
    """The value an op step of a run stored with the default filesystem IO manager."""
    from dagdeck.core.defs.io_managers import FilesystemIOManager, IOContext

    instance = Instance.open(home)
    try:
        ctx = IOContext(instance.storage_dir, run_id, step_key, output)
        return FilesystemIOManager(instance.storage_dir).load_input(ctx)
    finally:
        instance.close()


def stored_asset_value(home: Path, key: str) -> Any:
    """The stored value of asset `key` ("a/b" for a prefixed key) with the default IO manager."""
    from dagdeck.core.defs.asset_key import AssetKey
    from dagdeck.core.defs.io_managers import FilesystemIOManager, IOContext

    ctx = IOContext(home / "storage", "", "", "result", AssetKey(key.split("/")))
    return FilesystemIOManager().load_input(ctx)


def cli_usage_error(file: Path, *args: str, home: Path, env: dict[str, str] | None = None) -> str:
    """Run a command that must be refused before any run starts: exit 2, one `error:` line on
    stderr (no traceback), and no run recorded. Returns that line."""
    proc = cli(file, *args, home=home, env=env)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    listed = cli(file, "runs", "list", "--json", home=home)
    assert listed.returncode == 0 and json.loads(listed.stdout) == [], listed.stdout
    return lines[0]


def pipeline_module(name: str) -> Any:
    """Import `pipelines/<name>.py` as a module, to call its assets and ops directly (unit-test style)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"compat_pipeline_{name}", pipeline(name))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored_metadata(record: RunRecord, asset_key: str) -> dict[str, Any]:
    """Metadata of `asset_key`'s materialization without the `path` entry that Dagster's (and
    dagdeck's) filesystem IO manager adds to every value it stores; asserts that entry is there and
    names the file under storage/."""
    metadata = dict(record.metadata(asset_key))
    path = metadata.pop("path", None)
    assert isinstance(path, str) and path.endswith(f"/storage/{asset_key}"), (asset_key, path)
    return metadata


def partition_materializations(home: Path, run_id: str, asset_key: str) -> list[tuple[str | None, dict[str, Any]]]:
    """(partition, metadata as plain values) of each materialization of `asset_key` in a run."""
    record = run_record(home, run_id)
    return [
        (e.data.get("partition"), {k: _plain(v) for k, v in (e.data.get("metadata") or {}).items()})
        for e in record.events
        if e.event_type == "ASSET_MATERIALIZATION" and e.asset_key == asset_key
    ]


def stored_partition_value(home: Path, key: str, partition_key: str) -> Any:
    """The stored value of one partition of asset `key` with the default IO manager."""
    from dagdeck.core.defs.asset_key import AssetKey
    from dagdeck.core.defs.io_managers import FilesystemIOManager, IOContext

    ctx = IOContext(home / "storage", "", "", "result", AssetKey(key.split("/")), partition_key)
    return FilesystemIOManager().load_input(ctx)
