"""Notices: publication (now or scheduled), edits with versions, revocation."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from notice.domain import commands, events
from notice.domain.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from notice.domain.groups import Group, PostingRule, Role
from notice.domain.text import required_text
from notice.domain.kinds import Category, Priority, Status

__all__ = ["Group", "Notice", "NoticeVersion", "Limits", "Category", "Priority", "Status"]

MAX_TARGET_GROUPS = 50
MAX_NAMED_RECIPIENTS = 1000
MAX_ATTACHMENTS = 50
MAX_REASON_CHARS = 500
MAX_ID_CHARS = 64


@dataclass(frozen=True)
class Limits:
    max_title_chars: int = 200
    max_body_chars: int = 20000


@dataclass(frozen=True)
class NoticeVersion:
    version: int
    title: str
    body: str
    category: Category
    priority: Priority
    editor_id: str
    edited_at: datetime
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class NoticeSummary:
    """What an acknowledgement needs to know of its notice."""
    notice_id: str
    status: Status
    published_at: datetime
    ack_deadline: datetime | None
    group_ids: tuple[str, ...]


@dataclass(frozen=True)
class RecipientStanding:
    """A recipient's receipt as an acknowledgement sees it."""
    department: str
    acknowledged_at: datetime | None  # None: not yet
    notice: NoticeSummary


@dataclass
class Notice:
    notice_id: str
    group_ids: tuple[str, ...]
    title: str
    body: str
    author_id: str
    published_at: datetime  # the planned time while scheduled
    category: Category = Category.NOTICE
    priority: Priority = Priority.NORMAL
    recipient_user_ids: tuple[str, ...] = ()
    attachment_document_ids: tuple[str, ...] = ()
    pinned: bool = False
    requires_ack: bool = False
    ack_deadline: datetime | None = None
    status: Status = Status.PUBLISHED
    version: int = 1
    updated_at: datetime | None = None
    author_department: str = ""
    revoke_reason: str = ""
    revoked_by: str = ""
    revoked_at: datetime | None = None
    recipient_count: int = 0
    events: list = field(default_factory=list, compare=False, repr=False)

    def visible_to(self, user_id: str, group_ids: tuple[str, ...]) -> bool:
        """Author, or a token naming a target group; recipients and group
        managers are recognised by the handlers from the database."""
        return user_id == self.author_id or any(g in self.group_ids for g in group_ids)

    def first_version(self) -> NoticeVersion:
        return NoticeVersion(1, self.title, self.body, self.category, self.priority, self.author_id,
                             self.updated_at or self.published_at, ())

    def mark_published(self, *, recipient_count: int) -> None:
        """Receipts exist: announce the notice (now, or when its time came)."""
        self.status = Status.PUBLISHED
        self.recipient_count = recipient_count
        self.events.append(events.NoticePublished(
            self.notice_id, self.group_ids, self.title, self.body, self.author_id, self.published_at,
            category=self.category.value, priority=self.priority.value,
            recipient_user_ids=self.recipient_user_ids, requires_ack=self.requires_ack,
            ack_deadline=self.ack_deadline, attachment_document_ids=self.attachment_document_ids,
            author_department=self.author_department, version=self.version,
            recipient_count=recipient_count, pinned=self.pinned))

    def edit(self, cmd: commands.EditNotice, *, editor_id: str, now: datetime, limits: Limits) -> NoticeVersion | None:
        """Apply the given fields; a new version if anything changed, else None."""
        if self.status is Status.REVOKED:
            raise FailedPrecondition("a revoked notice cannot be edited", field="notice_id")
        wanted = {
            "title": None if cmd.title is None else required_text(cmd.title, "title", limits.max_title_chars),
            "body": None if cmd.body is None else _body(cmd.body, limits),
            "category": cmd.category,
            "priority": cmd.priority,
            "pinned": cmd.pinned,
        }
        changed = tuple(name for name, value in wanted.items()
                        if value is not None and value != getattr(self, name))
        if not changed:
            return None
        for name in changed:
            setattr(self, name, wanted[name])
        self.version += 1
        self.updated_at = now
        if self.status is Status.PUBLISHED:
            self.events.append(events.NoticeEdited(
                self.notice_id, self.version, self.title, self.body, editor_id, now, changed,
                self.category.value, self.priority.value, self.group_ids, self.recipient_user_ids))
        return NoticeVersion(self.version, self.title, self.body, self.category, self.priority, editor_id, now,
                             changed)

    def revoke(self, reason: str, *, by: str, now: datetime) -> None:
        if self.status is Status.REVOKED:
            raise FailedPrecondition("the notice is revoked already", field="notice_id")
        self.revoke_reason = required_text(reason, "reason", MAX_REASON_CHARS)
        self.status = Status.REVOKED
        self.revoked_by = by
        self.revoked_at = now
        self.updated_at = now
        self.events.append(events.NoticeRevoked(self.notice_id, self.revoke_reason, by, now))


