"""hub.notice.v1.FindingService: proto <-> commands; errors map in hubkit."""
from __future__ import annotations

from datetime import datetime, timezone

from hub.notice.v1 import finding_pb2, finding_service_pb2 as api, finding_service_pb2_grpc, notice_pb2
from hubkit.grpc_server import current_caller
from hubkit.protos import timestamp, to_datetime
from notice import finding_handlers as handlers
from notice.adapters.event_mapping import severity_number, status_number
from notice.domain import finding_review, findings
from notice.domain.findings import Finding, FindingStatus, Severity

# Proto enum numbers -> domain values; anything else (unspecified, unknown
# numbers) becomes "" and is refused by the domain, naming the field.
_SEVERITY_OF = {severity_number(s): s.value for s in Severity}
_STATUS_OF = {status_number(s): s.value for s in FindingStatus}


def finding_message(finding: Finding, now: datetime) -> finding_pb2.Finding:
    return finding_pb2.Finding(
        finding_id=finding.finding_id, area=finding.area, description=finding.description,
        severity=severity_number(finding.severity), photo_document_ids=list(finding.photo_document_ids),
        responsible_unit=finding.responsible_unit, responsible_person=finding.responsible_person,
        due_at=timestamp(finding.due_at), inspector_id=finding.inspector_id, opened_at=timestamp(finding.opened_at),
        status=status_number(finding.status), status_changed_at=timestamp(finding.status_changed_at),
        rectification_note=finding.rectification_note,
        evidence_document_ids=list(finding.evidence_document_ids), rectified_at=timestamp(finding.rectified_at),
        verified_at=timestamp(finding.verified_at), reopen_reason=finding.reopen_reason,
        reopened_count=finding.reopened_count, overdue=finding.is_overdue(now))


def review_message(review: finding_review.WeeklyReview) -> finding_pb2.WeeklyReview:
    def message(f):
        return finding_message(f, review.at)
    return finding_pb2.WeeklyReview(
        iso_week=review.week.label, time_zone=review.time_zone, week_start=timestamp(review.week.start),
        week_end=timestamp(review.week.end), this_week=[message(f) for f in review.this_week],
        by_area=[finding_pb2.FindingBucket(key=b.key, count=b.count, finding_ids=b.finding_ids)
                 for b in review.by_area],
        by_unit=[finding_pb2.FindingBucket(key=b.key, count=b.count, finding_ids=b.finding_ids)
                 for b in review.by_unit],
        by_severity=[finding_pb2.SeverityBucket(severity=severity_number(Severity(b.key)), count=b.count,
                                                finding_ids=b.finding_ids) for b in review.by_severity],
        last_iso_week=review.last_week_label, last_week=[message(f) for f in review.last_week],
        last_week_by_status=[finding_pb2.StatusBucket(status=status_number(FindingStatus(b.key)), count=b.count,
                                                      finding_ids=b.finding_ids) for b in review.last_week_by_status],
        overdue=[message(f) for f in review.overdue])


def _now() -> datetime:
    return datetime.now(timezone.utc)


class FindingServicer(finding_service_pb2_grpc.FindingServiceServicer):
    def __init__(self, uow_factory, time_zone: str):
        self.uow_factory = uow_factory
        self.time_zone = time_zone

    def OpenFinding(self, request, context):
        cmd = findings.OpenFinding(
            area=request.area, description=request.description, severity=_SEVERITY_OF.get(request.severity, ""),
            responsible_unit=request.responsible_unit, responsible_person=request.responsible_person,
            due_at=to_datetime(request, "due_at"),
            photo_document_ids=tuple(request.photo_document_ids))
        finding = handlers.open_finding(cmd, caller=current_caller(), uow=self.uow_factory())
        return api.OpenFindingResponse(finding=finding_message(finding, _now()))

    def StartRectification(self, request, context):
        finding = handlers.start_rectification(findings.StartRectification(request.finding_id),
                                               caller=current_caller(), uow=self.uow_factory())
        return api.StartRectificationResponse(finding=finding_message(finding, _now()))

    def RectifyFinding(self, request, context):
        cmd = findings.RectifyFinding(request.finding_id, request.note, tuple(request.evidence_document_ids))
        finding = handlers.rectify_finding(cmd, caller=current_caller(), uow=self.uow_factory())
        return api.RectifyFindingResponse(finding=finding_message(finding, _now()))

    def VerifyFinding(self, request, context):
        finding = handlers.verify_finding(findings.VerifyFinding(request.finding_id), caller=current_caller(),
                                          uow=self.uow_factory())
        return api.VerifyFindingResponse(finding=finding_message(finding, _now()))

    def ReopenFinding(self, request, context):
        finding = handlers.reopen_finding(findings.ReopenFinding(request.finding_id, request.reason),
                                          caller=current_caller(), uow=self.uow_factory())
        return api.ReopenFindingResponse(finding=finding_message(finding, _now()))

    def GetFinding(self, request, context):
        finding = handlers.get_finding(findings.GetFinding(request.finding_id), caller=current_caller(),
                                       uow=self.uow_factory(read_only=True))
        return api.GetFindingResponse(finding=finding_message(finding, _now()))

    def ListFindings(self, request, context):
        status = "" if request.status == notice_pb2.FINDING_STATUS_UNSPECIFIED else _STATUS_OF.get(
            request.status, str(request.status))
        query = findings.ListFindings(status=status, area=request.area.strip(),
                                      responsible_unit=request.responsible_unit.strip(),
                                      overdue_only=request.overdue_only, page_size=request.page_size,
                                      page_token=request.page_token)
        now = _now()
        page = handlers.list_findings(query, caller=current_caller(), uow=self.uow_factory(read_only=True),
                                      clock=lambda: now)
        return api.ListFindingsResponse(findings=[finding_message(f, now) for f in page.findings],
                                        next_page_token=page.next_page_token)

    def GetWeeklyReview(self, request, context):
        review = handlers.weekly_review(to_datetime(request, "at"), caller=current_caller(),
                                        uow=self.uow_factory(read_only=True), time_zone=self.time_zone)
        return api.GetWeeklyReviewResponse(review=review_message(review))
