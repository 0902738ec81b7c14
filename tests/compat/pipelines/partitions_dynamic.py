"""Partitions added at run time: one per file a sensor finds, as in Dagster's dynamic partitions
example; the sensor adds the keys and requests a run of each."""

import dagdeck as dg

files = dg.DynamicPartitionsDefinition(name="files")


@dg.asset(partitions_def=files)
def processed_file(context: dg.AssetExecutionContext) -> str:
    return context.partition_key.upper()


files_job = dg.define_asset_job("files_job", selection=[processed_file], partitions_def=files)


@dg.sensor(job=files_job, minimum_interval_seconds=1)
def new_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    found = ["a.csv", "b.csv"]
    new = [f for f in found if not context.instance.has_dynamic_partition(files.name, f)]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(partition_key=f) for f in new],
        dynamic_partitions_requests=[files.build_add_request(new)],
    )


defs = dg.Definitions(assets=[processed_file], jobs=[files_job], sensors=[new_files_sensor])
