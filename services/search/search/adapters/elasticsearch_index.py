"""Elasticsearch through the official client (8.x, the major infra/ deploys).

Text is normalised in Python first (search.analysis, as for tantivy) into the
``*_norm`` fields, which an index template analyses with the standard
tokenizer + cjk_width + lowercase + cjk_bigram (``.chars`` sub-fields keep
single characters for one-character queries); the original text is kept,
unindexed, for display, with its display form (``*_form``) for highlighting.
Reads and writes go through an alias; rebuild and reindex fill a new index
and swap the alias in one atomic request, so searches never see a partial
index. Fields added to the mappings later are added to the live index when
it is opened (its mapping is strict), and documents written before lack them.
"""
from __future__ import annotations

import contextlib

import uuid
from datetime import datetime, timezone
from typing import Iterable

from elasticsearch import ApiError, Elasticsearch, helpers

from search.adapters.hit_display import display_hit, facet_counts, snippet_source
from search.analysis import (AnalysedQuery, Highlighter, analyse_query, compact, suggestion_term, text_forms,
                             title_of_suggestion)
from search.domain.model import (Cursor, FacetField, IndexedItem, SearchQuery, SearchResult, SortOrder,
                                 SuggestQuery, to_epoch_us)
from search.ports import SearchIndex

TITLE_BOOST = 2
FACET_BUCKETS = 50
BULK_CHUNK = 500
DISPLAY_FIELDS = ["kind", "item_id", "title", "body", "published_us", "department", "category", "author_id",
                  "title_form", "body_form"]
_KEYWORD = {"type": "keyword"}
_CJK_TEXT = {"type": "text", "analyzer": "hub_cjk",
             "fields": {"chars": {"type": "text", "analyzer": "hub_chars"}}}

INDEX_SETTINGS = {
    "number_of_shards": 1,
    "analysis": {"analyzer": {
        "hub_cjk": {"type": "custom", "tokenizer": "standard", "filter": ["cjk_width", "lowercase", "cjk_bigram"]},
        "hub_chars": {"type": "custom", "tokenizer": "standard", "filter": ["cjk_width", "lowercase"]},
    }},
}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        **{name: _KEYWORD for name in ("key", "tie", "kind", "item_id", "department", "category", "author_id",
                                       "group_ids", "tags", "visible_to", "suggest")},
        "title": {"type": "keyword", "index": False, "doc_values": False},
        "body": {"type": "text", "index": False},
        "title_form": {"type": "text", "index": False},
        "body_form": {"type": "text", "index": False},
        "title_norm": _CJK_TEXT,
        "body_norm": _CJK_TEXT,
        "published_us": {"type": "long"},
        "published_at": {"type": "date"},
    },
}


def source_of(item: IndexedItem) -> dict:
    title, body = text_forms(item.title), text_forms(item.body)
    shown_body, body_form = snippet_source(item.body, body)
    return {
        "key": item.key, "tie": item.tie_breaker, "kind": item.kind.value, "item_id": item.item_id,
        "department": item.department, "category": item.category, "author_id": item.author_id,
        "group_ids": list(item.group_ids), "tags": list(item.tags), "visible_to": list(item.visible_to),
        "suggest": suggestion_term(item.title), "title": item.title, "body": shown_body,
        "title_norm": title.normalised, "body_norm": body.normalised,
        "title_form": title.display.to_text(), "body_form": body_form.to_text(),
        "published_us": item.published_us, "published_at": item.published_at.isoformat(),
    }


