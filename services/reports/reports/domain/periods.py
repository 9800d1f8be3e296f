"""Reporting periods named as text: quarters ("2026Q3") and months ("2026-03")."""
from __future__ import annotations

import re

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


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
