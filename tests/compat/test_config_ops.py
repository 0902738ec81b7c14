"""`@op(config_schema=...)` and `context.op_config`, run through the CLI with `--config`."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, cli_usage_error, pipeline, stored_op_output

FILE = pipeline("config_op_schema")
GOOD = {
    "ops": {
        "download": {"config": {"url": "https://x/data.csv", "columns": ["a", "b"]}},
        "scale": {"config": 10},
    }
}


def _config(download: dict[str, object], scale: object = 10) -> str:
    ops: dict[str, object] = {"download": {"config": download}}
    if scale is not None:
        ops["scale"] = {"config": scale}
    return json.dumps({"ops": ops})


def test_op_config_gets_defaults_and_scalar_schemas(tmp_path: Path) -> None:
    """Dagster 1.13.28: the job succeeds (download, scale, report); `download` sees
    {'url': 'https://x/data.csv', 'retries': 3, 'timeout': None, 'columns': ['a', 'b']}: the
    default filled in, the Noneable field None, the optional field without default left out;
    `scale` (config_schema=int) sees the plain int 10; `report` has no schema and sees None."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", "download_job", "--config", json.dumps(GOOD), home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"download": "succeeded", "scale": "succeeded", "report": "succeeded"}
    run_id = run.doc["run_id"]
    assert stored_op_output(home, run_id, "download") == {
        "url": "https://x/data.csv",
        "retries": 3,
        "timeout": None,
        "columns": ["a", "b"],
    }
    assert stored_op_output(home, run_id, "scale") == {"factor": 10, "columns": 2}
    assert stored_op_output(home, run_id, "report") == {"op_config": None, "factor": 10, "columns": 2}


def test_missing_required_entry_is_refused_before_the_run(tmp_path: Path) -> None:
    """Dagster 1.13.28: DagsterInvalidConfigError before any step runs: 'Missing required config
    entry "url" at path root:ops:download:config'."""
    line = cli_usage_error(
        FILE, "job", "run", "download_job", "--config", _config({"columns": []}), home=tmp_path
    )
    assert "step 'download'" in line
    assert 'Missing required config entry "url" at path root:ops:download:config' in line


def test_unknown_entry_is_refused(tmp_path: Path) -> None:
    """Dagster 1.13.28: DagsterInvalidConfigError: 'Received unexpected config entry "retry" at
    path root:ops:download:config', listing the expected fields."""
    config = _config({"url": "u", "columns": [], "retry": 1})
    line = cli_usage_error(FILE, "job", "run", "download_job", "--config", config, home=tmp_path)
    assert 'Received unexpected config entry "retry" at path root:ops:download:config' in line
    assert "retries?: Int" in line


def test_wrong_types_are_refused_with_their_path(tmp_path: Path) -> None:
    """Dagster 1.13.28: 'Invalid scalar at path root:ops:download:config:columns[0]. Value "1" ...
    is not valid for expected type "String"', and for the scalar schema 'Invalid scalar at path
    root:ops:scale:config. Value "ten" ... "Int"'."""
    config = _config({"url": "u", "columns": [1]})
    line = cli_usage_error(FILE, "job", "run", "download_job", "--config", config, home=tmp_path)
    assert 'Invalid scalar at path root:ops:download:config:columns[0]. Value "1"' in line
    assert 'expected type "String"' in line
    config = _config({"url": "u", "columns": []}, scale="ten")
    line = cli_usage_error(FILE, "job", "run", "download_job", "--config", config, home=tmp_path)
    assert 'Invalid scalar at path root:ops:scale:config. Value "ten"' in line and '"Int"' in line


def test_op_whose_schema_has_required_fields_needs_an_entry(tmp_path: Path) -> None:
    """Dagster 1.13.28: leaving `scale` (config_schema=int) out of run config is
    'Missing required config entry "scale" at path root:ops'."""
    config = _config({"url": "u", "columns": []}, scale=None)
    line = cli_usage_error(FILE, "job", "run", "download_job", "--config", config, home=tmp_path)
    assert 'missing required config entry "scale" at path root:ops' in line.lower()
