"""IO managers written the way Dagster's docs write them: a ConfigurableIOManager writing JSON or
CSV files under a configured base_dir, a plain IOManager from an `@io_manager` factory keeping a
dict, per-output and per-asset `io_manager_key`, input managers, and their contexts."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
from compat_helpers import (
    cli_run,
    pipeline,
    pipeline_module,
    run_record,
    stored_asset_value,
    stored_metadata,
    stored_op_output,
)

import dagdeck as dg


def _notes(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_configurable_io_manager_writes_json_files(tmp_path: Path) -> None:
    """Dagster 1.13.28: both assets succeed; base_dir holds cities.json and big_cities.json
    (["Lyon"]); each materialization carries only the metadata the IO manager added
    (file=<its path> as text, rows=2 / 1), no `path` entry."""
    out = tmp_path / "out"
    out.mkdir()
    run = cli_run(
        pipeline("io_json_files"), "materialize", home=tmp_path / "home", env={"IO_BASE_DIR": str(out)}
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"cities": "succeeded", "big_cities": "succeeded"}
    assert sorted(p.name for p in out.iterdir()) == ["big_cities.json", "cities.json"]
    assert json.loads((out / "big_cities.json").read_text()) == ["Lyon"]
    record = run_record(tmp_path / "home", run.doc["run_id"])
    assert record.metadata("cities") == {"file": str(out / "cities.json"), "rows": 2}
    assert record.metadata("big_cities") == {"file": str(out / "big_cities.json"), "rows": 1}


def test_io_manager_load_error_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: after `cities.json` is deleted, materializing `big_cities` alone fails
    its step with DagsterExecutionLoadInputError 'Error occurred while loading input "cities" of
    step "big_cities":' caused by the FileNotFoundError the IO manager raised."""
    out, home = tmp_path / "out", tmp_path / "home"
    out.mkdir()
    env = {"IO_BASE_DIR": str(out)}
    assert cli_run(pipeline("io_json_files"), "materialize", home=home, env=env).returncode == 0
    (out / "cities.json").unlink()
    run = cli_run(pipeline("io_json_files"), "materialize", "--select", "big_cities", home=home, env=env)
    assert run.status == "FAILURE"
    assert run.steps == {"big_cities": "failed"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "big_cities")
    assert 'Error occurred while loading input "cities" of step "big_cities"' in error
    assert "FileNotFoundError" in error


def test_io_manager_factory_per_output_keys(tmp_path: Path) -> None:
    """Dagster 1.13.28: `words_job` succeeds; outputs given `io_manager_key="dict_io"` (an
    `@io_manager` returning a dict-backed IOManager keyed by `get_identifier()`) reach `report`
    next to the default-stored `count`: it writes {"longest": "dagster", "count": 3}."""
    report = tmp_path / "report.json"
    run = cli_run(
        pipeline("io_in_memory_dict"),
        "job",
        "run",
        "words_job",
        home=tmp_path / "home",
        env={"IO_REPORT": str(report)},
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"load_words": "succeeded", "measure": "succeeded", "report": "succeeded"}
    assert json.loads(report.read_text()) == {"longest": "dagster", "count": 3}


