"""The state one `dagdeck` invocation shares between its commands, carried in Click's `ctx.obj`.

The main callback builds one `CliContext` from the global options; commands read it back with
`cli_context(ctx)`. Carrying it on the context instead of a module global keeps two invocations in one
process (tests, `CliRunner`) from seeing each other's options, and works whatever module name the app
was imported under. Definitions and the instance load lazily, so `--help` and commands that need only
one of them never pay for (or fail on) the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from dagdeck.core.defs.loader import CodeLocation, Loaded, find_location, load
from dagdeck.core.instance import Instance


@dataclass
class CliContext:
    """Global options (`-f`, `-m`, `--home`, `--debug`, `--readonly`) and what they lead to."""

    file: str | None = None
    module: str | None = None
    home: str | None = None
    debug: bool = False
    readonly: bool = False
    _loaded: Loaded | None = field(default=None, repr=False)
    _instance: Instance | None = field(default=None, repr=False)

    def location(self) -> CodeLocation:
        """Where the definitions come from: `-f`, `-m`, or `[tool.dagdeck]` in ./pyproject.toml."""
        return find_location(self.file, self.module)

    def loaded(self) -> Loaded:
        """The definitions, loaded on first use (raises DefinitionError with file and line)."""
        if self._loaded is None:
            self._loaded = load(self.location())
        return self._loaded

    def instance(self) -> Instance:
        """The instance (store, storage, logs), opened on first use."""
        if self._instance is None:
            self._instance = Instance.open(self.home)
        return self._instance

    def close(self) -> None:
        """Release the store's pooled connections when the command ends."""
        if self._instance is not None:
            self._instance.close()
            self._instance = None


def cli_context(ctx: typer.Context) -> CliContext:
    """The invocation's `CliContext`, from this context or the nearest parent that has one."""
    obj = ctx.find_object(CliContext)
    if obj is None:
        raise RuntimeError("no CliContext on the Click context: commands run under dagdeck's main callback")
    return obj
