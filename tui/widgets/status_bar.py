"""The header line (project, store, daemon, run counts, clock) and the load-error banner.

The header is laid out for the width it has: at 80 columns the run counts and the clock stay, and
the project name is shortened first, then the store label goes, then the rest is abbreviated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

GAP = "  "
DIM = "grey70"


@dataclass(frozen=True)
class HeaderInfo:
    project: str
    """The long project label (working dir and location)."""
    project_short: str
    store: str
    store_problem: str | None
    daemon: str
    """`this console`, `pid N on host` or `off`."""
    running: int
    queued: int
    failed: int
    readonly: bool
    clock: str


Part = tuple[str, str]


def _counts(info: HeaderInfo, compact: bool) -> list[Part]:
    words = ("running", "queued", "failed")
    styles = ("cyan", "yellow", "bold red")
    counts = (info.running, info.queued, info.failed)
    sep = " " if compact else GAP
    parts: list[Part] = []
    for i, (n, word, style) in enumerate(zip(counts, words, styles, strict=True)):
        if i:
            parts.append((sep, ""))
        parts.append((f"{n} {word}", style if n else DIM))
    return parts


def _layout(
    info: HeaderInfo, project: str | None, store: bool, daemon: str, compact: bool, brand: bool = True
) -> list[Part]:
    parts: list[Part] = [("dagdeck", "bold")] if brand else []
    if project:
        parts += [(GAP if parts else "", ""), (project, "bold" if not brand else "")]
    if info.store_problem:
        parts += [(GAP + f"store {info.store}: {info.store_problem[:60]}", "bold red")]
    elif store:
        parts += [(GAP + f"store {info.store}", DIM)]
    parts += [(GAP if parts else "", ""), (daemon, DIM), (GAP, "")]
    parts += _counts(info, compact)
    if info.readonly:
        parts += [(GAP + "readonly", "yellow")]
    parts += [(GAP + info.clock, DIM)]
    return parts


def _width(parts: list[Part]) -> int:
    return sum(len(text) for text, _ in parts)


def header_text(info: HeaderInfo, width: int) -> Text:
    """The first layout that fits `width`: full, short project, no store, no `dagdeck` brand,
    project cut, no project, short daemon label, compact counts. The counts and the clock are in
    every one."""
    daemon = f"daemon: {info.daemon}"
    short_daemon = "daemon: " + (
        "console" if info.daemon == "this console" else info.daemon.replace("pid ", "")
    )
    candidates: list[list[Part]] = [
        _layout(info, info.project, True, daemon, False),
        _layout(info, info.project_short, True, daemon, False),
        _layout(info, info.project_short, False, daemon, False),
        _layout(info, info.project_short, False, daemon, False, brand=False),
    ]
    rest = width - _width(_layout(info, None, False, daemon, False, brand=False)) - len(GAP)
    if rest >= 6:
        candidates.append(
            _layout(info, info.project_short[: rest - 1] + "…", False, daemon, False, brand=False)
        )
    candidates += [
        _layout(info, None, False, daemon, False),
        _layout(info, None, False, short_daemon, False),
        _layout(info, None, False, short_daemon, True),
        _layout(info, None, False, short_daemon, True, brand=False),
    ]
    chosen = next((c for c in candidates if _width(c) <= width), candidates[-1])
    text = Text(no_wrap=True, overflow="ellipsis")
    for part, style in chosen:
        text.append(part, style=style or None)
    return text


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $primary-background; color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "header_info", self._show, init=True)

    def _show(self, value: object) -> None:
        if isinstance(value, HeaderInfo):
            self.update(header_text(value, self.size.width or 78))

    def on_resize(self, event: Resize) -> None:
        self._show(getattr(self.app, "header_info", None))


HELP_ACTIONS = frozenset({"help", "app.help"})


def help_first(widgets: Iterable[Widget]) -> list[Widget]:
    """The footer's keys with `? Help` moved to the front."""
    widgets = list(widgets)
    first = [w for w in widgets if isinstance(w, FooterKey) and w.action in HELP_ACTIONS]
    return first + [w for w in widgets if w not in first]


class DeckFooter(Footer):
    """Textual's footer with `? Help` first: at 80 columns the keys at the end are cut off, and
    help (which lists all of them) is the one that must stay."""

    def compose(self) -> ComposeResult:
        yield from help_first(super().compose())


class LoadErrorBanner(Static):
    DEFAULT_CSS = """
    LoadErrorBanner { height: auto; max-height: 4; background: $error 30%; color: $text;
        padding: 0 1; display: none; }
    LoadErrorBanner.-shown { display: block; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "load_error_text", self._show, init=True)

    def _show(self, value: str) -> None:
        self.set_class(bool(value), "-shown")
        self.update(Text("definitions did not load (showing the last good ones): " + value) if value else "")