def _body(value: str, limits: Limits) -> str:
    body = value.strip()
    if len(body) > limits.max_body_chars:
        raise InvalidArgument(f"is {len(body)} characters, at most {limits.max_body_chars} allowed", field="body")
    return body


def _distinct_ids(values: tuple[str, ...], field_name: str, max_count: int) -> tuple[str, ...]:
    """Distinct, trimmed, non-empty ids in the order given."""
    distinct: dict[str, None] = {}
    for position, raw in enumerate(values):
        value = raw.strip()
        if not value:
            raise InvalidArgument("must not be empty", field=f"{field_name}[{position}]")
        if len(value) > MAX_ID_CHARS:
            raise InvalidArgument(f"at most {MAX_ID_CHARS} characters", field=f"{field_name}[{position}]")
        distinct[value] = None
    if len(distinct) > max_count:
        raise InvalidArgument(f"at most {max_count} allowed", field=field_name)
    return tuple(distinct)


def validate_targets(group_ids: tuple[str, ...], recipient_user_ids: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Distinct target group ids; a notice needs a group or a named recipient."""
    if not group_ids and not recipient_user_ids:
        raise InvalidArgument("at least one target group or named recipient is required", field="group_ids")
    return _distinct_ids(group_ids, "group_ids", MAX_TARGET_GROUPS)


def draft_notice(cmd: commands.PublishNotice, *, notice_id: str, author_id: str, author_department: str,
                 now: datetime, limits: Limits) -> Notice:
    """A notice checked on its own (targets' existence and rights are checked
    against the groups by ``check_targets``); scheduled when publish_at is
    in the future."""
    title = required_text(cmd.title, "title", limits.max_title_chars)
    body = _body(cmd.body, limits)
    recipients = _distinct_ids(cmd.recipient_user_ids, "recipient_user_ids", MAX_NAMED_RECIPIENTS)
    targets = validate_targets(cmd.group_ids, recipients)
    attachments = _distinct_ids(cmd.attachment_document_ids, "attachment_document_ids", MAX_ATTACHMENTS)
    scheduled = cmd.publish_at is not None and cmd.publish_at > now
    published_at = cmd.publish_at if scheduled else now
    if cmd.ack_deadline is not None:
        if not cmd.requires_ack:
            raise InvalidArgument("a deadline needs requires_ack", field="ack_deadline")
        if cmd.ack_deadline <= published_at:
            raise InvalidArgument("must be after the publication time" if scheduled else "is in the past",
                                  field="ack_deadline")
    return Notice(notice_id, targets, title, body, author_id, published_at, category=cmd.category,
                  priority=cmd.priority, recipient_user_ids=recipients, attachment_document_ids=attachments,
                  pinned=cmd.pinned, requires_ack=cmd.requires_ack, ack_deadline=cmd.ack_deadline,
                  status=Status.SCHEDULED if scheduled else Status.PUBLISHED, updated_at=now,
                  author_department=author_department)


def check_targets(requested: tuple[str, ...], groups: dict[str, Group], caller_roles: dict[str, Role],
                  *, rule_of) -> None:
    """Every target group exists, is active and lets the caller post there.

    ``rule_of(group)`` picks the posting rule that applies (notices or shares).
    """
    for position, group_id in enumerate(requested):
        name = f"group_ids[{position}]"
        group = groups.get(group_id)
        if group is None:
            raise NotFound(f"no group {group_id!r}", field=name)
        group.ensure_active(name)
        rule: PostingRule = rule_of(group)
        if not rule.allows(caller_roles.get(group_id)):
            who = "its owners and admins" if rule is PostingRule.MANAGERS else "its members"
            raise PermissionDenied(f"only {who} may post to group {group.name!r}", field=name)
