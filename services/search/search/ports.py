"""What the search handlers need: an index and a unit of work."""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Iterator

from hubkit.uow import AbstractUnitOfWork
from search.domain.documents import AuditEntry, Document, ExtractionResult, Version
from search.domain.model import IndexedItem, ItemKind, SearchQuery, SearchResult, SuggestQuery


class IndexOutdated(Exception):
    """The index was built by an older version, whose stored fields differ:
    it must be built anew from the database (``hub migrate`` does,
    ``hub search rebuild`` too)."""


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
    def save(self, item: IndexedItem, *, version: int = 1) -> bool:
        """Store the item; False (nothing written) if it has been withdrawn."""

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
    documents: DocumentRepository


# --- documents ----------------------------------------------------------------

@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size_bytes: int


class BlobStore(abc.ABC):
    """Content-addressed bytes: identical content is stored once, under its SHA-256."""

    @abc.abstractmethod
    def put(self, chunks: Iterable[bytes]) -> StoredBlob:
        """Store the chunks; nothing is kept if iterating them raises."""

    @abc.abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """A seekable binary stream of the content; the caller closes it."""

    @abc.abstractmethod
    def exists(self, sha256: str) -> bool: ...


class TextExtractor(abc.ABC):
    """Turns a file's bytes into searchable text, within bounds."""

    @abc.abstractmethod
    def extract(self, stream: BinaryIO, content_type: str) -> ExtractionResult:
        """Never raises for a bad file: the result carries the reason instead."""


class DocumentRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, document: Document) -> None: ...

    @abc.abstractmethod
    def get(self, document_id: str, *, for_update: bool = False) -> Document | None:
        """Deleted documents too; ``for_update`` locks the row until the unit ends."""

    @abc.abstractmethod
    def save(self, document: Document) -> None:
        """Store the document's changed metadata (current version, deletion)."""

    @abc.abstractmethod
    def add_version(self, version: Version) -> None: ...

    @abc.abstractmethod
    def version(self, document_id: str, number: int) -> Version | None: ...

    @abc.abstractmethod
    def versions(self, document_id: str) -> list[Version]:
        """Oldest first."""

    @abc.abstractmethod
    def record_extraction(self, document_id: str, number: int, result: ExtractionResult) -> None: ...

    @abc.abstractmethod
    def extracted_text(self, document_id: str, number: int) -> str: ...

    @abc.abstractmethod
    def add_audit(self, entry: AuditEntry) -> None: ...

    @abc.abstractmethod
    def audit_trail(self, document_id: str) -> list[AuditEntry]:
        """Oldest first."""

    @abc.abstractmethod
    def live_items(self) -> Iterator[IndexedItem]:
        """The IndexedItem of every document that is not deleted, from its
        current version's stored text: what an index rebuild needs."""
