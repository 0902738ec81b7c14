"""Resources configured when the run is launched: a ConfigurableResource's fields and a configured
function resource, from run config {"resources": {key: {"config": ...}}}, on a job made with
to_job(resource_defs=)."""

import dagdeck as dg


class Api(dg.ConfigurableResource):
    host: str = "localhost"
    port: int = 80

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}/{path}"


@dg.resource(config_schema={"factor": int})
def multiplier(init_context):
    return init_context.resource_config["factor"]


triple = multiplier.configured({"factor": 3})


@dg.op
def endpoint(api: Api) -> str:
    return api.url("items")


@dg.op(required_resource_keys={"scale"})
def scaled(context: dg.OpExecutionContext, url: str) -> int:
    return len(url) * context.resources.scale


@dg.graph
def fetch():
    scaled(endpoint())


fetch_job = fetch.to_job(name="fetch_job", resource_defs={"api": Api(), "scale": triple})

defs = dg.Definitions(jobs=[fetch_job])
