"""What callers ask the notice service to do."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreateGroup:
    name: str
    department: str


@dataclass(frozen=True)
class PublishNotice:
    group_ids: tuple[str, ...]
    title: str
    body: str


@dataclass(frozen=True)
class GetNotice:
    notice_id: str
