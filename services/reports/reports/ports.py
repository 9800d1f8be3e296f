"""What the reports handlers need."""
from __future__ import annotations

import abc
from datetime import datetime

from hubkit.uow import AbstractUnitOfWork
from reports.domain.assessment import AssessmentPeriod, Feedback, Rating
from reports.domain.energy import Carrier, Quantity
from reports.domain.ranking import StatsByTarget


class NoticeReadModel(abc.ABC):
    @abc.abstractmethod
    def record_group(self, group_id: str, name: str) -> None: ...

    @abc.abstractmethod
    def record_notice(self, notice_id: str, group_ids: tuple[str, ...]) -> None: ...

    @abc.abstractmethod
    def counts_by_group(self, group_ids: tuple[str, ...]) -> tuple[dict[str, int], dict[str, str]]:
        """(notice count per group, group name per group); all groups if none named."""


class ReportsUnitOfWork(AbstractUnitOfWork):
    notices: NoticeReadModel


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
