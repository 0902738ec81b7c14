"""An input manager loads an asset's input from outside the run (`AssetIn(input_manager_key=)`),
next to per-asset `io_manager_key`s mixing a custom IO manager with the default one."""

import csv
import os

import dagdeck as dg

SOURCE = os.environ.get("IO_SOURCE_CSV", "/tmp/io_source.csv")


@dg.input_manager
def csv_loader(context: dg.InputContext) -> list:
    with open(SOURCE, newline="") as f:
        return [row for row in csv.DictReader(f)]


class CsvIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def handle_output(self, context: dg.OutputContext, obj: list) -> None:
        path = os.path.join(self.base_dir, context.asset_key.path[-1] + ".csv")
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(obj[0]))
            writer.writeheader()
            writer.writerows(obj)
        context.add_output_metadata({"row_count": len(obj)})

    def load_input(self, context: dg.InputContext) -> list:
        path = os.path.join(self.base_dir, context.asset_key.path[-1] + ".csv")
        with open(path, newline="") as f:
            return list(csv.DictReader(f))


raw_sales = dg.AssetSpec("raw_sales", description="a CSV file written outside dagdeck")


@dg.asset(ins={"raw": dg.AssetIn("raw_sales", input_manager_key="csv_loader")}, io_manager_key="csv_io")
def sales(raw: list) -> list:
    return [{"region": r["region"], "amount": int(r["amount"]) * 2} for r in raw]


@dg.asset
def sales_total(sales: list) -> int:
    return sum(int(r["amount"]) for r in sales)


defs = dg.Definitions(
    assets=[raw_sales, sales, sales_total],
    resources={
        "csv_loader": csv_loader,
        "csv_io": CsvIOManager(base_dir=os.environ.get("IO_BASE_DIR", "/tmp")),
    },
)
