"""Work groups: members and roles, joining, posting rules, HR/OA sync."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from notice.domain import events
from notice.domain.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from notice.domain.text import required_text

MAX_GROUP_NAME_CHARS = 100
MAX_USER_ID_CHARS = 100
MAX_DEPARTMENT_CHARS = 100
# Pages of the member and join-request lists. A member is some 40 bytes on
# the wire, so the largest page is about 40 kB and the largest HR group
# (NOTICE_SYNC_MAX_MEMBERS, 20,000) takes 20 pages; each call costs some
# 10 ms on top of its rows, so much smaller pages make a full listing slow.
DEFAULT_LIST_PAGE_SIZE = 100
MAX_LIST_PAGE_SIZE = 1000


class Role(str, Enum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def is_manager(self) -> bool:
        return self in (Role.OWNER, Role.ADMIN)


class PostingRule(str, Enum):
    MANAGERS = "managers"  # owners and admins
    ALL_MEMBERS = "all_members"

    def allows(self, role: Role | None) -> bool:
        if role is None:
            return False
        return role.is_manager or self is PostingRule.ALL_MEMBERS


class JoinKind(str, Enum):
    INVITATION = "invitation"  # the invitee decides
    REQUEST = "request"  # a manager decides


class JoinStatus(str, Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass
class Group:
    group_id: str
    name: str
    department: str
    created_by: str
    created_at: datetime
    archived_at: datetime | None = None
    notice_posting: PostingRule = PostingRule.MANAGERS
    share_posting: PostingRule = PostingRule.ALL_MEMBERS
    member_count: int = 0
    events: list = field(default_factory=list, compare=False, repr=False)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def ensure_active(self, field_name: str = "group_id") -> None:
        if self.archived:
            raise FailedPrecondition(f"group {self.group_id!r} is archived", field=field_name)

    def rename(self, name: str, *, by: str) -> None:
        self.ensure_active()
        self.name = required_text(name, "name", MAX_GROUP_NAME_CHARS)
        self.events.append(events.GroupRenamed(self.group_id, self.name, by))

    def archive(self, *, by: str, now: datetime) -> bool:
        """Archive once; False when it was archived already (idempotent)."""
        if self.archived:
            return False
        self.archived_at = now
        self.events.append(events.GroupArchived(self.group_id, by))
        return True


@dataclass(frozen=True)
class Member:
    user_id: str
    department: str
    role: Role
    joined_at: datetime
    synced: bool = False  # imported by an HR/OA sync, so a later sync may remove it


def member_key(member: Member) -> tuple[str]:
    """Members are listed in user id order (unique within a group)."""
    return (member.user_id,)


@dataclass
class JoinRequest:
    request_id: str
    group_id: str
    user_id: str
    department: str
    kind: JoinKind
    role: Role
    created_by: str
    created_at: datetime
    status: JoinStatus = JoinStatus.PENDING
    decided_by: str = ""
    decided_at: datetime | None = None

    def may_be_decided_by(self, user_id: str, role: Role | None) -> bool:
        if self.kind is JoinKind.INVITATION:
            return user_id == self.user_id
        return role is not None and role.is_manager

    def decide(self, accept: bool, *, by: str, now: datetime) -> None:
        if self.status is not JoinStatus.PENDING:
            raise FailedPrecondition(f"the {self.kind.value} is {self.status.value} already", field="request_id")
        self.status = JoinStatus.ACCEPTED if accept else JoinStatus.REJECTED
        self.decided_by = by
        self.decided_at = now

    def member(self, now: datetime) -> Member:
        return Member(self.user_id, self.department, self.role, now)


def join_request_key(request: JoinRequest) -> tuple[datetime, str]:
    """Join requests are listed oldest first; the id breaks ties."""
    return (request.created_at, request.request_id)


@dataclass(frozen=True)
class MemberInput:
    user_id: str
    department: str
    role: Role = Role.MEMBER


def new_group(name: str, department: str, *, group_id: str, created_by: str, now: datetime,
              notice_posting: PostingRule | None = None, share_posting: PostingRule | None = None) -> Group:
    group = Group(group_id, required_text(name, "name", MAX_GROUP_NAME_CHARS),
                  required_text(department, "department", MAX_GROUP_NAME_CHARS), created_by, now,
                  notice_posting=notice_posting or PostingRule.MANAGERS,
                  share_posting=share_posting or PostingRule.ALL_MEMBERS, member_count=1)
    group.events.append(events.GroupCreated(group.group_id, group.name, group.department, created_by))
    return group


def require_manager(role: Role | None, what: str) -> None:
    if role is None or not role.is_manager:
        raise PermissionDenied(f"only the group's owners and admins may {what}")


def require_owner(role: Role | None, what: str) -> None:
    if role is not Role.OWNER:
        raise PermissionDenied(f"only the group's owners may {what}")


def check_role_grant(actor_role: Role | None, granted: Role, field_name: str = "role") -> None:
    """Admins add plain members; only owners make owners or admins."""
    require_manager(actor_role, "manage members")
    if granted.is_manager and actor_role is not Role.OWNER:
        raise PermissionDenied(f"only owners may grant the {granted.value} role", field=field_name)


def check_not_last_owner(member: Member, owner_count: int) -> None:
    if member.role is Role.OWNER and owner_count <= 1:
        raise FailedPrecondition("a group keeps at least one owner", field="user_id")


def validate_member_inputs(inputs: list[MemberInput], *, field_name: str = "members",
                           max_count: int | None = None) -> list[MemberInput]:
    """Trimmed entries; user ids non-empty and distinct."""
    if not inputs:
        raise InvalidArgument("at least one member is required", field=field_name)
    if max_count is not None and len(inputs) > max_count:
        raise InvalidArgument(f"{len(inputs)} members, at most {max_count} per call", field=field_name)
    seen: set[str] = set()
    cleaned = []
    for position, entry in enumerate(inputs):
        user_id = required_text(entry.user_id, f"{field_name}[{position}].user_id", MAX_USER_ID_CHARS)
        if user_id in seen:
            raise InvalidArgument(f"{user_id!r} appears twice", field=f"{field_name}[{position}].user_id")
        seen.add(user_id)
        department = entry.department.strip()
        if len(department) > MAX_DEPARTMENT_CHARS:
            raise InvalidArgument(f"at most {MAX_DEPARTMENT_CHARS} characters",
                                  field=f"{field_name}[{position}].department")
        cleaned.append(MemberInput(user_id, department, entry.role))
    return cleaned


@dataclass(frozen=True)
class SyncPlan:
    """What an HR/OA sync changes. Identity is the user (employee) id."""
    to_add: list[Member]
    to_update: list[Member]  # department changed; role and origin kept
    to_remove: list[str]
    unchanged: int


def plan_sync(existing: dict[str, Member], incoming: list[MemberInput], *, remove_missing: bool,
              now: datetime) -> SyncPlan:
    """Imported members join as plain members; a person already in the group
    keeps role and origin and only takes the department HR reports. With
    ``remove_missing``, members an earlier sync imported and absent now leave;
    members added by hand, invited or approved, and managers, never do."""
    to_add, to_update, unchanged = [], [], 0
    for entry in incoming:
        current = existing.get(entry.user_id)
        if current is None:
            to_add.append(Member(entry.user_id, entry.department, Role.MEMBER, now, synced=True))
        elif current.department != entry.department:
            to_update.append(replace(current, department=entry.department))
        else:
            unchanged += 1
    to_remove = []
    if remove_missing:
        listed = {entry.user_id for entry in incoming}
        to_remove = [m.user_id for m in existing.values()
                     if m.synced and not m.role.is_manager and m.user_id not in listed]
    return SyncPlan(to_add, to_update, sorted(to_remove), unchanged)
