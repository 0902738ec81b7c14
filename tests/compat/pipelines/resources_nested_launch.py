"""Resources built from other resources: a client holding a ResourceDependency on a connection
configured at launch, a values resource, and a resource whose setup fails."""

import dagdeck as dg


class Connection(dg.ConfigurableResource):
    host: str
    port: int = 5432

    def dsn(self) -> str:
        return f"{self.host}:{self.port}"


class Repository(dg.ConfigurableResource):
    connection: dg.ResourceDependency[Connection]
    table: str

    def describe(self) -> str:
        return f"{self.table}@{self.connection.dsn()}"


class Flaky(dg.ConfigurableResource):
    fail: bool = False

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.fail:
            raise ConnectionError("cannot reach the broker")


@dg.asset
def inventory(repository: Repository, settings: dg.ResourceParam[dict]) -> str:
    return f"{repository.describe()} limit={settings['limit']}"


@dg.asset(required_resource_keys={"flaky"})
def queue_depth(context: dg.AssetExecutionContext) -> int:
    return 0


connection = Connection.configure_at_launch()

defs = dg.Definitions(
    assets=[inventory, queue_depth],
    resources={
        "connection": connection,
        "repository": Repository(connection=connection, table="items"),
        "settings": dg.make_values_resource(limit=int),
        "flaky": Flaky(),
    },
)
