"""hub.search.v1.SearchService: proto <-> handler calls; errors map in hubkit."""
from __future__ import annotations

from datetime import datetime, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from hub.search.v1 import search_pb2, search_service_pb2 as api, search_service_pb2_grpc
from hubkit.errors import InvalidArgument
from hubkit.grpc_server import current_caller
from hubkit.protos import to_datetime
from search import handlers
from search.domain.model import (FacetField, Hit, ItemKind, SearchResult, SortOrder, search_filters, search_query,
                                 suggest_query)

KIND_FROM_PROTO = {
    search_pb2.ITEM_KIND_NOTICE: ItemKind.NOTICE,
    search_pb2.ITEM_KIND_DOCUMENT: ItemKind.DOCUMENT,
    search_pb2.ITEM_KIND_REPORT: ItemKind.REPORT,
    search_pb2.ITEM_KIND_SHARE: ItemKind.SHARE,
}
KIND_TO_PROTO = {v: k for k, v in KIND_FROM_PROTO.items()}
SORT_FROM_PROTO = {
    search_pb2.SORT_ORDER_UNSPECIFIED: SortOrder.RELEVANCE,
    search_pb2.SORT_ORDER_RELEVANCE: SortOrder.RELEVANCE,
    search_pb2.SORT_ORDER_NEWEST: SortOrder.NEWEST,
}
FACET_FROM_PROTO = {
    search_pb2.FACET_FIELD_KIND: FacetField.KIND,
    search_pb2.FACET_FIELD_DEPARTMENT: FacetField.DEPARTMENT,
    search_pb2.FACET_FIELD_CATEGORY: FacetField.CATEGORY,
    search_pb2.FACET_FIELD_GROUP: FacetField.GROUP,
}
FACET_TO_PROTO = {v: k for k, v in FACET_FROM_PROTO.items()}


def _enums(values, known: dict, field: str) -> tuple:
    found = []
    for position, value in enumerate(values):
        if value not in known:
            raise InvalidArgument(f"unknown value {value}", field=f"{field}[{position}]")
        found.append(known[value])
    return tuple(found)


def query_from(request: api.SearchRequest):
    if request.sort not in SORT_FROM_PROTO:
        raise InvalidArgument(f"unknown sort order {request.sort}", field="sort")
    filters = search_filters(
        kinds=_enums(request.kinds, KIND_FROM_PROTO, "kinds"), departments=request.departments,
        group_ids=request.group_ids, categories=request.categories, author_ids=request.author_ids,
        published_from=to_datetime(request, "published_from"), published_to=to_datetime(request, "published_to"))
    # The principals are the caller's, set by the handler.
    return search_query(request.query, None, filters, request.page_size, sort=SORT_FROM_PROTO[request.sort],
                        cursor=request.cursor, facets=_enums(request.facets, FACET_FROM_PROTO, "facets"))


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _set_timestamp(stamp: Timestamp, moment: datetime) -> None:
    if moment.tzinfo is timezone.utc:  # what the engines return: exact arithmetic, a third of FromDatetime's time
        since = moment - _EPOCH
        stamp.seconds = since.days * 86_400 + since.seconds
        stamp.nanos = since.microseconds * 1000
    else:
        stamp.FromDatetime(moment)


def _add_hit(hits, hit: Hit) -> None:
    # Filled in place: building each SearchHit, TextSpan and Timestamp on its
    # own and then copying it into the response takes twice as long.
    message = hits.add(kind=KIND_TO_PROTO[hit.kind], item_id=hit.item_id, title=hit.title, snippet=hit.snippet,
                       score=hit.score, department=hit.department, category=hit.category, author_id=hit.author_id)
    _set_timestamp(message.published_at, hit.published_at)
    if hit.title_matches:
        add = message.title_matches.add
        for span in hit.title_matches:
            add(start=span.start, end=span.end)
    if hit.snippet_matches:
        add = message.snippet_matches.add
        for span in hit.snippet_matches:
            add(start=span.start, end=span.end)


def response_from(result: SearchResult) -> api.SearchResponse:
    facets = [search_pb2.Facet(field=FACET_TO_PROTO[field],
                               values=[search_pb2.FacetValue(value=c.value, count=c.count) for c in counts])
              for field, counts in result.facets.items()]
    response = api.SearchResponse(total=result.total, facets=facets, next_cursor=result.next_cursor)
    for hit in result.hits:
        _add_hit(response.hits, hit)
    return response


class SearchServicer(search_service_pb2_grpc.SearchServiceServicer):
    def __init__(self, index):
        self.index = index

    def Search(self, request, context):
        result = handlers.search(query_from(request), caller=current_caller(), index=self.index)
        return response_from(result)

    def Suggest(self, request, context):
        query = suggest_query(request.prefix, None, request.limit, _enums(request.kinds, KIND_FROM_PROTO, "kinds"))
        return api.SuggestResponse(titles=handlers.suggest(query, caller=current_caller(), index=self.index))
