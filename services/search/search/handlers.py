"""Use cases of the search service."""
from __future__ import annotations

import itertools
from dataclasses import replace

from hubkit.auth import Caller
from hubkit.errors import FailedPrecondition
from hubkit.uow import apply_once
from search.domain.model import IndexedItem, ItemKind, SearchQuery, SearchResult, SuggestQuery
from search.ports import SearchIndex, SearchUnitOfWork


def caller_principals(caller: Caller) -> tuple[str, ...] | None:
    """Who may see what comes from the verified caller, never from the request;
    None: a trusted system caller sees everything."""
    return None if caller.is_system else caller.principals()


def index_item(item: IndexedItem, *, event_id: str, consumer: str, uow: SearchUnitOfWork,
               index: SearchIndex, version: int = 1) -> bool:
    """Store an item and make it searchable, once per event.

    The index write is an upsert by key and comes before the database commit:
    if the commit fails the event is redelivered and indexed again, harmlessly.
    An item withdrawn already, or stored at a later version, is left alone.
    Returns False when the event had been applied already.
    """
    def effect(u: SearchUnitOfWork) -> None:
        stored = u.items.version(item.key)
        if u.items.is_withdrawn(item.key) or (stored is not None and stored > version):
            return
        if u.items.save(item, version=version):
            index.upsert([item])
            index.commit()

    return apply_once(uow, consumer=consumer, event_id=event_id, effect=effect)


def edit_item(key: str, version: int, change, *, event_id: str, consumer: str, uow: SearchUnitOfWork,
              index: SearchIndex) -> bool:
    """Apply ``change(stored item) -> new item`` to an indexed item, once per
    event and only if ``version`` is newer than the stored one. An edit of an
    item not indexed yet fails (and is dead-lettered for a later replay)
    unless the item was withdrawn meanwhile."""
    def effect(u: SearchUnitOfWork) -> None:
        if u.items.is_withdrawn(key):
            return
        stored = u.items.get(key)
        if stored is None:
            raise FailedPrecondition(f"{key} is edited before it was indexed")
        if u.items.version(key) >= version:
            return
        item = change(stored)
        if u.items.save(item, version=version):
            index.upsert([item])
            index.commit()

    return apply_once(uow, consumer=consumer, event_id=event_id, effect=effect)


def withdraw_item(kind: ItemKind, item_id: str, *, event_id: str, consumer: str, uow: SearchUnitOfWork,
                  index: SearchIndex) -> bool:
    """Take an item out of the index for good (also if it has not arrived yet)."""
    def effect(u: SearchUnitOfWork) -> None:
        u.items.withdraw(kind, item_id)
        index.delete([f"{kind.value}:{item_id}"])
        index.commit()

    return apply_once(uow, consumer=consumer, event_id=event_id, effect=effect)


def rebuild_index(*, uow: SearchUnitOfWork, index: SearchIndex) -> int:
    """Fill the index anew from the database: the items indexed from other
    services' events and the live documents with their extracted text."""
    with uow:
        return index.rebuild(itertools.chain(uow.items.all_live(), uow.documents.live_items()))


def search(query: SearchQuery, *, caller: Caller, index: SearchIndex) -> SearchResult:
    return index.search(replace(query, principals=caller_principals(caller)))


def suggest(query: SuggestQuery, *, caller: Caller, index: SearchIndex) -> tuple[str, ...]:
    return index.suggest(replace(query, principals=caller_principals(caller)))
