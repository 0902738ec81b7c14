"""An IO manager that notes what its contexts say, for an asset with metadata and an op."""

import json
import os
import pickle

import dagdeck as dg

NOTES = os.environ.get("IO_NOTES", "/tmp/io_notes.jsonl")


def note(**kw) -> None:
    with open(NOTES, "a") as f:
        f.write(json.dumps(kw) + "\n")


class NotingIOManager(dg.IOManager):
    def __init__(self, base_dir: str) -> None:
        self.base_dir = base_dir

    def _file(self, context) -> str:
        ident = context.get_asset_identifier() if context.has_asset_key else context.get_identifier()
        return os.path.join(self.base_dir, "__".join(ident))

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        note(
            kind="output",
            name=context.name,
            step_key=context.step_key,
            has_asset_key=context.has_asset_key,
            asset_key=context.asset_key.path if context.has_asset_key else None,
            asset_identifier=context.get_asset_identifier() if context.has_asset_key else None,
            identifier_len=len(context.get_identifier()),
            run_id_ok=context.run_id is not None and len(context.run_id) > 0,
            has_partition_key=context.has_partition_key,
        )
        context.log.info(f"storing {context.name}")
        with open(self._file(context), "wb") as f:
            pickle.dump(obj, f)

    def load_input(self, context: dg.InputContext):
        up = context.upstream_output
        note(
            kind="input",
            name=context.name,
            has_asset_key=context.has_asset_key,
            asset_key=context.asset_key.path if context.has_asset_key else None,
            upstream_name=up.name,
            upstream_step_key=up.step_key,
            has_partition_key=context.has_partition_key,
        )
        with open(self._file(context), "rb") as f:
            return pickle.load(f)


@dg.io_manager(config_schema={"base_dir": str})
def noting_io_manager(init_context) -> NotingIOManager:
    return NotingIOManager(init_context.resource_config["base_dir"])


@dg.asset(key_prefix=["raw"])
def orders() -> list:
    return [3, 4, 5]


@dg.asset
def order_total(orders: list) -> int:
    return sum(orders)


defs = dg.Definitions(
    assets=[orders, order_total],
    resources={
        "io_manager": noting_io_manager.configured({"base_dir": os.environ.get("IO_BASE_DIR", "/tmp")})
    },
)
