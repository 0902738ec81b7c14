"""A ConfigurableResource with setup_for_execution / teardown_after_execution: set up once per run
for every asset that uses it, torn down at the end of the run (the events go to a file)."""

import os

import dagdeck as dg


class Journal(dg.ConfigurableResource):
    path: str

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._write(f"setup {os.getpid()}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._write(f"teardown {os.getpid()}")

    def note(self, text: str) -> None:
        self._write(f"note {text}")

    def _write(self, line: str) -> None:
        with open(self.path, "a") as f:
            f.write(line + "\n")


@dg.asset
def first(journal: Journal) -> int:
    journal.note("first")
    return 1


@dg.asset
def second(journal: Journal, first: int) -> int:
    journal.note("second")
    return first + 1


defs = dg.Definitions(
    assets=[first, second],
    resources={"journal": Journal(path=dg.EnvVar("JOURNAL_PATH"))},
)