class ElasticsearchIndex(SearchIndex):
    def __init__(self, url: str, alias: str, *, client: Elasticsearch | None = None):
        self.es = client or Elasticsearch(url, request_timeout=30)
        self.alias = alias
        self._ensure_alias()

    # --- the template, the alias and index generations ---------------------
    def _ensure_alias(self) -> None:
        self.es.indices.put_index_template(name=f"{self.alias}-template", index_patterns=[f"{self.alias}-*"],
                                           template={"settings": INDEX_SETTINGS, "mappings": MAPPINGS})
        if self.es.indices.exists_alias(name=self.alias):
            # An index made from an older template: add the fields it lacks
            # (the same definitions again are accepted as they are).
            self.es.indices.put_mapping(index=self.alias, properties=MAPPINGS["properties"])
        else:
            first = self._new_index()
            try:
                self.es.indices.update_aliases(actions=[
                    {"add": {"index": first, "alias": self.alias, "is_write_index": True}}])
            except ApiError:
                self.es.indices.delete(index=first)  # another process created the alias first
                if not self.es.indices.exists_alias(name=self.alias):
                    raise

    def _new_index(self) -> str:
        name = f"{self.alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        self.es.indices.create(index=name)
        return name

    def current_indices(self) -> list[str]:
        return sorted(self.es.indices.get_alias(name=self.alias).body)

    def _swap_to(self, new_index: str) -> list[str]:
        """Point the alias at ``new_index`` in one request; drop the old ones."""
        old = self.current_indices()
        self.es.indices.refresh(index=new_index)
        self.es.indices.update_aliases(actions=[{"remove": {"index": name, "alias": self.alias}} for name in old]
                                       + [{"add": {"index": new_index, "alias": self.alias, "is_write_index": True}}])
        for name in old:
            self.es.indices.delete(index=name)
        return old

    def _fill_and_swap(self, fill) -> tuple[list[str], str, object]:
        """A new index filled by ``fill(name)``, then swapped in; (old names,
        new name, what fill returned). A fill that fails deletes the new
        index: the alias never pointed at it, and nothing else would."""
        new_index = self._new_index()
        try:
            filled = fill(new_index)
        except BaseException:
            with contextlib.suppress(ApiError):
                self.es.indices.delete(index=new_index)
            raise
        return self._swap_to(new_index), new_index, filled

    def rebuild(self, items: Iterable[IndexedItem]) -> int:
        def fill(new_index: str) -> int:
            actions = ({"_index": new_index, "_id": item.key, "_source": source_of(item)} for item in items)
            return helpers.bulk(self.es, actions, chunk_size=BULK_CHUNK)[0]
        return self._fill_and_swap(fill)[2]

    def reindex(self) -> tuple[list[str], str]:
        """Copy the live index into a new one made from the current template
        (after a mapping or analyser change), then swap; (old names, new name)."""
        old, new_index, _ = self._fill_and_swap(lambda new_index: self.es.reindex(
            source={"index": self.alias}, dest={"index": new_index}, wait_for_completion=True, refresh=True))
        return old, new_index

    # --- writing -------------------------------------------------------------
    def upsert(self, items: list[IndexedItem]) -> None:
        helpers.bulk(self.es, ({"_index": self.alias, "_id": item.key, "_source": source_of(item)} for item in items),
                     chunk_size=BULK_CHUNK)

    def delete(self, keys: list[str]) -> None:
        _, errors = helpers.bulk(self.es, ({"_op_type": "delete", "_index": self.alias, "_id": key} for key in keys),
                                 raise_on_error=False)
        missing_is_fine = [e for e in errors if e.get("delete", {}).get("status") != 404]
        if missing_is_fine:
            raise RuntimeError(f"Elasticsearch refused deletes: {missing_is_fine[:3]}")

    def commit(self) -> None:
        self.es.indices.refresh(index=self.alias)

    def close(self) -> None:
        self.es.close()

    # --- queries -------------------------------------------------------------
    @staticmethod
    def _text_clauses(analysed: AnalysedQuery) -> list[dict]:
        fields = [f"title_norm^{TITLE_BOOST}", "body_norm"]
        # cross_fields + and: every bigram of a word in the title or the body.
        clauses = [{"multi_match": {"query": word, "fields": fields, "type": "cross_fields", "operator": "and"}}
                   for word in analysed.words]
        clauses += [{"multi_match": {"query": char, "fields": [f"title_norm.chars^{TITLE_BOOST}", "body_norm.chars"]}}
                    for char in analysed.chars]
        clauses += [{"multi_match": {"query": phrase, "fields": fields, "type": "phrase"}}
                    for phrase in analysed.phrases]
        return clauses

    @staticmethod
    def _filter_clauses(principals, filters) -> list[dict]:
        clauses = []
        if principals is not None:
            clauses.append({"terms": {"visible_to": list(principals)}})
        for field, values in (("kind", [k.value for k in filters.kinds]), ("department", filters.departments),
                              ("group_ids", filters.group_ids), ("category", filters.categories),
                              ("author_id", filters.author_ids)):
            if values:
                clauses.append({"terms": {field: list(values)}})
        bounds = {}
        if filters.published_from:
            bounds["gte"] = to_epoch_us(filters.published_from)
        if filters.published_to:
            bounds["lt"] = to_epoch_us(filters.published_to)
        if bounds:
            clauses.append({"range": {"published_us": bounds}})
        return clauses

    def search(self, query: SearchQuery) -> SearchResult:
        analysed = analyse_query(query.text)
        if analysed.is_empty:
            return SearchResult((), 0)
        primary = "_score" if query.sort is SortOrder.RELEVANCE else "published_us"
        request = dict(
            index=self.alias,
            query={"bool": {"must": self._text_clauses(analysed),
                            "filter": self._filter_clauses(query.principals, query.filters)}},
            sort=[{primary: "desc"}, {"tie": "asc"}],
            size=query.page_size + 1,
            track_total_hits=True,
            source_includes=DISPLAY_FIELDS,
        )
        if query.sort is SortOrder.NEWEST:
            request["track_scores"] = False
        if query.after is not None:
            value = query.after.value if query.sort is SortOrder.RELEVANCE else int(query.after.value)
            request["search_after"] = [value, query.after.tie]
        if query.facets:
            request["aggs"] = {facet.value: {"terms": {"field": facet.value, "size": FACET_BUCKETS}}
                               for facet in query.facets}
        body = self.es.search(**request).body
        rows = body["hits"]["hits"]
        page, has_more = rows[:query.page_size], len(rows) > query.page_size
        needles = Highlighter(analysed.needles())
        hits = tuple(display_hit(row["_source"], row["_score"] or 0.0, needles) for row in page)
        next_cursor = ""
        if has_more and page:
            value, tie = page[-1]["sort"]
            position = (query.after.position if query.after else 0) + len(page)
            next_cursor = Cursor(query.sort, float(value), tie, position, query.fingerprint).encode()
        facets = {facet: facet_counts(body["aggregations"][facet.value]["buckets"]) for facet in query.facets}
        return SearchResult(hits, int(body["hits"]["total"]["value"]), facets, next_cursor)

    def suggest(self, query: SuggestQuery) -> tuple[str, ...]:
        filters: list[dict] = [{"prefix": {"suggest": compact(query.prefix)}}]
        if query.principals is not None:
            filters.append({"terms": {"visible_to": list(query.principals)}})
        if query.kinds:
            filters.append({"terms": {"kind": [k.value for k in query.kinds]}})
        body = self.es.search(index=self.alias, size=0, query={"bool": {"filter": filters}}, aggs={
            "titles": {"terms": {"field": "suggest", "size": query.limit * 2,
                                 "order": [{"_count": "desc"}, {"_key": "asc"}]}}}).body
        titles = [title_of_suggestion(b["key"]) for b in body["aggregations"]["titles"]["buckets"]]
        return tuple(dict.fromkeys(titles))[:query.limit]
