"""An `@io_manager` factory whose base directory comes from run config, and a
ConfigurableIOManagerFactory, each given to the ops of a job."""

import os
import pickle

import dagdeck as dg


class PickleDirIOManager(dg.IOManager):
    def __init__(self, base_dir: str, suffix: str) -> None:
        self.base_dir = base_dir
        self.suffix = suffix

    def _path(self, context) -> str:
        return os.path.join(self.base_dir, context.step_key + "_" + context.name + self.suffix)

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        with open(self._path(context), "wb") as f:
            pickle.dump(obj, f)

    def load_input(self, context: dg.InputContext):
        with open(self._path(context.upstream_output), "rb") as f:
            return pickle.load(f)


@dg.io_manager(config_schema={"base_dir": str})
def pickle_dir_io_manager(init_context):
    return PickleDirIOManager(init_context.resource_config["base_dir"], ".pkl")


class SuffixedIOManagerFactory(dg.ConfigurableIOManagerFactory):
    base_dir: str
    suffix: str = ".bin"

    def create_io_manager(self, context) -> PickleDirIOManager:
        return PickleDirIOManager(self.base_dir, self.suffix)


@dg.op(out=dg.Out(io_manager_key="pickles"))
def numbers() -> list:
    return [1, 2, 3, 4]


@dg.op(out=dg.Out(io_manager_key="suffixed"))
def squares(numbers: list) -> list:
    return [n * n for n in numbers]


@dg.op
def total(squares: list) -> int:
    return sum(squares)


@dg.job(
    resource_defs={
        "pickles": pickle_dir_io_manager,
        "suffixed": SuffixedIOManagerFactory(base_dir=os.environ.get("IO_BASE_DIR", "/tmp")),
    },
    config={"resources": {"pickles": {"config": {"base_dir": os.environ.get("IO_BASE_DIR", "/tmp")}}}},
)
def squares_job():
    total(squares(numbers()))


defs = dg.Definitions(jobs=[squares_job])
