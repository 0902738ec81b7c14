"""The console's partitions and backfills: partition health, one-partition runs, backfills."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dagdeck.core.automation.backfill_actions import cancel_backfill, retry_failed
from dagdeck.core.automation.backfill_plan import chunks, new_backfill, partitions_def_of
from dagdeck.core.automation.backfill_states import BackfillView, backfill_view, find_backfill
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.partitions.run_partition import RunPartition
from dagdeck.core.running.launcher import assets_spec
from dagdeck.core.running.run_partitions import check_partition
from dagdeck.core.views.partition_health import PartitionHealth, partition_health
from dagdeck.store import Run

if TYPE_CHECKING:  # the automation modules pull in watchdog and croniter: load them when used
    pass

from dagdeck.core.console_api.base import ConsoleBase


class PartitionsAPI(ConsoleBase):
    # -- backfills -------------------------------------------------------------------------------
    def backfills(self, limit: int = 100) -> list[BackfillView]:
        """Backfills newest first, each with its partitions' states (for the Backfills screen)."""
        store = self.instance.store
        return [backfill_view(store, b) for b in store.list_backfills(limit=limit)]

    def backfill(self, backfill_id: str) -> BackfillView | None:
        """One backfill by id or unique prefix, or None."""
        store = self.instance.store
        found = store.find_backfill(backfill_id)
        return backfill_view(store, found) if found is not None else None

    def backfill_runs(self, backfill_id: str) -> list[Run]:
        """The runs a backfill launched, in launch order (unfinished ones judged)."""
        store = self.instance.store
        runs = [store.get_run(run_id) for _chunk, run_id, _status in store.backfill_runs(backfill_id)]
        return self._judged([r for r in runs if r is not None])

    def partition_keys(self, keys: list[str]) -> list[str]:
        """Every partition key the selected assets share (DagdeckError if they share none)."""
        defs = self._require_defs()
        pdef = partitions_def_of(defs, [AssetKey(k) for k in keys])
        return list(pdef.get_partition_keys(dynamic_partitions_store=self.instance.store))

    def partition_health(self, key: str) -> PartitionHealth | None:
        """Each partition of one asset with its status (the metadata pane's strip and the
        partition view), or None for an unpartitioned asset."""
        defs = self._require_defs()
        akey = AssetKey(key)
        asset = defs.asset_graph.assets.get(akey)
        pdef = asset.spec.partitions_def if asset is not None else None
        if pdef is None:
            return None
        return partition_health(self.instance.store, key, pdef)

    def partitioned(self, keys: list[str]) -> list[str]:
        """Which of `keys` are partitioned assets (they run one partition at a time, never whole)."""
        assets = self._require_defs().asset_graph.assets
        return [
            k
            for k in keys
            if (a := assets.get(AssetKey(k))) is not None and a.spec.partitions_def is not None
        ]

    def materialize_partition(self, keys: list[str], partition_key: str) -> Run:
        """A run of one partition of the selected assets (`materialize --partition KEY`'s check
        and tags)."""
        defs = self._require_defs()
        partition = RunPartition(partition_key, partition_key)
        asset_keys = [AssetKey(k) for k in keys]
        check_partition(defs, asset_keys, partition, self.instance.store)
        spec, _ = assets_spec(
            defs,
            self.location,
            asset_keys,
            tags={"dagdeck/selection": ",".join(keys[:20]), **partition.tags()},
            trigger="console",
        )
        return self._launched(self.launcher.submit(spec))

    def backfill_run_count(self, keys: list[str], partition_keys: list[str]) -> int:
        """How many runs a backfill of these partitions would start (the confirm dialog says it)."""
        defs = self._require_defs()
        draft = new_backfill(defs, self.location, ",".join(keys), [AssetKey(k) for k in keys], partition_keys)
        return len(chunks(draft))

    def launch_backfill(self, keys: list[str], partition_keys: list[str]) -> BackfillView:
        """Record a backfill of `partition_keys` for the selected assets; the daemon launches it."""
        defs = self._require_defs()
        asset_keys = [AssetKey(k) for k in keys]
        partitions_def_of(defs, asset_keys)  # refuse unpartitioned or mixed selections up front
        backfill = new_backfill(defs, self.location, ",".join(keys), asset_keys, partition_keys)
        self.instance.store.add_backfill(backfill)
        if self.daemon is not None:
            self.daemon.wake()
        return backfill_view(self.instance.store, backfill)

    def cancel_backfill(self, backfill_id: str) -> BackfillView:
        store = self.instance.store
        backfill = find_backfill(store, backfill_id)
        # the console cancels these runs: no "canceled elsewhere" toast for them
        self.own_runs.update(run_id for _chunk, run_id, _status in store.backfill_runs(backfill.backfill_id))
        return backfill_view(store, cancel_backfill(store, self.launcher, backfill))

    def retry_backfill(self, backfill_id: str, partition_keys: list[str] | None = None) -> BackfillView:
        """A new backfill of the failed partitions of an ended one (or of just `partition_keys`
        among them)."""
        store = self.instance.store
        retry = retry_failed(store, find_backfill(store, backfill_id), partition_keys)
        if self.daemon is not None:
            self.daemon.wake()
        return backfill_view(store, retry)
