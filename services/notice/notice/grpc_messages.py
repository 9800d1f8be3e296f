"""Conversions between hub.notice.v1 messages and the domain, shared by the servicers."""
from __future__ import annotations

import json
from enum import Enum

from hub.notice.v1 import notice_pb2
from hubkit.protos import timestamp
from notice.domain import model
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.errors import InvalidArgument
from notice.domain.groups import Group, JoinRequest, Member, PostingRule, Role
from notice.domain.kinds import Category, Priority, ShareKind
from notice.domain.receipts import Receipt
from notice.domain.shares import Share


def _prefix(proto_enum) -> str:
    """"NOTICE_CATEGORY_" for NoticeCategory (buf style: every value carries it)."""
    return proto_enum.Name(0)[: -len("UNSPECIFIED")]


def from_proto_enum(number: int, proto_enum, domain_enum: type[Enum], field: str):
    """A domain enum member, None for *_UNSPECIFIED; INVALID_ARGUMENT for
    numbers the contract does not know."""
    if number == 0:
        return None
    try:
        name = proto_enum.Name(number)
    except ValueError:
        raise InvalidArgument(f"unknown value {number}", field=field) from None
    return domain_enum(name[len(_prefix(proto_enum)):].lower())


def to_proto_enum(value: Enum | None, proto_enum) -> int:
    return 0 if value is None else proto_enum.Value(_prefix(proto_enum) + value.value.upper())


def category(number: int, field: str = "category") -> Category | None:
    return from_proto_enum(number, notice_pb2.NoticeCategory, Category, field)


def priority(number: int, field: str = "priority") -> Priority | None:
    return from_proto_enum(number, notice_pb2.NoticePriority, Priority, field)


def role(number: int, field: str = "role") -> Role | None:
    return from_proto_enum(number, notice_pb2.MemberRole, Role, field)


def posting_rule(number: int, field: str) -> PostingRule | None:
    return from_proto_enum(number, notice_pb2.PostingRule, PostingRule, field)


def share_kind(number: int, field: str = "kind") -> ShareKind | None:
    return from_proto_enum(number, notice_pb2.ShareKind, ShareKind, field)


def entity_kind(number: int, field: str = "entity_kind") -> EntityKind:
    kind = from_proto_enum(number, notice_pb2.AuditEntityKind, EntityKind, field)
    if kind is None:
        raise InvalidArgument("is required", field=field)
    return kind


def group_message(group: Group) -> notice_pb2.Group:
    return notice_pb2.Group(
        group_id=group.group_id, name=group.name, department=group.department, created_by=group.created_by,
        created_at=timestamp(group.created_at), archived=group.archived,
        notice_posting=to_proto_enum(group.notice_posting, notice_pb2.PostingRule),
        share_posting=to_proto_enum(group.share_posting, notice_pb2.PostingRule), member_count=group.member_count)


def member_message(member: Member) -> notice_pb2.Member:
    return notice_pb2.Member(user_id=member.user_id, department=member.department,
                             role=to_proto_enum(member.role, notice_pb2.MemberRole),
                             joined_at=timestamp(member.joined_at), synced=member.synced)


def join_request_message(request: JoinRequest) -> notice_pb2.JoinRequest:
    return notice_pb2.JoinRequest(
        request_id=request.request_id, group_id=request.group_id, user_id=request.user_id,
        department=request.department, kind=to_proto_enum(request.kind, notice_pb2.JoinKind),
        status=to_proto_enum(request.status, notice_pb2.JoinStatus),
        role=to_proto_enum(request.role, notice_pb2.MemberRole), created_by=request.created_by,
        created_at=timestamp(request.created_at), decided_by=request.decided_by,
        decided_at=timestamp(request.decided_at))


def notice_message(notice: model.Notice) -> notice_pb2.Notice:
    return notice_pb2.Notice(
        notice_id=notice.notice_id, group_ids=list(notice.group_ids), title=notice.title, body=notice.body,
        author_id=notice.author_id, published_at=timestamp(notice.published_at),
        category=to_proto_enum(notice.category, notice_pb2.NoticeCategory),
        priority=to_proto_enum(notice.priority, notice_pb2.NoticePriority),
        recipient_user_ids=list(notice.recipient_user_ids),
        attachment_document_ids=list(notice.attachment_document_ids), pinned=notice.pinned,
        requires_ack=notice.requires_ack, ack_deadline=timestamp(notice.ack_deadline),
        status=to_proto_enum(notice.status, notice_pb2.NoticeStatus), version=notice.version,
        updated_at=timestamp(notice.updated_at), revoke_reason=notice.revoke_reason, revoked_by=notice.revoked_by,
        revoked_at=timestamp(notice.revoked_at), recipient_count=notice.recipient_count)


def version_message(version: model.NoticeVersion) -> notice_pb2.NoticeVersion:
    return notice_pb2.NoticeVersion(
        version=version.version, title=version.title, body=version.body,
        category=to_proto_enum(version.category, notice_pb2.NoticeCategory),
        priority=to_proto_enum(version.priority, notice_pb2.NoticePriority), editor_id=version.editor_id,
        edited_at=timestamp(version.edited_at), changed_fields=list(version.changed_fields))


def receipt_message(receipt: Receipt | None) -> notice_pb2.Receipt | None:
    if receipt is None:
        return None
    return notice_pb2.Receipt(
        notice_id=receipt.notice_id, user_id=receipt.user_id, department=receipt.department,
        delivered_at=timestamp(receipt.delivered_at), read_at=timestamp(receipt.read_at),
        acknowledged_at=timestamp(receipt.acknowledged_at), ack_comment=receipt.ack_comment)


def share_message(share: Share) -> notice_pb2.LearningShare:
    return notice_pb2.LearningShare(
        share_id=share.share_id, group_id=share.group_id, kind=to_proto_enum(share.kind, notice_pb2.ShareKind),
        title=share.title, body=share.body, author_id=share.author_id, posted_at=timestamp(share.posted_at),
        reply_to=share.reply_to, replies=[share_message(reply) for reply in share.replies])


def audit_message(entry: AuditEntry) -> notice_pb2.AuditRecord:
    return notice_pb2.AuditRecord(
        entity_kind=to_proto_enum(entry.entity_kind, notice_pb2.AuditEntityKind), entity_id=entry.entity_id,
        action=entry.action, actor_id=entry.actor_id, at=timestamp(entry.at),
        detail_json=json.dumps(entry.detail, ensure_ascii=False))

