"""Test doubles: ResourceDefinition.hardcoded_resource / mock_resource / none_resource stand in for
real clients, and assets declare what they need with required_resource_keys."""

import dagdeck as dg


@dg.asset(required_resource_keys={"settings", "mailer", "cache"})
def report(context: dg.AssetExecutionContext) -> dict:
    settings = context.resources.settings
    context.resources.mailer.send(to=settings["to"], body="report ready")
    return {
        "to": settings["to"],
        "mailer_calls": len(context.resources.mailer.send.call_args_list),
        "cache_is_none": context.resources.cache is None,
    }


defs = dg.Definitions(
    assets=[report],
    resources={
        "settings": dg.ResourceDefinition.hardcoded_resource({"to": "team@example.com"}),
        "mailer": dg.ResourceDefinition.mock_resource(),
        "cache": dg.ResourceDefinition.none_resource(),
    },
)
