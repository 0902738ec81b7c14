"""Assets screen: the asset graph beside the metadata pane."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from dagdeck.core.console_api import AssetDetail, AssetRow, DagdeckError, PartitionHealth
from dagdeck.tui.screens.base import BaseScreen, while_mounted
from dagdeck.tui.widgets.asset_detail import AssetDetailPane
from dagdeck.tui.widgets.asset_graph import AssetGraph
from dagdeck.tui.widgets.dialogs import ConfirmScreen
from dagdeck.tui.widgets.filter_input import FilterInput, filter_bar
from dagdeck.tui.widgets.key_lists import KeyOptionList
from dagdeck.tui.widgets.materialize_confirm import MaterializeConfirm


class JumpScreen(ModalScreen[str | None]):
    """Pick an upstream or downstream asset to jump to."""

    DEFAULT_CSS = """
    JumpScreen { align: center middle; }
    JumpScreen OptionList { width: 60; max-width: 95%; height: auto; max-height: 70%; border: thick $accent; }
    """
    BINDINGS = [Binding("escape,q", "dismiss_none", "Close", id="jump.close")]

    def __init__(self, row: AssetRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        options = [Option(f"↑ {k}", id=k) for k in self.row.upstream]
        options += [Option(f"↓ {k}", id=k) for k in self.row.downstream]
        if not options:
            options = [Option("no upstream or downstream assets", id="", disabled=True)]
        yield KeyOptionList(*options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class AssetsScreen(BaseScreen):
    BINDINGS = [
        Binding("m", "materialize(False)", "Materialize", id="assets.materialize"),
        Binding("M", "materialize(True)", "+downstream", id="assets.materialize_downstream"),
        Binding("S", "materialize_stale", "Stale", id="assets.materialize_stale"),
        Binding("p", "partitions", "Partitions", show=False, id="assets.partitions"),
        Binding("slash", "filter", "Filter", key_display="/", id="assets.filter"),
        Binding("enter", "open", "Jump/expand", id="assets.open"),
        Binding("escape", "clear_marks", "Clear", show=False, id="assets.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self._detail_wanted: str | None = None
        self._rows_loading = False
        self._rows_again = False
        self._detail_loading = False

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        with Horizontal(id="assets-body"):
            yield AssetGraph(id="asset-graph")
            yield AssetDetailPane(id="asset-detail")
        yield filter_bar("filter: a, +a, a*, group:x, or text   (tab completes)")
        yield from self.compose_chrome_bottom()

    @property
    def graph(self) -> AssetGraph:
        return self.query_one(AssetGraph)

    def on_mount(self) -> None:
        self.graph.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def data_changed(self) -> None:
        self.reload()

    def definitions_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        """One read at a time: a reload asked for while one runs is done once, right after it."""
        if self._rows_loading:
            self._rows_again = True
            return
        self._rows_loading = True
        self._load_rows()

    @work(thread=True, group="assets-load")
    def _load_rows(self) -> None:
        try:
            rows = self.api.asset_rows()
        except Exception as err:  # noqa: BLE001 - a store hiccup shows as a message, not a crash
            self.app.call_from_thread(self.notify, f"cannot read assets: {err}", severity="error")
            rows = None
        self.app.call_from_thread(self._rows_loaded, rows)

    def _rows_loaded(self, rows: list[AssetRow] | None) -> None:
        self._rows_loading = False
        if self._rows_again:
            self._rows_again = False
            self.reload()
        if rows is not None:
            self._apply_rows(rows)

    @while_mounted
    def _apply_rows(self, rows: list[AssetRow]) -> None:
        if not rows and self.api.loaded is not None:
            self.query_one(AssetDetailPane).show_text("no assets in these definitions")
        graph = self.graph
        first = not graph.rows
        graph.set_rows(rows)
        if first and graph.current_key is None:
            index = graph.first_asset_index()
            if index is not None:
                graph.cursor = index
        if rows:
            self.app.startup_complete()  # type: ignore[attr-defined]
        self.load_detail(graph.current_key)

    @on(AssetDetailPane.HistoryRequested)
    def _history(self, event: AssetDetailPane.HistoryRequested) -> None:
        from dagdeck.tui.screens.metadata_history import MetadataHistoryScreen

        self.app.push_screen(MetadataHistoryScreen(event.detail, event.entry))

    @on(AssetGraph.AssetHighlighted)
    def _highlighted(self, event: AssetGraph.AssetHighlighted) -> None:
        self.load_detail(event.key)

    def load_detail(self, key: str | None) -> None:
        """One detail read at a time, always for the latest cursor position: holding `j` over
        thousands of assets must not queue a read per row."""
        self._detail_wanted = key
        if not self._detail_loading:
            self._detail_loading = True
            self._load_detail(key)

    @work(thread=True, group="asset-detail")
    def _load_detail(self, key: str | None) -> None:
        partitions = None
        try:
            detail = self.api.asset_detail(key) if key else None
            if detail is not None and key:
                partitions = self.api.partition_health(key)
        except Exception as err:  # noqa: BLE001 - a store hiccup shows as a message, not a crash
            self.app.call_from_thread(self.notify, f"cannot load {key}: {err}", severity="error")
            detail = None
        self.app.call_from_thread(self._show_detail, key, detail, partitions)

    @while_mounted
    def _show_detail(
        self, key: str | None, detail: AssetDetail | None, partitions: PartitionHealth | None = None
    ) -> None:
        self._detail_loading = False
        if self._detail_wanted != key:
            self.load_detail(self._detail_wanted)
            return
        pane = self.query_one(AssetDetailPane)
        item = self.graph.current_item
        if detail is None and item is not None and item.kind == "group":
            members = [r for r in self.graph.rows if r.group == item.group]
            pane.show_text(
                f"group {item.group}: {len(members)} assets\n"
                + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in item.counts)
                + "\n\nenter or ←/→ collapses and expands the group"
            )
            return
        pane.show(detail, partitions)

    def select_asset(self, key: str) -> None:
        if not self.graph.select_key(key):
            self.notify(f"no asset {key}", severity="warning")

    # -- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action.startswith("materialize") and self.app.readonly)  # type: ignore[attr-defined]

    def action_open(self) -> None:
        item = self.graph.current_item
        if item is None:
            return
        if item.kind == "group":
            self.graph.toggle_group()
            return
        assert item.row is not None

        def jump(key: str | None) -> None:
            if key:
                self.select_asset(key)

        self.app.push_screen(JumpScreen(item.row), jump)

    def action_partitions(self) -> None:
        """`p`: the partition view of the asset under the cursor (read off the UI thread)."""
        key = self.graph.current_key
        if key is None:
            self.notify("no asset here: move to a partitioned asset (j/k), then p", severity="warning")
            return
        self._open_partitions(key)

    @work(thread=True, exclusive=True, group="partitions")
    def _open_partitions(self, key: str) -> None:
        try:
            health = self.api.partition_health(key)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._push_partitions, key, health)

    @while_mounted
    def _push_partitions(self, key: str, health: PartitionHealth | None) -> None:
        from dagdeck.tui.screens.partitions import PartitionsScreen

        if health is None:
            self.notify(f"{key} is not partitioned: p opens the partitions of a partitioned asset", severity="warning")
            return
        if not health.keys:
            self.notify(f"{key} has no partitions yet (dynamic: `dagdeck partitions add`)", severity="warning")
            return
        self.app.push_screen(PartitionsScreen(key, health))

    def action_clear_marks(self) -> None:
        """`escape`: the marks go first, then a kept filter."""
        if self.graph.marked:
            self.graph.marked.clear()
            self.graph.set_rows(self.graph.rows)
        else:
            self.action_clear_filter()

    def action_filter(self) -> None:
        self.query_one(FilterInput).open(self.filter_text)

    @on(FilterInput.Updated)
    def _filter_changed(self, event: FilterInput.Updated) -> None:
        self.apply_filter(event.text)
        if event.final:
            self.graph.focus()
            index = self.graph.first_asset_index()
            if event.text and index is not None:
                self.graph.cursor = index

    def apply_filter(self, text: str) -> None:
        self.filter_text = text.strip()
        self.show_filter_chip(self.graph, self.filter_text)
        if not self.filter_text:
            self.graph.set_filter(None)
            return
        keys: set[str] | None
        try:
            keys = set(self.api.resolve_selection(self.filter_text))
        except DagdeckError:
            keys = None
        if not keys:
            needle = self.filter_text.lower()
            keys = {r.key for r in self.graph.rows if needle in r.key.lower() or needle in r.group.lower()}
        self.graph.set_filter(keys)

    def action_materialize(self, downstream: bool) -> None:
        graph = self.graph
        keys = [r.key for r in graph.rows if r.key in graph.marked] or (
            [graph.current_key] if graph.current_key else []
        )
        if not keys:
            item = graph.current_item
            where = f"the cursor is on group {item.group}'s header" if item and item.kind == "group" else "no asset here"
            self.notify(f"{where}: move to an asset (j/k) or mark some with space, then m", severity="warning")
            return
        external = {r.key for r in graph.rows if r.external}
        if downstream:
            keys = self.api.with_downstream(keys)
        partitioned = self.api.partitioned(keys)
        if partitioned:
            self.notify(
                f"{', '.join(partitioned[:3])}: partitioned, run one partition at a time —"
                " p opens its partitions (m runs one, b backfills a range)",
                severity="warning",
            )
            return
        if all(k in external for k in keys):
            self.notify(f"{', '.join(keys[:3])}: external, made outside dagdeck — never materialized here", severity="warning")
            return
        keys = self.api.with_required_neighbors([k for k in keys if k not in external])
        self._check_inputs_then_confirm(keys)

    @work(thread=True, exclusive=True, group="inputs")
    def _check_inputs_then_confirm(self, keys: list[str]) -> None:
        """Which upstreams have no stored value (read off the UI thread), then ask."""
        try:
            missing = self.api.missing_inputs(keys)
        except Exception as err:  # noqa: BLE001 - a store hiccup must not block the launch
            self.app.call_from_thread(self.notify, f"cannot check stored inputs: {err}", severity="warning")
            missing = {}
        self.app.call_from_thread(self._confirm_materialize, keys, missing)

    @while_mounted
    def _confirm_materialize(self, keys: list[str], missing: dict[str, dict[str, str]]) -> None:
        dialog = MaterializeConfirm(f"Materialize {len(keys)} asset(s)?", keys, missing)

        def answer(ok: bool | None) -> None:
            if ok and dialog.include_upstream:
                self._launch_with_inputs(keys)
            elif ok:
                self.launch(keys)

        self.app.push_screen(dialog, answer)

    @work(thread=True, group="launch")
    def _launch_with_inputs(self, keys: list[str]) -> None:
        """`u` in the dialog: the selection plus every upstream it could not load."""
        wanted = self.api.with_missing_inputs(keys)
        self.app.call_from_thread(self.launch, wanted)

    def action_materialize_stale(self) -> None:
        self._stale_then_confirm()

    @work(thread=True, exclusive=True, group="stale")
    def _stale_then_confirm(self) -> None:
        keys = self.api.stale_assets()
        partitioned = set(self.api.partitioned(keys))  # run by partition (p), never whole
        self.app.call_from_thread(self._confirm_stale, [k for k in keys if k not in partitioned])

    @while_mounted
    def _confirm_stale(self, keys: list[str]) -> None:
        if not keys:
            self.notify("nothing is stale: every asset is up to date")
            return
        shown = "\n".join(f"  {k}" for k in keys[:15]) + (f"\n  … and {len(keys) - 15} more" if len(keys) > 15 else "")

        def answer(ok: bool | None) -> None:
            if ok:
                self.launch(keys)

        self.app.push_screen(ConfirmScreen(f"Materialize {len(keys)} stale or missing asset(s)?", shown), answer)

    @work(thread=True, group="launch")
    def launch(self, keys: list[str]) -> None:
        try:
            run = self.api.materialize(keys)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.notify, f"run {run.run_id[:8]} {run.status}: {len(keys)} asset(s)")
        self.app.call_from_thread(self._after_launch)

    @while_mounted
    def _after_launch(self) -> None:
        self.graph.marked.clear()
        self.reload()
