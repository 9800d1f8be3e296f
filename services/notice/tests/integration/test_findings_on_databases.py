"""Finding and incident use cases on SQLite and PostgreSQL (db_url fixture):
one transaction per step with its outbox event and audit entry."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hub.notice.v1 import notice_pb2
from hubkit.auth import Caller
from hubkit.db import outbox
from hubkit.envelope import from_bytes
from hubkit.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from hubkit.wiring import engine_for, migrate_service
from notice import finding_handlers, handlers, incident_handlers
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.domain import commands, findings, incidents
from notice.domain.audit import EntityKind
from notice.domain.model import Limits

UTC = timezone.utc
INSPECTOR = Caller("u-qian", departments=("安全环保部",))
FOREMAN = Caller("u-sun", departments=("炼铁厂",))
DISPATCH = Caller("u-diao", departments=("调度中心",), roles=("dispatcher",))
FIELD_WORKER = Caller("u-gao", departments=("烧结厂",))
# Thursday 2026-11-26 10:00 in Shanghai.
THURSDAY = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


@pytest.fixture
def uow(hub_config, db_url):
    config = hub_config(NOTICE_DATABASE_URL=db_url)
    migrate_service(config, "notice")
    engine = engine_for(config, "notice")

    def make(read_only=False):
        return SqlNoticeUnitOfWork(engine, read_only=read_only)
    make.engine = engine
    return make


def clock(moment):
    return lambda: moment


def open_finding(uow, now=THURSDAY, **fields):
    cmd = findings.OpenFinding(**{
        "area": "二号高炉出铁场", "description": "主沟盖板破损。", "severity": "high", "responsible_unit": "炼铁厂",
        "responsible_person": "u-sun", "due_at": now + timedelta(days=2), "photo_document_ids": ("doc-1",),
        **fields})
    return finding_handlers.open_finding(cmd, caller=INSPECTOR, uow=uow(), clock=clock(now))


def outbox_events(engine, event_type):
    with engine.connect() as connection:
        stored = connection.execute(sa.select(outbox.c.envelope).where(outbox.c.routing_key == event_type)
                                    .order_by(outbox.c.id)).scalars().all()
    return [from_bytes(envelope).payload for envelope in stored]


def test_the_lifecycle_is_stored_announced_and_audited(uow):
    finding = open_finding(uow)
    fid = finding.finding_id
    later = THURSDAY + timedelta(hours=3)
    finding_handlers.start_rectification(findings.StartRectification(fid), caller=FOREMAN, uow=uow(),
                                         clock=clock(later))
    finding_handlers.rectify_finding(findings.RectifyFinding(fid, "已更换盖板。", ("doc-8",)), caller=FOREMAN,
                                     uow=uow(), clock=clock(later))
    finding_handlers.reopen_finding(findings.ReopenFinding(fid, "盖板未固定。"), caller=INSPECTOR, uow=uow(),
                                    clock=clock(later))
    finding_handlers.start_rectification(findings.StartRectification(fid), caller=FOREMAN, uow=uow(),
                                         clock=clock(later))
    finding_handlers.rectify_finding(findings.RectifyFinding(fid, "已焊接固定。", ("doc-9", "doc-10")),
                                     caller=FOREMAN, uow=uow(), clock=clock(later))
    finding_handlers.verify_finding(findings.VerifyFinding(fid), caller=INSPECTOR, uow=uow(), clock=clock(later))

    stored = finding_handlers.get_finding(findings.GetFinding(fid), caller=FOREMAN, uow=uow(read_only=True))
    assert stored.status is findings.FindingStatus.VERIFIED and stored.verified_at == later
    assert (stored.rectification_note, stored.evidence_document_ids) == ("已焊接固定。", ("doc-9", "doc-10"))
    assert (stored.reopen_reason, stored.reopened_count) == ("盖板未固定。", 1)
    assert stored.due_at == THURSDAY + timedelta(days=2) and stored.photo_document_ids == ("doc-1",)

    [opened] = outbox_events(uow.engine, "finding.opened")
    assert (opened.finding_id, opened.area, opened.severity, opened.inspector_id) == (
        fid, "二号高炉出铁场", notice_pb2.FINDING_SEVERITY_HIGH, "u-qian")
    assert opened.due_at.ToDatetime(tzinfo=UTC) == THURSDAY + timedelta(days=2)
    changes = outbox_events(uow.engine, "finding.status_changed")
    S = notice_pb2
    assert [(c.from_status, c.to_status, c.changed_by) for c in changes] == [
        (S.FINDING_STATUS_OPEN, S.FINDING_STATUS_IN_PROGRESS, "u-sun"),
        (S.FINDING_STATUS_IN_PROGRESS, S.FINDING_STATUS_RECTIFIED, "u-sun"),
        (S.FINDING_STATUS_RECTIFIED, S.FINDING_STATUS_REOPENED, "u-qian"),
        (S.FINDING_STATUS_REOPENED, S.FINDING_STATUS_IN_PROGRESS, "u-sun"),
        (S.FINDING_STATUS_IN_PROGRESS, S.FINDING_STATUS_RECTIFIED, "u-sun"),
        (S.FINDING_STATUS_RECTIFIED, S.FINDING_STATUS_VERIFIED, "u-qian")]
    rectified = changes[4]
    assert (rectified.note, list(rectified.evidence_document_ids)) == ("已焊接固定。", ["doc-9", "doc-10"])
    assert (rectified.area, rectified.responsible_unit, rectified.severity) == (
        "二号高炉出铁场", "炼铁厂", S.FINDING_SEVERITY_HIGH)
    assert rectified.changed_at.ToDatetime(tzinfo=UTC) == later
    assert changes[2].note == "盖板未固定。"

    with uow(read_only=True) as reading:
        trail = reading.audit.trail(EntityKind.FINDING, fid)
    assert [(e.action, e.actor_id) for e in trail] == [
        ("opened", "u-qian"), ("started", "u-sun"), ("rectified", "u-sun"), ("reopened", "u-qian"),
        ("started", "u-sun"), ("rectified", "u-sun"), ("verified", "u-qian")]
    assert trail[3].detail == {"from": "rectified", "to": "reopened", "note": "盖板未固定。"}


def count(engine, table, where=""):
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"select count(*) from {table} {where}").scalar()


def test_refused_steps_change_nothing(uow):
    fid = open_finding(uow).finding_id
    before = (count(uow.engine, "outbox"), count(uow.engine, "audit_log"))
    with pytest.raises(FailedPrecondition) as raised:  # the inspector, but the finding is still open
        finding_handlers.verify_finding(findings.VerifyFinding(fid), caller=INSPECTOR, uow=uow())
    assert "is open" in str(raised.value)
    with pytest.raises(PermissionDenied):  # the foreman may not verify his own work
        finding_handlers.verify_finding(findings.VerifyFinding(fid), caller=FOREMAN, uow=uow())
    with pytest.raises(InvalidArgument):  # a legal step with bad input
        finding_handlers.start_rectification(findings.StartRectification(fid), caller=FOREMAN, uow=uow())
        finding_handlers.rectify_finding(findings.RectifyFinding(fid, "", ("doc-1",)), caller=FOREMAN, uow=uow())
    assert (count(uow.engine, "outbox"), count(uow.engine, "audit_log")) == (before[0] + 1, before[1] + 1)
    assert count(uow.engine, "findings", "where status = 'in_progress'") == 1


def test_unknown_and_empty_ids_and_bad_input(uow):
    with pytest.raises(NotFound) as raised:
        finding_handlers.start_rectification(findings.StartRectification("f-nowhere"), caller=FOREMAN, uow=uow())
    assert raised.value.field == "finding_id"
    with pytest.raises(InvalidArgument) as raised:
        finding_handlers.get_finding(findings.GetFinding(" "), caller=FOREMAN, uow=uow())
    assert raised.value.field == "finding_id"
    with pytest.raises(InvalidArgument) as raised:
        open_finding(uow, due_at=THURSDAY - timedelta(minutes=1))
    assert raised.value.field == "due_at"
    assert count(uow.engine, "findings") == 0 and count(uow.engine, "outbox") == 0


def test_the_weekly_review_with_fixed_dates(uow):
    last_friday = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 2026-W47
    monday_early = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # Monday 00:30 Shanghai, 2026-W48
    sunday_late = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)  # Sunday 23:30 Shanghai, still 2026-W47
    old_done = open_finding(uow, now=last_friday, area="料场", responsible_unit="原料厂", severity="medium",
                            due_at=last_friday + timedelta(days=1))
    old_late = open_finding(uow, now=sunday_late, area="料场", responsible_unit="原料厂", severity="low",
                            due_at=sunday_late + timedelta(days=2))
    new_a = open_finding(uow, now=monday_early, area="出铁场", severity="critical")
    new_b = open_finding(uow, now=THURSDAY, area="出铁场", responsible_unit="炼钢厂", responsible_person="u-ma")
    new_c = open_finding(uow, now=THURSDAY + timedelta(minutes=1), area="转炉平台", responsible_unit="炼钢厂",
                         responsible_person="u-ma", severity="low")
    open_finding(uow, now=THURSDAY + timedelta(days=7), area="下周")  # next week: in neither list
    owner = Caller("u-sun", departments=("原料厂",))
    finding_handlers.start_rectification(findings.StartRectification(old_done.finding_id), caller=owner, uow=uow(),
                                         clock=clock(last_friday))
    finding_handlers.rectify_finding(findings.RectifyFinding(old_done.finding_id, "已清理。", ("doc-5",)),
                                     caller=owner, uow=uow(), clock=clock(last_friday + timedelta(hours=2)))

    review = finding_handlers.weekly_review(THURSDAY + timedelta(hours=1), caller=FOREMAN, uow=uow(read_only=True),
                                            time_zone="Asia/Shanghai")
    assert (review.week.label, review.last_week_label) == ("2026-W48", "2026-W47")
    assert [f.finding_id for f in review.this_week] == [new_a.finding_id, new_b.finding_id, new_c.finding_id]
    assert [(b.key, b.count) for b in review.by_area] == [("出铁场", 2), ("转炉平台", 1)]
    assert [(b.key, b.count) for b in review.by_unit] == [("炼钢厂", 2), ("炼铁厂", 1)]
    assert [(b.key, b.finding_ids) for b in review.by_severity] == [
        ("critical", (new_a.finding_id,)), ("high", (new_b.finding_id,)), ("low", (new_c.finding_id,))]
    assert [(f.finding_id, f.status.value) for f in review.last_week] == [
        (old_done.finding_id, "rectified"), (old_late.finding_id, "open")]
    assert [(b.key, b.count) for b in review.last_week_by_status] == [("open", 1), ("rectified", 1)]
    # Due on Tuesday and still open on Thursday, most overdue first; the rectified one is not overdue.
    assert [f.finding_id for f in review.overdue] == [old_late.finding_id, new_a.finding_id]

    # Monday 00:30 in Shanghai is still Sunday in UTC: a UTC review puts it into the older week.
    utc_review = finding_handlers.weekly_review(THURSDAY, caller=FOREMAN, uow=uow(read_only=True), time_zone="UTC")
    assert [f.finding_id for f in utc_review.this_week] == [new_b.finding_id, new_c.finding_id]
    assert new_a.finding_id in [f.finding_id for f in utc_review.last_week]


def test_list_filters_and_pages(uow):
    ids = [open_finding(uow, now=THURSDAY + timedelta(minutes=i), area=f"区域{i % 2}").finding_id for i in range(5)]
    page = finding_handlers.list_findings(findings.ListFindings(area="区域0", page_size=2), caller=FOREMAN,
                                          uow=uow(read_only=True), clock=clock(THURSDAY))
    assert [f.finding_id for f in page.findings] == [ids[4], ids[2]] and page.next_page_token
    rest = finding_handlers.list_findings(findings.ListFindings(area="区域0", page_size=2,
                                                                page_token=page.next_page_token),
                                          caller=FOREMAN, uow=uow(read_only=True), clock=clock(THURSDAY))
    assert [f.finding_id for f in rest.findings] == [ids[0]] and rest.next_page_token == ""
    # A finding opened between two pages moves nothing: the next page starts after the last one shown.
    first = finding_handlers.list_findings(findings.ListFindings(page_size=2), caller=FOREMAN,
                                           uow=uow(read_only=True), clock=clock(THURSDAY))
    open_finding(uow, now=THURSDAY + timedelta(minutes=9))
    second = finding_handlers.list_findings(findings.ListFindings(page_size=2, page_token=first.next_page_token),
                                            caller=FOREMAN, uow=uow(read_only=True), clock=clock(THURSDAY))
    assert [f.finding_id for f in first.findings + second.findings] == [ids[4], ids[3], ids[2], ids[1]]
    with pytest.raises(InvalidArgument) as raised:  # a token of another list
        finding_handlers.list_findings(findings.ListFindings(area="区域1", page_token=page.next_page_token),
                                       caller=FOREMAN, uow=uow(read_only=True))
    assert raised.value.field == "page_token"
    overdue = finding_handlers.list_findings(findings.ListFindings(overdue_only=True), caller=FOREMAN,
                                             uow=uow(read_only=True), clock=clock(THURSDAY + timedelta(days=30)))
    assert len(overdue.findings) == 6
    for bad, field in [(findings.ListFindings(status="done"), "status"),
                       (findings.ListFindings(page_size=201), "page_size"),
                       (findings.ListFindings(page_token="abc"), "page_token"),
                       (findings.ListFindings(page_token="9" * 30), "page_token")]:
        with pytest.raises(InvalidArgument) as raised:
            finding_handlers.list_findings(bad, caller=FOREMAN, uow=uow(read_only=True))
        assert raised.value.field == field


def make_group(uow, name="消防应急组"):
    return handlers.create_group(commands.CreateGroup(name, "安全环保部"), caller=DISPATCH, uow=uow())


def test_an_incident_becomes_an_urgent_notice_in_one_transaction(uow):
    group = make_group(uow)
    incident_handlers.set_incident_route(incidents.SetIncidentRoute("火灾", group.group_id), caller=DISPATCH,
                                         uow=uow())
    incident = incident_handlers.report_incident(
        incidents.ReportIncident("火灾", "三号皮带通廊冒烟。", "烧结厂三号皮带通廊", 39.63, 118.18, ("doc-3",)),
        caller=FIELD_WORKER, uow=uow(), limits=Limits(), clock=clock(THURSDAY))
    assert incident.group_id == group.group_id and incident.reporter.department == "烧结厂"

    notice = handlers.get_notice(commands.GetNotice(incident.notice_id), caller=FIELD_WORKER, uow=uow())
    assert notice.group_ids == (group.group_id,) and notice.title == "【突发事件·火灾】烧结厂三号皮带通廊"
    assert notice.author_id == "u-gao" and notice.published_at == THURSDAY

    [reported] = outbox_events(uow.engine, "incident.reported")
    assert (reported.incident_id, reported.kind, reported.location, reported.notice_id, reported.group_id) == (
        incident.incident_id, "火灾", "烧结厂三号皮带通廊", notice.notice_id, group.group_id)
    assert (reported.reporter.user_id, reported.reporter.department) == ("u-gao", "烧结厂")
    assert (reported.latitude, reported.longitude, list(reported.photo_document_ids)) == (39.63, 118.18, ["doc-3"])
    [published] = outbox_events(uow.engine, "notice.published")
    assert (published.notice_id, list(published.group_ids), published.title) == (
        notice.notice_id, [group.group_id], notice.title)
    assert "三号皮带通廊冒烟。" in published.body
    # An urgent safety alert, delivered like any notice: a receipt per member
    # of the group (here its creator, dispatch).
    assert (published.priority, published.category) == (
        notice_pb2.NOTICE_PRIORITY_URGENT, notice_pb2.NOTICE_CATEGORY_SAFETY_ALERT)
    assert published.recipient_count == 1

    stored = incident_handlers.get_incident(incidents.GetIncident(incident.incident_id), caller=FIELD_WORKER,
                                            uow=uow(read_only=True))
    assert stored == incident
    with uow(read_only=True) as reading:
        assert [e.action for e in reading.audit.trail(EntityKind.INCIDENT, incident.incident_id)] == ["reported"]
        assert [(e.action, e.detail["kind"]) for e in reading.audit.trail(EntityKind.GROUP, group.group_id)
                if e.action == "incident_route_set"] == [("incident_route_set", "火灾")]


def test_unrouted_kinds_are_refused_or_go_to_the_default_group(uow):
    group = make_group(uow, "总调度值班组")
    report = incidents.ReportIncident("停电", "二号变电所全站失压。", "二号变电所")
    with pytest.raises(FailedPrecondition) as raised:
        incident_handlers.report_incident(report, caller=FIELD_WORKER, uow=uow(), limits=Limits())
    assert raised.value.field == "kind" and "停电" in raised.value.message
    with pytest.raises(FailedPrecondition):
        incident_handlers.report_incident(report, caller=FIELD_WORKER, uow=uow(), limits=Limits(),
                                          default_group_id="g-deleted")
    assert count(uow.engine, "incidents") == 0 and count(uow.engine, "notices") == 0
    assert count(uow.engine, "outbox", "where routing_key <> 'group.created'") == 0
    incident = incident_handlers.report_incident(report, caller=FIELD_WORKER, uow=uow(), limits=Limits(),
                                                 default_group_id=group.group_id)
    assert incident.group_id == group.group_id


def test_routing_needs_dispatch_and_an_existing_group(uow):
    group = make_group(uow)
    with pytest.raises(PermissionDenied):
        incident_handlers.set_incident_route(incidents.SetIncidentRoute("火灾", group.group_id), caller=FIELD_WORKER,
                                             uow=uow())
    with pytest.raises(NotFound) as raised:
        incident_handlers.set_incident_route(incidents.SetIncidentRoute("火灾", "g-nowhere"), caller=DISPATCH,
                                             uow=uow())
    assert raised.value.field == "group_id"
    other = make_group(uow, "设备抢修组")
    for group_id in (group.group_id, other.group_id):  # setting again replaces
        incident_handlers.set_incident_route(incidents.SetIncidentRoute("火灾", group_id), caller=DISPATCH, uow=uow())
    routes = incident_handlers.list_incident_routes(caller=FIELD_WORKER, uow=uow(read_only=True))
    assert [(r.kind, r.group_id) for r in routes] == [("火灾", other.group_id)]


def test_incidents_are_visible_to_their_group_reporter_and_dispatch(uow):
    fire, power = make_group(uow, "消防组"), make_group(uow, "供电组")
    for kind, group in (("火灾", fire), ("停电", power)):
        incident_handlers.set_incident_route(incidents.SetIncidentRoute(kind, group.group_id), caller=DISPATCH,
                                             uow=uow())
    reported = [incident_handlers.report_incident(incidents.ReportIncident(kind, "情况说明。", "现场"),
                                                  caller=FIELD_WORKER, uow=uow(), limits=Limits(),
                                                  clock=clock(THURSDAY + timedelta(minutes=i)))
                for i, kind in enumerate(("火灾", "停电", "火灾"))]
    firefighter = Caller("u-huo", groups=(fire.group_id,))

    def listed(caller, **query):
        page = incident_handlers.list_incidents(incidents.ListIncidents(**query), caller=caller,
                                                uow=uow(read_only=True))
        return [i.incident_id for i in page.incidents]
    assert listed(firefighter) == [reported[2].incident_id, reported[0].incident_id]
    assert listed(DISPATCH) == [i.incident_id for i in reversed(reported)]
    assert listed(DISPATCH, kind="停电") == [reported[1].incident_id]
    assert listed(FIELD_WORKER) == listed(DISPATCH)
    first = incident_handlers.list_incidents(incidents.ListIncidents(page_size=2), caller=DISPATCH,
                                             uow=uow(read_only=True))
    rest = incident_handlers.list_incidents(incidents.ListIncidents(page_size=2, page_token=first.next_page_token),
                                            caller=DISPATCH, uow=uow(read_only=True))
    assert [i.incident_id for i in first.incidents + rest.incidents] == listed(DISPATCH) and not rest.next_page_token
    with pytest.raises(InvalidArgument) as raised:  # a token of another list
        incident_handlers.list_incidents(incidents.ListIncidents(kind="火灾", page_token=first.next_page_token),
                                         caller=DISPATCH, uow=uow(read_only=True))
    assert raised.value.field == "page_token"
    with pytest.raises(NotFound):
        incident_handlers.get_incident(incidents.GetIncident(reported[1].incident_id), caller=firefighter,
                                       uow=uow(read_only=True))
