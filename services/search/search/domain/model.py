"""What the search index holds and who may see it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from hubkit.errors import InvalidArgument

MAX_QUERY_CHARS = 200
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class ItemKind(str, Enum):
    NOTICE = "notice"
    DOCUMENT = "document"
    REPORT = "report"


@dataclass(frozen=True)
class IndexedItem:
    """One searchable thing, with its original text for display.

    ``visible_to`` lists principals (``everyone``, ``user:<id>``,
    ``dept:<name>``, ``group:<id>``); a caller sees the item when they hold
    any of them.
    """
    kind: ItemKind
    item_id: str
    title: str
    body: str
    visible_to: tuple[str, ...]
    published_at: datetime
    # Filters and facets; empty when the source has none.
    department: str = ""
    category: str = ""
    author_id: str = ""
    tags: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.item_id}"


@dataclass(frozen=True)
class SearchQuery:
    text: str
    principals: tuple[str, ...] | None  # None: a trusted system caller sees all
    kinds: tuple[ItemKind, ...] = ()
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Hit:
    kind: ItemKind
    item_id: str
    title: str
    snippet: str
    score: float
    published_at: datetime


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    total: int


def search_query(text: str, principals: tuple[str, ...] | None, kinds: tuple[ItemKind, ...], page_size: int) -> SearchQuery:
    text = text.strip()
    if not text:
        raise InvalidArgument("must not be empty", field="query")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidArgument(f"is {len(text)} characters, at most {MAX_QUERY_CHARS} allowed", field="query")
    if page_size == 0:
        page_size = DEFAULT_PAGE_SIZE
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"must be between 1 and {MAX_PAGE_SIZE}", field="page_size")
    return SearchQuery(text, principals, tuple(dict.fromkeys(kinds)), page_size)
