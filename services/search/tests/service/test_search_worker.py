"""The search worker's entrypoint with real dependencies (SQLite, tantivy)."""
from datetime import datetime, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from nameko.testing.services import worker_factory

from hub.events.v1 import notice_events_pb2
from hubkit.db import make_engine, migrate
from hubkit.envelope import new_envelope
from hubkit.wiring import migrations_dir
from search.adapters.repository import SqlSearchUnitOfWork
from search.adapters.tantivy_index import TantivyIndex
from search.domain.model import search_query
from search.service import SearchWorker


def published(notice_id: str, title: str, body: str, group: str):
    stamp = Timestamp()
    stamp.FromDatetime(datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc))
    return new_envelope("notice.published", notice_events_pb2.NoticePublished(
        notice_id=notice_id, group_ids=[group], title=title, body=body, author_id="u-sun", published_at=stamp))


@pytest.fixture
def worker(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/search.db")
    migrate(engine, migrations_dir("search"))
    index = TantivyIndex(tmp_path / "index", writable=True)
    return worker_factory(SearchWorker, uow=lambda: SqlSearchUnitOfWork(engine), index=index), engine


def test_a_published_notice_becomes_searchable_by_its_groups(worker):
    service, _ = worker
    service.on_notice_published(published("n-1", "調度會議通知", "明日上午九點召開運輸調度會議。", "g-dispatch"))
    hits = service.index.search(search_query("调度会议", ("group:g-dispatch",), (), 10)).hits
    assert [h.item_id for h in hits] == ["n-1"]
    assert service.index.search(search_query("调度会议", ("group:g-other",), (), 10)).total == 0


def test_an_event_delivered_twice_has_one_effect(worker):
    service, engine = worker
    event = published("n-2", "防汛值班安排", "汛期值班人员名单见附件。", "g-flood")
    service.on_notice_published(event)
    service.on_notice_published(event)
    assert service.index.search(search_query("值班", None, (), 10)).total == 1
    with engine.connect() as connection:
        assert connection.exec_driver_sql("select count(*) from processed_events").scalar() == 1
        assert connection.exec_driver_sql("select count(*) from items").scalar() == 1
