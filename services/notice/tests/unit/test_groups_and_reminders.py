"""Group rules (roles, joining, HR sync), receipts statistics, inbox cursor, reminder schedule, shares."""
from datetime import datetime, timedelta, timezone

import pytest

from hubkit.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from notice.domain import reminders
from notice.domain.groups import (JoinKind, JoinRequest, JoinStatus, Member, MemberInput, PostingRule, Role,
                                  check_role_grant, plan_sync, validate_member_inputs)
from notice.domain.kinds import ShareKind
from notice.domain.receipts import InboxPosition, Standing, page_size, stats_of
from notice.domain.shares import new_share

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def test_posting_rules_and_role_grants():
    assert PostingRule.MANAGERS.allows(Role.ADMIN) and not PostingRule.MANAGERS.allows(Role.MEMBER)
    assert PostingRule.ALL_MEMBERS.allows(Role.MEMBER) and not PostingRule.ALL_MEMBERS.allows(None)
    check_role_grant(Role.ADMIN, Role.MEMBER)
    with pytest.raises(PermissionDenied) as raised:
        check_role_grant(Role.ADMIN, Role.ADMIN, "members[0].role")
    assert raised.value.field == "members[0].role"
    with pytest.raises(PermissionDenied):
        check_role_grant(Role.MEMBER, Role.MEMBER)


def test_an_invitation_is_decided_by_the_invitee_and_a_request_by_a_manager():
    invitation = JoinRequest("r1", "g1", "u-chen", "运转车间", JoinKind.INVITATION, Role.MEMBER, "u-wang", NOW)
    assert invitation.may_be_decided_by("u-chen", None) and not invitation.may_be_decided_by("u-wang", Role.OWNER)
    request = JoinRequest("r2", "g1", "u-chen", "运转车间", JoinKind.REQUEST, Role.MEMBER, "u-chen", NOW)
    assert request.may_be_decided_by("u-wang", Role.ADMIN) and not request.may_be_decided_by("u-chen", None)
    request.decide(True, by="u-wang", now=NOW)
    assert request.status is JoinStatus.ACCEPTED
    with pytest.raises(FailedPrecondition):
        request.decide(False, by="u-wang", now=NOW)


def test_member_lists_are_checked_entry_by_entry():
    with pytest.raises(InvalidArgument) as raised:
        validate_member_inputs([MemberInput("e1", "工务段"), MemberInput(" e1 ", "工务段")])
    assert raised.value.field == "members[1].user_id"
    with pytest.raises(InvalidArgument) as raised:
        validate_member_inputs([MemberInput("e1", "")] * 3, max_count=2)
    assert raised.value.field == "members"


def test_a_sync_adds_updates_and_removes_only_what_an_earlier_sync_imported():
    existing = {
        "e-owner": Member("e-owner", "工务段", Role.OWNER, NOW),
        "e-manual": Member("e-manual", "工务段", Role.MEMBER, NOW),
        "e-synced-gone": Member("e-synced-gone", "工务段", Role.MEMBER, NOW, synced=True),
        "e-synced-moved": Member("e-synced-moved", "工务段", Role.MEMBER, NOW, synced=True),
    }
    incoming = [MemberInput("e-synced-moved", "电务段"), MemberInput("e-new", "车务段"),
                MemberInput("e-owner", "工务段")]
    plan = plan_sync(existing, incoming, remove_missing=True, now=NOW)
    assert [m.user_id for m in plan.to_add] == ["e-new"] and plan.to_add[0].synced
    assert [(m.user_id, m.department) for m in plan.to_update] == [("e-synced-moved", "电务段")]
    assert plan.to_remove == ["e-synced-gone"] and plan.unchanged == 1
    assert plan_sync(existing, incoming, remove_missing=False, now=NOW).to_remove == []


