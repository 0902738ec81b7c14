"""An asset requiring a resource nobody provides: Dagster refuses the Definitions when it resolves them."""

import dagdeck as dg


@dg.asset(required_resource_keys={"database"})
def users(context: dg.AssetExecutionContext) -> list:
    return context.resources.database.query("select * from users")


defs = dg.Definitions(assets=[users])
