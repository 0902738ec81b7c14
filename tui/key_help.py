"""One source for `?` and the command palette: the bindings themselves. Help lists the current
screen's keys first, then the global ones, then the rest; the palette offers the current screen's
actions and the global ones, each run through its binding's action (so both always agree)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from dagdeck.tui.screens.assets import AssetsScreen, JumpScreen
from dagdeck.tui.screens.automation import AutomationScreen
from dagdeck.tui.screens.backfill import BackfillScreen
from dagdeck.tui.screens.backfills import BackfillsScreen
from dagdeck.tui.screens.base import BaseScreen
from dagdeck.tui.screens.jobs import JobsScreen
from dagdeck.tui.screens.metadata_history import HistoryTable, MetadataHistoryScreen
from dagdeck.tui.screens.partitions import PartitionsScreen
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.screens.runs import RunsScreen
from dagdeck.tui.widgets.asset_graph import AssetGraph
from dagdeck.tui.widgets.command_line import CommandLine
from dagdeck.tui.widgets.dialogs import CancelingScreen, ConfigEditor, ConfirmScreen
from dagdeck.tui.widgets.error_view import ErrorScreen
from dagdeck.tui.widgets.filter_input import FilterInput
from dagdeck.tui.widgets.help_screen import HelpRow, HelpScreen
from dagdeck.tui.widgets.key_lists import LIST_BINDINGS, KeyOptionList, KeyTable
from dagdeck.tui.widgets.materialize_confirm import MaterializeConfirm
from dagdeck.tui.widgets.prompt_line import PromptInput

if TYPE_CHECKING:
    from textual.app import App

SCREENS: tuple[tuple[str, type[BaseScreen], tuple[tuple[str, type[Widget]], ...]], ...] = (
    ("assets", AssetsScreen, (("asset graph", AssetGraph),)),
    ("runs", RunsScreen, (("lists", KeyTable),)),
    ("run", RunScreen, (("lists", KeyTable),)),
    ("jobs", JobsScreen, (("lists", KeyOptionList),)),
    ("automation", AutomationScreen, (("lists", KeyTable),)),
    ("partitions", PartitionsScreen, ()),
    ("backfills", BackfillsScreen, (("lists", KeyTable),)),
    ("backfill", BackfillScreen, (("lists", KeyTable),)),
)
"""Each main screen, its help name, and the widgets whose keys work on it."""

DIALOGS: tuple[type[DOMNode], ...] = (
    ConfirmScreen,
    MaterializeConfirm,
    CancelingScreen,
    JumpScreen,
    ConfigEditor,
    ErrorScreen,
    MetadataHistoryScreen,
    HistoryTable,
    HelpScreen,
)
"""Modal screens and their widgets: listed in help, remappable, never in the palette."""

MOVES = {"graph.up", "graph.down", "graph.pageup", "graph.pagedown", "graph.top", "graph.bottom"} | {
    b.id for b in LIST_BINDINGS if b.id
}
"""Cursor moves: in help, not in the palette (nobody opens a palette to go down a row)."""

TITLES = {
    "app.assets": "Go to assets",
    "app.runs": "Go to runs",
    "app.jobs": "Go to jobs",
    "app.automation": "Go to automation",
    "app.backfills": "Go to backfills",
    "app.help": "Help: key bindings",
    "app.command": "Command line (:)",
    "assets.materialize": "Materialize selected",
    "assets.materialize_downstream": "Materialize with downstream",
    "assets.materialize_stale": "Materialize stale and missing",
    "assets.filter": "Filter assets",
    "assets.partitions": "Partition view of the asset",
    "partitions.materialize": "Run the partition under the cursor",
    "partitions.backfill": "Backfill the marked partitions",
    "runs.filter": "Filter runs",
    "runs.cancel": "Cancel run",
    "run.cancel": "Cancel run",
    "run.reexecute": "Re-execute run",
    "run.reexecute_failure": "Re-execute from failure",
    "backfills.cancel": "Cancel backfill",
    "backfills.retry": "Retry failed partitions of backfill",
    "backfill.cancel": "Cancel backfill",
    "backfill.retry": "Retry failed (or marked failed) partitions",
    "backfill.mark": "Mark partition",
}
"""Palette titles where a binding's short footer label would be unclear out of context."""


@dataclass(frozen=True)
class Source:
    """Bindings by where they work, and what runs their actions on the current screen."""

    where: str
    bindings: tuple[Binding, ...]
    target: str = "screen"
    """`screen`, `app`, a widget class name (the focused-or-first such widget), or `` (none)."""


