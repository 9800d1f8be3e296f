"""The weekly review of inspection findings: ISO weeks in a local time zone.

A week runs from Monday 00:00 to the next Monday 00:00 in the review's time
zone (Asia/Shanghai by default), so a finding opened on Sunday 23:30 Beijing
time belongs to that week even though it is Sunday 15:30 UTC.
Standard library only.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Callable, Iterable

from notice.domain.findings import Finding, FindingStatus, Severity

SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


@dataclass(frozen=True)
class Week:
    label: str  # ISO 8601, e.g. "2026-W48"
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    def previous(self, zone: tzinfo) -> "Week":
        return week_of(self.start - timedelta(seconds=1), zone)


def week_of(moment: datetime, zone: tzinfo) -> Week:
    """The ISO week that contains ``moment`` (an aware datetime) in ``zone``."""
    local = moment.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    next_monday = monday + timedelta(days=7)
    year, number, _ = monday.isocalendar()

    def midnight(day):
        return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(timezone.utc)
    return Week(f"{year}-W{number:02d}", midnight(monday), midnight(next_monday))


@dataclass(frozen=True)
class Bucket:
    """Findings sharing one value of a grouping key."""
    key: str
    finding_ids: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.finding_ids)


def group_by(findings: Iterable[Finding], key: Callable[[Finding], str]) -> list[Bucket]:
    """Buckets, largest first, then by key."""
    buckets: dict[str, list[str]] = defaultdict(list)
    for finding in findings:
        buckets[key(finding)].append(finding.finding_id)
    return sorted((Bucket(k, tuple(ids)) for k, ids in buckets.items()), key=lambda b: (-b.count, b.key))


def group_by_severity(findings: Iterable[Finding]) -> list[Bucket]:
    """Buckets of the severities present, most severe first."""
    present = {b.key: b for b in group_by(findings, lambda f: f.severity.value)}
    return [present[s.value] for s in SEVERITY_ORDER if s.value in present]


@dataclass(frozen=True)
class WeeklyReview:
    at: datetime
    time_zone: str
    week: Week
    this_week: list[Finding]  # opened this week, oldest first
    by_area: list[Bucket]
    by_unit: list[Bucket]
    by_severity: list[Bucket]
    last_week_label: str
    last_week: list[Finding]  # opened last week, with their current status
    last_week_by_status: list[Bucket]
    overdue: list[Finding]  # due before ``at`` and not rectified or verified, most overdue first


def weekly_review(*, at: datetime, time_zone: str, week: Week, last_week: Week, this_week: list[Finding],
                  opened_last_week: list[Finding], overdue: list[Finding]) -> WeeklyReview:
    status_order = [s.value for s in FindingStatus]
    by_status = sorted(group_by(opened_last_week, lambda f: f.status.value), key=lambda b: status_order.index(b.key))
    return WeeklyReview(
        at=at, time_zone=time_zone, week=week, this_week=this_week,
        by_area=group_by(this_week, lambda f: f.area),
        by_unit=group_by(this_week, lambda f: f.responsible_unit),
        by_severity=group_by_severity(this_week),
        last_week_label=last_week.label, last_week=opened_last_week, last_week_by_status=by_status,
        overdue=[f for f in overdue if f.is_overdue(at)])
