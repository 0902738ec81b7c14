"""The `dagdeck` command: the engine's CLI plus `tui`, the command that opens the console.

The console command is registered here, at the top layer, so the engine never imports the console.
"""

from __future__ import annotations

from dagdeck.core.cli.app import app
from dagdeck.core.cli.app import main as _engine_main
from dagdeck.tui.command import register_console_command

register_console_command(app)


def main(args: list[str] | None = None) -> None:
    """Run `dagdeck` with `args` (default: the command line) and exit with its code."""
    _engine_main(args)
