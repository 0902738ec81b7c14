"""`dagdeck`: the Typer app, its global options and `main` (the contract is in README.md).

Exit codes: 0 ok, 1 run failed or canceled, 2 usage or definition error, 3 run left queued because
the queue is paused (`max_concurrent_runs = 0`; the command prints the run id and does not wait),
130 interrupted. Every error ends as one `error: ...` line on stderr (a traceback too only with
`--debug`), so scripts and people read the same thing.
"""

from __future__ import annotations

import sys
import traceback
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import typer
from typer.core import TyperGroup

from dagdeck.core.cli import assets, automation, backfills, jobs, partitions, runs
from dagdeck.core.cli.context import CliContext
from dagdeck.core.cli.output import console, print_error
from dagdeck.core.errors import DagdeckError
from dagdeck.store import StoreError

CONSOLE_COMMAND = "tui"
"""Registered by the layer above the engine (`dagdeck.cli`): the engine never imports the console."""


class DagdeckGroup(TyperGroup):
    """The root command. It turns user-facing errors into one line and exit 2 here, inside Click's
    context, because `--debug` (whether to show the traceback too) lives on that context."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DagdeckError, StoreError) as err:
            if ctx.params.get("debug"):
                traceback.print_exc()
            print_error(str(err))
            raise typer.Exit(2) from None


app = typer.Typer(
    name="dagdeck",
    cls=DagdeckGroup,
    help="A data orchestrator with a keyboard-driven terminal console. With no command, opens the console.",
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    """`--version`: eager, so it answers before any definitions or instance are looked for."""
    if value:
        try:
            number = version("dagdeck")
        except PackageNotFoundError:  # running from a checkout that was never installed
            number = "unknown"
        console.print(f"dagdeck {number}", markup=False)
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    file: str | None = typer.Option(None, "-f", "--file", help="Definitions file."),
    module: str | None = typer.Option(None, "-m", "--module", help="Definitions module."),
    home: str | None = typer.Option(None, "--home", help="Instance directory (default $DAGDECK_HOME or ./.dagdeck)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
    readonly: bool = typer.Option(False, "--readonly", help="Open the console read-only (no launch or cancel)."),
    show_version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Build the invocation's context object; with no command, open the console."""
    state = CliContext(file=file, module=module, home=home, debug=debug, readonly=readonly)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        group = ctx.command
        console_command = group.get_command(ctx, CONSOLE_COMMAND) if isinstance(group, TyperGroup) else None
        if console_command is None:
            raise DagdeckError("the console is not installed with this copy of dagdeck; see `dagdeck --help`")
        # Typer's bundled Click cannot `ctx.invoke` a command object: give it a child context instead
        with console_command.make_context(CONSOLE_COMMAND, ["--readonly"] if readonly else [], parent=ctx) as sub:
            console_command.invoke(sub)
    elif readonly and ctx.invoked_subcommand != CONSOLE_COMMAND:
        raise typer.BadParameter(
            f"applies to the console only, not to `{ctx.invoked_subcommand}`", ctx=ctx, param_hint="'--readonly'"
        )


jobs.register(app)
runs.register(app)
assets.register(app)
automation.register(app)
backfills.register(app)
partitions.register(app)


def _usage_error(err: typer.TyperException) -> int:
    """Click's usage errors as one line. Typer bundles its own copy of Click, whose exceptions derive
    from `typer.TyperException` (not `click.ClickException`)."""
    if type(err).__name__ == "NoArgsIsHelpError":  # a group called bare: its help is the answer
        text = err.format_message()  # empty when Rich printed the help already
        if text.strip():
            sys.stderr.write(text.rstrip() + "\n")
        return getattr(err, "exit_code", 2)
    message = " ".join(err.format_message().split())
    ctx = getattr(err, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    print_error(message + hint)
    return getattr(err, "exit_code", 2)


def main(args: list[str] | None = None) -> None:
    """The `dagdeck` entry point: run the app, then exit with its code."""
    try:
        rc = app(args=args, prog_name="dagdeck", standalone_mode=False)
    except typer.TyperException as err:
        rc = _usage_error(err)
    except (DagdeckError, StoreError) as err:  # raised outside a command, e.g. while closing
        print_error(str(err))
        rc = 2
    except (typer.Abort, KeyboardInterrupt):
        rc = 130
    sys.exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()
