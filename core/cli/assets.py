"""`dagdeck assets list|show` and `dagdeck checks list|run`: assets, their metadata and their checks."""

from __future__ import annotations

import json
from typing import Any

import typer

from dagdeck.core.cli.context import cli_context
from dagdeck.core.cli.launch import launch_and_report
from dagdeck.core.cli.output import console, line, print_json, status_text
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.metadata import TRUNCATION_MARK
from dagdeck.core.errors import DagdeckError, did_you_mean
from dagdeck.core.running.launcher import checks_spec
from dagdeck.core.statuses import StepStatus, status_style
from dagdeck.core.views.asset_partitions import asset_partitions
from dagdeck.core.views.runs import asset_show_json, assets_list_json

JSON_HELP = "Print one JSON document."
assets_app = typer.Typer(help="Assets: list and show metadata and history.", no_args_is_help=True)
checks_app = typer.Typer(help="Asset checks: list and run.", no_args_is_help=True)


@assets_app.command("list")
def assets_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Assets in dependency order with their latest status."""
    state = cli_context(ctx)
    rows = assets_list_json(state.loaded().defs, state.instance().store)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        when = r["last_materialized_at"] or "-"
        console.print(line(f"{r['key']:<32} {r['group']:<14} ", status_text(r["latest_status"], 20), f" {when}"))


SHOWN_CHARS = 2000
"""How much of one metadata value `assets show` prints; `--json` has it all."""


def _shown(value: Any) -> str:
    """A metadata value as text, cut after SHOWN_CHARS with a note (a 1 MB value floods a terminal)."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) <= SHOWN_CHARS:
        return text
    last = text.rpartition("\n")[2]
    stored_note = f" {last}" if last.startswith(TRUNCATION_MARK) else ""  # the store kept only part
    return f"{text[:SHOWN_CHARS]}... ({len(text)} characters; --json prints them all){stored_note}"


def _range(history: dict[str, Any] | None) -> str:
    """`   (3–12 over 5 materializations)` after a numeric entry with a history; else nothing."""
    summary = (history or {}).get("summary")
    count = len((history or {}).get("values", []))
    if not summary or count < 2:
        return ""
    return f"   ({summary['min']:g}–{summary['max']:g} over {count} materializations)"


@assets_app.command("show")
def assets_show(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Asset key, parts joined by '/'."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """An asset's latest metadata and materialization history."""
    state = cli_context(ctx)
    defs = state.loaded().defs
    try:
        akey = AssetKey(key)
    except ValueError:  # empty, or only slashes
        raise DagdeckError(f"{key!r} is not an asset key; write its parts joined by '/', e.g. raw/orders") from None
    if akey not in defs.asset_graph.assets:
        known = did_you_mean(key, defs.asset_graph.by_string) or "see `dagdeck assets list`"
        raise DagdeckError(f"unknown asset {key!r}; {known}")
    data = asset_show_json(defs, state.instance().store, akey)
    pdef = defs.asset_graph.assets[akey].spec.partitions_def
    if pdef is not None:  # a partitioned asset: the status of each partition
        data["partitions"] = asset_partitions(state.instance().store, data["key"], pdef).to_json()
    if as_json:
        print_json(data)
        return
    console.print(line((data["key"], "bold"), f"  group {data['group']}  ", (data["description"] or "", "dim")))
    console.print(line(f"upstream: {', '.join(data['deps']) or '-'}   downstream: {', '.join(data['dependents']) or '-'}"))
    latest = data["latest"]
    if data.get("multi_asset"):
        console.print(line(f"made by multi_asset {data['multi_asset']} (one step with its other assets)"))
    if latest is None:
        console.print("external: made outside dagdeck, never materialized here" if data.get("external") else "never materialized")
        return
    console.print(line(f"last materialized {latest['timestamp']} by run {latest['run_id'][:8]}"))
    for k, v in latest["metadata"].items():
        console.print(line(f"  {k}: {_shown(v)}{_range(data['metadata_history'].get(k))}"))
    count = len(data["history"])
    console.print(f"{count} materialization{'' if count == 1 else 's'} in history")
    if "partitions" in data:
        p = data["partitions"]
        console.print(
            f"partitions: {p['total']} total, {p['materialized']} materialized, {p['failed']} failed, "
            f"{p['in_progress']} in progress, {p['missing']} missing"
        )


@checks_app.command("list")
def checks_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Asset checks with their latest result."""
    from dagdeck.core.views.asset_health import check_views

    state = cli_context(ctx)
    defs = state.loaded().defs
    store = state.instance().store
    rows = [
        view.to_json()
        for key in defs.asset_graph.toposorted
        for view in check_views(defs, store, key.to_user_string())
    ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        block = " blocking" if r["blocking"] else ""
        console.print(line(f"{r['asset_key']}:{r['name']:<28} ", _verdict(r), f"{block}  {r['timestamp'] or ''}"))


def _verdict(row: dict[str, Any]) -> tuple[str, str]:
    """A check's last result in the colours of a step's: never run, passed, failed."""
    if row["passed"] is None:
        return "never run", status_style(StepStatus.PENDING)
    if row["passed"]:
        return "passed", status_style(StepStatus.SUCCEEDED)
    return f"failed {row['severity']}", status_style(StepStatus.FAILED)


@checks_app.command("run")
def checks_run(
    ctx: typer.Context,
    names: list[str] = typer.Argument(..., help="Check names (NAME or ASSET:NAME)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    detach: bool = typer.Option(False, "--detach", help="Return at once and print the run id."),
) -> None:
    """Run checks alone against the stored values of their assets."""
    state = cli_context(ctx)
    loaded = state.loaded()
    by_key = {c.step_key: c for c in loaded.defs.asset_checks}
    keys: list[str] = []
    for name in names:
        matches = [k for k, c in by_key.items() if name in (k, c.name)]
        if not matches:
            known = did_you_mean(name, [c.name for c in by_key.values()]) or "see `dagdeck checks list`"
            raise DagdeckError(f"unknown asset check {name!r}; {known}")
        keys.extend(matches)
    spec, plan = checks_spec(loaded.defs, loaded.location, keys, trigger="cli")
    launch_and_report(state, spec, plan, as_json, detach)


def register(app: typer.Typer) -> None:
    """Attach `assets ...` and `checks ...` to the main app."""
    app.add_typer(assets_app, name="assets")
    app.add_typer(checks_app, name="checks")
