"""AssessmentService and EnergyService over a real gRPC channel (port 0)."""
import json
from datetime import datetime, timedelta, timezone
from functools import partial

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from hub.reports.v1 import (assessment_pb2, assessment_service_pb2 as assess_api, assessment_service_pb2_grpc,
                            energy_pb2, energy_service_pb2 as energy_api, energy_service_pb2_grpc)
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import ApiClient, field_violations
from hubkit.api_process import api_server
from hubkit.wiring import engine_for, migrate_service

DEPARTMENTS = ["安全环保部", "设备管理部", "生产技术部"]
ADMIN = Caller("u-kao", departments=("组织部",), roles=("assessment-admin",))
LEADER = Caller("u-leader-liu", roles=("leader",))
UNIT = Caller("u-unit-zhao", departments=("炼铁厂",), roles=("grassroots",))
PEER = Caller("u-peer-qian", departments=("生产技术部",))
MEMBER = Caller("u-sheb", departments=("设备管理部",))
ENERGY = Caller("u-neng", departments=("能源管理中心",), roles=("energy-manager",))


@pytest.fixture
def api(hub_config, db_url, jwt_secret):
    config = hub_config(REPORTS_DATABASE_URL=db_url)
    migrate_service(config, "reports")
    server = api_server(config, "reports", address="127.0.0.1:0").start()
    channels = []

    def client(stub_class, caller: Caller) -> ApiClient:
        channel = grpc.insecure_channel(server.address)
        channels.append(channel)
        return ApiClient(channel, stub_class(channel), bearer_metadata(issue_token(jwt_secret, caller)))

    yield config, client
    for channel in channels:
        channel.close()
    server.stop(0)


def assessments(api, caller):
    return api[1](assessment_service_pb2_grpc.AssessmentServiceStub, caller)


def energy(api, caller):
    return api[1](energy_service_pb2_grpc.EnergyServiceStub, caller)


def timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def create_period(api, period_id="2026Q2", **fields):
    request = dict(period_id=period_id, departments=DEPARTMENTS,
                   closes_at=timestamp(datetime.now(timezone.utc) + timedelta(days=7)),
                   expected_raters=assessment_pb2.ExpectedRaters(grassroots=1, leader=1))
    request.update(fields)
    return assessments(api, ADMIN).CreatePeriod(assess_api.CreatePeriodRequest(**request)).period


def rate(client, target, e, q, s, period_id="2026Q2", **texts):
    return client.SubmitRating(assess_api.SubmitRatingRequest(
        period_id=period_id, target_department=target,
        scores=assessment_pb2.CriterionScores(efficiency=e, quality=q, service=s), **texts))


def test_a_quarter_from_period_to_ranking(api):
    period = create_period(api)
    assert (period.weights.grassroots, period.weights.peer, period.weights.leader) == (40, 30, 30)
    assert period.title == "2026Q2 作风考核" and not period.closed
    assert rate(assessments(api, LEADER), "设备管理部", 90, 90, 90).source == assessment_pb2.RATING_SOURCE_LEADER
    assert rate(assessments(api, UNIT), "设备管理部", 80, 80, 80).source == assessment_pb2.RATING_SOURCE_GRASSROOTS
    assert rate(assessments(api, PEER), "设备管理部", 70, 70, 70).source == assessment_pb2.RATING_SOURCE_PEER
    rate(assessments(api, LEADER), "安全环保部", 85, 85, 85)
    closed = assessments(api, ADMIN).ClosePeriod(assess_api.ClosePeriodRequest(period_id="2026Q2")).period
    assert closed.closed and closed.HasField("closed_at")
    listed = assessments(api, MEMBER).ListPeriods(assess_api.ListPeriodsRequest()).periods
    assert [(p.period_id, p.closed, list(p.departments)) for p in listed] == [("2026Q2", True, DEPARTMENTS)]
    ranking = json.loads(assessments(api, LEADER).GetRanking(
        assess_api.GetRankingRequest(period_id="2026Q2")).ranking_json)
    # 设备管理部: 0.4*80 + 0.3*70 + 0.3*90 = 80; 安全环保部: leader only -> 85
    assert [(r["rank"], r["department"], r["composite"]) for r in ranking["rows"]] == [
        (1, "安全环保部", 85.0), (2, "设备管理部", 80.0), (None, "生产技术部", None)]
    assert {r["source"]: r["rate"] for r in ranking["response_rates"]} == {
        "grassroots": pytest.approx(1 / 3), "peer": pytest.approx(1 / 6), "leader": pytest.approx(2 / 3)}
    assert any("截尾平均" in line for line in ranking["formula"])


