"""What the notice handlers need from the outside world."""
from __future__ import annotations

import abc

from hubkit.uow import AbstractUnitOfWork
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.model import Group, Notice


class GroupRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, group: Group) -> None: ...

    @abc.abstractmethod
    def existing_ids(self, group_ids: tuple[str, ...]) -> set[str]: ...


class NoticeRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, notice: Notice) -> None: ...

    @abc.abstractmethod
    def get(self, notice_id: str) -> Notice | None: ...


class AuditLog(abc.ABC):
    @abc.abstractmethod
    def record(self, entry: AuditEntry) -> None:
        """Append an entry in the current transaction."""

    @abc.abstractmethod
    def trail(self, entity_kind: EntityKind, entity_id: str, *, limit: int = 200) -> list[AuditEntry]:
        """Entries of one entity, oldest first."""


class NoticeUnitOfWork(AbstractUnitOfWork):
    groups: GroupRepository
    notices: NoticeRepository
    audit: AuditLog
    findings: FindingRepository
    incident_routes: IncidentRouteRepository
    incidents: IncidentRepository

    @abc.abstractmethod
    def publish(self, event) -> None:
        """Record a domain event for the outbox of this transaction."""


# --- inspection findings and field incidents ---------------------------------
# (imported here, next to their use, to keep this section self-contained)
from datetime import datetime  # noqa: E402

from notice.domain.findings import Finding, ListFindings  # noqa: E402
from notice.domain.incidents import Incident, IncidentRoute, ListIncidents  # noqa: E402


class FindingRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, finding: Finding) -> None: ...

    @abc.abstractmethod
    def get(self, finding_id: str, *, for_update: bool = False) -> Finding | None:
        """``for_update``: lock the row until the transaction ends (PostgreSQL)."""

    @abc.abstractmethod
    def save(self, finding: Finding) -> None:
        """Store the lifecycle fields of a finding that exists."""

    @abc.abstractmethod
    def opened_between(self, start: datetime, end: datetime) -> list[Finding]:
        """Findings opened in [start, end), oldest first."""

    @abc.abstractmethod
    def overdue(self, now: datetime, *, limit: int) -> list[Finding]:
        """Findings due before ``now`` and neither rectified nor verified, most overdue first."""

    @abc.abstractmethod
    def list(self, query: ListFindings, *, now: datetime, limit: int, offset: int) -> list[Finding]:
        """Findings matching the query's filters, newest first."""


class IncidentRouteRepository(abc.ABC):
    @abc.abstractmethod
    def set(self, route: IncidentRoute) -> None:
        """Create or replace the route of ``route.kind``."""

    @abc.abstractmethod
    def get(self, kind: str) -> IncidentRoute | None: ...

    @abc.abstractmethod
    def list(self) -> list[IncidentRoute]: ...


class IncidentRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, incident: Incident) -> None: ...

    @abc.abstractmethod
    def get(self, incident_id: str) -> Incident | None: ...

    @abc.abstractmethod
    def list(self, query: ListIncidents, *, visible_to_groups: tuple[str, ...] | None, reporter_id: str,
             limit: int, offset: int) -> list[Incident]:
        """Newest first. ``visible_to_groups`` None: all; otherwise only those
        routed to one of these groups or reported by ``reporter_id``."""

