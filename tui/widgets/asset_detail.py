"""The metadata pane: what the selected asset is and what it last produced."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from dagdeck.core.console_api import (
    DROPPED_NOTE,
    AssetDetail,
    PartitionHealth,
    iso,
    job_label,
    short_duration,
)
from dagdeck.tui.widgets.asset_graph import ago, glyph_for
from dagdeck.tui.widgets.partition_strip import StripRenderable
from dagdeck.tui.widgets.sparkline_text import spark_summary

STATUS_STYLE = {
    "SUCCESS": "green",
    "FAILURE": "red",
    "CANCELED": "yellow",
    "CANCELING": "yellow",
    "STARTED": "cyan",
}


def render_value(entry: dict[str, Any]) -> RenderableType:
    kind, value = entry.get("type"), entry.get("value")
    if kind == "md":
        from rich.markdown import Markdown  # markdown-it is slow to import; most assets have none

        return Markdown(str(value))
    if kind == "table" and isinstance(value, dict):
        table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
        for col in value.get("columns", []):
            table.add_column(str(col))
        for row in value.get("rows", [])[:20]:
            table.add_row(*[Text(str(c)) for c in row])
        return table
    if kind == "json":
        return Text(json.dumps(value, indent=1, default=str)[:2000])
    if kind == "timestamp" and isinstance(value, int | float):
        return Text(iso(value) or "")
    if kind == "url":
        return Text(str(value), style="underline blue")
    if kind == "path":
        return Text(str(value), style="italic")
    if kind == "float" and isinstance(value, float):
        return Text(f"{value:,.4g}" if abs(value) >= 1e6 else f"{value:,.2f}")
    if kind == "int" and isinstance(value, int):
        return Text(f"{value:,}")
    return Text("null" if value is None else str(value))


def detail_renderable(
    d: AssetDetail, selected: str | None = None, partitions: PartitionHealth | None = None
) -> RenderableType:
    """The pane's content; `selected` is the metadata entry under the pane's cursor (highlighted);
    a partitioned asset shows its partition health strip."""
    row = d.row
    glyph, colour = glyph_for(row)
    parts: list[RenderableType] = []
    title = Text()
    title.append(f"{glyph} ", style=colour)
    title.append(row.key, style="bold")
    title.append(f"   group {row.group}", style="grey62")
    if d.kinds:
        title.append("   " + " ".join(f"[{k}]" for k in d.kinds), style="magenta")
    parts.append(title)
    if d.description:
        # docstrings wrap at the source's width: reflow each paragraph to the pane's
        paragraphs = [" ".join(p.split()) for p in d.description.split("\n\n")]
        parts.append(Text("\n".join(p for p in paragraphs if p), style="italic"))
    parts.append(Text(f"upstream:   {', '.join(row.upstream) or '-'}", style="grey70"))
    parts.append(Text(f"downstream: {', '.join(row.downstream) or '-'}", style="grey70"))
    if d.stale_reasons:
        parts.append(Text("stale: " + "; ".join(d.stale_reasons), style="yellow"))
    if d.overdue_reason:
        parts.append(Text("overdue: " + d.overdue_reason, style="yellow"))
    if row.value_dropped:
        parts.append(
            Text(
                f"transient: {DROPPED_NOTE} — a run that reads it must make it again"
                " (m on a downstream asset offers to include it)",
                style="yellow",
            )
        )
    elif row.transient:
        parts.append(Text("transient: its stored value is removed when a run succeeds", style="grey62"))
    if row.multi_asset:
        parts.append(
            Text(f"made by multi_asset {row.multi_asset}: one step with its other assets", style="grey70")
        )
    if partitions is not None and partitions.keys:
        parts.append(Text(""))
        parts.append(StripRenderable(partitions))
        parts.append(Text("p: partitions (run one, backfill a range)", style="grey50"))
    parts.append(Text(""))
    if row.external and d.latest is None:
        parts.append(
            Text("external asset — made outside dagdeck; shown for lineage, never materialized", style="blue")
        )
    elif d.latest is None:
        parts.append(Text("never materialized — press m to materialize", style="grey62"))
    else:
        latest = d.latest
        line = Text()
        line.append("last materialized ", style="bold")
        line.append(f"{ago(latest.timestamp)} ({iso(latest.timestamp)})")
        line.append(f"  run {str(latest.run_id)[:8]}", style="cyan")
        if d.latest_duration_s is not None:
            line.append(f"  took {short_duration(d.latest_duration_s)}")
        parts.append(line)
        metadata = latest.data.get("metadata") or {}
        if metadata:
            table = Table(box=None, show_header=True, header_style="bold", expand=False, pad_edge=False)
            # the names keep their width on a narrow pane; the history's range is cut first
            table.add_column("metadata", overflow="fold", min_width=min(14, max(len(n) for n in metadata)))
            table.add_column("value", overflow="fold", ratio=1)
            table.add_column("history", overflow="ellipsis", no_wrap=True, ratio=1)
            for name, entry in metadata.items():
                spark = spark_summary(d.series.get(name, []))
                style = "reverse" if name == selected else ""
                table.add_row(Text(name, style=style), render_value(entry), Text(spark, style="cyan"))
            parts.append(table)
            hint = (
                "j/k: entry · h: its history · tab: back" if selected else "tab, then h: an entry's history"
            )
            parts.append(Text(hint, style="grey50"))
    if d.checks:
        parts.append(Text(""))
        parts.append(Text("checks", style="bold"))
        for c in d.checks:
            line = Text("  ")
            if c.passed is None:
                line.append("○ not run ", style="grey62")
            elif c.passed:
                line.append("✔ pass    ", style="green")
            else:
                line.append(
                    f"✖ {'fail' if c.severity == 'ERROR' else 'warn'}    ",
                    style="red" if c.severity == "ERROR" else "yellow",
                )
            line.append(c.name, style="bold")
            if c.blocking:
                line.append(" (blocking)", style="grey62")
            if c.history:
                line.append("  ")
                for ok in c.history[-20:]:
                    line.append("▮", style="green" if ok else "red")
            meta = ", ".join(
                f"{k}={v.get('value') if isinstance(v, dict) else v}" for k, v in c.metadata.items()
            )
            if meta:
                line.append(f"  {meta[:80]}", style="grey70")
            parts.append(line)
    if row.status == "failed":
        parts.append(Text("latest attempt failed: see its run below (2, enter)", style="red"))
    if d.recent_runs:
        parts.append(Text(""))
        parts.append(Text("recent runs", style="bold"))
        for r in d.recent_runs:
            t = Text()
            t.append(f"  {r.run_id[:8]} ", style="cyan")
            t.append(f"{r.status:<10}", style=STATUS_STYLE.get(r.status, ""))
            job = job_label(r.job_name)
            t.append(f" {job}  {ago(r.created_at)}", style="grey70")
            parts.append(t)
    return Group(*parts)


class AssetDetailPane(VerticalScroll):
    """Focused (tab), `j`/`k` pick a metadata entry and `h` opens its history."""

    DEFAULT_CSS = """
    AssetDetailPane { padding: 0 1; border-left: vkey $panel-lighten-2; }
    AssetDetailPane:focus { background-tint: $foreground 3%; }
    AssetDetailPane > Static { width: 1fr; }
    """
    BINDINGS = [
        Binding("j,down", "entry(1)", "Next entry", show=False, id="detail.next"),
        Binding("k,up", "entry(-1)", "Previous entry", show=False, id="detail.previous"),
        Binding("h,enter", "history", "History", id="detail.history"),
    ]

    detail: AssetDetail | None = None
    partitions: PartitionHealth | None = None
    """The shown asset's partitions, when it is partitioned."""
    selected: str | None = None
    """The metadata entry under the cursor while the pane has focus."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("loading definitions…", id="asset-detail-body")

    shown_key: str | None = None
    """The asset whose details are on screen (tests wait for it)."""

    def show_text(self, text: str) -> None:
        body = next(self.query("#asset-detail-body").results(Static), None)
        if body is not None:
            body.update(Text(text))
            self.shown_key = None
            self.detail = None
            self.partitions = None

    def show(self, detail: AssetDetail | None, partitions: PartitionHealth | None = None) -> None:
        found = self.query("#asset-detail-body").results(Static)
        body = next(found, None)
        if body is None:  # a detail load that finishes while the app shuts down
            return
        self.detail = detail
        self.partitions = partitions
        names = self.entry_names()
        if self.selected not in names:
            self.selected = names[0] if names and self.has_focus else None
        self._paint()
        self.shown_key = detail.row.key if detail else None

    def entry_names(self) -> list[str]:
        latest = self.detail.latest if self.detail else None
        return list((latest.data.get("metadata") or {}) if latest else {})

    def _paint(self) -> None:
        body = next(self.query("#asset-detail-body").results(Static), None)
        if body is None:
            return
        d = self.detail
        body.update(
            detail_renderable(d, self.selected, self.partitions)
            if d
            else Text("select an asset", style="grey62")
        )

    def on_focus(self) -> None:
        names = self.entry_names()
        if names and self.selected not in names:
            self.selected = names[0]
            self._paint()

    def on_blur(self) -> None:
        if self.selected is not None:
            self.selected = None
            self._paint()

    def action_entry(self, step: int) -> None:
        names = self.entry_names()
        if not names:
            self.scroll_relative(y=step, animate=False)
            return
        index = names.index(self.selected) if self.selected in names else -step
        self.selected = names[max(0, min(len(names) - 1, index + step))]
        self._paint()

    class HistoryRequested(Message):
        """`h`: show the history of one metadata entry (the screen opens the view)."""

        def __init__(self, detail: AssetDetail, entry: str) -> None:
            super().__init__()
            self.detail, self.entry = detail, entry

    def action_history(self) -> None:
        if self.detail is None or not self.detail.history:
            self.notify(
                "no metadata history: this asset has no materialization with metadata", severity="warning"
            )
            return
        self.post_message(
            self.HistoryRequested(self.detail, self.selected or next(iter(self.detail.history)))
        )
