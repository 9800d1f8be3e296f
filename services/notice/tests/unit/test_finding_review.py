"""ISO weeks in the review's time zone and the grouping of the weekly review."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from notice.domain import finding_review, findings
from notice.domain.findings import FindingStatus, Severity

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc


@pytest.mark.parametrize("moment, label, start", [
    # Monday 2026-11-23 00:00 in Shanghai is Sunday 16:00 UTC.
    (datetime(2026, 11, 22, 16, 0, tzinfo=UTC), "2026-W48", datetime(2026, 11, 22, 16, 0, tzinfo=UTC)),
    (datetime(2026, 11, 22, 15, 59, tzinfo=UTC), "2026-W47", datetime(2026, 11, 15, 16, 0, tzinfo=UTC)),
    (datetime(2026, 11, 29, 15, 59, tzinfo=UTC), "2026-W48", datetime(2026, 11, 22, 16, 0, tzinfo=UTC)),
    # ISO week 1 of 2027 starts on Monday 2027-01-04; 2027-01-01 is in 2026-W53.
    (datetime(2027, 1, 1, 4, 0, tzinfo=UTC), "2026-W53", datetime(2026, 12, 27, 16, 0, tzinfo=UTC)),
])
def test_weeks_are_iso_weeks_in_the_local_time_zone(moment, label, start):
    week = finding_review.week_of(moment, SHANGHAI)
    assert (week.label, week.start, week.end) == (label, start, start + timedelta(days=7))
    assert week.previous(SHANGHAI).end == week.start


def test_a_week_across_a_daylight_saving_change_is_not_seven_times_24_hours():
    berlin = ZoneInfo("Europe/Berlin")  # clocks go back on Sunday 2026-10-25
    week = finding_review.week_of(datetime(2026, 10, 21, 12, 0, tzinfo=UTC), berlin)
    assert week.label == "2026-W43"
    assert (week.start, week.end) == (datetime(2026, 10, 18, 22, 0, tzinfo=UTC), datetime(2026, 10, 25, 23, 0, tzinfo=UTC))


def finding(fid, area, unit, severity, status=FindingStatus.OPEN, due_days=3, opened=datetime(2026, 11, 23, tzinfo=UTC)):
    return findings.Finding(fid, area, "描述", Severity(severity), unit, "u-x", opened + timedelta(days=due_days),
                            "u-insp", opened, status=status)


def test_the_review_groups_counts_and_orders():
    at = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
    week = finding_review.week_of(at, SHANGHAI)
    this_week = [finding("a", "出铁场", "炼铁厂", "low"), finding("b", "转炉平台", "炼钢厂", "critical"),
                 finding("c", "出铁场", "炼钢厂", "high"), finding("d", "出铁场", "炼铁厂", "low")]
    last = [finding("e", "料场", "原料厂", "medium", FindingStatus.VERIFIED),
            finding("f", "料场", "原料厂", "medium", FindingStatus.IN_PROGRESS)]
    late = finding("g", "料场", "原料厂", "high", FindingStatus.REOPENED, due_days=-10)
    review = finding_review.weekly_review(at=at, time_zone="Asia/Shanghai", week=week,
                                          last_week=week.previous(SHANGHAI), this_week=this_week,
                                          opened_last_week=last, overdue=[late])
    assert [(b.key, b.finding_ids) for b in review.by_area] == [("出铁场", ("a", "c", "d")), ("转炉平台", ("b",))]
    # ties by key (code point order: 钢 U+94A2 before 铁 U+94C1)
    assert [(b.key, b.count) for b in review.by_unit] == [("炼钢厂", 2), ("炼铁厂", 2)]
    assert [(b.key, b.finding_ids) for b in review.by_severity] == [
        ("critical", ("b",)), ("high", ("c",)), ("low", ("a", "d"))]
    assert [(b.key, b.finding_ids) for b in review.last_week_by_status] == [("in_progress", ("f",)),
                                                                           ("verified", ("e",))]
    assert review.last_week_label == "2026-W47" and [f.finding_id for f in review.overdue] == ["g"]
