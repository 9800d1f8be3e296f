"""Group commit: the SQLite writes of calls served one after another on an
event loop (ApiServer inline) share one transaction, committed once.

A SQLite commit writes every page it changed to the write-ahead log, and
consecutive calls change mostly the same pages: the ends of the tables and
indexes they append to. Committed together, those pages are written once
(PublishNotice with eight callers: 1,600 -> 2,200 calls/s in one process).

- The first unit of work in a group is the transaction itself; each later
  one is a savepoint of it. A unit that fails rolls back alone.
- A call that opened a unit in a group (it may have read what others wrote
  there) is answered only once the group has committed. If the COMMIT fails,
  every such call fails with its error, however its handler ended; none of
  them had been answered, so no client was told of a write that is lost.
- Units do not nest (nor do they outside groups: the write lock is not
  re-entrant). One database per loop is what the services have; a loop's
  groups on two databases would hold both write locks at once.
- A group commits as soon as its call ends unless other calls are about to
  run (arrived and waiting for their turn, or other work queued on the
  loop); a lone call waits for nobody. It commits at the latest
  MAX_OPEN_SECONDS after it was first left open.
- Units join a group only on the loop's thread while one of its calls runs
  there. Read-only units, and those of long-running calls on pool threads,
  keep their own transactions; while a group is open they wait for the
  SQLite write lock like any other writer.
"""
from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Callable

from sqlalchemy.engine import Connection, Engine

MAX_OPEN_SECONDS = 0.002
_SAVEPOINT = "hub_unit"

_serving = threading.local()  # .scope: (GroupCommits, _Call) while a call's handler runs on this thread


class Arrival:
    """A call that has arrived and not yet run. Its handler holds it: a call
    dropped before it runs (cancelled) drops it too, and stops counting."""
    __slots__ = ("__weakref__",)


class _Call:
    __slots__ = ("groups",)

    def __init__(self):
        self.groups: list[_Group] = []  # where this call opened units: it waits for their COMMIT


class _Group:
    """One open write transaction on one engine, shared by units of work."""

    def __init__(self, commits: GroupCommits, engine: Engine, lock, begin: Callable[[], Connection]):
        lock.acquire()
        try:
            self.connection = begin()
        except BaseException:
            lock.release()
            raise
        self._commits, self._engine, self._lock = commits, engine, lock
        self._driver = self.connection.connection.driver_connection
        self._units = 0  # units kept: what the COMMIT keeps
        self._unit_open = False
        self._savepoint = False  # the open unit is a savepoint
        self.deadline: asyncio.TimerHandle | None = None
        self.done = False
        self.error: BaseException | None = None  # why it did not commit
        self._finished: asyncio.Future | None = None  # made for calls that wait

    def begin_unit(self) -> None:
        if self._unit_open:
            raise RuntimeError("a unit of work is open on this database already; units do not nest")
        # The first unit needs no savepoint: the transaction is all its own.
        # (Within a savepoint SQLite first copies each page a statement
        # changes, which makes statements about twice as slow.)
        self._savepoint = self._units > 0
        if self._savepoint:
            self._driver.execute(f"SAVEPOINT {_SAVEPOINT}")
        self._unit_open = True
        call = _serving.scope[1]
        if self not in call.groups:  # it may read what others wrote: it waits for their COMMIT
            call.groups.append(self)

    def keep_unit(self) -> None:
        if self._savepoint:
            self._driver.execute(f"RELEASE {_SAVEPOINT}")
        elif not self._driver.in_transaction:  # SQLite rolled it back on an error the handler caught
            raise RuntimeError("the transaction was rolled back by the database")
        self._unit_open = False
        self._units += 1

    def roll_back_unit(self) -> None:
        if not self._unit_open:  # kept, or rolled back already
            return
        self._unit_open = False
        try:
            if self._savepoint:
                self._driver.execute(f"ROLLBACK TO {_SAVEPOINT}")
                self._driver.execute(f"RELEASE {_SAVEPOINT}")
            else:  # the transaction held this unit only: it begins afresh
                self.connection.rollback()
                self.connection.begin()
        except Exception as exc:  # noqa: BLE001 - e.g. SQLite rolled back the whole transaction (a full disk)
            self._end(exc)  # what the others kept is lost: they fail now, and later units take a new group

    def commit(self) -> None:
        """COMMIT (roll back if no unit was kept) and wake the waiting calls."""
        if self.done:
            return
        try:
            if self._units:
                self.connection.commit()
            else:
                self.connection.rollback()
        except BaseException as exc:  # noqa: BLE001 - every call of the group answers with it
            self._end(exc)
        else:
            self._end(None)

    def _end(self, error: BaseException | None) -> None:
        if self.done:
            return
        self.done, self.error = True, error
        if self.deadline is not None:
            self.deadline.cancel()
        self._commits.forget(self._engine)
        try:
            if error is not None:
                try:
                    self.connection.rollback()
                except Exception:  # noqa: BLE001 - closing the connection ends the transaction anyway
                    pass
            self.connection.close()
        finally:
            self._lock.release()
            if self._finished is not None:
                self._finished.set_result(None)

    async def wait(self) -> None:
        """Until committed; raises the error it ended with."""
        if not self.done:
            if self._finished is None:
                self._finished = self._commits.loop.create_future()
            await asyncio.shield(self._finished)  # a cancelled call leaves the group be
        if self.error is not None:
            raise self.error


