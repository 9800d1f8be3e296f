"""The notice worker's timer entrypoint with a real SQLite database."""
from datetime import datetime, timedelta, timezone

import pytest
from nameko.testing.services import worker_factory

from hubkit.auth import Caller
from hubkit.db import make_engine, migrate
from hubkit.wiring import migrations_dir
from notice import group_handlers, handlers
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.adapters.tables import notices
from notice.domain import commands
from notice.domain.groups import MemberInput
from notice.domain.model import Limits
from notice.service import NoticeWorker

STATIONMASTER = Caller("u-yan", departments=("客运段",))


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/notice.db")
    migrate(engine, migrations_dir("notice"))
    return engine


def outbox_types(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.exec_driver_sql("select routing_key from outbox order by id").scalars())


def test_the_timer_publishes_due_notices_and_escalates_overdue_ones_once(engine):
    uow = lambda: SqlNoticeUnitOfWork(engine)  # noqa: E731
    group = group_handlers.create_group(commands.CreateGroup("列车长班组", "客运段"), caller=STATIONMASTER, uow=uow())
    group_handlers.add_members(commands.AddMembers(group.group_id, (MemberInput("u-conductor", "客运段"),)),
                               caller=STATIONMASTER, uow=uow())
    two_hours_ago = datetime.now(timezone.utc) - timedelta(hours=2)
    # Published two hours ago with a deadline one hour ago; and one scheduled for a moment ago.
    handlers.publish_notice(commands.PublishNotice(
        (group.group_id,), "春运乘务安全须知", "请全体列车长确认。", requires_ack=True,
        ack_deadline=two_hours_ago + timedelta(hours=1)), caller=STATIONMASTER, uow=uow(), limits=Limits(),
        clock=lambda: two_hours_ago)
    handlers.publish_notice(commands.PublishNotice(
        (group.group_id,), "节前车厢卫生检查", "周五前完成。", publish_at=two_hours_ago + timedelta(minutes=119)),
        caller=STATIONMASTER, uow=uow(), limits=Limits(), clock=lambda: two_hours_ago)

    with engine.begin() as connection:  # as an older version of the hub left it: no plan for reminders
        connection.execute(notices.update().values(next_reminder_at=None))
    service = worker_factory(NoticeWorker, uow=uow, sweep_settings={"uow_factory": uow, "schedule": (50, 90),
                                                                     "replan_on_start": True})
    service.sweep_reminders()  # the first re-plans
    service.sweep_reminders()  # a second tick finds nothing left to do
    assert outbox_types(engine).count("notice.overdue") == 1
    assert outbox_types(engine).count("notice.published") == 2
    assert outbox_types(engine).count("notice.reminder_due") == 0  # the deadline passed: escalate, not remind
