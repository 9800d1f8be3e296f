"""What the notice handlers need from the outside world."""
from __future__ import annotations

import abc
from datetime import datetime

from hubkit.uow import AbstractUnitOfWork
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.events import Person
from notice.domain.findings import Finding, ListFindings
from notice.domain.groups import Group, JoinRequest, Member, Role
from notice.domain.incidents import Incident, IncidentRoute, ListIncidents
from notice.domain.kinds import Category, Priority
from notice.domain.model import Notice, NoticeVersion, RecipientStanding
from notice.domain.receipts import InboxPosition, Receipt, Standing
from notice.domain.shares import Share


class GroupRepository(abc.ABC):
    """Groups and their members."""

    @abc.abstractmethod
    def add(self, group: Group) -> None: ...

    @abc.abstractmethod
    def get(self, group_id: str) -> Group | None: ...

    @abc.abstractmethod
    def posting_targets(self, user_id: str, group_ids: tuple[str, ...]) -> tuple[dict[str, Group], dict[str, Role]]:
        """Those of these groups that exist (member_count not counted), and
        the user's role in each they belong to: what a publication checks."""

    @abc.abstractmethod
    def save(self, group: Group) -> None:
        """Store name, archiving and posting rules."""

    @abc.abstractmethod
    def existing_ids(self, group_ids: tuple[str, ...]) -> set[str]: ...

    @abc.abstractmethod
    def add_members(self, group_id: str, members: list[Member]) -> None:
        """Insert new members (one statement for any number)."""

    @abc.abstractmethod
    def member(self, group_id: str, user_id: str) -> Member | None: ...

    @abc.abstractmethod
    def members(self, group_id: str) -> list[Member]: ...

    @abc.abstractmethod
    def members_among(self, group_id: str, user_ids: list[str]) -> set[str]:
        """Which of these users are members (reading those rows only)."""

    @abc.abstractmethod
    def member_page(self, group_id: str, *, after: tuple[str] | None, limit: int, department: str = "",
                    role: Role | None = None) -> list[Member]:
        """At most ``limit`` members in user id order, after the one whose key
        (``groups.member_key``) is ``after``; optionally of one department or role."""

    @abc.abstractmethod
    def roles_of(self, user_id: str, group_ids: tuple[str, ...]) -> dict[str, Role]:
        """The user's role in each of these groups they belong to."""

    @abc.abstractmethod
    def departments_of(self, user_ids: tuple[str, ...]) -> dict[str, str]:
        """Users that belong to some group, with their department."""

    @abc.abstractmethod
    def managers_of(self, group_ids: tuple[str, ...]) -> list[str]:
        """Owners and admins of these groups, sorted."""

    @abc.abstractmethod
    def owner_count(self, group_id: str) -> int: ...

    @abc.abstractmethod
    def update_members(self, group_id: str, members: list[Member]) -> None:
        """Store department and role of existing members."""

    @abc.abstractmethod
    def remove_members(self, group_id: str, user_ids: list[str]) -> None: ...


class JoinRequestRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, request: JoinRequest) -> None: ...

    @abc.abstractmethod
    def get(self, request_id: str) -> JoinRequest | None: ...

    @abc.abstractmethod
    def pending(self, group_id: str, user_id: str) -> JoinRequest | None: ...

    @abc.abstractmethod
    def save(self, request: JoinRequest) -> None: ...

    @abc.abstractmethod
    def of_group(self, group_id: str, *, pending_only: bool, after: tuple[datetime, str] | None,
                 limit: int) -> list[JoinRequest]:
        """At most ``limit`` requests oldest first, after the one whose key
        (``groups.join_request_key``) is ``after``."""


class NoticeRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, notice: Notice) -> None:
        """The notice, its targets, named recipients and version 1."""

    @abc.abstractmethod
    def get(self, notice_id: str, *, for_update: bool = False) -> Notice | None:
        """``for_update``: to change it; a concurrent writer waits until this
        transaction ends instead of overwriting it with what it read before."""

    @abc.abstractmethod
    def save(self, notice: Notice) -> None:
        """Store content, status, version and revocation."""

    @abc.abstractmethod
    def save_delivery(self, notice: Notice) -> None:
        """Store status and recipient count only, what delivery changes; a
        notice with an acknowledgement deadline becomes due for the reminder
        sweep, which plans it."""

    @abc.abstractmethod
    def add_version(self, notice_id: str, version: NoticeVersion) -> None: ...

    @abc.abstractmethod
    def versions(self, notice_id: str) -> list[NoticeVersion]: ...

    @abc.abstractmethod
    def due_for_publication(self, now: datetime, limit: int) -> list[str]:
        """Ids of scheduled notices whose time has come."""

    @abc.abstractmethod
    def due_for_reminders(self, now: datetime, limit: int) -> list[str]:
        """Ids of notices whose next reminder time has come, earliest first."""

    @abc.abstractmethod
    def set_next_reminder(self, notice_id: str, at: datetime | None) -> None:
        """When the reminder sweep next has something to do for the notice; None: nothing."""

    @abc.abstractmethod
    def make_awaiting_due(self, now: datetime) -> int:
        """Published notices with a deadline not yet escalated become due for
        the reminder sweep at ``now`` (unless due earlier); their number."""


class ReceiptRepository(abc.ABC):
    @abc.abstractmethod
    def deliver(self, notice: Notice, now: datetime) -> int:
        """Create a receipt for every distinct recipient (members of the
        target groups and named members, except the author); their number."""

    @abc.abstractmethod
    def get(self, notice_id: str, user_id: str) -> Receipt | None: ...

    @abc.abstractmethod
    def mark_read(self, notice_id: str, user_id: str, now: datetime) -> Receipt | None:
        """The receipt if this was its first reading, else None."""

    @abc.abstractmethod
    def for_acknowledgement(self, notice_id: str, user_id: str) -> RecipientStanding | None:
        """The receipt as an acknowledgement needs it; None if the user is
        not a recipient."""

    @abc.abstractmethod
    def acknowledge_if_unchanged(self, notice_id: str, user_id: str, now: datetime, comment: str) -> None:
        """Makes the unit's commit conditional: it acknowledges, and writes
        the rest of the unit, only if the receipt is still not acknowledged
        and its notice still published; if not, it writes nothing and raises
        Aborted."""

    @abc.abstractmethod
    def standings(self, notice_id: str) -> list[Standing]:
        """Every recipient of the notice with whether they read and acknowledged it."""

    @abc.abstractmethod
    def pending_acknowledgement(self, notice_id: str) -> list[Person]: ...

    @abc.abstractmethod
    def inbox(self, user_id: str, *, category: Category | None, priority: Priority | None,
              after: InboxPosition | None, limit: int) -> list[tuple[Notice, Receipt]]: ...


class ReminderLog(abc.ABC):
    @abc.abstractmethod
    def sent_stages(self, notice_id: str) -> set[str]: ...

    @abc.abstractmethod
    def record(self, notice_id: str, stage: str, now: datetime, pending_count: int) -> None:
        """Unique per notice and stage: a second record fails the transaction."""


class ShareRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, share: Share) -> None: ...

    @abc.abstractmethod
    def get(self, share_id: str) -> Share | None: ...

    @abc.abstractmethod
    def of_group(self, group_id: str, limit: int) -> list[Share]:
        """Top-level shares, newest first, each with its replies oldest first."""


class AuditLog(abc.ABC):
    @abc.abstractmethod
    def record(self, entry: AuditEntry) -> None:
        """Append an entry in the current transaction."""

    @abc.abstractmethod
    def trail(self, entity_kind: EntityKind, entity_id: str, *, limit: int = 200) -> list[AuditEntry]:
        """Entries of one entity, oldest first."""


class NoticeUnitOfWork(AbstractUnitOfWork):
    groups: GroupRepository
    joins: JoinRequestRepository
    notices: NoticeRepository
    receipts: ReceiptRepository
    reminders: ReminderLog
    shares: ShareRepository
    audit: AuditLog
    findings: FindingRepository
    incident_routes: IncidentRouteRepository
    incidents: IncidentRepository

    @abc.abstractmethod
    def publish(self, event) -> None:
        """Record a domain event for the outbox of this transaction."""


# --- inspection findings and field incidents ---------------------------------


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
    def list(self, query: ListFindings, *, now: datetime, after: tuple[datetime, str] | None,
             limit: int) -> list[Finding]:
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
             after: tuple[datetime, str] | None, limit: int) -> list[Incident]:
        """Newest first. ``visible_to_groups`` None: all; otherwise only those
        routed to one of these groups or reported by ``reporter_id``."""

