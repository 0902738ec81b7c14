"""Ops configured the older way: `config_schema=` and `context.op_config`."""

import dagdeck as dg


@dg.op(
    config_schema={
        "url": str,
        "retries": dg.Field(int, default_value=3, description="How often to retry the download"),
        "timeout": dg.Field(dg.Noneable(float)),
        "columns": [str],
        "verbose": dg.Field(bool, is_required=False),
    }
)
def download(context):
    context.log.info(f"downloading {context.op_config['url']}")
    return dict(context.op_config)


@dg.op(config_schema=int)
def scale(context, settings):
    return {"factor": context.op_config, "columns": len(settings["columns"])}


@dg.op
def report(context, scaled):
    return {"op_config": context.op_config, **scaled}


@dg.job
def download_job():
    report(scale(download()))


defs = dg.Definitions(jobs=[download_job])
