"""A migrated notice database (SQLite and PostgreSQL) and helpers to read its outbox."""
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hubkit.db import outbox
from hubkit.envelope import wire_json
from hubkit.wiring import engine_for, migrate_service
from notice.adapters.repository import SqlNoticeUnitOfWork


class Clock:
    """A settable clock for the handlers."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def engine(hub_config, db_url):
    config = hub_config(NOTICE_DATABASE_URL=db_url)
    migrate_service(config, "notice")
    return engine_for(config, "notice")


@pytest.fixture
def uow(engine):
    """A fresh unit of work per call, as the servicers make them."""
    return lambda read_only=False, optimistic=False: SqlNoticeUnitOfWork(engine, read_only=read_only,
                                                                         optimistic=optimistic)


@pytest.fixture
def clock():
    return Clock(datetime.now(timezone.utc).replace(microsecond=0))


@pytest.fixture
def outbox_events(engine):
    """Payloads (proto3 JSON) of the outbox rows of one event type, in order."""
    def read(routing_key: str) -> list[dict]:
        with engine.connect() as connection:
            stored = connection.execute(sa.select(outbox.c.envelope).where(outbox.c.routing_key == routing_key)
                                        .order_by(outbox.c.id)).scalars().all()
        return [json.loads(wire_json(envelope))["payload"] for envelope in stored]
    return read


@pytest.fixture
def row_count(engine):
    def count(table: str, where: str = "") -> int:
        with engine.connect() as connection:
            return connection.exec_driver_sql(f"select count(*) from {table} {where}").scalar()
    return count
