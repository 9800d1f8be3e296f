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

    @abc.abstractmethod
    def publish(self, event) -> None:
        """Record a domain event for the outbox of this transaction."""
