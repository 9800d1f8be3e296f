"""Group commit (hubkit.group_commit) on a real SQLite file: the writes of
calls run one after another on an event loop share one COMMIT; a call that
fails rolls back alone; a COMMIT that fails fails every call it held; other
writers and readers see nothing until it has committed."""
import asyncio
import sqlite3
import threading

import pytest
import sqlalchemy as sa

from hubkit.db import make_engine
from hubkit.group_commit import MAX_OPEN_SECONDS, GroupCommits
from hubkit.uow import SqlUnitOfWork


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/units.db")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE sections (name TEXT PRIMARY KEY)")
        connection.exec_driver_sql("CREATE TABLE crews (name TEXT PRIMARY KEY, "
                                   "section TEXT NOT NULL REFERENCES sections (name))")
    yield engine
    engine.dispose()


def add(engine, *sections: str, fail: bool = False, crew: tuple[str, str] | None = None) -> None:
    """One unit of work: add sections (and a crew), then commit or fail."""
    with SqlUnitOfWork(engine) as uow:
        for name in sections:
            uow.connection.execute(sa.text("INSERT INTO sections (name) VALUES (:name)"), {"name": name})
        if crew is not None:
            uow.connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT
            uow.connection.execute(sa.text("INSERT INTO crews (name, section) VALUES (:name, :section)"),
                                   {"name": crew[0], "section": crew[1]})
        if fail:
            raise RuntimeError("the handler gave up")
        uow.commit()


def stored(engine) -> set[str]:
    """What a reader of its own sees: committed sections only."""
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return set(uow.connection.exec_driver_sql("SELECT name FROM sections").scalars())


def serve(commits: GroupCommits, arrival, work):
    """Run ``work`` as a call on the loop does; returns the call and what it raised."""
    call = commits.start(arrival)
    raised = None
    try:
        work()
    except Exception as exc:  # noqa: BLE001 - the test looks at it
        raised = exc
    finally:
        commits.finish(call)
    return call, raised


def on_a_loop(scenario):
    return asyncio.run(scenario())


def test_calls_on_the_loop_share_one_commit_and_a_failing_call_rolls_back_alone(engine):
    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        second, third = commits.arrived(), commits.arrived()  # come in while the first runs
        first_call, _ = serve(commits, commits.arrived(), lambda: add(engine, "炼钢一车间"))
        assert stored(engine) == set()  # kept open for the calls waiting to run
        _, raised = serve(commits, second, lambda: add(engine, "炼钢二车间", fail=True))
        assert str(raised) == "the handler gave up"
        third_call, _ = serve(commits, third, lambda: add(engine, "轧钢车间", "质检站"))
        await commits.settled(first_call)
        await commits.settled(third_call)
        return first_call, third_call

    first_call, third_call = on_a_loop(scenario)
    assert first_call.groups == third_call.groups  # one group: one transaction, one COMMIT
    assert stored(engine) == {"炼钢一车间", "轧钢车间", "质检站"}


def write_lock_is_held(engine) -> bool:
    probe = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    finally:
        probe.close()


def test_a_first_unit_that_fails_leaves_the_group_to_the_next(engine):
    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        second = commits.arrived()
        _, raised = serve(commits, commits.arrived(), lambda: add(engine, "机务段", fail=True))
        assert raised is not None
        assert write_lock_is_held(engine)  # begun afresh, as a writer
        call, _ = serve(commits, second, lambda: add(engine, "车务段"))
        await commits.settled(call)

    on_a_loop(scenario)
    assert stored(engine) == {"车务段"}


def test_a_commit_that_fails_fails_every_call_it_held_and_keeps_nothing(engine):
    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        second = commits.arrived()
        good, _ = serve(commits, commits.arrived(), lambda: add(engine, "换热站"))
        bad, _ = serve(commits, second, lambda: add(engine, crew=("夜班", "不存在的工段")))
        outcomes = []
        for call in (good, bad):
            with pytest.raises(sa.exc.IntegrityError) as raised:
                await commits.settled(call)
            outcomes.append("FOREIGN KEY" in str(raised.value))
        later, _ = serve(commits, commits.arrived(), lambda: add(engine, "锅炉房"))  # lock and file still usable
        await commits.settled(later)
        return outcomes

    assert on_a_loop(scenario) == [True, True]
    assert stored(engine) == {"锅炉房"}


