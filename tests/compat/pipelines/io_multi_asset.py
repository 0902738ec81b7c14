"""A multi_asset whose outputs go to different IO managers (`AssetOut(io_manager_key=...)`)."""

import json
import os

import dagdeck as dg


class JsonDirIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def _path(self, context) -> str:
        return os.path.join(self.base_dir, context.asset_key.to_user_string() + ".json")

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        with open(self._path(context), "w") as f:
            json.dump(obj, f)
        context.add_output_metadata({"output_name": context.name})

    def load_input(self, context: dg.InputContext):
        with open(self._path(context)) as f:
            return json.load(f)


@dg.multi_asset(
    outs={
        "users": dg.AssetOut(io_manager_key="json_io"),
        "user_count": dg.AssetOut(),
    }
)
def load_users():
    users = [{"name": "ada"}, {"name": "grace"}]
    return users, len(users)


@dg.asset
def user_names(users: list) -> list:
    return sorted(u["name"] for u in users)


defs = dg.Definitions(
    assets=[load_users, user_names],
    resources={"json_io": JsonDirIOManager(base_dir=os.environ.get("IO_BASE_DIR", "/tmp"))},
)
