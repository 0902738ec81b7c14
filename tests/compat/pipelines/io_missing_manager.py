"""An asset stored by an IO manager that no resource provides."""

import dagdeck as dg


@dg.asset(io_manager_key="warehouse")
def orders() -> list[int]:
    return [1, 2]


defs = dg.Definitions(assets=[orders])
