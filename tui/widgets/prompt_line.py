"""What the `:` command line and the `/` filter line share: one row with a prompt before the typed
text (at every size: no border, even focused), Tab completion that cycles through the choices,
and up/down history kept per line kind for the whole session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label

from dagdeck.core.console_api import CompletionNames
from dagdeck.tui.completion import Completion

HISTORY_SIZE = 200


@dataclass
class LineHistory:
    """Lines entered, oldest first, per line kind (`command`, `filter:assets`, ...)."""

    lines: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, text: str) -> None:
        entries = self.lines.setdefault(kind, [])
        if text and (not entries or entries[-1] != text):
            entries.append(text)
            del entries[:-HISTORY_SIZE]


_HISTORIES: WeakKeyDictionary[App[Any], LineHistory] = WeakKeyDictionary()


def history_of(app: App[Any]) -> LineHistory:
    """The session's history: one per running app, gone with it."""
    return _HISTORIES.setdefault(app, LineHistory())


@dataclass
class _Cycle:
    """A Tab completion in progress: repeated Tab walks `choices` while the text is unchanged."""

    head: str
    choices: tuple[str, ...]
    index: int

    @property
    def text(self) -> str:
        return self.head + self.choices[self.index]


class PromptInput(Input):
    """The input of a prompt line; subclasses say what completes and where history goes."""

    DEFAULT_CSS = """
    PromptInput, PromptInput:focus { border: none; height: 1; padding: 0; width: 1fr;
        background: $boost; background-tint: $foreground 0%; }
    """
    BINDINGS = [
        Binding("tab", "complete(1)", "Complete", show=False, id="line.complete"),
        Binding("shift+tab", "complete(-1)", "Complete (back)", show=False, id="line.complete_back"),
        Binding("up", "history(-1)", "Older line", show=False, id="line.older"),
        Binding("down", "history(1)", "Newer line", show=False, id="line.newer"),
    ]

    def __init__(self, placeholder: str = "", *, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, compact=True)
        self.names = CompletionNames()
        self._cycle: _Cycle | None = None
        self._history_at: int | None = None
        self._draft = ""

    # -- what subclasses say -------------------------------------------------------------------
    @property
    def history_kind(self) -> str:
        return "line"

    def completion(self, text: str) -> Completion:
        return Completion(text, ())

    # -- showing -------------------------------------------------------------------------------
    @property
    def bar(self) -> PromptBar | None:
        return self.parent if isinstance(self.parent, PromptBar) else None

    def allow_focus(self) -> bool:
        """Hidden, it must not take focus (a screen with nothing else focusable would auto-focus it
        and swallow every key)."""
        return self.has_class("-shown")

    def show(self, text: str = "") -> None:
        self.set_class(True, "-shown")
        if self.bar is not None:
            self.bar.set_class(True, "-shown")
        self._cycle, self._history_at = None, None
        self.value = text
        self.cursor_position = len(text)
        self.hint("")
        self.focus()
        self._fetch_names()

    def hide(self) -> None:
        self.set_class(False, "-shown")
        if self.bar is not None:
            self.bar.set_class(False, "-shown")

    def hint(self, text: str) -> None:
        if self.bar is not None:
            self.bar.query_one(".prompt-hint", Label).update(text)

    @work(thread=True, exclusive=True, group="line-names")
    def _fetch_names(self) -> None:
        """The names change with the definitions and the runs: read them each time the line opens."""
        try:
            names = self.app.api.completion_names()  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - no completion is better than a crash on a store hiccup
            return
        self.app.call_from_thread(setattr, self, "names", names)

    # -- completion ----------------------------------------------------------------------------
    def action_complete(self, step: int) -> None:
        cycle = self._cycle
        if cycle is None or self.value != cycle.text:
            found = self.completion(self.value[: self.cursor_position])
            if not found.choices:
                self.hint("no completion")
                self._cycle = None
                return
            cycle = _Cycle(found.head, found.choices, 0 if step > 0 else len(found.choices) - 1)
        else:
            cycle.index = (cycle.index + step) % len(cycle.choices)
        self._cycle = cycle
        self.value = cycle.text
        self.cursor_position = len(self.value)
        n = len(cycle.choices)
        self.hint(f"tab {cycle.index + 1}/{n}" if n > 1 else "")

    # -- history -------------------------------------------------------------------------------
    def action_history(self, step: int) -> None:
        entries = history_of(self.app).lines.get(self.history_kind, [])
        if not entries:
            self.hint("no history yet")
            return
        at = len(entries) if self._history_at is None else self._history_at
        if self._history_at is None:
            self._draft = self.value
        at = max(0, min(len(entries), at + step))
        self._history_at = at
        self.value = entries[at] if at < len(entries) else self._draft
        self.cursor_position = len(self.value)
        self.hint(f"history {at + 1}/{len(entries)}" if at < len(entries) else "")

    def remember(self, text: str) -> None:
        history_of(self.app).add(self.history_kind, text)


class PromptBar(Horizontal):
    """One row above the footer: the prompt (`:` or `/`), the input, a hint (`tab 2/5`). In the
    layout flow, not docked: docked at the bottom too, it would hide under the footer."""

    DEFAULT_CSS = """
    PromptBar { height: 1; display: none; background: $boost; }
    PromptBar.-shown { display: block; }
    PromptBar > .prompt-mark { width: auto; padding: 0 0 0 1; color: $accent; text-style: bold; }
    PromptBar > .prompt-hint { width: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, prompt: str, line: PromptInput) -> None:
        super().__init__()
        self.prompt, self.line = prompt, line

    def compose(self) -> ComposeResult:
        yield Label(self.prompt + " ", classes="prompt-mark")
        yield self.line
        yield Label("", classes="prompt-hint")
