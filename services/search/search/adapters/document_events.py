"""Document events of the search service <-> versioned protobuf envelopes."""
from __future__ import annotations

from datetime import timezone
from functools import singledispatch

from google.protobuf.timestamp_pb2 import Timestamp

from hub.events.v1 import search_events_pb2 as pb
from hubkit.envelope import Envelope, new_envelope
from search.domain.documents import DocumentDeleted, VersionAdded


def _timestamp(moment) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


@singledispatch
def to_envelope(event) -> Envelope:
    raise TypeError(f"no event mapping for {type(event).__name__}")


@to_envelope.register
def _(event: VersionAdded) -> Envelope:
    return new_envelope("document.version_added", pb.DocumentVersionAdded(
        document_id=event.document_id, version=event.number, sha256=event.sha256,
        content_type=event.content_type, uploaded_by=event.uploaded_by,
        uploaded_at=_timestamp(event.uploaded_at)), occurred_at=event.uploaded_at)


@to_envelope.register
def _(event: DocumentDeleted) -> Envelope:
    return new_envelope("document.deleted", pb.DocumentDeleted(
        document_id=event.document_id, deleted_by=event.deleted_by, reason=event.reason,
        deleted_at=_timestamp(event.deleted_at)), occurred_at=event.deleted_at)


def version_added(envelope: Envelope) -> VersionAdded:
    added = envelope.payload
    return VersionAdded(document_id=added.document_id, number=added.version, sha256=added.sha256,
                        content_type=added.content_type, uploaded_by=added.uploaded_by,
                        uploaded_at=added.uploaded_at.ToDatetime(tzinfo=timezone.utc))


def document_deleted(envelope: Envelope) -> DocumentDeleted:
    deleted = envelope.payload
    return DocumentDeleted(document_id=deleted.document_id, deleted_by=deleted.deleted_by, reason=deleted.reason,
                           deleted_at=deleted.deleted_at.ToDatetime(tzinfo=timezone.utc))
