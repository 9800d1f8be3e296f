"""Notices, receipts, inbox, statistics, reminders and shares on SQLite and PostgreSQL."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from hubkit.auth import SYSTEM_ROLE, Caller
from hubkit.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from hubkit.wiring import engine_for, migrate_service
from notice import group_handlers as groups, handlers, reminder_handlers, share_handlers
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.domain import commands
from notice.domain.audit import EntityKind
from notice.domain.groups import MemberInput, Role
from notice.domain.kinds import Category, Priority, ShareKind, Status
from notice.domain.model import Limits

CHIEF = Caller("u-duan", departments=("车务段",))
DRIVERS = [Caller(f"u-driver{n}", departments=("机务段",)) for n in range(3)]
SIGNALMEN = [Caller(f"u-signal{n}", departments=("电务段",)) for n in range(2)]
OUTSIDER = Caller("u-visitor", departments=("工务段",))
LIMITS = Limits()


@pytest.fixture
def depot(uow, clock):
    """A group with an admin, three drivers and two signalmen; and a second group sharing a driver."""
    group = groups.create_group(commands.CreateGroup("调度指挥群", "车务段"), caller=CHIEF, uow=uow(), clock=clock)
    people = [MemberInput("u-admin", "车务段", Role.ADMIN)] + [
        MemberInput(c.user_id, c.departments[0]) for c in DRIVERS + SIGNALMEN]
    groups.add_members(commands.AddMembers(group.group_id, tuple(people)), caller=CHIEF, uow=uow(), clock=clock)
    other = groups.create_group(commands.CreateGroup("机车整备组", "机务段"), caller=CHIEF, uow=uow(), clock=clock)
    groups.add_members(commands.AddMembers(other.group_id, (MemberInput("u-driver0", "机务段"),
                                                            MemberInput("u-fitter", "机务段"))),
                       caller=CHIEF, uow=uow(), clock=clock)
    groups.add_members(commands.AddMembers(other.group_id, (MemberInput("u-visitor", "工务段"),)), caller=CHIEF,
                       uow=uow(), clock=clock)
    groups.remove_member(commands.RemoveMember(other.group_id, "u-visitor"), caller=CHIEF, uow=uow(), clock=clock)
    return group, other


def publish(uow, clock, group_ids, *, caller=CHIEF, **fields):
    cmd = commands.PublishNotice(tuple(group_ids), fields.pop("title", "雨雪天气行车安全措施"),
                                 fields.pop("body", "各岗位严格执行雨雪天气行车安全措施。"), **fields)
    return handlers.publish_notice(cmd, caller=caller, uow=uow(), limits=LIMITS, clock=clock)


def test_publication_creates_one_receipt_per_distinct_recipient_and_one_event(uow, clock, depot, row_count,
                                                                               outbox_events):
    group, other = depot
    groups.add_members(commands.AddMembers(other.group_id, (MemberInput("u-lone", "供电段"),)), caller=CHIEF,
                       uow=uow())
    groups.remove_member(commands.RemoveMember(other.group_id, "u-lone"), caller=CHIEF, uow=uow())
    notice = publish(uow, clock, [group.group_id, other.group_id], recipient_user_ids=("u-signal0",),
                     category=Category.SAFETY_ALERT, priority=Priority.URGENT, requires_ack=True,
                     ack_deadline=clock.now + timedelta(hours=8), attachment_document_ids=("doc-rules",))
    # admin + 3 drivers + 2 signalmen + fitter; the author and the shared driver count once
    assert notice.recipient_count == 7 == row_count("receipts", f"where notice_id = '{notice.notice_id}'")
    [event] = outbox_events("notice.published")
    assert (event["noticeId"], event["recipientCount"], event["category"], event["priority"],
            event["requiresAck"], event["attachmentDocumentIds"], event["version"]) == (
        notice.notice_id, 7, "NOTICE_CATEGORY_SAFETY_ALERT", "NOTICE_PRIORITY_URGENT", True, ["doc-rules"], 1)
    with pytest.raises(NotFound) as raised:
        publish(uow, clock, [group.group_id], recipient_user_ids=("u-driver1", "u-nobody"))
    assert raised.value.field == "recipient_user_ids[1]"


def test_publishers_need_the_posting_right_in_every_target_and_system_callers_have_it(uow, clock, depot):
    group, other = depot
    with pytest.raises(PermissionDenied) as raised:  # a member of both, a manager of neither
        publish(uow, clock, [group.group_id, other.group_id], caller=DRIVERS[0])
    assert raised.value.field == "group_ids[0]"
    with pytest.raises(PermissionDenied) as raised:  # a manager of the first only
        publish(uow, clock, [group.group_id, other.group_id],
                caller=Caller("u-admin", departments=("车务段",)))
    assert raised.value.field == "group_ids[1]"
    with pytest.raises(NotFound) as raised:
        publish(uow, clock, [group.group_id, "no-such-group"], caller=CHIEF)
    assert raised.value.field == "group_ids[1]"
    # An integrating system (an OA bridge) belongs to no group and may post to all.
    bridge = Caller("oa-bridge", roles=(SYSTEM_ROLE,))
    notice = publish(uow, clock, [group.group_id, other.group_id], caller=bridge)
    assert notice.recipient_count == 8  # everyone in both groups, the chief included
    groups.archive_group(commands.ArchiveGroup(other.group_id), caller=CHIEF, uow=uow(), clock=clock)
    with pytest.raises(FailedPrecondition) as raised:
        publish(uow, clock, [other.group_id], caller=bridge)
    assert raised.value.field == "group_ids[0]"


def test_reading_and_acknowledging_count_once(uow, clock, depot, outbox_events, row_count):
    group, _ = depot
    ack_uow = lambda: uow(optimistic=True)  # noqa: E731 - as the API acknowledges
    notice = publish(uow, clock, [group.group_id], requires_ack=True, ack_deadline=clock.now + timedelta(hours=4))
    reader = DRIVERS[1]
    clock.advance(minutes=5)
    view = handlers.open_notice(commands.GetNotice(notice.notice_id), caller=reader, uow=uow(read_only=True),
                                mark_read_uow=uow(), clock=clock)
    assert view.receipt.read_at == clock.now and [v.version for v in view.versions] == [1]
    handlers.open_notice(commands.GetNotice(notice.notice_id), caller=reader, uow=uow(read_only=True),
                         mark_read_uow=uow(), clock=clock)
    assert len(outbox_events("receipt.read")) == 1

    first = handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id, "已传达到班组"), caller=reader,
                                        uow=ack_uow(), clock=clock)
    clock.advance(minutes=1)
    second = handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id, "再次确认"), caller=reader,
                                         uow=ack_uow(), clock=clock)
    assert first[1] and not second[1] and second[0] == first[0]
    [acked] = outbox_events("receipt.acknowledged")
    assert acked["recipient"] == {"userId": "u-driver1", "department": "机务段"} and acked["comment"] == "已传达到班组"
    handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=SIGNALMEN[0], uow=ack_uow(),
                                clock=clock)

    with pytest.raises(NotFound):
        handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=OUTSIDER, uow=ack_uow())
    with pytest.raises(PermissionDenied) as raised:  # sees it (author) but is no recipient
        handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=CHIEF, uow=ack_uow())
    assert raised.value.field == "notice_id"
    with pytest.raises(NotFound):
        handlers.acknowledge_notice(commands.AcknowledgeNotice("n-missing"), caller=reader, uow=ack_uow())
    with pytest.raises(InvalidArgument) as raised:
        handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id, "长" * 501), caller=reader,
                                    uow=ack_uow())
    assert raised.value.field == "comment"

    stats = handlers.notice_stats(commands.GetNoticeStats(notice.notice_id), caller=Caller("u-admin"), uow=uow())
    assert (stats.recipients, stats.read, stats.acknowledged) == (6, 2, 2)
    assert stats.not_acknowledged == {"机务段": ["u-driver0", "u-driver2"], "电务段": ["u-signal1"],
                                      "车务段": ["u-admin"]}
    assert stats.not_read == stats.not_acknowledged
    with pytest.raises(PermissionDenied):
        handlers.notice_stats(commands.GetNoticeStats(notice.notice_id), caller=reader, uow=uow())
    assert row_count("audit_log", f"where entity_id = '{notice.notice_id}' and action = 'acknowledged'") == 2


def test_the_inbox_lists_unread_first_filters_and_pages_with_a_cursor(uow, clock, depot):
    group, _ = depot
    published = []
    for n in range(7):
        clock.advance(minutes=1)
        published.append(publish(uow, clock, [group.group_id], title=f"第{n}号调度命令",
                                 category=Category.TASK if n % 2 else Category.NOTICE,
                                 priority=Priority.URGENT if n == 3 else Priority.NORMAL, pinned=n == 1))
    reader = DRIVERS[0]
    for notice in (published[5], published[6]):
        handlers.mark_read(commands.MarkRead(notice.notice_id), caller=reader, uow=uow(), clock=clock)
    seen, cursor = [], ""
    while True:
        items, cursor = handlers.list_inbox(commands.ListInbox(page_size=3, cursor=cursor), caller=reader,
                                            uow=uow(read_only=True))
        seen += [item.notice.title for item in items]
        if not cursor:
            break
    assert seen == ["第1号调度命令", "第4号调度命令", "第3号调度命令", "第2号调度命令", "第0号调度命令",
                    "第6号调度命令", "第5号调度命令"]
    tasks, _ = handlers.list_inbox(commands.ListInbox(category=Category.TASK), caller=reader, uow=uow())
    assert [i.notice.title for i in tasks] == ["第1号调度命令", "第3号调度命令", "第5号调度命令"]
    urgent, _ = handlers.list_inbox(commands.ListInbox(priority=Priority.URGENT), caller=reader, uow=uow())
    assert [i.notice.title for i in urgent] == ["第3号调度命令"]
    assert handlers.list_inbox(commands.ListInbox(), caller=CHIEF, uow=uow()) == ([], "")  # the author's own


def test_the_acknowledgement_event_carries_the_notices_groups_and_times(uow, clock, depot, outbox_events):
    group, other = depot
    deadline = clock.now + timedelta(days=2)
    orders = ([other.group_id, group.group_id], [group.group_id, other.group_id])
    for order in orders:
        notice = publish(uow, clock, order, requires_ack=True, ack_deadline=deadline)
        handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=DRIVERS[0], uow=uow(),
                                    clock=clock)
    acked = outbox_events("receipt.acknowledged")
    assert [a["groupIds"] for a in acked] == list(orders)  # in the order each notice named them
    assert [(a["publishedAt"], a["ackDeadline"]) for a in acked] == [
        (published["publishedAt"], deadline.isoformat().replace("+00:00", "Z"))
        for published in outbox_events("notice.published")]


@pytest.mark.parametrize("optimistic", [False, True], ids=["in-a-transaction", "optimistic"])
def test_an_acknowledgement_that_waited_for_a_revocation_is_refused(uow, engine, clock, depot, outbox_events,
                                                                    optimistic):
    # The acknowledgement's UPDATE waits for the receipt rows the revocation
    # locked (PostgreSQL; its read before does not wait and still sees the
    # notice published) or for the writer lock (SQLite), then must see it.
    group, _ = depot
    notice = publish(uow, clock, [group.group_id], requires_ack=True)
    revoking, release = threading.Event(), threading.Event()

    class CommitsWhenReleased(SqlNoticeUnitOfWork):
        def commit(self):
            revoking.set()
            release.wait(10)
            super().commit()

    revocation = threading.Thread(target=handlers.revoke_notice, kwargs=dict(
        cmd=commands.RevokeNotice(notice.notice_id, "发错了班组"), caller=CHIEF, uow=CommitsWhenReleased(engine),
        clock=clock))
    revocation.start()
    assert revoking.wait(10)
    outcome = []

    def acknowledge():
        try:
            handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=DRIVERS[1],
                                        uow=uow(optimistic=optimistic))
        except FailedPrecondition as exc:
            outcome.append(exc)
    acknowledgement = threading.Thread(target=acknowledge)
    acknowledgement.start()
    acknowledgement.join(0.5)
    assert acknowledgement.is_alive()  # waiting for the revocation
    release.set()
    revocation.join(10)
    acknowledgement.join(10)
    assert len(outcome) == 1 and outcome[0].field == "notice_id"
    assert outbox_events("receipt.acknowledged") == []
    with uow() as unit:
        assert unit.receipts.get(notice.notice_id, DRIVERS[1].user_id).acknowledged_at is None


def test_an_acknowledgement_that_cannot_write_what_it_read_gives_up_after_a_second_reading(uow, engine, clock, depot):
    group, _ = depot
    notice = publish(uow, clock, [group.group_id], requires_ack=True)
    commits = []

    class AlwaysOvertaken(SqlNoticeUnitOfWork):
        def commit(self):
            commits.append(1)
            raise Aborted("changed meanwhile")

    with pytest.raises(Aborted):
        handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=DRIVERS[0],
                                    uow=AlwaysOvertaken(engine, optimistic=True))
    assert len(commits) == handlers.ACK_ATTEMPTS == 2


def test_edits_keep_versions_and_revoked_notices_leave_inboxes(uow, clock, depot, outbox_events):
    group, _ = depot
    notice = publish(uow, clock, [group.group_id], requires_ack=True)
    reader = SIGNALMEN[1]
    handlers.mark_read(commands.MarkRead(notice.notice_id), caller=reader, uow=uow(), clock=clock)
    clock.advance(minutes=10)
    with pytest.raises(PermissionDenied):
        handlers.edit_notice(commands.EditNotice(notice.notice_id, title="改标题"), caller=reader, uow=uow(),
                             limits=LIMITS)
    edited, changed = handlers.edit_notice(commands.EditNotice(notice.notice_id, body="雨雪天气限速每小时四十公里。"),
                                           caller=CHIEF, uow=uow(), limits=LIMITS, clock=clock)
    assert changed == ("body",) and edited.version == 2
    [item], _ = handlers.list_inbox(commands.ListInbox(), caller=reader, uow=uow())
    assert item.changed_since_read and item.notice.body == "雨雪天气限速每小时四十公里。"
    view = handlers.open_notice(commands.GetNotice(notice.notice_id), caller=reader, uow=uow(), mark_read_uow=uow())
    assert [(v.version, v.changed_fields) for v in view.versions] == [(1, ()), (2, ("body",))]
    assert view.versions[0].body == "各岗位严格执行雨雪天气行车安全措施。"
    assert outbox_events("notice.edited")[0]["changedFields"] == ["body"]

    with pytest.raises(PermissionDenied):
        handlers.revoke_notice(commands.RevokeNotice(notice.notice_id, "误发"), caller=reader, uow=uow())
    handlers.revoke_notice(commands.RevokeNotice(notice.notice_id, "措施已更新，另行通知"), caller=Caller("u-admin"),
                           uow=uow(), clock=clock)
    assert handlers.list_inbox(commands.ListInbox(), caller=reader, uow=uow()) == ([], "")
    assert outbox_events("notice.revoked")[0]["reason"] == "措施已更新，另行通知"
    with pytest.raises(FailedPrecondition):
        handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=reader, uow=uow())
    trail = handlers.audit_trail(commands.GetAuditTrail(EntityKind.NOTICE, notice.notice_id), caller=CHIEF, uow=uow())
    assert [e.action for e in trail] == ["published", "read", "edited", "revoked"]
    assert trail[2].detail["changed"] == {"body": "各岗位严格执行雨雪天气行车安全措施。"}


def test_scheduled_notices_are_published_by_the_sweep_once(uow, clock, depot, outbox_events, row_count):
    group, _ = depot
    notice = publish(uow, clock, [group.group_id], publish_at=clock.now + timedelta(hours=1))
    assert notice.status is Status.SCHEDULED and row_count("receipts") == 0 and outbox_events("notice.published") == []
    assert handlers.list_inbox(commands.ListInbox(), caller=DRIVERS[0], uow=uow()) == ([], "")
    # Not readable before its time, even by a token naming the group; its author sees it.
    member_token = Caller(DRIVERS[0].user_id, groups=(group.group_id,))
    with pytest.raises(NotFound):
        handlers.get_notice(commands.GetNotice(notice.notice_id), caller=member_token, uow=uow())
    assert handlers.get_notice(commands.GetNotice(notice.notice_id), caller=CHIEF, uow=uow()).title == notice.title
    assert reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock).published == 0
    clock.advance(hours=1)
    assert reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock).published == 1
    assert reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock).published == 0
    [event] = outbox_events("notice.published")
    assert event["recipientCount"] == 6 and row_count("receipts") == 6
    assert handlers.get_notice(commands.GetNotice(notice.notice_id), caller=member_token, uow=uow()).notice_id \
        == notice.notice_id


def test_reminders_and_escalation_go_out_once_each_across_sweeps(uow, clock, depot, outbox_events, row_count):
    group, _ = depot
    notice = publish(uow, clock, [group.group_id], requires_ack=True, ack_deadline=clock.now + timedelta(hours=10))
    for caller in DRIVERS:
        handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=caller, uow=uow())

    def sweep():
        return reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock)  # a fresh unit of work each time
    clock.advance(hours=4)
    assert sweep().reminders == 0
    clock.advance(hours=1)
    assert sweep().reminders == 1 and sweep().reminders == 0
    [reminder] = outbox_events("notice.reminder_due")
    assert reminder["schedulePercent"] == 50
    assert [p["userId"] for p in reminder["pending"]] == ["u-signal0", "u-signal1", "u-admin"]
    handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id), caller=SIGNALMEN[0], uow=uow())
    clock.advance(hours=6)  # past the deadline: the 90 % point passed unsent
    result = sweep()
    assert (result.reminders, result.escalations) == (0, 1)
    assert sweep().escalations == 0
    [overdue] = outbox_events("notice.overdue")
    assert [p["userId"] for p in overdue["laggards"]] == ["u-signal1", "u-admin"]
    assert overdue["escalateTo"] == ["u-admin", "u-duan"] and overdue["groupIds"] == [group.group_id]
    assert len(outbox_events("notice.reminder_due")) == 1
    assert row_count("reminder_stages", f"where notice_id = '{notice.notice_id}'") == 3


def test_a_notice_past_a_point_is_reminded_however_many_others_await_their_deadlines(uow, clock, depot,
                                                                                    outbox_events, monkeypatch):
    group, _ = depot
    monkeypatch.setattr(reminder_handlers, "BATCH", 2)

    def sweep():
        return reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock)
    late = publish(uow, clock, [group.group_id], title="冬季防寒过冬检查", requires_ack=True,
                   ack_deadline=clock.now + timedelta(hours=40))
    assert sweep().reminders == 0  # planned: its 50 % point is 20 hours away
    clock.advance(hours=30)
    # Two notices with earlier deadlines, none of their points reached yet:
    # a sweep that took the earliest deadlines first never got to the late one.
    for title in ("机车出库检查", "信号设备巡检"):
        publish(uow, clock, [group.group_id], title=title, requires_ack=True, ack_deadline=clock.now + timedelta(hours=5))
    assert sweep().reminders == 1
    [reminder] = outbox_events("notice.reminder_due")
    assert reminder["noticeId"] == late.notice_id and reminder["schedulePercent"] == 50
    assert sweep().reminders == 0  # the third one due, beyond that sweep's batch of two: planned now
    with uow() as unit:  # each planned for its next point: the early ones' 50 % in 2.5 h, the late one's 90 % in 6 h
        assert unit.notices.due_for_reminders(clock.now + timedelta(hours=2.4), 10) == []
        assert len(unit.notices.due_for_reminders(clock.now + timedelta(hours=2.5), 10)) == 2
        assert unit.notices.due_for_reminders(clock.now + timedelta(hours=6), 10)[2] == late.notice_id
    clock.advance(hours=2.5)
    assert sweep().reminders == 2 and len(outbox_events("notice.reminder_due")) == 3
    handlers.revoke_notice(commands.RevokeNotice(late.notice_id, "重复下发"), caller=CHIEF, uow=uow(), clock=clock)
    clock.advance(hours=20)  # past every deadline: the two others escalate, the revoked one is let go
    assert sweep().escalations == 2
    assert sweep().escalations == 0  # the revoked one, beyond that batch: let go of without an event
    assert len(outbox_events("notice.overdue")) == 2
    with uow() as unit:
        assert unit.notices.due_for_reminders(clock.now + timedelta(days=365), 10) == []


def test_a_point_added_to_the_schedule_is_sent_once_the_worker_replans(uow, clock, depot, outbox_events):
    group, _ = depot
    notice = publish(uow, clock, [group.group_id], requires_ack=True, ack_deadline=clock.now + timedelta(hours=10))
    reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock)  # planned for its 50 % point
    clock.advance(hours=3)  # the worker restarts with a 25 % point
    assert reminder_handlers.replan(uow=uow(), clock=clock) == 1
    assert reminder_handlers.sweep(uow=uow(), schedule=(25, 50, 90), clock=clock).reminders == 1
    [reminder] = outbox_events("notice.reminder_due")
    assert (reminder["noticeId"], reminder["schedulePercent"]) == (notice.notice_id, 25)


def test_learning_shares_follow_the_posting_rule_and_collect_replies(uow, clock, depot, outbox_events):
    group, _ = depot
    question = share_handlers.post_share(
        commands.PostShare(group.group_id, ShareKind.QUESTION, "冬季制动试验有哪些注意事项？", "新司机求教。"),
        caller=DRIVERS[2], uow=uow(), clock=clock)
    clock.advance(minutes=3)
    share_handlers.post_share(commands.PostShare(group.group_id, None, "", "注意闸瓦结冰，先做简略试验。",
                                                 reply_to=question.share_id), caller=DRIVERS[0], uow=uow(), clock=clock)
    with pytest.raises(PermissionDenied):
        share_handlers.post_share(commands.PostShare(group.group_id, ShareKind.EXPERIENCE, "经验", "内容"),
                                  caller=OUTSIDER, uow=uow())
    from notice.domain.groups import PostingRule
    groups.set_posting_rules(commands.SetPostingRules(group.group_id, share_posting=PostingRule.MANAGERS),
                             caller=CHIEF, uow=uow())
    with pytest.raises(PermissionDenied) as raised:
        share_handlers.post_share(commands.PostShare(group.group_id, ShareKind.EXPERIENCE, "经验", "内容"),
                                  caller=DRIVERS[1], uow=uow())
    assert raised.value.field == "group_id"
    [listed] = share_handlers.list_shares(commands.ListShares(group.group_id), caller=SIGNALMEN[0], uow=uow())
    assert listed.title == "冬季制动试验有哪些注意事项？" and [r.body for r in listed.replies] == ["注意闸瓦结冰，先做简略试验。"]
    posted = outbox_events("learning_share.posted")
    assert [(p["kind"], p.get("replyTo", "")) for p in posted] == [
        ("SHARE_KIND_QUESTION", ""), ("SHARE_KIND_REPLY", question.share_id)]
    trail = handlers.audit_trail(commands.GetAuditTrail(EntityKind.SHARE, question.share_id), caller=DRIVERS[2],
                                 uow=uow())
    assert [(e.action, e.actor_id) for e in trail] == [("posted", "u-driver2")]



@pytest.fixture
def pg_engine(hub_config, pg_url):
    """The notice database on PostgreSQL alone, for row locks: SQLite runs
    one writer at a time, so what they guard against cannot happen there."""
    config = hub_config(NOTICE_DATABASE_URL=pg_url)
    migrate_service(config, "notice")
    return engine_for(config, "notice")


def test_a_notice_loaded_to_be_changed_is_locked_against_a_concurrent_writer(pg_engine, clock):
    # READ COMMITTED: without the lock an edit that read a scheduled notice
    # could save it back as scheduled after the sweep published it (and its
    # receipts' copies with it).
    uow = lambda: SqlNoticeUnitOfWork(pg_engine)  # noqa: E731
    group = groups.create_group(commands.CreateGroup("调车组", "车务段"), caller=CHIEF, uow=uow(), clock=clock)
    notice = publish(uow, clock, [group.group_id])
    with uow() as first:
        assert first.notices.get(notice.notice_id, for_update=True).notice_id == notice.notice_id
        with uow() as second:
            second.connection.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                second.notices.get(notice.notice_id, for_update=True)
        with uow() as reader:  # a plain read does not wait
            assert reader.notices.get(notice.notice_id).notice_id == notice.notice_id


@pytest.mark.parametrize("optimistic", [False, True], ids=["in-a-transaction", "optimistic"])
def test_an_acknowledgement_overtaken_between_reading_and_writing_answers_as_a_repeat(pg_engine, clock, optimistic):
    # The member's second device acknowledges after the first one read the
    # receipt unacknowledged and before it wrote: the first one's guard
    # matches nothing, it reads again and answers with the other's time.
    # (On SQLite the writer lock keeps both apart from the start.)
    uow = lambda: SqlNoticeUnitOfWork(pg_engine)  # noqa: E731
    group = groups.create_group(commands.CreateGroup("机车乘务组", "机务段"), caller=CHIEF, uow=uow(), clock=clock)
    groups.add_members(commands.AddMembers(group.group_id, (MemberInput("u-driver7", "机务段"),)), caller=CHIEF,
                       uow=uow(), clock=clock)
    notice = publish(uow, clock, [group.group_id], requires_ack=True)
    driver = Caller("u-driver7")
    other_device = []

    class Overtaken(SqlNoticeUnitOfWork):
        def commit(self):
            if not other_device:
                other_device.append(handlers.acknowledge_notice(
                    commands.AcknowledgeNotice(notice.notice_id, "手机上确认"), caller=driver, uow=uow(),
                    clock=lambda: clock.now - timedelta(seconds=30)))
            super().commit()

    at, first = handlers.acknowledge_notice(commands.AcknowledgeNotice(notice.notice_id, "电脑上确认"), caller=driver,
                                            uow=Overtaken(pg_engine, optimistic=optimistic), clock=clock)
    assert other_device == [(clock.now - timedelta(seconds=30), True)]
    assert (at, first) == (clock.now - timedelta(seconds=30), False)
    with pg_engine.connect() as connection:
        assert connection.execute(sa.text(
            "SELECT count(*) FROM outbox WHERE routing_key = 'receipt.acknowledged'")).scalar() == 1
        assert connection.execute(sa.text("SELECT count(*) FROM audit_log WHERE action = 'acknowledged'")).scalar() == 1
        assert connection.execute(sa.text("SELECT ack_comment FROM receipts WHERE user_id = 'u-driver7'")
                                  ).scalar() == "手机上确认"


def test_a_revocation_committing_while_the_sweep_reminds_is_not_reminded(pg_engine, clock):
    # READ COMMITTED: a sweep that read the notice without a lock still saw
    # it published and sent the reminder after the revocation.
    engine = pg_engine
    uow = lambda: SqlNoticeUnitOfWork(engine)  # noqa: E731
    group = groups.create_group(commands.CreateGroup("信号工区", "电务段"), caller=CHIEF, uow=uow(), clock=clock)
    groups.add_members(commands.AddMembers(group.group_id, (MemberInput("u-signal9", "电务段"),)), caller=CHIEF,
                       uow=uow(), clock=clock)
    notice = publish(uow, clock, [group.group_id], requires_ack=True, ack_deadline=clock.now + timedelta(hours=10))
    reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock)  # planned for its 50 % point
    clock.advance(hours=6)
    with engine.connect() as revoking:  # a revocation holds the notice's row, not yet committed
        revoking.execute(sa.text("UPDATE notices SET status = 'revoked' WHERE notice_id = :n"),
                         {"n": notice.notice_id})
        results = []
        sweeper = threading.Thread(target=lambda: results.append(
            reminder_handlers.sweep(uow=uow(), schedule=(50, 90), clock=clock)))
        sweeper.start()
        sweeper.join(0.5)
        assert sweeper.is_alive()  # waiting for the row
        revoking.commit()
    sweeper.join(10)
    assert results[0].reminders == 0
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM outbox WHERE routing_key = 'notice.reminder_due'")
                                  ).scalar() == 0
