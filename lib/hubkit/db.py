"""Database engines, the plumbing tables every service shares, and migrations.

Each service owns one database (SQLite file by default, PostgreSQL in
production). Besides its own tables it holds two of ours:

- ``outbox``: events written in the same transaction as the state change that
  they announce; the relay publishes them and stamps ``sent_at``.
- ``processed_events``: ids of events a consumer has applied, so a
  redelivered event has no second effect.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event
from sqlalchemy.engine import Engine

plumbing_metadata = sa.MetaData()

# Execution options of a connection that only reads (see make_engine).
READ_ONLY = {"hub_read_only": True}

outbox = sa.Table(
    "outbox",
    plumbing_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("exchange", sa.String(200), nullable=False),
    sa.Column("routing_key", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Index("ix_outbox_unsent", "sent_at", "id"),
)

processed_events = sa.Table(
    "processed_events",
    plumbing_metadata,
    sa.Column("consumer", sa.String(200), primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
)


def create_plumbing_tables_v1(op) -> None:
    """Alembic step that every service's first migration calls.

    Written out column by column (not from the Table objects above) so that a
    migration stays what it was when later code changes; a test compares the
    migrated schema with the runtime tables.
    """
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("exchange", sa.String(200), nullable=False),
        sa.Column("routing_key", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_unsent", "outbox", ["sent_at", "id"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(200), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def make_engine(url: str) -> Engine:
    """An engine tuned for the hub's use of each backend."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # LIFO: the connection used last is handed out again. A SQLite
        # connection drops its page cache whenever another connection wrote
        # since it last ran, so cycling through the pool (FIFO) re-reads pages
        # on every transaction; reusing the hottest connection does not.
        engine = sa.create_engine(url, connect_args={"timeout": 30}, pool_use_lifo=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets the API server write while workers and the relay read;
            # busy_timeout makes concurrent writers wait instead of failing.
            # isolation_level=None stops pysqlite's own implicit BEGIN so that
            # the "begin" hook below decides how transactions start.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Writers take the write lock at BEGIN so that read-then-write
            # transactions never fail on lock upgrade; readers (marked with
            # READ_ONLY) take none and never block a writer.
            if conn.get_execution_options().get("hub_read_only"):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # No ping before every checkout: it is a round trip per request. A
    # connection that died with a database restart fails its request with a
    # disconnect, which invalidates the whole pool (grpc_server answers
    # UNAVAILABLE, which clients retry); the next request reconnects.
    return sa.create_engine(url, pool_size=8, max_overflow=8, pool_recycle=1800, pool_use_lifo=True)


def migrate(engine: Engine, migrations_dir: Path, revision: str = "head") -> None:
    """Bring the database to the newest revision of a service's migrations
    (or to ``revision``, for tests of a migration's data step)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def run_migrations_env() -> None:
    """Body of every service's ``migrations/env.py``."""
    from alembic import context

    connection = context.config.attributes["connection"]
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
