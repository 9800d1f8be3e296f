"""The event envelope: every event the hub publishes, typed and versioned.

An event travels as the proto3 JSON mapping of ``hub.events.v1.EventEnvelope``
whose ``payload`` is a ``google.protobuf.Any`` holding the typed message; the
outbox stores the same envelope in its binary form. The
registry below is the one list of event types, their payload messages and
schema versions; an event of a type or version not listed here is malformed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message

from hub.events.v1 import envelope_pb2, notice_events_pb2, reports_events_pb2, search_events_pb2
from hubkit.ids import new_id
from hubkit.protos import timestamp


@dataclass(frozen=True)
class EventType:
    name: str  # also the routing key
    producer: str  # exchange is "<producer>.events"
    payload: type[Message]
    schema_version: int = 1


# One block per producing service; consumers rely on these names and payloads.
_NOTICE_EVENTS = (
    EventType("group.created", "notice", notice_events_pb2.GroupCreated),
    EventType("group.renamed", "notice", notice_events_pb2.GroupRenamed),
    EventType("group.archived", "notice", notice_events_pb2.GroupArchived),
    EventType("notice.published", "notice", notice_events_pb2.NoticePublished),
    EventType("notice.edited", "notice", notice_events_pb2.NoticeEdited),
    EventType("notice.revoked", "notice", notice_events_pb2.NoticeRevoked),
    EventType("receipt.read", "notice", notice_events_pb2.ReceiptRead),
    EventType("receipt.acknowledged", "notice", notice_events_pb2.ReceiptAcknowledged),
    EventType("notice.reminder_due", "notice", notice_events_pb2.ReminderDue),
    EventType("notice.overdue", "notice", notice_events_pb2.NoticeOverdue),
    EventType("finding.opened", "notice", notice_events_pb2.FindingOpened),
    EventType("finding.status_changed", "notice", notice_events_pb2.FindingStatusChanged),
    EventType("incident.reported", "notice", notice_events_pb2.IncidentReported),
    EventType("learning_share.posted", "notice", notice_events_pb2.LearningSharePosted),
)

_SEARCH_EVENTS: tuple[EventType, ...] = (
    EventType("document.version_added", "search", search_events_pb2.DocumentVersionAdded),
    EventType("document.deleted", "search", search_events_pb2.DocumentDeleted),
)

_REPORTS_EVENTS = (
    EventType("report.generated", "reports", reports_events_pb2.ReportGenerated),
)

EVENT_TYPES: dict[str, EventType] = {t.name: t for t in _NOTICE_EVENTS + _SEARCH_EVENTS + _REPORTS_EVENTS}


class MalformedEvent(ValueError):
    """A message that is not a valid envelope of a known event type."""


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    schema_version: int
    occurred_at: datetime
    producer: str
    correlation_id: str
    payload: Message

    @property
    def exchange(self) -> str:
        return f"{self.producer}.events"


def new_envelope(event_type: str, payload: Message, *, correlation_id: str = "",
                 occurred_at: datetime | None = None) -> Envelope:
    """Wrap a payload for publishing; the event type must be registered."""
    known = EVENT_TYPES.get(event_type)
    if known is None:
        raise ValueError(f"unknown event type {event_type!r}")
    if not isinstance(payload, known.payload):
        raise TypeError(f"{event_type} carries {known.payload.__name__}, not {type(payload).__name__}")
    event_id = new_id()
    return Envelope(
        event_id=event_id,
        event_type=event_type,
        schema_version=known.schema_version,
        occurred_at=occurred_at or datetime.now(timezone.utc),
        producer=known.producer,
        correlation_id=correlation_id or event_id,
        payload=payload,
    )


def _message(envelope: Envelope) -> envelope_pb2.EventEnvelope:
    message = envelope_pb2.EventEnvelope(
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        schema_version=envelope.schema_version,
        producer=envelope.producer,
        correlation_id=envelope.correlation_id,
    )
    message.occurred_at.CopyFrom(timestamp(envelope.occurred_at))
    message.payload.Pack(envelope.payload)
    return message


def to_bytes(envelope: Envelope) -> bytes:
    """The stored form (outbox): the binary envelope. Encoding it takes a few
    microseconds, proto3 JSON about a hundred, so API servers store this in
    their transaction and the relay renders the wire form (``wire_json``)."""
    return _message(envelope).SerializeToString()


def wire_json(stored: bytes) -> str:
    """The wire form of a stored envelope: proto3 JSON, as nameko consumers
    decode it (``from_body``)."""
    return json_format.MessageToJson(envelope_pb2.EventEnvelope.FromString(stored), indent=None,
                                     ensure_ascii=False)


def from_body(body: object) -> Envelope:
    """Decode a message body (JSON text, bytes, or the dict kombu decoded).

    Raises MalformedEvent with the reason for anything that is not a valid
    envelope of a registered type and version.
    """
    try:
        if isinstance(body, (bytes, bytearray)):
            body = body.decode("utf-8")
        if isinstance(body, str):
            body = json.loads(body)
        if not isinstance(body, dict):
            raise MalformedEvent(f"body is {type(body).__name__}, not an object")
        message = json_format.ParseDict(body, envelope_pb2.EventEnvelope())
    except MalformedEvent:
        raise
    except (ValueError, json_format.ParseError, UnicodeDecodeError, TypeError) as exc:
        raise MalformedEvent(f"not an event envelope: {exc}") from None

    return _validated(message)


def from_bytes(stored: bytes) -> Envelope:
    """Decode a stored (binary) envelope; MalformedEvent as ``from_body``."""
    try:
        message = envelope_pb2.EventEnvelope.FromString(stored)
    except DecodeError as exc:
        raise MalformedEvent(f"not an event envelope: {exc}") from None
    return _validated(message)


def _validated(message: envelope_pb2.EventEnvelope) -> Envelope:
    known = EVENT_TYPES.get(message.event_type)
    if known is None:
        raise MalformedEvent(f"unknown event type {message.event_type!r}")
    if message.schema_version != known.schema_version:
        raise MalformedEvent(
            f"{message.event_type} schema version {message.schema_version} is not {known.schema_version}")
    if not message.event_id:
        raise MalformedEvent("event_id is empty")
    payload = known.payload()
    if not message.payload.Unpack(payload):
        raise MalformedEvent(
            f"{message.event_type} payload is {message.payload.type_url!r}, not {known.payload.DESCRIPTOR.full_name}")
    return Envelope(
        event_id=message.event_id,
        event_type=message.event_type,
        schema_version=message.schema_version,
        occurred_at=message.occurred_at.ToDatetime(tzinfo=timezone.utc),
        producer=message.producer,
        correlation_id=message.correlation_id,
        payload=payload,
    )
