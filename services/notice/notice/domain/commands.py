"""What callers ask the notice service to do."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notice.domain.audit import EntityKind
from notice.domain.groups import MemberInput, PostingRule, Role
from notice.domain.kinds import Category, Priority, ShareKind


@dataclass(frozen=True)
class CreateGroup:
    name: str
    department: str
    notice_posting: PostingRule | None = None
    share_posting: PostingRule | None = None


@dataclass(frozen=True)
class RenameGroup:
    group_id: str
    name: str


@dataclass(frozen=True)
class ArchiveGroup:
    group_id: str


@dataclass(frozen=True)
class SetPostingRules:
    group_id: str
    notice_posting: PostingRule | None = None
    share_posting: PostingRule | None = None


@dataclass(frozen=True)
class ListMembers:
    group_id: str
    page_size: int = 0  # 0: the default
    page_token: str = ""
    # Filters; empty / None: any.
    department: str = ""
    role: Role | None = None


@dataclass(frozen=True)
class AddMembers:
    group_id: str
    members: tuple[MemberInput, ...]


@dataclass(frozen=True)
class RemoveMember:
    group_id: str
    user_id: str


@dataclass(frozen=True)
class SetMemberRole:
    group_id: str
    user_id: str
    role: Role


@dataclass(frozen=True)
class InviteMember:
    group_id: str
    user_id: str
    department: str
    role: Role = Role.MEMBER


@dataclass(frozen=True)
class RequestToJoin:
    group_id: str
    department: str = ""


@dataclass(frozen=True)
class DecideJoinRequest:
    request_id: str
    accept: bool


@dataclass(frozen=True)
class ListJoinRequests:
    group_id: str
    pending_only: bool = False
    page_size: int = 0  # 0: the default
    page_token: str = ""


@dataclass(frozen=True)
class SyncMembers:
    group_id: str
    members: tuple[MemberInput, ...]
    remove_missing: bool = False


@dataclass(frozen=True)
class PublishNotice:
    group_ids: tuple[str, ...]
    title: str
    body: str
    category: Category = Category.NOTICE
    priority: Priority = Priority.NORMAL
    recipient_user_ids: tuple[str, ...] = ()
    attachment_document_ids: tuple[str, ...] = ()
    pinned: bool = False
    requires_ack: bool = False
    ack_deadline: datetime | None = None
    publish_at: datetime | None = None


@dataclass(frozen=True)
class GetNotice:
    notice_id: str


@dataclass(frozen=True)
class EditNotice:
    notice_id: str
    title: str | None = None
    body: str | None = None
    category: Category | None = None
    priority: Priority | None = None
    pinned: bool | None = None


@dataclass(frozen=True)
class RevokeNotice:
    notice_id: str
    reason: str


@dataclass(frozen=True)
class MarkRead:
    notice_id: str


@dataclass(frozen=True)
class AcknowledgeNotice:
    notice_id: str
    comment: str = ""


@dataclass(frozen=True)
class GetNoticeStats:
    notice_id: str


@dataclass(frozen=True)
class ListInbox:
    category: Category | None = None
    priority: Priority | None = None
    page_size: int = 20
    cursor: str = ""


@dataclass(frozen=True)
class PostShare:
    group_id: str
    kind: ShareKind
    title: str
    body: str
    reply_to: str = ""


@dataclass(frozen=True)
class ListShares:
    group_id: str
    limit: int = 20


@dataclass(frozen=True)
class GetAuditTrail:
    entity_kind: EntityKind
    entity_id: str
    limit: int = 200
