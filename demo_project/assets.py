"""The demo's assets: download -> clean -> anonymise -> warehouse, plus a small analytics fan-out/fan-in.

raw_orders -> orders -> anonymized_orders -> warehouse_orders
                |              |
                +-> daily_revenue ---+
                +-> product_stats ---+-> sales_report
                customer_counts -----+   (customer_counts reads anonymized_orders)
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import dagdeck as dg
from demo_project.setup_data import DATA_DIR, WAREHOUSE_DIR, ensure_source_data, make_orders

RAW_CSV = DATA_DIR / "raw" / "orders.csv"
WINDOW_START_MAX = 250
"""The download skips the oldest `minute % 250` orders: a rolling window, so history is not flat."""


@dataclass(frozen=True)
class Order:
    order_id: int
    customer_email: str
    product: str
    quantity: int
    unit_price: float
    ordered_at: dt.datetime

    @property
    def total(self) -> float:
        return round(self.quantity * self.unit_price, 2)


def avg_order_price(orders: list[Order]) -> float:
    return round(sum(o.total for o in orders) / len(orders), 2) if orders else 0.0


def _row_total(row: dict[str, str]) -> float:
    try:
        return int(row["quantity"]) * float(row["unit_price"])
    except ValueError:
        return 0.0


# -- ingest ------------------------------------------------------------------------------------------


@dg.asset(
    group_name="ingest",
    kinds=["csv"],
    retry_policy=dg.RetryPolicy(max_retries=2, delay=0.5, backoff=dg.Backoff.EXPONENTIAL),
    transient=True,  # only `orders` needs the raw rows; they are discarded once a run succeeds
)
def raw_orders(context: dg.AssetExecutionContext) -> dg.Output:
    """Download the orders export: copy the source CSV into the working data and read it.

    Each run sees a rolling window of the export plus a few fresh orders seeded by the current
    minute, so the same minute always yields the same data.
    """
    source = ensure_source_data()
    RAW_CSV.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, RAW_CSV)
    with RAW_CSV.open(newline="") as f:
        rows = list(csv.DictReader(f))
    minute = int(time.time() // 60)
    rng = random.Random(minute)
    offset = minute % WINDOW_START_MAX
    fresh = make_orders(
        rng.randint(20, 150), rng, first_id=100_000, start=dt.datetime(2024, 3, 31, tzinfo=dt.UTC), days=1
    )
    rows = rows[offset:] + fresh
    context.log.info(f"copied {source.name}: window starts at row {offset}, {len(fresh)} new orders")
    avg = sum(_row_total(r) for r in rows) / len(rows)
    return dg.Output(
        rows,
        metadata={
            "row_count": len(rows),
            "new_orders": len(fresh),
            "avg_order_price": round(avg, 2),
            "source": dg.MetadataValue.path(RAW_CSV),
        },
    )


@dg.asset(group_name="ingest", kinds=["python"], freshness_policy=dg.FreshnessPolicy(maximum_lag_minutes=90))
def orders(context: dg.AssetExecutionContext, raw_orders: list[dict[str, str]]) -> list[Order]:
    """Clean and type the raw orders: drop rows without e-mail, quantity or numeric price, and duplicates."""
    clean: list[Order] = []
    seen: set[int] = set()
    dropped: Counter[str] = Counter()
    for row in raw_orders:
        try:
            order = Order(
                order_id=int(row["order_id"]),
                customer_email=row["customer_email"].strip().lower(),
                product=row["product"].strip(),
                quantity=int(row["quantity"]),
                unit_price=float(row["unit_price"]),
                ordered_at=dt.datetime.fromisoformat(row["ordered_at"]),
            )
        except (KeyError, ValueError):
            dropped["unparseable"] += 1
            continue
        if not order.customer_email:
            dropped["no_email"] += 1
        elif order.quantity <= 0:
            dropped["no_quantity"] += 1
        elif order.order_id in seen:
            dropped["duplicate"] += 1
        else:
            seen.add(order.order_id)
            clean.append(order)
    context.log.info(f"kept {len(clean)} of {len(raw_orders)} rows; dropped {dict(dropped) or 'none'}")
    if dropped:
        context.log.warning(f"{sum(dropped.values())} dirty rows dropped")
    context.add_output_metadata(
        {
            "row_count": len(clean),
            "dropped_rows": sum(dropped.values()),
            "avg_order_price": avg_order_price(clean),
            "dropped_by_reason": dg.MetadataValue.json(dict(dropped)),
        }
    )
    return clean


@dg.asset(group_name="ingest", kinds=["python"])
def anonymized_orders(context: dg.AssetExecutionContext, orders: list[Order]) -> dg.Output:
    """Orders with each customer e-mail replaced by its sha256 hex digest."""
    anon = [replace(o, customer_email=hashlib.sha256(o.customer_email.encode()).hexdigest()) for o in orders]
    context.log.info(f"hashed {len({o.customer_email for o in anon})} distinct e-mails")
    return dg.Output(anon, metadata={"row_count": len(anon), "avg_order_price": avg_order_price(anon)})


# -- warehouse ---------------------------------------------------------------------------------------


@dg.asset(group_name="warehouse", kinds=["csv"])
def warehouse_orders(
    context: dg.AssetExecutionContext, anonymized_orders: list[Order]
) -> dg.MaterializeResult:
    """Publish the anonymised orders to the warehouse folder as CSV (written here, not by the IO manager)."""
    path = WAREHOUSE_DIR / "orders.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["order_id", "customer_hash", "product", "quantity", "unit_price", "ordered_at"])
        for o in anonymized_orders:
            writer.writerow(
                [o.order_id, o.customer_email, o.product, o.quantity, o.unit_price, o.ordered_at.isoformat()]
            )
    tmp.replace(path)
    context.log.info(f"wrote {len(anonymized_orders)} rows to {path}")
    return dg.MaterializeResult(
        metadata={
            "row_count": len(anonymized_orders),
            "avg_order_price": avg_order_price(anonymized_orders),
            "size_kb": round(path.stat().st_size / 1024, 1),
            "path": dg.MetadataValue.path(path),
            "url": dg.MetadataValue.url(path.resolve().as_uri()),
        }
    )


# -- analytics: three parallel branches joined by sales_report ---------------------------------------


@dg.asset(group_name="analytics", kinds=["python"])
def daily_revenue(context: dg.AssetExecutionContext, orders: list[Order]) -> dg.Output:
    """Revenue per calendar day (UTC)."""
    per_day: dict[str, float] = defaultdict(float)
    for o in orders:
        per_day[o.ordered_at.date().isoformat()] += o.total
    revenue = {day: round(v, 2) for day, v in sorted(per_day.items())}
    best = max(revenue, key=revenue.__getitem__)
    context.log.info(f"{len(revenue)} days, best {best} with {revenue[best]:.2f}")
    return dg.Output(
        revenue,
        metadata={
            "row_count": len(revenue),
            "avg_order_price": avg_order_price(orders),
            "avg_daily_revenue": round(sum(revenue.values()) / len(revenue), 2),
            "best_day": best,
        },
    )


@dg.asset(group_name="analytics", kinds=["python"])
def product_stats(context: dg.AssetExecutionContext, orders: list[Order]) -> dg.Output:
    """Orders, units and revenue per product, best sellers first."""
    by_product: dict[str, list[Order]] = defaultdict(list)
    for o in orders:
        by_product[o.product].append(o)
    stats = [
        {
            "product": name,
            "orders": len(items),
            "units": sum(o.quantity for o in items),
            "revenue": round(sum(o.total for o in items), 2),
            "avg_order_price": avg_order_price(items),
        }
        for name, items in by_product.items()
    ]
    stats.sort(key=lambda s: s["revenue"], reverse=True)
    context.log.info(f"top product: {stats[0]['product']}")
    return dg.Output(
        stats,
        metadata={
            "row_count": len(stats),
            "avg_order_price": avg_order_price(orders),
            "products": dg.MetadataValue.table(stats),
        },
    )


@dg.asset(group_name="analytics", kinds=["python"])
def customer_counts(context: dg.AssetExecutionContext, anonymized_orders: list[Order]) -> dg.Output:
    """Distinct and repeat customers, counted on hashed e-mails only."""
    per_customer = Counter(o.customer_email for o in anonymized_orders)
    counts = {
        "customers": len(per_customer),
        "repeat_customers": sum(1 for n in per_customer.values() if n > 1),
        "orders_per_customer": round(len(anonymized_orders) / len(per_customer), 2),
    }
    context.log.info(f"{counts['customers']} customers, {counts['repeat_customers']} came back")
    return dg.Output(
        counts,
        metadata={
            "row_count": len(per_customer),
            "avg_order_price": avg_order_price(anonymized_orders),
            **counts,
        },
    )


@dg.asset(group_name="analytics", kinds=["markdown"], deps=[warehouse_orders])
def sales_report(
    context: dg.AssetExecutionContext,
    daily_revenue: dict[str, float],
    product_stats: list[dict[str, object]],
    customer_counts: dict[str, object],  # counts (int) and a ratio (float): annotations are type-checked
) -> dg.MaterializeResult:
    """A markdown summary joining the three analytics branches; runs after the warehouse copy (deps)."""
    total = round(sum(daily_revenue.values()), 2)
    n_orders = sum(int(str(p["orders"])) for p in product_stats)
    top = product_stats[:5]
    lines = [
        "# Sales report",
        "",
        f"- revenue: **{total:,.2f}** over {len(daily_revenue)} days",
        f"- orders: **{n_orders:,}**, customers: **{customer_counts['customers']:,}** "
        f"({customer_counts['repeat_customers']:,} repeat)",
        f"- best seller: **{top[0]['product']}**",
        "",
        "| product | orders | revenue |",
        "|---|---:|---:|",
        *(f"| {p['product']} | {p['orders']} | {p['revenue']:,.2f} |" for p in top),
    ]
    summary = "\n".join(lines) + "\n"
    path = WAREHOUSE_DIR / "sales_report.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(summary)
    context.log.info(f"report written to {path}")
    return dg.MaterializeResult(
        metadata={
            "row_count": n_orders,
            "avg_order_price": round(total / n_orders, 2) if n_orders else 0.0,
            "revenue": total,
            "summary": dg.MetadataValue.md(summary),
            "top_products": dg.MetadataValue.table(
                [[p["product"], p["orders"], p["revenue"]] for p in top],
                columns=["product", "orders", "revenue"],
            ),
            "path": dg.MetadataValue.path(path),
        }
    )


all_assets = [
    raw_orders,
    orders,
    anonymized_orders,
    warehouse_orders,
    daily_revenue,
    product_stats,
    customer_counts,
    sales_report,
]
