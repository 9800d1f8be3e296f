"""One contract for every SearchIndex backend (see conftest.py for which)."""
import os
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from search.domain.model import (FacetCount, FacetField, IndexedItem, ItemKind, SortOrder, marked, search_filters,
                                 search_query, suggest_query)

DAY = timedelta(days=1)
T0 = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)

BOILER = IndexedItem(ItemKind.NOTICE, "n-boiler", "鍋爐房安全檢查通知",
                     "請各班組於週五前檢查壓力錶和安全閥，發現問題立即上報。", ("group:g-heat", "user:u-li"), T0,
                     department="热力厂", category="safety_alert", author_id="u-li", group_ids=("g-heat",))
RULES = IndexedItem(ItemKind.DOCUMENT, "d-rules", "安全生产管理规定",
                    "全体职工应当遵守安全操作规程，定期检查安全阀，严禁违章作业。", ("everyone",), T0 + DAY,
                    department="安全科", category="rule", author_id="u-wang")
FURNACE = IndexedItem(ItemKind.NOTICE, "n-furnace", "高炉停炉检修安排",
                      "炼铁厂二号高炉周三停炉检修，检修期间注意煤气安全。", ("group:g-iron",), T0 + 2 * DAY,
                      department="炼铁厂", category="meeting", author_id="u-zhao", group_ids=("g-iron",))
CRANE = IndexedItem(ItemKind.DOCUMENT, "d-crane", "ＧＢ／Ｔ　６０６７ 起重机械安全规程",
                    "起重机械司机须持证上岗，吊装作业前检查钢丝绳与制动器。", ("dept:设备科",), T0 + 3 * DAY,
                    department="设备科", category="rule", author_id="u-qian")
GLOSSED = IndexedItem(ItemKind.DOCUMENT, "d-gloss", "新技術應(yīng)用經驗",
                      "推廣節能發(fā)展經驗，鼓勵班組應(yīng)用新工藝。", ("everyone",), T0 + 4 * DAY,
                      department="技术科", category="experience", author_id="u-sun")
REPORT = IndexedItem(ItemKind.REPORT, "r-energy", "2026年第三季度能耗报告",
                     "热力厂蒸汽消耗同比下降百分之六，锅炉房节能改造见效。", ("dept:财务科",), T0 + 5 * DAY,
                     category="energy", tags=("2026Q3",))
CORPUS = [BOILER, RULES, FURNACE, CRANE, GLOSSED, REPORT]

HEAT_MEMBER = ("everyone", "user:u-ma", "group:g-heat")
IRON_MEMBER = ("everyone", "user:u-zhu", "group:g-iron", "dept:设备科")


@pytest.fixture
def index(backend):
    writer, reader = backend
    writer.upsert(CORPUS)
    writer.commit()
    return reader


def ids(result):
    return sorted(h.item_id for h in result.hits)


def find(index, text, principals=None, **options):
    filters = options.pop("filters", None) or search_filters()
    return index.search(search_query(text, principals, filters, options.pop("page_size", 20), **options))


def test_a_query_in_either_script_finds_text_in_the_other(index):
    simplified = find(index, "压力表 安全阀", HEAT_MEMBER)
    traditional = find(index, "節能 經驗")
    assert ids(simplified) == ["n-boiler"] and simplified.hits[0].title == "鍋爐房安全檢查通知"
    assert ids(traditional) == ["d-gloss"]


def test_all_words_must_match(index):
    assert ids(find(index, "安全阀 检查")) == ["d-rules", "n-boiler"]
    assert ids(find(index, "安全阀 高炉")) == []


def test_quoted_phrases_must_appear_as_written(index):
    assert ids(find(index, '"压力表和安全阀"')) == ["n-boiler"]
    assert ids(find(index, '“安全阀和压力表”')) == []
    assert ids(find(index, '"定期检查" 违章')) == ["d-rules"]


