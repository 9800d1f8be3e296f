"""Indexes written by an older version of the hub, whose stored fields differ
from this version's: the embedded index is refused until built anew; an
Elasticsearch index gains the new fields and keeps serving what it holds."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import pytest
import tantivy
from elasticsearch import Elasticsearch

from search.adapters import elasticsearch_index
from search.adapters.elasticsearch_index import ElasticsearchIndex
from search.adapters.tantivy_index import TantivyIndex
from search.domain.model import IndexedItem, ItemKind, marked, search_query
from search.ports import IndexOutdated

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
OLD = IndexedItem(ItemKind.NOTICE, "n-old", "鍋爐房(fáng)檢修通知", "請於週五前檢修鍋爐房安全閥……", ("everyone",), T0)
NEW = IndexedItem(ItemKind.NOTICE, "n-new", "換熱站檢修通知", "換熱站循環泵檢修，鍋爐房配合。", ("everyone",), T0)
FORM_FIELDS = ("title_form", "body_form")


def older_tantivy_index(path) -> None:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    index = tantivy.Index(builder.build(), path=str(path))
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document(key="notice:n-old"))
    writer.commit()
    writer.wait_merging_threads()


def test_an_embedded_index_of_another_schema_is_refused_until_replaced(tmp_path):
    older_tantivy_index(tmp_path)
    for writable in (False, True):
        with pytest.raises(IndexOutdated, match="hub search rebuild"):
            TantivyIndex(tmp_path, writable=writable)
    with pytest.raises(IndexOutdated):
        TantivyIndex(tmp_path, writable=False, replace_outdated=True)  # only a writer may replace it
    writer = TantivyIndex(tmp_path, writable=True, replace_outdated=True)
    assert writer.rebuild([NEW]) == 1
    writer.close()
    hits = TantivyIndex(tmp_path, writable=False).search(search_query("循环泵", None)).hits
    assert [h.item_id for h in hits] == ["n-new"]


def test_an_outdated_embedded_index_held_by_a_writer_is_left_alone(tmp_path):
    older_tantivy_index(tmp_path)
    held = tantivy.Index.open(str(tmp_path)).writer(heap_size=15_000_000, num_threads=1)  # an old worker
    with pytest.raises(ValueError):
        TantivyIndex(tmp_path, writable=True, replace_outdated=True)
    held.wait_merging_threads()
    with pytest.raises(IndexOutdated):
        TantivyIndex(tmp_path, writable=False)


@pytest.fixture(params=["noida"] + (["elasticsearch"] if os.environ.get("ES_URL") else []))
def es_url(request):
    return request.getfixturevalue("noida_url") if request.param == "noida" else os.environ["ES_URL"]


def test_an_elasticsearch_index_of_an_older_template_gains_the_new_fields(es_url):
    alias = f"hubtest-{uuid.uuid4().hex[:8]}"
    es = Elasticsearch(es_url)
    try:
        # As an older version left it: mappings and documents without the forms.
        properties = {k: v for k, v in elasticsearch_index.MAPPINGS["properties"].items() if k not in FORM_FIELDS}
        es.indices.create(index=f"{alias}-old", settings=elasticsearch_index.INDEX_SETTINGS,
                          mappings={"dynamic": "strict", "properties": properties})
        es.indices.update_aliases(actions=[{"add": {"index": f"{alias}-old", "alias": alias, "is_write_index": True}}])
        old_source = {k: v for k, v in elasticsearch_index.source_of(OLD).items() if k not in FORM_FIELDS}
        es.index(index=alias, id=OLD.key, document=old_source, refresh=True)

        index = ElasticsearchIndex(es_url, alias)  # this version opens it
        index.upsert([NEW])  # a strict mapping without the new fields would refuse it
        index.commit()
        hits = {h.item_id: h for h in index.search(search_query("锅炉房 检修", None)).hits}
        assert sorted(hits) == ["n-new", "n-old"]
        old = hits["n-old"]  # highlighted from a normalisation made at query time
        assert marked(old.title, old.title_matches, "[", "]") == "[鍋爐房](fáng)[檢修]通知"
        assert marked(old.snippet, old.snippet_matches, "[", "]") == "請於週五前[檢修][鍋爐房]安全閥……"
        new = hits["n-new"]
        assert marked(new.snippet, new.snippet_matches, "[", "]") == "換熱站循環泵[檢修]，[鍋爐房]配合。"
        index.close()
    finally:
        for name in es.indices.get_alias(name=alias).body:
            es.indices.delete(index=name)
        es.indices.delete_index_template(name=f"{alias}-template")
        es.close()
