"""A plain IOManager keeping values in a dict, given to some outputs with `io_manager_key`."""

import json
import os

import dagdeck as dg


class DictIOManager(dg.IOManager):
    def __init__(self) -> None:
        self.values = {}

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        self.values[tuple(context.get_identifier())] = obj

    def load_input(self, context: dg.InputContext):
        return self.values[tuple(context.upstream_output.get_identifier())]


@dg.io_manager
def dict_io_manager() -> DictIOManager:
    return DictIOManager()


@dg.op(out=dg.Out(io_manager_key="dict_io"))
def load_words() -> list:
    return ["dagster", "io", "manager"]


@dg.op(out={"longest": dg.Out(io_manager_key="dict_io"), "count": dg.Out()})
def measure(words: list):
    return max(words, key=len), len(words)


@dg.op
def report(longest: str, count: int) -> None:
    with open(os.environ.get("IO_REPORT", "/tmp/io_report.json"), "w") as f:
        json.dump({"longest": longest, "count": count}, f)


@dg.job(resource_defs={"dict_io": dict_io_manager})
def words_job():
    longest, count = measure(load_words())
    report(longest, count)


defs = dg.Definitions(jobs=[words_job])
