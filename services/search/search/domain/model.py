"""What the search index holds, who may see it, and what a search asks for."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import NamedTuple

from hubkit.errors import InvalidArgument

MAX_QUERY_CHARS = 200
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 50
DEFAULT_SUGGESTIONS = 8
MAX_SUGGESTIONS = 20
MAX_PREFIX_CHARS = 50


class ItemKind(str, Enum):
    NOTICE = "notice"
    DOCUMENT = "document"
    REPORT = "report"
    SHARE = "share"  # a learning share posted in a group


class SortOrder(str, Enum):
    RELEVANCE = "relevance"
    NEWEST = "newest"


class FacetField(str, Enum):
    KIND = "kind"
    DEPARTMENT = "department"
    CATEGORY = "category"
    GROUP = "group_ids"


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

    @property
    def tie_breaker(self) -> str:
        """Orders items whose sort values tie: a fixed-width hex hash of the
        key (both engines store it; the embedded one as a 63-bit integer)."""
        return tie_breaker(self.key)

    @property
    def published_us(self) -> int:
        """Microseconds since the epoch: the date order both engines sort on."""
        return to_epoch_us(self.published_at)


def tie_breaker(key: str) -> str:
    value = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1
    return f"{value:016x}"


def to_epoch_us(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def from_epoch_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)  # exact integer arithmetic, UTC


@dataclass(frozen=True)
class Filters:
    """Each filter given must match (AND); the values of one filter are
    alternatives (OR). ``published_from`` is inclusive, ``published_to`` not."""
    kinds: tuple[ItemKind, ...] = ()
    departments: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    author_ids: tuple[str, ...] = ()
    published_from: datetime | None = None
    published_to: datetime | None = None


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended, in the order (sort value desc, tie-breaker asc).

    ``value`` is the score (relevance) or the epoch microseconds (newest);
    ``position`` counts the hits returned before; ``fingerprint`` ties the
    cursor to the query it came from.
    """
    sort: SortOrder
    value: float
    tie: str
    position: int
    fingerprint: str

    def encode(self) -> str:
        raw = json.dumps([self.sort.value, self.value, self.tie, self.position, self.fingerprint],
                         ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort, value, tie, position, fingerprint = json.loads(raw)
            cursor = cls(SortOrder(sort), float(value), str(tie), int(position), str(fingerprint))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidArgument("is not a cursor returned by a previous page", field="cursor") from None
        # What a page could have produced: finite values, positions and epoch
        # microseconds within 64 bits (engines crash on anything else).
        if not (0 <= cursor.position < 2**63 and math.isfinite(cursor.value) and abs(cursor.value) < 2**63):
            raise InvalidArgument("is not a cursor returned by a previous page", field="cursor")
        return cursor

    def precedes(self, value: float, tie: str) -> bool:
        """Whether a hit with this sort value and tie-breaker comes after the cursor."""
        return value < self.value or (value == self.value and tie > self.tie)


@dataclass(frozen=True)
class SearchQuery:
    text: str
    principals: tuple[str, ...] | None  # None: a trusted system caller sees all
    filters: Filters = Filters()
    sort: SortOrder = SortOrder.RELEVANCE
    page_size: int = DEFAULT_PAGE_SIZE
    after: Cursor | None = None
    facets: tuple[FacetField, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Same for every page of one search (text, filters, sort)."""
        described = repr((self.text, self.filters, self.sort.value))
        return hashlib.sha1(described.encode()).hexdigest()[:12]


class Span(NamedTuple):
    """Characters ``start`` (inclusive) to ``end`` of a displayed text matched
    the query. (A named tuple: a page of hits makes dozens.)"""
    start: int
    end: int


class Hit(NamedTuple):
    """One item of a page as shown (a named tuple, like Span: made per hit)."""
    kind: ItemKind
    item_id: str
    title: str
    snippet: str
    score: float
    published_at: datetime
    title_matches: tuple[Span, ...] = ()
    snippet_matches: tuple[Span, ...] = ()
    department: str = ""
    category: str = ""
    author_id: str = ""


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    total: int
    facets: dict[FacetField, tuple[FacetCount, ...]] = field(default_factory=dict)
    next_cursor: str = ""  # empty: this was the last page


@dataclass(frozen=True)
class SuggestQuery:
    prefix: str
    principals: tuple[str, ...] | None
    limit: int = DEFAULT_SUGGESTIONS
    kinds: tuple[ItemKind, ...] = ()


def marked(text: str, spans: tuple[Span, ...], opening: str, closing: str) -> str:
    """The text with ``opening``/``closing`` around each matched span."""
    parts, done = [], 0
    for span in spans:
        parts += [text[done:span.start], opening, text[span.start:span.end], closing]
        done = span.end
    parts.append(text[done:])
    return "".join(parts)


def _values(values, field_name: str) -> tuple[str, ...]:
    cleaned = []
    for position, value in enumerate(values):
        if not value.strip():
            raise InvalidArgument("must not be empty", field=f"{field_name}[{position}]")
        cleaned.append(value.strip())
    if len(cleaned) > MAX_FILTER_VALUES:
        raise InvalidArgument(f"at most {MAX_FILTER_VALUES} values allowed", field=field_name)
    return tuple(dict.fromkeys(cleaned))


def search_filters(*, kinds=(), departments=(), group_ids=(), categories=(), author_ids=(),
                   published_from: datetime | None = None, published_to: datetime | None = None) -> Filters:
    if published_from and published_to and published_from >= published_to:
        raise InvalidArgument("must be later than published_from", field="published_to")
    return Filters(tuple(dict.fromkeys(kinds)), _values(departments, "departments"), _values(group_ids, "group_ids"),
                   _values(categories, "categories"), _values(author_ids, "author_ids"), published_from, published_to)


def search_query(text: str, principals: tuple[str, ...] | None, filters: Filters = Filters(), page_size: int = 0,
                 *, sort: SortOrder = SortOrder.RELEVANCE, cursor: str = "",
                 facets: tuple[FacetField, ...] = ()) -> SearchQuery:
    text = text.strip()
    if not text:
        raise InvalidArgument("must not be empty", field="query")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidArgument(f"is {len(text)} characters, at most {MAX_QUERY_CHARS} allowed", field="query")
    if page_size == 0:
        page_size = DEFAULT_PAGE_SIZE
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"must be between 1 and {MAX_PAGE_SIZE}", field="page_size")
    query = SearchQuery(text, principals, filters, sort, page_size, None, tuple(dict.fromkeys(facets)))
    if cursor:
        after = Cursor.decode(cursor)
        if after.fingerprint != query.fingerprint or after.sort != sort:
            raise InvalidArgument("belongs to a different search (query, filters or sort changed)", field="cursor")
        query = SearchQuery(text, principals, filters, sort, page_size, after, query.facets)
    return query


def suggest_query(prefix: str, principals: tuple[str, ...] | None, limit: int = 0,
                  kinds: tuple[ItemKind, ...] = ()) -> SuggestQuery:
    prefix = prefix.strip()
    if not prefix:
        raise InvalidArgument("must not be empty", field="prefix")
    if len(prefix) > MAX_PREFIX_CHARS:
        raise InvalidArgument(f"at most {MAX_PREFIX_CHARS} characters allowed", field="prefix")
    if limit == 0:
        limit = DEFAULT_SUGGESTIONS
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise InvalidArgument(f"must be between 1 and {MAX_SUGGESTIONS}", field="limit")
    return SuggestQuery(prefix, principals, limit, tuple(dict.fromkeys(kinds)))
