"""Page size and page token of list queries. Standard library only.

Tokens are opaque to clients. Lists page by key (keyset): the token names
the list it belongs to and the key of the last row it returned, so rows
added or removed between pages neither repeat nor hide the others, and a
page costs the same however deep into the list it is.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Generic, TypeVar

from hubkit.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

T = TypeVar("T")
Key = tuple  # of str and (UTC) datetime values, in the list's order
NOT_ISSUED = "is not a token this service issued"


def page_limit(page_size: int, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    """The requested page size; 0 means the default, beyond 1..maximum is refused."""
    if page_size == 0:
        return default
    if not 1 <= page_size <= maximum:
        raise InvalidArgument(f"must be 1 to {maximum} (0: {default})", field="page_size")
    return page_size


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str  # "" on the last page


@dataclass(frozen=True)
class Keyset:
    """One page of a list ordered by a unique key: at most ``limit`` rows
    whose key follows ``after`` (None: from the start). ``scope`` names the
    list (kind, group, filters); a token of another list is refused."""
    scope: tuple[str, ...]
    key_types: tuple[type, ...]
    limit: int
    after: Key | None

    def page(self, rows: list[T], key: Callable[[T], Key]) -> Page[T]:
        """The page of ``rows``, read with ``limit + 1`` so that a full page
        tells whether more follow."""
        items = rows[:self.limit]
        if len(rows) <= self.limit:
            return Page(items, "")
        last = [value.isoformat() if isinstance(value, datetime) else value for value in key(items[-1])]
        raw = json.dumps([list(self.scope), last], ensure_ascii=False, separators=(",", ":"))
        return Page(items, base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def keyset(page_size: int, page_token: str, *, scope: tuple[str, ...], key_types: tuple[type, ...],
           default: int, maximum: int) -> Keyset:
    limit = page_limit(page_size, default=default, maximum=maximum)
    if not page_token:
        return Keyset(scope, key_types, limit, None)
    try:
        raw = base64.urlsafe_b64decode(page_token + "=" * (-len(page_token) % 4))
        token_scope, last = json.loads(raw)
        if not (isinstance(token_scope, list) and isinstance(last, list) and len(last) == len(key_types)
                and all(isinstance(value, str) for value in token_scope + last)):
            raise ValueError("not a key of this list")
        after = tuple(_key_value(kind, value) for kind, value in zip(key_types, last))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError, RecursionError):
        # Overflow: a time at the edge of the calendar shifted past it;
        # recursion: JSON nested thousands deep.
        raise InvalidArgument(NOT_ISSUED, field="page_token") from None
    if tuple(token_scope) != scope:
        raise InvalidArgument("belongs to another list (the group or the filters changed)", field="page_token")
    return Keyset(scope, key_types, limit, after)


def _key_value(kind: type, value: str):
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a key time carries its offset")
        return moment.astimezone(timezone.utc)
    return value
