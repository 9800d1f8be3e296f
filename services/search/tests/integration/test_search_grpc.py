"""SearchService over a real gRPC channel: callers from their tokens, every
bad field named, pages, facets, highlights and suggestions."""
from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from hub.search.v1 import search_pb2, search_service_pb2 as api
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect, violated_fields
from hubkit.api_process import api_server
from search import bootstrap
from search.domain.model import IndexedItem, ItemKind

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
ITEMS = [IndexedItem(ItemKind.NOTICE, f"n-{i}", f"第{i}期安全例會紀要", "各車間匯報安全隱患整改進度，明確下周重點。",
                     ("group:g-safety",), T0 + timedelta(days=i), department="安全科", category="meeting")
         for i in range(7)] + [
    IndexedItem(ItemKind.DOCUMENT, "d-pump", "水泵房巡检制度", "值班人员每两小时巡检一次水泵房，记录安全情况。",
                ("dept:动力厂",), T0, department="动力厂", category="rule")]


@pytest.fixture
def search_api(hub_config, jwt_secret):
    config = hub_config()
    writer = bootstrap.open_index(config, writable=True)
    writer.upsert(ITEMS)
    writer.commit()
    server = api_server(config, "search", address="127.0.0.1:0").start()
    clients = []

    def client(caller: Caller):
        clients.append(connect("search", server.address, issue_token(jwt_secret, caller)))
        return clients[-1]
    yield client
    for c in clients:
        c.close()
    server.stop(0)
    writer.close()


SAFETY = Caller("u-an", groups=("g-safety",))
POWER = Caller("u-bo", departments=("动力厂",))


def stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def test_pages_facets_and_marks_for_the_callers_items_only(search_api):
    search = search_api(SAFETY)
    first = search.Search(api.SearchRequest(query="安全 隐患", page_size=4, sort=search_pb2.SORT_ORDER_NEWEST,
                                            facets=[search_pb2.FACET_FIELD_DEPARTMENT]))
    assert first.total == 7 and [h.item_id for h in first.hits] == ["n-6", "n-5", "n-4", "n-3"]
    assert [(v.value, v.count) for v in first.facets[0].values] == [("安全科", 7)]
    hit = first.hits[0]
    assert [hit.snippet[s.start:s.end] for s in hit.snippet_matches] == ["安全", "隱患"]
    assert [hit.title[s.start:s.end] for s in hit.title_matches] == ["安全"]
    second = search.Search(api.SearchRequest(query="安全 隐患", page_size=4, sort=search_pb2.SORT_ORDER_NEWEST,
                                             cursor=first.next_cursor))
    assert [h.item_id for h in second.hits] == ["n-2", "n-1", "n-0"] and second.next_cursor == ""
    assert search_api(POWER).Search(api.SearchRequest(query="安全")).total == 1


def test_filters_by_date_and_kind(search_api):
    search = search_api(Caller("u-boss", roles=("system",)))
    result = search.Search(api.SearchRequest(query="安全", kinds=[search_pb2.ITEM_KIND_NOTICE],
                                             published_from=stamp(T0 + timedelta(days=2)),
                                             published_to=stamp(T0 + timedelta(days=4))))
    assert sorted(h.item_id for h in result.hits) == ["n-2", "n-3"]


def test_suggestions_follow_what_the_caller_may_open(search_api):
    assert list(search_api(POWER).Suggest(api.SuggestRequest(prefix="水泵")).titles) == ["水泵房巡检制度"]
    assert list(search_api(SAFETY).Suggest(api.SuggestRequest(prefix="水泵")).titles) == []
    assert len(search_api(SAFETY).Suggest(api.SuggestRequest(prefix="第", limit=3)).titles) == 3


@pytest.mark.parametrize("request_fields, field", [
    (dict(query=" "), "query"),
    (dict(query="安全", page_size=101), "page_size"),
    (dict(query="安全", cursor="bm90LWEtY3Vyc29y"), "cursor"),
    (dict(query="安全", published_from=stamp(T0), published_to=stamp(T0 - timedelta(days=1))), "published_to"),
    (dict(query="安全", departments=["安全科", ""]), "departments[1]"),
    (dict(query="安全", facets=[9]), "facets[0]"),
    (dict(query="安全", sort=7), "sort"),
    (dict(query="安全", kinds=[search_pb2.ITEM_KIND_UNSPECIFIED]), "kinds[0]"),
])
def test_bad_search_requests_name_the_field(search_api, request_fields, field):
    with pytest.raises(grpc.RpcError) as raised:
        search_api(SAFETY).Search(api.SearchRequest(**request_fields))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(raised.value) == [field]


def test_a_cursor_of_another_search_is_refused(search_api):
    search = search_api(SAFETY)
    cursor = search.Search(api.SearchRequest(query="安全", page_size=2)).next_cursor
    with pytest.raises(grpc.RpcError) as raised:
        search.Search(api.SearchRequest(query="隐患", page_size=2, cursor=cursor))
    assert violated_fields(raised.value) == ["cursor"]


@pytest.mark.parametrize("request_fields, field", [(dict(prefix=""), "prefix"), (dict(prefix="安", limit=50), "limit")])
def test_bad_suggest_requests_name_the_field(search_api, request_fields, field):
    with pytest.raises(grpc.RpcError) as raised:
        search_api(SAFETY).Suggest(api.SuggestRequest(**request_fields))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(raised.value) == [field]
