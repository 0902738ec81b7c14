"""An op whose outputs go to two IO managers: a JSON one from config and the default."""

import json
import os

import dagdeck as dg


class JsonIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def _path(self, context) -> str:
        return os.path.join(self.base_dir, "_".join(context.get_identifier()) + ".json")

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        os.makedirs(self.base_dir, exist_ok=True)
        with open(self._path(context), "w") as f:
            json.dump(obj, f)

    def load_input(self, context: dg.InputContext):
        with open(self._path(context.upstream_output)) as f:
            return json.load(f)


@dg.op(out={"longest": dg.Out(io_manager_key="json_io"), "count": dg.Out()})
def measure():
    return "dagster", 3


@dg.job(resource_defs={"json_io": JsonIOManager(base_dir=os.environ.get("WORDS_DIR", "words_out"))})
def words_job():
    measure()


defs = dg.Definitions(jobs=[words_job])
