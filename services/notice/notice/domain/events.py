"""What happened in the notice domain; published through the outbox."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Person:
    user_id: str
    department: str


@dataclass(frozen=True)
class GroupCreated:
    group_id: str
    name: str
    department: str
    created_by: str


@dataclass(frozen=True)
class GroupRenamed:
    group_id: str
    name: str
    renamed_by: str


@dataclass(frozen=True)
class GroupArchived:
    group_id: str
    archived_by: str


@dataclass(frozen=True)
class NoticePublished:
    notice_id: str
    group_ids: tuple[str, ...]
    title: str
    body: str
    author_id: str
    published_at: datetime
    category: str = "notice"
    priority: str = "normal"
    recipient_user_ids: tuple[str, ...] = ()
    requires_ack: bool = False
    ack_deadline: datetime | None = None
    attachment_document_ids: tuple[str, ...] = ()
    author_department: str = ""
    version: int = 1
    recipient_count: int = 0
    pinned: bool = False


@dataclass(frozen=True)
class NoticeEdited:
    notice_id: str
    version: int
    title: str
    body: str
    editor_id: str
    edited_at: datetime
    changed_fields: tuple[str, ...]
    category: str
    priority: str
    group_ids: tuple[str, ...]
    recipient_user_ids: tuple[str, ...]


@dataclass(frozen=True)
class NoticeRevoked:
    notice_id: str
    reason: str
    revoked_by: str
    revoked_at: datetime


@dataclass(frozen=True)
class ReceiptRead:
    notice_id: str
    recipient: Person
    read_at: datetime
    group_ids: tuple[str, ...]


@dataclass(frozen=True)
class ReceiptAcknowledged:
    notice_id: str
    recipient: Person
    acknowledged_at: datetime
    comment: str
    group_ids: tuple[str, ...]
    published_at: datetime
    ack_deadline: datetime | None


@dataclass(frozen=True)
class ReminderDue:
    notice_id: str
    title: str
    ack_deadline: datetime
    pending: tuple[Person, ...]
    schedule_percent: int


@dataclass(frozen=True)
class NoticeOverdue:
    notice_id: str
    title: str
    ack_deadline: datetime
    laggards: tuple[Person, ...]
    escalate_to: tuple[str, ...]
    group_ids: tuple[str, ...]


@dataclass(frozen=True)
class LearningSharePosted:
    share_id: str
    group_id: str
    title: str
    body: str
    author_id: str
    posted_at: datetime
    reply_to: str
    kind: str