def test_output_and_input_context_attributes(tmp_path: Path) -> None:
    """Dagster 1.13.28: for `raw/orders` the OutputContext says name "result", has_asset_key True,
    asset_key path ["raw", "orders"] = get_asset_identifier(), a 3-part get_identifier(), a run id,
    has_partition_key False; `order_total`'s InputContext says name "orders", the same asset key,
    upstream_output.name "result" and upstream_output.step_key the producing step's key (Dagster
    spells it raw__orders, dagdeck raw/orders: see compatibility.md)."""
    out = tmp_path / "out"
    out.mkdir()
    notes = tmp_path / "notes.jsonl"
    env = {"IO_BASE_DIR": str(out), "IO_NOTES": str(notes)}
    run = cli_run(pipeline("io_context_attrs"), "materialize", home=tmp_path / "home", env=env)
    assert run.returncode == 0, run.stderr
    orders_step = next(k for k in run.steps if "orders" in k)
    first, loaded, last = _notes(notes)
    assert first == {
        "kind": "output",
        "name": "result",
        "step_key": orders_step,
        "has_asset_key": True,
        "asset_key": ["raw", "orders"],
        "asset_identifier": ["raw", "orders"],
        "identifier_len": 3,
        "run_id_ok": True,
        "has_partition_key": False,
    }
    assert loaded == {
        "kind": "input",
        "name": "orders",
        "has_asset_key": True,
        "asset_key": ["raw", "orders"],
        "upstream_name": "result",
        "upstream_step_key": orders_step,
        "has_partition_key": False,
    }
    assert last["asset_key"] == ["order_total"] and last["step_key"] == "order_total"
    record = run_record(tmp_path / "home", run.doc["run_id"])
    logs = [e.message for e in record.events if e.event_type == "LOG"]
    assert "storing result" in logs  # context.log goes to the run's event log


