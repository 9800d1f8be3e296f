"""The inbox query on SQLite and PostgreSQL: its order (unread first, then
pinned, then newest, the notice id breaking ties), keyset pages of any size
without duplicates or gaps, filters, notices that change after delivery
(edits, revocation, scheduled publication), and migration 0006 giving the
receipts delivered before it their notice's inbox keys; after migration
0007, the worker's re-planning making the notices awaiting reminders due."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from hubkit.auth import Caller
from hubkit.db import migrate
from hubkit.wiring import engine_for, migrations_dir
from notice import group_handlers as groups, handlers, reminder_handlers
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.adapters.tables import group_members, groups as groups_table, notices, receipts, reminder_stages
from notice.domain import commands
from notice.domain.groups import MemberInput
from notice.domain.kinds import Category, Priority
from notice.domain.model import Limits

SECRETARY = Caller("u-secretary", departments=("炼钢厂",))
READER = Caller("u-reader", departments=("炼钢厂",))
COLLEAGUE = Caller("u-colleague", departments=("炼钢厂",))


@pytest.fixture
def crew(uow, clock):
    group = groups.create_group(commands.CreateGroup("转炉甲班", "炼钢厂"), caller=SECRETARY, uow=uow(), clock=clock)
    groups.add_members(commands.AddMembers(group.group_id, (MemberInput(READER.user_id, "炼钢厂"),
                                                            MemberInput(COLLEAGUE.user_id, "炼钢厂"))),
                       caller=SECRETARY, uow=uow(), clock=clock)
    return group


def publish(uow, clock, group, title, **fields):
    cmd = commands.PublishNotice((group.group_id,), title, "请各岗位认真落实。", **fields)
    return handlers.publish_notice(cmd, caller=SECRETARY, uow=uow(), limits=Limits(), clock=clock)


def inbox(uow, caller=READER, page_size=20, **filters) -> list[str]:
    """Titles of the caller's whole inbox, page by page through the cursors
    (a cursor that does not move on fails instead of paging forever)."""
    titles, cursor = [], ""
    for _ in range(50):
        items, cursor = handlers.list_inbox(commands.ListInbox(page_size=page_size, cursor=cursor, **filters),
                                            caller=caller, uow=uow(read_only=True))
        titles += [item.notice.title for item in items]
        if not cursor:
            return titles
    raise AssertionError(f"still paging after 50 pages: {titles[:12]}")


def test_pages_of_every_size_follow_the_order_across_ties_and_sections(uow, clock, crew):
    published = {}
    for n in range(10):
        if n % 3 == 0:
            clock.advance(minutes=5)  # three notices at a time share their publication time
        notice = publish(uow, clock, crew, f"第{n}号调度令", pinned=n in (1, 4, 8))
        published[notice.title] = notice
    for n in (0, 1, 5, 8):
        handlers.mark_read(commands.MarkRead(published[f"第{n}号调度令"].notice_id), caller=READER, uow=uow(),
                           clock=clock)

    def newest_id_first(*numbers):  # same publication time: the larger notice id first
        titles = [f"第{n}号调度令" for n in numbers]
        return sorted(titles, key=lambda title: published[title].notice_id, reverse=True)
    expected = [
        *newest_id_first(4),  # unread and pinned
        *newest_id_first(9), *newest_id_first(6, 7), *newest_id_first(3), *newest_id_first(2),  # unread
        *newest_id_first(8), *newest_id_first(1),  # read and pinned
        *newest_id_first(5), *newest_id_first(0),  # read
    ]
    for page_size in (1, 2, 3, 4, 20):
        assert inbox(uow, page_size=page_size) == expected, page_size


def test_edits_and_revocation_move_a_notice_in_every_inbox(uow, clock, crew):
    titles = ["高炉休风通知", "煤气区域作业许可", "班前会学习材料"]
    ids = {}
    for title in titles:
        clock.advance(minutes=10)
        ids[title] = publish(uow, clock, crew, title).notice_id
    oldest, middle, newest = titles

    def edit(title, **changes):
        handlers.edit_notice(commands.EditNotice(ids[title], **changes), caller=SECRETARY, uow=uow(),
                             limits=Limits(), clock=clock)
    assert inbox(uow) == inbox(uow, COLLEAGUE) == [newest, middle, oldest]
    edit(oldest, pinned=True)
    assert inbox(uow) == inbox(uow, COLLEAGUE) == [oldest, newest, middle]
    edit(oldest, category=Category.TASK, priority=Priority.URGENT)
    assert inbox(uow, category=Category.TASK) == inbox(uow, priority=Priority.URGENT) == [oldest]
    assert inbox(uow, COLLEAGUE, category=Category.NOTICE) == [newest, middle]
    edit(oldest, pinned=False)
    assert inbox(uow) == [newest, middle, oldest]

    handlers.mark_read(commands.MarkRead(ids[newest]), caller=READER, uow=uow(), clock=clock)
    handlers.revoke_notice(commands.RevokeNotice(ids[middle], "作业计划调整"), caller=SECRETARY, uow=uow(),
                           clock=clock)
    assert inbox(uow) == [oldest, newest]
    assert inbox(uow, COLLEAGUE) == [newest, oldest]
    assert inbox(uow, category=Category.NOTICE) == [newest]


def test_a_scheduled_notice_takes_its_planned_time_in_inboxes_not_its_delivery_time(uow, clock, crew):
    start = clock.now
    publish(uow, clock, crew, "节后复工安全交底", publish_at=start + timedelta(hours=1))
    clock.advance(minutes=30)
    publish(uow, clock, crew, "周三设备点检安排")
    clock.advance(minutes=60)
    publish(uow, clock, crew, "周四停水通知")
    clock.advance(minutes=30)  # the sweep comes an hour late
    assert reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock).published == 1
    assert inbox(uow) == ["周四停水通知", "节后复工安全交底", "周三设备点检安排"]


def test_migration_0006_gives_receipts_delivered_before_it_their_inbox_keys(hub_config, db_url, clock):
    engine = engine_for(hub_config(NOTICE_DATABASE_URL=db_url), "notice")
    migrate(engine, migrations_dir("notice"), "0005")
    at = clock.now
    notices_before = [  # title, minutes after `at`, pinned, category, status, read by the reader
        ("旧规程废止通知", 0, True, "notice", "published", False),
        ("月度检修任务", 10, False, "task", "published", False),
        ("安全月活动方案", 20, False, "notice", "published", True),
        ("误发的通知", 30, False, "notice", "revoked", False),
    ]
    with engine.begin() as connection:
        connection.execute(groups_table.insert().values(group_id="g1", name="转炉乙班", department="炼钢厂",
                                                        created_by=SECRETARY.user_id, created_at=at))
        connection.execute(group_members.insert().values(group_id="g1", user_id=READER.user_id, department="炼钢厂",
                                                         role="member", joined_at=at))
        for n, (title, minutes, pinned, category, status, read) in enumerate(notices_before):
            published_at = at + timedelta(minutes=minutes)
            connection.execute(notices.insert().values(
                notice_id=f"n{n}", title=title, body="请各岗位认真落实。", author_id=SECRETARY.user_id,
                published_at=published_at, category=category, pinned=pinned, status=status, recipient_count=1))
            # The receipt as 0003 knew it: none of the copied keys.
            connection.execute(receipts.insert().values(
                notice_id=f"n{n}", user_id=READER.user_id, department="炼钢厂", delivered_at=published_at,
                read_at=published_at + timedelta(minutes=1) if read else None))
    migrate(engine, migrations_dir("notice"))

    def uow(read_only=False):
        return SqlNoticeUnitOfWork(engine, read_only=read_only)
    assert inbox(uow) == ["旧规程废止通知", "月度检修任务", "安全月活动方案"]
    assert inbox(uow, category=Category.TASK) == ["月度检修任务"]


def test_after_migration_0007_the_workers_replan_makes_the_notices_awaiting_reminders_due(hub_config, db_url,
                                                                                           clock):
    engine = engine_for(hub_config(NOTICE_DATABASE_URL=db_url), "notice")
    migrate(engine, migrations_dir("notice"), "0006")
    at, deadline = clock.now, clock.now + timedelta(hours=10)
    before = {  # notice id: (status, deadline, escalated)
        "n-awaiting": ("published", deadline, False),
        "n-escalated": ("published", deadline, True),
        "n-no-deadline": ("published", None, False),
        "n-revoked": ("revoked", deadline, False),
    }
    with engine.begin() as connection:
        for notice_id, (status, ack_deadline, escalated) in before.items():
            connection.execute(notices.insert().values(
                notice_id=notice_id, title="班前安全讲话要点", body="请各班组长组织学习。", author_id=SECRETARY.user_id,
                published_at=at, status=status, requires_ack=ack_deadline is not None, ack_deadline=ack_deadline))
            if escalated:
                connection.execute(reminder_stages.insert().values(notice_id=notice_id, stage="overdue",
                                                                   sent_at=deadline, pending_count=1))
    migrate(engine, migrations_dir("notice"))
    uow = lambda: SqlNoticeUnitOfWork(engine)  # noqa: E731
    clock.advance(hours=5)
    assert reminder_handlers.replan(uow=uow(), clock=clock) == 1
    with uow() as unit:
        assert unit.notices.due_for_reminders(clock.now, 10) == ["n-awaiting"]
    reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock)  # its 50 % point passed: the 90 % one next
    with uow() as unit:
        assert unit.notices.due_for_reminders(clock.now + timedelta(hours=3, minutes=59), 10) == []
        assert unit.notices.due_for_reminders(clock.now + timedelta(hours=4), 10) == ["n-awaiting"]