def test_a_single_character_finds_longer_words(index):
    assert ids(find(index, "炉")) == ["n-boiler", "n-furnace", "r-energy"]


def test_pinyin_glosses_and_full_width_text_are_folded(index):
    assert ids(find(index, "应用 发展")) == ["d-gloss"]
    assert ids(find(index, "gb/t 6067")) == ["d-crane"]
    assert ids(find(index, "ＧＢ 起重机械")) == ["d-crane"]


@pytest.mark.parametrize("filters, expected", [
    (dict(kinds=(ItemKind.DOCUMENT,)), ["d-crane", "d-rules"]),
    (dict(departments=("热力厂", "炼铁厂")), ["n-boiler", "n-furnace"]),
    (dict(group_ids=("g-iron",)), ["n-furnace"]),
    (dict(categories=("rule",)), ["d-crane", "d-rules"]),
    (dict(author_ids=("u-li",)), ["n-boiler"]),
    (dict(published_from=T0 + DAY, published_to=T0 + 3 * DAY), ["d-rules", "n-furnace"]),
    (dict(kinds=(ItemKind.NOTICE,), categories=("rule",)), []),
])
def test_every_filter(index, filters, expected):
    assert ids(find(index, "安全", filters=search_filters(**filters))) == expected


def test_facets_count_what_matches(index):
    result = find(index, "安全", facets=(FacetField.KIND, FacetField.DEPARTMENT, FacetField.CATEGORY,
                                         FacetField.GROUP))
    assert result.total == 4
    assert result.facets[FacetField.KIND] == (FacetCount("document", 2), FacetCount("notice", 2))
    assert result.facets[FacetField.CATEGORY] == (FacetCount("rule", 2), FacetCount("meeting", 1),
                                                  FacetCount("safety_alert", 1))
    assert {c.value for c in result.facets[FacetField.DEPARTMENT]} == {"热力厂", "安全科", "炼铁厂", "设备科"}
    assert set(result.facets[FacetField.GROUP]) == {FacetCount("g-heat", 1), FacetCount("g-iron", 1)}


def test_matches_are_marked_in_the_original_text(index):
    hit = find(index, "锅炉房 安全阀", HEAT_MEMBER).hits[0]
    assert marked(hit.title, hit.title_matches, "[", "]") == "[鍋爐房][安全]檢查通知"
    assert "[安全閥]" in marked(hit.snippet, hit.snippet_matches, "[", "]")
    glossed = find(index, "应用").hits[0]
    assert marked(glossed.title, glossed.title_matches, "[", "]") == "新技術[應(yīng)用]經驗"


def test_marks_map_back_through_glosses_and_widened_forms(backend):
    # Highlighting reads the normalised text and its offset map stored at
    # index time: both must come back from the engine as they were made.
    writer, reader = backend
    writer.upsert([IndexedItem(ItemKind.DOCUMENT, "d-plant", "換熱站……擴(kuò)建工程",
                               "一期擴(kuò)建面積１２０００㎡……二期將新建換熱站三座，安裝循環泵(bèng)六臺。",
                               ("everyone",), T0)])
    writer.commit()
    hit = find(reader, "换热站 扩建 循环泵 12000m2").hits[0]
    assert marked(hit.title, hit.title_matches, "[", "]") == "[換熱站]……[擴(kuò)建]工程"
    assert marked(hit.snippet, hit.snippet_matches, "[", "]") == \
        "一期[擴(kuò)建]面積[１２０００㎡]……二期將新建[換熱站]三座，安裝[循環泵](bèng)六臺。"


def test_a_hit_shows_its_fields_as_written_whatever_they_hold(backend):
    writer, reader = backend
    item = IndexedItem(ItemKind.REPORT, "r-3:4,5", "规程:第1,2条\x1f附表", "附表:1,2\x1f3。", ("everyone",), T0,
                       department="设备科,二车间:班组", category="", author_id="u:7")
    writer.upsert([item])
    writer.commit()
    hit = find(reader, "规程 附表").hits[0]
    assert (hit.kind, hit.item_id, hit.title, hit.snippet) == (item.kind, item.item_id, item.title, item.body)
    assert (hit.department, hit.category, hit.author_id, hit.published_at) == (item.department, "", "u:7", T0)


