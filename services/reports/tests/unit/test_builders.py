"""The report builders on fixed records and dates."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reports.domain.acknowledgement import ChronicPolicy, build_acknowledgement_report, chronic_non_acknowledgers
from reports.domain.inspection import build_weekly_inspection_report
from reports.domain.periods import parse_period
from reports.domain.records import AckNotice, Acknowledgement, Finding, Incident, PersonDeadline
from reports.domain.text import plain_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = parse_period("2026-W47", SHANGHAI)
NOW = datetime(2026, 11, 24, 2, tzinfo=timezone.utc)


def at(day, hour):
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


def table(document, title):
    return next(t for s in document.sections for t in s.tables if t.title == title)


def finding(fid, area, unit, severity, opened, due, status="OPEN", rectified=None):
    return Finding(fid, area, f"{area}隐患", severity, unit, status, opened, due, rectified)


FINDINGS = [
    finding("f-1", "一号转炉平台", "转炉车间", "HIGH", at(17, 10), at(24, 18)),
    finding("f-2", "锅炉给水泵房", "锅炉房", "MEDIUM", at(18, 15), at(21, 18), "RECTIFIED", at(19, 15)),
    finding("f-5", "锅炉给水泵房", "锅炉房", "CRITICAL", at(22, 23), at(23, 12)),
    finding("f-3", "一号转炉平台", "转炉车间", "HIGH", at(10, 9), at(13, 18)),
    finding("f-4", "锅炉给水泵房", "锅炉房", "MEDIUM", at(11, 14), at(14, 18), "VERIFIED", at(12, 14)),
    # rectified only after the week ended: overdue at the week's end
    finding("f-6", "热轧主控室", "热轧车间", "LOW", at(12, 8), at(15, 8), "RECTIFIED", at(23, 9)),
    # too old for the rectification-rate window
    finding("f-0", "热轧主控室", "热轧车间", "LOW", at(1, 8) - timedelta(days=20), at(1, 8), "VERIFIED", at(1, 9)),
]


def test_weekly_inspection_report_sections_and_figures():
    document = build_weekly_inspection_report(WEEK, NOW, findings=FINDINGS, incidents=[
        Incident("i-1", "设备故障", "二号转炉倾动机构", "炼钢厂", at(19, 22)),
        Incident("i-0", "设备故障", "二号转炉倾动机构", "炼钢厂", at(12, 22))])
    assert document.kind == "inspection.weekly" and document.period == "2026-W47"
    assert table(document, "按区域").rows == (("锅炉给水泵房", 2, 1), ("一号转炉平台", 1, 1))
    assert table(document, "按严重程度").rows == (("重大", 1), ("较大", 1), ("一般", 1))
    assert table(document, "本周现场事件").rows == (("设备故障", "二号转炉倾动机构", 1),)
    last_week = table(document, "上周问题明细").rows
    assert [(r[1], r[5]) for r in last_week] == [("热轧车间", "已整改"), ("转炉车间", "待整改"), ("锅炉房", "已验收")]
    overdue = table(document, "逾期问题").rows
    assert [(r[1], r[5]) for r in overdue] == [("转炉车间", 9), ("热轧车间", 7)]
    rates = {r[0]: r[1:] for r in table(document, "各单位整改率").rows}
    assert rates == {"转炉车间": (2, 0, 0.0, None), "锅炉房": (3, 2, 66.7, 24.0), "热轧车间": (1, 0, 0.0, None)}
    assert "整改率 =" in document.sections[3].paragraphs[0]


def ack_notice(nid, groups, published, deadline, recipients, acks=(), laggards=()):
    return AckNotice(nid, f"通知{nid}", groups, published, deadline, recipients,
                     tuple(Acknowledgement(u, d, t) for u, d, t in acks), tuple(laggards))


NOTICES = [
    ack_notice("n-1", ("g-steel",), at(16, 9), at(17, 18), 3,
               [("u-li", "炼钢厂", at(16, 10)), ("u-wang", "炼钢厂", at(17, 20))],
               [("u-wang", "炼钢厂"), ("u-zhao", "动力厂")]),
    ack_notice("n-2", ("g-boiler", "g-steel"), at(18, 8), at(19, 12), 2,
               [("u-zhao", "动力厂", at(18, 9))], [("u-sun", "动力厂")]),
]


def test_acknowledgement_report_per_group_and_department():
    document = build_acknowledgement_report(WEEK, NOW, notices=NOTICES,
                                            group_names={"g-steel": "炼钢厂调度群", "g-boiler": "锅炉运行班"},
                                            deadlines=[], policy=ChronicPolicy())
    assert table(document, "按群组").rows == (
        ("锅炉运行班", 1, 2, 1, 50.0, 1.0, 1),
        ("炼钢厂调度群", 2, 5, 3, 60.0, 1.0, 2))
    assert table(document, "按部门").rows == (
        ("动力厂", 1, 1, 0, 2, 33.3, 1.0, 2),
        ("炼钢厂", 2, 1, 1, 0, 100.0, 18.0, 1))
    assert "确认率 60.0%" in document.sections[0].paragraphs[0]
    assert table(document, "长期未确认人员").rows == ()


def test_a_deadline_still_ahead_is_not_past():
    early = datetime(2026, 11, 18, 20, tzinfo=SHANGHAI)  # before n-2's deadline
    document = build_acknowledgement_report(WEEK, early, notices=NOTICES, group_names={}, deadlines=[],
                                            policy=ChronicPolicy())
    assert {r[0]: r[6] for r in table(document, "按群组").rows} == {"g-boiler": 0, "g-steel": 1}


def deadline(user, nid, day, missed):
    return PersonDeadline(user, "动力厂", nid, at(day, 12), missed)


def test_chronic_non_acknowledgers_count_only_their_last_deadlines():
    deadlines = [deadline("u-zhao", f"n{d}", d, missed=d < 14) for d in range(10, 17)]  # missed 4 old, met 3 recent
    deadlines += [deadline("u-sun", f"n{d}", d, missed=d % 2 == 0) for d in range(10, 15)]  # missed 10, 12, 14
    assert chronic_non_acknowledgers(deadlines, ChronicPolicy(missed=3, window=5)) == [("u-sun", "动力厂", 3, 5)]
    assert chronic_non_acknowledgers(deadlines, ChronicPolicy(missed=3, window=7)) == [
        ("u-zhao", "动力厂", 4, 7), ("u-sun", "动力厂", 3, 5)]
    with pytest.raises(ValueError):
        ChronicPolicy(missed=6, window=5)


def test_plain_text_carries_headings_and_figures_for_search():
    document = build_acknowledgement_report(WEEK, NOW, notices=NOTICES, group_names={"g-steel": "炼钢厂调度群"},
                                            deadlines=[], policy=ChronicPolicy())
    text = plain_text(document)
    assert "通知确认情况报告（2026-W47）" in text and "三、各部门确认情况" in text
    assert "炼钢厂调度群 2 5 3 60.0 1.0 2" in text
