"""SQL repository and unit of work of the search service."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hubkit.uow import SqlUnitOfWork
from search.adapters.tables import items
from search.domain.model import IndexedItem, ItemKind
from search.ports import ItemRepository, SearchUnitOfWork


def _row_values(item: IndexedItem) -> dict:
    return dict(kind=item.kind.value, item_id=item.item_id, title=item.title, body=item.body,
                visible_to=json.dumps(list(item.visible_to), ensure_ascii=False), published_at=item.published_at,
                department=item.department, category=item.category, author_id=item.author_id,
                tags=json.dumps(list(item.tags), ensure_ascii=False),
                group_ids=json.dumps(list(item.group_ids), ensure_ascii=False))


def _principals(stored: str) -> tuple[str, ...]:
    # A JSON list: principals may hold spaces ("dept:Heat Supply"); rows
    # written before were space-joined.
    return tuple(json.loads(stored)) if stored.startswith("[") else tuple(stored.split())


def _item(row) -> IndexedItem:
    published_at = row.published_at
    if published_at.tzinfo is None:  # SQLite returns naive UTC
        published_at = published_at.replace(tzinfo=timezone.utc)
    return IndexedItem(
        kind=ItemKind(row.kind), item_id=row.item_id, title=row.title, body=row.body,
        visible_to=_principals(row.visible_to), published_at=published_at,
        department=row.department, category=row.category, author_id=row.author_id,
        tags=tuple(json.loads(row.tags)), group_ids=tuple(json.loads(row.group_ids)))


class SqlItemRepository(ItemRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def save(self, item: IndexedItem, *, version: int = 1) -> bool:
        values = dict(_row_values(item), version=version)
        # Never over a tombstone: a withdrawal committed since the caller
        # checked (PostgreSQL runs consumers concurrently) must stay.
        updated = self.connection.execute(items.update().where(
            items.c.key == item.key, items.c.withdrawn_at.is_(None)).values(**values))
        if updated.rowcount:
            return True
        if self.is_withdrawn(item.key):
            return False
        self.connection.execute(items.insert().values(key=item.key, withdrawn_at=None, **values))
        return True

    def get(self, key: str) -> IndexedItem | None:
        row = self.connection.execute(
            sa.select(items).where(items.c.key == key, items.c.withdrawn_at.is_(None))).first()
        return _item(row) if row else None

    def version(self, key: str) -> int | None:
        return self.connection.execute(sa.select(items.c.version).where(items.c.key == key)).scalar()

    def withdraw(self, kind: ItemKind, item_id: str) -> None:
        key = f"{kind.value}:{item_id}"
        now = datetime.now(timezone.utc)
        updated = self.connection.execute(items.update().where(items.c.key == key).values(withdrawn_at=now, body=""))
        if updated.rowcount == 0:  # withdrawn before it arrived: a tombstone keeps it out
            self.connection.execute(items.insert().values(
                key=key, kind=kind.value, item_id=item_id, title="", body="", visible_to="", published_at=now,
                withdrawn_at=now))

    def is_withdrawn(self, key: str) -> bool:
        return self.connection.execute(sa.select(items.c.withdrawn_at).where(items.c.key == key)).scalar() is not None

    def all_live(self) -> Iterator[IndexedItem]:
        rows = self.connection.execution_options(yield_per=1000).execute(
            sa.select(items).where(items.c.withdrawn_at.is_(None)).order_by(items.c.key))
        for row in rows:
            yield _item(row)


class SqlSearchUnitOfWork(SqlUnitOfWork, SearchUnitOfWork):
    def _on_enter(self, connection: Connection) -> None:
        self.items = SqlItemRepository(connection)
        from search.adapters.document_repository import SqlDocumentRepository
        self.documents = SqlDocumentRepository(connection)