def test_sort_by_relevance_or_newest(index):
    by_relevance = find(index, "检修")
    assert by_relevance.hits[0].item_id == "n-furnace" and by_relevance.hits[0].score > 0
    newest = find(index, "安全", sort=SortOrder.NEWEST)
    assert [h.item_id for h in newest.hits] == ["d-crane", "n-furnace", "d-rules", "n-boiler"]
    assert newest.hits[0].published_at == CRANE.published_at


def test_a_title_match_ranks_first_and_no_phrase_runs_from_a_title_into_its_body(backend):
    writer, reader = backend
    writer.upsert([
        IndexedItem(ItemKind.DOCUMENT, "d-ledger", "设备台账 Excel", "模板按车间填写，月底前交设备科。", ("everyone",), T0),
        IndexedItem(ItemKind.DOCUMENT, "d-plan", "月度检修计划", "请按设备台账核对备件，台账模板另行下发。", ("everyone",),
                    T0 + DAY)])
    writer.commit()
    assert [h.item_id for h in find(reader, "台账").hits] == ["d-ledger", "d-plan"]
    assert ids(find(reader, "excel 模板")) == ["d-ledger"]  # words match anywhere in an item
    assert ids(find(reader, '"excel 模板"')) == []  # the title's last word and the body's first
    assert ids(find(reader, '"台账 excel"')) == ["d-ledger"]


@pytest.mark.parametrize("sort", list(SortOrder))
def test_cursor_pages_cover_everything_once(backend, sort):
    writer, reader = backend
    # Shared timestamps and equal texts make ties the cursor must order.
    many = [IndexedItem(ItemKind.NOTICE, f"n-{i:02}", f"第{i}号防汛值班通知", "汛期值班人员按时到岗，值班记录当日上报。" * (1 + i % 3),
                        ("group:g-flood",), T0 + (i % 4) * DAY, department="防汛办") for i in range(23)]
    writer.upsert(many)
    writer.commit()
    seen, cursor, pages = [], "", 0
    while True:
        page = reader.search(search_query("值班", ("group:g-flood",), search_filters(), 5, sort=sort, cursor=cursor))
        assert page.total == 23
        seen += [h.item_id for h in page.hits]
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert pages == 5 and len(seen) == 23 and set(seen) == {i.item_id for i in many}
    if sort is SortOrder.NEWEST:
        dates = [next(i for i in many if i.item_id == s).published_at for s in seen]
        assert dates == sorted(dates, reverse=True)


def test_suggestions_complete_titles_in_either_script(index):
    assert index.suggest(suggest_query("锅炉", HEAT_MEMBER)) == ("鍋爐房安全檢查通知",)
    assert index.suggest(suggest_query("鍋爐房安", HEAT_MEMBER)) == ("鍋爐房安全檢查通知",)
    assert index.suggest(suggest_query("安全生", None)) == ("安全生产管理规定",)
    assert index.suggest(suggest_query("gb/t", IRON_MEMBER)) == ("ＧＢ／Ｔ　６０６７ 起重机械安全规程",)


def test_suggestions_come_only_from_what_the_caller_may_open(index):
    # Titles starting 安全 / 高炉 / 鍋爐 / GB/T / 2026: shared with everyone, a
    # group, a person, a department and nobody the callers are.
    for principals, expected in [
        (HEAT_MEMBER, {"安全": ("安全生产管理规定",), "高炉": (), "锅炉": ("鍋爐房安全檢查通知",), "gb/t": (), "2026": ()}),
        (IRON_MEMBER, {"安全": ("安全生产管理规定",), "高炉": ("高炉停炉检修安排",), "锅炉": (),
                       "gb/t": ("ＧＢ／Ｔ　６０６７ 起重机械安全规程",), "2026": ()}),
        (("user:u-li",), {"安全": (), "高炉": (), "锅炉": ("鍋爐房安全檢查通知",), "gb/t": (), "2026": ()}),
    ]:
        for prefix, titles in expected.items():
            assert index.suggest(suggest_query(prefix, principals)) == titles, (principals, prefix)
    assert index.suggest(suggest_query("2026", None)) == ("2026年第三季度能耗报告",)  # a system caller


