"""The search database keeps each indexed item's audience exactly."""
from datetime import datetime, timezone

from hubkit.wiring import engine_for, migrate_service
from search.adapters.repository import SqlSearchUnitOfWork
from search.adapters.tables import items
from search.domain.model import IndexedItem, ItemKind

NOTICE = IndexedItem(ItemKind.NOTICE, "n-1", "停水通知", "周六上午九点至十一点停水。",
                     ("user:u-1", "dept:Heat Supply", "group:g-7"), datetime(2026, 11, 20, tzinfo=timezone.utc))


def test_principals_with_spaces_come_back_as_they_were(hub_config, db_url):
    config = hub_config(SEARCH_DATABASE_URL=db_url)
    migrate_service(config, "search")
    engine = engine_for(config, "search")
    with SqlSearchUnitOfWork(engine) as uow:
        uow.items.save(NOTICE)
        # A row written before principals were stored as JSON: space-joined.
        uow.connection.execute(items.insert().values(
            key="notice:n-old", kind="notice", item_id="n-old", title="旧通知", body="", visible_to="user:u-2 group:g-1",
            published_at=NOTICE.published_at, department="", category="", author_id="", tags="[]", group_ids="[]"))
        uow.commit()
    with SqlSearchUnitOfWork(engine, read_only=True) as uow:
        # "dept:Heat Supply" must not turn into "dept:Heat" and "Supply" (or "everyone").
        assert uow.items.get(NOTICE.key).visible_to == NOTICE.visible_to
        assert uow.items.get("notice:n-old").visible_to == ("user:u-2", "group:g-1")


def test_a_save_never_revives_a_withdrawn_item(hub_config, db_url):
    config = hub_config(SEARCH_DATABASE_URL=db_url)
    migrate_service(config, "search")
    engine = engine_for(config, "search")
    with SqlSearchUnitOfWork(engine) as uow:
        assert uow.items.save(NOTICE) is True
        uow.items.withdraw(ItemKind.NOTICE, "n-1")  # revoked
        assert uow.items.save(NOTICE, version=2) is False  # a late publish or edit
        uow.items.withdraw(ItemKind.NOTICE, "n-2")  # revoked before it arrived
        assert uow.items.save(IndexedItem(ItemKind.NOTICE, "n-2", "迟到的通知", "正文", ("everyone",),
                                          NOTICE.published_at)) is False
        uow.commit()
    with SqlSearchUnitOfWork(engine, read_only=True) as uow:
        assert uow.items.is_withdrawn(NOTICE.key) and uow.items.is_withdrawn("notice:n-2")
        assert uow.items.get(NOTICE.key) is None
