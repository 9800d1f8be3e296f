"""GroupService, NoticeService and ShareService over a real channel bound to port 0."""
from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from hub.notice.v1 import (group_service_pb2 as groups_api, group_service_pb2_grpc, notice_pb2,
                           notice_service_pb2 as api, notice_service_pb2_grpc, share_service_pb2 as shares_api,
                           share_service_pb2_grpc)
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import ApiClient, violated_fields
from hubkit.api_process import api_server
from hubkit.wiring import migrate_service

MANAGER = Caller("u-feng", departments=("热力公司调度室",))
OPERATORS = [Caller(f"u-op{n}", departments=("热力公司一号换热站" if n < 2 else "热力公司二号换热站",))
             for n in range(3)]


@pytest.fixture
def server(hub_config, db_url, jwt_secret):
    config = hub_config(NOTICE_DATABASE_URL=db_url, NOTICE_SYNC_MAX_MEMBERS="50")
    migrate_service(config, "notice")
    server = api_server(config, "notice", address="127.0.0.1:0").start()
    yield server
    server.stop(0)


@pytest.fixture
def connect(server, jwt_secret):
    """connect(caller) -> (notices, groups, shares) clients carrying the caller's token."""
    opened = []

    def make(caller: Caller):
        channel = grpc.insecure_channel(server.address)
        opened.append(channel)
        metadata = bearer_metadata(issue_token(jwt_secret, caller))
        return (ApiClient(channel, notice_service_pb2_grpc.NoticeServiceStub(channel), metadata),
                ApiClient(channel, group_service_pb2_grpc.GroupServiceStub(channel), metadata),
                ApiClient(channel, share_service_pb2_grpc.ShareServiceStub(channel), metadata))
    yield make
    for channel in opened:
        channel.close()


