"""Pythonic resources: a ConfigurableResource with a secret read from the environment, a nested
resource, and setup/teardown around the run."""

import dagdeck as dg


class Credentials(dg.ConfigurableResource):
    user: str
    token: str


class WeatherClient(dg.ConfigurableResource):
    base_url: str
    credentials: Credentials
    timeout: int = 10

    def fetch(self, city: str) -> dict:
        return {"city": city, "url": f"{self.base_url}/{city}", "token_len": len(self.credentials.token)}


@dg.asset
def weather(context: dg.AssetExecutionContext, client: WeatherClient) -> dict:
    reading = client.fetch("paris")
    context.add_output_metadata(
        {"url": reading["url"], "token_len": reading["token_len"], "timeout": client.timeout}
    )
    return reading


defs = dg.Definitions(
    assets=[weather],
    resources={
        "client": WeatherClient(
            base_url="https://api.example.com",
            credentials=Credentials(user="ann", token=dg.EnvVar("WEATHER_TOKEN")),
        )
    },
)
