"""Group use cases on SQLite and PostgreSQL: roles, posting rules, joining, HR/OA sync, audit."""
import pytest

from hubkit.auth import Caller
from hubkit.errors import AlreadyExists, FailedPrecondition, InvalidArgument, PermissionDenied
from notice import group_handlers as groups, handlers
from notice.domain import commands
from notice.domain.audit import EntityKind
from notice.domain.groups import MemberInput, PostingRule, Role
from notice.domain.model import Limits

FOREMAN = Caller("u-gao", departments=("炼钢厂转炉车间",))
DEPUTY = Caller("u-xu", departments=("炼钢厂转炉车间",))
WORKER = Caller("u-tian", departments=("炼钢厂转炉车间",))
NEWCOMER = Caller("u-qin", departments=("炼钢厂连铸车间",))


def publish(uow, caller, group_id, title="转炉煤气回收操作提醒"):
    return handlers.publish_notice(commands.PublishNotice((group_id,), title, "严格执行操作规程。"), caller=caller,
                                   uow=uow(), limits=Limits())


def members_of(uow, group, caller):
    return groups.list_members(commands.ListMembers(group.group_id), caller=caller, uow=uow()).items


@pytest.fixture
def crew(uow):
    group = groups.create_group(commands.CreateGroup("转炉一班", "炼钢厂"), caller=FOREMAN, uow=uow())
    groups.add_members(commands.AddMembers(group.group_id, (
        MemberInput("u-xu", "炼钢厂转炉车间", Role.ADMIN), MemberInput("u-tian", "炼钢厂转炉车间"))),
        caller=FOREMAN, uow=uow())
    return group


def test_the_creator_owns_the_group_and_managers_alone_publish_by_default(uow, crew):
    members = {m.user_id: m.role for m in members_of(uow, crew, WORKER)}
    assert members == {"u-gao": Role.OWNER, "u-xu": Role.ADMIN, "u-tian": Role.MEMBER}
    publish(uow, DEPUTY, crew.group_id)
    with pytest.raises(PermissionDenied) as raised:
        publish(uow, WORKER, crew.group_id)
    assert raised.value.field == "group_ids[0]"
    groups.set_posting_rules(commands.SetPostingRules(crew.group_id, notice_posting=PostingRule.ALL_MEMBERS),
                             caller=DEPUTY, uow=uow())
    publish(uow, WORKER, crew.group_id)
    with pytest.raises(PermissionDenied):
        publish(uow, NEWCOMER, crew.group_id)  # not a member at all


def test_admins_add_members_but_only_owners_grant_manager_roles(uow, crew):
    with pytest.raises(PermissionDenied) as raised:
        groups.add_members(commands.AddMembers(crew.group_id, (MemberInput("u-qin", "连铸车间", Role.ADMIN),)),
                           caller=DEPUTY, uow=uow())
    assert raised.value.field == "members[0].role"
    with pytest.raises(PermissionDenied):
        groups.add_members(commands.AddMembers(crew.group_id, (MemberInput("u-qin", "连铸车间"),)),
                           caller=WORKER, uow=uow())
    assert groups.add_members(commands.AddMembers(crew.group_id, (MemberInput("u-qin", "连铸车间"),
                                                                   MemberInput("u-tian", "炼钢厂转炉车间"))),
                              caller=DEPUTY, uow=uow()) == (1, 1)
    other = groups.create_group(commands.CreateGroup("连铸二班", "炼钢厂"), caller=FOREMAN, uow=uow())
    assert groups.add_members(commands.AddMembers(other.group_id, (MemberInput("u-qin", "连铸车间"),)),
                              caller=FOREMAN, uow=uow()) == (1, 0)  # a member elsewhere is new here
    with pytest.raises(PermissionDenied):
        groups.set_member_role(commands.SetMemberRole(crew.group_id, "u-qin", Role.ADMIN), caller=DEPUTY, uow=uow())
    assert groups.set_member_role(commands.SetMemberRole(crew.group_id, "u-qin", Role.ADMIN), caller=FOREMAN,
                                  uow=uow()).role is Role.ADMIN


def test_the_last_owner_stays_and_members_may_leave(uow, crew):
    with pytest.raises(FailedPrecondition) as raised:
        groups.set_member_role(commands.SetMemberRole(crew.group_id, "u-gao", Role.MEMBER), caller=FOREMAN,
                               uow=uow())
    assert raised.value.field == "user_id"
    with pytest.raises(PermissionDenied):
        groups.remove_member(commands.RemoveMember(crew.group_id, "u-gao"), caller=DEPUTY, uow=uow())
    groups.remove_member(commands.RemoveMember(crew.group_id, "u-tian"), caller=WORKER, uow=uow())
    assert [m.user_id for m in members_of(uow, crew, FOREMAN)] == ["u-gao", "u-xu"]


