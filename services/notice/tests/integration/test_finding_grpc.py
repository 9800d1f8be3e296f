"""FindingService and IncidentService over a real gRPC channel (port 0)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from hub.notice.v1 import finding_service_pb2 as api, finding_service_pb2_grpc, notice_pb2
from hub.notice.v1 import incident_service_pb2 as incident_api, incident_service_pb2_grpc
from hub.notice.v1 import notice_service_pb2 as notice_api, notice_service_pb2_grpc
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import ApiClient, violated_fields
from hubkit import api_process
from hubkit.wiring import engine_for, migrate_service
from notice.domain import finding_review

UTC = timezone.utc
INSPECTOR = Caller("u-qian", departments=("安全环保部",))
FOREMAN = Caller("u-sun", departments=("炼铁厂",))
DISPATCH = Caller("u-diao", departments=("调度中心",), roles=("dispatcher",))
FIELD_WORKER = Caller("u-gao", departments=("烧结厂",))
S = notice_pb2


@pytest.fixture
def api_server(hub_config, db_url, jwt_secret):
    config = hub_config(NOTICE_DATABASE_URL=db_url, NOTICE_MAX_TITLE_CHARS="30")
    migrate_service(config, "notice")
    server = api_process.api_server(config, "notice", address="127.0.0.1:0").start()
    yield config, server
    server.stop(0)


@pytest.fixture
def connect(api_server, jwt_secret):
    _, server = api_server
    clients = []

    def make(stub_class, caller):
        channel = grpc.insecure_channel(server.address)
        client = ApiClient(channel, stub_class(channel), bearer_metadata(issue_token(jwt_secret, caller)))
        clients.append(client)
        return client
    yield make
    for client in clients:
        client.close()


def stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def open_request(**fields):
    return api.OpenFindingRequest(**{
        "area": "二号高炉出铁场", "description": "主沟盖板破损，存在烫伤风险。", "severity": S.FINDING_SEVERITY_HIGH,
        "photo_document_ids": ["doc-1"], "responsible_unit": "炼铁厂", "responsible_person": "u-sun",
        "due_at": stamp(datetime.now(UTC) + timedelta(days=3)), **fields})


def test_the_lifecycle_over_grpc(connect):
    inspector = connect(finding_service_pb2_grpc.FindingServiceStub, INSPECTOR)
    foreman = connect(finding_service_pb2_grpc.FindingServiceStub, FOREMAN)
    finding = inspector.OpenFinding(open_request()).finding
    assert (finding.status, finding.inspector_id, finding.severity) == (S.FINDING_STATUS_OPEN, "u-qian",
                                                                        S.FINDING_SEVERITY_HIGH)
    fid = finding.finding_id
    assert foreman.StartRectification(api.StartRectificationRequest(finding_id=fid)).finding.status == \
        S.FINDING_STATUS_IN_PROGRESS
    rectified = foreman.RectifyFinding(api.RectifyFindingRequest(
        finding_id=fid, note="已更换盖板。", evidence_document_ids=["doc-8"])).finding
    assert rectified.status == S.FINDING_STATUS_RECTIFIED and rectified.HasField("rectified_at")
    reopened = inspector.ReopenFinding(api.ReopenFindingRequest(finding_id=fid, reason="盖板未固定。")).finding
    assert (reopened.status, reopened.reopen_reason, reopened.reopened_count) == (
        S.FINDING_STATUS_REOPENED, "盖板未固定。", 1)
    foreman.StartRectification(api.StartRectificationRequest(finding_id=fid))
    foreman.RectifyFinding(api.RectifyFindingRequest(finding_id=fid, note="已焊接。", evidence_document_ids=["doc-9"]))
    verified = inspector.VerifyFinding(api.VerifyFindingRequest(finding_id=fid)).finding
    assert verified.status == S.FINDING_STATUS_VERIFIED and not verified.overdue
    assert foreman.GetFinding(api.GetFindingRequest(finding_id=fid)).finding == verified


def test_illegal_steps_name_the_state_and_wrong_actors_are_denied(connect):
    inspector = connect(finding_service_pb2_grpc.FindingServiceStub, INSPECTOR)
    foreman = connect(finding_service_pb2_grpc.FindingServiceStub, FOREMAN)
    fid = inspector.OpenFinding(open_request()).finding.finding_id
    with pytest.raises(grpc.RpcError) as raised:
        inspector.VerifyFinding(api.VerifyFindingRequest(finding_id=fid))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "is open" in raised.value.details() and "rectified" in raised.value.details()
    foreman.StartRectification(api.StartRectificationRequest(finding_id=fid))
    with pytest.raises(grpc.RpcError) as raised:
        foreman.StartRectification(api.StartRectificationRequest(finding_id=fid))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "is in_progress" in raised.value.details()
    for stub, request in [(foreman.VerifyFinding, api.VerifyFindingRequest(finding_id=fid)),
                          (inspector.RectifyFinding, api.RectifyFindingRequest(
                              finding_id=fid, note="代为整改。", evidence_document_ids=["doc-1"]))]:
        with pytest.raises(grpc.RpcError) as raised:
            stub(request)
        assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize("fields, field", [
    ({"area": ""}, "area"),
    ({"description": "述" * 2001}, "description"),
    ({"severity": S.FINDING_SEVERITY_UNSPECIFIED}, "severity"),
    ({"severity": 42}, "severity"),
    ({"responsible_unit": " "}, "responsible_unit"),
    ({"responsible_person": ""}, "responsible_person"),
    ({"due_at": None}, "due_at"),
    ({"due_at": stamp(datetime(2020, 1, 1, tzinfo=UTC))}, "due_at"),
    ({"photo_document_ids": ["doc-1", ""]}, "photo_document_ids[1]"),
])
def test_bad_findings_are_refused_naming_the_field_and_nothing_is_stored(api_server, connect, fields, field):
    config, _ = api_server
    inspector = connect(finding_service_pb2_grpc.FindingServiceStub, INSPECTOR)
    request = open_request(**fields)
    if "due_at" in fields and fields["due_at"] is None:
        request.ClearField("due_at")
    with pytest.raises(grpc.RpcError) as raised:
        inspector.OpenFinding(request)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(raised.value) == [field] and field in raised.value.details()
    with engine_for(config, "notice").connect() as connection:
        assert connection.exec_driver_sql("select count(*) from findings").scalar() == 0
        assert connection.exec_driver_sql("select count(*) from outbox").scalar() == 0


def test_unknown_ids_and_bad_queries(connect):
    foreman = connect(finding_service_pb2_grpc.FindingServiceStub, FOREMAN)
    for call, request, code, field in [
        (foreman.GetFinding, api.GetFindingRequest(finding_id="f-nowhere"), grpc.StatusCode.NOT_FOUND, "finding_id"),
        (foreman.StartRectification, api.StartRectificationRequest(finding_id=""), grpc.StatusCode.INVALID_ARGUMENT,
         "finding_id"),
        (foreman.RectifyFinding, api.RectifyFindingRequest(finding_id="f-nowhere", note="x"),
         grpc.StatusCode.NOT_FOUND, "finding_id"),
        (foreman.ListFindings, api.ListFindingsRequest(status=99), grpc.StatusCode.INVALID_ARGUMENT, "status"),
        (foreman.ListFindings, api.ListFindingsRequest(page_size=1000), grpc.StatusCode.INVALID_ARGUMENT, "page_size"),
        (foreman.ListFindings, api.ListFindingsRequest(page_token="-1"), grpc.StatusCode.INVALID_ARGUMENT,
         "page_token"),
    ]:
        with pytest.raises(grpc.RpcError) as raised:
            call(request)
        assert (raised.value.code(), violated_fields(raised.value)) == (code, [field])


def test_weekly_review_and_overdue_over_grpc(connect):
    inspector = connect(finding_service_pb2_grpc.FindingServiceStub, INSPECTOR)
    now = datetime.now(UTC)
    soon = inspector.OpenFinding(open_request(due_at=stamp(now + timedelta(days=2)))).finding
    later = inspector.OpenFinding(open_request(area="转炉平台", responsible_unit="炼钢厂", severity=S.FINDING_SEVERITY_LOW,
                                               due_at=stamp(now + timedelta(days=20)))).finding
    review = inspector.GetWeeklyReview(api.GetWeeklyReviewRequest(at=stamp(now))).review
    assert review.time_zone == "Asia/Shanghai"
    assert review.iso_week == finding_review.week_of(now, ZoneInfo("Asia/Shanghai")).label
    assert {f.finding_id for f in review.this_week} == {soon.finding_id, later.finding_id}
    assert sorted((b.key, b.count) for b in review.by_area) == [("二号高炉出铁场", 1), ("转炉平台", 1)]
    assert [(b.severity, b.count) for b in review.by_severity] == [(S.FINDING_SEVERITY_HIGH, 1),
                                                                  (S.FINDING_SEVERITY_LOW, 1)]
    assert list(review.overdue) == []
    # A week later both are last week's findings, and the first one is overdue.
    next_week = inspector.GetWeeklyReview(api.GetWeeklyReviewRequest(at=stamp(now + timedelta(days=7)))).review
    assert list(next_week.this_week) == [] and next_week.last_iso_week == review.iso_week
    assert [(b.status, b.count) for b in next_week.last_week_by_status] == [(S.FINDING_STATUS_OPEN, 2)]
    assert [f.finding_id for f in next_week.overdue] == [soon.finding_id] and next_week.overdue[0].overdue
    listed = inspector.ListFindings(api.ListFindingsRequest(status=S.FINDING_STATUS_OPEN, responsible_unit="炼钢厂"))
    assert [f.finding_id for f in listed.findings] == [later.finding_id] and listed.next_page_token == ""


def test_incidents_over_grpc(api_server, connect):
    config, _ = api_server
    dispatch_notice = connect(notice_service_pb2_grpc.NoticeServiceStub, DISPATCH)
    group = dispatch_notice.CreateGroup(notice_api.CreateGroupRequest(name="消防应急组", department="安全环保部")).group
    dispatch = connect(incident_service_pb2_grpc.IncidentServiceStub, DISPATCH)
    worker = connect(incident_service_pb2_grpc.IncidentServiceStub, FIELD_WORKER)

    with pytest.raises(grpc.RpcError) as raised:
        worker.SetIncidentRoute(incident_api.SetIncidentRouteRequest(kind="火灾", group_id=group.group_id))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as raised:
        worker.ReportIncident(incident_api.ReportIncidentRequest(kind="火灾", description="冒烟。", location="皮带通廊"))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION and violated_fields(raised.value) == ["kind"]

    route = dispatch.SetIncidentRoute(incident_api.SetIncidentRouteRequest(kind="火灾", group_id=group.group_id)).route
    assert (route.kind, route.set_by) == ("火灾", "u-diao")
    assert [r.kind for r in worker.ListIncidentRoutes(incident_api.ListIncidentRoutesRequest()).routes] == ["火灾"]

    incident = worker.ReportIncident(incident_api.ReportIncidentRequest(
        kind="火灾", description="三号皮带通廊冒烟，已切断电源。", location="烧结厂三号皮带通廊",
        position=incident_api.GeoPoint(latitude=39.63, longitude=118.18), photo_document_ids=["doc-3"])).incident
    assert (incident.group_id, incident.reporter_id, incident.position.latitude) == (group.group_id, "u-gao", 39.63)
    member_notice = connect(notice_service_pb2_grpc.NoticeServiceStub, Caller("u-huo", groups=(group.group_id,)))
    notice = member_notice.GetNotice(notice_api.GetNoticeRequest(notice_id=incident.notice_id)).notice
    assert notice.title.startswith("【突发事件·火灾】") and len(notice.title) <= 30  # NOTICE_MAX_TITLE_CHARS
    assert worker.GetIncident(incident_api.GetIncidentRequest(incident_id=incident.incident_id)).incident == incident
    assert [i.incident_id for i in dispatch.ListIncidents(incident_api.ListIncidentsRequest()).incidents] == [
        incident.incident_id]
    with engine_for(config, "notice").connect() as connection:
        assert sorted(connection.exec_driver_sql("select routing_key from outbox").scalars()) == [
            "group.created", "incident.reported", "notice.published"]

    for request, field in [
        (incident_api.ReportIncidentRequest(kind="火灾", description="", location="现场"), "description"),
        (incident_api.ReportIncidentRequest(kind="", description="冒烟。", location="现场"), "kind"),
        (incident_api.ReportIncidentRequest(kind="火灾", description="冒烟。", location=""), "location"),
        (incident_api.ReportIncidentRequest(kind="火灾", description="冒烟。", location="现场",
                                            position=incident_api.GeoPoint(latitude=91, longitude=0)),
         "position.latitude"),
        (incident_api.ReportIncidentRequest(kind="火灾", description="冒烟。", location="现场",
                                            position=incident_api.GeoPoint(latitude=0, longitude=-200)),
         "position.longitude"),
    ]:
        with pytest.raises(grpc.RpcError) as raised:
            worker.ReportIncident(request)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(raised.value) == [field]
    with pytest.raises(grpc.RpcError) as raised:
        dispatch.SetIncidentRoute(incident_api.SetIncidentRouteRequest(kind="停电", group_id="g-nowhere"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND and violated_fields(raised.value) == ["group_id"]
    with pytest.raises(grpc.RpcError) as raised:
        connect(incident_service_pb2_grpc.IncidentServiceStub, Caller("u-outsider")).GetIncident(
            incident_api.GetIncidentRequest(incident_id=incident.incident_id))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_and_reflection_list_the_new_services(api_server):
    _, server = api_server
    new_services = {"hub.notice.v1.FindingService", "hub.notice.v1.IncidentService"}
    with grpc.insecure_channel(server.address) as channel:
        for name in new_services:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=name))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        listing = next(reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    assert new_services <= {s.name for s in listing.list_services_response.service}
