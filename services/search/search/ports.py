"""What the search handlers need: an index and a unit of work."""
from __future__ import annotations

import abc

from hubkit.uow import AbstractUnitOfWork
from search.domain.model import IndexedItem, SearchQuery, SearchResult


class SearchIndex(abc.ABC):
    """A full-text index; writes are visible to searches after ``commit``."""

    @abc.abstractmethod
    def upsert(self, items: list[IndexedItem]) -> None: ...

    @abc.abstractmethod
    def delete(self, keys: list[str]) -> None: ...

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    def close(self) -> None:
        """Release files or connections."""


class ItemRepository(abc.ABC):
    """The source of truth the index can be rebuilt from."""

    @abc.abstractmethod
    def save(self, item: IndexedItem) -> None: ...


class SearchUnitOfWork(AbstractUnitOfWork):
    items: ItemRepository
