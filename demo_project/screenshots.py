"""`python -m demo_project.screenshots [DIR]`: SVG screenshots of the console on the demo project,
exported by Textual itself, for the README. Runs the demo once in a temporary instance first.

Lives beside the demo (not in the installed console package) because it needs the demo's code."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from dagdeck.core.console_api import CodeLocation, ConsoleAPI, Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen


async def _shoot(api: ConsoleAPI, run_id: str, out: Path) -> list[Path]:
    app = DagdeckApp(api, watch_files=False)
    written = []
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause(1.0)
        screen = app.screen
        if isinstance(screen, AssetsScreen):
            screen.select_asset("orders")
        await pilot.pause(1.0)
        written.append(Path(app.save_screenshot("assets-screen.svg", str(out))))
        app.open_run(run_id)
        await pilot.pause(1.5)
        written.append(Path(app.save_screenshot("run-screen.svg", str(out))))
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs").resolve()
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="dagdeck-shots-"))
    instance = Instance.open(home)
    location = CodeLocation(module="demo_project.definitions", working_dir=str(Path.cwd()))
    api = ConsoleAPI(instance, location)
    if api.reload() is not None:
        print(f"cannot load the demo: {api.load_error}", file=sys.stderr)
        return 2
    for _ in range(3):  # a little history for the sparklines
        run = api.materialize(api.resolve_selection("*"), trigger="cli")
        run = api.launcher.wait(run.run_id, timeout=60)
    for path in asyncio.run(_shoot(api, run.run_id, out)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
