"""Domain events of the notice service -> versioned protobuf envelopes."""
from __future__ import annotations

from functools import singledispatch


from hub.events.v1 import notice_events_pb2 as pb
from hub.notice.v1 import notice_pb2
from hubkit.protos import timestamp
from hubkit.envelope import Envelope, new_envelope
from notice.domain import events, findings, incidents


def _person(person: events.Person) -> pb.Person:
    return pb.Person(user_id=person.user_id, department=person.department)


def category_number(value: str) -> int:
    return notice_pb2.NoticeCategory.Value(f"NOTICE_CATEGORY_{value.upper()}")


def priority_number(value: str) -> int:
    return notice_pb2.NoticePriority.Value(f"NOTICE_PRIORITY_{value.upper()}")


@singledispatch
def to_envelope(event, correlation_id: str = "") -> Envelope:
    raise TypeError(f"no event mapping for {type(event).__name__}")


@to_envelope.register
def _(event: events.GroupCreated, correlation_id: str = "") -> Envelope:
    return new_envelope("group.created", pb.GroupCreated(
        group_id=event.group_id, name=event.name, department=event.department,
        created_by=event.created_by), correlation_id=correlation_id)


@to_envelope.register
def _(event: events.GroupRenamed, correlation_id: str = "") -> Envelope:
    return new_envelope("group.renamed", pb.GroupRenamed(
        group_id=event.group_id, name=event.name, renamed_by=event.renamed_by), correlation_id=correlation_id)


@to_envelope.register
def _(event: events.GroupArchived, correlation_id: str = "") -> Envelope:
    return new_envelope("group.archived", pb.GroupArchived(group_id=event.group_id, archived_by=event.archived_by),
                        correlation_id=correlation_id)


@to_envelope.register
def _(event: events.NoticePublished, correlation_id: str = "") -> Envelope:
    return new_envelope("notice.published", pb.NoticePublished(
        notice_id=event.notice_id, group_ids=list(event.group_ids), title=event.title, body=event.body,
        author_id=event.author_id, published_at=timestamp(event.published_at),
        category=category_number(event.category), priority=priority_number(event.priority),
        recipient_user_ids=list(event.recipient_user_ids), requires_ack=event.requires_ack,
        ack_deadline=timestamp(event.ack_deadline), attachment_document_ids=list(event.attachment_document_ids),
        author_department=event.author_department, version=event.version, recipient_count=event.recipient_count,
        pinned=event.pinned),
        correlation_id=correlation_id, occurred_at=event.published_at)


@to_envelope.register
def _(event: events.NoticeEdited, correlation_id: str = "") -> Envelope:
    return new_envelope("notice.edited", pb.NoticeEdited(
        notice_id=event.notice_id, version=event.version, title=event.title, body=event.body,
        editor_id=event.editor_id, edited_at=timestamp(event.edited_at), changed_fields=list(event.changed_fields),
        category=category_number(event.category), priority=priority_number(event.priority),
        group_ids=list(event.group_ids), recipient_user_ids=list(event.recipient_user_ids)),
        correlation_id=correlation_id, occurred_at=event.edited_at)


@to_envelope.register
def _(event: events.NoticeRevoked, correlation_id: str = "") -> Envelope:
    return new_envelope("notice.revoked", pb.NoticeRevoked(
        notice_id=event.notice_id, reason=event.reason, revoked_by=event.revoked_by,
        revoked_at=timestamp(event.revoked_at)), correlation_id=correlation_id, occurred_at=event.revoked_at)


@to_envelope.register
def _(event: events.ReceiptRead, correlation_id: str = "") -> Envelope:
    return new_envelope("receipt.read", pb.ReceiptRead(
        notice_id=event.notice_id, recipient=_person(event.recipient), read_at=timestamp(event.read_at),
        group_ids=list(event.group_ids)), correlation_id=correlation_id, occurred_at=event.read_at)


