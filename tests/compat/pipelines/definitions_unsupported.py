"""A pipeline using a Dagster name dagdeck does not have yet (dynamic partitions)."""

import dagdeck as dg

customers = dg.DynamicPartitionsDefinition(name="customers")


@dg.asset(partitions_def=customers)
def customer_report(context: dg.AssetExecutionContext) -> str:
    return context.partition_key


defs = dg.Definitions(assets=[customer_report])
