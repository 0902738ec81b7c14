"""The `/` filter line: typing narrows, enter keeps the filter, escape clears it; Tab completes
names (assets and groups, or statuses, jobs and run ids), up/down walk this screen's filters."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from dagdeck.tui.completion import Completion, complete_filter
from dagdeck.tui.widgets.prompt_line import PromptBar, PromptInput


class FilterInput(PromptInput):
    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", id="filter.clear")]

    class Updated(Message):
        def __init__(self, text: str, final: bool) -> None:
            super().__init__()
            self.text, self.final = text, final

    @property
    def screen_kind(self) -> str:
        """`assets`, `runs`, ...: what the filter narrows, from the screen it sits on."""
        return type(self.screen).__name__.removesuffix("Screen").lower()

    @property
    def history_kind(self) -> str:
        return f"filter:{self.screen_kind}"

    def completion(self, text: str) -> Completion:
        return complete_filter(text, self.screen_kind, self.names)

    def open(self, text: str = "") -> None:
        self.show(text)

    def close(self) -> None:
        self.hide()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Updated(event.value, final=False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        self.remember(event.value.strip())
        self.post_message(self.Updated(event.value, final=True))

    def action_clear_filter(self) -> None:
        self.value = ""
        self.close()
        self.post_message(self.Updated("", final=True))


def filter_bar(placeholder: str) -> PromptBar:
    """The `/` line as a filtering screen docks it."""
    return PromptBar("/", FilterInput(placeholder=placeholder))
