"""Use cases of the search service."""
from __future__ import annotations

from hubkit.auth import Caller
from hubkit.uow import apply_once
from search.domain.model import IndexedItem, ItemKind, SearchResult, search_query
from search.ports import SearchIndex, SearchUnitOfWork


def index_item(item: IndexedItem, *, event_id: str, consumer: str, uow: SearchUnitOfWork,
               index: SearchIndex) -> bool:
    """Store an item and make it searchable, once per event.

    The index write is an upsert by key and comes before the database commit:
    if the commit fails the event is redelivered and indexed again, harmlessly.
    Returns False when the event had been applied already.
    """
    def effect(u: SearchUnitOfWork) -> None:
        u.items.save(item)
        index.upsert([item])
        index.commit()

    return apply_once(uow, consumer=consumer, event_id=event_id, effect=effect)


def search(text: str, *, kinds: tuple[ItemKind, ...], page_size: int, caller: Caller,
           index: SearchIndex) -> SearchResult:
    # Who may see what comes from the verified caller, never from the request.
    principals = None if caller.is_system else caller.principals()
    return index.search(search_query(text, principals, kinds, page_size))
