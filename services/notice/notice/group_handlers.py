"""Use cases of work groups: members, roles, joining, posting rules, HR/OA sync."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hubkit.auth import Caller
from notice.domain import commands, groups as rules, paging
from notice.domain.audit import EntityKind
from notice.domain.errors import AlreadyExists, FailedPrecondition, NotFound, PermissionDenied
from notice.domain.groups import Group, JoinKind, JoinRequest, Member, MemberInput, Role
from notice.domain.paging import Page
from notice.handler_support import (Clock, department_of, existing_group, new_id, publish_events, record, required_id,
                                    role_of, utc_now)
from notice.ports import NoticeUnitOfWork

GROUP = EntityKind.GROUP


def create_group(cmd: commands.CreateGroup, *, caller: Caller, uow: NoticeUnitOfWork,
                 clock: Clock = utc_now) -> Group:
    """A new group whose creator is its owner."""
    now = clock()
    with uow:
        group = rules.new_group(cmd.name, cmd.department, group_id=new_id(), created_by=caller.user_id, now=now,
                                notice_posting=cmd.notice_posting, share_posting=cmd.share_posting)
        uow.groups.add(group)
        uow.groups.add_members(group.group_id, [Member(caller.user_id, department_of(caller) or group.department,
                                                       Role.OWNER, now)])
        record(uow, GROUP, group.group_id, "created", caller, now, name=group.name, department=group.department,
               notice_posting=group.notice_posting.value, share_posting=group.share_posting.value)
        publish_events(uow, group)
        uow.commit()
    return group


def get_group(group_id: str, *, caller: Caller, uow: NoticeUnitOfWork) -> Group:
    with uow:
        group = existing_group(uow, group_id)
        if role_of(uow, caller, group.group_id) is None and group.group_id not in caller.groups:
            # Outsiders cannot tell a group they may not see from none.
            raise NotFound(f"no group {group_id!r}", field="group_id")
    return group


def rename_group(cmd: commands.RenameGroup, *, caller: Caller, uow: NoticeUnitOfWork,
                 clock: Clock = utc_now) -> Group:
    with uow:
        group = existing_group(uow, cmd.group_id)
        rules.require_manager(role_of(uow, caller, group.group_id), "rename the group")
        old_name = group.name
        group.rename(cmd.name, by=caller.user_id)
        uow.groups.save(group)
        record(uow, GROUP, group.group_id, "renamed", caller, clock(), old_name=old_name, name=group.name)
        publish_events(uow, group)
        uow.commit()
    return group


def archive_group(cmd: commands.ArchiveGroup, *, caller: Caller, uow: NoticeUnitOfWork,
                  clock: Clock = utc_now) -> Group:
    now = clock()
    with uow:
        group = existing_group(uow, cmd.group_id)
        rules.require_owner(role_of(uow, caller, group.group_id), "archive the group")
        if group.archive(by=caller.user_id, now=now):
            uow.groups.save(group)
            record(uow, GROUP, group.group_id, "archived", caller, now)
            publish_events(uow, group)
            uow.commit()
    return group


def set_posting_rules(cmd: commands.SetPostingRules, *, caller: Caller, uow: NoticeUnitOfWork,
                      clock: Clock = utc_now) -> Group:
    with uow:
        group = existing_group(uow, cmd.group_id)
        rules.require_manager(role_of(uow, caller, group.group_id), "change posting rules")
        group.ensure_active()
        group.notice_posting = cmd.notice_posting or group.notice_posting
        group.share_posting = cmd.share_posting or group.share_posting
        uow.groups.save(group)
        record(uow, GROUP, group.group_id, "posting_rules_set", caller, clock(),
               notice_posting=group.notice_posting.value, share_posting=group.share_posting.value)
        uow.commit()
    return group


def list_members(query: commands.ListMembers, *, caller: Caller, uow: NoticeUnitOfWork) -> Page[Member]:
    """A page of the group's members in user id order; members only."""
    group_id = required_id(query.group_id, "group_id")
    department = query.department.strip()
    keys = paging.keyset(query.page_size, query.page_token, key_types=(str,),
                         scope=("members", group_id, department, query.role.value if query.role else ""),
                         default=rules.DEFAULT_LIST_PAGE_SIZE, maximum=rules.MAX_LIST_PAGE_SIZE)
    with uow:
        group = existing_group(uow, group_id)
        if role_of(uow, caller, group.group_id) is None:
            raise PermissionDenied("only members see who is in the group", field="group_id")
        rows = uow.groups.member_page(group.group_id, after=keys.after, limit=keys.limit + 1,
                                      department=department, role=query.role)
    return keys.page(rows, rules.member_key)


