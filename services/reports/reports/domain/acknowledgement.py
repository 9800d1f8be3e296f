"""The acknowledgement report (kind "acknowledgement"): who acknowledges
notices, how fast, and who keeps missing deadlines."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from reports.domain.document import Chart, ChartKind, ReportDocument, Section, Table
from reports.domain.figures import median_hours, rate_percent
from reports.domain.periods import Period
from reports.domain.records import AckNotice, PersonDeadline

KIND = "acknowledgement"


@dataclass(frozen=True)
class ChronicPolicy:
    """A person is a chronic non-acknowledger who missed at least ``missed``
    of their last ``window`` deadlines."""
    missed: int = 3
    window: int = 5

    def __post_init__(self):
        if not 1 <= self.missed <= self.window:
            raise ValueError(f"need 1 <= missed ({self.missed}) <= window ({self.window})")


def _past_deadline(notice: AckNotice, now: datetime) -> bool:
    """The deadline passed and not every recipient acknowledged in time."""
    if notice.ack_deadline is None or notice.ack_deadline > now:
        return False
    on_time = sum(a.acknowledged_at <= notice.ack_deadline for a in notice.acknowledgements)
    return on_time < notice.recipient_count


def _by_group(notices: list[AckNotice], group_names: dict[str, str], now: datetime) -> Table:
    grouped: dict[str, list[AckNotice]] = defaultdict(list)
    for notice in notices:
        for group_id in notice.group_ids:
            grouped[group_id].append(notice)
    rows = []
    for group_id, items in grouped.items():
        expected = sum(n.recipient_count for n in items)
        acked = sum(len(n.acknowledgements) for n in items)
        waits = [a.acknowledged_at - n.published_at for n in items for a in n.acknowledgements]
        rows.append((group_names.get(group_id) or group_id, len(items), expected, acked,
                     rate_percent(acked, expected), median_hours(waits),
                     sum(_past_deadline(n, now) for n in items)))
    rows.sort(key=lambda r: (r[4] if r[4] is not None else 101.0, r[0]))
    return Table("按群组", ("群组", "需确认通知", "应确认人次", "已确认人次", "确认率(%)", "确认用时中位数(小时)",
                          "逾期未完成通知"), tuple(rows))


def _by_department(notices: list[AckNotice]) -> Table:
    acked: dict[str, list] = defaultdict(list)
    late: dict[str, int] = defaultdict(int)
    missed: dict[str, int] = defaultdict(int)
    overdue_notices: dict[str, set[str]] = defaultdict(set)
    for notice in notices:
        acked_users = set()
        for ack in notice.acknowledgements:
            acked[ack.department].append(ack.acknowledged_at - notice.published_at)
            acked_users.add(ack.user_id)
            if notice.ack_deadline and ack.acknowledged_at > notice.ack_deadline:
                late[ack.department] += 1
                overdue_notices[ack.department].add(notice.notice_id)
        for user_id, department in notice.laggards:
            overdue_notices[department].add(notice.notice_id)
            if user_id not in acked_users:
                missed[department] += 1
    rows = []
    for department in sorted(set(acked) | set(missed)):
        done = len(acked[department])
        rows.append((department or "（未知部门）", done, done - late[department], late[department], missed[department],
                     rate_percent(done, done + missed[department]), median_hours(acked[department]),
                     len(overdue_notices[department])))
    return Table("按部门", ("部门", "已确认人次", "按期确认", "逾期确认", "逾期未确认", "确认率(%)",
                          "确认用时中位数(小时)", "涉及逾期通知"), tuple(rows))


def chronic_non_acknowledgers(deadlines: list[PersonDeadline], policy: ChronicPolicy) -> list[tuple[str, str, int, int]]:
    """(user_id, department, missed, considered) for everyone over the line,
    worst first; each person's most recent ``policy.window`` deadlines count."""
    per_person: dict[str, list[PersonDeadline]] = defaultdict(list)
    for deadline in deadlines:
        per_person[deadline.user_id].append(deadline)
    found = []
    for user_id, items in per_person.items():
        recent = sorted(items, key=lambda d: (d.deadline, d.notice_id))[-policy.window:]
        missed = sum(d.missed for d in recent)
        if missed >= policy.missed:
            found.append((user_id, recent[-1].department, missed, len(recent)))
    return sorted(found, key=lambda r: (-r[2], r[0]))


def build_acknowledgement_report(period: Period, now: datetime, *, notices: list[AckNotice],
                                 group_names: dict[str, str], deadlines: list[PersonDeadline],
                                 policy: ChronicPolicy) -> ReportDocument:
    """``notices``: those published in the period that asked for acknowledgement
    (revoked ones left out); ``deadlines``: every person's deadlines that had
    passed by the period's end."""
    cutoff = min(now, period.end)
    groups = _by_group(notices, group_names, cutoff)
    chronic = chronic_non_acknowledgers(deadlines, policy)
    expected = sum(n.recipient_count for n in notices)
    acked = sum(len(n.acknowledgements) for n in notices)
    overall = rate_percent(acked, expected)
    summary = (f"本期需确认通知 {len(notices)} 条，应确认 {expected} 人次，已确认 {acked} 人次，"
               f"确认率 {'—' if overall is None else f'{overall}%'}。")
    rules = ("确认率 = 已确认人次 ÷ 应确认人次（通知的接收人数）；确认用时 = 确认时间 − 发布时间，取中位数；"
             "逾期未完成通知 = 截止时间已过而仍有人未按期确认的通知。一条通知发往多个群组时计入每个群组。")
    chronic_rule = (f"长期未确认：在本人最近 {policy.window} 次确认截止中，至少 {policy.missed} 次未按期确认"
                    "（逾期确认或截止时仍未确认）。")
    return ReportDocument(
        kind=KIND,
        title=f"通知确认情况报告（{period.label}）",
        period=period.label,
        generated_at=now,
        sections=(
            Section("一、总体情况", (summary, rules)),
            Section("二、各群组确认情况", (), (groups,),
                    (Chart("各群组确认率(%)", ChartKind.BAR, groups, "群组", ("确认率(%)",)),) if groups.rows else ()),
            Section("三、各部门确认情况", (), (_by_department(notices),)),
            Section("四、长期未确认人员", (chronic_rule,),
                    (Table("长期未确认人员", ("人员", "部门", "未按期次数", "统计次数"), tuple(chronic)),)),
        ),
    )
