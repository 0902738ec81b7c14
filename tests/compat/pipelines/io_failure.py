"""An IO manager that cannot store what it is given: the producing step fails."""

import dagdeck as dg


class JsonOnlyIOManager(dg.IOManager):
    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if not isinstance(obj, dict):
            raise TypeError(f"JsonOnlyIOManager stores dicts, not {type(obj).__name__}")

    def load_input(self, context: dg.InputContext):
        return {}


@dg.asset(io_manager_key="json_only")
def settings() -> set:
    return {"a", "b"}


@dg.asset
def settings_count(settings) -> int:
    return len(settings)


defs = dg.Definitions(assets=[settings, settings_count], resources={"json_only": JsonOnlyIOManager()})
