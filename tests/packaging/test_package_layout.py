"""The package list in pyproject.toml names every package folder, so nothing is left out of the wheel
(setuptools cannot discover packages through a package-dir mapping)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_folder_is_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping: dict[str, str] = config["package-dir"]
    found = set()
    for name, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *relative.parts]))
    assert sorted(found) == sorted(config["packages"])
    assert all(name == "dagdeck" or name.startswith("dagdeck.") for name in config["packages"])
