"""Page size and page token of list queries. Standard library only.

The token is the offset of the next page, as text; clients treat it as opaque.
"""
from __future__ import annotations

from dataclasses import dataclass

from hubkit.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Window:
    limit: int
    offset: int

    def next_token(self, fetched: int) -> str:
        """Token of the page after this one; ``fetched`` rows were read with
        ``limit + 1`` so that a full page tells whether more follow."""
        return str(self.offset + self.limit) if fetched > self.limit else ""


def window(page_size: int, page_token: str) -> Window:
    if page_size < 0 or page_size > MAX_PAGE_SIZE:
        raise InvalidArgument(f"must be 1 to {MAX_PAGE_SIZE} (0: {DEFAULT_PAGE_SIZE})", field="page_size")
    token = page_token.strip()
    if token and not (token.isascii() and token.isdigit() and int(token) < 2**63):
        raise InvalidArgument("is not a token this service issued", field="page_token")
    return Window(page_size or DEFAULT_PAGE_SIZE, int(token) if token else 0)