def test_handle_output_error_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: `settings` fails with DagsterExecutionHandleOutputError 'Error occurred
    while handling output "result" of step "settings":' caused by the TypeError the IO manager
    raised; `settings_count` never runs (dagdeck marks it skipped) and the run fails."""
    run = cli_run(pipeline("io_failure"), "materialize", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"settings": "failed", "settings_count": "skipped"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "settings")
    assert 'Error occurred while handling output "result" of step "settings"' in error
    assert "TypeError: JsonOnlyIOManager stores dicts, not set" in error
    record = run_record(tmp_path / "home", run.doc["run_id"])
    assert "settings" not in record.materializations


def test_input_manager_and_per_asset_io_manager_key(tmp_path: Path) -> None:
    """Dagster 1.13.28: `sales` reads the external `raw_sales` through the `@input_manager`, is
    stored by its `csv_io` IO manager as sales.csv (metadata row_count=2 only), and `sales_total`
    loads it back through `csv_io` and is stored by the default IO manager (a `path` entry): 24."""
    out = tmp_path / "out"
    out.mkdir()
    source = tmp_path / "src.csv"
    source.write_text("region,amount\nnorth,5\nsouth,7\n")
    env = {"IO_BASE_DIR": str(out), "IO_SOURCE_CSV": str(source)}
    home = tmp_path / "home"
    run = cli_run(pipeline("io_input_manager"), "materialize", home=home, env=env)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"sales": "succeeded", "sales_total": "succeeded"}
    assert (out / "sales.csv").read_text().splitlines() == ["region,amount", "north,10", "south,14"]
    record = run_record(home, run.doc["run_id"])
    assert record.metadata("sales") == {"row_count": 2}
    assert set(stored_metadata(record, "sales_total")) == set()  # only `path`
    assert stored_asset_value(home, "sales_total") == 24


def test_io_manager_factory_run_config_and_configurable_factory(tmp_path: Path) -> None:
    """Dagster 1.13.28: `squares_job` succeeds: the `@io_manager(config_schema={"base_dir": str})`
    takes base_dir from the job's run config (numbers_result.pkl), the ConfigurableIOManagerFactory
    makes one with suffix ".bin" (squares_result.bin); `total` is 30."""
    out = tmp_path / "out"
    out.mkdir()
    home = tmp_path / "home"
    run = cli_run(
        pipeline("io_factory_config"), "job", "run", "squares_job", home=home, env={"IO_BASE_DIR": str(out)}
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"numbers": "succeeded", "squares": "succeeded", "total": "succeeded"}
    assert sorted(p.name for p in out.iterdir()) == ["numbers_result.pkl", "squares_result.bin"]
    assert stored_op_output(home, run.doc["run_id"], "total") == 30


def test_unit_testing_an_io_manager_with_built_contexts(tmp_path: Path) -> None:
    """Dagster 1.13.28: `JsonIOManager.handle_output(build_output_context(asset_key=
    AssetKey(["weather", "today"])), {"temp": 21})` writes weather/today.json, the context's
    logged metadata has `file` and `rows`; `load_input(build_input_context(asset_key=...))`
    reads {"temp": 21} back. A context built without an asset key says has_asset_key False,
    get_identifier() == [run_id, step_key, name], has_partition_key False, and `asset_key` raises
    DagsterInvariantViolationError; definition_metadata is also `metadata`."""
    module = pipeline_module("io_json_files")
    manager = module.JsonIOManager(base_dir=str(tmp_path))
    out_ctx = dg.build_output_context(asset_key=dg.AssetKey(["weather", "today"]))
    manager.handle_output(out_ctx, {"temp": 21})
    assert json.loads((tmp_path / "weather" / "today.json").read_text()) == {"temp": 21}
    assert set(out_ctx.get_logged_metadata()) == {"file", "rows"}
    assert manager.load_input(dg.build_input_context(asset_key=dg.AssetKey(["weather", "today"]))) == {
        "temp": 21
    }

    plain = dg.build_output_context(step_key="s", name="n", run_id="r", definition_metadata={"owner": "me"})
    assert plain.has_asset_key is False
    assert plain.get_identifier() == ["r", "s", "n"]
    assert plain.has_partition_key is False
    assert plain.definition_metadata == plain.metadata == {"owner": "me"}
    with pytest.raises(dg.DagsterInvariantViolationError, match="asset_key"):
        _ = plain.asset_key
    inp = dg.build_input_context(name="x", upstream_output=plain)
    assert (inp.has_asset_key, inp.upstream_output.name, inp.name, inp.has_partition_key) == (
        False,
        "n",
        "x",
        False,
    )


def test_fs_io_manager_configured_base_dir(tmp_path: Path) -> None:
    """Dagster 1.13.28: `daily_report` (io_manager_key "archive" = `fs_io_manager.configured(
    {"base_dir": ...})`) is pickled to <base_dir>/daily_report and its materialization's `path` names
    that file; `signup_rate` loads it and is stored by the default IO manager under storage/
    (7 / 120)."""
    out, home = tmp_path / "out", tmp_path / "home"
    out.mkdir()
    run = cli_run(pipeline("io_fs_io_manager"), "materialize", home=home, env={"IO_BASE_DIR": str(out)})
    assert run.returncode == 0, run.stderr
    assert run.steps == {"daily_report": "succeeded", "signup_rate": "succeeded"}
    assert [p.name for p in out.iterdir()] == ["daily_report"]
    with open(out / "daily_report", "rb") as f:
        assert pickle.load(f) == {"visits": 120, "signups": 7}
    record = run_record(home, run.doc["run_id"])
    assert record.metadata("daily_report") == {"path": str(out / "daily_report")}
    assert stored_metadata(record, "signup_rate") == {}
    assert stored_asset_value(home, "signup_rate") == 7 / 120


def test_definition_metadata_reaches_the_io_manager(tmp_path: Path) -> None:
    """Dagster 1.13.28: the OutputContext of `page_views` (`@asset(metadata={"format": "json",
    ...})`) has that metadata as `definition_metadata`, so it is stored as page_views.json, and
    `busiest_page` loads it through `upstream_output.definition_metadata`, keeping only the keys its
    `AssetIn(metadata={"keys": [...]})` names (the InputContext's `definition_metadata`), so it is
    "docs"; `busiest_page` (no metadata) is stored as a pickle. Each materialization records only
    stored_as=<file name>: the definition metadata is not copied onto it."""
    out, home = tmp_path / "out", tmp_path / "home"
    out.mkdir()
    run = cli_run(pipeline("io_definition_metadata"), "materialize", home=home, env={"IO_BASE_DIR": str(out)})
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["busiest_page.pickle", "page_views.json"]
    assert json.loads((out / "page_views.json").read_text()) == {"home": 40, "pricing": 12, "docs": 30}
    with open(out / "busiest_page.pickle", "rb") as f:
        assert pickle.load(f) == "docs"
    record = run_record(home, run.doc["run_id"])
    assert record.metadata("page_views") == {"stored_as": "page_views.json"}
    assert record.metadata("busiest_page") == {"stored_as": "busiest_page.pickle"}


def test_upath_io_manager_subclass(tmp_path: Path) -> None:
    """Dagster 1.13.28: a UPathIOManager subclass with extension ".json" stores shop/products as
    <base>/shop/products.json and product_count as <base>/product_count.json ({"count": 3}); each
    materialization records `path` (the file) and the subclass's get_metadata items=3 / 1."""
    out, home = tmp_path / "out", tmp_path / "home"
    out.mkdir()
    run = cli_run(pipeline("io_upath"), "materialize", home=home, env={"IO_BASE_DIR": str(out)})
    assert run.returncode == 0, run.stderr
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "product_count.json",
        "shop",
        "shop/products.json",
    ]
    assert json.loads((out / "product_count.json").read_text()) == {"count": 3}
    record = run_record(home, run.doc["run_id"])
    assert record.metadata("shop/products") == {"path": str(out / "shop" / "products.json"), "items": 3}
    assert record.metadata("product_count") == {"path": str(out / "product_count.json"), "items": 1}


