"""An IO manager choosing each asset's file format from the asset's definition metadata."""

import json
import os
import pickle

import dagdeck as dg


class FormatIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def _path(self, context: dg.OutputContext) -> str:
        fmt = context.definition_metadata.get("format", "pickle")
        return os.path.join(self.base_dir, f"{context.asset_key.path[-1]}.{fmt}")

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        path = self._path(context)
        if path.endswith(".json"):
            with open(path, "w") as f:
                json.dump(obj, f)
        else:
            with open(path, "wb") as f:
                pickle.dump(obj, f)
        context.add_output_metadata({"stored_as": os.path.basename(path)})

    def load_input(self, context: dg.InputContext):
        path = self._path(context.upstream_output)
        if path.endswith(".json"):
            with open(path) as f:
                value = json.load(f)
        else:
            with open(path, "rb") as f:
                value = pickle.load(f)
        keep = context.definition_metadata.get("keys")  # the AssetIn's metadata
        return {k: v for k, v in value.items() if k in keep} if keep else value


@dg.asset(metadata={"format": "json", "owner": "web-team"})
def page_views() -> dict:
    return {"home": 40, "pricing": 12, "docs": 30}


@dg.asset(ins={"page_views": dg.AssetIn(metadata={"keys": ["pricing", "docs"]})})
def busiest_page(page_views: dict) -> str:
    return max(page_views, key=page_views.get)


defs = dg.Definitions(
    assets=[page_views, busiest_page],
    resources={"io_manager": FormatIOManager(base_dir=os.environ.get("IO_BASE_DIR", "/tmp"))},
)
