"""The reports worker's entrypoints with a real SQLite read model."""
import pytest
from nameko.testing.services import worker_factory

from hub.events.v1 import notice_events_pb2
from hubkit.db import make_engine, migrate
from hubkit.envelope import new_envelope
from hubkit.wiring import migrations_dir
from reports import handlers
from reports.adapters.repository import SqlReportsUnitOfWork
from reports.service import ReportsWorker


@pytest.fixture
def service(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/reports.db")
    migrate(engine, migrations_dir("reports"))
    return worker_factory(ReportsWorker, uow=lambda: SqlReportsUnitOfWork(engine))


def test_notices_are_counted_per_group_once_each(service):
    service.on_group_created(new_envelope("group.created", notice_events_pb2.GroupCreated(
        group_id="g-loco", name="机务段检修组", department="机务段")))
    first = new_envelope("notice.published", notice_events_pb2.NoticePublished(
        notice_id="n-1", group_ids=["g-loco", "g-yard"], title="机车整备要求"))
    second = new_envelope("notice.published", notice_events_pb2.NoticePublished(
        notice_id="n-2", group_ids=["g-loco"], title="冬季防寒措施"))
    for event in (first, second, first):  # the first one redelivered
        service.on_notice_published(event)
    rows = handlers.notice_counts_by_group((), uow=service.uow())
    assert [(r.group_id, r.group_name, r.notice_count) for r in rows] == [
        ("g-loco", "机务段检修组", 2), ("g-yard", "", 1)]
