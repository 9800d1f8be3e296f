"""The weekly inspection and rectification report (kind "inspection.weekly")."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from reports.domain.document import Chart, ChartKind, ReportDocument, Section, Table
from reports.domain.figures import local_text, median_hours, rate_percent
from reports.domain.periods import Period
from reports.domain.records import Finding, Incident

KIND = "inspection.weekly"
SEVERITY_NAMES = {"CRITICAL": "重大", "HIGH": "较大", "MEDIUM": "一般", "LOW": "轻微", "UNSPECIFIED": "未定级"}
STATUS_NAMES = {"OPEN": "待整改", "IN_PROGRESS": "整改中", "RECTIFIED": "已整改", "VERIFIED": "已验收",
                "REOPENED": "重新整改", "UNSPECIFIED": "未知"}
# Rectification rates look back this many weeks, ending with the report's week.
RATE_WINDOW_WEEKS = 4


def _count_table(title: str, label: str, findings: list[Finding], key) -> Table:
    counts = Counter(key(f) for f in findings)
    serious = Counter(key(f) for f in findings if f.severity in ("HIGH", "CRITICAL"))
    rows = sorted(((name, n, serious[name]) for name, n in counts.items()), key=lambda r: (-r[1], r[0]))
    return Table(title, (label, "问题数", "其中较大及以上"), tuple(rows))


def _this_week(week: list[Finding], incidents: list[Incident]) -> Section:
    by_unit = _count_table("按责任单位", "责任单位", week, lambda f: f.responsible_unit)
    severity_counts = Counter(f.severity for f in week)
    by_severity = Table("按严重程度", ("严重程度", "问题数"), tuple(
        (SEVERITY_NAMES[s], severity_counts[s]) for s in ("CRITICAL", "HIGH", "MEDIUM", "LOW") if severity_counts[s]))
    incident_counts = Counter((i.kind, i.location) for i in incidents)
    tables = [_count_table("按区域", "区域", week, lambda f: f.area), by_unit, by_severity]
    if incidents:
        tables.append(Table("本周现场事件", ("事件类型", "地点", "次数"), tuple(
            (kind, place, n) for (kind, place), n in sorted(incident_counts.items(), key=lambda kv: (-kv[1], kv[0])))))
    charts = (Chart("本周各单位问题数", ChartKind.BAR, by_unit, "责任单位", ("问题数",)),) if week else ()
    return Section("一、本周检查发现问题", (f"本周共发现问题 {len(week)} 项，现场事件 {len(incidents)} 起。",),
                   tuple(tables), charts)


def _last_week(last: list[Finding], zone) -> Section:
    done = sum(f.is_rectified for f in last)
    rows = tuple((f.area, f.responsible_unit, SEVERITY_NAMES.get(f.severity, f.severity), f.description,
                  local_text(f.due_at, zone), STATUS_NAMES.get(f.status, f.status), local_text(f.rectified_at, zone))
                 for f in sorted(last, key=lambda f: (f.responsible_unit, f.opened_at, f.finding_id)))
    return Section("二、上周问题整改情况", (f"上周发现问题 {len(last)} 项，已整改 {done} 项，未整改 {len(last) - done} 项。",),
                   (Table("上周问题明细", ("区域", "责任单位", "严重程度", "问题描述", "整改期限", "当前状态", "整改时间"), rows),))


def _overdue(findings: list[Finding], period: Period, zone) -> Section:
    cutoff = period.end
    late = sorted((f for f in findings if f.due_at and f.due_at < cutoff and not _rectified_before(f, cutoff)),
                  key=lambda f: (f.due_at, f.finding_id))
    rows = tuple((f.area, f.responsible_unit, SEVERITY_NAMES.get(f.severity, f.severity), f.description,
                  local_text(f.due_at, zone), (cutoff - f.due_at).days) for f in late)
    return Section("三、逾期未整改问题", (f"截至本周末，逾期未整改问题 {len(late)} 项。",),
                   (Table("逾期问题", ("区域", "责任单位", "严重程度", "问题描述", "整改期限", "逾期天数"), rows),))


def _rectified_before(finding: Finding, moment: datetime) -> bool:
    return finding.is_rectified and finding.rectified_at is not None and finding.rectified_at < moment


def _rates(findings: list[Finding], period: Period) -> Section:
    window_start = period.end - timedelta(weeks=RATE_WINDOW_WEEKS)
    scope = [f for f in findings if window_start <= f.opened_at < period.end]
    by_unit: dict[str, list[Finding]] = defaultdict(list)
    for finding in scope:
        by_unit[finding.responsible_unit].append(finding)
    rows = []
    for unit, items in sorted(by_unit.items()):
        fixed = [f for f in items if _rectified_before(f, period.end)]
        rows.append((unit, len(items), len(fixed), rate_percent(len(fixed), len(items)),
                     median_hours([f.rectified_at - f.opened_at for f in fixed])))
    table = Table("各单位整改率", ("责任单位", "问题数", "已整改", "整改率(%)", "整改用时中位数(小时)"), tuple(rows))
    explanation = (f"统计范围：截至本周末的最近 {RATE_WINDOW_WEEKS} 周内发现的问题。"
                   "整改率 = 本周末前已整改（含已验收）问题数 ÷ 问题数；整改用时 = 整改时间 − 发现时间，取中位数。")
    charts = (Chart("各单位整改率(%)", ChartKind.BAR, table, "责任单位", ("整改率(%)",)),) if rows else ()
    return Section("四、整改率与整改用时", (explanation,), (table,), charts)


def build_weekly_inspection_report(period: Period, now: datetime, *, findings: list[Finding],
                                   incidents: list[Incident]) -> ReportDocument:
    """``findings``: every finding opened before the period's end, with its
    current status; ``incidents``: those reported within the period."""
    zone = period.start.tzinfo
    previous = period.previous()
    this_week = [f for f in findings if period.contains(f.opened_at)]
    last_week = [f for f in findings if previous.contains(f.opened_at)]
    week_incidents = [i for i in incidents if period.contains(i.reported_at)]
    return ReportDocument(
        kind=KIND,
        title=f"安全检查与问题整改周报（{period.label}）",
        period=period.label,
        generated_at=now,
        sections=(_this_week(this_week, week_incidents), _last_week(last_week, zone),
                  _overdue(findings, period, zone), _rates(findings, period)),
    )
