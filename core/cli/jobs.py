"""`dagdeck check`, `dagdeck materialize` and `dagdeck job list|run`: load the definitions and run them."""

from __future__ import annotations

from typing import Any

import typer

from dagdeck.core.cli.context import cli_context
from dagdeck.core.cli.launch import launch_and_report, parse_config
from dagdeck.core.cli.output import console, err_console, line, print_json
from dagdeck.core.cli.partitions import PARTITION_HELP, RANGE_HELP, job_partition_tags, partition_tags
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.executors import EXECUTOR_NAMES, executor_name_problem
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.defs.selection import parse_selection
from dagdeck.core.errors import DagdeckError, DefinitionError, did_you_mean
from dagdeck.core.running.launcher import assets_spec, job_spec

JSON_HELP = "Print one JSON document."
EXECUTOR_HELP = ", ".join(EXECUTOR_NAMES)


def _executor_option(value: str | None) -> str | None:
    """`--executor`: a name that is no executor is a usage error (exit 2) before any run exists."""
    problem = executor_name_problem(value) if value is not None else None
    if problem:
        raise typer.BadParameter(problem)
    return value
job_app = typer.Typer(help="Jobs: list and run.", no_args_is_help=True)


def check_json(loaded: Loaded) -> dict[str, Any]:
    """What `check --json` reports: the location and how much it defines."""
    defs = loaded.defs
    return {
        "location": loaded.location.label,
        "ok": True,
        "assets": len(defs.asset_graph.assets),
        "jobs": len(defs.job_names),
        "schedules": len(defs.schedules),
        "sensors": len(defs.sensors),
        "asset_checks": len(defs.asset_checks),
    }


def check(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Load and validate the definitions."""
    state = cli_context(ctx)
    if not as_json:
        loaded = state.loaded()
        console.print(line(f"{loaded.location.label}: ok, {loaded.defs.describe()}"))
        return
    label = None
    try:
        label = state.location().label
        loaded = state.loaded()
    except DagdeckError as err:
        # scripts get a document either way; the error line on stderr and exit 2 follow as usual
        print_json({"location": label, "ok": False, "error": str(err)})
        raise
    print_json(check_json(loaded))


def materialize(
    ctx: typer.Context,
    select: str = typer.Option("*", "--select", "-s", help="Selection: a, +a, a+, *a, a*, group:x, *"),
    executor: str | None = typer.Option(None, "--executor", help=EXECUTOR_HELP, callback=_executor_option),
    config: str | None = typer.Option(None, "--config", help="Run config JSON (or @file)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    detach: bool = typer.Option(False, "--detach", help="Return at once and print the run id."),
    stale: bool = typer.Option(False, "--stale", help="Only stale and never-materialized assets."),
    partition: str | None = typer.Option(None, "--partition", help=PARTITION_HELP),
    partition_range: str | None = typer.Option(None, "--partition-range", help=RANGE_HELP),
) -> None:
    """Materialize assets, wait, and print a summary."""
    state = cli_context(ctx)
    loaded = state.loaded()
    if stale:
        from dagdeck.core.views.asset_health import partitioned, stale_or_missing

        wanted = stale_or_missing(loaded.defs, state.instance().store)
        left_out = sorted(k.to_user_string() for k in partitioned(loaded.defs))
        if left_out and not as_json:
            err_console.print(
                f"left out (partitioned, run by partition): {', '.join(left_out)}; "
                f"e.g. dagdeck backfill launch --select {left_out[0]} --all",
                markup=False,
            )
        if not wanted:
            message = "nothing is stale: every asset is up to date"
            if as_json:
                print_json({"run_id": None, "message": message})
            else:
                console.print(message)
            return
        keys = {AssetKey(k) for k in wanted}
        if select != "*":
            keys &= parse_selection(select).resolve(loaded.defs.asset_graph)
    else:
        keys = parse_selection(select).resolve(loaded.defs.asset_graph)
    if not keys:
        raise DefinitionError(f"selection {select!r} matches no assets", fix="run `dagdeck assets list`")
    ptags = partition_tags(loaded.defs, keys, partition, partition_range, state.instance().store)
    spec, plan = assets_spec(
        loaded.defs,
        loaded.location,
        keys,
        run_config=parse_config(config),
        tags={"dagdeck/selection": select, **ptags},
        trigger="cli",
        executor=executor,
    )
    launch_and_report(state, spec, plan, as_json, detach)


@job_app.command("run")
def job_run(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Job name."),
    config: str | None = typer.Option(None, "--config", help="Run config JSON (or @file)."),
    executor: str | None = typer.Option(None, "--executor", help=EXECUTOR_HELP, callback=_executor_option),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    detach: bool = typer.Option(False, "--detach", help="Return at once and print the run id."),
    partition: str | None = typer.Option(None, "--partition", help=PARTITION_HELP),
) -> None:
    """Run a job, wait, and print a summary."""
    state = cli_context(ctx)
    loaded = state.loaded()
    defs = loaded.defs
    if not defs.has_job(name):
        known = did_you_mean(name, defs.job_names) or (
            f"jobs: {', '.join(defs.job_names)}" if defs.job_names else "these definitions have no jobs"
        )
        raise DagdeckError(f"unknown job {name!r}; {known}")
    run_config = parse_config(config)
    tags = job_partition_tags(defs, name, partition, state.instance().store) if partition is not None else {}
    if partition is not None and not run_config and name in defs.op_jobs:
        run_config = defs.op_jobs[name].run_config_for_partition(partition)
    spec, plan = job_spec(
        defs, loaded.location, name, run_config=run_config, tags=tags, trigger="cli", executor=executor
    )
    launch_and_report(state, spec, plan, as_json, detach)


@job_app.command("list")
def job_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List jobs."""
    defs = cli_context(ctx).loaded().defs
    rows = []
    for name in defs.job_names:
        if name in defs.asset_jobs:
            j = defs.asset_jobs[name]
            rows.append({"name": name, "kind": "assets", "steps": len(j.keys), "description": j.description})
        else:
            o = defs.op_jobs[name]
            rows.append({"name": name, "kind": "ops", "steps": len(o.nodes), "description": o.description})
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(
            line((r["name"], "bold"), f"  {r['kind']}, {r['steps']} steps  ", (r["description"] or "", "dim"))
        )


def register(app: typer.Typer) -> None:
    """Attach `check`, `materialize` and `job ...` to the main app."""
    app.command("check")(check)
    app.command("materialize")(materialize)
    app.add_typer(job_app, name="job")
