"""Time-window partitions: one key per tick of a schedule (hour, day, week, month), each key the
formatted start of its window `[tick, next tick)`. Only windows that have ended count (plus
`end_offset`), as in Dagster: today's daily partition appears tomorrow.

The schedule is a cron string of one of Dagster's four shapes (`M * * * *` hourly, `M H * * *` daily,
`M H * * D` weekly, `M H D * *` monthly); ticks are wall-clock times in the definition's timezone.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from dagdeck.core.defs.partitions.base import DagsterUnknownPartitionError, PartitionsDefinition
from dagdeck.core.errors import DefinitionError

DAY_FMT = "%Y-%m-%d"
HOUR_FMT = "%Y-%m-%d-%H:%M"


class TimeWindow(NamedTuple):
    """The span one time partition covers: `start` included, `end` excluded (timezone-aware)."""

    start: datetime
    end: datetime


class Period(Enum):
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


@dataclass(frozen=True)
class Cadence:
    """A parsed cron schedule of one of the four shapes."""

    period: Period
    minute: int
    hour: int = 0
    day: int = 0
    """Day of the week (0 = Sunday, as cron) for WEEKLY, day of the month for MONTHLY."""

    @classmethod
    def parse(cls, cron: str) -> Cadence:
        parts = cron.split()
        try:
            if len(parts) == 5 and parts[2:] == ["*", "*", "*"] and parts[1] == "*":
                return cls(Period.HOURLY, int(parts[0]))
            if len(parts) == 5 and parts[2:] == ["*", "*", "*"]:
                return cls(Period.DAILY, int(parts[0]), int(parts[1]))
            if len(parts) == 5 and parts[2:4] == ["*", "*"]:
                return cls(Period.WEEKLY, int(parts[0]), int(parts[1]), int(parts[4]) % 7)
            if len(parts) == 5 and parts[3:] == ["*", "*"]:
                return cls(Period.MONTHLY, int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
        raise DefinitionError(
            f"cron schedule {cron!r} is not one dagdeck partitions by",
            obj="TimeWindowPartitionsDefinition",
            fix="use an hourly, daily, weekly or monthly schedule such as '0 0 * * *'",
        )

    @property
    def cron(self) -> str:
        if self.period is Period.HOURLY:
            return f"{self.minute} * * * *"
        if self.period is Period.DAILY:
            return f"{self.minute} {self.hour} * * *"
        if self.period is Period.WEEKLY:
            return f"{self.minute} {self.hour} * * {self.day}"
        return f"{self.minute} {self.hour} {self.day} * *"

    def first_tick(self, t: datetime) -> datetime:
        """The first tick at or after the naive wall-clock time `t`."""
        if self.period is Period.HOURLY:
            c = t.replace(minute=self.minute, second=0, microsecond=0)
            return c if c >= t else c + timedelta(hours=1)
        c = t.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if self.period is Period.DAILY:
            return c if c >= t else c + timedelta(days=1)
        if self.period is Period.WEEKLY:
            while c < t or (c.weekday() + 1) % 7 != self.day:
                c += timedelta(days=1)
            return c
        c = _month_day(c.year, c.month, self.day, c)
        return c if c >= t else self.next_tick(c)

    def next_tick(self, tick: datetime) -> datetime:
        if self.period is Period.HOURLY:
            return tick + timedelta(hours=1)
        if self.period is Period.DAILY:
            return tick + timedelta(days=1)
        if self.period is Period.WEEKLY:
            return tick + timedelta(days=7)
        year, month = (tick.year + 1, 1) if tick.month == 12 else (tick.year, tick.month + 1)
        return _month_day(year, month, self.day, tick)

    def is_tick(self, t: datetime) -> bool:
        return self.first_tick(t) == t


def _month_day(year: int, month: int, day: int, like: datetime) -> datetime:
    return like.replace(year=year, month=month, day=min(day, calendar.monthrange(year, month)[1]))


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Partitions by the ticks of `cron_schedule` from `start` (and to `end`, when given)."""

    def __init__(
        self,
        start: str | datetime,
        fmt: str,
        end: str | datetime | None = None,
        cron_schedule: str | None = None,
        timezone: str | None = None,
        end_offset: int = 0,
        *,
        cadence: Cadence | None = None,
    ) -> None:
        if cadence is None:
            if cron_schedule is None:
                raise DefinitionError(
                    "TimeWindowPartitionsDefinition needs cron_schedule=",
                    obj="TimeWindowPartitionsDefinition",
                    fix="pass cron_schedule='0 0 * * *' or use DailyPartitionsDefinition",
                )
            cadence = Cadence.parse(cron_schedule)
        self._cadence = cadence
        self.fmt = fmt
        self.timezone = timezone or "UTC"
        self._tz: Any = UTC if self.timezone == "UTC" else ZoneInfo(self.timezone)
        self.end_offset = end_offset
        self._start = self._parse_bound(start, "start")
        self._end = self._parse_bound(end, "end") if end is not None else None
        self._first = cadence.first_tick(self._start)
        self._cache: tuple[datetime, list[str]] | None = None

    def _parse_bound(self, value: str | datetime, what: str) -> datetime:
        if isinstance(value, datetime):
            return value.astimezone(self._tz).replace(tzinfo=None) if value.tzinfo else value
        try:
            return datetime.strptime(value, self.fmt)
        except ValueError:
            try:
                return datetime.fromisoformat(value).replace(tzinfo=None)
            except ValueError:
                raise DefinitionError(
                    f"{what} {value!r} does not match the format {self.fmt!r}",
                    obj=type(self).__name__,
                    fix=f"write the {what} date as {datetime(2024, 1, 31).strftime(self.fmt)}",
                ) from None

    # -- Dagster's attributes ------------------------------------------------------------------------
    @property
    def cron_schedule(self) -> str:
        return self._cadence.cron

    @property
    def start(self) -> datetime:
        return self._start.replace(tzinfo=self._tz)

    @property
    def end(self) -> datetime | None:
        return self._end.replace(tzinfo=self._tz) if self._end is not None else None

    @property
    def minute_offset(self) -> int:
        return self._cadence.minute

    @property
    def hour_offset(self) -> int:
        return self._cadence.hour

    @property
    def day_offset(self) -> int:
        return self._cadence.day

    # -- keys ----------------------------------------------------------------------------------------
    def _now(self, current_time: datetime | None) -> datetime:
        now = current_time or datetime.now(UTC)
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        return now.astimezone(self._tz).replace(tzinfo=None)

    def _ticks(self, now: datetime) -> list[datetime]:
        """Starts of the partitions' windows, in order, as naive wall-clock times."""
        cadence, ticks = self._cadence, []
        tick = self._first
        extra = self.end_offset
        skip_gaps = self.timezone != "UTC" and cadence.period is Period.HOURLY
        while True:
            nxt = cadence.next_tick(tick)
            if self._end is not None and nxt > self._end:
                break
            if nxt > now:
                if extra <= 0:
                    break
                extra -= 1
            if skip_gaps and not self._exists(tick):  # a wall-clock hour a DST change skips
                tick = nxt
                continue
            ticks.append(tick)
            tick = nxt
        if extra < 0:
            del ticks[len(ticks) + extra :]
        return ticks

    def _exists(self, wall: datetime) -> bool:
        """Whether a naive wall-clock time exists in the timezone (not in a DST gap)."""
        aware = wall.replace(tzinfo=self._tz)
        return aware.astimezone(UTC).astimezone(self._tz).replace(tzinfo=None) == wall

    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> Sequence[str]:
        now = self._now(current_time)
        if self._cache is not None and self._cache[0] == now.replace(second=0, microsecond=0):
            return list(self._cache[1])
        keys = [t.strftime(self.fmt) for t in self._ticks(now)]
        self._cache = (now.replace(second=0, microsecond=0), keys)
        return list(keys)

    def has_partition_key(
        self, partition_key: str, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> bool:
        start = self._parse_key(partition_key)
        if start is None or start < self._first or not self._cadence.is_tick(start):
            return False
        return partition_key in set(self.get_partition_keys(current_time))

    def _parse_key(self, key: str) -> datetime | None:
        try:
            return datetime.strptime(key, self.fmt)
        except ValueError:
            return None

    def time_window_for_partition_key(self, partition_key: str) -> TimeWindow:
        start = self._parse_key(partition_key)
        if start is None:
            raise DagsterUnknownPartitionError(f"Could not find a partition with key `{partition_key}`.")
        end = self._cadence.next_tick(start)
        return TimeWindow(start.replace(tzinfo=self._tz), end.replace(tzinfo=self._tz))

    def start_time_for_partition_key(self, partition_key: str) -> datetime:
        return self.time_window_for_partition_key(partition_key).start

    def get_partition_keys_in_time_window(self, time_window: TimeWindow) -> list[str]:
        """Keys whose windows overlap `time_window` (all of them, ended or not)."""
        start = time_window.start.astimezone(self._tz).replace(tzinfo=None)
        end = time_window.end.astimezone(self._tz).replace(tzinfo=None)
        keys, tick = [], self._first
        if start > tick:  # jump near the window: no walk from the definition's start
            tick = self._cadence.first_tick(start)
            if tick > start:
                prev = self._previous_tick(tick)
                tick = prev if prev is not None and prev >= self._first else tick
        while tick < end and (self._end is None or tick < self._end):
            nxt = self._cadence.next_tick(tick)
            if nxt > start:
                keys.append(tick.strftime(self.fmt))
            tick = nxt
        return keys

    def _previous_tick(self, tick: datetime) -> datetime | None:
        back = {
            Period.HOURLY: timedelta(hours=1),
            Period.DAILY: timedelta(days=1),
            Period.WEEKLY: timedelta(days=7),
        }
        if self._cadence.period in back:
            return tick - back[self._cadence.period]
        return self._cadence.first_tick(tick - timedelta(days=31))

    def shifted_key(self, partition_key: str, offset: int) -> str:
        """The key `offset` windows after (negative: before) `partition_key`."""
        tick = self._parse_key(partition_key)
        if tick is None:
            raise DagsterUnknownPartitionError(f"Could not find a partition with key `{partition_key}`.")
        for _ in range(offset):
            tick = self._cadence.next_tick(tick)
        for _ in range(-offset):
            prev = self._previous_tick(tick)
            tick = prev if prev is not None else tick
        return tick.strftime(self.fmt)

    def _identity(self) -> tuple[Any, ...]:
        return (
            type(self).__name__,
            self._start,
            self._end,
            self.timezone,
            self.fmt,
            self.end_offset,
            self._cadence,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeWindowPartitionsDefinition) and other._identity() == self._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(start={self._start.strftime(self.fmt)!r}, end="
            f"{self._end.strftime(self.fmt) if self._end else None!r}, timezone={self.timezone!r}, "
            f"fmt={self.fmt!r}, end_offset={self.end_offset}, cron_schedule={self.cron_schedule!r})"
        )


class HourlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(
        self,
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        minute_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
        **_ignored: Any,
    ) -> None:
        super().__init__(
            start_date,
            fmt or HOUR_FMT,
            end_date,
            timezone=timezone,
            end_offset=end_offset,
            cadence=Cadence(Period.HOURLY, minute_offset),
        )


class DailyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(
        self,
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
        **_ignored: Any,
    ) -> None:
        super().__init__(
            start_date,
            fmt or DAY_FMT,
            end_date,
            timezone=timezone,
            end_offset=end_offset,
            cadence=Cadence(Period.DAILY, minute_offset, hour_offset),
        )


class WeeklyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(
        self,
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
        **_ignored: Any,
    ) -> None:
        super().__init__(
            start_date,
            fmt or DAY_FMT,
            end_date,
            timezone=timezone,
            end_offset=end_offset,
            cadence=Cadence(Period.WEEKLY, minute_offset, hour_offset, day_offset % 7),
        )


class MonthlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(
        self,
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 1,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
        **_ignored: Any,
    ) -> None:
        super().__init__(
            start_date,
            fmt or DAY_FMT,
            end_date,
            timezone=timezone,
            end_offset=end_offset,
            cadence=Cadence(Period.MONTHLY, minute_offset, hour_offset, day_offset),
        )
