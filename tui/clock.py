"""The console's notion of now, in one place so snapshot tests can freeze it."""

from __future__ import annotations

import time


def now() -> float:
    return time.time()


def clock_text() -> str:
    return time.strftime("%H:%M:%S", time.localtime(now()))
