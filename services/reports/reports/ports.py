"""What the reports handlers need."""
from __future__ import annotations

import abc

from hubkit.uow import AbstractUnitOfWork


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
