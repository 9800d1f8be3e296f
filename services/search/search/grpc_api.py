"""hub.search.v1.SearchService: proto <-> handler calls; errors map in hubkit."""
from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from hub.search.v1 import search_pb2, search_service_pb2 as api, search_service_pb2_grpc
from hubkit.errors import InvalidArgument
from hubkit.grpc_server import current_caller
from search import handlers
from search.domain.model import Hit, ItemKind

KIND_FROM_PROTO = {
    search_pb2.ITEM_KIND_NOTICE: ItemKind.NOTICE,
    search_pb2.ITEM_KIND_DOCUMENT: ItemKind.DOCUMENT,
    search_pb2.ITEM_KIND_REPORT: ItemKind.REPORT,
}
KIND_TO_PROTO = {v: k for k, v in KIND_FROM_PROTO.items()}


def _kinds(values) -> tuple[ItemKind, ...]:
    kinds = []
    for position, value in enumerate(values):
        if value not in KIND_FROM_PROTO:
            raise InvalidArgument(f"unknown item kind {value}", field=f"kinds[{position}]")
        kinds.append(KIND_FROM_PROTO[value])
    return tuple(kinds)


def hit_message(hit: Hit) -> search_pb2.SearchHit:
    published_at = Timestamp()
    published_at.FromDatetime(hit.published_at)
    return search_pb2.SearchHit(kind=KIND_TO_PROTO[hit.kind], item_id=hit.item_id, title=hit.title,
                                snippet=hit.snippet, score=hit.score, published_at=published_at)


class SearchServicer(search_service_pb2_grpc.SearchServiceServicer):
    def __init__(self, index):
        self.index = index

    def Search(self, request, context):
        result = handlers.search(request.query, kinds=_kinds(request.kinds), page_size=request.page_size,
                                 caller=current_caller(), index=self.index)
        return api.SearchResponse(hits=[hit_message(h) for h in result.hits], total=result.total)
