"""Migrations and the transactional outbox on SQLite and PostgreSQL."""
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hubkit.auth import Caller
from hubkit.config import SERVICES
from hubkit.db import WalCheckpointer, outbox, plumbing_metadata
from hubkit.uow import SqlUnitOfWork
from hubkit.wiring import engine_for, migrate_service
from notice import handlers
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.domain import commands
from notice.domain.model import Limits

SECRETARY = Caller(user_id="u-zhou", departments=("车务段",))
TABLES = {
    "notice": "notice.adapters.tables",
    "search": "search.adapters.tables",
    "reports": "reports.adapters.tables",
}


@pytest.fixture
def config(hub_config, db_url):
    return hub_config(NOTICE_DATABASE_URL=db_url, SEARCH_DATABASE_URL=db_url.replace("test.db", "s.db"),
                      REPORTS_DATABASE_URL=db_url.replace("test.db", "r.db"))


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_build_exactly_the_tables_the_code_uses(hub_config, db_url, service):
    config = hub_config(**{f"{service.upper()}_DATABASE_URL": db_url})
    migrate_service(config, service)
    migrate_service(config, service)  # a second run changes nothing
    metadata = sa.MetaData()
    for table in list(plumbing_metadata.tables.values()) + list(
            __import__(TABLES[service], fromlist=["metadata"]).metadata.tables.values()):
        table.to_metadata(metadata)
    with engine_for(config, service).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
        if connection.dialect.name == "sqlite":
            # SQLite cannot reflect an index on an expression (ix_receipts_inbox), so
            # compare_metadata skips those there: the names of all indexes, at least.
            built = set(connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").scalars())
            assert built == {index.name for table in metadata.tables.values() for index in table.indexes}
    assert diff == []


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"select count(*) from {table}").scalar()


def test_a_notice_and_its_event_are_committed_together(config):
    migrate_service(config, "notice")
    engine = engine_for(config, "notice")
    uow = lambda: SqlNoticeUnitOfWork(engine)  # noqa: E731
    group = handlers.create_group(commands.CreateGroup("调车组", "车务段"), caller=SECRETARY, uow=uow())
    notice = handlers.publish_notice(commands.PublishNotice((group.group_id,), "调车作业安全提示", "雨雪天气注意防滑。"),
                                     caller=SECRETARY, uow=uow(), limits=Limits())
    with engine.connect() as connection:
        rows = connection.execute(sa.select(outbox.c.routing_key, outbox.c.exchange, outbox.c.sent_at)
                                  .order_by(outbox.c.id)).all()
    assert [(r.routing_key, r.exchange, r.sent_at) for r in rows] == [
        ("group.created", "notice.events", None), ("notice.published", "notice.events", None)]
    assert handlers.get_notice(commands.GetNotice(notice.notice_id), caller=SECRETARY, uow=uow()).title == "调车作业安全提示"


def test_a_crash_before_commit_leaves_neither_notice_nor_event(config, monkeypatch):
    migrate_service(config, "notice")
    engine = engine_for(config, "notice")
    group = handlers.create_group(commands.CreateGroup("调车组", "车务段"), caller=SECRETARY,
                                  uow=SqlNoticeUnitOfWork(engine))
    before = count(engine, "outbox")

    class CrashingUnitOfWork(SqlNoticeUnitOfWork):
        def commit(self):
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        handlers.publish_notice(commands.PublishNotice((group.group_id,), "停电通知", "十点停电"),
                                caller=SECRETARY, uow=CrashingUnitOfWork(engine), limits=Limits())
    assert count(engine, "notices") == 0 and count(engine, "notice_targets") == 0
    assert count(engine, "outbox") == before


def test_a_rejected_notice_stores_nothing(config):
    migrate_service(config, "notice")
    engine = engine_for(config, "notice")
    with pytest.raises(Exception):
        handlers.publish_notice(commands.PublishNotice(("g-missing",), "标题", "正文"), caller=SECRETARY,
                                uow=SqlNoticeUnitOfWork(engine), limits=Limits())
    assert count(engine, "notices") == 0 and count(engine, "outbox") == 0


def test_a_unit_of_work_that_fails_to_open_releases_the_sqlite_writer_lock(hub_config, tmp_path):
    # With calls served inline on the event loop, a writer lock left held
    # would stop every later write of the process, and the loop with it.
    engine = engine_for(hub_config(NOTICE_DATABASE_URL=f"sqlite:///{tmp_path}/locks.db"), "notice")

    class Broken(SqlUnitOfWork):
        def _on_enter(self, connection):
            raise RuntimeError("repositories could not be built")

    with pytest.raises(RuntimeError):
        with Broken(engine):
            pass
    entered = threading.Event()

    def write():
        with SqlUnitOfWork(engine):
            entered.set()
    threading.Thread(target=write, daemon=True).start()
    assert entered.wait(5)


def test_the_wal_checkpointer_copies_commits_into_the_database_file(tmp_path):
    # A writer that never checkpoints itself: only the checkpointer's thread
    # can carry its pages from the WAL into the database file.
    path = tmp_path / "checkpointed.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE readings (station TEXT, note TEXT)")
    writer.executemany("INSERT INTO readings VALUES (?, ?)", [(f"换热站{n}", "供水温度正常" * 40) for n in range(2000)])
    written = path.stat().st_size
    checkpointer = WalCheckpointer(str(path), interval=0.01).start()
    try:
        deadline = time.monotonic() + 5
        while path.stat().st_size <= written and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        checkpointer.stop()
    assert path.stat().st_size > written + 1_000_000  # the rows' pages are in the file now
    writer.close()
