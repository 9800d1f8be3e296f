"""DriverStatement: a Core statement run on the driver's cursor gives what
SQLAlchemy's own execution gives, on SQLite and PostgreSQL, inside the
connection's transaction; DeferredWrites: inserts run with the commit (in
one pipeline on PostgreSQL), all or nothing with the transaction, and under a
guard only if it changes a row, also in an optimistic unit of work, which on
PostgreSQL reads outside a transaction."""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
import sqlalchemy as sa

from hubkit.db import DeferredWrites, DriverStatement, make_engine
from hubkit.errors import Aborted
from hubkit.uow import SqlUnitOfWork

metadata = sa.MetaData()
shifts = sa.Table(
    "driver_statement_shifts", metadata,
    sa.Column("shift_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("crew", sa.String(40), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
)
INSERT = DriverStatement(shifts.insert(), columns=("crew", "starts_at", "note"))
BY_CREW = DriverStatement(sa.select(shifts.c.crew, shifts.c.starts_at, shifts.c.note, shifts.c.done)
                          .where(shifts.c.crew == sa.bindparam("crew")).order_by(shifts.c.starts_at))
FINISH = DriverStatement(shifts.update().where(shifts.c.crew == sa.bindparam("crew"), shifts.c.done.is_(sa.false()))
                         .values(done=sa.true(), note=sa.func.coalesce(shifts.c.note, sa.bindparam("note")))
                         .returning(shifts.c.starts_at, shifts.c.note))
EIGHT = datetime(2026, 11, 24, 8, 0, 0, 123456, tzinfo=timezone.utc)


@contextmanager
def shifts_database(url: str):
    """A new engine with the shifts table created afresh, dropped after."""
    engine = make_engine(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    try:
        yield engine
    finally:
        metadata.drop_all(engine)
        engine.dispose()


@pytest.fixture
def engine(db_url):
    with shifts_database(db_url) as engine:
        yield engine


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite keeps no zone


def test_rows_written_and_read_on_the_driver_match_sqlalchemys_own(engine):
    with engine.begin() as connection:
        assert INSERT.execute(connection, {"crew": "热力一班", "starts_at": EIGHT, "note": "锅炉房巡检"}) == 1  # rows written
        connection.execute(shifts.insert(), {"crew": "热力一班", "starts_at": EIGHT + timedelta(hours=8), "note": None})
    with engine.connect() as connection:
        through_driver = BY_CREW.execute(connection, {"crew": "热力一班"})
        through_sqlalchemy = [tuple(row) for row in connection.execute(BY_CREW.statement, {"crew": "热力一班"})]
    assert through_driver == through_sqlalchemy
    assert [(aware(starts), note, done) for _, starts, note, done in through_driver] == [
        (EIGHT, "锅炉房巡检", False), (EIGHT + timedelta(hours=8), None, False)]


def test_returning_gives_the_changed_rows_and_a_parameter_may_appear_twice(engine):
    with engine.begin() as connection:
        INSERT.execute(connection, {"crew": "检修二班", "starts_at": EIGHT, "note": None})
        first = FINISH.execute(connection, {"crew": "检修二班", "note": "按时完成"})
        again = FINISH.execute(connection, {"crew": "检修二班", "note": "重复"})
    assert [(aware(starts), note) for starts, note in first] == [(EIGHT, "按时完成")]
    assert again == []  # only a row not yet done matches


def test_statements_belong_to_the_connections_transaction(engine):
    with engine.connect() as connection:
        connection.begin()
        INSERT.execute(connection, {"crew": "调度班", "starts_at": EIGHT, "note": "未提交"})
        assert len(BY_CREW.execute(connection, {"crew": "调度班"})) == 1
        connection.rollback()
        assert BY_CREW.execute(connection, {"crew": "调度班"}) == []


def test_literals_tuples_and_unknown_keys_are_refused_when_first_used(engine):
    literal = DriverStatement(sa.select(shifts.c.crew).where(shifts.c.crew == "热力一班"))
    pairs = DriverStatement(sa.select(shifts.c.crew).where(
        sa.tuple_(shifts.c.crew, shifts.c.note).in_(sa.bindparam("pairs", expanding=True))))
    with engine.connect() as connection:
        with pytest.raises(ValueError, match="named parameters only"):
            literal.execute(connection, {})
        with pytest.raises(ValueError, match="not tuples"):
            pairs.execute(connection, {"pairs": [("热力一班", "巡检")]})
        # A key the INSERT does not list would be dropped for the column's default.
        insert = DriverStatement(shifts.insert(), columns=("crew", "starts_at", "note"))
        with pytest.raises(ValueError, match=r"not among its columns: \['done'\]"):
            insert.execute(connection, {"crew": "热力一班", "starts_at": EIGHT, "note": None, "done": True})


def test_in_lists_of_any_length_match_sqlalchemys_own(engine):
    in_lists = DriverStatement(sa.select(shifts.c.crew, shifts.c.starts_at).where(
        shifts.c.starts_at >= sa.bindparam("since", type_=shifts.c.starts_at.type),
        shifts.c.crew.in_(sa.bindparam("crews", expanding=True)),
        shifts.c.starts_at.in_(sa.bindparam("times", expanding=True))).order_by(shifts.c.crew))
    crews = ["热力一班", "检修二班", "调度班"]
    with engine.begin() as connection:
        for n, crew in enumerate(crews):
            INSERT.execute(connection, {"crew": crew, "starts_at": EIGHT + timedelta(hours=n), "note": None})
    times = [EIGHT + timedelta(hours=n) for n in range(3)]
    with engine.connect() as connection:
        for chosen, at in [(crews, times), (crews[:1], times), (crews[2:], times), (crews[1:], times[2:]),
                           (crews[:2], times[:1]), ([], times), (crews, [])]:
            params = {"since": EIGHT, "crews": chosen, "times": at}
            expected = [tuple(row) for row in connection.execute(in_lists.statement, params)]
            assert in_lists.execute(connection, params) == expected, (chosen, at)
        assert [crew for crew, _ in in_lists.execute(connection, {"since": EIGHT, "crews": crews, "times": times[1:]})
                ] == ["检修二班", "调度班"]
        in_crews = DriverStatement(sa.select(shifts.c.crew).where(
            shifts.c.crew.in_(sa.bindparam("crews", expanding=True))))
        for length in range(1, 41):
            assert in_crews.execute(connection, {"crews": ["无此班组"] * (length - 1) + ["调度班"]}) == [("调度班",)]
        assert len(in_crews._prepared) == 7  # a form per power of two (1, 2, 4 ... 64), not per length


def test_driver_errors_come_as_sqlalchemys(engine):
    duplicate = DriverStatement(shifts.insert(), columns=("shift_id", "crew", "starts_at"))
    with engine.connect() as connection:
        connection.begin()
        duplicate.execute(connection, {"shift_id": 7, "crew": "运转甲班", "starts_at": EIGHT})
        with pytest.raises(sa.exc.IntegrityError) as raised:
            duplicate.execute(connection, {"shift_id": 7, "crew": "运转乙班", "starts_at": EIGHT})
        assert not raised.value.connection_invalidated


def test_a_lost_postgresql_connection_is_invalidated_and_reported_as_lost(pg_url):
    engine = make_engine(pg_url)
    metadata.create_all(engine)
    try:
        with engine.connect() as idle, engine.connect() as connection:
            pids = [c.exec_driver_sql("select pg_backend_pid()").scalar() for c in (idle, connection)]
        with psycopg.connect(pg_url, autocommit=True) as admin:  # a database restart, as far as the pool knows
            admin.execute(f"select pg_terminate_backend(pid) from unnest(array{pids}) as pid")
        with engine.connect() as connection:
            with pytest.raises(sa.exc.DBAPIError) as raised:
                BY_CREW.execute(connection, {"crew": "热力一班"})
            assert raised.value.connection_invalidated and connection.invalidated
        with engine.connect() as connection:  # every pooled one was dropped: this one is live
            assert BY_CREW.execute(connection, {"crew": "热力一班"}) == []
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def test_outside_a_transaction_one_begins_as_with_sqlalchemy(engine):
    # The driver's cursor would bypass autobegin, and the write escape commit and rollback.
    with engine.connect() as connection:
        INSERT.execute(connection, {"crew": "夜班", "starts_at": EIGHT, "note": None})
        assert connection.in_transaction()
    with engine.connect() as connection:  # closed without commit: rolled back
        assert BY_CREW.execute(connection, {"crew": "夜班"}) == []


WITH_ID = DriverStatement(shifts.insert(), columns=("shift_id", "crew", "starts_at"))


def test_deferred_inserts_are_written_by_the_commit(engine):
    with engine.connect() as connection:
        connection.begin()
        deferred = DeferredWrites()
        deferred.add(INSERT, {"crew": "热力一班", "starts_at": EIGHT, "note": "交接班"})
        deferred.add(INSERT, {"crew": "热力一班", "starts_at": EIGHT + timedelta(hours=8), "note": None})
        assert BY_CREW.execute(connection, {"crew": "热力一班"}) == []  # not before the commit
        deferred.commit(connection)
        assert not connection.in_transaction()
    with engine.connect() as connection:
        assert [note for _, _, note, _ in BY_CREW.execute(connection, {"crew": "热力一班"})] == ["交接班", None]


def test_a_failing_deferred_insert_fails_the_commit_and_undoes_the_whole_transaction(engine):
    with engine.begin() as connection:
        WITH_ID.execute(connection, {"shift_id": 7, "crew": "运转甲班", "starts_at": EIGHT})
    with engine.connect() as connection:
        connection.begin()
        INSERT.execute(connection, {"crew": "运转乙班", "starts_at": EIGHT, "note": "先写入"})
        deferred = DeferredWrites()
        deferred.add(INSERT, {"crew": "运转乙班", "starts_at": EIGHT, "note": "延后写入"})
        deferred.add(WITH_ID, {"shift_id": 7, "crew": "运转乙班", "starts_at": EIGHT})  # taken
        with pytest.raises(sa.exc.IntegrityError):
            deferred.commit(connection)
        assert not connection.in_transaction()
        # The connection is usable, and nothing of the failed transaction stayed.
        assert BY_CREW.execute(connection, {"crew": "运转乙班"}) == []


FINISH_IF_OPEN = DriverStatement(shifts.update().where(shifts.c.crew == sa.bindparam("crew"),
                                                       shifts.c.done.is_(sa.false())).values(done=sa.true()))


def shifts_of(engine, crew: str) -> list[tuple]:
    with engine.connect() as connection:
        return [(note, done) for _, _, note, done in BY_CREW.execute(connection, {"crew": crew})]


def test_guarded_inserts_are_written_only_when_the_guard_changes_a_row(engine):
    with engine.begin() as connection:
        INSERT.execute(connection, {"crew": "热力一班", "starts_at": EIGHT, "note": "锅炉房巡检"})
    handover = {"crew": "热力二班", "starts_at": EIGHT + timedelta(hours=8), "note": "接班"}
    for attempt in range(2):
        with engine.connect() as connection:
            connection.begin()
            deferred = DeferredWrites()
            deferred.guard(FINISH_IF_OPEN, {"crew": "热力一班"})
            deferred.add(INSERT, handover)
            deferred.add(INSERT, {**handover, "starts_at": EIGHT + timedelta(hours=16), "note": None})
            if attempt == 0:
                deferred.commit(connection)
            else:  # the shift is done now: the guard matches nothing
                with pytest.raises(Aborted):
                    deferred.commit(connection)
            assert not connection.in_transaction()
        assert shifts_of(engine, "热力一班") == [("锅炉房巡检", True)]
        assert shifts_of(engine, "热力二班") == [("接班", False), (None, False)]  # once


@pytest.mark.parametrize("optimistic", [False, True], ids=["in-a-transaction", "optimistic"])
def test_a_guarded_write_is_all_or_nothing(engine, optimistic):
    # An optimistic unit on PostgreSQL commits each statement by itself: the
    # guard's UPDATE and the inserts must be one statement.
    with engine.begin() as connection:
        WITH_ID.execute(connection, {"shift_id": 7, "crew": "运转甲班", "starts_at": EIGHT})
    with SqlUnitOfWork(engine, optimistic=optimistic) as unit:
        unit.deferred.guard(FINISH_IF_OPEN, {"crew": "运转甲班"})
        unit.deferred.add(INSERT, {"crew": "运转甲班", "starts_at": EIGHT, "note": "交班"})
        unit.deferred.add(WITH_ID, {"shift_id": 7, "crew": "运转甲班", "starts_at": EIGHT})  # taken
        with pytest.raises(sa.exc.IntegrityError):
            unit.commit()
    assert shifts_of(engine, "运转甲班") == [(None, False)]


def test_a_guard_with_returning_that_changes_nothing_writes_nothing(engine):
    deferred = DeferredWrites()
    deferred.guard(FINISH, {"crew": "无此班组", "note": "完成"})
    deferred.add(INSERT, {"crew": "检修三班", "starts_at": EIGHT, "note": None})
    with engine.connect() as connection:
        connection.begin()
        with pytest.raises(Aborted):
            deferred.commit(connection)
    assert shifts_of(engine, "检修三班") == []


def test_inserts_under_a_guard_that_changes_several_rows_are_written_once(engine):
    with engine.begin() as connection:
        for hours in (0, 8):
            INSERT.execute(connection, {"crew": "检修二班", "starts_at": EIGHT + timedelta(hours=hours), "note": None})
    with SqlUnitOfWork(engine, optimistic=True) as unit:
        unit.deferred.guard(FINISH_IF_OPEN, {"crew": "检修二班"})
        unit.deferred.add(INSERT, {"crew": "值班记录", "starts_at": EIGHT, "note": "两个班次均已完成"})
        unit.commit()
    assert shifts_of(engine, "检修二班") == [(None, True), (None, True)]
    assert shifts_of(engine, "值班记录") == [("两个班次均已完成", False)]


@pytest.mark.parametrize("insert, params, refusal", [
    (DriverStatement(shifts.insert()), {"crew": "调度班", "starts_at": EIGHT}, "plain inserts"),
    (DriverStatement(shifts.insert().values(note=sa.func.upper(sa.bindparam("note"))), columns=("crew", "note")),
     {"crew": "调度班", "note": "a"}, "plain inserts"),  # its expression would be lost
    (DriverStatement(shifts.insert().values(note="白班"), columns=("crew", "starts_at", "note")),
     {"crew": "调度班", "starts_at": EIGHT}, "plain inserts"),  # and its value
    (INSERT, {"crew": "调度班", "starts_at": EIGHT, "note": None, "done": True}, r"not among its columns: \['done'\]"),
], ids=["no-columns", "expression", "literal", "unknown-key"])
def test_a_guard_conditions_plain_inserts_with_their_own_keys(pg_engine, insert, params, refusal):
    deferred = DeferredWrites()
    deferred.guard(FINISH_IF_OPEN, {"crew": "调度班"})
    with pytest.raises(ValueError, match="one guard"):
        deferred.guard(FINISH_IF_OPEN, {"crew": "夜班"})
    deferred.add(insert, params)
    with pg_engine.connect() as connection:  # on SQLite they run one by one, as they are
        connection.begin()
        with pytest.raises(ValueError, match=refusal):
            deferred.commit(connection)


def test_a_guards_parameters_are_named_apart_from_the_inserts(pg_engine):
    named_like_an_insert = DriverStatement(shifts.update().where(shifts.c.crew == sa.bindparam("w0_crew"))
                                           .values(done=sa.true()))
    deferred = DeferredWrites()
    deferred.guard(named_like_an_insert, {"w0_crew": "调度班"})
    deferred.add(INSERT, {"crew": "调度班", "starts_at": EIGHT, "note": None})
    with pg_engine.connect() as connection:
        connection.begin()
        with pytest.raises(ValueError, match=r"\['w0_crew'\] are named as an insert's"):
            deferred.commit(connection)


@pytest.fixture
def pg_engine(pg_url):
    """An engine of its own, used by one thread: its pool hands the same
    connection out again and again (the tests check that it does)."""
    with shifts_database(pg_url) as engine:
        yield engine


def backend_and_autocommit(engine) -> tuple[int, bool]:
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        return driver.info.backend_pid, driver.autocommit


def test_an_optimistic_unit_reads_outside_a_transaction_and_returns_its_connection_as_it_was(pg_engine):
    with SqlUnitOfWork(pg_engine, optimistic=True) as unit:
        assert BY_CREW.execute(unit.connection, {"crew": "热力一班"}) == []
        driver = unit.connection.connection.driver_connection
        assert driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # no BEGIN went out
        unit.deferred.guard(FINISH_IF_OPEN, {"crew": "热力一班"})
        with pytest.raises(Aborted):
            unit.commit()
    assert backend_and_autocommit(pg_engine) == (driver.info.backend_pid, False)
    with SqlUnitOfWork(pg_engine) as unit:  # an ordinary unit on the same connection is a transaction again
        INSERT.execute(unit.connection, {"crew": "热力一班", "starts_at": EIGHT, "note": None})
        assert unit.connection.connection.driver_connection.info.transaction_status \
            == psycopg.pq.TransactionStatus.INTRANS
    assert shifts_of(pg_engine, "热力一班") == []  # not committed


def test_an_optimistic_unit_refuses_writes_that_bypass_its_guard(pg_engine):
    with SqlUnitOfWork(pg_engine, optimistic=True) as unit:
        unit.deferred.add(INSERT, {"crew": "夜班", "starts_at": EIGHT, "note": "无条件写入"})
        with pytest.raises(RuntimeError, match="guard"):
            unit.commit()
    assert shifts_of(pg_engine, "夜班") == []


def test_an_optimistic_unit_that_fails_to_open_returns_its_connection_as_it_was(pg_engine):
    class Broken(SqlUnitOfWork):
        def _on_enter(self, connection):
            raise RuntimeError("repositories could not be built")

    backend, _ = backend_and_autocommit(pg_engine)
    with pytest.raises(RuntimeError):
        with Broken(pg_engine, optimistic=True):
            pass
    assert backend_and_autocommit(pg_engine) == (backend, False)
