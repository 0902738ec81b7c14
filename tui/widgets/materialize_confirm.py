"""The materialize confirm dialog: it warns when a selected asset reads an upstream that has no
stored value (a dropped transient value, or never materialized), which would fail the run with
MissingInput, and offers to include those upstreams (`u`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from dagdeck.tui.widgets.dialogs import ConfirmScreen

SHOWN = 15
"""Keys listed in the dialog; the rest are counted."""


def key_list(keys: list[str]) -> str:
    """The keys a run would materialize, one a line, the tail counted."""
    more = f"\n  … and {len(keys) - SHOWN} more" if len(keys) > SHOWN else ""
    return "\n".join(f"  {k}" for k in keys[:SHOWN]) + more


def missing_warning(missing: dict[str, dict[str, str]]) -> Text:
    """`orders reads raw_orders: transient: value dropped after the run`, one line per gap."""
    text = Text("⚠ no stored value to load:\n", style="bold yellow")
    lines = [f"  {asset} reads {up} ({why})" for asset, ups in missing.items() for up, why in ups.items()]
    text.append(
        "\n".join(lines[:8]) + (f"\n  … and {len(lines) - 8} more" if len(lines) > 8 else ""), style="yellow"
    )
    text.append("\nthe run would fail with MissingInput unless they are included", style="yellow")
    return text


class MaterializeConfirm(ConfirmScreen):
    """Confirm a materialization; `u` answers yes with the missing upstreams included (the
    screen reads `include_upstream` after the dialog closes)."""

    BINDINGS = [Binding("u,plus", "include", "Include upstream", id="confirm.include_upstream")]

    def __init__(self, title: str, keys: list[str], missing: dict[str, dict[str, str]]) -> None:
        super().__init__(title, key_list(keys))
        self.missing = missing
        self.include_upstream = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield Static(self.body, id="confirm-body")
            if self.missing:
                yield Static(missing_warning(self.missing), id="confirm-warning")
                plus = " ".join(f"+{k}" for k in list(self.missing)[:3])
                yield Static(f"u: include them ({plus})   y: run as is   n / esc: no", classes="hint")
            else:
                yield Static("y / enter: yes    n / escape: no", classes="hint")

    def action_include(self) -> None:
        if self.missing:
            self.include_upstream = True
            self.dismiss(True)
