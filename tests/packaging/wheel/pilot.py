"""Open the installed console headless on a project for a moment: the graph shows its assets,
materialized (run by smoke.sh just before)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from dagdeck.core.console_api import CodeLocation, ConsoleAPI, Instance
from dagdeck.tui.app import DagdeckApp


async def main(defs: Path) -> None:
    api = ConsoleAPI(Instance.open(os.environ["DAGDECK_HOME"]), CodeLocation(file=str(defs), working_dir=str(defs.parent)))
    app = DagdeckApp(api, watch_files=False)
    async with app.run_test(size=(100, 30)) as pilot:
        graph = None
        for _ in range(300):  # up to 30 s for the definitions and the first rows
            await pilot.pause(0.1)
            graph = getattr(app.screen, "graph", None)
            if graph is not None and len(graph.rows) == 2:
                break
        assert graph is not None and len(graph.rows) == 2, "the asset graph never showed the two assets"
        statuses = {row.key: row.status for row in graph.rows}
        assert statuses == {"numbers": "materialized", "doubled": "materialized"}, statuses
        await pilot.press("2")  # the runs screen opens on the installed copy too
        await pilot.pause(0.5)
    print("console: assets", sorted(statuses), "all materialized")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]).resolve()))