@pytest.mark.parametrize("caller, target, scores, period_id, code, fields", [
    (PEER, "设备管理部", (101, 50, -1), "2026Q2", grpc.StatusCode.INVALID_ARGUMENT,
     ["scores.efficiency", "scores.service"]),
    (PEER, "运输部", (80, 80, 80), "2026Q2", grpc.StatusCode.NOT_FOUND, ["target_department"]),
    (PEER, "生产技术部", (80, 80, 80), "2026Q2", grpc.StatusCode.PERMISSION_DENIED, ["target_department"]),
    (PEER, "设备管理部", (80, 80, 80), "2026Q9", grpc.StatusCode.INVALID_ARGUMENT, ["period_id"]),
    (PEER, "设备管理部", (80, 80, 80), "2025Q4", grpc.StatusCode.NOT_FOUND, ["period_id"]),
    (Caller("u-out", departments=("外委单位",)), "设备管理部", (80, 80, 80), "2026Q2",
     grpc.StatusCode.PERMISSION_DENIED, []),
])
def test_bad_ratings_are_refused_naming_the_fields_and_nothing_is_stored(api, caller, target, scores, period_id,
                                                                         code, fields):
    create_period(api)
    with pytest.raises(grpc.RpcError) as raised:
        rate(assessments(api, caller), target, *scores, period_id=period_id)
    assert raised.value.code() == code
    assert [f for f, _ in field_violations(raised.value)] == fields
    with engine_for(api[0], "reports").connect() as connection:
        assert connection.exec_driver_sql("select count(*) from assessment_ratings").scalar() == 0


def test_ratings_after_close_are_refused(api):
    create_period(api)
    assessments(api, ADMIN).ClosePeriod(assess_api.ClosePeriodRequest(period_id="2026Q2"))
    with pytest.raises(grpc.RpcError) as raised:
        rate(assessments(api, LEADER), "设备管理部", 80, 80, 80)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert [f for f, _ in field_violations(raised.value)] == ["period_id"]


@pytest.mark.parametrize("fields, code, field", [
    ({"weights": assessment_pb2.SourceWeights(grassroots=50, peer=30, leader=30)}, grpc.StatusCode.INVALID_ARGUMENT,
     "weights"),
    ({"departments": ["安全环保部", ""]}, grpc.StatusCode.INVALID_ARGUMENT, "departments[1]"),
    ({"closes_at": None}, grpc.StatusCode.INVALID_ARGUMENT, "closes_at"),
    ({"period_id": "第二季度"}, grpc.StatusCode.INVALID_ARGUMENT, "period_id"),
])
def test_bad_periods_are_refused_naming_the_field(api, fields, code, field):
    with pytest.raises(grpc.RpcError) as raised:
        create_period(api, **fields)
    assert raised.value.code() == code and [f for f, _ in field_violations(raised.value)] == [field]


