"""Steps with a pydantic `Config` parameter also see their config as `context.op_config`: a plain
dict with defaults filled in."""

from enum import Enum

import dagdeck as dg


class Color(Enum):
    RED = 1
    BLUE = 2


class Window(dg.Config):
    days: int = 7


class ReportConfig(dg.Config):
    title: str
    copies: int = 3
    color: Color = Color.RED
    window: Window = Window()
    tags: list[str] = []


@dg.op
def report(context: dg.OpExecutionContext, config: ReportConfig) -> dict:
    assert config.color in (Color.RED, Color.BLUE)
    return context.op_config


@dg.job
def report_job():
    report()


@dg.asset
def summary(context: dg.AssetExecutionContext, config: ReportConfig) -> dict:
    return context.op_config


defs = dg.Definitions(assets=[summary], jobs=[report_job])