class GroupCommits:
    """The groups of one event loop (one per inline ApiServer)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self._waiting: weakref.WeakSet[Arrival] = weakref.WeakSet()
        self._open: dict[int, _Group] = {}  # by id of the engine
        self._check_queued = False

    def arrived(self) -> Arrival:
        arrival = Arrival()
        self._waiting.add(arrival)
        return arrival

    def start(self, arrival: Arrival) -> _Call:
        """A call's handler begins on the loop's thread: its units of work
        join the open groups until ``finish``."""
        self._waiting.discard(arrival)
        call = _Call()
        _serving.scope = (self, call)
        return call

    def finish(self, call: _Call) -> None:
        """The handler has returned (or raised). Commit now, or leave the
        groups open for the calls about to run; then ``settled``."""
        _serving.scope = None
        if self._open:
            self._commit_unless_others_come()

    async def settled(self, call: _Call) -> None:
        """Once the groups this call took part in have committed; raises the
        error one of them ended with."""
        for group in call.groups:
            await group.wait()

    def group_for(self, engine: Engine, lock, begin: Callable[[], Connection]) -> _Group:
        """The open group on ``engine``, opened with ``begin`` (under the
        SQLite write ``lock``) if there is none."""
        group = self._open.get(id(engine))
        if group is None:
            group = self._open[id(engine)] = _Group(self, engine, lock, begin)
        return group

    def forget(self, engine: Engine) -> None:
        self._open.pop(id(engine), None)

    def commit_all(self) -> None:
        for group in list(self._open.values()):
            group.commit()

    def _commit_unless_others_come(self) -> None:
        # Work queued on the loop (asyncio keeps it in _ready) may be a call
        # that has just come in: look again on the next turn, after it. A
        # call that has arrived but waits for its request looks again when
        # it ends; the deadline covers one that never runs.
        if getattr(self.loop, "_ready", None):
            if not self._check_queued:
                self._check_queued = True
                self.loop.call_soon(self._check)
        elif not self._waiting:
            self.commit_all()
            return
        for group in self._open.values():
            if group.deadline is None:
                group.deadline = self.loop.call_later(MAX_OPEN_SECONDS, group.commit)

    def _check(self) -> None:
        self._check_queued = False
        if self._open:
            self._commit_unless_others_come()


def current() -> GroupCommits | None:
    """The GroupCommits whose call runs on this thread now, if any."""
    scope = getattr(_serving, "scope", None)
    return None if scope is None else scope[0]
