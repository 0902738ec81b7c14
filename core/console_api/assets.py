"""The console's asset and job reads, and the names its command and filter lines complete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.selection import parse_selection
from dagdeck.core.views.asset_health import stale_or_missing
from dagdeck.core.views.console import AssetDetail, AssetRow, JobInfo, asset_detail, asset_rows, job_infos
from dagdeck.core.views.stored_values import missing_inputs, with_missing_inputs

if TYPE_CHECKING:  # the automation modules pull in watchdog and croniter: load them when used
    pass

from dagdeck.core.console_api.base import ConsoleBase


@dataclass(frozen=True)
class CompletionNames:
    """Names the console's command and filter lines complete with Tab."""

    assets: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()
    """Run ids, newest first."""


class AssetReads(ConsoleBase):
    # -- assets --------------------------------------------------------------------------------
    def asset_rows(self) -> list[AssetRow]:
        defs = self.defs
        if defs is None:
            return []
        rows = asset_rows(defs, self.instance.store)
        self._rows = {r.key: r for r in rows}
        return rows

    def asset_detail(self, key: str, history: int = 50) -> AssetDetail | None:
        defs = self.defs
        if defs is None or AssetKey(key) not in defs.asset_graph.assets:
            return None
        row = self._rows.get(key)
        if row is None:
            row = next((r for r in self.asset_rows() if r.key == key), None)
        return asset_detail(defs, self.instance.store, row, history) if row else None

    def stale_assets(self) -> list[str]:
        """Stale and never-materialized assets in dependency order (what `S` materializes)."""
        defs = self.defs
        return stale_or_missing(defs, self.instance.store) if defs else []

    def missing_inputs(self, keys: list[str]) -> dict[str, dict[str, str]]:
        """Selected asset -> {upstream outside the selection: why it has no stored value}: what a
        run of `keys` would fail to load (MissingInput)."""
        defs = self.defs
        return missing_inputs(defs, self.instance.store, keys) if defs else {}

    def with_missing_inputs(self, keys: list[str]) -> list[str]:
        """`keys` plus every upstream a run of them could not load, in graph order."""
        defs = self.defs
        return with_missing_inputs(defs, self.instance.store, keys) if defs else keys

    def resolve_selection(self, text: str) -> list[str]:
        defs = self.defs
        if defs is None:
            return []
        keys = parse_selection(text).resolve(defs.asset_graph)
        return [k.to_user_string() for k in defs.asset_graph.toposorted if k in keys]

    def with_required_neighbors(self, keys: list[str]) -> list[str]:
        """`keys` plus the assets that must run with them (the rest of a multi-asset that cannot
        subset), in graph order: what the console asks to confirm."""
        defs = self.defs
        if defs is None:
            return keys
        wanted = defs.asset_graph.required_neighbors(AssetKey(k) for k in keys)
        return [k.to_user_string() for k in defs.asset_graph.toposorted if k in wanted]

    def with_downstream(self, keys: list[str]) -> list[str]:
        defs = self.defs
        if defs is None:
            return keys
        closure = defs.asset_graph.downstream_closure(AssetKey(k) for k in keys)
        return [k.to_user_string() for k in defs.asset_graph.toposorted if k in closure]

    # -- jobs ----------------------------------------------------------------------------------
    def jobs(self) -> list[JobInfo]:
        defs = self.defs
        return job_infos(defs) if defs else []

    # -- names the console completes -----------------------------------------------------------
    def completion_names(self, recent_runs: int = 50) -> CompletionNames:
        """What Tab completes in the `:` and `/` lines: asset keys, groups, jobs and the ids of
        the newest runs (reads the store: call it from a worker)."""
        defs = self.defs
        assets: list[str] = []
        groups: list[str] = []
        jobs: list[str] = []
        if defs is not None:
            graph = defs.asset_graph
            assets = [k.to_user_string() for k in graph.toposorted]
            groups = sorted({graph.assets[k].group_name for k in graph.toposorted})
            jobs = sorted(defs.job_names)
        runs = [r.run_id for r in self.instance.store.list_runs(limit=recent_runs)]
        return CompletionNames(tuple(assets), tuple(groups), tuple(jobs), tuple(runs))
