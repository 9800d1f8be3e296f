"""Database engines, the plumbing tables every service shares, and migrations.

Each service owns one database (SQLite file by default, PostgreSQL in
production). Besides its own tables it holds two of ours:

- ``outbox``: events written in the same transaction as the state change that
  they announce, as binary envelopes (``envelope``; rows written before
  plumbing v2 hold their JSON in ``body``); the relay publishes them as JSON
  and stamps ``sent_at``.
- ``processed_events``: ids of events a consumer has applied, so a
  redelivered event has no second effect.
"""
from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.types import NullType, TupleType

from hubkit.errors import Aborted

log = logging.getLogger(__name__)

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
    sa.Column("body", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("envelope", sa.LargeBinary, nullable=True),
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


def upgrade_plumbing_tables_to_v2(op) -> None:
    """Alembic step of every service after v1: the outbox stores binary
    envelopes. ``body`` stays for the JSON of rows written before, which the
    relay still publishes as they are."""
    with op.batch_alter_table("outbox") as batch:  # SQLite rebuilds the table to relax NOT NULL
        batch.add_column(sa.Column("envelope", sa.LargeBinary, nullable=True))
        batch.alter_column("body", existing_type=sa.Text, nullable=True)


# A commit that finds the WAL past this many pages copies it into the
# database file while its request waits. API processes copy it from a thread
# of their own (WalCheckpointer) well before that; the mark is the backstop
# for when they are not running. (SQLite's 1,000 made every few dozenth
# publication wait: PublishNotice p99 11-13 ms, 35 ms at 10,000 pages.)
SQLITE_CHECKPOINT_PAGES = 10_000
# Once checkpointed, a WAL that grew past this is cut back to it.
SQLITE_WAL_LIMIT_BYTES = 64 * 1024 * 1024


class WalCheckpointer:
    """Copies a SQLite database's WAL into the database file from a thread
    of its own every ``interval`` seconds (a passive checkpoint: writers go
    on meanwhile, and sqlite3 releases the interpreter lock while it copies),
    so that no request's commit does it."""

    def __init__(self, path: str, interval: float = 0.05):
        self.path = path
        self.interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)

    def start(self) -> "WalCheckpointer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(10)

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stopping.wait(self.interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # a busy or locked database: next time
                    log.debug("WAL checkpoint of %s skipped: %s", self.path, exc)
        finally:
            connection.close()


def sqlite_file(engine: Engine) -> str | None:
    """The path of the engine's database if it is a SQLite file."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    return None if not database or database == ":memory:" else database


@contextlib.contextmanager
def wal_checkpointing(engine: Engine):
    """A WalCheckpointer at work for the block, if the engine's database is a
    SQLite file."""
    database = sqlite_file(engine)
    if database is None:
        yield
        return
    checkpointer = WalCheckpointer(database).start()
    try:
        yield
    finally:
        checkpointer.stop()


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
            # A savepoint (hubkit.group_commit) keeps a copy of each page it
            # changes; past 64 KiB SQLite moves those copies to a temporary
            # file, in memory it does not (PublishNotice 2-3 % more calls/s).
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit={SQLITE_WAL_LIMIT_BYTES}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Writers take the write lock at BEGIN so that read-then-write
            # transactions never fail on lock upgrade; readers (marked with
            # READ_ONLY) take none and never block a writer.
            # Straight on the driver: exec_driver_sql's machinery cost more
            # than SQLite takes to begin (a tenth of an acknowledgement).
            sql = "BEGIN" if conn.get_execution_options().get("hub_read_only") else "BEGIN IMMEDIATE"
            driver = conn.connection.dbapi_connection
            try:
                driver.execute(sql)
            except driver.Error as exc:  # as SQLAlchemy would raise it
                raise _as_sqlalchemy_error(conn, driver, None, sql, {}, exc) from exc
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



class DriverStatement:
    """A Core statement on a hot path, run straight on the driver's cursor.

    SQLAlchemy's execution machinery costs about 20 microseconds a statement
    (execution context, events, result wrapping), more than SQLite takes to
    run a small INSERT. This compiles the statement once per dialect and runs
    it on the DBAPI cursor of the same connection, inside its transaction,
    with the column types' conversions (SQLite keeps datetimes as text).

    Expanding IN lists (typed by their column; lists or tuples) are padded to
    the next power of two by repeating their last item, which IN ignores: a
    dozen forms of the statement per list, whatever lengths callers send."""

    def __init__(self, statement, *, columns: tuple[str, ...] = ()):
        """``columns``: for an INSERT, the keys it is given (the others take
        their defaults)."""
        # inline: no RETURNING of the new key that PostgreSQL would add.
        self.statement = statement.inline() if statement.is_insert else statement
        self.columns = list(columns) or None
        self._compiled: dict[str, tuple] = {}  # by dialect
        self._prepared: dict[tuple, tuple] = {}  # by dialect and lengths of the IN lists

    def execute(self, connection: sa.Connection, params: dict) -> list[tuple] | int:
        """The rows of a SELECT or of RETURNING, else the number of rows
        written (-1 in a PostgreSQL pipeline, where it is not known yet)."""
        if not connection.in_transaction():
            connection.begin()  # what SQLAlchemy's autobegin does; the driver's cursor would bypass it
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name) or self._compile(dialect, params)
        lists, readers = compiled[1], compiled[3]
        key = (dialect.name, *[_padded(len(params[name])) for name in lists])
        sql, order, sources = self._prepared.get(key) or self._prepare(key, compiled)
        values = {}
        for name, source, index, convert in sources:
            value = params[source]
            if index is not None:
                value = value[min(index, len(value) - 1)]
            values[name] = convert(value) if convert else value
        driver, cursor = connection.connection.driver_connection, None
        try:
            cursor = driver.cursor()
            cursor.execute(sql, [values[name] for name in order] if order is not None else values)
            if readers is None:
                return cursor.rowcount
            return [tuple(read(value) if read else value for read, value in zip(readers, row))
                    for row in cursor.fetchall()]
        except dialect.loaded_dbapi.Error as exc:
            raise _as_sqlalchemy_error(connection, driver, cursor, sql, values, exc) from exc
        finally:
            if cursor is not None:
                cursor.close()

    def _compile(self, dialect, params: dict) -> tuple:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
        if any(not bind.required for bind in compiled.binds.values()):
            raise ValueError("DriverStatement takes named parameters only, no literals")
        if self.columns and (unknown := sorted(set(params) - set(self.columns))):
            # The driver would store the defaults instead, silently.
            raise ValueError(f"DriverStatement was given keys that are not among its columns: {unknown}")
        lists = tuple(name for name, bind in compiled.binds.items() if bind.expanding)
        if any(compiled.binds[name].literal_execute or isinstance(compiled.binds[name].type, (NullType, TupleType))
               for name in lists):
            raise ValueError("DriverStatement takes IN lists of a column's type only, not tuples or literals")
        converters = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                      for name, bind in compiled.binds.items()}
        returned = self.statement.selected_columns if self.statement.is_select else compiled.effective_returning
        readers = ([column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned]
                   if returned else None)
        compiled_state = self._compiled[dialect.name] = (compiled, lists, converters, readers)
        return compiled_state

    def _prepare(self, key: tuple, compiled: tuple) -> tuple:
        """SQL, parameter order (positional drivers) and where each parameter
        comes from, for IN lists of the (padded) lengths in ``key``."""
        statement, lists, converters, _ = compiled
        # SQLAlchemy expands the lists (names and placeholders are its own);
        # markers tell which expanded parameter is which item.
        lengths = dict(zip(lists, key[1:]))
        markers = {name: [(name, i) for i in range(lengths[name])] if name in lengths else (name, None)
                   for name in converters}
        expanded = statement.construct_expanded_state(markers)
        sources = [(name, source, index, converters[source])
                   for name, (source, index) in expanded.parameters.items()]
        order = list(expanded.positiontup) if expanded.positiontup is not None else None
        prepared = self._prepared[key] = (expanded.statement, order, sources)
        return prepared


def _padded(length: int) -> int:
    """0, or the power of two at or above ``length``."""
    return 1 << (length - 1).bit_length() if length else 0


class DeferredWrites:
    """Inserts whose results nobody reads in the transaction (outbox rows,
    audit entries), run just before its commit. On PostgreSQL they go out in
    one pipeline with the COMMIT: one round trip for all of them instead of
    one each. A failing insert fails the commit, with SQLAlchemy's error, and
    the unit of work rolls back as for any failed commit.

    A guard (``guard``) makes the inserts conditional: an UPDATE that restates
    in its WHERE what the unit read before deciding to write. The commit runs
    it first, and the inserts only if it changed a row; if it changed none,
    nothing is written and the commit raises ``Aborted``. On PostgreSQL the
    guard and the inserts are one statement (data-modifying WITH), so they
    are all or nothing even outside a transaction (SqlUnitOfWork optimistic)."""

    def __init__(self):
        self._queue: list[tuple[DriverStatement, dict]] = []
        self._guard: tuple[DriverStatement, dict] | None = None

    def add(self, statement: DriverStatement, params: dict) -> None:
        self._queue.append((statement, params))

    def guard(self, statement: DriverStatement, params: dict) -> None:
        """Write the queued inserts only if ``statement`` (an UPDATE,
        parameters named apart from ``w<n>_...``) changes a row."""
        if self._guard is not None:
            raise ValueError("a unit of work has one guard")
        self._guard = (statement, params)

    @property
    def guarded(self) -> bool:
        return self._guard is not None

    @property
    def pending(self) -> bool:
        return bool(self._queue) or self._guard is not None

    def run(self, connection: sa.Connection) -> None:
        """Run the guard and the queued inserts, leaving the commit to the
        caller (a savepoint's release, in a group commit)."""
        queue, self._queue = self._queue, []
        guard, self._guard = self._guard, None
        if guard is not None:
            changed = guard[0].execute(connection, guard[1])  # rows written, or the rows of its RETURNING
            if not (changed if isinstance(changed, int) else len(changed)):
                raise _aborted()
        for statement, params in queue:
            statement.execute(connection, params)

    def commit(self, connection: sa.Connection) -> None:
        """Run the guard and the queued inserts and commit; on failure the
        transaction is rolled back, whichever statement failed, and the
        error raised."""
        try:
            postgresql = connection.dialect.name == "postgresql"
            if self._guard is not None and postgresql:
                self._run_guarded(connection)
                connection.commit()
            elif self._queue and postgresql:
                self._run_in_pipeline(connection)
            else:
                self.run(connection)
                connection.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                connection.rollback()  # also ends SQLAlchemy's transaction after a failed COMMIT
                # A COMMIT in a pipeline after a failed insert is skipped by
                # the server: the transaction may still be open there.
                connection.connection.driver_connection.rollback()
            raise

    def _run_in_pipeline(self, connection: sa.Connection) -> None:
        # The COMMIT is queued as a statement: the driver's commit() would
        # wait for it, and leaving the pipeline would wait once more.
        driver = connection.connection.driver_connection
        try:
            with driver.pipeline():
                self.run(connection)
                driver.execute("COMMIT")
        except connection.dialect.loaded_dbapi.Error as exc:  # raised by the pipeline's one sync
            raise _as_sqlalchemy_error(connection, driver, None, "COMMIT", {}, exc) from exc
        connection.commit()  # SQLAlchemy's transaction ends; the driver has nothing left to send

    def _run_guarded(self, connection: sa.Connection) -> None:
        (guard, guard_params), queue = self._guard, self._queue
        self._guard, self._queue = None, []
        params = dict(guard_params)
        for position, (insert, insert_params) in enumerate(queue):
            if insert.columns and (unknown := sorted(insert_params.keys() - insert.columns)):  # not written
                raise ValueError(f"DriverStatement was given keys that are not among its columns: {unknown}")
            params.update((f"w{position}_{key}", value) for key, value in insert_params.items())
        key = (guard, *(statement for statement, _ in queue))
        statement = _guarded_statements.get(key) or _guard_inserts(key, connection.dialect, guard_params)
        [(changed,)] = statement.execute(connection, params)
        if not changed:
            raise _aborted()


def _aborted() -> Aborted:
    return Aborted("changed by another request since it was read; nothing was written, try again")


_guarded_statements: dict[tuple[DriverStatement, ...], DriverStatement] = {}


def _guard_inserts(key: tuple[DriverStatement, ...], dialect, guard_params: dict) -> DriverStatement:
    """``WITH guard AS (UPDATE ... RETURNING 1), w0 AS (INSERT ... SELECT
    ... WHERE EXISTS (SELECT * FROM guard)), ... SELECT count(*) FROM
    guard``: each insert writes its row once if the guard changed any row,
    as on SQLite. Built once for each guard and sequence of inserts."""
    guard, inserts = key[0], key[1:]
    # Nothing below names the CTE's columns: DriverStatement's compile of the
    # guard memoized its (empty) RETURNING columns on the statement, and the
    # copy returning() makes keeps them, so the CTE shows no columns.
    changed = guard.statement.returning(sa.literal_column("1").label("changed")).cte("guard")
    parts = []
    for position, insert in enumerate(inserts):
        table = insert.statement.table if insert.statement.is_insert else None
        # Rebuilt from its table and columns: anything else it said (an
        # expression, a literal value) would be lost.
        compiled = insert.statement.compile(dialect=dialect, column_keys=insert.columns) if insert.columns else None
        if table is None or compiled is None or not all(bind.required for bind in compiled.binds.values()) or str(
                compiled) != str(table.insert().inline().compile(dialect=dialect, column_keys=insert.columns)):
            raise ValueError("a guard conditions plain inserts that name their columns")
        names = [f"w{position}_{name}" for name in insert.columns]
        if taken := sorted(set(names) & set(guard_params)):
            raise ValueError(f"the guard's parameters {taken} are named as an insert's")
        values = sa.select(*[sa.bindparam(name, type_=table.c[column].type)
                             for name, column in zip(names, insert.columns)])
        parts.append(table.insert().from_select(insert.columns, values.where(sa.exists().select_from(changed)))
                     .cte(f"w{position}"))
    return _guarded_statements.setdefault(key, DriverStatement(
        sa.select(sa.func.count()).select_from(changed).add_cte(*parts)))


def _as_sqlalchemy_error(connection: sa.Connection, driver, cursor, sql: str, values: dict, exc: Exception):
    """The error SQLAlchemy would have raised (IntegrityError, ...), so that
    callers and the gRPC error mapping see one kind of error. A lost
    connection is marked as such (the API answers UNAVAILABLE) and, as
    SQLAlchemy does, the pool starts afresh: the others were very likely lost
    with it (a database restart)."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(exc, driver, cursor)
    if lost:
        connection.invalidate(exc)
        connection.engine.dispose()  # connections checked out now are closed when returned
    return sa.exc.DBAPIError.instance(sql, values, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost,
                                      dialect=dialect)
