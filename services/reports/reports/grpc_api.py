"""hub.reports.v1.ReportsService: proto <-> handler calls; errors map in hubkit."""
from __future__ import annotations

from hub.reports.v1 import reports_pb2, reports_service_pb2 as api, reports_service_pb2_grpc
from reports import handlers


class ReportsServicer(reports_service_pb2_grpc.ReportsServiceServicer):
    def __init__(self, uow_factory):
        self.uow_factory = uow_factory

    def GetNoticeCountsByGroup(self, request, context):
        rows = handlers.notice_counts_by_group(tuple(request.group_ids), uow=self.uow_factory(read_only=True))
        return api.GetNoticeCountsByGroupResponse(counts=[
            reports_pb2.GroupNoticeCount(group_id=r.group_id, group_name=r.group_name, notice_count=r.notice_count)
            for r in rows])
