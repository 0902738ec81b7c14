"""`configured` on a resource with a smaller config schema: the run gives the outer config, a
function maps it onto the resource's own; plus an int EnvVar field."""

import dagdeck as dg


@dg.resource(config_schema={"base_url": str, "retries": int})
def http_client(init_context):
    cfg = init_context.resource_config
    return {"url": cfg["base_url"], "retries": cfg["retries"]}


@dg.configured(http_client, config_schema={"region": str})
def regional_client(config):
    return {"base_url": f"https://{config['region']}.api.example.com", "retries": 3}


class Pool(dg.ConfigurableResource):
    size: int

    def describe(self) -> str:
        return f"pool of {self.size}"


@dg.op(required_resource_keys={"client", "pool"})
def endpoint(context: dg.OpExecutionContext) -> str:
    client = context.resources.client
    return f"{client['url']} x{client['retries']} ({context.resources.pool.describe()})"


@dg.job(resource_defs={"client": regional_client, "pool": Pool(size=dg.EnvVar.int("POOL_SIZE"))})
def regional_job():
    endpoint()


defs = dg.Definitions(jobs=[regional_job])
