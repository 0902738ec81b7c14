"""`context.instance.get_event_records` / `fetch_materializations` (issue 13, item 6)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, stored_asset_value


def test_a_step_reads_an_assets_history(tmp_path: Path) -> None:
    """Dagster 1.13.28: after materializing raw_sales twice (row_count 40, then 41: each counts the
    earlier materializations with fetch_materializations and logs an AssetObservation seen=0, then
    seen=1), sales_history returns newest_first [41, 40] (get_event_records with an EventRecordsFilter
    on ASSET_MATERIALIZATION, limit=5), oldest_first [40, 41] (ascending=True), observed [1, 0]
    (ASSET_OBSERVATION), pages [[41], True, [40], True] (fetch_materializations limit=1, then from the
    first page's cursor; a full page reports has_more) and keys {"raw_sales"}."""
    file, home = pipeline("types_event_records"), tmp_path / "home"
    for _ in range(2):
        run = cli_run(file, "materialize", "--select", "raw_sales", home=home)
        assert run.status == "SUCCESS", run.doc
    run = cli_run(file, "materialize", "--select", "sales_history", home=home)
    assert run.status == "SUCCESS", run.doc
    assert stored_asset_value(home, "sales_history") == {
        "newest_first": [41, 40],
        "oldest_first": [40, 41],
        "observed": [1, 0],
        "pages": [[41], True, [40], True],
        "keys": {"raw_sales"},
    }