def test_invitations_and_requests(uow, crew):
    invitation = groups.invite_member(commands.InviteMember(crew.group_id, "u-qin", "连铸车间"), caller=DEPUTY,
                                      uow=uow())
    with pytest.raises(PermissionDenied):
        groups.decide_join_request(commands.DecideJoinRequest(invitation.request_id, True), caller=DEPUTY, uow=uow())
    groups.decide_join_request(commands.DecideJoinRequest(invitation.request_id, True), caller=NEWCOMER, uow=uow())
    with pytest.raises(AlreadyExists):
        groups.request_to_join(commands.RequestToJoin(crew.group_id), caller=NEWCOMER, uow=uow())

    stranger = Caller("u-lu", departments=("炼钢厂精炼车间",))
    asked = groups.request_to_join(commands.RequestToJoin(crew.group_id), caller=stranger, uow=uow())
    assert groups.request_to_join(commands.RequestToJoin(crew.group_id), caller=stranger, uow=uow()) == asked
    assert asked.department == "炼钢厂精炼车间"
    pending = groups.list_join_requests(commands.ListJoinRequests(crew.group_id, pending_only=True), caller=DEPUTY,
                                      uow=uow()).items
    assert [r.request_id for r in pending] == [asked.request_id]
    with pytest.raises(PermissionDenied):
        groups.decide_join_request(commands.DecideJoinRequest(asked.request_id, True), caller=stranger, uow=uow())
    groups.decide_join_request(commands.DecideJoinRequest(asked.request_id, False), caller=DEPUTY, uow=uow())
    with pytest.raises(FailedPrecondition):
        groups.decide_join_request(commands.DecideJoinRequest(asked.request_id, True), caller=DEPUTY, uow=uow())
    members = {m.user_id for m in members_of(uow, crew, FOREMAN)}
    assert "u-qin" in members and "u-lu" not in members


def test_hr_sync_is_one_idempotent_transaction(uow, crew, row_count):
    staff = tuple(MemberInput(f"e{n:05d}", f"炼钢厂{'转炉' if n % 2 else '连铸'}车间") for n in range(3000))
    plan = groups.sync_members(commands.SyncMembers(crew.group_id, staff), caller=FOREMAN, uow=uow(),
                               max_members=5000)
    assert (len(plan.to_add), len(plan.to_update), plan.unchanged) == (3000, 0, 0)
    again = groups.sync_members(commands.SyncMembers(crew.group_id, staff), caller=FOREMAN, uow=uow(),
                                max_members=5000)
    assert (len(again.to_add), len(again.to_update), again.unchanged) == (0, 0, 3000)
    moved = (MemberInput("e00000", "炼钢厂精炼车间"),) + staff[1:2000]
    last = groups.sync_members(commands.SyncMembers(crew.group_id, moved, remove_missing=True), caller=FOREMAN,
                               uow=uow(), max_members=5000)
    assert (len(last.to_update), len(last.to_remove)) == (1, 1000)
    # Hand-added members and managers are never removed by a sync.
    assert row_count("group_members", f"where group_id = '{crew.group_id}'") == 2000 + 3
    broken = staff[:10] + (MemberInput("e00003", "重复"),)
    with pytest.raises(InvalidArgument) as raised:
        groups.sync_members(commands.SyncMembers(crew.group_id, broken), caller=FOREMAN, uow=uow(), max_members=5000)
    assert raised.value.field == "members[10].user_id"
    with pytest.raises(InvalidArgument):
        groups.sync_members(commands.SyncMembers(crew.group_id, staff), caller=FOREMAN, uow=uow(), max_members=100)
    with pytest.raises(PermissionDenied):
        groups.sync_members(commands.SyncMembers(crew.group_id, staff[:5]), caller=WORKER, uow=uow(),
                            max_members=5000)


def test_rename_and_archive_announce_and_archived_groups_refuse_changes(uow, crew, outbox_events):
    groups.rename_group(commands.RenameGroup(crew.group_id, "转炉甲班"), caller=DEPUTY, uow=uow())
    with pytest.raises(PermissionDenied):
        groups.archive_group(commands.ArchiveGroup(crew.group_id), caller=DEPUTY, uow=uow())
    archived = groups.archive_group(commands.ArchiveGroup(crew.group_id), caller=FOREMAN, uow=uow())
    groups.archive_group(commands.ArchiveGroup(crew.group_id), caller=FOREMAN, uow=uow())  # idempotent
    assert archived.archived
    assert outbox_events("group.renamed") == [{"@type": "type.googleapis.com/hub.events.v1.GroupRenamed",
                                               "groupId": crew.group_id, "name": "转炉甲班", "renamedBy": "u-xu"}]
    assert len(outbox_events("group.archived")) == 1
    with pytest.raises(FailedPrecondition) as raised:
        publish(uow, FOREMAN, crew.group_id)
    assert raised.value.field == "group_ids[0]"
    with pytest.raises(FailedPrecondition):
        groups.add_members(commands.AddMembers(crew.group_id, (MemberInput("u-qin", "连铸车间"),)), caller=FOREMAN,
                           uow=uow())
    trail = handlers.audit_trail(commands.GetAuditTrail(EntityKind.GROUP, crew.group_id), caller=DEPUTY, uow=uow())
    assert [(e.action, e.actor_id) for e in trail] == [
        ("created", "u-gao"), ("members_added", "u-gao"), ("renamed", "u-xu"), ("archived", "u-gao")]
    assert trail[2].detail == {"old_name": "转炉一班", "name": "转炉甲班"}
    with pytest.raises(PermissionDenied):
        handlers.audit_trail(commands.GetAuditTrail(EntityKind.GROUP, crew.group_id), caller=WORKER, uow=uow())
