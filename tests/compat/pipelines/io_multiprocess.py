"""A ConfigurableIOManager writing text files, used by a job run with the multiprocess executor:
each step process gets its own initialized IO manager and reads what another process wrote."""

import os

import dagdeck as dg


class TextIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def _path(self, context) -> str:
        return os.path.join(self.base_dir, "_".join(context.asset_key.path) + ".txt")

    def handle_output(self, context: dg.OutputContext, obj: str) -> None:
        with open(self._path(context), "w") as f:
            f.write(obj)
        context.add_output_metadata({"pid": os.getpid()})

    def load_input(self, context: dg.InputContext) -> str:
        with open(self._path(context)) as f:
            return f.read()


@dg.asset
def greeting() -> str:
    return "hello"


@dg.asset
def shout(greeting: str) -> str:
    return greeting.upper() + "!"


shout_job = dg.define_asset_job(
    "shout_job", selection=[greeting, shout], executor_def=dg.multiprocess_executor
)

defs = dg.Definitions(
    assets=[greeting, shout],
    jobs=[shout_job],
    resources={"io_manager": TextIOManager(base_dir=os.environ.get("IO_BASE_DIR", "/tmp"))},
)
