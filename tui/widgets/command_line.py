"""`:` command mode: `:runs`, `:assets group:shop`, `:run <id>`, `:jobs`, `:automation`, `:q`."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class CommandLine(Input):
    DEFAULT_CSS = """
    CommandLine { dock: bottom; display: none; height: 1; border: none; padding: 0 1; background: $boost; }
    CommandLine.-shown { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="command.close")]

    class Entered(Message):
        def __init__(self, command: str) -> None:
            super().__init__()
            self.command = command

    def allow_focus(self) -> bool:
        """Hidden, it must not take focus (a screen with nothing else focusable would auto-focus it
        and swallow every key)."""
        return self.has_class("-shown")

    def open(self) -> None:
        self.value = ""
        self.placeholder = ":runs  :assets SEL  :run ID  :jobs  :automation  :help  :q"
        self.add_class("-shown")
        self.focus()

    def action_close(self) -> None:
        self.remove_class("-shown")
        self.screen.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.remove_class("-shown")
        self.post_message(self.Entered(event.value.strip().lstrip(":")))