def add_members(cmd: commands.AddMembers, *, caller: Caller, uow: NoticeUnitOfWork,
                clock: Clock = utc_now) -> tuple[int, int]:
    """(added, already members); existing members keep their role."""
    now = clock()
    with uow:
        group = existing_group(uow, cmd.group_id)
        actor_role = role_of(uow, caller, group.group_id)
        entries = rules.validate_member_inputs(list(cmd.members))
        for position, entry in enumerate(entries):
            rules.check_role_grant(actor_role, entry.role, f"members[{position}].role")
        group.ensure_active()
        current = uow.groups.members_among(group.group_id, [e.user_id for e in entries])
        new = [Member(e.user_id, e.department, e.role, now) for e in entries if e.user_id not in current]
        uow.groups.add_members(group.group_id, new)
        if new:
            record(uow, GROUP, group.group_id, "members_added", caller, now,
                   members=[{"user_id": m.user_id, "role": m.role.value, "department": m.department} for m in new])
        uow.commit()
    return len(new), len(entries) - len(new)


def remove_member(cmd: commands.RemoveMember, *, caller: Caller, uow: NoticeUnitOfWork,
                  clock: Clock = utc_now) -> None:
    """Managers remove members; anyone may leave; the last owner stays."""
    with uow:
        group = existing_group(uow, cmd.group_id)
        user_id = required_id(cmd.user_id, "user_id")
        if user_id != caller.user_id:
            rules.require_manager(role_of(uow, caller, group.group_id), "remove members")
        group.ensure_active()
        member = uow.groups.member(group.group_id, user_id)
        if member is None:
            raise NotFound(f"{user_id!r} is not a member", field="user_id")
        if member.role.is_manager and user_id != caller.user_id:
            rules.require_owner(role_of(uow, caller, group.group_id), "remove an owner or admin")
        rules.check_not_last_owner(member, uow.groups.owner_count(group.group_id))
        uow.groups.remove_members(group.group_id, [user_id])
        record(uow, GROUP, group.group_id, "member_left" if user_id == caller.user_id else "member_removed",
               caller, clock(), user_id=user_id)
        uow.commit()


def set_member_role(cmd: commands.SetMemberRole, *, caller: Caller, uow: NoticeUnitOfWork,
                    clock: Clock = utc_now) -> Member:
    with uow:
        group = existing_group(uow, cmd.group_id)
        rules.require_owner(role_of(uow, caller, group.group_id), "change roles")
        group.ensure_active()
        member = uow.groups.member(group.group_id, required_id(cmd.user_id, "user_id"))
        if member is None:
            raise NotFound(f"{cmd.user_id!r} is not a member", field="user_id")
        if member.role is Role.OWNER and cmd.role is not Role.OWNER:
            rules.check_not_last_owner(member, uow.groups.owner_count(group.group_id))
        changed = replace(member, role=cmd.role)
        uow.groups.update_members(group.group_id, [changed])
        record(uow, GROUP, group.group_id, "role_changed", caller, clock(), user_id=member.user_id,
               old_role=member.role.value, role=cmd.role.value)
        uow.commit()
    return changed


def invite_member(cmd: commands.InviteMember, *, caller: Caller, uow: NoticeUnitOfWork,
                  clock: Clock = utc_now) -> JoinRequest:
    now = clock()
    with uow:
        group = existing_group(uow, cmd.group_id)
        entry = rules.validate_member_inputs([MemberInput(cmd.user_id, cmd.department, cmd.role)])[0]
        rules.check_role_grant(role_of(uow, caller, group.group_id), entry.role)
        group.ensure_active()
        request = _open_join(uow, group, entry, JoinKind.INVITATION, caller, now)
        uow.commit()
    return request


def request_to_join(cmd: commands.RequestToJoin, *, caller: Caller, uow: NoticeUnitOfWork,
                    clock: Clock = utc_now) -> JoinRequest:
    now = clock()
    with uow:
        group = existing_group(uow, cmd.group_id)
        group.ensure_active()
        entry = MemberInput(caller.user_id, cmd.department.strip() or department_of(caller), Role.MEMBER)
        rules.validate_member_inputs([entry], field_name="department")
        request = _open_join(uow, group, entry, JoinKind.REQUEST, caller, now)
        uow.commit()
    return request


