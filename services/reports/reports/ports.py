"""What the reports handlers need."""
from __future__ import annotations

import abc
from datetime import datetime
from typing import Iterator

from hubkit.uow import AbstractUnitOfWork
from reports.domain import facts
from reports.domain.assessment import AssessmentPeriod, Feedback, Rating
from reports.domain.catalog import StoredReport
from reports.domain.energy import Carrier, Quantity
from reports.domain.ranking import StatsByTarget
from reports.domain.records import AckNotice, Finding, Incident, PersonDeadline


class NoticeReadModel(abc.ABC):
    @abc.abstractmethod
    def record_group(self, group_id: str, name: str) -> None: ...

    @abc.abstractmethod
    def record_notice(self, notice_id: str, group_ids: tuple[str, ...]) -> None: ...

    @abc.abstractmethod
    def counts_by_group(self, group_ids: tuple[str, ...]) -> tuple[dict[str, int], dict[str, str]]:
        """(notice count per group, group name per group); all groups if none named."""


class ActivityReadModel(abc.ABC):
    """Notices, receipts, findings and incidents as the reports need them."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Empty every read model (before a replay of the journal)."""

    @abc.abstractmethod
    def notice_published(self, fact: facts.NoticePublished) -> None: ...

    @abc.abstractmethod
    def notice_revoked(self, fact: facts.NoticeRevoked) -> None: ...

    @abc.abstractmethod
    def receipt_read(self, fact: facts.ReceiptRead) -> None: ...

    @abc.abstractmethod
    def receipt_acknowledged(self, fact: facts.ReceiptAcknowledged) -> None: ...

    @abc.abstractmethod
    def notice_overdue(self, fact: facts.NoticeOverdue) -> None: ...

    @abc.abstractmethod
    def finding_opened(self, fact: facts.FindingOpened) -> None: ...

    @abc.abstractmethod
    def finding_status_changed(self, fact: facts.FindingStatusChanged) -> None: ...

    @abc.abstractmethod
    def incident_reported(self, fact: facts.IncidentReported) -> None: ...

    @abc.abstractmethod
    def findings_opened_before(self, end: datetime) -> list[Finding]: ...

    @abc.abstractmethod
    def incidents_between(self, start: datetime, end: datetime) -> list[Incident]: ...

    @abc.abstractmethod
    def ack_notices_published_between(self, start: datetime, end: datetime) -> list[AckNotice]:
        """Notices asking for acknowledgement, not revoked, with their acks and laggards."""

    @abc.abstractmethod
    def deadlines_before(self, end: datetime) -> list[PersonDeadline]:
        """Every person's deadlines that passed before ``end``, met or missed."""

    @abc.abstractmethod
    def group_names(self) -> dict[str, str]: ...


class EventJournal(abc.ABC):
    @abc.abstractmethod
    def append(self, event_id: str, event_type: str, occurred_at: datetime, body: str) -> None: ...

    @abc.abstractmethod
    def entries(self) -> Iterator[tuple[str, datetime, str]]:
        """(event_type, occurred_at, body) of every journalled event, in arrival order."""


class ReportStore(abc.ABC):
    @abc.abstractmethod
    def find(self, kind: str, period: str) -> StoredReport | None: ...

    @abc.abstractmethod
    def get(self, report_id: str) -> StoredReport | None: ...

    @abc.abstractmethod
    def save(self, report: StoredReport, contents: dict[str, bytes]) -> None:
        """Insert, or replace the report with the same id; contents by format.
        AlreadyExists if another report holds its (kind, period)."""

    @abc.abstractmethod
    def page(self, *, kind: str, period: str, after: int | None, limit: int) -> list[tuple[int, StoredReport]]:
        """(position, report) newest first, after the position ``after``."""

    @abc.abstractmethod
    def content(self, sha256: str) -> bytes | None: ...


class AssessmentRepository(abc.ABC):
    @abc.abstractmethod
    def add_period(self, period: AssessmentPeriod) -> None: ...

    @abc.abstractmethod
    def get_period(self, period_id: str) -> AssessmentPeriod | None: ...

    @abc.abstractmethod
    def list_periods(self) -> list[AssessmentPeriod]:
        """Newest quarter first."""

    @abc.abstractmethod
    def mark_closed(self, period_id: str, closed_at: datetime) -> None: ...

    @abc.abstractmethod
    def save_rating(self, rating: Rating) -> None:
        """Store, replacing the rater's earlier rating of the same target in the period."""

    @abc.abstractmethod
    def rating_stats(self, period_id: str) -> StatsByTarget:
        """Per (target department, source): count, sum, highest and lowest of each score."""

    @abc.abstractmethod
    def feedback(self, period_id: str, departments: tuple[str, ...]) -> list[Feedback]:
        """Comments and suggestions about these departments, without rater identities."""


class EnergyRepository(abc.ABC):
    @abc.abstractmethod
    def save_readings(self, readings: list[Quantity], *, recorded_by: str, recorded_at: datetime) -> None:
        """Store, replacing earlier readings of the same unit, period and carrier."""

    @abc.abstractmethod
    def save_targets(self, targets: list[Quantity], *, recorded_by: str, recorded_at: datetime) -> None: ...

    @abc.abstractmethod
    def readings(self, period: str) -> dict[tuple[str, Carrier], float]:
        """(unit, carrier) -> value in the carrier's base unit."""

    @abc.abstractmethod
    def targets(self, period: str) -> dict[tuple[str, Carrier], float]: ...


class AssessmentUnitOfWork(AbstractUnitOfWork):
    assessments: AssessmentRepository


class EnergyUnitOfWork(AbstractUnitOfWork):
    energy: EnergyRepository


class ReportsUnitOfWork(AssessmentUnitOfWork, EnergyUnitOfWork):
    notices: NoticeReadModel
    activity: ActivityReadModel
    journal: EventJournal
    reports: ReportStore

    @abc.abstractmethod
    def announce(self, report: StoredReport) -> None:
        """Emit report.generated for it, committed with this unit."""
