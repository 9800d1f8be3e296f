"""hub.notice.v1.ShareService: proto <-> commands; errors map in hubkit."""
from __future__ import annotations

from hub.notice.v1 import share_service_pb2 as api, share_service_pb2_grpc
from hubkit.grpc_server import current_caller
from notice import share_handlers as handlers
from notice.domain import commands
from notice.grpc_messages import share_kind, share_message


class ShareServicer(share_service_pb2_grpc.ShareServiceServicer):
    def __init__(self, uow_factory):
        self.uow_factory = uow_factory

    def PostShare(self, request, context):
        cmd = commands.PostShare(request.group_id, share_kind(request.kind), request.title, request.body,
                                 request.reply_to)
        share = handlers.post_share(cmd, caller=current_caller(), uow=self.uow_factory())
        return api.PostShareResponse(share=share_message(share))

    def ListShares(self, request, context):
        shares = handlers.list_shares(commands.ListShares(request.group_id, request.limit), caller=current_caller(),
                                      uow=self.uow_factory(read_only=True))
        return api.ListSharesResponse(shares=[share_message(s) for s in shares])
