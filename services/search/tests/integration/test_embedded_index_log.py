"""The embedded index and its shown log together: rebuilds, failed or
interrupted, never leave a committed hit without what it shows."""
import time
from datetime import datetime, timezone

import pytest

from search.adapters.shown_log import generations
from search.adapters.tantivy_index import RELOAD_SECONDS, TantivyIndex
from search.domain.model import IndexedItem, ItemKind, search_query

T0 = datetime(2026, 11, 2, 7, 30, tzinfo=timezone.utc)


def item(n: int, title: str = "二号高炉休风检修安排") -> IndexedItem:
    return IndexedItem(ItemKind.NOTICE, f"n-{n}", title, f"第{n}号通知：检修期间注意煤气安全。", ("everyone",), T0)


def shown(index: TantivyIndex, text: str) -> dict[str, str]:
    return {hit.item_id: hit.snippet for hit in index.search(search_query(text, None, page_size=50)).hits}


class CommitThenInterrupt:
    """tantivy's writer, whose commit lands and is then interrupted (Ctrl-C
    on `hub search rebuild` as tantivy's commit returns)."""

    def __init__(self, writer):
        self._writer = writer

    def commit(self):
        self._writer.commit()
        raise KeyboardInterrupt

    def __getattr__(self, name):
        return getattr(self._writer, name)


def test_a_rebuild_interrupted_after_its_commit_landed_keeps_showing_its_items(tmp_path):
    writer = TantivyIndex(tmp_path, writable=True)
    reader = TantivyIndex(tmp_path, writable=False)
    writer.upsert([item(1)])
    writer.commit()
    writer._writer = CommitThenInterrupt(writer._writer)
    with pytest.raises(KeyboardInterrupt):
        writer.rebuild([item(2), item(3)])
    writer._writer = writer._writer._writer
    assert sorted(shown(reader, "高炉 检修")) == ["n-2", "n-3"]  # the rebuild's commit, with its records
    writer.upsert([item(4)])  # appended to the generation before the rebuild
    writer.commit()
    assert sorted(shown(writer, "高炉 检修")) == ["n-2", "n-3", "n-4"]
    writer.rebuild([item(5)])
    assert shown(writer, "高炉 检修") == {"n-5": "第5号通知：检修期间注意煤气安全。"}
    assert generations(tmp_path) == [1, 2, 3]  # searchers on the commit before may read 1 and 2
    writer.rebuild([item(6)])
    assert generations(tmp_path) == [3, 4]
    time.sleep(RELOAD_SECONDS)
    assert shown(reader, "高炉 检修") == {"n-6": "第6号通知：检修期间注意煤气安全。"}
    writer.close()


def test_a_rebuild_failing_before_its_commit_leaves_every_hit_shown(tmp_path):
    writer = TantivyIndex(tmp_path, writable=True)
    writer.upsert([item(1)])
    writer.commit()

    def items_until_the_database_fails():
        yield item(2)
        raise ConnectionError("search database went away")
    with pytest.raises(ConnectionError):
        writer.rebuild(items_until_the_database_fails())
    writer.upsert([item(3)])
    writer.commit()
    assert sorted(shown(writer, "高炉 检修")) == ["n-1", "n-3"]
    writer.close()
    reopened = TantivyIndex(tmp_path, writable=True)  # a new writer after the failure
    reopened.upsert([item(4)])
    reopened.commit()
    assert sorted(shown(reopened, "高炉 检修")) == ["n-1", "n-3", "n-4"]
    reopened.close()


def test_a_second_writer_is_refused_while_one_holds_the_index(tmp_path):
    writer = TantivyIndex(tmp_path, writable=True)
    with pytest.raises(ValueError):  # tantivy's writer lock, before the shown log's
        TantivyIndex(tmp_path, writable=True)
    writer.close()
    TantivyIndex(tmp_path, writable=True).close()
