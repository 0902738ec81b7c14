"""Assets for watching a run live in the console: one that takes about a minute and prints its
progress (follow the event log, `o` for its stdout, the Gantt, `c` to cancel it), one that logs
warnings. Both stand alone (no upstream), so `m` on either works at any time.

    slow_rebuild       (~60 s, a progress line every 2 s; `seconds` in its config)
    order_quality      (a few WARNING log lines about suspicious orders, then done)
"""

from __future__ import annotations

import csv
import time

import dagdeck as dg
from demo_project.setup_data import ensure_source_data


class RebuildConfig(dg.Config):
    seconds: float = 60.0
    """How long the rebuild takes; `L` on the live_demo job edits it."""
    chunks: int = 30
    """How many progress lines it prints on the way."""


@dg.asset(
    group_name="live",
    kinds=["python"],
    description="A deliberately slow rebuild (~60 s) printing its progress.",
)
def slow_rebuild(context: dg.AssetExecutionContext, config: RebuildConfig) -> dg.MaterializeResult:
    chunks = max(1, config.chunks)
    pause = max(0.0, config.seconds) / chunks
    started = time.monotonic()
    for i in range(1, chunks + 1):
        time.sleep(pause)
        print(
            f"rebuild chunk {i}/{chunks}: {100 * i // chunks}% after {time.monotonic() - started:.0f}s",
            flush=True,
        )
        if i % 10 == 0 or i == chunks:
            context.log.info(f"rebuilt {i} of {chunks} chunks")
    return dg.MaterializeResult(
        metadata={"chunks": chunks, "seconds": dg.MetadataValue.float(round(time.monotonic() - started, 1))}
    )


@dg.asset(group_name="live", kinds=["python"], description="Checks the raw orders and warns about odd rows.")
def order_quality(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    source = ensure_source_data()  # the CSV raw_orders copies: there even before any run
    with source.open(newline="") as f:
        rows = list(csv.DictReader(f))
    odd = [r for r in rows if (r.get("quantity") or "").isdigit() and int(r["quantity"]) >= 4]
    for row in odd[:5]:
        context.log.warning(f"order {row.get('order_id')}: quantity {row.get('quantity')} looks high")
    if len(odd) > 5:
        context.log.warning(f"{len(odd) - 5} more orders with a high quantity not listed")
    print(f"checked {len(rows)} orders, {len(odd)} suspicious", flush=True)
    return dg.MaterializeResult(metadata={"rows": len(rows), "suspicious": len(odd)})


live_demo = dg.define_asset_job(
    "live_demo", selection="group:live", description="The slow rebuild and the quality check, to watch live."
)

live_assets = [slow_rebuild, order_quality]
