"""`:` command mode: `:runs`, `:assets group:shop`, `:run <id>`, `:job NAME`, `:automation`, `:q`;
Tab completes verbs and names, up/down walk the commands entered this session."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from dagdeck.tui.completion import Completion, complete_command
from dagdeck.tui.widgets.prompt_line import PromptBar, PromptInput

PLACEHOLDER = "runs  assets SEL  run ID  job NAME  help  q   · tab completes · ↑↓ history"


class CommandLine(PromptInput):
    BINDINGS = [Binding("escape", "close", "Close", id="command.close")]

    class Entered(Message):
        def __init__(self, command: str) -> None:
            super().__init__()
            self.command = command

    def __init__(self) -> None:
        super().__init__(placeholder=PLACEHOLDER)

    @property
    def history_kind(self) -> str:
        return "command"

    def completion(self, text: str) -> Completion:
        return complete_command(text, self.names)

    def open(self) -> None:
        self.show("")

    def action_close(self) -> None:
        self.hide()
        self.screen.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.hide()
        command = event.value.strip().lstrip(":").strip()
        self.remember(command)
        self.post_message(self.Entered(command))


def command_bar() -> PromptBar:
    """The `:` line as every main screen docks it."""
    return PromptBar(":", CommandLine())
