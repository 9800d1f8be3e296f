"""The gRPC front doors over real channels bound to port 0."""
import threading

import grpc
import pytest
import sqlalchemy as sa
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from hub.notice.v1 import notice_service_pb2 as notice_api
from hub.reports.v1 import reports_service_pb2 as reports_api
from hub.search.v1 import search_service_pb2 as search_api
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect, violated_fields
from hubkit.api_process import api_server
from hubkit.wiring import engine_for, migrate_service
from hubkit.launcher import prepare_index

SECRETARY = Caller(user_id="u-he", departments=("炼钢厂",))


@pytest.fixture
def apis(hub_config, db_url, jwt_secret):
    config = hub_config(NOTICE_DATABASE_URL=db_url, NOTICE_MAX_BODY_CHARS="100")
    servers = {}
    for service in ("notice", "search", "reports"):
        if service != "search":
            migrate_service(config, service)
    prepare_index(config)
    for service in ("notice", "search", "reports"):
        servers[service] = api_server(config, service, address="127.0.0.1:0").start()
    yield config, servers
    for server in servers.values():
        server.stop(0)


def client(servers, service, token):
    return connect(service, servers[service].address, token)


def test_health_and_reflection_answer_without_a_token(apis):
    _, servers = apis
    with grpc.insecure_channel(servers["notice"].address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(
            service="hub.notice.v1.NoticeService"))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        listing = next(reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
        names = {s.name for s in listing.list_services_response.service}
        assert {"hub.notice.v1.NoticeService", "grpc.health.v1.Health"} <= names


@pytest.mark.parametrize("token", [None, "Bearer nonsense", "Bearer " + issue_token("wrong" * 8, SECRETARY)])
def test_calls_without_a_valid_token_are_unauthenticated(apis, token):
    _, servers = apis
    metadata = () if token is None else (("authorization", token),)
    with grpc.insecure_channel(servers["notice"].address) as channel:
        stub = client(servers, "notice", "x").stub.__class__(channel)
        with pytest.raises(grpc.RpcError) as raised:
            stub.CreateGroup(notice_api.CreateGroupRequest(name="组", department="部门"), metadata=metadata)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_publish_and_read_back(apis, jwt_secret):
    _, servers = apis
    notice = client(servers, "notice", issue_token(jwt_secret, SECRETARY))
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="转炉车间", department="炼钢厂")).group
    published = notice.PublishNotice(notice_api.PublishNoticeRequest(
        group_ids=[group.group_id], title="转炉煤气回收操作提醒", body="严格执行煤气回收操作规程。")).notice
    assert published.author_id == "u-he"  # from the token, not the request
    member = client(servers, "notice", issue_token(jwt_secret, Caller("u-ma", groups=(group.group_id,))))
    assert member.GetNotice(notice_api.GetNoticeRequest(notice_id=published.notice_id)).notice == published


@pytest.mark.parametrize("request_fields, code, field", [
    ({"title": ""}, grpc.StatusCode.INVALID_ARGUMENT, "title"),
    ({"body": "长" * 101}, grpc.StatusCode.INVALID_ARGUMENT, "body"),
    ({"group_ids": []}, grpc.StatusCode.INVALID_ARGUMENT, "group_ids"),
    ({"group_ids": ["GROUP", "g-unknown"]}, grpc.StatusCode.NOT_FOUND, "group_ids[1]"),
])
def test_bad_notices_are_refused_naming_the_field_and_nothing_is_stored(apis, jwt_secret, request_fields, code,
                                                                       field):
    config, servers = apis
    notice = client(servers, "notice", issue_token(jwt_secret, SECRETARY))
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="连铸车间", department="炼钢厂")).group
    fields = {"group_ids": [group.group_id], "title": "标题", "body": "正文", **request_fields}
    fields["group_ids"] = [group.group_id if g == "GROUP" else g for g in fields["group_ids"]]
    with pytest.raises(grpc.RpcError) as raised:
        notice.PublishNotice(notice_api.PublishNoticeRequest(**fields))
    assert raised.value.code() == code
    assert field in raised.value.details() and violated_fields(raised.value) == [field]
    with engine_for(config, "notice").connect() as connection:
        assert connection.exec_driver_sql("select count(*) from notices").scalar() == 0
        assert connection.exec_driver_sql(
            "select count(*) from outbox where routing_key = 'notice.published'").scalar() == 0


