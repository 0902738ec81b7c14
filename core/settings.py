"""Instance settings from `[tool.dagdeck]` in ./pyproject.toml and `<home>/dagdeck.toml`.

Settings are a pydantic model that forbids unknown keys, so a misspelt key is a load error naming the
file and the closest valid key instead of a setting silently ignored.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dagdeck.core.errors import DefinitionError, did_you_mean

LOCATION_KEYS = ("module", "file")
"""`[tool.dagdeck]` keys that name the code location (read by the loader, not settings)."""
HOME_ONLY_TABLES = ("keymap",)
"""Tables that `<home>/dagdeck.toml` may hold beside the settings (read by the console)."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_concurrent_runs: int = Field(4, ge=0)
    """At most this many runs at once; 0 holds every run in the queue."""
    cancel_grace_seconds: float = Field(10.0, ge=0)
    heartbeat_seconds: float = Field(5.0, gt=0)
    stale_heartbeat_seconds: float = Field(60.0, gt=0)
    step_log_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    store_url: str | None = None


def read_settings(home: Path, cwd: Path | None = None) -> Settings:
    values: dict[str, Any] = {}
    sources: dict[str, Path] = {}
    cwd = cwd or Path.cwd()
    for path, section, ignored in (
        (cwd / "pyproject.toml", ("tool", "dagdeck"), LOCATION_KEYS),
        (home / "dagdeck.toml", (), HOME_ONLY_TABLES),
    ):
        data = _read_table(path, section)
        for key, value in data.items():
            if key not in ignored:
                values[key], sources[key] = value, path
    env_url = os.environ.get("DAGDECK_STORE_URL")
    if env_url:
        values["store_url"] = env_url
    try:
        return Settings(**values)
    except ValidationError as err:
        raise _settings_error(err, sources) from None


def _read_table(path: Path, section: tuple[str, ...]) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data: Any = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as err:
        raise DefinitionError(f"cannot read settings: {err}", file=str(path), fix="fix the TOML syntax") from None
    for part in section:
        data = data.get(part, {}) if isinstance(data, dict) else {}
    return data if isinstance(data, dict) else {}


def _settings_error(err: ValidationError, sources: dict[str, Path]) -> DefinitionError:
    """The first problem as one line: the file, the key, and the fix."""
    problem = err.errors()[0]
    key = str(problem["loc"][0]) if problem["loc"] else "?"
    source = sources.get(key)
    file = str(source) if source else "DAGDECK_STORE_URL" if key == "store_url" else None
    if problem["type"] == "extra_forbidden":
        valid = list(Settings.model_fields)
        hint = did_you_mean(key, valid) or "valid settings: " + ", ".join(valid)
        return DefinitionError(f"unknown setting {key!r}", file=file, fix=hint)
    return DefinitionError(
        f"setting {key} = {problem.get('input')!r}: {problem['msg'].lower()}",
        file=file,
        fix=f"give {key} a valid value",
    )
