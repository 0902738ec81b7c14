"""Modal dialogs: confirm (y/enter accept, n/escape refuse) and a JSON config editor; the help
screen lives in help_screen (re-exported here)."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from dagdeck.tui import clock
from dagdeck.tui.widgets.help_screen import HelpScreen as HelpScreen  # re-exported


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 72; max-width: 95%; height: auto; max-height: 80%;
        border: thick $warning; background: $surface; padding: 1 2; }
    ConfirmScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield Static(self.body, id="confirm-body")
            yield Static("y / enter: yes    n / escape: no", classes="hint")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


def grace_left(canceling_at: float, grace: float, now: float) -> str:
    """The grace countdown of a CANCELING run, as the dialog and the run header say it."""
    left = grace - max(0.0, now - canceling_at)
    if left <= 0:
        return "grace over: steps still running are being killed"
    return f"steps are killed in {max(1, round(left))}s unless they stop first"


class CancelingScreen(ModalScreen[None]):
    """`c` on a run already canceling: its grace countdown, ticking until the run ends."""

    DEFAULT_CSS = """
    CancelingScreen { align: center middle; }
    CancelingScreen > Vertical { width: 72; max-width: 95%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2; }
    CancelingScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,enter,n,q", "close", "Close", id="canceling.close")]

    def __init__(self, run_id: str, canceling_at: float, grace: float) -> None:
        super().__init__()
        self.run_id, self.canceling_at, self.grace = run_id, canceling_at, grace

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Run {self.run_id[:8]} is canceling", style="bold"))
            yield Static(self.countdown(), id="canceling-body")
            yield Static("escape / enter: close", classes="hint")

    def on_mount(self) -> None:
        self.set_interval(0.5, self._tick)

    def countdown(self) -> str:
        return f"cancel requested; {grace_left(self.canceling_at, self.grace, clock.now())}"

    def _tick(self) -> None:
        self.query_one("#canceling-body", Static).update(self.countdown())

    def action_close(self) -> None:
        self.dismiss(None)


class ConfigEditor(ModalScreen[dict | None]):
    """Edit run config JSON before a launch; ctrl+s launches, escape cancels."""

    DEFAULT_CSS = """
    ConfigEditor { align: center middle; }
    ConfigEditor > Vertical { width: 90; max-width: 98%; height: 24; border: thick $accent; background: $surface; }
    ConfigEditor TextArea { height: 1fr; }
    ConfigEditor #config-error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Launch", id="config.launch"),
        Binding("escape", "cancel", "Cancel", id="config.cancel"),
    ]

    def __init__(self, job: str, initial: dict[str, Any], validate: Any) -> None:
        super().__init__()
        self.job, self.initial, self.validate = job, initial, validate

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"run config for {self.job}   ctrl+s launch · escape cancel", style="bold"))
            yield TextArea(json.dumps(self.initial, indent=2), language=None, id="config-text")
            yield Static("", id="config-error")

    def action_submit(self) -> None:
        text = self.query_one(TextArea).text
        try:
            data = json.loads(text or "{}")
            if not isinstance(data, dict):
                raise ValueError("config must be a JSON object")
            self.validate(data)
        except Exception as err:  # noqa: BLE001 - shown to the user, who fixes and retries
            self.query_one("#config-error", Static).update(f"invalid: {err}")
            return
        self.dismiss(data)

    def action_cancel(self) -> None:
        self.dismiss(None)
