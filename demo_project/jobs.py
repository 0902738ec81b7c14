"""Jobs: one from assets, one from ops (fan-out/fan-in), one from a graph fed by run config."""

import csv
import time
from pathlib import Path

import dagdeck as dg
from demo_project.setup_data import DATA_DIR, INCOMING_DIR, WAREHOUSE_DIR

ARCHIVE_DIR = DATA_DIR / "archive"

# -- from assets ---------------------------------------------------------------------------------

refresh_orders = dg.define_asset_job(
    "refresh_orders",
    selection=dg.AssetSelection.groups("ingest", "warehouse"),
    description="Download, clean and anonymise the orders, then publish them to the warehouse.",
)

# -- from ops: list -> (prune | archive) -> report -----------------------------------------------


class CleanupConfig(dg.Config):
    max_age_hours: float = 24.0
    """Files older than this are archived or pruned."""


@dg.op(out={"warehouse": dg.Out(), "incoming": dg.Out()})
def list_old_files(context: dg.OpExecutionContext, config: CleanupConfig) -> tuple[list[str], list[str]]:
    """Find stale temp files in the warehouse and old, already-seen files in data/incoming."""
    cutoff = time.time() - config.max_age_hours * 3600
    stale_tmp = [str(p) for p in sorted(WAREHOUSE_DIR.glob("*.tmp"))]
    old_incoming = [str(p) for p in sorted(INCOMING_DIR.glob("*.csv")) if p.stat().st_mtime < cutoff]
    context.log.info(f"{len(stale_tmp)} stale warehouse temp files, {len(old_incoming)} old incoming files")
    return stale_tmp, old_incoming


@dg.op
def prune_warehouse(context: dg.OpExecutionContext, files: list[str]) -> dict[str, int]:
    """Delete temp files left behind by an interrupted warehouse write."""
    freed = 0
    for name in files:
        path = Path(name)
        freed += path.stat().st_size if path.exists() else 0
        path.unlink(missing_ok=True)
        context.log.info(f"deleted {path.name}")
    return {"pruned": len(files), "bytes_freed": freed}


@dg.op
def archive_incoming(context: dg.OpExecutionContext, files: list[str]) -> dict[str, int]:
    """Move old incoming files to data/archive/ so the folder stays small."""
    ARCHIVE_DIR.mkdir(parents=True, exist_ok=True)
    for name in files:
        path = Path(name)
        if path.exists():
            path.replace(ARCHIVE_DIR / path.name)
            context.log.info(f"archived {path.name}")
    return {"archived": len(files)}


@dg.op
def cleanup_report(context: dg.OpExecutionContext, results: list[dict[str, int]]) -> dg.Output:
    """Fan-in: merge what the cleanup branches did into one summary."""
    merged: dict[str, int] = {}
    for r in results:
        merged.update(r)
    context.log.info(f"cleanup done: {merged}")
    lines = "\n".join(f"- {k}: **{v}**" for k, v in merged.items())
    return dg.Output(merged, metadata={**merged, "summary": dg.MetadataValue.md(f"# Cleanup\n\n{lines}\n")})


@dg.job(description="Prune warehouse temp files and archive old incoming files.")
def cleanup_job() -> None:
    warehouse, incoming = list_old_files()
    cleanup_report([prune_warehouse(warehouse), archive_incoming(incoming)])


# -- from a graph: load one incoming file (launched by the incoming_orders sensor) ----------------


class IngestFileConfig(dg.Config):
    path: str = ""
    """File to load; empty means the newest CSV in data/incoming/."""


@dg.op
def locate_file(context: dg.OpExecutionContext, config: IngestFileConfig) -> str:
    """Resolve the file to load from run config (relative paths are relative to the demo package)."""
    if config.path:
        path = Path(config.path)
        path = path if path.is_absolute() else Path(__file__).parent / path
    else:
        candidates = sorted(INCOMING_DIR.glob("*.csv"), key=lambda p: p.stat().st_mtime)
        if not candidates:
            raise FileNotFoundError(f"no path in run config and no CSV in {INCOMING_DIR}")
        path = candidates[-1]
    if not path.exists():
        raise FileNotFoundError(path)
    context.log.info(f"loading {path}")
    return str(path)


@dg.op(retry_policy=dg.RetryPolicy(max_retries=2, delay=0.2))
def load_file(context: dg.OpExecutionContext, path: str) -> dg.Output:
    """Read the CSV (a file still being written is retried) and report its shape."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = list(rows[0]) if rows else []
    context.log.info(f"{len(rows)} rows, columns {columns}")
    return dg.Output(
        rows,
        metadata={
            "row_count": len(rows),
            "columns": dg.MetadataValue.json(columns),
            "path": dg.MetadataValue.path(path),
        },
    )


@dg.graph
def ingest_file_graph() -> None:
    """Locate a file named by run config and load it."""
    load_file(locate_file())


ingest_file_job = ingest_file_graph.to_job(
    name="ingest_file",
    description="Load one CSV dropped into data/incoming/ (run config: ops.locate_file.path).",
)
