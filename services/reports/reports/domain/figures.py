"""Small numeric helpers shared by the report builders."""
from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median


def rate_percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def median_hours(durations: list[timedelta]) -> float | None:
    return round(median(d.total_seconds() for d in durations) / 3600, 1) if durations else None


def local_text(moment: datetime | None, zone) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""
