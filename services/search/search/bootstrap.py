"""Wiring of the search service; nothing here runs at import time."""
from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from hubkit.config import Config, ConfigError
from hubkit.wiring import engine_for
from search.adapters.repository import SqlSearchUnitOfWork
from search.ports import BlobStore, IndexOutdated, SearchIndex, TextExtractor

SERVICE = "search"


def uow_factory(config: Config):
    return partial(SqlSearchUnitOfWork, engine_for(config, SERVICE))


def open_index(config: Config, *, writable: bool, replace_outdated: bool = False, bulk: bool = False) -> SearchIndex:
    """``replace_outdated``: for a rebuild, an embedded index built by an
    older version is replaced by an empty one (otherwise: IndexOutdated).
    ``bulk``: for a command that indexes much at once (more indexing memory)."""
    backend = config.raw("SEARCH_BACKEND")
    if backend == "tantivy":
        from search.adapters.tantivy_index import TantivyIndex
        return TantivyIndex(Path(config.raw("SEARCH_INDEX_DIR")), writable=writable,
                            replace_outdated=replace_outdated, bulk=bulk)
    if backend == "elasticsearch":
        from search.adapters.elasticsearch_index import ElasticsearchIndex
        url = config.raw("SEARCH_ES_URL")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"SEARCH_ES_URL={url!r} must start with http:// or https://")
        return ElasticsearchIndex(url, config.raw("SEARCH_ES_INDEX"))
    raise ConfigError(f"SEARCH_BACKEND={backend!r} must be tantivy or elasticsearch")


def api_serves_inline(config: Config) -> bool:
    """Never: tantivy searches outside the interpreter lock, so on threads
    several searches run at once, and inline they would not. Measured with
    streams served inline too, the API did no better (bench/search_perf.py,
    2026-11-24, two runs back to back: 1,232 against 1,292 searches/s in one
    process). Uploads and downloads stream, which the inline server refuses
    (see hubkit ApiServer)."""
    return False


MAX_DEFAULT_API_PROCESSES = 8


def api_processes_by_default() -> int:
    """One per core this process may run on, at most 8 (each maps the index
    and holds its caches): a process serves searches on about one core (its
    Python work holds the interpreter lock), and with two processes on two
    cores the API answered 40-60 % more searches than with one
    (bench/search_perf.py, three runs on 2026-11-24)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, MAX_DEFAULT_API_PROCESSES)


def writable_index(config: Config) -> SearchIndex:
    return open_index(config, writable=True)


def prepare_index(config: Config, out=print) -> None:
    """Create the index so API servers can open it read-only before the
    worker writes. An embedded index built by an older version is built anew
    from the search database (which is migrated first)."""
    try:
        open_index(config, writable=False).close()
    except IndexOutdated:
        from search.handlers import rebuild_index
        index = open_index_for_command(config, replace_outdated=True)
        try:
            count = rebuild_index(uow=uow_factory(config)(), index=index)
        finally:
            index.close()
        out(f"search index built anew for this version from the database: {count} item(s)")


def open_index_for_command(config: Config, *, replace_outdated: bool = False) -> SearchIndex:
    """The index, writable, for a command (rebuild, reindex, migrate); one
    sentence naming the fix instead of a traceback when the running search
    worker holds tantivy's writer lock."""
    try:
        return open_index(config, writable=True, replace_outdated=replace_outdated, bulk=True)
    except ValueError as exc:
        raise SystemExit(f"hub: cannot write the search index ({exc}); stop the search worker first") from None


def blob_store(config: Config) -> BlobStore:
    from search.adapters.blob_store import FileBlobStore
    return FileBlobStore(Path(config.raw("SEARCH_BLOB_DIR")))


def text_extractor(config: Config) -> TextExtractor:
    from search.adapters.extraction import BoundedTextExtractor, ExtractionLimits
    return BoundedTextExtractor(ExtractionLimits(
        max_chars=config.integer("SEARCH_EXTRACT_MAX_CHARS"),
        max_zip_bytes=config.integer("SEARCH_EXTRACT_MAX_ZIP_BYTES"),
        max_zip_ratio=config.integer("SEARCH_EXTRACT_MAX_ZIP_RATIO"),
        max_sheet_rows=config.integer("SEARCH_EXTRACT_MAX_SHEET_ROWS"),
        max_sheet_cells=config.integer("SEARCH_EXTRACT_MAX_SHEET_CELLS"),
    ))


def worker_text_extractor(config: Config) -> TextExtractor:
    from search.adapters.extraction import NativeThreadExtractor
    return NativeThreadExtractor(text_extractor(config))


def register_api(config: Config, server) -> list[str]:
    from hub.search.v1 import search_service_pb2, search_service_pb2_grpc
    from search.grpc_api import SearchServicer

    search_service_pb2_grpc.add_SearchServiceServicer_to_server(
        SearchServicer(open_index(config, writable=False)), server)
    from hub.search.v1 import document_service_pb2, document_service_pb2_grpc
    from search.grpc_documents import DocumentServicer

    document_service_pb2_grpc.add_DocumentServiceServicer_to_server(DocumentServicer(
        uow_factory=uow_factory(config), blobs=blob_store(config),
        max_upload_bytes=config.integer("SEARCH_MAX_UPLOAD_BYTES")), server)
    return [search_service_pb2.DESCRIPTOR.services_by_name["SearchService"].full_name,
            document_service_pb2.DESCRIPTOR.services_by_name["DocumentService"].full_name]


def worker_class():
    from search.service import SearchWorker
    return SearchWorker