@to_envelope.register
def _(event: events.ReceiptAcknowledged, correlation_id: str = "") -> Envelope:
    return new_envelope("receipt.acknowledged", pb.ReceiptAcknowledged(
        notice_id=event.notice_id, recipient=_person(event.recipient), acknowledged_at=timestamp(event.acknowledged_at),
        comment=event.comment, group_ids=list(event.group_ids), published_at=timestamp(event.published_at),
        ack_deadline=timestamp(event.ack_deadline)), correlation_id=correlation_id, occurred_at=event.acknowledged_at)


@to_envelope.register
def _(event: events.ReminderDue, correlation_id: str = "") -> Envelope:
    return new_envelope("notice.reminder_due", pb.ReminderDue(
        notice_id=event.notice_id, title=event.title, ack_deadline=timestamp(event.ack_deadline),
        pending=[_person(p) for p in event.pending], schedule_percent=event.schedule_percent),
        correlation_id=correlation_id)


@to_envelope.register
def _(event: events.NoticeOverdue, correlation_id: str = "") -> Envelope:
    return new_envelope("notice.overdue", pb.NoticeOverdue(
        notice_id=event.notice_id, title=event.title, ack_deadline=timestamp(event.ack_deadline),
        laggards=[_person(p) for p in event.laggards], escalate_to=list(event.escalate_to),
        group_ids=list(event.group_ids)), correlation_id=correlation_id)


@to_envelope.register
def _(event: events.LearningSharePosted, correlation_id: str = "") -> Envelope:
    return new_envelope("learning_share.posted", pb.LearningSharePosted(
        share_id=event.share_id, group_id=event.group_id, title=event.title, body=event.body,
        author_id=event.author_id, posted_at=timestamp(event.posted_at), reply_to=event.reply_to,
        kind=notice_pb2.ShareKind.Value(f"SHARE_KIND_{event.kind.upper()}")),
        correlation_id=correlation_id, occurred_at=event.posted_at)


# --- inspection findings and field incidents ---------------------------------

def severity_number(severity: findings.Severity) -> int:
    return notice_pb2.FindingSeverity.Value(f"FINDING_SEVERITY_{severity.name}")


def status_number(status: findings.FindingStatus) -> int:
    return notice_pb2.FindingStatus.Value(f"FINDING_STATUS_{status.name}")


@to_envelope.register
def _(event: findings.FindingOpened, correlation_id: str = "") -> Envelope:
    return new_envelope("finding.opened", pb.FindingOpened(
        finding_id=event.finding_id, area=event.area, description=event.description,
        severity=severity_number(event.severity), responsible_unit=event.responsible_unit,
        responsible_person=event.responsible_person, due_at=timestamp(event.due_at), inspector_id=event.inspector_id,
        opened_at=timestamp(event.opened_at), photo_document_ids=list(event.photo_document_ids)),
        correlation_id=correlation_id, occurred_at=event.opened_at)


@to_envelope.register
def _(event: findings.FindingStatusChanged, correlation_id: str = "") -> Envelope:
    return new_envelope("finding.status_changed", pb.FindingStatusChanged(
        finding_id=event.finding_id, from_status=status_number(event.from_status),
        to_status=status_number(event.to_status), changed_by=event.changed_by, changed_at=timestamp(event.changed_at),
        note=event.note, evidence_document_ids=list(event.evidence_document_ids), area=event.area,
        responsible_unit=event.responsible_unit, severity=severity_number(event.severity),
        due_at=timestamp(event.due_at), opened_at=timestamp(event.opened_at)),
        correlation_id=correlation_id, occurred_at=event.changed_at)


@to_envelope.register
def _(event: incidents.IncidentReported, correlation_id: str = "") -> Envelope:
    payload = pb.IncidentReported(
        incident_id=event.incident_id, kind=event.kind, description=event.description, location=event.location,
        reporter=pb.Person(user_id=event.reporter.user_id, department=event.reporter.department),
        reported_at=timestamp(event.reported_at), photo_document_ids=list(event.photo_document_ids),
        notice_id=event.notice_id, group_id=event.group_id)
    if event.latitude is not None:
        payload.latitude, payload.longitude = event.latitude, event.longitude
    return new_envelope("incident.reported", payload, correlation_id=correlation_id, occurred_at=event.reported_at)
