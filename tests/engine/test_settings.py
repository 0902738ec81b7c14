"""Settings files: known keys are read and typed; unknown keys and bad values are one clear error
naming the file, the key and the fix (never a silently ignored setting)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagdeck.core.errors import DefinitionError
from dagdeck.core.settings import Settings, read_settings


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_settings_come_from_pyproject_then_the_home_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGDECK_STORE_URL", raising=False)
    _write(tmp_path / "pyproject.toml", '[tool.dagdeck]\nmodule = "defs"\nmax_concurrent_runs = 2\ncancel_grace_seconds = 3\n')
    _write(tmp_path / "home" / "dagdeck.toml", 'max_concurrent_runs = 7\n\n[keymap]\n"assets.materialize" = "x"\n')
    settings = read_settings(tmp_path / "home", cwd=tmp_path)
    assert settings == Settings(max_concurrent_runs=7, cancel_grace_seconds=3.0)


def test_an_unknown_key_names_the_file_and_the_closest_setting(tmp_path: Path) -> None:
    pyproject = _write(tmp_path / "pyproject.toml", "[tool.dagdeck]\nmax_concurent_runs = 3\n")
    with pytest.raises(DefinitionError) as err:
        read_settings(tmp_path / "home", cwd=tmp_path)
    message = str(err.value)
    assert message.startswith(f"{pyproject}: unknown setting 'max_concurent_runs'")
    assert "did you mean 'max_concurrent_runs'?" in message


def test_an_unknown_key_in_the_home_file_is_reported_too(tmp_path: Path) -> None:
    home_file = _write(tmp_path / "home" / "dagdeck.toml", "hartbeat_seconds = 1\n")
    with pytest.raises(DefinitionError) as err:
        read_settings(tmp_path / "home", cwd=tmp_path)
    assert str(home_file) in str(err.value) and "'heartbeat_seconds'" in str(err.value)


@pytest.mark.parametrize(
    ("line", "key"),
    [("store_url = 5", "store_url"), ('max_concurrent_runs = "many"', "max_concurrent_runs"), ("max_concurrent_runs = -2", "max_concurrent_runs"), ("heartbeat_seconds = 0", "heartbeat_seconds")],
)
def test_a_bad_value_is_one_line_naming_the_key(tmp_path: Path, line: str, key: str) -> None:
    _write(tmp_path / "pyproject.toml", f"[tool.dagdeck]\n{line}\n")
    with pytest.raises(DefinitionError) as err:
        read_settings(tmp_path / "home", cwd=tmp_path)
    assert f"setting {key} = " in str(err.value) and "\n" not in str(err.value)


def test_broken_toml_is_a_definition_error(tmp_path: Path) -> None:
    _write(tmp_path / "home" / "dagdeck.toml", "max_concurrent_runs = = 3\n")
    with pytest.raises(DefinitionError, match="cannot read settings"):
        read_settings(tmp_path / "home", cwd=tmp_path)


def test_the_store_url_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGDECK_STORE_URL", "postgresql://u@db/x")
    _write(tmp_path / "pyproject.toml", '[tool.dagdeck]\nstore_url = "sqlite:///other.db"\n')
    assert read_settings(tmp_path / "home", cwd=tmp_path).store_url == "postgresql://u@db/x"
