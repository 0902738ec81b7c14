"""Instance settings from `[tool.dagdeck]` in ./pyproject.toml and `<home>/dagdeck.toml`."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dagdeck.core.errors import DefinitionError


@dataclass(frozen=True)
class Settings:
    max_concurrent_runs: int = 4
    cancel_grace_seconds: float = 10.0
    heartbeat_seconds: float = 5.0
    stale_heartbeat_seconds: float = 60.0
    step_log_max_bytes: int = 10 * 1024 * 1024
    store_url: str | None = None


def read_settings(home: Path, cwd: Path | None = None) -> Settings:
    values: dict[str, Any] = {}
    cwd = cwd or Path.cwd()
    for path, section in ((cwd / "pyproject.toml", ("tool", "dagdeck")), (home / "dagdeck.toml", ())):
        if not path.exists():
            continue
        try:
            data: Any = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as err:
            raise DefinitionError(f"cannot read settings: {err}", file=str(path), fix="fix the TOML syntax") from None
        for part in section:
            data = data.get(part, {})
        values.update(data)
    kwargs: dict[str, Any] = {}
    for name, default in ((f.name, f.default) for f in fields(Settings)):
        if name in values:
            raw = values[name]
            try:
                kwargs[name] = raw if default is None else type(default)(raw)
            except (TypeError, ValueError):
                raise DefinitionError(
                    f"setting {name} = {raw!r} is not a {type(default).__name__}", fix=f"give {name} a number"
                ) from None
    env_url = os.environ.get("DAGDECK_STORE_URL")
    if env_url:
        kwargs["store_url"] = env_url
    return Settings(**kwargs)
