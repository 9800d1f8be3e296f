"""The search worker's entrypoints with real dependencies (SQLite and
PostgreSQL, tantivy): the index follows notice, share and report events."""
from datetime import datetime, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from nameko.testing.services import worker_factory

from hub.events.v1 import notice_events_pb2, reports_events_pb2
from hub.notice.v1 import notice_pb2
from hubkit.db import make_engine, migrate
from hubkit.envelope import new_envelope
from hubkit.errors import FailedPrecondition
from hubkit.wiring import migrations_dir
from search.adapters.repository import SqlSearchUnitOfWork
from search.adapters.tantivy_index import TantivyIndex
from search.domain.model import FacetField, ItemKind, search_filters, search_query
from search.service import SearchWorker


def stamp(day: int) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(datetime(2026, 11, day, 9, 0, tzinfo=timezone.utc))
    return value


def published(notice_id: str, title: str, body: str, group: str, **extra):
    return new_envelope("notice.published", notice_events_pb2.NoticePublished(
        notice_id=notice_id, group_ids=[group], title=title, body=body, author_id="u-sun", published_at=stamp(24),
        author_department="运输部", category=notice_pb2.NOTICE_CATEGORY_MEETING, version=1, **extra))


def edited(notice_id: str, version: int, title: str, body: str, groups: list[str]):
    return new_envelope("notice.edited", notice_events_pb2.NoticeEdited(
        notice_id=notice_id, version=version, title=title, body=body, editor_id="u-sun", edited_at=stamp(25),
        category=notice_pb2.NOTICE_CATEGORY_SAFETY_ALERT, group_ids=groups))


def revoked(notice_id: str):
    return new_envelope("notice.revoked", notice_events_pb2.NoticeRevoked(
        notice_id=notice_id, reason="内容有误", revoked_by="u-sun", revoked_at=stamp(26)))


@pytest.fixture
def worker(tmp_path, db_url):
    engine = make_engine(db_url)
    migrate(engine, migrations_dir("search"))
    index = TantivyIndex(tmp_path / "index", writable=True)
    yield worker_factory(SearchWorker, uow=lambda: SqlSearchUnitOfWork(engine), index=index), engine
    index.close()
    engine.dispose()


def found(service, text, principals=None, **filters):
    return service.index.search(search_query(text, principals, search_filters(**filters), 10,
                                             facets=(FacetField.CATEGORY,)))


def count(engine, sql):
    with engine.connect() as connection:
        return connection.exec_driver_sql(sql).scalar()


def test_a_published_notice_becomes_searchable_by_its_audience(worker):
    service, _ = worker
    service.on_notice_published(published("n-1", "調度會議通知", "明日上午九點召開運輸調度會議。", "g-dispatch",
                                          recipient_user_ids=["u-named"]))
    result = found(service, "调度会议", ("group:g-dispatch",))
    assert [h.item_id for h in result.hits] == ["n-1"]
    assert (result.hits[0].department, result.hits[0].category, result.hits[0].author_id) == \
        ("运输部", "meeting", "u-sun")
    assert found(service, "调度会议", ("user:u-named",)).total == 1
    assert found(service, "调度会议", ("group:g-other",)).total == 0
    assert found(service, "调度", group_ids=("g-dispatch",)).total == 1


def test_an_event_delivered_twice_has_one_effect(worker):
    service, engine = worker
    event = published("n-2", "防汛值班安排", "汛期值班人员名单见附件。", "g-flood")
    service.on_notice_published(event)
    service.on_notice_published(event)
    assert found(service, "值班").total == 1
    assert count(engine, "select count(*) from processed_events") == 1
    assert count(engine, "select count(*) from items") == 1


def test_an_edit_replaces_text_and_audience_and_an_older_one_is_ignored(worker):
    service, engine = worker
    service.on_notice_published(published("n-3", "停電通知", "周六全厂停电检修。", "g-power"))
    service.on_notice_edited(edited("n-3", 3, "停电通知（更正）", "周日全厂停电检修，周六照常。", ["g-power", "g-night"]))
    service.on_notice_edited(edited("n-3", 2, "停电通知（旧稿）", "旧的内容。", ["g-power"]))
    result = found(service, "停电", ("group:g-night",))
    assert [h.title for h in result.hits] == ["停电通知（更正）"]
    assert result.facets[FacetField.CATEGORY][0].value == "safety_alert"
    assert found(service, "旧稿").total == 0
    assert count(engine, "select version from items where key = 'notice:n-3'") == 3


def test_an_edit_before_the_notice_arrived_fails_for_a_later_replay(worker):
    service, engine = worker
    with pytest.raises(FailedPrecondition):
        service.on_notice_edited(edited("n-4", 2, "题目", "正文", ["g-x"]))
    assert count(engine, "select count(*) from processed_events") == 0  # not consumed: replayable


def test_a_revoked_notice_leaves_the_index_and_does_not_come_back(worker):
    service, engine = worker
    service.on_notice_published(published("n-5", "錯發的通知", "這條通知發錯了。", "g-a"))
    service.on_notice_revoked(revoked("n-5"))
    assert found(service, "通知").total == 0
    service.on_notice_revoked(revoked("n-6"))  # revoked before it was published
    service.on_notice_published(published("n-6", "另一條通知", "遲到的發布事件。", "g-a"))
    service.on_notice_edited(edited("n-5", 2, "錯發的通知", "修改", ["g-a"]))
    assert found(service, "通知").total == 0
    assert count(engine, "select count(*) from items where withdrawn_at is not null") == 2


def test_learning_shares_and_reports_are_indexed_for_their_audience(worker):
    service, _ = worker
    service.on_learning_share_posted(new_envelope("learning_share.posted", notice_events_pb2.LearningSharePosted(
        share_id="s-1", group_id="g-lathe", title="車床保養心得", body="每班清理導軌鐵屑，定期加注潤滑油。",
        author_id="u-zhou", posted_at=stamp(20))))
    service.on_report_generated(new_envelope("report.generated", reports_events_pb2.ReportGenerated(
        report_id="r-1", kind="energy", title="十一月能耗周报", period="2026-W47", formats=["pdf"],
        text="各车间电耗与蒸汽消耗汇总。", generated_at=stamp(23), visible_departments=["财务科"])))
    service.on_report_generated(new_envelope("report.generated", reports_events_pb2.ReportGenerated(
        report_id="r-2", kind="inspection.weekly", title="安全检查周报", period="2026-W47",
        text="本周检查发现问题十二项，已整改九项。", generated_at=stamp(23))))
    share = found(service, "润滑油", ("group:g-lathe",))
    assert [(h.kind, h.category) for h in share.hits] == [(ItemKind.SHARE, "share")]
    assert found(service, "润滑油", ("group:g-other",)).total == 0
    assert found(service, "能耗", ("everyone", "dept:财务科")).hits[0].kind is ItemKind.REPORT
    assert found(service, "能耗", ("everyone", "dept:安全科")).total == 0
    assert [h.item_id for h in found(service, "周报", ("everyone",)).hits] == ["r-2"]
