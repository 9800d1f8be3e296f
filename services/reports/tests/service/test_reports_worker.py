"""The reports worker's entrypoints (event handlers and the schedule timer)
with worker_factory and a real SQLite database."""
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory

from hub.events.v1 import notice_events_pb2
from hubkit.auth import SYSTEM_ROLE, Caller
from hubkit.db import make_engine, migrate
from hubkit.envelope import new_envelope
from hubkit.wiring import migrations_dir
from reports import handlers
from reports.adapters.rendering import renderers
from reports.adapters.repository import SqlReportsUnitOfWork
from reports.bootstrap import Schedule
from reports.domain.acknowledgement import ChronicPolicy
from reports.report_kinds import report_kinds
from reports.service import ReportsWorker


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/reports.db")
    migrate(engine, migrations_dir("reports"))
    return engine


def new_worker(engine, zone):
    pipeline = handlers.Pipeline(report_kinds(ChronicPolicy()), renderers(), zone)
    return worker_factory(ReportsWorker, uow=partial(SqlReportsUnitOfWork, engine),
                          schedule=Schedule(pipeline, timedelta(minutes=30)))


@pytest.fixture
def service(engine):
    from zoneinfo import ZoneInfo
    return new_worker(engine, ZoneInfo("Asia/Shanghai"))


def deliver(service, envelope):
    getattr(service, "on_" + envelope.event_type.replace(".", "_"))(envelope)


def scalar(engine, sql):
    with engine.connect() as connection:
        return connection.exec_driver_sql(sql).scalar()


def test_notices_are_counted_per_group_once_each(service):
    service.on_group_created(new_envelope("group.created", notice_events_pb2.GroupCreated(
        group_id="g-loco", name="机务段检修组", department="机务段")))
    first = new_envelope("notice.published", notice_events_pb2.NoticePublished(
        notice_id="n-1", group_ids=["g-loco", "g-yard"], title="机车整备要求"))
    second = new_envelope("notice.published", notice_events_pb2.NoticePublished(
        notice_id="n-2", group_ids=["g-loco"], title="冬季防寒措施"))
    for event in (first, second, first):  # the first one redelivered
        service.on_notice_published(event)
    rows = handlers.notice_counts_by_group((), caller=Caller("ops", roles=(SYSTEM_ROLE,)), uow=service.uow())
    assert [(r.group_id, r.group_name, r.notice_count) for r in rows] == [
        ("g-loco", "机务段检修组", 2), ("g-yard", "", 1)]


def test_every_event_is_journalled_and_projected_once(service, engine, history):
    for envelope in history + history[:5]:  # some redelivered
        deliver(service, envelope)
    assert scalar(engine, "select count(*) from event_journal") == len(history)
    assert scalar(engine, "select count(*) from rm_notices") == 3
    assert scalar(engine, "select revoked_at is not null from rm_notices where notice_id = 'n-3'") == 1
    assert scalar(engine, "select count(*) from rm_receipts where acknowledged_at is not null") == 3
    assert scalar(engine, "select count(*) from rm_laggards") == 3
    assert scalar(engine, "select status from rm_findings where finding_id = 'f-4'") == "VERIFIED"
    assert scalar(engine, "select count(*) from rm_incidents") == 1
    assert scalar(engine, "select name from group_names where group_id = 'g-boiler'") == "动力厂锅炉运行班"


def test_the_schedule_generates_each_report_once_across_runs_and_restarts(service, engine):
    service.generate_scheduled_reports()
    # inspection.weekly (week), acknowledgement (week and quarter), energy (quarter)
    assert scalar(engine, "select count(*) from reports") == 4
    service.generate_scheduled_reports()
    from zoneinfo import ZoneInfo
    restarted = new_worker(engine, ZoneInfo("Asia/Shanghai"))  # a fresh worker: nothing kept in memory
    restarted.generate_scheduled_reports()
    assert scalar(engine, "select count(*) from reports") == 4
    assert scalar(engine, "select count(*) from outbox where routing_key = 'report.generated'") == 4
    with engine.connect() as connection:
        kinds = connection.execute(sa.text("select kind, period from reports order by kind, period")).all()
    assert [k for k, _ in kinds] == ["acknowledgement", "acknowledgement", "energy", "inspection.weekly"]
