"""hub.reports.v1.ReportsService: proto <-> handler calls; errors map in hubkit."""
from __future__ import annotations

from hub.reports.v1 import reports_pb2, reports_service_pb2 as api, reports_service_pb2_grpc
from hubkit.errors import InvalidArgument
from hubkit.grpc_server import current_caller
from reports import handlers
from reports.domain import commands
from reports.domain.catalog import StoredFile, StoredReport

CHUNK_BYTES = 64 * 1024
FORMATS = {
    reports_pb2.REPORT_FORMAT_PDF: "pdf",
    reports_pb2.REPORT_FORMAT_XLSX: "xlsx",
    reports_pb2.REPORT_FORMAT_JSON: "json",
}
FORMAT_ENUMS = {name: value for value, name in FORMATS.items()}


def _file(file: StoredFile) -> reports_pb2.ReportFile:
    return reports_pb2.ReportFile(format=FORMAT_ENUMS[file.format], size_bytes=file.size_bytes, sha256=file.sha256,
                                  media_type=file.media_type)


def _info(report: StoredReport) -> reports_pb2.ReportInfo:
    info = reports_pb2.ReportInfo(report_id=report.report_id, kind=report.kind, title=report.title,
                                  period=report.period, files=[_file(f) for f in report.files],
                                  complete=report.complete)
    info.generated_at.FromDatetime(report.generated_at)
    return info


class ReportsServicer(reports_service_pb2_grpc.ReportsServiceServicer):
    def __init__(self, uow_factory, pipeline: handlers.Pipeline):
        self.uow_factory = uow_factory
        self.pipeline = pipeline

    def GetNoticeCountsByGroup(self, request, context):
        rows = handlers.notice_counts_by_group(tuple(request.group_ids), caller=current_caller(),
                                               uow=self.uow_factory(read_only=True))
        return api.GetNoticeCountsByGroupResponse(counts=[
            reports_pb2.GroupNoticeCount(group_id=r.group_id, group_name=r.group_name, notice_count=r.notice_count)
            for r in rows])

    def GenerateReport(self, request, context):
        report, created = handlers.generate_report(
            commands.GenerateReport(request.kind, request.period, request.regenerate), caller=current_caller(),
            uow_factory=self.uow_factory, pipeline=self.pipeline)
        return api.GenerateReportResponse(report=_info(report), created=created)

    def ListReports(self, request, context):
        found, token = handlers.list_reports(
            commands.ListReports(request.kind, request.period, request.page_size, request.page_token),
            caller=current_caller(), uow=self.uow_factory(read_only=True), pipeline=self.pipeline)
        return api.ListReportsResponse(reports=[_info(r) for r in found], next_page_token=token)

    def DownloadReport(self, request, context):
        if request.format not in FORMATS:
            raise InvalidArgument("must be PDF, XLSX or JSON", field="format")
        file, content = handlers.download_report(
            commands.DownloadReport(request.report_id, FORMATS[request.format]), caller=current_caller(),
            uow=self.uow_factory(read_only=True))
        yield api.DownloadReportResponse(file=_file(file), data=content[:CHUNK_BYTES])
        for offset in range(CHUNK_BYTES, len(content), CHUNK_BYTES):
            yield api.DownloadReportResponse(data=content[offset:offset + CHUNK_BYTES])