def test_concurrent_publications_are_each_stored_once_with_their_event(apis, jwt_secret):
    # On SQLite the calls' writes are group committed (several per COMMIT),
    # some failing among them; on PostgreSQL each call commits its own.
    # Either way a reader finds each notice as soon as its call is answered.
    config, servers = apis
    notice = client(servers, "notice", issue_token(jwt_secret, SECRETARY))
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="高炉值班组", department="炼铁厂")).group
    published, refused, unseen = [], [], []
    engine = engine_for(config, "notice")

    def seen_by_another_connection(notice_id: str) -> bool:
        with engine.connect() as connection:
            return connection.execute(sa.text("select count(*) from notices where notice_id = :notice_id"),
                                      {"notice_id": notice_id}).scalar() == 1

    def publish(worker: int) -> None:
        for n in range(20):
            # every fifth goes to no group: refused inside its unit of work
            group_id = "g-gone" if n % 5 == 4 else group.group_id
            try:
                notice_id = notice.PublishNotice(notice_api.PublishNoticeRequest(
                    group_ids=[group_id], title=f"高炉巡检记录 {worker}-{n}", body="炉顶温度正常。")).notice.notice_id
            except grpc.RpcError as exc:
                refused.append(exc.code())
                continue
            published.append(notice_id)
            if not seen_by_another_connection(notice_id):
                unseen.append(notice_id)

    workers = [threading.Thread(target=publish, args=(w,)) for w in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert len(set(published)) == 96 and refused == [grpc.StatusCode.NOT_FOUND] * 24
    assert unseen == []
    with engine.connect() as connection:
        assert set(connection.exec_driver_sql("select notice_id from notices").scalars()) == set(published)
        assert connection.exec_driver_sql(
            "select count(*) from outbox where routing_key = 'notice.published'").scalar() == 96


def test_search_and_reports_validate_their_input(apis, jwt_secret):
    _, servers = apis
    token = issue_token(jwt_secret, SECRETARY)
    search = client(servers, "search", token)
    for request, field in [(search_api.SearchRequest(query=" "), "query"),
                           (search_api.SearchRequest(query="安全", page_size=500), "page_size"),
                           (search_api.SearchRequest(query="安全", kinds=[7]), "kinds[0]")]:
        with pytest.raises(grpc.RpcError) as raised:
            search.Search(request)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(raised.value) == [field]
    reports = client(servers, "reports", token)
    with pytest.raises(grpc.RpcError) as raised:
        reports.GetNoticeCountsByGroup(reports_api.GetNoticeCountsByGroupRequest(group_ids=["g1", ""]))
    assert violated_fields(raised.value) == ["group_ids[1]"]
    with pytest.raises(grpc.RpcError) as raised:  # every group's name: for system callers only
        reports.GetNoticeCountsByGroup(reports_api.GetNoticeCountsByGroupRequest())
    assert violated_fields(raised.value) == ["group_ids"]


def test_a_timestamp_out_of_range_is_refused_naming_the_field(apis, jwt_secret):
    from google.protobuf.timestamp_pb2 import Timestamp

    _, servers = apis
    notice = client(servers, "notice", issue_token(jwt_secret, Caller("u-clock")))
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="夜班", department="调度室")).group
    with pytest.raises(grpc.RpcError) as raised:
        notice.PublishNotice(notice_api.PublishNoticeRequest(
            group_ids=[group.group_id], title="跨年检查", body="请确认。", requires_ack=True,
            ack_deadline=Timestamp(seconds=10**13)))  # beyond the year 9999
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(raised.value) == ["ack_deadline"]
