"""A ConfigurableIOManager that writes each asset as a JSON file under a configured base_dir."""

import json
import os
from pathlib import Path

import dagdeck as dg


class JsonIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def _path(self, context) -> Path:
        return Path(self.base_dir, *context.asset_key.path).with_suffix(".json")

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        path = self._path(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(obj))
        context.add_output_metadata({"file": str(path), "rows": len(obj)})

    def load_input(self, context: dg.InputContext):
        return json.loads(self._path(context).read_text())


@dg.asset
def cities() -> list:
    return [{"name": "Lyon", "people": 522_000}, {"name": "Nantes", "people": 320_000}]


@dg.asset
def big_cities(cities: list) -> list:
    return [c["name"] for c in cities if c["people"] > 400_000]


defs = dg.Definitions(
    assets=[cities, big_cities],
    resources={"io_manager": JsonIOManager(base_dir=os.environ.get("IO_BASE_DIR", "/tmp/io_json"))},
)
