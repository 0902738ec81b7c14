"""Automation screen: schedules and sensors (filled in by the automation work)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import BaseScreen


class AutomationScreen(BaseScreen):
    BINDINGS = []

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        yield Static("schedules and sensors", id="automation-body")
        yield from self.compose_chrome_bottom()