def test_custom_io_manager_across_step_processes(tmp_path: Path) -> None:
    """Dagster 1.13.28: `shout_job` (multiprocess executor) succeeds; each step runs in its own
    process (the `pid` metadata its IO manager added differs per asset and from the launching
    process), `shout` reads the file `greeting`'s process wrote: shout.txt holds "HELLO!"."""
    out, home = tmp_path / "out", tmp_path / "home"
    out.mkdir()
    run = cli_run(
        pipeline("io_multiprocess"), "job", "run", "shout_job", home=home, env={"IO_BASE_DIR": str(out)}
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"greeting": "succeeded", "shout": "succeeded"}
    assert (out / "shout.txt").read_text() == "HELLO!"
    record = run_record(home, run.doc["run_id"])
    pids = {record.metadata(key)["pid"] for key in ("greeting", "shout")}
    assert len(pids) == 2 and os.getpid() not in pids


def test_multi_asset_outputs_with_their_own_io_managers(tmp_path: Path) -> None:
    """Dagster 1.13.28: `load_users` stores `users` through its `AssetOut(io_manager_key="json_io")`
    (users.json; metadata output_name="users" only, the OutputContext's name is the output's) and
    `user_count` through the default IO manager (a `path` entry); `user_names` loads `users` back
    through json_io: ["ada", "grace"]."""
    out, home = tmp_path / "out", tmp_path / "home"
    out.mkdir()
    run = cli_run(pipeline("io_multi_asset"), "materialize", home=home, env={"IO_BASE_DIR": str(out)})
    assert run.returncode == 0, run.stderr
    assert [p.name for p in out.iterdir()] == ["users.json"]
    record = run_record(home, run.doc["run_id"])
    assert record.metadata("users") == {"output_name": "users"}
    assert stored_metadata(record, "user_count") == {}
    assert stored_asset_value(home, "user_names") == ["ada", "grace"]


def test_legacy_io_manager_adapter_passes_fields_as_config(tmp_path: Path) -> None:
    """Dagster 1.13.28: the ConfigurableLegacyIOManagerAdapter subclass hands its fields
    (base_dir, newline=";") to the wrapped `@io_manager` as `resource_config`: colors.txt holds
    "red;green;blue", loud_colors.txt "RED;GREEN;BLUE" (read back through the same manager); both
    materializations carry no metadata."""
    out, home = tmp_path / "out", tmp_path / "home"
    out.mkdir()
    run = cli_run(pipeline("io_legacy_adapter"), "materialize", home=home, env={"IO_BASE_DIR": str(out)})
    assert run.returncode == 0, run.stderr
    assert run.steps == {"colors": "succeeded", "loud_colors": "succeeded"}
    assert (out / "colors.txt").read_text() == "red;green;blue"
    assert (out / "loud_colors.txt").read_text() == "RED;GREEN;BLUE"
    record = run_record(home, run.doc["run_id"])
    assert record.metadata("colors") == {} and record.metadata("loud_colors") == {}
