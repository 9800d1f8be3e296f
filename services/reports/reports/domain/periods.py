"""Report periods: ISO weeks ("2026-W47"), quarters ("2026Q3") and, for
energy readings, months ("2026-03").

A period is the half-open interval [start, end) of local midnights in the
report's time zone, so a week in Asia/Shanghai starts on Monday 00:00 +08:00.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum

from hubkit.errors import InvalidArgument


class Cadence(str, Enum):
    WEEK = "week"
    QUARTER = "quarter"


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    label: str
    cadence: Cadence
    start: datetime  # aware, local midnight
    end: datetime  # exclusive

    def previous(self) -> "Period":
        return period_containing(self.start - timedelta(seconds=1), self.cadence, self.start.tzinfo)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _week(year: int, week: int, zone: tzinfo) -> Period:
    monday = date.fromisocalendar(year, week, 1)
    return Period(f"{year}-W{week:02d}", Cadence.WEEK, _midnight(monday, zone),
                  _midnight(monday + timedelta(days=7), zone))


def _quarter(year: int, quarter: int, zone: tzinfo) -> Period:
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(f"{year}Q{quarter}", Cadence.QUARTER, _midnight(first, zone), _midnight(after, zone))


def parse_period(text: str, zone: tzinfo, *, field: str = "period") -> Period:
    """A period from its label; InvalidArgument naming ``field`` otherwise."""
    text = text.strip()
    if match := _WEEK.match(text):
        year, week = int(match[1]), int(match[2])
        try:
            return _week(year, week, zone)
        except ValueError:
            raise InvalidArgument(f"{year} has no ISO week {week}", field=field) from None
    if match := _QUARTER.match(text):
        return _quarter(int(match[1]), int(match[2]), zone)
    raise InvalidArgument("must be an ISO week like 2026-W47 or a quarter like 2026Q3", field=field)


def period_containing(moment: datetime, cadence: Cadence, zone: tzinfo) -> Period:
    local = moment.astimezone(zone).date()
    if cadence is Cadence.WEEK:
        year, week, _ = local.isocalendar()
        return _week(year, week, zone)
    return _quarter(local.year, (local.month - 1) // 3 + 1, zone)


def last_completed(moment: datetime, cadence: Cadence, zone: tzinfo) -> Period:
    """The latest period of this cadence that ended at or before ``moment``."""
    return period_containing(moment, cadence, zone).previous()


# Period labels as assessments and energy readings use them.

def is_quarter(period: str) -> bool:
    return bool(_QUARTER.match(period))


def is_month(period: str) -> bool:
    return bool(_MONTH.match(period))


def previous_period(period: str) -> str:
    """The quarter before a quarter, the month before a month."""
    if match := _QUARTER.match(period):
        year, quarter = int(match[1]), int(match[2])
        return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"
    if match := _MONTH.match(period):
        year, month = int(match[1]), int(match[2])
        return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    raise ValueError(f"not a quarter (2026Q3) or a month (2026-03): {period!r}")