def test_a_call_that_read_in_a_group_is_answered_with_its_commit(engine):
    def read_sections():
        with SqlUnitOfWork(engine) as uow:  # a writer that only reads, then changes nothing
            return set(uow.connection.exec_driver_sql("SELECT name FROM sections").scalars())

    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        reader = commits.arrived()
        writer, _ = serve(commits, commits.arrived(), lambda: add(engine, "探伤组", crew=("白班", "不存在的工段")))
        seen = []
        reading, _ = serve(commits, reader, lambda: seen.append(read_sections()))
        assert seen == [{"探伤组"}]  # not committed yet
        for call in (writer, reading):
            with pytest.raises(sa.exc.IntegrityError):  # ... and it never will be
                await commits.settled(call)

    on_a_loop(scenario)
    assert stored(engine) == set()


def test_a_unit_that_loses_the_whole_transaction_ends_the_group(engine):
    def lose_transaction():
        with SqlUnitOfWork(engine) as uow:
            uow.connection.connection.driver_connection.execute("ROLLBACK")  # as SQLite does on a full disk
            raise OSError("disk full")

    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        second, third = commits.arrived(), commits.arrived()
        first, _ = serve(commits, commits.arrived(), lambda: add(engine, "信号楼"))
        _, raised = serve(commits, second, lose_transaction)
        assert isinstance(raised, OSError)
        with pytest.raises(sqlite3.OperationalError, match="no such savepoint"):
            await commits.settled(first)  # its write went with the transaction: told so
        later, _ = serve(commits, third, lambda: add(engine, "道口"))
        await commits.settled(later)

    on_a_loop(scenario)
    assert stored(engine) == {"道口"}


def test_units_do_not_nest(engine):
    def nested():
        with SqlUnitOfWork(engine) as outer:
            outer.connection.execute(sa.text("INSERT INTO sections (name) VALUES ('线路车间')"))
            with pytest.raises(RuntimeError, match="do not nest"):
                add(engine, "桥隧车间")
            outer.commit()

    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        call, raised = serve(commits, commits.arrived(), nested)
        assert raised is None
        await commits.settled(call)

    on_a_loop(scenario)
    assert stored(engine) == {"线路车间"}


def test_a_group_waiting_for_a_call_that_never_runs_commits_by_its_deadline(engine):
    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        never_runs = commits.arrived()
        call, _ = serve(commits, commits.arrived(), lambda: add(engine, "调度室"))
        assert stored(engine) == set()
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(commits.settled(call), timeout=10.0)
        assert stored(engine) == {"调度室"}
        assert asyncio.get_running_loop().time() - started >= MAX_OPEN_SECONDS * 0.9
        del never_runs

    on_a_loop(scenario)


def test_a_call_dropped_before_it_runs_holds_nobody_up(engine):
    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        dropped = commits.arrived()
        del dropped  # cancelled: its handler, which held it, is gone
        serve(commits, commits.arrived(), lambda: add(engine, "工务段"))
        assert stored(engine) == {"工务段"}  # committed as the call ended

    on_a_loop(scenario)


def test_writers_off_the_loop_keep_their_own_transaction_and_wait_for_the_group(engine):
    done = threading.Event()
    writer = threading.Thread(target=lambda: (add(engine, "电务段"), done.set()))

    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        waiting = commits.arrived()
        call, _ = serve(commits, commits.arrived(), lambda: add(engine, "供电段"))
        writer.start()
        writer.join(0.3)  # blocks the loop: the group cannot commit meanwhile
        assert not done.is_set()  # the thread waits for the write lock, it did not join
        await commits.settled(call)
        del waiting

    on_a_loop(scenario)
    writer.join(10)
    assert done.is_set() and stored(engine) == {"供电段", "电务段"}


def test_units_outside_a_call_and_on_postgresql_commit_on_their_own(engine, pg_url):
    postgres = make_engine(pg_url)
    with postgres.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE sections (name TEXT PRIMARY KEY)")

    async def scenario():
        commits = GroupCommits(asyncio.get_running_loop())
        add(engine, "车辆段")  # not in a call
        assert stored(engine) == {"车辆段"}
        waiting = commits.arrived()
        _, raised = serve(commits, commits.arrived(), lambda: add(postgres, "客运段"))
        assert raised is None
        assert stored(postgres) == {"客运段"}  # committed though a call is waiting: no write lock to share
        del waiting

    try:
        on_a_loop(scenario)
    finally:
        postgres.dispose()
