"""An older `@io_manager` given typed fields through ConfigurableLegacyIOManagerAdapter."""

import os

import dagdeck as dg


class LinesIOManager(dg.IOManager):
    def __init__(self, base_dir: str, newline: str) -> None:
        self.base_dir = base_dir
        self.newline = newline

    def handle_output(self, context: dg.OutputContext, obj: list) -> None:
        with open(os.path.join(self.base_dir, context.asset_key.path[-1] + ".txt"), "w") as f:
            f.write(self.newline.join(obj))

    def load_input(self, context: dg.InputContext) -> list:
        with open(os.path.join(self.base_dir, context.asset_key.path[-1] + ".txt")) as f:
            return f.read().split(self.newline)


@dg.io_manager(config_schema={"base_dir": str, "newline": str})
def lines_io_manager(init_context):
    return LinesIOManager(init_context.resource_config["base_dir"], init_context.resource_config["newline"])


class LinesIOManagerResource(dg.ConfigurableLegacyIOManagerAdapter):
    base_dir: str
    newline: str = "\n"

    @property
    def wrapped_io_manager(self) -> dg.IOManagerDefinition:
        return lines_io_manager


@dg.asset
def colors() -> list:
    return ["red", "green", "blue"]


@dg.asset
def loud_colors(colors: list) -> list:
    return [c.upper() for c in colors]


defs = dg.Definitions(
    assets=[colors, loud_colors],
    resources={
        "io_manager": LinesIOManagerResource(base_dir=os.environ.get("IO_BASE_DIR", "/tmp"), newline=";")
    },
)