def test_suggestions_come_most_shared_title_first_then_alphabetically_for_short_and_long_prefixes(backend):
    writer, reader = backend
    def item(item_id, title, visible=("everyone",), kind=ItemKind.NOTICE, day=0):
        return IndexedItem(kind, item_id, title, "本周安全生产情况汇总。", visible, T0 + day * DAY, department="安全科")
    weekly = "安全生产周报（二〇二六年第四十七周）冬季供暖专刊"  # longer than any indexed prefix
    writer.upsert([item("n-w1", weekly), item("n-w2", weekly, day=7), item("n-w3", weekly, ("group:g-heat",), day=14),
                   item("n-m1", "安全生产月报"), item("d-r1", "安全规程汇编", kind=ItemKind.DOCUMENT),
                   item("n-x1", "安全风险分级管控清单", ("group:g-iron",))])
    writer.commit()
    assert reader.suggest(suggest_query("安", ("everyone",))) == (weekly, "安全生产月报", "安全规程汇编")
    assert reader.suggest(suggest_query("安全", HEAT_MEMBER, 2)) == (weekly, "安全生产月报")
    assert reader.suggest(suggest_query("安全", IRON_MEMBER)) == (weekly, "安全生产月报", "安全规程汇编", "安全风险分级管控清单")
    assert reader.suggest(suggest_query("安全", None, kinds=(ItemKind.DOCUMENT,))) == ("安全规程汇编",)
    # Prefixes past what titles are indexed under, in the other script too.
    assert reader.suggest(suggest_query("安全生產週報（二〇二六年第四十七", ("everyone",))) == (weekly,)
    assert reader.suggest(suggest_query("安全生产周报（二〇二六年第四十七周）冬", IRON_MEMBER)) == (weekly,)
    assert reader.suggest(suggest_query("安全生产周报（二〇二六年第四十八", None)) == ()


@pytest.mark.parametrize("backend", ["tantivy"], indirect=True)
def test_a_title_counted_in_many_segments_is_suggested_first(backend):
    """The embedded index counts titles segment by segment and keeps the most
    counted of each: a weekly report among hundreds of one-off titles per
    commit (segment) is kept in none of them, yet it comes first."""
    writer, reader = backend
    for week in range(5):
        writer.upsert([IndexedItem(ItemKind.NOTICE, f"n-weekly-{week}", "安全周报", "本周情况。", ("everyone",), T0)]
                      + [IndexedItem(ItemKind.NOTICE, f"n-{week}-{n}", f"安{week}{n:03}号整改通知", "限期整改。",
                                     ("everyone",), T0) for n in range(120)])
        writer.commit()
    assert writer.suggest(suggest_query("安", None, 2)) == ("安全周报", "安0000号整改通知")
    assert writer.suggest(suggest_query("安全", ("everyone",), 2)) == ("安全周报",)


def test_suggestions_at_the_length_of_the_indexed_prefixes_and_past_it(backend):
    writer, reader = backend
    title = "二〇二六年冬季供暖锅炉房安全检查整改通知"  # 20 characters, no spaces
    writer.upsert([IndexedItem(ItemKind.NOTICE, "n-long", title, "请各单位落实。", ("everyone",), T0),
                   IndexedItem(ItemKind.NOTICE, "n-other", title[:12] + "节能检查通知", "请各单位落实。", ("everyone",), T0)])
    writer.commit()
    assert reader.suggest(suggest_query(title[:11], None)) == (title, title[:12] + "节能检查通知")
    assert reader.suggest(suggest_query(title[:12], None)) == (title, title[:12] + "节能检查通知")
    assert reader.suggest(suggest_query(title[:13], None)) == (title,)


