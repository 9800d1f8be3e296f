"""Unit of work over one service database, with the outbox and the inbox.

A service's unit of work subclasses ``SqlUnitOfWork`` and adds its
repositories. Whatever a handler does inside ``with uow:`` (state changes,
events emitted, events marked processed) is committed together or not at all;
an optimistic unit (see SqlUnitOfWork) commits only what it queued.
"""
from __future__ import annotations

import abc
import fcntl
import os
import threading
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from hubkit import group_commit
from hubkit.db import READ_ONLY, DeferredWrites, DriverStatement, outbox, processed_events, sqlite_file
from hubkit.envelope import Envelope, to_bytes


# Built once: a statement object built per call costs more Python time (cache
# key generation) than SQLite takes to run it.
_INSERT_OUTBOX = DriverStatement(outbox.insert(), columns=(
    "event_id", "exchange", "routing_key", "envelope", "created_at"))
_INSERT_PROCESSED = processed_events.insert()
_SELECT_PROCESSED = sa.select(processed_events.c.event_id).where(
    processed_events.c.consumer == sa.bindparam("consumer"), processed_events.c.event_id == sa.bindparam("event_id"))

class _SqliteWriterLock:
    """SQLite has one writer at a time. Writers of this process queue on a
    thread lock, and writers of all processes on an advisory lock of a file
    beside the database, instead of in SQLite's busy handler, whose sleeps
    (up to 100 ms) outlast the lock they wait for and make the latency tail."""

    def __init__(self, database_path: str):
        self._threads = threading.Lock()
        self._path = f"{database_path}-writer.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self._threads.acquire()
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_writer_locks: dict[int, _SqliteWriterLock] = {}
_writer_locks_guard = threading.Lock()


def _sqlite_writer_lock(engine: Engine) -> _SqliteWriterLock | None:
    database = sqlite_file(engine)
    if database is None:
        return None
    with _writer_locks_guard:
        return _writer_locks.setdefault(id(engine), _SqliteWriterLock(database))


