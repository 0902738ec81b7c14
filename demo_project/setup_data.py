"""(Re)create the demo's input data: `python -m demo_project.setup_data`.

Deterministic and offline: the same ~5,000 orders every time (`random.Random(42)`), a few of them
deliberately dirty so the cleaning step has something to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
DATA_DIR = PACKAGE_DIR / "data"
SOURCE_CSV = DATA_DIR / "source" / "orders.csv"
INCOMING_DIR = DATA_DIR / "incoming"
WAREHOUSE_DIR = PACKAGE_DIR / "warehouse"

COLUMNS = ["order_id", "customer_email", "product", "quantity", "unit_price", "ordered_at"]
PRODUCTS = {
    "espresso beans 1kg": 24.90,
    "filter papers": 4.50,
    "hand grinder": 89.00,
    "milk jug": 17.50,
    "pour-over kettle": 54.00,
    "scale": 32.00,
    "tamper": 29.90,
    "travel mug": 19.90,
}
FIRST = ["ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivo", "jules", "kofi", "lena"]
DOMAINS = ["example.com", "mail.test", "corp.example"]
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def make_orders(
    n: int, rng: random.Random, first_id: int = 1, start: dt.datetime = START, days: int = 90
) -> list[dict[str, str]]:
    """`n` orders over `days` days from `start`, as CSV-ready rows.

    About 1 in 80 is dirty: no e-mail, zero quantity, a price that is not a number, or a repeated id.
    """
    rows: list[dict[str, str]] = []
    for i in range(n):
        product = rng.choice(list(PRODUCTS))
        price = PRODUCTS[product] * rng.uniform(0.9, 1.1)
        row = {
            "order_id": str(first_id + i),
            "customer_email": f"{rng.choice(FIRST)}.{rng.randint(1, 60)}@{rng.choice(DOMAINS)}",
            "product": product,
            "quantity": str(rng.choices([1, 2, 3, 4, 6], weights=[60, 20, 10, 6, 4])[0]),
            "unit_price": f"{price:.2f}",
            "ordered_at": (start + dt.timedelta(minutes=rng.randint(0, days * 24 * 60))).isoformat(),
        }
        dirt = rng.random()
        if dirt < 0.004:
            row["customer_email"] = ""
        elif dirt < 0.007:
            row["quantity"] = "0"
        elif dirt < 0.01:
            row["unit_price"] = "n/a"
        elif dirt < 0.0125 and rows:
            row["order_id"] = rows[-1]["order_id"]
        rows.append(row)
    rows.sort(key=lambda r: r["ordered_at"])
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def create_source_data() -> Path:
    """Write `data/source/orders.csv` (5,000 orders, seed 42) and an empty `data/incoming/`."""
    write_csv(SOURCE_CSV, make_orders(5000, random.Random(42)))
    INCOMING_DIR.mkdir(parents=True, exist_ok=True)
    return SOURCE_CSV


def ensure_source_data() -> Path:
    """The source CSV, created first if it is missing (so `materialize` works without setup)."""
    if not SOURCE_CSV.exists():
        create_source_data()
    INCOMING_DIR.mkdir(parents=True, exist_ok=True)
    return SOURCE_CSV


def main() -> None:
    path = create_source_data()
    print(f"wrote {path} and {INCOMING_DIR}/")


if __name__ == "__main__":
    main()
