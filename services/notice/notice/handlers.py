"""Use cases of notices and their receipts: fn(command, *, caller, uow, ...) -> result.

Groups are in group_handlers, learning shares in share_handlers, the
reminder sweep in reminder_handlers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubkit.auth import Caller
from notice.domain import commands, model, receipts as receipt_rules
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from notice.domain.events import Person, ReceiptAcknowledged, ReceiptRead
from notice.domain.groups import Role
from notice.domain.kinds import Status
from notice.domain.receipts import InboxPosition, NoticeStats, Receipt
from notice.group_handlers import create_group  # noqa: F401 - part of this module's API since the foundation
from notice.handler_support import Clock, department_of, new_id, publish_events, record, required_id, utc_now
from notice.ports import NoticeUnitOfWork

__all__ = ["create_group", "publish_notice", "get_notice", "open_notice", "edit_notice", "revoke_notice", "mark_read",
           "acknowledge_notice", "notice_stats", "list_inbox", "audit_trail", "deliver", "utc_now", "new_id"]

NOTICE = EntityKind.NOTICE
AUDITOR_ROLE = "auditor"  # token role that may read every audit trail
MAX_TRAIL = 1000
# What makes an acknowledgement's write miss (the receipt acknowledged, the
# notice revoked) is for good, so the reading after it answers without
# writing: a second attempt is the last one needed.
ACK_ATTEMPTS = 2


def publish_notice(cmd: commands.PublishNotice, *, caller: Caller, uow: NoticeUnitOfWork,
                   limits: model.Limits, clock: Clock = utc_now) -> model.Notice:
    """Store the notice; if it is due now, its receipts and its
    notice.published event too — all in one transaction."""
    now = clock()
    notice = model.draft_notice(cmd, notice_id=new_id(), author_id=caller.user_id,
                                author_department=department_of(caller), now=now, limits=limits)
    requested = tuple(g.strip() for g in cmd.group_ids)
    with uow:
        targets, roles = uow.groups.posting_targets(caller.user_id, notice.group_ids)
        if caller.is_system:
            roles = {g: Role.OWNER for g in notice.group_ids}
        model.check_targets(requested, targets, roles, rule_of=lambda group: group.notice_posting)
        known = uow.groups.departments_of(notice.recipient_user_ids)
        for position, user_id in enumerate(cmd.recipient_user_ids):
            if user_id.strip() not in known:
                raise NotFound(f"{user_id.strip()!r} belongs to no group", field=f"recipient_user_ids[{position}]")
        uow.notices.add(notice)
        if notice.status is Status.PUBLISHED:
            deliver(uow, notice, now)
        record(uow, NOTICE, notice.notice_id, notice.status.value, caller, now, title=notice.title,
               group_ids=list(notice.group_ids), recipient_user_ids=list(notice.recipient_user_ids),
               publish_at=notice.published_at.isoformat(), requires_ack=notice.requires_ack,
               ack_deadline=notice.ack_deadline.isoformat() if notice.ack_deadline else None)
        uow.commit()
    return notice


def deliver(uow: NoticeUnitOfWork, notice: model.Notice, now: datetime) -> None:
    """Receipts for every recipient, then the notice.published event."""
    notice.mark_published(recipient_count=uow.receipts.deliver(notice, now))
    uow.notices.save_delivery(notice)
    publish_events(uow, notice)


@dataclass(frozen=True)
class NoticeView:
    notice: model.Notice
    versions: list[model.NoticeVersion]
    receipt: Receipt | None  # the caller's


def _manages_a_target(uow: NoticeUnitOfWork, caller: Caller, notice: model.Notice) -> bool:
    roles = uow.groups.roles_of(caller.user_id, notice.group_ids)
    return any(role.is_manager for role in roles.values())


def _may_see(uow: NoticeUnitOfWork, caller: Caller, notice: model.Notice, receipt: Receipt | None) -> bool:
    if caller.is_system or caller.user_id == notice.author_id or _manages_a_target(uow, caller, notice):
        return True
    # Recipients see a scheduled notice only once it is published.
    return notice.status is not Status.SCHEDULED and (
        receipt is not None or notice.visible_to(caller.user_id, caller.groups))


def _may_manage(uow: NoticeUnitOfWork, caller: Caller, notice: model.Notice) -> bool:
    return caller.is_system or caller.user_id == notice.author_id or _manages_a_target(uow, caller, notice)


def _visible_notice(uow: NoticeUnitOfWork, caller: Caller, notice_id: str, *,
                    for_update: bool = False) -> tuple[model.Notice, Receipt | None]:
    """The notice and the caller's receipt; a notice the caller may not see is
    reported as absent, not forbidden, so that ids cannot be probed.
    ``for_update``: the caller saves it (see NoticeRepository.get)."""
    notice = uow.notices.get(notice_id, for_update=for_update)
    receipt = None if notice is None else uow.receipts.get(notice_id, caller.user_id)
    if notice is None or not _may_see(uow, caller, notice, receipt):
        raise NotFound(f"no notice {notice_id!r}", field="notice_id")
    return notice, receipt


def get_notice(query: commands.GetNotice, *, caller: Caller, uow: NoticeUnitOfWork) -> model.Notice:
    """The notice, if the caller may see it; reads only."""
    with uow:
        notice, _ = _visible_notice(uow, caller, required_id(query.notice_id, "notice_id"))
    return notice


def open_notice(query: commands.GetNotice, *, caller: Caller, uow: NoticeUnitOfWork,
                mark_read_uow: NoticeUnitOfWork, clock: Clock = utc_now) -> NoticeView:
    """The notice with its versions and the caller's receipt. A recipient's
    first opening marks it read, through ``mark_read_uow`` (so that the
    usual, repeated opening takes no write lock)."""
    notice_id = required_id(query.notice_id, "notice_id")
    with uow:
        notice, receipt = _visible_notice(uow, caller, notice_id)
        versions = uow.notices.versions(notice_id)
    if receipt is not None and receipt.read_at is None and notice.status is Status.PUBLISHED:
        receipt = mark_read(commands.MarkRead(notice_id), caller=caller, uow=mark_read_uow, clock=clock)
    return NoticeView(notice, versions, receipt)


def mark_read(cmd: commands.MarkRead, *, caller: Caller, uow: NoticeUnitOfWork, clock: Clock = utc_now) -> Receipt:
    """Record the first reading (receipt.read); later readings change nothing."""
    notice_id = required_id(cmd.notice_id, "notice_id")
    now = clock()
    with uow:
        notice, receipt = _visible_notice(uow, caller, notice_id)
        if receipt is None:
            raise PermissionDenied("only recipients have receipts", field="notice_id")
        first = uow.receipts.mark_read(notice_id, caller.user_id, now)
        if first is None:
            return receipt
        uow.publish(ReceiptRead(notice_id, Person(caller.user_id, first.department), now, notice.group_ids))
        record(uow, NOTICE, notice_id, "read", caller, now)
        uow.commit()
    return first


def acknowledge_notice(cmd: commands.AcknowledgeNotice, *, caller: Caller, uow: NoticeUnitOfWork,
                       clock: Clock = utc_now) -> tuple[datetime, bool]:
    """(acknowledged at, first time). Only a first acknowledgement changes
    anything and emits receipt.acknowledged; a repeat returns the first one's
    time. A caller who is not a recipient gets PERMISSION_DENIED.

    The receipt is read, then written only if it is still as read
    (ReceiptRepository.acknowledge_if_unchanged), so ``uow`` may be
    optimistic. If another request acknowledged it or revoked the notice in
    between, the commit writes nothing and the receipt is read again."""
    notice_id = required_id(cmd.notice_id, "notice_id")
    comment = receipt_rules.ack_comment(cmd.comment)
    now = clock()
    for _ in range(ACK_ATTEMPTS - 1):
        try:
            return _acknowledge_once(notice_id, comment, now, caller, uow)
        except Aborted:
            continue  # changed since it was read: read it again
    return _acknowledge_once(notice_id, comment, now, caller, uow)  # an Aborted now reaches the caller


def _acknowledge_once(notice_id: str, comment: str, now: datetime, caller: Caller,
                      uow: NoticeUnitOfWork) -> tuple[datetime, bool]:
    with uow:
        standing = uow.receipts.for_acknowledgement(notice_id, caller.user_id)
        if standing is None:
            _visible_notice(uow, caller, notice_id)  # NOT_FOUND unless the caller may see it
            raise PermissionDenied("only recipients acknowledge a notice", field="notice_id")
        if standing.acknowledged_at is not None:
            return standing.acknowledged_at, False
        notice = standing.notice
        if notice.status is not Status.PUBLISHED:
            raise FailedPrecondition(f"the notice is {notice.status.value}", field="notice_id")
        uow.receipts.acknowledge_if_unchanged(notice_id, caller.user_id, now, comment)
        uow.publish(ReceiptAcknowledged(notice_id, Person(caller.user_id, standing.department), now, comment,
                                        notice.group_ids, notice.published_at, notice.ack_deadline))
        record(uow, NOTICE, notice_id, "acknowledged", caller, now, comment=comment)
        uow.commit()
    return now, True


def edit_notice(cmd: commands.EditNotice, *, caller: Caller, uow: NoticeUnitOfWork, limits: model.Limits,
                clock: Clock = utc_now) -> tuple[model.Notice, tuple[str, ...]]:
    """A new version when something changed (the author only)."""
    notice_id = required_id(cmd.notice_id, "notice_id")
    now = clock()
    with uow:
        notice, _ = _visible_notice(uow, caller, notice_id, for_update=True)
        if not (caller.is_system or caller.user_id == notice.author_id):
            raise PermissionDenied("only the author edits a notice", field="notice_id")
        before = {"title": notice.title, "body": notice.body, "category": notice.category.value,
                  "priority": notice.priority.value, "pinned": notice.pinned}
        version = notice.edit(cmd, editor_id=caller.user_id, now=now, limits=limits)
        if version is None:
            return notice, ()
        uow.notices.save(notice)
        uow.notices.add_version(notice_id, version)
        record(uow, NOTICE, notice_id, "edited", caller, now, version=version.version,
               changed={name: before[name] for name in version.changed_fields})
        publish_events(uow, notice)
        uow.commit()
    return notice, version.changed_fields


def revoke_notice(cmd: commands.RevokeNotice, *, caller: Caller, uow: NoticeUnitOfWork,
                  clock: Clock = utc_now) -> model.Notice:
    notice_id = required_id(cmd.notice_id, "notice_id")
    now = clock()
    with uow:
        notice, _ = _visible_notice(uow, caller, notice_id, for_update=True)
        if not _may_manage(uow, caller, notice):
            raise PermissionDenied("only the author or a target group's owners and admins revoke a notice",
                                   field="notice_id")
        notice.revoke(cmd.reason, by=caller.user_id, now=now)
        uow.notices.save(notice)
        record(uow, NOTICE, notice_id, "revoked", caller, now, reason=notice.revoke_reason)
        publish_events(uow, notice)
        uow.commit()
    return notice


def notice_stats(query: commands.GetNoticeStats, *, caller: Caller, uow: NoticeUnitOfWork) -> NoticeStats:
    notice_id = required_id(query.notice_id, "notice_id")
    with uow:
        notice, _ = _visible_notice(uow, caller, notice_id)
        if not _may_manage(uow, caller, notice):
            raise PermissionDenied("only the author or a target group's owners and admins see statistics",
                                   field="notice_id")
        return receipt_rules.stats_of(notice_id, uow.receipts.standings(notice_id))


@dataclass(frozen=True)
class InboxItem:
    notice: model.Notice
    receipt: Receipt

    @property
    def changed_since_read(self) -> bool:
        return (self.notice.version > 1 and self.receipt.read_at is not None
                and self.notice.updated_at is not None and self.notice.updated_at > self.receipt.read_at)


def list_inbox(query: commands.ListInbox, *, caller: Caller, uow: NoticeUnitOfWork) -> tuple[list[InboxItem], str]:
    """A page of the caller's published notices, unread first, then pinned,
    then newest; and the cursor of the next page ("" on the last)."""
    size = receipt_rules.page_size(query.page_size)
    after = InboxPosition.decode(query.cursor) if query.cursor else None
    with uow:
        rows = uow.receipts.inbox(caller.user_id, category=query.category, priority=query.priority, after=after,
                                  limit=size + 1)
    items = [InboxItem(notice, receipt) for notice, receipt in rows[:size]]
    cursor = ""
    if len(rows) > size:
        last = items[-1]
        cursor = InboxPosition(last.receipt.read_at is not None, last.notice.pinned, last.notice.published_at,
                               last.notice.notice_id).encode()
    return items, cursor


def audit_trail(query: commands.GetAuditTrail, *, caller: Caller, uow: NoticeUnitOfWork) -> list[AuditEntry]:
    """Oldest first. Readable by system and auditor callers; besides them, a
    group's trail by its owners and admins, a notice's by its author and the
    target groups' owners and admins, a share's by its author and the group's
    owners and admins. Findings and incidents: system and auditors."""
    entity_id = required_id(query.entity_id, "entity_id")
    limit = query.limit or 200
    if not 1 <= limit <= MAX_TRAIL:
        raise InvalidArgument(f"must be 1..{MAX_TRAIL}", field="limit")
    with uow:
        if not (caller.is_system or AUDITOR_ROLE in caller.roles
                or _may_read_trail(uow, caller, query.entity_kind, entity_id)):
            raise PermissionDenied("you may not read this audit trail", field="entity_id")
        return uow.audit.trail(query.entity_kind, entity_id, limit=limit)


def _may_read_trail(uow: NoticeUnitOfWork, caller: Caller, kind: EntityKind, entity_id: str) -> bool:
    if kind is EntityKind.GROUP:
        group_ids = (entity_id,)
    elif kind is EntityKind.NOTICE:
        notice = uow.notices.get(entity_id)
        if notice is None:
            return False
        if notice.author_id == caller.user_id:
            return True
        group_ids = notice.group_ids
    elif kind is EntityKind.SHARE:
        share = uow.shares.get(entity_id)
        if share is None:
            return False
        if share.author_id == caller.user_id:
            return True
        group_ids = (share.group_id,)
    else:
        return False
    return any(role.is_manager for role in uow.groups.roles_of(caller.user_id, group_ids).values())
