"""`dagdeck backfill launch|list|show|cancel|retry-failed`: backfills of partitioned assets.

`launch` only records the backfill (REQUESTED); the daemon launches its runs through the run queue,
so a backfill survives the terminal that started it and a daemon restart.
"""

from __future__ import annotations

import time

import typer
from rich.text import Text

from dagdeck.core.automation.backfill_actions import cancel_backfill, retry_failed
from dagdeck.core.automation.backfill_plan import (
    BackfillError,
    new_backfill,
    partition_range,
    partitions_def_of,
)
from dagdeck.core.automation.backfill_states import BackfillView, backfill_view, find_backfill
from dagdeck.core.automation.lease import LEASE_NAME, LEASE_TTL
from dagdeck.core.cli.context import CliContext, cli_context
from dagdeck.core.cli.output import console, err_console, line, print_json, status_text
from dagdeck.core.defs.selection import parse_selection
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.statuses import PartitionRunStatus
from dagdeck.core.timefmt import iso

JSON_HELP = "Print one JSON document."
backfill_app = typer.Typer(help="Backfills: launch, list, show, cancel, retry-failed.", no_args_is_help=True)


@backfill_app.command("launch")
def launch(
    ctx: typer.Context,
    select: str = typer.Option(..., "--select", "-s", help="Partitioned assets: a, +a, group:x, *"),
    start: str | None = typer.Option(None, "--from", help="First partition key (included)."),
    end: str | None = typer.Option(None, "--to", help="Last partition key (included)."),
    all_partitions: bool = typer.Option(False, "--all", help="Every partition."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Record a backfill of a range of partitions; the daemon launches its runs. Prints its id."""
    if all_partitions and (start is not None or end is not None):
        raise BackfillError("give either --all or --from/--to, not both")
    if not all_partitions and (start is None or end is None):
        raise BackfillError("give the range with --from START --to END, or --all for every partition")
    state = cli_context(ctx)
    loaded = state.loaded()
    keys = parse_selection(select).resolve(loaded.defs.asset_graph)
    if not keys:
        raise BackfillError(f"selection {select!r} matches no assets; see `dagdeck assets list`")
    store = state.instance().store
    all_keys = list(partitions_def_of(loaded.defs, keys).get_partition_keys(dynamic_partitions_store=store))
    wanted = all_keys if all_partitions else partition_range(all_keys, start, end)
    backfill = new_backfill(loaded.defs, loaded.location, select, keys, wanted)
    store.add_backfill(backfill)
    if as_json:
        print_json(backfill_view(store, backfill).to_json())
    else:
        console.print(backfill.backfill_id, markup=False)
    if not _daemon_running(state):
        err_console.print(
            f"backfill {backfill.backfill_id} is requested; `dagdeck daemon` (or the console) launches its runs",
            markup=False,
        )


def _daemon_running(state: CliContext) -> bool:
    lease = state.instance().store.get_lease(LEASE_NAME)
    return lease is not None and time.time() - lease.heartbeat_at < LEASE_TTL


@backfill_app.command("list")
def list_backfills(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Backfills, newest first, with their partition counts."""
    store = cli_context(ctx).instance().store
    views = [backfill_view(store, b) for b in store.list_backfills(limit=limit)]
    if as_json:
        print_json([_summary_json(v) for v in views])
        return
    if not views:
        console.print("no backfills")
        return
    for v in views:
        console.print(_summary_line(v))


def _summary_json(view: BackfillView) -> dict[str, object]:
    doc = view.to_json()
    doc.pop("partitions")
    return doc


def _summary_line(view: BackfillView) -> Text:
    b = view.backfill
    counts = view.counts()
    parts = ", ".join(f"{counts[s]} {s}" for s in PartitionRunStatus if counts[s])
    return line(
        (f"{b.backfill_id}  ", "bold"),
        status_text(b.status, 12),
        f" {b.selection.get('select')}  {_count(len(b.partition_keys), 'partition')} ({parts})  {iso(b.created_at)}",
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@backfill_app.command("show")
def show(
    ctx: typer.Context,
    backfill_id: str = typer.Argument(..., help="Backfill id (or a unique prefix)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """One backfill: its status, each partition's state and its runs."""
    store = cli_context(ctx).instance().store
    view = backfill_view(store, find_backfill(store, backfill_id))
    if as_json:
        print_json(view.to_json())
        return
    console.print(_summary_line(view))
    b = view.backfill
    if b.failure_reason:
        console.print(line(("error: ", "red"), b.failure_reason))
    for key, status in view.partitions.items():
        run_id = view.run_by_partition.get(key)
        console.print(line(f"  {key:<24} ", status_text(status, 12), f" {run_id[:8] if run_id else ''}"))


@backfill_app.command("cancel")
def cancel(
    ctx: typer.Context,
    backfill_id: str = typer.Argument(..., help="Backfill id (or a unique prefix)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Stop launching runs and cancel the backfill's queued and running runs."""
    state = cli_context(ctx)
    store = state.instance().store
    backfill = cancel_backfill(store, Launcher(state.instance()), find_backfill(store, backfill_id))
    view = backfill_view(store, backfill)
    if as_json:
        print_json(view.to_json())
    else:
        console.print(_summary_line(view))


@backfill_app.command("retry-failed")
def retry(
    ctx: typer.Context,
    backfill_id: str = typer.Argument(..., help="Backfill id (or a unique prefix)."),
    partitions: list[str] | None = typer.Option(
        None, "--partition", help="Only this failed partition (repeatable); default: every failed one."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A new backfill of the failed partitions of an ended one; prints its id."""
    state = cli_context(ctx)
    store = state.instance().store
    backfill = retry_failed(store, find_backfill(store, backfill_id), partitions or None)
    if as_json:
        print_json(backfill_view(store, backfill).to_json())
    else:
        console.print(backfill.backfill_id, markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(backfill_app, name="backfill")
