"""hub.notice.v1.NoticeService: proto <-> commands; errors map in hubkit."""
from __future__ import annotations

from hub.notice.v1 import notice_pb2, notice_service_pb2 as api, notice_service_pb2_grpc
from hubkit.grpc_server import current_caller
from hubkit.protos import to_datetime
from notice import group_handlers, handlers
from notice.domain import commands, model
from notice.grpc_messages import (audit_message, category, entity_kind, group_message, notice_message,
                                  posting_rule, priority, receipt_message, timestamp, version_message)

# Kept importable from here for the callers of the foundation.
__all__ = ["NoticeServicer", "group_message", "notice_message"]


def _department_lists(people: dict[str, list[str]]) -> list[notice_pb2.DepartmentMembers]:
    return [notice_pb2.DepartmentMembers(department=dept, user_ids=users) for dept, users in people.items()]


class NoticeServicer(notice_service_pb2_grpc.NoticeServiceServicer):
    def __init__(self, uow_factory, limits: model.Limits):
        self.uow_factory = uow_factory
        self.limits = limits

    def CreateGroup(self, request, context):
        cmd = commands.CreateGroup(request.name, request.department,
                                   posting_rule(request.notice_posting, "notice_posting"),
                                   posting_rule(request.share_posting, "share_posting"))
        group = group_handlers.create_group(cmd, caller=current_caller(), uow=self.uow_factory())
        return api.CreateGroupResponse(group=group_message(group))

    def PublishNotice(self, request, context):
        cmd = commands.PublishNotice(
            tuple(request.group_ids), request.title, request.body,
            category=category(request.category) or model.Category.NOTICE,
            priority=priority(request.priority) or model.Priority.NORMAL,
            recipient_user_ids=tuple(request.recipient_user_ids),
            attachment_document_ids=tuple(request.attachment_document_ids), pinned=request.pinned,
            requires_ack=request.requires_ack, ack_deadline=to_datetime(request, "ack_deadline"),
            publish_at=to_datetime(request, "publish_at"))
        notice = handlers.publish_notice(cmd, caller=current_caller(), uow=self.uow_factory(), limits=self.limits)
        return api.PublishNoticeResponse(notice=notice_message(notice))

    def GetNotice(self, request, context):
        view = handlers.open_notice(commands.GetNotice(request.notice_id), caller=current_caller(),
                                   uow=self.uow_factory(read_only=True), mark_read_uow=self.uow_factory())
        return api.GetNoticeResponse(notice=notice_message(view.notice),
                                     versions=[version_message(v) for v in view.versions],
                                     receipt=receipt_message(view.receipt))

    def EditNotice(self, request, context):
        cmd = commands.EditNotice(
            request.notice_id, title=request.title if request.HasField("title") else None,
            body=request.body if request.HasField("body") else None, category=category(request.category),
            priority=priority(request.priority), pinned=request.pinned if request.HasField("pinned") else None)
        notice, changed = handlers.edit_notice(cmd, caller=current_caller(), uow=self.uow_factory(),
                                               limits=self.limits)
        return api.EditNoticeResponse(notice=notice_message(notice), changed_fields=list(changed))

    def RevokeNotice(self, request, context):
        notice = handlers.revoke_notice(commands.RevokeNotice(request.notice_id, request.reason),
                                        caller=current_caller(), uow=self.uow_factory())
        return api.RevokeNoticeResponse(notice=notice_message(notice))

    def MarkRead(self, request, context):
        receipt = handlers.mark_read(commands.MarkRead(request.notice_id), caller=current_caller(),
                                     uow=self.uow_factory())
        return api.MarkReadResponse(receipt=receipt_message(receipt))

    def AcknowledgeNotice(self, request, context):
        at, first = handlers.acknowledge_notice(commands.AcknowledgeNotice(request.notice_id, request.comment),
                                                caller=current_caller(), uow=self.uow_factory(optimistic=True))
        return api.AcknowledgeNoticeResponse(acknowledged_at=timestamp(at), first_acknowledgement=first)

    def GetNoticeStats(self, request, context):
        stats = handlers.notice_stats(commands.GetNoticeStats(request.notice_id), caller=current_caller(),
                                      uow=self.uow_factory(read_only=True))
        return api.GetNoticeStatsResponse(
            notice_id=stats.notice_id, recipients=stats.recipients, read=stats.read,
            acknowledged=stats.acknowledged, not_read=_department_lists(stats.not_read),
            not_acknowledged=_department_lists(stats.not_acknowledged))

    def ListInbox(self, request, context):
        query = commands.ListInbox(category=category(request.category), priority=priority(request.priority),
                                   page_size=request.page_size, cursor=request.cursor)
        items, cursor = handlers.list_inbox(query, caller=current_caller(), uow=self.uow_factory(read_only=True))
        return api.ListInboxResponse(next_cursor=cursor, items=[
            notice_pb2.InboxItem(notice=notice_message(item.notice), receipt=receipt_message(item.receipt),
                                 changed_since_read=item.changed_since_read) for item in items])

    def GetAuditTrail(self, request, context):
        query = commands.GetAuditTrail(entity_kind(request.entity_kind), request.entity_id, request.limit)
        entries = handlers.audit_trail(query, caller=current_caller(), uow=self.uow_factory(read_only=True))
        return api.GetAuditTrailResponse(records=[audit_message(e) for e in entries])