def _own(cls: type[DOMNode], inherited: Iterable[Binding] = ()) -> tuple[Binding, ...]:
    skip = list(inherited)
    return tuple(b for b in cls.BINDINGS if isinstance(b, Binding) and b not in skip)


def _screen_sources(
    name: str, cls: type[BaseScreen], widgets: tuple[tuple[str, type[Widget]], ...]
) -> Iterator[Source]:
    yield Source(name, _own(cls, BaseScreen.BINDINGS))
    for where, widget in widgets:
        yield Source(where, _own(widget), widget.__name__)


def sources(app_bindings: Iterable[Binding], current: Screen[Any] | None) -> list[Source]:
    """Every binding: the current screen's first, then everywhere, then the others and dialogs."""
    here = [s for s in SCREENS if current is not None and type(current) is s[1]]
    first = [src for name, cls, widgets in here for src in _screen_sources(name, cls, widgets)]
    glob = [
        Source("everywhere", tuple(b for b in app_bindings if isinstance(b, Binding)), "app"),
        Source("every screen", _own(BaseScreen)),
    ]
    rest = [
        src
        for name, cls, widgets in SCREENS
        if (name, cls, widgets) not in here
        for src in _screen_sources(name, cls, widgets)
    ]
    dialogs = Source(
        "dialogs",
        tuple(b for c in DIALOGS for b in _own(c)),
        "",
    )
    lines = Source(
        ": and / lines",
        tuple(b for c in (PromptInput, CommandLine, FilterInput) for b in _own(c)),
        "",
    )
    return first + glob + rest + [dialogs, lines]


def help_rows(app_bindings: Iterable[Binding], current: Screen[Any] | None) -> list[HelpRow]:
    """The rows of `?`: each binding once per place, keys as the footer shows them."""
    rows: list[HelpRow] = []
    seen: set[tuple[str, str]] = set()
    for src in sources(app_bindings, current):
        for b in src.bindings:
            mark = (src.where, b.id or b.key)
            if mark not in seen:
                seen.add(mark)
                rows.append((src.where, b.key_display or b.key, b.description or b.action, b.id or ""))
    return rows


def help_heading(current: Screen[Any] | None) -> str:
    name = next((n for n, cls, _ in SCREENS if type(current) is cls), None)
    where = f"{name} screen first, then global keys" if name else "global keys first"
    return f"{where} · q goes back, never quits (ctrl+q, :q)"


def palette_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """The current screen's actions and the global ones, from their bindings: what the keys do,
    nothing more and nothing else. Actions the screen refuses now (readonly) are left out."""
    shown: set[str] = set()
    own_keys = {k for b in _own(type(screen), BaseScreen.BINDINGS) for k in b.key.split(",")}
    for src in sources(app.BINDINGS, screen):  # type: ignore[arg-type]
        if src.target == "" or src.where not in _palette_places(screen):
            continue
        if src.where == "every screen":  # a key the screen binds itself does the screen's action
            src = Source(
                src.where, tuple(b for b in src.bindings if not set(b.key.split(",")) <= own_keys), src.target
            )
        target = _target(app, screen, src.target)
        if target is None:
            continue
        for b in src.bindings:
            key = b.id or f"{src.where}:{b.action}"
            if b.id in MOVES or key in shown or b.action in ("back", "dismiss"):
                continue
            name, params = _action_name(b.action)
            if not target.check_action(name, params):
                continue
            shown.add(key)
            title = TITLES.get(b.id or "", b.description or b.action)
            keys = b.key_display or b.key
            yield SystemCommand(
                title, f"key {keys} · {src.where} · {b.id}", partial(app.run_action, b.action, target)
            )


def _palette_places(screen: Screen[Any]) -> set[str]:
    here = {name for name, cls, _ in SCREENS if type(screen) is cls}
    widgets = {where for name, cls, ws in SCREENS if type(screen) is cls for where, _ in ws}
    return here | widgets | {"everywhere", "every screen"}


def _target(app: App[Any], screen: Screen[Any], target: str) -> DOMNode | None:
    if target == "app":
        return app
    if target == "screen":
        return screen
    found = [w for w in screen.query(target) if w.display]
    focused = screen.focused
    return focused if focused in found else (found[0] if found else None)


def _action_name(action: str) -> tuple[str, tuple[object, ...]]:
    """`materialize(False)` -> (`materialize`, (False,)), as Textual parses it."""
    from textual.actions import parse

    _, name, params = parse(action)
    return name, params
