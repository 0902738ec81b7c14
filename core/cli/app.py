"""`dagdeck`: the command line (DESIGN section 6). Exit codes: 0 ok, 1 run failed or canceled,
2 usage or definition error."""

from __future__ import annotations

import json
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from dagdeck.core.cli.output import console, err_console, print_json, print_run_summary, styled
from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.loader import CodeLocation, Loaded, find_location, load
from dagdeck.core.defs.selection import parse_selection
from dagdeck.core.errors import DagdeckError, DefinitionError, did_you_mean
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher, LaunchSpec, assets_spec, job_spec
from dagdeck.core.running.plan import ExecutionPlan, plan_checks, step_configs
from dagdeck.core.running.step_logs import step_log_path
from dagdeck.core.statuses import RunStatus
from dagdeck.core.timefmt import iso, short_duration
from dagdeck.core.views.runs import asset_show_json, assets_list_json, run_summary_json, run_view
from dagdeck.store import Run, StoreError

app = typer.Typer(
    name="dagdeck",
    help="A data orchestrator with a keyboard-driven terminal console.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
job_app = typer.Typer(help="Jobs: list and run.", no_args_is_help=True)
runs_app = typer.Typer(help="Run history: list, show, cancel, re-execute, logs.", no_args_is_help=True)
assets_app = typer.Typer(help="Assets: list and show metadata and history.", no_args_is_help=True)
app.add_typer(job_app, name="job")
app.add_typer(runs_app, name="runs")
app.add_typer(assets_app, name="assets")
checks_app = typer.Typer(help="Asset checks: list and run.", no_args_is_help=True)
app.add_typer(checks_app, name="checks")


@dataclass
class Globals:
    file: str | None = None
    module: str | None = None
    home: str | None = None
    debug: bool = False
    _instance: Instance | None = None
    _loaded: Loaded | None = None

    def location(self) -> CodeLocation:
        return find_location(self.file, self.module)

    def loaded(self) -> Loaded:
        if self._loaded is None:
            self._loaded = load(self.location())
        return self._loaded

    def instance(self) -> Instance:
        if self._instance is None:
            self._instance = Instance.open(self.home)
        return self._instance


G = Globals()


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    file: str | None = typer.Option(None, "-f", "--file", help="Definitions file."),
    module: str | None = typer.Option(None, "-m", "--module", help="Definitions module."),
    home: str | None = typer.Option(None, "--home", help="Instance directory (default $DAGDECK_HOME or ./.dagdeck)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    G.file, G.module, G.home, G.debug = file, module, home, debug
    if ctx.invoked_subcommand is None:
        # `tui` is registered by the layer above the engine (dagdeck.cli); the engine never imports it
        console_command = ctx.command.get_command(ctx, "tui")  # type: ignore[attr-defined]
        if console_command is None:
            raise DagdeckError("the console is not installed with this copy of dagdeck; see `dagdeck --help`")
        ctx.invoke(console_command)


# -- definitions -----------------------------------------------------------------------------------
@app.command()
def check() -> None:
    """Load and validate the definitions."""
    loaded = G.loaded()
    console.print(f"{loaded.location.label}: ok, {loaded.defs.describe()}")


# -- running ---------------------------------------------------------------------------------------
def _parse_config(config: str | None) -> dict[str, Any]:
    if not config:
        return {}
    text = Path(config[1:]).read_text() if config.startswith("@") else config
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DagdeckError(f"--config is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise DagdeckError("--config must be a JSON object like {\"ops\": {\"step\": {\"config\": {...}}}}")
    return data


def _launch_and_report(spec: LaunchSpec, plan: ExecutionPlan, as_json: bool, detach: bool) -> None:
    step_configs(plan, spec.run_config)  # validate before anything starts
    instance = G.instance()
    launcher = Launcher(instance)
    run = launcher.submit(spec)
    if detach:
        if as_json:
            print_json(run_summary_json(run))
        else:
            console.print(run.run_id)
        return
    try:
        run = launcher.wait(run.run_id)
    except KeyboardInterrupt:
        err_console.print(f"stopped waiting; run {run.run_id} goes on (cancel: dagdeck runs cancel {run.run_id[:8]})")
        raise typer.Exit(1) from None
    _report(run, as_json)


def _report(run: Run, as_json: bool) -> None:
    view = run_view(G.instance().store, run)
    if as_json:
        print_json(view.to_json())
    else:
        print_run_summary(view)
    if run.status != RunStatus.SUCCESS:
        raise typer.Exit(1)


@app.command()
def materialize(
    select: str = typer.Option("*", "--select", "-s", help="Selection: a, +a, a+, *a, a*, group:x, *"),
    executor: str | None = typer.Option(None, "--executor", help="in_process, multiprocess or dask"),
    config: str | None = typer.Option(None, "--config", help="Run config JSON (or @file)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    detach: bool = typer.Option(False, "--detach", help="Return at once and print the run id."),
    stale: bool = typer.Option(False, "--stale", help="Only stale and never-materialized assets."),
) -> None:
    """Materialize assets, wait, and print a summary."""
    loaded = G.loaded()
    if stale:
        from dagdeck.core.views.asset_health import stale_or_missing

        wanted = stale_or_missing(loaded.defs, G.instance().store)
        if not wanted:
            console.print("nothing is stale: every asset is up to date")
            return
        keys = {AssetKey(k) for k in wanted}
        if select != "*":
            keys &= parse_selection(select).resolve(loaded.defs.asset_graph)
    else:
        keys = parse_selection(select).resolve(loaded.defs.asset_graph)
    if not keys:
        raise DefinitionError(f"selection {select!r} matches no assets", fix="run `dagdeck assets list`")
    spec, plan = assets_spec(
        loaded.defs,
        loaded.location,
        keys,
        run_config=_parse_config(config),
        tags={"dagdeck/selection": select},
        trigger="cli",
        executor=executor,
    )
    _launch_and_report(spec, plan, as_json, detach)


@job_app.command("run")
def job_run(
    name: str = typer.Argument(..., help="Job name."),
    config: str | None = typer.Option(None, "--config", help="Run config JSON (or @file)."),
    executor: str | None = typer.Option(None, "--executor"),
    as_json: bool = typer.Option(False, "--json"),
    detach: bool = typer.Option(False, "--detach"),
) -> None:
    """Run a job, wait, and print a summary."""
    loaded = G.loaded()
    defs = loaded.defs
    if not defs.has_job(name):
        raise DagdeckError(f"unknown job {name!r}; " + (did_you_mean(name, defs.job_names) or f"jobs: {', '.join(defs.job_names)}"))
    spec, plan = job_spec(
        defs, loaded.location, name, run_config=_parse_config(config), trigger="cli", executor=executor
    )
    _launch_and_report(spec, plan, as_json, detach)


@job_app.command("list")
def job_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """List jobs."""
    defs = G.loaded().defs
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
        console.print(f"[bold]{r['name']}[/]  {r['kind']}, {r['steps']} steps  [dim]{r['description'] or ''}[/]")


# -- runs ------------------------------------------------------------------------------------------
def _find_run(run_id: str) -> Run:
    run = G.instance().store.find_run(run_id)
    if run is None:
        raise DagdeckError(f"no run {run_id!r}; see `dagdeck runs list`")
    return run


@runs_app.command("list")
def runs_list(
    status: str | None = typer.Option(None, "--status", help="Comma-separated statuses."),
    job: str | None = typer.Option(None, "--job"),
    limit: int = typer.Option(20, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run history, newest first."""
    instance = G.instance()
    Launcher(instance).watch()
    statuses = [s.strip().upper() for s in status.split(",")] if status else None
    if statuses:
        bad = [s for s in statuses if s not in RunStatus.__members__]
        if bad:
            raise DagdeckError(f"unknown status {bad[0]!r}; statuses: {', '.join(RunStatus.__members__)}")
    runs = instance.store.list_runs(statuses=statuses, job=job, limit=limit)
    if as_json:
        print_json([run_summary_json(r) for r in runs])
        return
    for r in runs:
        dur = (r.ended_at or time.time()) - r.started_at if r.started_at else None
        console.print(
            f"{r.run_id[:8]}  {styled(r.status):<20} {r.job_name:<24} {r.trigger:<16} "
            f"{iso(r.created_at)}  {short_duration(dur)}"
        )


@runs_app.command("show")
def runs_show(run_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """One run: steps with status and duration, materializations with metadata."""
    run = _find_run(run_id)
    view = run_view(G.instance().store, run)
    if as_json:
        print_json(view.to_json())
    else:
        print_run_summary(view)


@runs_app.command("cancel")
def runs_cancel(run_id: str) -> None:
    """Cancel a queued or running run."""
    run = _find_run(run_id)
    status = Launcher(G.instance()).cancel(run.run_id)
    if status is None:
        current = _find_run(run.run_id)
        console.print(f"run {run.run_id[:8]} already {current.status}")
        return
    console.print(f"run {run.run_id[:8]} {styled(status)}")


@runs_app.command("reexecute")
def runs_reexecute(
    run_id: str,
    from_failure: bool = typer.Option(False, "--from-failure", help="Only failed, canceled and skipped steps."),
    as_json: bool = typer.Option(False, "--json"),
    detach: bool = typer.Option(False, "--detach"),
) -> None:
    """Re-execute a run: all steps, or from failure."""
    parent = _find_run(run_id)
    launcher = Launcher(G.instance())
    try:
        run = launcher.reexecute(parent, from_failure)
    except ValueError as err:
        raise DagdeckError(str(err)) from None
    if detach:
        console.print(run.run_id)
        return
    _report(launcher.wait(run.run_id), as_json)


@runs_app.command("logs")
def runs_logs(
    run_id: str,
    step: str | None = typer.Option(None, "--step", help="Only this step."),
    follow: bool = typer.Option(False, "--follow", "-F", help="Keep printing until the run ends."),
) -> None:
    """Print captured stdout/stderr of a run's steps."""
    instance = G.instance()
    run = _find_run(run_id)
    logs_dir = instance.run_logs_dir(run.run_id)
    offsets: dict[Path, int] = {}

    def files() -> list[Path]:
        if step:
            return [step_log_path(logs_dir, step, s) for s in ("stdout", "stderr")]
        return sorted(p for p in logs_dir.glob("*.std*")) if logs_dir.exists() else []

    def pump() -> None:
        for path in files():
            if not path.exists():
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                f.seek(offsets.get(path, 0))
                data = f.read()
                offsets[path] = f.tell()
            if data:
                label = path.name
                for line in data.splitlines():
                    sys.stdout.write(f"{label}: {line}\n")
        sys.stdout.flush()

    pump()
    while follow:
        current = instance.store.get_run(run.run_id)
        time.sleep(0.3)
        pump()
        if current is None or current.status in ("SUCCESS", "FAILURE", "CANCELED"):
            break


# -- assets ----------------------------------------------------------------------------------------
@assets_app.command("list")
def assets_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Assets in dependency order with their latest status."""
    rows = assets_list_json(G.loaded().defs, G.instance().store)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        when = r["last_materialized_at"] or "-"
        console.print(f"{r['key']:<32} {r['group']:<14} {styled(r['latest_status']):<28} {when}")


@assets_app.command("show")
def assets_show(key: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """An asset's latest metadata and materialization history."""
    defs = G.loaded().defs
    akey = AssetKey(key)
    if akey not in defs.asset_graph.assets:
        raise DagdeckError(f"unknown asset {key!r}; " + (did_you_mean(key, defs.asset_graph.by_string) or "see `dagdeck assets list`"))
    data = asset_show_json(defs, G.instance().store, akey)
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{data['key']}[/]  group {data['group']}  [dim]{data['description'] or ''}[/]")
    console.print(f"upstream: {', '.join(data['deps']) or '-'}   downstream: {', '.join(data['dependents']) or '-'}")
    latest = data["latest"]
    if latest is None:
        console.print("never materialized")
        return
    console.print(f"last materialized {latest['timestamp']} by run {latest['run_id'][:8]}")
    for k, v in latest["metadata"].items():
        console.print(f"  {k}: {json.dumps(v, default=str) if not isinstance(v, str) else v}")
    console.print(f"{len(data['history'])} materializations in history")


# -- checks ----------------------------------------------------------------------------------------
@checks_app.command("list")
def checks_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Asset checks with their latest result."""
    from dagdeck.core.views.asset_health import check_views

    defs = G.loaded().defs
    store = G.instance().store
    rows = []
    for key in defs.asset_graph.toposorted:
        for view in check_views(defs, store, key.to_user_string()):
            rows.append(view.to_json())
    if as_json:
        print_json(rows)
        return
    for r in rows:
        verdict = "never run" if r["passed"] is None else ("passed" if r["passed"] else f"failed {r['severity']}")
        style = "dim" if r["passed"] is None else ("green" if r["passed"] else "red")
        block = " blocking" if r["blocking"] else ""
        console.print(f"{r['asset_key']}:{r['name']:<28} [{style}]{verdict}[/]{block}  {r['timestamp'] or ''}")


@checks_app.command("run")
def checks_run(
    names: list[str] = typer.Argument(..., help="Check names (NAME or ASSET:NAME)."),
    as_json: bool = typer.Option(False, "--json"),
    detach: bool = typer.Option(False, "--detach"),
) -> None:
    """Run checks alone against the stored values of their assets."""
    loaded = G.loaded()
    defs = loaded.defs
    by_key = {c.step_key: c for c in defs.asset_checks}
    keys = []
    for name in names:
        matches = [k for k, c in by_key.items() if name in (k, c.name)]
        if not matches:
            raise DagdeckError(f"unknown asset check {name!r}; " + (did_you_mean(name, [c.name for c in by_key.values()]) or "see `dagdeck checks list`"))
        keys.extend(matches)
    plan = plan_checks(defs, keys)
    spec = LaunchSpec(
        job_name=ASSET_JOB_NAME,
        location=loaded.location,
        steps=plan.step_keys,
        checks=plan.step_keys,
        tags={"dagdeck/checks": ",".join(keys)},
        trigger="cli",
    )
    _launch_and_report(spec, plan, as_json, detach)


from dagdeck.core.cli.automation import register_automation  # noqa: E402

register_automation(app)


def main() -> None:
    try:
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except (DagdeckError, StoreError) as err:
        if G.debug:
            traceback.print_exc()
        err_console.print(f"[red]error:[/] {escape(str(err))}", soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # click usage errors
        import click

        if isinstance(err, click.ClickException):
            err.show()
            sys.exit(2)
        if isinstance(err, click.exceptions.Abort):
            sys.exit(130)
        raise


if __name__ == "__main__":
    main()
