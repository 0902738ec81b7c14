"""Instance settings from `[tool.dagdeck]` in ./pyproject.toml and `<home>/dagdeck.toml`.

Settings are a pydantic model that forbids unknown keys, so a misspelt key is a load error naming the
file and the closest valid key instead of a setting silently ignored.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dagdeck.core.errors import DefinitionError, did_you_mean
from dagdeck.store.urls import URL_FORM, redacted, url_problem

LOCATION_KEYS = ("module", "file")
"""`[tool.dagdeck]` keys that name the code location (read by the loader, not settings)."""
HOME_ONLY_TABLES = ("keymap",)
"""Tables that `<home>/dagdeck.toml` may hold beside the settings (read by the console)."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_concurrent_runs: int = Field(4, ge=-1)
    """At most this many runs at once; -1 means no limit, 0 pauses the queue (runs stay QUEUED)."""
    keep_orphan_processes: bool = False
    """Leave processes a run's steps started outside the worker's session (`setsid`) or left running
    after the run ended; by default they are stopped with the run."""
    cancel_grace_seconds: float = Field(10.0, ge=0)
    heartbeat_seconds: float = Field(5.0, gt=0)
    stale_heartbeat_seconds: float = Field(60.0, gt=0)
    step_log_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_metadata_bytes: int = Field(1024 * 1024, ge=1024)
    """A metadata value bigger than this (as JSON) is stored truncated, with a note saying so."""
    store_url: str | None = None

    @field_validator("store_url")
    @classmethod
    def _valid_store_url(cls, url: str | None) -> str | None:
        """Refuse a malformed URL here, with the setting's source, not later as a SQLAlchemy traceback."""
        problem = url_problem(url) if url else None
        if problem is not None:
            raise ValueError(f"store URL {redacted(url or '')!r} {problem}")
        return url


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
    if key == "store_url" and problem["type"] == "value_error":
        # the validator's own words: they show the URL without its password
        return DefinitionError(str(problem["ctx"]["error"]), file=file, fix=f"write it as {URL_FORM}")
    return DefinitionError(
        f"setting {key} = {problem.get('input')!r}: {problem['msg'].lower()}",
        file=file,
        fix=f"give {key} a valid value",
    )