def test_only_assessment_admins_create_or_close_periods(api):
    with pytest.raises(grpc.RpcError) as raised:
        assessments(api, LEADER).CreatePeriod(assess_api.CreatePeriodRequest(
            period_id="2026Q2", departments=DEPARTMENTS,
            closes_at=timestamp(datetime.now(timezone.utc) + timedelta(days=1))))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    create_period(api)
    with pytest.raises(grpc.RpcError) as raised:
        create_period(api)
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_the_rated_departments_view_never_contains_rater_identities(api):
    create_period(api)
    rate(assessments(api, PEER), "设备管理部", 60, 65, 70, comment="报修后三天才到现场", suggestion="公布值班电话")
    rate(assessments(api, UNIT), "设备管理部", 75, 80, 85, comment="备件供应及时")
    rate(assessments(api, LEADER), "安全环保部", 88, 88, 88, comment="隐患排查扎实")
    answer = assessments(api, MEMBER).GetRanking(assess_api.GetRankingRequest(period_id="2026Q2")).ranking_json
    view = json.loads(answer)
    assert view["feedback"] == [{"department": "设备管理部", "comments": ["备件供应及时", "报修后三天才到现场"],
                                 "suggestions": ["公布值班电话"]}]
    for identity in ("u-peer-qian", "u-unit-zhao", "u-leader-liu", "炼铁厂", "rater"):
        assert identity not in answer
    assert "隐患排查扎实" not in answer  # another department's comments are not theirs to read


def test_energy_batches_are_all_or_nothing_naming_every_failing_row(api):
    manager = energy(api, ENERGY)
    rows = [energy_pb2.EnergyQuantity(unit_id=f"{n}号高炉", period="2026-03",
                                      carrier=energy_pb2.ENERGY_CARRIER_ELECTRICITY, value=100.0 + n, unit="kWh")
            for n in range(20)]
    rows[3].unit = "kVA"
    rows[11].value = -5.0
    rows[17].carrier = energy_pb2.ENERGY_CARRIER_UNSPECIFIED
    with pytest.raises(grpc.RpcError) as raised:
        manager.IngestReadings(energy_api.IngestReadingsRequest(readings=rows))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in field_violations(raised.value)] == ["readings[3].unit", "readings[11].value", "readings[17].carrier"]
    assert "3 of 20 rows are invalid" in raised.value.details()
    with engine_for(api[0], "reports").connect() as connection:
        assert connection.exec_driver_sql("select count(*) from energy_readings").scalar() == 0
    rows[3].unit, rows[11].value, rows[17].carrier = "MWh", 5.0, energy_pb2.ENERGY_CARRIER_ELECTRICITY
    assert manager.IngestReadings(energy_api.IngestReadingsRequest(readings=rows)).stored == 20


def test_energy_report_against_targets_and_the_previous_month(api):
    manager = energy(api, ENERGY)
    q = partial(energy_pb2.EnergyQuantity, unit_id="一号锅炉房", carrier=energy_pb2.ENERGY_CARRIER_COAL)
    manager.IngestReadings(energy_api.IngestReadingsRequest(readings=[
        q(period="2026-03", value=1320, unit="kg"), q(period="2026-02", value=1.1, unit="t")]))
    manager.SetTargets(energy_api.SetTargetsRequest(targets=[q(period="2026-03", value=1.2, unit="t")]))
    report = energy(api, MEMBER).GetEnergyReport(energy_api.GetEnergyReportRequest(period="2026-03"))
    assert report.previous_period == "2026-02"
    [line] = report.lines
    assert (line.base_unit, line.actual, line.target, line.previous) == ("t", pytest.approx(1.32), 1.2, 1.1)
    assert line.variance_percent == pytest.approx(10.0) and line.change_percent == pytest.approx(20.0)
    assert [l.unit_id for l in report.top_overruns] == ["一号锅炉房"]
    with pytest.raises(grpc.RpcError) as raised:
        energy(api, MEMBER).GetEnergyReport(energy_api.GetEnergyReportRequest(period="2026-03", top_n=500))
    assert [f for f, _ in field_violations(raised.value)] == ["top_n"]
    with pytest.raises(grpc.RpcError) as raised:
        energy(api, MEMBER).SetTargets(energy_api.SetTargetsRequest(targets=[q(period="2026-03", value=1, unit="t")]))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_new_services_are_reflected(api):
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
    client = assessments(api, ADMIN)
    listing = next(reflection_pb2_grpc.ServerReflectionStub(client.channel).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    names = {s.name for s in listing.list_services_response.service}
    assert {"hub.reports.v1.AssessmentService", "hub.reports.v1.EnergyService"} <= names
