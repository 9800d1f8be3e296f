"""Sample history shared by the reports tests: one week (2026-W47 in
Asia/Shanghai, Monday 2026-11-16 to Sunday 2026-11-22) of notices, receipts,
findings and an incident, as the notice service announces them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from hub.events.v1 import notice_events_pb2 as ev
from hub.notice.v1 import notice_pb2
from hubkit.envelope import new_envelope

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = "2026-W47"
AFTER_WEEK = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)  # Tuesday of the next week


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Shanghai time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def _ts(message, field, moment):
    getattr(message, field).FromDatetime(moment.astimezone(timezone.utc))
    return message


def _person(user_id, department):
    return ev.Person(user_id=user_id, department=department)


def sample_events() -> list:
    """Envelopes in the order they happen."""
    published = []
    E = partial(new_envelope)
    out = [
        E("group.created", ev.GroupCreated(group_id="g-steel", name="炼钢厂调度群", department="炼钢厂")),
        E("group.created", ev.GroupCreated(group_id="g-boiler", name="动力厂锅炉班组", department="动力厂")),
        E("group.renamed", ev.GroupRenamed(group_id="g-boiler", name="动力厂锅炉运行班")),
    ]

    def notice(notice_id, groups, title, when, deadline, recipients):
        payload = ev.NoticePublished(notice_id=notice_id, group_ids=groups, title=title, requires_ack=True,
                                     recipient_count=recipients, author_department="安全环保部")
        _ts(payload, "published_at", when)
        _ts(payload, "ack_deadline", deadline)
        published.append(notice_id)
        return E("notice.published", payload)

    def ack(notice_id, user, dept, when):
        payload = ev.ReceiptAcknowledged(notice_id=notice_id, recipient=_person(user, dept))
        return E("receipt.acknowledged", _ts(payload, "acknowledged_at", when))

    def read(notice_id, user, dept, when):
        return E("receipt.read", _ts(ev.ReceiptRead(notice_id=notice_id, recipient=_person(user, dept)), "read_at", when))

    def overdue(notice_id, deadline, laggards):
        payload = ev.NoticeOverdue(notice_id=notice_id, laggards=[_person(u, d) for u, d in laggards])
        return E("notice.overdue", _ts(payload, "ack_deadline", deadline))

    def finding(finding_id, area, unit, severity, opened, due, description):
        payload = ev.FindingOpened(finding_id=finding_id, area=area, responsible_unit=unit, severity=severity,
                                   description=description)
        _ts(payload, "opened_at", opened)
        return E("finding.opened", _ts(payload, "due_at", due))

    def status(finding_id, to_status, when):
        payload = ev.FindingStatusChanged(finding_id=finding_id, to_status=to_status)
        return E("finding.status_changed", _ts(payload, "changed_at", when))

    high, medium = notice_pb2.FINDING_SEVERITY_HIGH, notice_pb2.FINDING_SEVERITY_MEDIUM
    rectified, verified = notice_pb2.FINDING_STATUS_RECTIFIED, notice_pb2.FINDING_STATUS_VERIFIED
    incident = ev.IncidentReported(incident_id="i-1", kind="设备故障", location="二号转炉倾动机构",
                                   reporter=_person("u-qian", "炼钢厂"))
    out += [
        # last week (2026-W46)
        finding("f-3", "一号转炉平台", "炼钢厂转炉车间", high, local(10, 9), local(13, 18), "平台护栏焊缝开裂"),
        finding("f-4", "锅炉给水泵房", "动力厂锅炉房", medium, local(11, 14), local(14, 18), "泵房照明不足"),
        status("f-4", rectified, local(12, 14)),
        status("f-4", verified, local(13, 9)),
        # this week
        notice("n-1", ["g-steel"], "关于转炉煤气回收安全操作的通知", local(16, 9), local(17, 18), 3),
        ack("n-1", "u-li", "炼钢厂", local(16, 10)),
        read("n-1", "u-wang", "炼钢厂", local(16, 11)),
        overdue("n-1", local(17, 18), [("u-wang", "炼钢厂"), ("u-zhao", "动力厂")]),
        ack("n-1", "u-wang", "炼钢厂", local(17, 20)),
        notice("n-2", ["g-boiler", "g-steel"], "冬季锅炉房防冻检查安排", local(18, 8), local(19, 12), 2),
        ack("n-2", "u-zhao", "动力厂", local(18, 9)),
        overdue("n-2", local(19, 12), [("u-sun", "动力厂")]),
        notice("n-3", ["g-steel"], "已撤回的测试通知", local(18, 10), local(20, 10), 5),
        E("notice.revoked", _ts(ev.NoticeRevoked(notice_id="n-3", reason="发错群"), "revoked_at", local(18, 11))),
        finding("f-1", "一号转炉平台", "炼钢厂转炉车间", high, local(17, 10), local(24, 18), "氧枪冷却水管渗漏"),
        finding("f-2", "锅炉给水泵房", "动力厂锅炉房", medium, local(18, 15), local(21, 18), "安全阀铅封缺失"),
        status("f-2", rectified, local(19, 15)),
        E("incident.reported", _ts(incident, "reported_at", local(19, 22))),
    ]
    return out


@pytest.fixture
def history():
    return sample_events()
