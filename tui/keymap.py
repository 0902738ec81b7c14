"""User key remapping: `[keymap]` in `<home>/dagdeck.toml` maps binding ids to keys,
e.g. `"assets.materialize" = "ctrl+m,m"`."""

from __future__ import annotations

import tomllib
from pathlib import Path


def read_keymap(home: Path) -> dict[str, str]:
    path = home / "dagdeck.toml"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError:
        return {}
    keymap = data.get("keymap") or {}
    return {str(k): str(v) for k, v in keymap.items() if isinstance(v, str)}
