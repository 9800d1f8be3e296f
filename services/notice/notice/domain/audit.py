"""The audit trail: who changed what, and when, for every state change."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class EntityKind(str, Enum):
    GROUP = "group"
    NOTICE = "notice"
    FINDING = "finding"
    INCIDENT = "incident"
    SHARE = "share"


@dataclass(frozen=True)
class AuditEntry:
    entity_kind: EntityKind
    entity_id: str
    action: str  # past tense, e.g. "published", "member_added", "rectified"
    actor_id: str
    at: datetime
    detail: dict = field(default_factory=dict)  # JSON-serialisable: what changed
