"""What the reports service learns from other services' events, as plain records.

The read models are projections of these facts; the adapters translate event
payloads into them, both when an event arrives and when the journal is replayed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GroupNamed:  # group.created, group.renamed
    group_id: str
    name: str


@dataclass(frozen=True)
class NoticePublished:
    notice_id: str
    title: str
    group_ids: tuple[str, ...]
    author_department: str
    published_at: datetime
    requires_ack: bool
    ack_deadline: datetime | None
    recipient_count: int


@dataclass(frozen=True)
class NoticeRevoked:
    notice_id: str
    revoked_at: datetime


@dataclass(frozen=True)
class ReceiptRead:
    notice_id: str
    user_id: str
    department: str
    read_at: datetime


@dataclass(frozen=True)
class ReceiptAcknowledged:
    notice_id: str
    user_id: str
    department: str
    acknowledged_at: datetime


@dataclass(frozen=True)
class NoticeOverdue:
    notice_id: str
    ack_deadline: datetime
    laggards: tuple[tuple[str, str], ...]  # (user_id, department)


@dataclass(frozen=True)
class FindingOpened:
    finding_id: str
    area: str
    description: str
    severity: str  # "LOW", "MEDIUM", "HIGH", "CRITICAL"
    responsible_unit: str
    opened_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class FindingStatusChanged:
    finding_id: str
    to_status: str  # "OPEN", "IN_PROGRESS", "RECTIFIED", "VERIFIED", "REOPENED"
    changed_at: datetime
    area: str
    responsible_unit: str
    severity: str
    opened_at: datetime | None
    due_at: datetime | None


@dataclass(frozen=True)
class IncidentReported:
    incident_id: str
    kind: str
    location: str
    department: str
    reported_at: datetime


Fact = (GroupNamed | NoticePublished | NoticeRevoked | ReceiptRead | ReceiptAcknowledged | NoticeOverdue
        | FindingOpened | FindingStatusChanged | IncidentReported)
