"""Receipts of a notice per recipient, statistics, and the inbox order."""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, NamedTuple

from notice.domain import paging
from notice.domain.errors import InvalidArgument

MAX_COMMENT_CHARS = 500
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Receipt:
    notice_id: str
    user_id: str
    department: str
    delivered_at: datetime
    read_at: datetime | None = None
    acknowledged_at: datetime | None = None
    ack_comment: str = ""


@dataclass(frozen=True)
class NoticeStats:
    notice_id: str
    recipients: int
    read: int
    acknowledged: int
    # department -> user ids, both sorted
    not_read: dict[str, list[str]] = field(default_factory=dict)
    not_acknowledged: dict[str, list[str]] = field(default_factory=dict)


class Standing(NamedTuple):
    """Where one recipient stands with a notice: all that its statistics
    count (a notice to the whole works has thousands of these)."""
    user_id: str
    department: str
    read: bool
    acknowledged: bool


def stats_of(notice_id: str, standings: Iterable[Standing]) -> NoticeStats:
    recipients = read = acknowledged = 0
    not_read: dict[str, list[str]] = {}
    not_acknowledged: dict[str, list[str]] = {}
    for standing in standings:
        recipients += 1
        if standing.read:
            read += 1
        else:
            not_read.setdefault(standing.department, []).append(standing.user_id)
        if standing.acknowledged:
            acknowledged += 1
        else:
            not_acknowledged.setdefault(standing.department, []).append(standing.user_id)

    def ordered(groups: dict[str, list[str]]) -> dict[str, list[str]]:
        return {dept: sorted(users) for dept, users in sorted(groups.items())}
    return NoticeStats(notice_id, recipients, read, acknowledged, ordered(not_read), ordered(not_acknowledged))


def ack_comment(text: str) -> str:
    comment = text.strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise InvalidArgument(f"is {len(comment)} characters, at most {MAX_COMMENT_CHARS} allowed", field="comment")
    return comment


@dataclass(frozen=True)
class InboxPosition:
    """Where a page of the inbox ended, in its order: unread first, then
    pinned, then newest (notice id breaks ties). Travels as an opaque cursor."""
    read: bool
    pinned: bool
    published_at: datetime
    notice_id: str

    def encode(self) -> str:
        raw = json.dumps([int(self.read), int(self.pinned), self.published_at.isoformat(), self.notice_id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "InboxPosition":
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            read, pinned, published_at, notice_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
            return cls(bool(read), bool(pinned), datetime.fromisoformat(published_at), str(notice_id))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidArgument("is not a cursor this service issued", field="cursor") from None


def page_size(requested: int) -> int:
    return paging.page_limit(requested, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
