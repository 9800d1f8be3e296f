"""The embedded engine: cross-script search, permissions, kinds, upserts."""
from datetime import datetime, timezone

import pytest

from hubkit.errors import InvalidArgument
from search.adapters.tantivy_index import TantivyIndex
from search.domain.model import IndexedItem, ItemKind, search_query

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)

BOILER = IndexedItem(ItemKind.NOTICE, "n-boiler", "鍋爐房安全檢查通知",
                     "請各班組於週五前檢查壓力錶和安全閥。", ("group:heat",), NOW)
RULES = IndexedItem(ItemKind.DOCUMENT, "d-rules", "安全生产管理规定",
                    "全体职工应当遵守安全操作规程，定期检查安全阀。", ("everyone",), NOW)
FURNACE = IndexedItem(ItemKind.NOTICE, "n-furnace", "高炉停炉检修安排",
                      "炼铁厂二号高炉周三停炉检修。", ("group:iron",), NOW)


@pytest.fixture
def index(tmp_path):
    writer = TantivyIndex(tmp_path / "index", writable=True)
    writer.upsert([BOILER, RULES, FURNACE])
    writer.commit()
    return TantivyIndex(tmp_path / "index", writable=False)


def ids(result):
    return sorted(h.item_id for h in result.hits)


def test_simplified_query_finds_traditional_text_for_a_member(index):
    result = index.search(search_query("压力表 安全阀", ("everyone", "group:heat"), (), 10))
    assert ids(result) == ["n-boiler"]
    assert result.hits[0].title == "鍋爐房安全檢查通知"  # original script for display


def test_callers_never_see_items_shared_with_others(index):
    as_heat = index.search(search_query("检查", ("everyone", "group:heat"), (), 10))
    as_iron = index.search(search_query("检查", ("everyone", "group:iron"), (), 10))
    assert ids(as_heat) == ["d-rules", "n-boiler"] and as_heat.total == 2
    assert ids(as_iron) == ["d-rules"] and as_iron.total == 1


def test_all_terms_must_match(index):
    assert ids(index.search(search_query("安全阀 高炉", None, (), 10))) == []


def test_kind_filter(index):
    assert ids(index.search(search_query("安全", None, (ItemKind.DOCUMENT,), 10))) == ["d-rules"]


def test_upsert_replaces_instead_of_duplicating(tmp_path):
    writer = TantivyIndex(tmp_path / "index", writable=True)
    writer.upsert([FURNACE])
    writer.upsert([FURNACE])
    writer.commit()
    assert writer.search(search_query("高炉", None, (), 10)).total == 1


@pytest.mark.parametrize("text, page_size, field", [("  ", 10, "query"), ("安全", 101, "page_size"),
                                                     ("安" * 201, 10, "query")])
def test_bad_queries_name_the_field(text, page_size, field):
    with pytest.raises(InvalidArgument) as raised:
        search_query(text, None, (), page_size)
    assert raised.value.field == field
