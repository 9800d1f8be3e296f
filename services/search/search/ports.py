"""What the search handlers need: an index and a unit of work."""
from __future__ import annotations

import abc
from typing import Iterable, Iterator

from hubkit.uow import AbstractUnitOfWork
from search.domain.model import IndexedItem, ItemKind, SearchQuery, SearchResult, SuggestQuery


class SearchIndex(abc.ABC):
    """A full-text index; writes are visible to searches after ``commit``.

    Every read is permission-aware: ``query.principals`` (None for a trusted
    system caller) limits hits, facet counts, snippets and suggestions to
    items shared with one of them.
    """

    @abc.abstractmethod
    def upsert(self, items: list[IndexedItem]) -> None:
        """Add items, replacing any with the same key."""

    @abc.abstractmethod
    def delete(self, keys: list[str]) -> None: ...

    @abc.abstractmethod
    def commit(self) -> None:
        """Make the writes so far visible to searches."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abc.abstractmethod
    def suggest(self, query: SuggestQuery) -> tuple[str, ...]:
        """Original titles starting with the typed prefix (either script)."""

    @abc.abstractmethod
    def rebuild(self, items: Iterable[IndexedItem]) -> int:
        """Replace the whole content with ``items`` without a moment in which
        searches see a partial index; returns how many were indexed."""

    def close(self) -> None:
        """Release files or connections."""


class ItemRepository(abc.ABC):
    """The source of truth the index can be rebuilt from."""

    @abc.abstractmethod
    def save(self, item: IndexedItem, *, version: int = 1) -> None: ...

    @abc.abstractmethod
    def get(self, key: str) -> IndexedItem | None:
        """A live (not withdrawn) item."""

    @abc.abstractmethod
    def version(self, key: str) -> int | None:
        """The source version stored for a key, withdrawn or not; None if never seen."""

    @abc.abstractmethod
    def withdraw(self, kind: ItemKind, item_id: str) -> None:
        """Remove an item for good; a later, older event cannot bring it back."""

    @abc.abstractmethod
    def is_withdrawn(self, key: str) -> bool: ...

    @abc.abstractmethod
    def all_live(self) -> Iterator[IndexedItem]: ...


class SearchUnitOfWork(AbstractUnitOfWork):
    items: ItemRepository
