"""`dagdeck tui`: the command that opens the console, registered on the engine's CLI from above."""

from __future__ import annotations

import typer


def register_console_command(app: typer.Typer) -> None:
    @app.command("tui")
    def tui(readonly: bool = typer.Option(False, "--readonly", help="Hide launch and cancel.")) -> None:
        """Open the console (also the default with no command)."""
        from dagdeck.core.cli.app import G
        from dagdeck.tui.app import run_console

        raise typer.Exit(run_console(G.instance(), G.location(), readonly=readonly))
