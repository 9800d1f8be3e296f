from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from hubkit.errors import InvalidArgument
from reports.domain.periods import Cadence, last_completed, parse_period, period_containing

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_iso_week_starts_on_monday_midnight_in_the_report_time_zone():
    week = parse_period("2026-W47", SHANGHAI)
    assert week.start == datetime(2026, 11, 16, tzinfo=SHANGHAI)
    assert week.end == datetime(2026, 11, 23, tzinfo=SHANGHAI)
    assert week.start.astimezone(timezone.utc) == datetime(2026, 11, 15, 16, tzinfo=timezone.utc)
    assert week.previous().label == "2026-W46"


def test_week_one_and_year_boundaries_follow_iso_8601():
    assert parse_period("2026-W01", SHANGHAI).start == datetime(2025, 12, 29, tzinfo=SHANGHAI)
    assert parse_period("2026-W01", SHANGHAI).previous().label == "2025-W52"
    assert parse_period("2020-W53", SHANGHAI).end == datetime(2021, 1, 4, tzinfo=SHANGHAI)


def test_quarters():
    q4 = parse_period("2026Q4", SHANGHAI)
    assert (q4.start, q4.end) == (datetime(2026, 10, 1, tzinfo=SHANGHAI), datetime(2027, 1, 1, tzinfo=SHANGHAI))
    assert parse_period("2026Q1", SHANGHAI).previous().label == "2025Q4"


@pytest.mark.parametrize("text", ["2026-47", "2026-W54", "2025-W53", "2026Q5", "26Q1", "", "本周"])
def test_bad_periods_name_the_field(text):
    with pytest.raises(InvalidArgument) as raised:
        parse_period(text, SHANGHAI)
    assert raised.value.field == "period"


def test_the_last_completed_period_depends_on_the_local_date():
    # Sunday 23:30 in Shanghai is still week 47 there, although UTC says Sunday 15:30.
    sunday_night = datetime(2026, 11, 22, 15, 30, tzinfo=timezone.utc)
    assert period_containing(sunday_night, Cadence.WEEK, SHANGHAI).label == "2026-W47"
    assert last_completed(sunday_night, Cadence.WEEK, SHANGHAI).label == "2026-W46"
    monday_early = datetime(2026, 11, 22, 16, 30, tzinfo=timezone.utc)  # Monday 00:30 local
    assert last_completed(monday_early, Cadence.WEEK, SHANGHAI).label == "2026-W47"
    assert last_completed(monday_early, Cadence.QUARTER, SHANGHAI).label == "2026Q3"
    assert last_completed(monday_early, Cadence.WEEK, ZoneInfo("UTC")).label == "2026-W46"
