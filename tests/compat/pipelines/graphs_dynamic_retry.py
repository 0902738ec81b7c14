"""A mapped step that fails once, then re-executed from failure; each mapped op reads its own
mapping key from the context (Dagster docs: "Dynamic graphs", "Re-execution")."""

import os
from pathlib import Path

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def batches():
    for batch in ["b1", "b2", "b3"]:
        yield dg.DynamicOutput(batch, mapping_key=batch)


@dg.op
def process(context, batch: str) -> str:
    marker = Path(os.environ["BATCH_MARKER"])
    if batch == "b2" and not marker.exists():
        marker.write_text("failed once")
        raise RuntimeError("batch b2 failed")
    return f"{context.get_mapping_key()}:{batch.upper()}"


@dg.op
def combine(results: list) -> list:
    return results


@dg.job
def flaky_batches():
    combine(batches().map(process).collect())


defs = dg.Definitions(jobs=[flaky_batches])
