"""`configured`: ops whose config is fixed, or computed from a smaller config of their own."""

import dagdeck as dg


@dg.op(config_schema={"region": str, "bucket": str, "retries": dg.Field(int, default_value=1)})
def upload(context):
    return dict(context.op_config)


upload_eu = dg.configured(upload, name="upload_eu")({"region": "eu-west-1", "bucket": "eu-data"})
upload_us = upload.configured({"region": "us-east-1", "bucket": "us-data", "retries": 5}, name="upload_us")


@dg.configured(upload, config_schema={"env": str})
def upload_for_env(config):
    return {"region": "eu-west-1", "bucket": f"{config['env']}-bucket"}


@dg.job
def upload_job():
    upload_eu()
    upload_us()
    upload_for_env()


defs = dg.Definitions(jobs=[upload_job])
