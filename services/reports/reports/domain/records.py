"""Read-model rows as the report builders see them (plain, query results)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

RECTIFIED_STATUSES = ("RECTIFIED", "VERIFIED")


@dataclass(frozen=True)
class Finding:
    finding_id: str
    area: str
    description: str
    severity: str
    responsible_unit: str
    status: str
    opened_at: datetime
    due_at: datetime | None
    rectified_at: datetime | None  # set while RECTIFIED or VERIFIED

    @property
    def is_rectified(self) -> bool:
        return self.status in RECTIFIED_STATUSES


@dataclass(frozen=True)
class Incident:
    incident_id: str
    kind: str
    location: str
    department: str
    reported_at: datetime


@dataclass(frozen=True)
class Acknowledgement:
    user_id: str
    department: str
    acknowledged_at: datetime


@dataclass(frozen=True)
class AckNotice:
    """A notice that asked for acknowledgement, with what came of it."""
    notice_id: str
    title: str
    group_ids: tuple[str, ...]
    published_at: datetime
    ack_deadline: datetime | None
    recipient_count: int
    acknowledgements: tuple[Acknowledgement, ...]
    laggards: tuple[tuple[str, str], ...]  # (user_id, department) named by notice.overdue


@dataclass(frozen=True)
class PersonDeadline:
    """One deadline a person faced: met or missed."""
    user_id: str
    department: str
    notice_id: str
    deadline: datetime
    missed: bool