def _open_join(uow: NoticeUnitOfWork, group: Group, entry: MemberInput, kind: JoinKind, caller: Caller,
               now) -> JoinRequest:
    """A pending invitation or request; asking twice returns the pending one."""
    if uow.groups.member(group.group_id, entry.user_id) is not None:
        raise AlreadyExists(f"{entry.user_id!r} is a member already", field="user_id")
    pending = uow.joins.pending(group.group_id, entry.user_id)
    if pending is not None:
        return pending
    request = JoinRequest(new_id(), group.group_id, entry.user_id, entry.department, kind, entry.role,
                          caller.user_id, now)
    uow.joins.add(request)
    record(uow, GROUP, group.group_id, "invited" if kind is JoinKind.INVITATION else "join_requested", caller, now,
           request_id=request.request_id, user_id=entry.user_id, role=entry.role.value)
    return request


def decide_join_request(cmd: commands.DecideJoinRequest, *, caller: Caller, uow: NoticeUnitOfWork,
                        clock: Clock = utc_now) -> JoinRequest:
    now = clock()
    with uow:
        request = uow.joins.get(required_id(cmd.request_id, "request_id"))
        if request is None:
            raise NotFound(f"no join request {cmd.request_id!r}", field="request_id")
        if not request.may_be_decided_by(caller.user_id, role_of(uow, caller, request.group_id)):
            who = "the invitee" if request.kind is JoinKind.INVITATION else "the group's owners and admins"
            raise PermissionDenied(f"only {who} may decide this {request.kind.value}", field="request_id")
        existing_group(uow, request.group_id).ensure_active("request_id")
        request.decide(cmd.accept, by=caller.user_id, now=now)
        uow.joins.save(request)
        if cmd.accept:
            if uow.groups.member(request.group_id, request.user_id) is not None:
                raise FailedPrecondition(f"{request.user_id!r} is a member already", field="request_id")
            uow.groups.add_members(request.group_id, [request.member(now)])
        record(uow, GROUP, request.group_id, "join_accepted" if cmd.accept else "join_rejected", caller, now,
               request_id=request.request_id, user_id=request.user_id, join_kind=request.kind.value)
        uow.commit()
    return request


def list_join_requests(query: commands.ListJoinRequests, *, caller: Caller,
                       uow: NoticeUnitOfWork) -> Page[JoinRequest]:
    """A page of the group's invitations and requests, oldest first; owners and admins only."""
    group_id = required_id(query.group_id, "group_id")
    keys = paging.keyset(query.page_size, query.page_token, key_types=(datetime, str),
                         scope=("join_requests", group_id, "pending" if query.pending_only else "all"),
                         default=rules.DEFAULT_LIST_PAGE_SIZE, maximum=rules.MAX_LIST_PAGE_SIZE)
    with uow:
        group = existing_group(uow, group_id)
        rules.require_manager(role_of(uow, caller, group.group_id), "see join requests")
        rows = uow.joins.of_group(group.group_id, pending_only=query.pending_only, after=keys.after,
                                  limit=keys.limit + 1)
    return keys.page(rows, rules.join_request_key)


def sync_members(cmd: commands.SyncMembers, *, caller: Caller, uow: NoticeUnitOfWork, max_members: int,
                 clock: Clock = utc_now) -> rules.SyncPlan:
    """Bring the group in line with an HR/OA member list, in one transaction."""
    now = clock()
    entries = rules.validate_member_inputs(list(cmd.members), max_count=max_members)
    with uow:
        group = existing_group(uow, cmd.group_id)
        rules.require_manager(role_of(uow, caller, group.group_id), "sync members")
        group.ensure_active()
        existing = {m.user_id: m for m in uow.groups.members(group.group_id)}
        plan = rules.plan_sync(existing, entries, remove_missing=cmd.remove_missing, now=now)
        uow.groups.add_members(group.group_id, plan.to_add)
        uow.groups.update_members(group.group_id, plan.to_update)
        uow.groups.remove_members(group.group_id, plan.to_remove)
        record(uow, GROUP, group.group_id, "members_synced", caller, now, added=len(plan.to_add),
               updated=len(plan.to_update), removed=plan.to_remove, unchanged=plan.unchanged,
               remove_missing=cmd.remove_missing)
        uow.commit()
    return plan
