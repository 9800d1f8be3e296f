"""Small helpers every use case module shares."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from hubkit.auth import Caller
from hubkit.ids import new_id  # noqa: F401 - the use cases take it from here
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.errors import InvalidArgument, NotFound
from notice.domain.groups import Group, Role
from notice.ports import NoticeUnitOfWork

Clock = Callable[[], datetime]
MAX_ID_CHARS = 64


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def required_id(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidArgument("must not be empty", field=field)
    if len(value) > MAX_ID_CHARS:
        raise InvalidArgument(f"at most {MAX_ID_CHARS} characters", field=field)
    return value


def department_of(caller: Caller) -> str:
    return caller.departments[0] if caller.departments else ""


def role_of(uow: NoticeUnitOfWork, caller: Caller, group_id: str) -> Role | None:
    """The caller's role in the group; trusted system callers act as owners."""
    if caller.is_system:
        return Role.OWNER
    member = uow.groups.member(group_id, caller.user_id)
    return None if member is None else member.role


def existing_group(uow: NoticeUnitOfWork, group_id: str, field: str = "group_id") -> Group:
    group = uow.groups.get(required_id(group_id, field))
    if group is None:
        raise NotFound(f"no group {group_id!r}", field=field)
    return group


def record(uow: NoticeUnitOfWork, entity_kind: EntityKind, entity_id: str, action: str, actor: Caller,
           at: datetime, /, **detail) -> None:
    """An audit entry in the transaction of the change it describes."""
    uow.audit.record(AuditEntry(entity_kind, entity_id, action, actor.user_id, at, detail))


def publish_events(uow: NoticeUnitOfWork, entity) -> None:
    """Send the entity's pending domain events to this transaction's outbox."""
    for event in entity.events:
        uow.publish(event)
    entity.events.clear()
