"""The latest status of each member of a multi-asset, as `assets list` and the console show it."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli, cli_run, pipeline

from dagdeck.core.instance import Instance


def _statuses(home: Path) -> dict[str, str]:
    proc = cli(pipeline("assets_multi_asset_failing"), "assets", "list", "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    return {row["key"]: row["latest_status"] for row in json.loads(proc.stdout)}


def test_failed_multi_asset_marks_each_member_failed_then_materialized(tmp_path: Path) -> None:
    """Dagster 1.13.28: a failing multi-asset op fails its one step (`ledger`) and the UI shows
    both `orders` and `refunds` as failed to materialize; a later successful run materializes
    both. dagdeck records the same per member, also after the state is rebuilt from the log."""
    home = tmp_path / "home"
    file = pipeline("assets_multi_asset_failing")
    failed = cli_run(file, "materialize", home=home, env={"LEDGER_FAILS": "1"})
    assert failed.steps == {"ledger": "failed"}
    assert _statuses(home) == {"orders": "failed", "refunds": "failed"}

    ok = cli_run(file, "materialize", home=home)
    assert ok.steps == {"ledger": "succeeded"}
    assert _statuses(home) == {"orders": "materialized", "refunds": "materialized"}

    instance = Instance.open(home)
    try:
        before = {k: r.last_status for k, r in instance.store.asset_states().items()}
        instance.store.rebuild_asset_states()
        after = {k: r.last_status for k, r in instance.store.asset_states().items()}
    finally:
        instance.close()
    assert before == after == {"orders": "materialized", "refunds": "materialized"}
