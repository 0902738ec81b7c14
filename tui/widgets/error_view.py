"""A failed step's error, whole: `enter` on a failed step opens it over the run screen.

The message is wrapped in full (the log cuts nothing, but a terminal edge does), the user's frames
come first and dagdeck's own are folded to one line (`f` shows them), then the step's last stderr
lines and the fix the engine suggested.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from dagdeck.core.console_api import Frame, StepError


def _frame_lines(frames: list[Frame], style: str) -> list[Text]:
    out: list[Text] = []
    for f in frames:
        line = Text("  ")
        line.append(f"{f.file}:{f.line}", style=style)
        line.append(f" in {f.function}")
        out.append(line)
        if f.code:
            out.append(Text(f"      {f.code}", style="grey70"))
    return out


def error_report(err: StepError, show_own: bool = False) -> Group:
    """The error view's content as one renderable (it wraps to the dialog's width)."""
    parts: list[Text] = [Text(err.message, style="bold red")]
    if err.fix:
        parts += [Text(""), Text.assemble(("fix: ", "bold green"), err.fix)]
    user, own = err.user_frames, err.own_frames
    if user:
        parts += [Text(""), Text("your code (innermost last)", style="bold"), *_frame_lines(user, "cyan")]
    if own:
        parts.append(Text(""))
        if show_own:
            parts += [Text("dagdeck frames (f folds them)", style="bold"), *_frame_lines(own, "grey62")]
        else:
            parts.append(Text(f"{len(own)} dagdeck frame(s) folded (f shows them)", style="grey62"))
    if err.exception and "\n".join(err.exception).strip() != err.message.strip():
        parts += [Text(""), Text("exception", style="bold"), *(Text(line) for line in err.exception)]
    parts += [Text(""), Text(f"last stderr lines of {err.step_key}", style="bold")]
    parts += [Text(line) for line in err.stderr_tail] or [Text("(none captured)", style="grey62")]
    return Group(*parts)


class ErrorScreen(ModalScreen[None]):
    """Scrollable: j/k and the arrows scroll, pageup/pagedown page, escape or q closes."""

    DEFAULT_CSS = """
    ErrorScreen { align: center middle; }
    ErrorScreen > Vertical { width: 96%; height: 90%; border: thick $error; background: $surface; }
    ErrorScreen #error-title { height: auto; padding: 0 1; }
    ErrorScreen VerticalScroll { height: 1fr; padding: 0 1; }
    ErrorScreen #error-hint { height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape,q,enter", "close", "Close", id="error.close"),
        Binding("f", "toggle_frames", "dagdeck frames", id="error.frames"),
        Binding("j", "scroll(1)", "Down", show=False, id="error.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="error.up"),
        Binding("g", "edge(False)", "Top", show=False, id="error.top"),
        Binding("G", "edge(True)", "Bottom", show=False, id="error.bottom"),
    ]

    def __init__(self, run_id: str, err: StepError) -> None:
        super().__init__()
        self.run_id, self.err = run_id, err
        self.show_own = False

    def compose(self) -> ComposeResult:
        title = f"step {self.err.step_key} failed (attempt {self.err.attempt}) · run {self.run_id[:8]}"
        with Vertical():
            yield Static(Text(title, style="bold"), id="error-title")
            with VerticalScroll(id="error-scroll"):
                yield Static(error_report(self.err), id="error-body")
            yield Static("j/k ↑/↓ pgup/pgdn g/G scroll · f dagdeck frames · escape close", id="error-hint")

    def on_mount(self) -> None:
        self.query_one("#error-scroll", VerticalScroll).focus()

    def action_toggle_frames(self) -> None:
        self.show_own = not self.show_own
        self.query_one("#error-body", Static).update(error_report(self.err, self.show_own))

    def action_scroll(self, lines: int) -> None:
        scroll = self.query_one("#error-scroll", VerticalScroll)
        scroll.scroll_relative(y=lines, animate=False)

    def action_edge(self, bottom: bool) -> None:
        scroll = self.query_one("#error-scroll", VerticalScroll)
        if bottom:
            scroll.scroll_end(animate=False)
        else:
            scroll.scroll_home(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