def test_callers_never_see_what_is_not_shared_with_them(index):
    heat = find(index, "安全", HEAT_MEMBER, facets=(FacetField.DEPARTMENT, FacetField.KIND))
    iron = find(index, "安全", IRON_MEMBER, facets=(FacetField.DEPARTMENT, FacetField.KIND))
    assert ids(heat) == ["d-rules", "n-boiler"] and heat.total == 2
    assert ids(iron) == ["d-crane", "d-rules", "n-furnace"] and iron.total == 3
    assert {c.value for c in heat.facets[FacetField.DEPARTMENT]} == {"热力厂", "安全科"}
    assert heat.facets[FacetField.KIND] == (FacetCount("document", 1), FacetCount("notice", 1))
    # The energy report mentions the boiler house but is the finance department's.
    assert ids(find(index, "锅炉房", HEAT_MEMBER)) == ["n-boiler"]
    assert ids(find(index, "锅炉房", ("everyone", "dept:财务科"))) == ["r-energy"]
    assert all("蒸汽" not in h.snippet for h in find(index, "锅炉", HEAT_MEMBER).hits)
    assert index.suggest(suggest_query("锅炉", IRON_MEMBER)) == ()
    assert index.suggest(suggest_query("高炉", HEAT_MEMBER)) == ()
    assert index.suggest(suggest_query("2026", ("everyone", "dept:财务科"))) == ("2026年第三季度能耗报告",)
    assert ids(find(index, "检查", ("user:u-li",))) == ["n-boiler"]


def test_what_a_caller_may_see_weighs_nothing_in_the_score(index):
    everything = {h.item_id: h.score for h in find(index, "安全 检查").hits}  # a system caller
    heat = find(index, "安全 检查", HEAT_MEMBER).hits
    assert [h.item_id for h in heat] == ["n-boiler", "d-rules"]
    assert [h.score for h in heat] == [everything["n-boiler"], everything["d-rules"]]


def test_delete_removes_and_upsert_replaces(backend):
    writer, reader = backend
    writer.upsert(CORPUS)
    writer.commit()
    writer.delete([FURNACE.key, "notice:never-indexed"])
    writer.upsert([IndexedItem(ItemKind.DOCUMENT, "d-rules", "安全生产管理规定（修订）", "新增有限空间作业审批要求。",
                               ("everyone",), T0 + 6 * DAY, department="安全科")])
    writer.commit()
    assert ids(find(reader, "高炉")) == []
    assert ids(find(reader, "有限空间")) == ["d-rules"]
    assert ids(find(reader, "违章")) == []
    assert find(reader, "管理规定").total == 1
    assert reader.suggest(suggest_query("安全生产", None)) == ("安全生产管理规定（修订）",)


def test_rebuild_replaces_the_whole_content(backend):
    writer, reader = backend
    writer.upsert(CORPUS)
    writer.commit()
    assert writer.rebuild(iter([FURNACE, REPORT])) == 2
    assert ids(find(reader, "炉")) == ["n-furnace", "r-energy"]
    assert ids(find(reader, "安全阀")) == []