def test_statistics_group_the_missing_by_department():
    stats = stats_of("n1", [Standing("u4", "机务段", False, False), Standing("u1", "车务段", True, False),
                            Standing("u2", "车务段", True, True), Standing("u3", "机务段", False, False)])
    assert (stats.recipients, stats.read, stats.acknowledged) == (4, 2, 1)
    assert stats.not_read == {"机务段": ["u3", "u4"]}
    assert stats.not_acknowledged == {"机务段": ["u3", "u4"], "车务段": ["u1"]}


def test_inbox_cursors_round_trip_and_foreign_ones_are_refused():
    position = InboxPosition(True, False, NOW, "n-9")
    assert InboxPosition.decode(position.encode()) == position
    for bad in ("not-a-cursor", "e30"):
        with pytest.raises(InvalidArgument) as raised:
            InboxPosition.decode(bad)
        assert raised.value.field == "cursor"
    assert page_size(0) == 20
    with pytest.raises(InvalidArgument):
        page_size(101)


def test_the_schedule_is_parsed_and_stages_come_once_in_order():
    assert reminders.parse_schedule("90, 50") == (50, 90)
    for bad in ("", "0,50", "100", "半"):
        with pytest.raises(ValueError):
            reminders.parse_schedule(bad)
    published, deadline = NOW, NOW + timedelta(hours=10)

    def plan(hours, sent=()):
        return reminders.plan_reminders(published_at=published, deadline=deadline, now=NOW + timedelta(hours=hours),
                                        schedule=(50, 90), sent=set(sent))
    assert plan(4).stages == ()
    assert plan(5) == reminders.ReminderPlan(("50",), 50, False)
    assert plan(6, {"50"}).stages == ()
    # The worker was down through both points: only the latest goes out.
    assert plan(9.5) == reminders.ReminderPlan(("50", "90"), 90, False)
    assert plan(11, {"50"}) == reminders.ReminderPlan(("90", "overdue"), None, True)
    assert plan(12, {"50", "90", "overdue"}).stages == ()


def test_the_next_reminder_is_the_first_point_not_sent_then_the_deadline_then_none():
    published, deadline = NOW, NOW + timedelta(hours=10)

    def next_at(sent=()):
        return reminders.next_reminder_at(published_at=published, deadline=deadline, schedule=(50, 90),
                                          sent=set(sent))
    assert next_at() == NOW + timedelta(hours=5)
    assert next_at({"50"}) == NOW + timedelta(hours=9)
    assert next_at({"50", "90"}) == deadline
    assert next_at({"90"}) == NOW + timedelta(hours=5)  # passed unsent: due already
    assert next_at({"50", "90", "overdue"}) is None


def test_shares_and_replies():
    question = new_share(share_id="s1", group_id="g1", kind=ShareKind.QUESTION, title="道岔融雪装置怎么调试？",
                         body="新装的电加热融雪装置温控不准。", author_id="u-liu", now=NOW, parent=None, reply_to="")
    assert question.events[0].kind == "question"
    reply = new_share(share_id="s2", group_id="g1", kind=None, title="", body="先校准温度传感器。", author_id="u-sun",
                      now=NOW, parent=question, reply_to="s1")
    assert reply.kind is ShareKind.REPLY and reply.reply_to == "s1"
    with pytest.raises(InvalidArgument) as raised:
        new_share(share_id="s3", group_id="g1", kind=None, title="t", body="b", author_id="u", now=NOW,
                  parent=None, reply_to="")
    assert raised.value.field == "kind"
    with pytest.raises(NotFound) as raised:
        new_share(share_id="s4", group_id="g2", kind=None, title="", body="b", author_id="u", now=NOW,
                  parent=question, reply_to="s1")
    assert raised.value.field == "reply_to"
    with pytest.raises(InvalidArgument) as raised:
        new_share(share_id="s5", group_id="g1", kind=None, title="", body="b", author_id="u", now=NOW,
                  parent=reply, reply_to="s2")
    assert raised.value.field == "reply_to"
