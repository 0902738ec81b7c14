"""Dagster's `fs_io_manager` configured with a base_dir, used for one asset next to the default."""

import os

import dagdeck as dg


@dg.asset(io_manager_key="archive")
def daily_report() -> dict:
    return {"visits": 120, "signups": 7}


@dg.asset
def signup_rate(daily_report: dict) -> float:
    return daily_report["signups"] / daily_report["visits"]


defs = dg.Definitions(
    assets=[daily_report, signup_rate],
    resources={
        "archive": dg.fs_io_manager.configured({"base_dir": os.environ.get("IO_BASE_DIR", "/tmp/archive")})
    },
)
