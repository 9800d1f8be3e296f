"""`hub search query|suggest|rebuild|reindex`.

query and suggest call the running search API over gRPC as a caller (a
system caller unless --user is given); rebuild and reindex are operator
commands on the search database and the index. Imports stay inside the
handlers: this module is imported every time `hub` runs.
"""
from __future__ import annotations

import argparse
import sys

MARK_OPEN, MARK_CLOSE = "【", "】"


def register(subparsers) -> None:
    search = subparsers.add_parser("search", help="query the search index, or rebuild it")
    commands = search.add_subparsers(dest="search_command", required=True)

    query = commands.add_parser("query", help="search as a user (or as the system)")
    query.add_argument("text")
    _caller_options(query)
    query.add_argument("--kind", action="append", default=[], choices=["notice", "document", "report", "share"])
    query.add_argument("--in-dept", action="append", default=[], dest="departments", help="filter: department")
    query.add_argument("--in-group", action="append", default=[], dest="group_ids", help="filter: group id")
    query.add_argument("--category", action="append", default=[], dest="categories")
    query.add_argument("--author", action="append", default=[], dest="author_ids")
    query.add_argument("--from", dest="published_from", help="published at or after (ISO date or time)")
    query.add_argument("--to", dest="published_to", help="published before (ISO date or time)")
    query.add_argument("--newest", action="store_true", help="newest first instead of by relevance")
    query.add_argument("--page-size", type=int, default=10)
    query.add_argument("--cursor", default="", help="next_cursor printed by the previous page")
    query.add_argument("--facets", action="store_true", help="count by kind, department and category")
    query.set_defaults(func=_query)

    suggest = commands.add_parser("suggest", help="titles starting with a prefix")
    suggest.add_argument("prefix")
    _caller_options(suggest)
    suggest.add_argument("--limit", type=int, default=8)
    suggest.set_defaults(func=_suggest)

    commands.add_parser("rebuild", help="refill the index from the search database (no downtime)") \
        .set_defaults(func=_rebuild)
    commands.add_parser("reindex", help="Elasticsearch: copy the live index into a new one from the current "
                                        "template and swap the alias").set_defaults(func=_reindex)


def _caller_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", help="search as this user id (default: a system caller who sees everything)")
    parser.add_argument("--dept", action="append", default=[], help="the user's department(s)")
    parser.add_argument("--group", action="append", default=[], help="the user's group(s)")


def _client(args, config):
    from hubkit.auth import SYSTEM_ROLE, Caller, issue_token
    from hubkit.clients import connect
    from hubkit.launcher import jwt_secret
    caller = (Caller(args.user, tuple(args.dept), tuple(args.group)) if args.user
              else Caller("hub-cli", roles=(SYSTEM_ROLE,)))
    return connect("search", config.grpc_addr("search"), issue_token(jwt_secret(config), caller))


def _timestamp(text: str | None):
    if not text:
        return None
    from datetime import datetime, timezone

    from google.protobuf.timestamp_pb2 import Timestamp
    moment = datetime.fromisoformat(text)
    stamp = Timestamp()
    stamp.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    return stamp


def _marked(text: str, spans) -> str:
    from search.domain.model import Span, marked
    return marked(text, tuple(Span(s.start, s.end) for s in spans), MARK_OPEN, MARK_CLOSE)


def _call(rpc, request) -> object | None:
    import grpc
    try:
        return rpc(request)
    except grpc.RpcError as error:
        print(f"hub search: {error.code().name}: {error.details()}", file=sys.stderr)
        return None


def _query(args, config) -> int:
    from hub.search.v1 import search_pb2, search_service_pb2 as api
    client = _client(args, config)
    request = api.SearchRequest(
        query=args.text, page_size=args.page_size, cursor=args.cursor,
        kinds=[search_pb2.ItemKind.Value(f"ITEM_KIND_{k.upper()}") for k in args.kind],
        departments=args.departments, group_ids=args.group_ids, categories=args.categories,
        author_ids=args.author_ids,
        sort=search_pb2.SORT_ORDER_NEWEST if args.newest else search_pb2.SORT_ORDER_RELEVANCE,
        facets=[search_pb2.FACET_FIELD_KIND, search_pb2.FACET_FIELD_DEPARTMENT,
                search_pb2.FACET_FIELD_CATEGORY] if args.facets else [])
    for name in ("published_from", "published_to"):
        moment = _timestamp(getattr(args, name))
        if moment is not None:
            getattr(request, name).CopyFrom(moment)
    reply = _call(client.Search, request)
    client.close()
    if reply is None:
        return 1
    print(f"{reply.total} match(es)")
    for hit in reply.hits:
        kind = search_pb2.ItemKind.Name(hit.kind).removeprefix("ITEM_KIND_").lower()
        print(f"- [{kind}] {hit.item_id}  {hit.published_at.ToDatetime():%Y-%m-%d}  "
              f"{_marked(hit.title, hit.title_matches)}")
        if hit.snippet:
            print(f"    {_marked(hit.snippet, hit.snippet_matches)}")
    for facet in reply.facets:
        name = search_pb2.FacetField.Name(facet.field).removeprefix("FACET_FIELD_").lower()
        print(f"{name}: " + ", ".join(f"{v.value} {v.count}" for v in facet.values))
    if reply.next_cursor:
        print(f"next page: --cursor {reply.next_cursor}")
    return 0


def _suggest(args, config) -> int:
    from hub.search.v1 import search_service_pb2 as api
    client = _client(args, config)
    reply = _call(client.Suggest, api.SuggestRequest(prefix=args.prefix, limit=args.limit))
    client.close()
    if reply is None:
        return 1
    for title in reply.titles:
        print(title)
    return 0


def _rebuild(args, config) -> int:
    from search import bootstrap, handlers
    index = bootstrap.open_index_for_command(config, replace_outdated=True)  # one built by an older version too
    try:
        count = handlers.rebuild_index(uow=bootstrap.uow_factory(config)(), index=index)
    finally:
        index.close()
    print(f"index rebuilt from the database: {count} item(s)")
    return 0


def _reindex(args, config) -> int:
    if config.raw("SEARCH_BACKEND") != "elasticsearch":
        print("hub search reindex: applies to SEARCH_BACKEND=elasticsearch; "
              "the embedded index is refilled with `hub search rebuild`", file=sys.stderr)
        return 2
    from search import bootstrap
    index = bootstrap.open_index_for_command(config)
    try:
        old, new = index.reindex()
    finally:
        index.close()
    print(f"alias {config.raw('SEARCH_ES_INDEX')} now points at {new} (was {', '.join(old) or 'nothing'})")
    return 0
