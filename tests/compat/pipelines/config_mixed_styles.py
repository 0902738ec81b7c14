"""An op that mixes both config styles: a pydantic `config` parameter and `config_schema=`."""

import dagdeck as dg


class ThresholdConfig(dg.Config):
    limit: int = 10


@dg.op(config_schema={"limit": int})
def check_rows(context, config: ThresholdConfig):
    return config.limit


@dg.job
def rows_job():
    check_rows()


defs = dg.Definitions(jobs=[rows_job])
