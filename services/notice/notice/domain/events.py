"""What happened in the notice domain; published through the outbox."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GroupCreated:
    group_id: str
    name: str
    department: str
    created_by: str


@dataclass(frozen=True)
class NoticePublished:
    notice_id: str
    group_ids: tuple[str, ...]
    title: str
    body: str
    author_id: str
    published_at: datetime
