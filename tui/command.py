"""`dagdeck tui`: the command that opens the console, registered on the engine's CLI from above."""

from __future__ import annotations

import typer

from dagdeck.core.cli.context import cli_context


def register_console_command(app: typer.Typer) -> None:
    """Add `tui` to the engine's app; `dagdeck` with no command invokes it too."""

    @app.command("tui")
    def tui(
        ctx: typer.Context,
        readonly: bool = typer.Option(False, "--readonly", help="Hide launch, cancel and re-execute."),
    ) -> None:
        """Open the console (also the default with no command)."""
        from dagdeck.tui.app import run_console  # Textual loads only when the console opens

        state = cli_context(ctx)
        raise typer.Exit(run_console(state.instance(), state.location(), readonly=readonly or state.readonly))
