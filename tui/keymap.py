"""User key remapping: `[keymap]` in `<home>/dagdeck.toml` maps binding ids to keys,
e.g. `"assets.materialize" = "m,ctrl+r"`.

Unknown ids and values that are not key strings are reported (with the closest valid id) rather
than dropped silently: a remap that does nothing is worse than a message saying why.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dagdeck.core.console_api import did_you_mean


@dataclass
class Keymap:
    bindings: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_keymap(home: Path, known_ids: Iterable[str]) -> Keymap:
    path = home / "dagdeck.toml"
    if not path.is_file():
        return Keymap()
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as err:
        return Keymap(problems=[f"{path}: cannot read [keymap]: {err}"])
    table = data.get("keymap") or {}
    if not isinstance(table, dict):
        return Keymap(problems=[f"{path}: [keymap] must be a table of binding id = \"keys\""])
    known = sorted(set(known_ids))
    keymap = Keymap()
    for binding_id, keys in table.items():
        if binding_id not in known:
            hint = did_you_mean(binding_id, known) or "press ? to see every binding id"
            keymap.problems.append(f"{path}: [keymap] unknown binding id {binding_id!r}; {hint}")
        elif not isinstance(keys, str) or not keys.strip():
            keymap.problems.append(f'{path}: [keymap] {binding_id} must be keys like "m,ctrl+r"')
        else:
            keymap.bindings[binding_id] = keys
    return keymap
