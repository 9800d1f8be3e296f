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
