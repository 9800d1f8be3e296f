"""Conversions between Python values and protobuf well-known types."""
from __future__ import annotations

from datetime import datetime, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from hubkit.errors import InvalidArgument

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def timestamp(moment: datetime | None) -> Timestamp | None:
    """``Timestamp.FromDatetime`` (None for None), a few times cheaper for UTC
    datetimes (what the hub stores): it goes through utctimetuple and
    calendar.timegm, while the difference to the epoch gives the same seconds
    and nanos exactly."""
    if moment is None:
        return None
    if moment.tzinfo is timezone.utc:
        since = moment - _EPOCH
        return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000)
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def to_datetime(message, field: str) -> datetime | None:
    """The UTC datetime in ``message.<field>`` (None when unset); a timestamp
    outside years 1 to 9999 is InvalidArgument naming the field, not a crash."""
    if not message.HasField(field):
        return None
    try:
        return getattr(message, field).ToDatetime(tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        raise InvalidArgument("is not a valid timestamp (years 1 to 9999, nanos below one second)",
                              field=field) from None
