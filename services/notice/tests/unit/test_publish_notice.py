"""Notice rules: drafting, targets and posting rights, edits with versions, revocation."""
from datetime import datetime, timedelta, timezone

import pytest

from hubkit.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from notice.domain import commands, events
from notice.domain.groups import PostingRule, Role, new_group
from notice.domain.model import Category, Limits, Priority, Status, check_targets, draft_notice

NOW = datetime(2026, 11, 24, 8, 30, tzinfo=timezone.utc)
LIMITS = Limits(max_title_chars=20, max_body_chars=50)


def draft(**fields):
    cmd = commands.PublishNotice(**{"group_ids": ("g-furnace",), "title": "高炉检修通知", "body": "周三停炉检修。",
                                    **fields})
    return draft_notice(cmd, notice_id="n-1", author_id="u-wang", author_department="炼铁厂", now=NOW, limits=LIMITS)


def test_a_draft_is_trimmed_and_published_now_with_its_details():
    notice = draft(title="  高炉检修通知  ", category=Category.SAFETY_ALERT, priority=Priority.URGENT,
                   recipient_user_ids=("u-li", "u-li", "u-zhao"), requires_ack=True,
                   ack_deadline=NOW + timedelta(days=1), attachment_document_ids=("doc-7",))
    assert notice.title == "高炉检修通知" and notice.status is Status.PUBLISHED and notice.published_at == NOW
    assert notice.recipient_user_ids == ("u-li", "u-zhao")
    notice.mark_published(recipient_count=12)
    [published] = notice.events
    assert isinstance(published, events.NoticePublished)
    assert (published.category, published.priority, published.recipient_count, published.version) == (
        "safety_alert", "urgent", 12, 1)
    assert published.ack_deadline == NOW + timedelta(days=1) and published.author_department == "炼铁厂"


def test_a_future_publication_time_schedules_the_notice():
    notice = draft(publish_at=NOW + timedelta(hours=2))
    assert notice.status is Status.SCHEDULED and notice.published_at == NOW + timedelta(hours=2)
    assert notice.events == []  # announced at publication, not before
    assert draft(publish_at=NOW - timedelta(minutes=1)).status is Status.PUBLISHED


@pytest.mark.parametrize("fields, field", [
    ({"title": "   "}, "title"),
    ({"title": "长" * 21}, "title"),
    ({"body": "字" * 51}, "body"),
    ({"group_ids": ()}, "group_ids"),
    ({"group_ids": ("g-furnace", " ")}, "group_ids[1]"),
    ({"recipient_user_ids": ("u-li", "")}, "recipient_user_ids[1]"),
    ({"requires_ack": True, "ack_deadline": NOW - timedelta(seconds=1)}, "ack_deadline"),
    ({"requires_ack": False, "ack_deadline": NOW + timedelta(days=1)}, "ack_deadline"),
    ({"requires_ack": True, "ack_deadline": NOW + timedelta(hours=1), "publish_at": NOW + timedelta(hours=2)},
     "ack_deadline"),
])
def test_bad_drafts_name_the_field(fields, field):
    with pytest.raises(InvalidArgument) as raised:
        draft(**fields)
    assert raised.value.field == field


def test_named_recipients_alone_are_enough():
    assert draft(group_ids=(), recipient_user_ids=("u-li",)).group_ids == ()


def test_targets_must_exist_be_active_and_allow_the_caller_to_post():
    furnace = new_group("一号高炉班组", "炼铁厂", group_id="g-furnace", created_by="u-wang", now=NOW)
    open_group = new_group("技术交流群", "炼铁厂", group_id="g-open", created_by="u-wang", now=NOW,
                           notice_posting=PostingRule.ALL_MEMBERS)
    groups = {"g-furnace": furnace, "g-open": open_group}
    rule = lambda g: g.notice_posting  # noqa: E731
    check_targets(("g-furnace", "g-open"), groups, {"g-furnace": Role.ADMIN, "g-open": Role.MEMBER}, rule_of=rule)
    with pytest.raises(PermissionDenied) as raised:
        check_targets(("g-open", "g-furnace"), groups, {"g-furnace": Role.MEMBER, "g-open": Role.MEMBER},
                      rule_of=rule)
    assert raised.value.field == "group_ids[1]"
    with pytest.raises(NotFound) as raised:
        check_targets(("g-furnace", "g-gone"), groups, {"g-furnace": Role.OWNER}, rule_of=rule)
    assert raised.value.field == "group_ids[1]"
    furnace.archive(by="u-wang", now=NOW)
    with pytest.raises(FailedPrecondition) as raised:
        check_targets(("g-furnace",), groups, {"g-furnace": Role.OWNER}, rule_of=rule)
    assert raised.value.field == "group_ids[0]"


def test_an_edit_makes_a_version_naming_what_changed():
    notice = draft()
    later = NOW + timedelta(hours=1)
    version = notice.edit(commands.EditNotice("n-1", title="高炉检修延期通知", body="周三停炉检修。",
                                              priority=Priority.URGENT), editor_id="u-wang", now=later, limits=LIMITS)
    assert version.version == 2 and version.changed_fields == ("title", "priority")
    assert notice.version == 2 and notice.updated_at == later
    [edited] = notice.events
    assert isinstance(edited, events.NoticeEdited) and edited.changed_fields == ("title", "priority")
    assert notice.edit(commands.EditNotice("n-1", title="高炉检修延期通知"), editor_id="u-wang", now=later,
                       limits=LIMITS) is None  # nothing changed, no version


def test_revocation_needs_a_reason_and_happens_once():
    notice = draft()
    with pytest.raises(InvalidArgument) as raised:
        notice.revoke("  ", by="u-wang", now=NOW)
    assert raised.value.field == "reason"
    notice.revoke("检修计划取消", by="u-wang", now=NOW)
    assert notice.status is Status.REVOKED and notice.events == [events.NoticeRevoked("n-1", "检修计划取消", "u-wang", NOW)]
    with pytest.raises(FailedPrecondition):
        notice.revoke("再次撤回", by="u-wang", now=NOW)
    with pytest.raises(FailedPrecondition):
        notice.edit(commands.EditNotice("n-1", title="改"), editor_id="u-wang", now=NOW, limits=LIMITS)
