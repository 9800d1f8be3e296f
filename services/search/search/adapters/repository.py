"""SQL repository and unit of work of the search service."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hubkit.uow import SqlUnitOfWork
from search.adapters.tables import items
from search.domain.model import IndexedItem
from search.ports import ItemRepository, SearchUnitOfWork


class SqlItemRepository(ItemRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def save(self, item: IndexedItem) -> None:
        values = dict(kind=item.kind.value, item_id=item.item_id, title=item.title, body=item.body,
                      visible_to=" ".join(item.visible_to), published_at=item.published_at)
        updated = self.connection.execute(items.update().where(items.c.key == item.key).values(**values))
        if updated.rowcount == 0:
            self.connection.execute(items.insert().values(key=item.key, **values))


class SqlSearchUnitOfWork(SqlUnitOfWork, SearchUnitOfWork):
    def _on_enter(self, connection: Connection) -> None:
        self.items = SqlItemRepository(connection)
        from search.adapters.document_repository import SqlDocumentRepository
        self.documents = SqlDocumentRepository(connection)
