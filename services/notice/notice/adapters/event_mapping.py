"""Domain events of the notice service -> versioned protobuf envelopes."""
from __future__ import annotations

from functools import singledispatch

from google.protobuf.timestamp_pb2 import Timestamp

from hub.events.v1 import notice_events_pb2 as pb
from hubkit.envelope import Envelope, new_envelope
from notice.domain import events


@singledispatch
def to_envelope(event, correlation_id: str = "") -> Envelope:
    raise TypeError(f"no event mapping for {type(event).__name__}")


@to_envelope.register
def _(event: events.GroupCreated, correlation_id: str = "") -> Envelope:
    return new_envelope("group.created", pb.GroupCreated(
        group_id=event.group_id, name=event.name, department=event.department,
        created_by=event.created_by), correlation_id=correlation_id)


@to_envelope.register
def _(event: events.NoticePublished, correlation_id: str = "") -> Envelope:
    published_at = Timestamp()
    published_at.FromDatetime(event.published_at)
    return new_envelope("notice.published", pb.NoticePublished(
        notice_id=event.notice_id, group_ids=list(event.group_ids), title=event.title, body=event.body,
        author_id=event.author_id, published_at=published_at),
        correlation_id=correlation_id, occurred_at=event.published_at)


# --- inspection findings and field incidents ---------------------------------
# (imported here, next to their use, to keep this section self-contained)
from hub.notice.v1 import notice_pb2  # noqa: E402
from notice.domain import findings, incidents  # noqa: E402


def _stamp(value) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def severity_number(severity: findings.Severity) -> int:
    return notice_pb2.FindingSeverity.Value(f"FINDING_SEVERITY_{severity.name}")


def status_number(status: findings.FindingStatus) -> int:
    return notice_pb2.FindingStatus.Value(f"FINDING_STATUS_{status.name}")


@to_envelope.register
def _(event: findings.FindingOpened, correlation_id: str = "") -> Envelope:
    return new_envelope("finding.opened", pb.FindingOpened(
        finding_id=event.finding_id, area=event.area, description=event.description,
        severity=severity_number(event.severity), responsible_unit=event.responsible_unit,
        responsible_person=event.responsible_person, due_at=_stamp(event.due_at), inspector_id=event.inspector_id,
        opened_at=_stamp(event.opened_at), photo_document_ids=list(event.photo_document_ids)),
        correlation_id=correlation_id, occurred_at=event.opened_at)


@to_envelope.register
def _(event: findings.FindingStatusChanged, correlation_id: str = "") -> Envelope:
    return new_envelope("finding.status_changed", pb.FindingStatusChanged(
        finding_id=event.finding_id, from_status=status_number(event.from_status),
        to_status=status_number(event.to_status), changed_by=event.changed_by, changed_at=_stamp(event.changed_at),
        note=event.note, evidence_document_ids=list(event.evidence_document_ids), area=event.area,
        responsible_unit=event.responsible_unit, severity=severity_number(event.severity),
        due_at=_stamp(event.due_at), opened_at=_stamp(event.opened_at)),
        correlation_id=correlation_id, occurred_at=event.changed_at)


@to_envelope.register
def _(event: incidents.IncidentReported, correlation_id: str = "") -> Envelope:
    payload = pb.IncidentReported(
        incident_id=event.incident_id, kind=event.kind, description=event.description, location=event.location,
        reporter=pb.Person(user_id=event.reporter.user_id, department=event.reporter.department),
        reported_at=_stamp(event.reported_at), photo_document_ids=list(event.photo_document_ids),
        notice_id=event.notice_id, group_id=event.group_id)
    if event.latitude is not None:
        payload.latitude, payload.longitude = event.latitude, event.longitude
    return new_envelope("incident.reported", payload, correlation_id=correlation_id, occurred_at=event.reported_at)
