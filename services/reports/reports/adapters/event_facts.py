"""Event payloads (hub.events.v1 protos) -> the domain's facts, and back from
the journal's JSON. The one place that knows the notice service's contracts."""
from __future__ import annotations

from datetime import datetime, timezone

from google.protobuf import json_format
from google.protobuf.message import Message

from hub.notice.v1 import notice_pb2
from hubkit.envelope import EVENT_TYPES
from reports.domain import facts


def _time(message: Message, field: str) -> datetime | None:
    return getattr(message, field).ToDatetime(tzinfo=timezone.utc) if message.HasField(field) else None


def _required_time(message: Message, field: str, fallback: datetime) -> datetime:
    return _time(message, field) or fallback


def _severity(value: int) -> str:
    return notice_pb2.FindingSeverity.Name(value).removeprefix("FINDING_SEVERITY_")


def _status(value: int) -> str:
    return notice_pb2.FindingStatus.Name(value).removeprefix("FINDING_STATUS_")


def _group(p, _at):
    return facts.GroupNamed(p.group_id, p.name)


def _notice_published(p, at):
    return facts.NoticePublished(
        notice_id=p.notice_id, title=p.title, group_ids=tuple(p.group_ids), author_department=p.author_department,
        published_at=_required_time(p, "published_at", at), requires_ack=p.requires_ack,
        ack_deadline=_time(p, "ack_deadline") if p.requires_ack else None, recipient_count=p.recipient_count)


def _notice_revoked(p, at):
    return facts.NoticeRevoked(p.notice_id, _required_time(p, "revoked_at", at))


def _receipt_read(p, at):
    return facts.ReceiptRead(p.notice_id, p.recipient.user_id, p.recipient.department,
                             _required_time(p, "read_at", at))


def _receipt_acknowledged(p, at):
    return facts.ReceiptAcknowledged(p.notice_id, p.recipient.user_id, p.recipient.department,
                                     _required_time(p, "acknowledged_at", at))


def _notice_overdue(p, at):
    return facts.NoticeOverdue(p.notice_id, _required_time(p, "ack_deadline", at),
                               tuple((person.user_id, person.department) for person in p.laggards))


def _finding_opened(p, at):
    return facts.FindingOpened(
        finding_id=p.finding_id, area=p.area, description=p.description, severity=_severity(p.severity),
        responsible_unit=p.responsible_unit, opened_at=_required_time(p, "opened_at", at), due_at=_time(p, "due_at"))


def _finding_status_changed(p, at):
    return facts.FindingStatusChanged(
        finding_id=p.finding_id, to_status=_status(p.to_status), changed_at=_required_time(p, "changed_at", at),
        area=p.area, responsible_unit=p.responsible_unit, severity=_severity(p.severity),
        opened_at=_time(p, "opened_at"), due_at=_time(p, "due_at"))


def _incident_reported(p, at):
    return facts.IncidentReported(p.incident_id, p.kind, p.location, p.reporter.department,
                                  _required_time(p, "reported_at", at))


_TRANSLATORS = {
    "group.created": _group,
    "group.renamed": _group,
    "notice.published": _notice_published,
    "notice.revoked": _notice_revoked,
    "receipt.read": _receipt_read,
    "receipt.acknowledged": _receipt_acknowledged,
    "notice.overdue": _notice_overdue,
    "finding.opened": _finding_opened,
    "finding.status_changed": _finding_status_changed,
    "incident.reported": _incident_reported,
}
CONSUMED_EVENT_TYPES = tuple(_TRANSLATORS)


def fact_from_payload(event_type: str, payload: Message, occurred_at: datetime) -> facts.Fact:
    """``occurred_at`` stands in for a time the payload left unset."""
    return _TRANSLATORS[event_type](payload, occurred_at)


def journal_body(payload: Message) -> str:
    return json_format.MessageToJson(payload, indent=None, ensure_ascii=False)


def payload_from_journal(event_type: str, body: str) -> Message:
    return json_format.Parse(body, EVENT_TYPES[event_type].payload())


def fact_from_journal(event_type: str, occurred_at: datetime, body: str) -> facts.Fact:
    """The fact a journalled event stood for, exactly as when it arrived."""
    return fact_from_payload(event_type, payload_from_journal(event_type, body), occurred_at)