def test_a_long_body_is_found_anywhere_and_its_snippet_comes_from_its_opening(backend):
    from search.adapters.hit_display import SNIPPET_SOURCE_CHARS
    writer, reader = backend
    opening = "第一章 总则。本手册规定热力管网巡检的范围和周期。"
    filler = "巡线人员按路线逐段检查管沟和井室。" * (SNIPPET_SOURCE_CHARS // 15)
    manual = IndexedItem(ItemKind.DOCUMENT, "d-manual", "热力管网运行维护手册",
                         opening + filler + "附录：补偿器泄漏的应急处置。", ("everyone",), T0, department="热力厂")
    writer.upsert([manual])
    writer.commit()
    early, deep = find(reader, "巡检 周期").hits, find(reader, "补偿器 泄漏").hits
    assert [h.item_id for h in early] == [h.item_id for h in deep] == ["d-manual"]
    assert "[巡检]" in marked(early[0].snippet, early[0].snippet_matches, "[", "]")
    assert deep[0].snippet.startswith(opening) and deep[0].snippet_matches == ()  # beyond what is kept for snippets


def test_a_rebuild_that_fails_midway_leaves_the_old_content_and_a_working_writer(backend):
    writer, reader = backend
    writer.upsert(CORPUS)
    writer.commit()

    def items_until_the_database_fails():
        yield FURNACE
        raise ConnectionError("search database went away")
    with pytest.raises(ConnectionError):
        writer.rebuild(items_until_the_database_fails())
    writer.commit()  # nothing of the failed rebuild may be committed later
    assert ids(find(reader, "安全阀")) == ["d-rules", "n-boiler"]
    assert ids(find(reader, "炉")) == ["n-boiler", "n-furnace", "r-energy"]
    if hasattr(writer, "current_indices"):  # Elasticsearch: the half-filled new index is gone too
        assert sorted(writer.es.indices.get(index=f"{writer.alias}-*").body) == writer.current_indices()
    writer.upsert([replace(FURNACE, item_id="n-furnace-2")])
    writer.commit()
    assert ids(find(writer, "高炉")) == ["n-furnace", "n-furnace-2"]  # the reader may be RELOAD_SECONDS late


def test_items_written_from_several_threads_show_as_written(backend):
    writer, reader = backend
    teams = ["一车间", "二车间", "三车间", "四车间"]

    def write(team: str) -> None:
        for n in range(25):
            writer.upsert([IndexedItem(ItemKind.NOTICE, f"n-{team}-{n}", f"{team}第{n}号交班记录",
                                       f"{team}夜班交接：第{n}号泵运行正常，" + team * n, ("everyone",), T0,
                                       department=team)])
            if n % 5 == 4:
                writer.commit()
    threads = [threading.Thread(target=write, args=(team,)) for team in teams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.commit()
    for team in teams:
        hits = find(writer, f"{team} 交班记录", page_size=50).hits
        assert len(hits) == 25
        for hit in hits:
            n = int(hit.item_id.rsplit("-", 1)[1])
            assert (hit.title, hit.department) == (f"{team}第{n}号交班记录", team)
            assert hit.snippet.startswith(f"{team}夜班交接：第{n}号泵运行正常，")


# Not on noida-db: the test stand-in returns nothing for a search_after whose
# score ties with the rest (a real cluster pages by the tie-breaker, and runs
# this test when ES_URL is set).
@pytest.mark.parametrize("backend", ["tantivy"] + (["elasticsearch"] if os.environ.get("ES_URL") else []),
                         indirect=True)
def test_pages_of_equal_scores_follow_the_tie_breaker(backend):
    writer, reader = backend
    # 60 equal texts: every score ties, far more rows than one page fetches.
    same = [IndexedItem(ItemKind.DOCUMENT, f"d-{i:03}", "防汛值班制度", "汛期值班人员按时到岗。", ("everyone",),
                        T0 + (i % 2) * DAY, department=("防汛办", "调度所", "安全科")[i % 3]) for i in range(60)]
    writer.upsert(same)
    writer.commit()
    filters = search_filters(departments=["防汛办", "调度所"])
    seen, cursor = [], ""
    while True:
        page = reader.search(search_query("值班", ("user:u-1", "everyone"), filters, 7, cursor=cursor))
        assert page.total == 40
        seen += [h.item_id for h in page.hits]
        cursor = page.next_cursor
        if not cursor:
            break
    expected = sorted((i for i in same if i.department != "安全科"), key=lambda i: i.tie_breaker)
    assert seen == [i.item_id for i in expected]
