"""What the notice handlers need from the outside world."""
from __future__ import annotations

import abc

from hubkit.uow import AbstractUnitOfWork
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


class NoticeUnitOfWork(AbstractUnitOfWork):
    groups: GroupRepository
    notices: NoticeRepository

    @abc.abstractmethod
    def publish(self, event) -> None:
        """Record a domain event for the outbox of this transaction."""