class AbstractUnitOfWork(abc.ABC):
    """What handlers may rely on; services add their repositories."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...

    @abc.abstractmethod
    def emit(self, envelope: Envelope) -> None:
        """Queue an event to be published once this unit commits."""

    @abc.abstractmethod
    def claim_event(self, consumer: str, event_id: str) -> bool:
        """Record that ``consumer`` applies this event; False if it already did."""


class SqlUnitOfWork(AbstractUnitOfWork):
    """One database transaction; rolled back unless committed. A SQLite
    writer in a call served on an event loop is a savepoint of that loop's
    shared transaction instead (hubkit.group_commit). An optimistic unit on
    PostgreSQL is no transaction: its one write is a single statement."""

    def __init__(self, engine: Engine, *, read_only: bool = False, optimistic: bool = False):
        """``read_only``: for queries; on SQLite it takes no write lock, so
        readers and writers never wait for each other.

        ``optimistic``: for a handler that reads, then writes once through a
        guard (DeferredWrites.guard) that restates what it read. On
        PostgreSQL its reads run outside a transaction, each statement on its
        own snapshot, and the guard and the queued inserts are one statement:
        no BEGIN and no COMMIT (an acknowledgement: two round trips instead
        of three, 0.31-0.35 instead of 0.42-0.49 ms of processor time in
        process). Every write of such a handler must be queued
        (DeferredWrites.add, .guard): a statement it runs itself commits on
        its own at once, and nothing checks that. commit() refuses queued
        writes without a guard. On SQLite the unit is an ordinary writer,
        holding the write lock from its start (its guard always matches)."""
        self.engine = engine
        self.read_only = read_only
        self.optimistic = optimistic and not read_only and engine.dialect.name == "postgresql"
        self.connection: Connection | None = None
        self._writer_lock = None if read_only else _sqlite_writer_lock(engine)
        self._group = None  # the shared transaction this unit is a savepoint of

    def __enter__(self):
        self.deferred = DeferredWrites()
        commits = group_commit.current() if self._writer_lock is not None else None
        if commits is not None:
            return self._join(commits.group_for(self.engine, self._writer_lock, self._begin))
        if self._writer_lock is not None:
            self._writer_lock.acquire()
        try:
            self.connection = self._begin()
            self._on_enter(self.connection)
        except BaseException:  # no connection or no BEGIN: nothing to undo but the lock
            if self.connection is not None:
                self._close(self.connection)
                self.connection = None
            if self._writer_lock is not None:
                self._writer_lock.release()
            raise
        return self

    def _begin(self) -> Connection:
        connection = self.engine.connect()
        try:
            if self.read_only:
                connection = connection.execution_options(**READ_ONLY)
            elif self.optimistic:
                # Set on the driver rather than by SQLAlchemy's isolation_level
                # option, whose setting and resetting at check-in cost about
                # 50 us a unit.
                # SQLAlchemy's begin and commit send nothing then; _close
                # turns it off before the connection goes back to the pool.
                connection.connection.driver_connection.autocommit = True
            connection.begin()
        except BaseException:
            self._close(connection)
            raise
        return connection

    def _close(self, connection: Connection) -> None:
        """Back to the pool, as the pool handed it out."""
        try:
            if self.optimistic and not connection.invalidated:
                try:
                    connection.connection.driver_connection.autocommit = False
                except Exception:
                    connection.invalidate()  # closed, not pooled, rather than pooled committing each statement
        finally:
            connection.close()

    def _join(self, group):
        group.begin_unit()
        self._group, self.connection = group, group.connection
        try:
            self._on_enter(self.connection)
        except BaseException:
            self.rollback()
            self._group = self.connection = None
            raise
        return self

    def _on_enter(self, connection: Connection) -> None:
        """Subclasses build their repositories on the open connection."""

    def __exit__(self, exc_type, exc, tb):
        if self._group is not None:  # the group's connection and lock stay with it
            self.rollback()
            self._group = self.connection = None
            return
        try:
            self.rollback()
        finally:
            self._close(self.connection)
            self.connection = None
            if self._writer_lock is not None:
                self._writer_lock.release()

    def commit(self) -> None:
        """Raises hubkit.errors.Aborted, having written nothing, if the
        unit's guard (DeferredWrites.guard) matched no row."""
        if self.optimistic and self.deferred.pending and not self.deferred.guarded:
            raise RuntimeError("an optimistic unit of work writes through a guard (DeferredWrites.guard)")
        if self._group is None:
            self.deferred.commit(self.connection)
            return
        self.deferred.run(self.connection)
        self._group.keep_unit()

    def rollback(self) -> None:
        if self._group is not None:
            self._group.roll_back_unit()  # unless kept
        elif self.connection is not None and self.connection.in_transaction():
            self.connection.rollback()

    def emit(self, envelope: Envelope) -> None:
        self.deferred.add(_INSERT_OUTBOX, {
            "event_id": envelope.event_id,
            "exchange": envelope.exchange,
            "routing_key": envelope.event_type,
            "envelope": to_bytes(envelope),
            "created_at": datetime.now(timezone.utc),
        })

    def claim_event(self, consumer: str, event_id: str) -> bool:
        seen = self.connection.execute(_SELECT_PROCESSED, {"consumer": consumer, "event_id": event_id}).first()
        if seen:
            return False
        # A concurrent twin that got here first makes this insert fail on the
        # primary key, rolling back its whole transaction: still one effect.
        self.connection.execute(_INSERT_PROCESSED, {
            "consumer": consumer, "event_id": event_id, "processed_at": datetime.now(timezone.utc)})
        return True


def apply_once(uow: AbstractUnitOfWork, *, consumer: str, event_id: str, effect) -> bool:
    """Run ``effect(uow)`` and record the event in one transaction, unless
    ``consumer`` applied this event before. Returns False for a repeat."""
    with uow:
        if not uow.claim_event(consumer, event_id):
            return False
        effect(uow)
        uow.commit()
    return True
