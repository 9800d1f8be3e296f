"""Wiring of the search service; nothing here runs at import time."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from hubkit.config import Config, ConfigError
from hubkit.wiring import engine_for
from search.adapters.repository import SqlSearchUnitOfWork
from search.ports import SearchIndex

SERVICE = "search"


def uow_factory(config: Config):
    return partial(SqlSearchUnitOfWork, engine_for(config, SERVICE))


def open_index(config: Config, *, writable: bool) -> SearchIndex:
    backend = config.raw("SEARCH_BACKEND")
    if backend == "tantivy":
        from search.adapters.tantivy_index import TantivyIndex
        return TantivyIndex(Path(config.raw("SEARCH_INDEX_DIR")), writable=writable)
    if backend == "elasticsearch":
        from search.adapters.elasticsearch_index import ElasticsearchIndex
        url = config.raw("SEARCH_ES_URL")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"SEARCH_ES_URL={url!r} must start with http:// or https://")
        return ElasticsearchIndex(url, config.raw("SEARCH_ES_INDEX"))
    raise ConfigError(f"SEARCH_BACKEND={backend!r} must be tantivy or elasticsearch")


def writable_index(config: Config) -> SearchIndex:
    return open_index(config, writable=True)


def register_api(config: Config, server) -> list[str]:
    from hub.search.v1 import search_service_pb2, search_service_pb2_grpc
    from search.grpc_api import SearchServicer

    search_service_pb2_grpc.add_SearchServiceServicer_to_server(
        SearchServicer(open_index(config, writable=False)), server)
    return [search_service_pb2.DESCRIPTOR.services_by_name["SearchService"].full_name]


def worker_class():
    from search.service import SearchWorker
    return SearchWorker
