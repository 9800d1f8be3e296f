"""Publishing rules and the publish use case, on an in-memory unit of work."""
from datetime import datetime, timezone

import pytest

from hubkit.auth import Caller
from hubkit.errors import InvalidArgument, NotFound
from notice import handlers
from notice.domain import commands, events
from notice.domain.model import Limits
from notice.ports import GroupRepository, NoticeRepository, NoticeUnitOfWork

NOW = datetime(2026, 11, 24, 8, 30, tzinfo=timezone.utc)
SECRETARY = Caller(user_id="u-wang", departments=("炼钢厂设备科",))


class FakeGroups(GroupRepository):
    def __init__(self, ids):
        self.ids = set(ids)
        self.added = []

    def add(self, group):
        self.added.append(group)
        self.ids.add(group.group_id)

    def existing_ids(self, group_ids):
        return self.ids & set(group_ids)


class FakeNotices(NoticeRepository):
    def __init__(self):
        self.rows = {}

    def add(self, notice):
        self.rows[notice.notice_id] = notice

    def get(self, notice_id):
        return self.rows.get(notice_id)


class FakeUnitOfWork(NoticeUnitOfWork):
    """Stages writes and keeps them only on commit, like the SQL one."""

    def __init__(self, group_ids=("g-furnace",)):
        self.groups = FakeGroups(group_ids)
        self.notices = FakeNotices()
        self.published = []
        self._staged = []
        self.committed = False

    def publish(self, event):
        self._staged.append(event)

    def emit(self, envelope):
        raise AssertionError("handlers publish domain events, the adapter builds envelopes")

    def claim_event(self, consumer, event_id):
        raise AssertionError("not a consumer")

    def commit(self):
        self.published.extend(self._staged)
        self._staged.clear()
        self.committed = True

    def rollback(self):
        self._staged.clear()


def publish(uow, **fields):
    cmd = commands.PublishNotice(**{"group_ids": ("g-furnace",), "title": "高炉检修通知", "body": "周三停炉检修。", **fields})
    return handlers.publish_notice(cmd, caller=SECRETARY, uow=uow, limits=Limits(max_title_chars=20, max_body_chars=50),
                                   clock=lambda: NOW)


def test_publish_stores_the_notice_and_announces_it():
    uow = FakeUnitOfWork()
    notice = publish(uow, title="  高炉检修通知  ")
    assert notice.title == "高炉检修通知"  # trimmed
    assert notice.author_id == "u-wang" and notice.published_at == NOW
    assert uow.notices.get(notice.notice_id) == notice
    assert uow.published == [events.NoticePublished(notice.notice_id, ("g-furnace",), "高炉检修通知", "周三停炉检修。",
                                                     "u-wang", NOW)]


@pytest.mark.parametrize("fields, error, field", [
    ({"title": "   "}, InvalidArgument, "title"),
    ({"title": "长" * 21}, InvalidArgument, "title"),
    ({"body": "字" * 51}, InvalidArgument, "body"),
    ({"group_ids": ()}, InvalidArgument, "group_ids"),
    ({"group_ids": ("g-furnace", " ")}, InvalidArgument, "group_ids[1]"),
    ({"group_ids": ("g-furnace", "g-nowhere")}, NotFound, "group_ids[1]"),
])
def test_bad_input_names_the_field_and_stores_nothing(fields, error, field):
    uow = FakeUnitOfWork()
    with pytest.raises(error) as raised:
        publish(uow, **fields)
    assert raised.value.field == field
    assert uow.notices.rows == {} and uow.published == [] and not uow.committed


def test_repeated_target_groups_count_once():
    notice = publish(FakeUnitOfWork(group_ids=("g-furnace", "g-rolling")),
                     group_ids=("g-furnace", "g-rolling", "g-furnace"))
    assert notice.group_ids == ("g-furnace", "g-rolling")


def test_a_notice_is_hidden_from_outsiders_as_not_found():
    uow = FakeUnitOfWork()
    notice = publish(uow)
    member = Caller(user_id="u-li", groups=("g-furnace",))
    outsider = Caller(user_id="u-zhao", groups=("g-rolling",))
    assert handlers.get_notice(commands.GetNotice(notice.notice_id), caller=member, uow=uow) == notice
    with pytest.raises(NotFound) as raised:
        handlers.get_notice(commands.GetNotice(notice.notice_id), caller=outsider, uow=uow)
    assert raised.value.field == "notice_id"


def test_create_group_validates_and_announces():
    uow = FakeUnitOfWork(group_ids=())
    group = handlers.create_group(commands.CreateGroup("二号高炉班组", "炼铁厂"), caller=SECRETARY, uow=uow,
                                  clock=lambda: NOW)
    assert uow.groups.added == [group]
    assert uow.published == [events.GroupCreated(group.group_id, "二号高炉班组", "炼铁厂", "u-wang")]
    with pytest.raises(InvalidArgument) as raised:
        handlers.create_group(commands.CreateGroup("", "炼铁厂"), caller=SECRETARY, uow=uow)
    assert raised.value.field == "name"
