"""A UPathIOManager subclass storing each asset as a JSON file under a base path."""

import json
import os
from pathlib import Path

import dagdeck as dg


class JsonFileIOManager(dg.UPathIOManager):
    extension = ".json"

    def dump_to_path(self, context: dg.OutputContext, obj, path) -> None:
        with path.open("w") as f:
            json.dump(obj, f)

    def load_from_path(self, context: dg.InputContext, path):
        with path.open("r") as f:
            return json.load(f)

    def get_metadata(self, context: dg.OutputContext, obj) -> dict:
        return {"items": len(obj)}


@dg.asset(key_prefix=["shop"])
def products() -> list:
    return ["tea", "coffee", "cocoa"]


@dg.asset(ins={"products": dg.AssetIn(key=["shop", "products"])})
def product_count(products: list) -> dict:
    return {"count": len(products)}


defs = dg.Definitions(
    assets=[products, product_count],
    resources={"io_manager": JsonFileIOManager(base_path=Path(os.environ.get("IO_BASE_DIR", "/tmp/upath")))},
)