def stamp(value: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(value)
    return result


def refused(call, request):
    with pytest.raises(grpc.RpcError) as raised:
        call(request)
    return raised.value.code(), violated_fields(raised.value)


@pytest.fixture
def station(connect):
    notices, groups, _ = connect(MANAGER)
    group = notices.CreateGroup(api.CreateGroupRequest(name="换热站值班群", department="热力公司")).group
    reply = groups.SyncMembers(groups_api.SyncMembersRequest(group_id=group.group_id, members=[
        groups_api.MemberInput(user_id=c.user_id, department=c.departments[0]) for c in OPERATORS]))
    assert (reply.added, reply.removed) == (3, 0)
    return group


def test_a_notice_reaches_members_who_read_and_acknowledge_it(connect, station):
    notices, groups, _ = connect(MANAGER)
    deadline = datetime.now(timezone.utc) + timedelta(hours=6)
    published = notices.PublishNotice(api.PublishNoticeRequest(
        group_ids=[station.group_id], title="供热管网夜间巡检安排", body="今晚二十二点起逐段巡检。",
        category=notice_pb2.NOTICE_CATEGORY_TASK, priority=notice_pb2.NOTICE_PRIORITY_URGENT, requires_ack=True,
        ack_deadline=stamp(deadline), pinned=True)).notice
    assert (published.recipient_count, published.status, published.version) == (3, notice_pb2.NOTICE_STATUS_PUBLISHED, 1)

    operator, _, _ = connect(OPERATORS[0])
    inbox = operator.ListInbox(api.ListInboxRequest(priority=notice_pb2.NOTICE_PRIORITY_URGENT))
    assert [i.notice.notice_id for i in inbox.items] == [published.notice_id] and not inbox.items[0].receipt.HasField("read_at")
    opened = operator.GetNotice(api.GetNoticeRequest(notice_id=published.notice_id))
    assert opened.receipt.HasField("read_at") and [v.version for v in opened.versions] == [1]
    first = operator.AcknowledgeNotice(api.AcknowledgeNoticeRequest(notice_id=published.notice_id, comment="收到"))
    again = operator.AcknowledgeNotice(api.AcknowledgeNoticeRequest(notice_id=published.notice_id))
    assert first.first_acknowledgement and not again.first_acknowledgement
    assert again.acknowledged_at == first.acknowledged_at

    stats = notices.GetNoticeStats(api.GetNoticeStatsRequest(notice_id=published.notice_id))
    assert (stats.recipients, stats.read, stats.acknowledged) == (3, 1, 1)
    assert {d.department: list(d.user_ids) for d in stats.not_acknowledged} == {
        "热力公司一号换热站": ["u-op1"], "热力公司二号换热站": ["u-op2"]}
    edited = notices.EditNotice(api.EditNoticeRequest(notice_id=published.notice_id, title="供热管网夜间巡检安排（更新）"))
    assert list(edited.changed_fields) == ["title"] and edited.notice.version == 2
    [item] = operator.ListInbox(api.ListInboxRequest()).items
    assert item.changed_since_read
    trail = notices.GetAuditTrail(api.GetAuditTrailRequest(entity_kind=notice_pb2.AUDIT_ENTITY_KIND_NOTICE,
                                                           entity_id=published.notice_id))
    assert [r.action for r in trail.records] == ["published", "read", "acknowledged", "edited"]
    notices.RevokeNotice(api.RevokeNoticeRequest(notice_id=published.notice_id, reason="巡检改期"))
    assert list(operator.ListInbox(api.ListInboxRequest()).items) == []


def test_groups_joining_and_shares_over_grpc(connect, station):
    _, groups, manager_shares = connect(MANAGER)
    newcomer = Caller("u-new", departments=("热力公司二号换热站",))
    _, newcomer_groups, newcomer_shares = connect(newcomer)
    asked = newcomer_groups.RequestToJoin(groups_api.RequestToJoinRequest(group_id=station.group_id)).request
    assert asked.status == notice_pb2.JOIN_STATUS_PENDING and asked.department == "热力公司二号换热站"
    assert refused(newcomer_shares.PostShare, shares_api.PostShareRequest(
        group_id=station.group_id, kind=notice_pb2.SHARE_KIND_EXPERIENCE, title="经验", body="内容"))[0] == \
        grpc.StatusCode.PERMISSION_DENIED
    groups.DecideJoinRequest(groups_api.DecideJoinRequestRequest(request_id=asked.request_id, accept=True))
    share = newcomer_shares.PostShare(shares_api.PostShareRequest(
        group_id=station.group_id, kind=notice_pb2.SHARE_KIND_EXPERIENCE, title="板换除垢小结",
        body="酸洗后压差下降明显。")).share
    manager_shares.PostShare(shares_api.PostShareRequest(group_id=station.group_id, body="值得推广。",
                                                         reply_to=share.share_id))
    [listed] = manager_shares.ListShares(shares_api.ListSharesRequest(group_id=station.group_id)).shares
    assert listed.title == "板换除垢小结" and [r.body for r in listed.replies] == ["值得推广。"]
    renamed = groups.RenameGroup(groups_api.RenameGroupRequest(group_id=station.group_id, name="换热站运行群")).group
    assert renamed.name == "换热站运行群" and renamed.member_count == 5
    archived = groups.ArchiveGroup(groups_api.ArchiveGroupRequest(group_id=station.group_id)).group
    assert archived.archived


def test_member_and_join_request_lists_page_over_grpc(connect, station):
    _, groups, _ = connect(MANAGER)
    _, operator_groups, _ = connect(OPERATORS[0])
    _, outsider_groups, _ = connect(Caller("u-stranger"))
    groups.AddMembers(groups_api.AddMembersRequest(group_id=station.group_id, members=[
        groups_api.MemberInput(user_id=f"w{n:04d}", department="热力公司管网所") for n in range(250)]))
    request = groups_api.ListMembersRequest(group_id=station.group_id, page_size=100)
    sizes, seen = [], []
    while True:
        reply = operator_groups.ListMembers(request)
        sizes.append(len(reply.members))
        seen += [m.user_id for m in reply.members]
        if not reply.next_page_token:
            break
        request.page_token = reply.next_page_token
    assert sizes == [100, 100, 54]
    assert seen == sorted(["u-feng"] + [c.user_id for c in OPERATORS] + [f"w{n:04d}" for n in range(250)])
    owners = operator_groups.ListMembers(groups_api.ListMembersRequest(group_id=station.group_id,
                                                                       role=notice_pb2.MEMBER_ROLE_OWNER))
    assert [m.user_id for m in owners.members] == ["u-feng"] and owners.next_page_token == ""
    second_station = operator_groups.ListMembers(groups_api.ListMembersRequest(group_id=station.group_id,
                                                                               department="热力公司二号换热站"))
    assert [m.user_id for m in second_station.members] == ["u-op2"]
    assert refused(outsider_groups.ListMembers, groups_api.ListMembersRequest(group_id=station.group_id)) == \
        (grpc.StatusCode.PERMISSION_DENIED, ["group_id"])

    asked = [connect(Caller(f"u-new{n}", departments=("热力公司二号换热站",)))[1].RequestToJoin(
        groups_api.RequestToJoinRequest(group_id=station.group_id)).request for n in range(3)]
    first = groups.ListJoinRequests(groups_api.ListJoinRequestsRequest(group_id=station.group_id, pending_only=True,
                                                                       page_size=2))
    rest = groups.ListJoinRequests(groups_api.ListJoinRequestsRequest(
        group_id=station.group_id, pending_only=True, page_size=2, page_token=first.next_page_token))
    assert [r.user_id for r in [*first.requests, *rest.requests]] == [r.user_id for r in sorted(
        asked, key=lambda r: (r.created_at.ToDatetime(), r.request_id))]
    assert rest.next_page_token == ""
    assert refused(operator_groups.ListJoinRequests,
                   groups_api.ListJoinRequestsRequest(group_id=station.group_id))[0] == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize("request_fields, code, field", [
    ({"title": ""}, grpc.StatusCode.INVALID_ARGUMENT, "title"),
    ({"category": 42}, grpc.StatusCode.INVALID_ARGUMENT, "category"),
    ({"requires_ack": True, "ack_deadline": "PAST"}, grpc.StatusCode.INVALID_ARGUMENT, "ack_deadline"),
    ({"ack_deadline": "FUTURE"}, grpc.StatusCode.INVALID_ARGUMENT, "ack_deadline"),
    ({"group_ids": [], "recipient_user_ids": ["u-op0", "u-ghost"]}, grpc.StatusCode.NOT_FOUND,
     "recipient_user_ids[1]"),
    ({"attachment_document_ids": [" "]}, grpc.StatusCode.INVALID_ARGUMENT, "attachment_document_ids[0]"),
])
def test_bad_publications_name_the_field(connect, station, request_fields, code, field):
    notices, _, _ = connect(MANAGER)
    when = {"PAST": stamp(datetime.now(timezone.utc) - timedelta(minutes=1)),
            "FUTURE": stamp(datetime.now(timezone.utc) + timedelta(days=1))}
    fields = {"group_ids": [station.group_id], "title": "停热通知", "body": "管网抢修。", **request_fields}
    if "ack_deadline" in fields:
        fields["ack_deadline"] = when[fields["ack_deadline"]]
    assert refused(notices.PublishNotice, api.PublishNoticeRequest(**fields)) == (code, [field])


def test_bad_requests_across_the_services_name_the_field(connect, station):
    notices, groups, shares = connect(MANAGER)
    operator_notices, operator_groups, _ = connect(OPERATORS[1])
    published = notices.PublishNotice(api.PublishNoticeRequest(group_ids=[station.group_id], title="水质化验结果",
                                                               body="均合格。")).notice
    outsider_notices, _, _ = connect(Caller("u-stranger"))
    cases = [
        (operator_notices.PublishNotice, api.PublishNoticeRequest(group_ids=[station.group_id], title="越权", body=""),
         grpc.StatusCode.PERMISSION_DENIED, ["group_ids[0]"]),
        (outsider_notices.AcknowledgeNotice, api.AcknowledgeNoticeRequest(notice_id=published.notice_id),
         grpc.StatusCode.NOT_FOUND, ["notice_id"]),
        (notices.AcknowledgeNotice, api.AcknowledgeNoticeRequest(notice_id=published.notice_id),
         grpc.StatusCode.PERMISSION_DENIED, ["notice_id"]),
        (operator_notices.AcknowledgeNotice, api.AcknowledgeNoticeRequest(notice_id=" "),
         grpc.StatusCode.INVALID_ARGUMENT, ["notice_id"]),
        (operator_notices.ListInbox, api.ListInboxRequest(cursor="%%%"), grpc.StatusCode.INVALID_ARGUMENT, ["cursor"]),
        (operator_notices.ListInbox, api.ListInboxRequest(page_size=1000), grpc.StatusCode.INVALID_ARGUMENT,
         ["page_size"]),
        (notices.RevokeNotice, api.RevokeNoticeRequest(notice_id=published.notice_id),
         grpc.StatusCode.INVALID_ARGUMENT, ["reason"]),
        (operator_notices.GetNoticeStats, api.GetNoticeStatsRequest(notice_id=published.notice_id),
         grpc.StatusCode.PERMISSION_DENIED, ["notice_id"]),
        (notices.GetAuditTrail, api.GetAuditTrailRequest(entity_id="x"), grpc.StatusCode.INVALID_ARGUMENT,
         ["entity_kind"]),
        (groups.RenameGroup, groups_api.RenameGroupRequest(group_id=station.group_id, name=""),
         grpc.StatusCode.INVALID_ARGUMENT, ["name"]),
        (groups.RenameGroup, groups_api.RenameGroupRequest(group_id="g-none", name="新名"),
         grpc.StatusCode.NOT_FOUND, ["group_id"]),
        (operator_groups.AddMembers, groups_api.AddMembersRequest(group_id=station.group_id, members=[
            groups_api.MemberInput(user_id="u-x", department="d")]), grpc.StatusCode.PERMISSION_DENIED, []),
        (groups.AddMembers, groups_api.AddMembersRequest(group_id=station.group_id, members=[
            groups_api.MemberInput(user_id="u-x", department="d", role=9)]), grpc.StatusCode.INVALID_ARGUMENT,
         ["members[0].role"]),
        (groups.SyncMembers, groups_api.SyncMembersRequest(group_id=station.group_id, members=[
            groups_api.MemberInput(user_id=f"e{n}", department="d") for n in range(51)]),
         grpc.StatusCode.INVALID_ARGUMENT, ["members"]),
        (groups.SyncMembers, groups_api.SyncMembersRequest(group_id=station.group_id, members=[
            groups_api.MemberInput(user_id="e1", department="d"), groups_api.MemberInput(user_id="", department="d")]),
         grpc.StatusCode.INVALID_ARGUMENT, ["members[1].user_id"]),
        (operator_groups.ListMembers, groups_api.ListMembersRequest(group_id=station.group_id, page_token="%%%"),
         grpc.StatusCode.INVALID_ARGUMENT, ["page_token"]),
        (operator_groups.ListMembers, groups_api.ListMembersRequest(group_id=station.group_id, page_size=1001),
         grpc.StatusCode.INVALID_ARGUMENT, ["page_size"]),
        (operator_groups.ListMembers, groups_api.ListMembersRequest(group_id=station.group_id, role=9),
         grpc.StatusCode.INVALID_ARGUMENT, ["role"]),
        (groups.ListJoinRequests, groups_api.ListJoinRequestsRequest(group_id=station.group_id,
                                                                     page_token="bm90IGpzb24"),
         grpc.StatusCode.INVALID_ARGUMENT, ["page_token"]),
        (groups.ListJoinRequests, groups_api.ListJoinRequestsRequest(group_id=station.group_id, page_size=5000),
         grpc.StatusCode.INVALID_ARGUMENT, ["page_size"]),
        (groups.SetMemberRole, groups_api.SetMemberRoleRequest(group_id=station.group_id, user_id="u-op0"),
         grpc.StatusCode.INVALID_ARGUMENT, ["role"]),
        (groups.InviteMember, groups_api.InviteMemberRequest(group_id=station.group_id, user_id="u-op0",
                                                             department="d"), grpc.StatusCode.ALREADY_EXISTS,
         ["user_id"]),
        (groups.DecideJoinRequest, groups_api.DecideJoinRequestRequest(request_id="r-none"),
         grpc.StatusCode.NOT_FOUND, ["request_id"]),
        (shares.PostShare, shares_api.PostShareRequest(group_id=station.group_id, title="t", body="b"),
         grpc.StatusCode.INVALID_ARGUMENT, ["kind"]),
        (shares.PostShare, shares_api.PostShareRequest(group_id=station.group_id, body="b", reply_to="s-none"),
         grpc.StatusCode.NOT_FOUND, ["reply_to"]),
        (shares.ListShares, shares_api.ListSharesRequest(group_id=station.group_id, limit=500),
         grpc.StatusCode.INVALID_ARGUMENT, ["limit"]),
    ]
    for call, request, code, fields in cases:
        assert refused(call, request) == (code, fields), request
    # Nothing half-written: the refused sync stored no member.
    assert len(groups.ListMembers(groups_api.ListMembersRequest(group_id=station.group_id)).members) == 4
