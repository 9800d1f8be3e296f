"""hub.notice.v1.NoticeService: proto <-> commands; errors map in hubkit."""
from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from hub.notice.v1 import notice_pb2, notice_service_pb2 as api, notice_service_pb2_grpc
from hubkit.grpc_server import current_caller
from notice import handlers
from notice.domain import commands, model


def _timestamp(value) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def group_message(group: model.Group) -> notice_pb2.Group:
    return notice_pb2.Group(group_id=group.group_id, name=group.name, department=group.department,
                            created_by=group.created_by, created_at=_timestamp(group.created_at))


def notice_message(notice: model.Notice) -> notice_pb2.Notice:
    return notice_pb2.Notice(notice_id=notice.notice_id, group_ids=list(notice.group_ids), title=notice.title,
                             body=notice.body, author_id=notice.author_id,
                             published_at=_timestamp(notice.published_at))


class NoticeServicer(notice_service_pb2_grpc.NoticeServiceServicer):
    def __init__(self, uow_factory, limits: model.Limits):
        self.uow_factory = uow_factory
        self.limits = limits

    def CreateGroup(self, request, context):
        group = handlers.create_group(commands.CreateGroup(request.name, request.department),
                                      caller=current_caller(), uow=self.uow_factory())
        return api.CreateGroupResponse(group=group_message(group))

    def PublishNotice(self, request, context):
        cmd = commands.PublishNotice(tuple(request.group_ids), request.title, request.body)
        notice = handlers.publish_notice(cmd, caller=current_caller(), uow=self.uow_factory(), limits=self.limits)
        return api.PublishNoticeResponse(notice=notice_message(notice))

    def GetNotice(self, request, context):
        notice = handlers.get_notice(commands.GetNotice(request.notice_id), caller=current_caller(),
                                     uow=self.uow_factory(read_only=True))
        return api.GetNoticeResponse(notice=notice_message(notice))
