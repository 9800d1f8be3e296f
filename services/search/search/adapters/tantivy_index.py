"""The embedded search engine: a tantivy index in a local directory.

Text is analysed in Python (search.analysis) and stored as whitespace-
separated terms, so the embedded engine and Elasticsearch see the same terms.
One process writes (the search worker); API servers open the same directory
read-only and reload before searching to see the latest commit. What a hit
shows is kept beside the index, in the shown log (search.adapters.shown_log).

Pages follow the order (sort value desc, tie-breaker asc). tantivy orders by
one value only, so the top rows are fetched and ties are ordered here with the
tie-breaker fast field; a cursor of the date order also narrows the query to
dates up to its own, so later pages cost no more than the first.
"""
from __future__ import annotations

import struct
import threading
import time
from operator import itemgetter
from pathlib import Path
from typing import Iterable

import tantivy

from search.adapters.hit_display import display_hit, facet_counts, snippet_source
from search.adapters.shown_log import ShownLogReader, ShownLogWriter, generation_of
from search.analysis import (AnalysedQuery, Highlighter, TextForms, analyse_query, compact, run_terms,
                             suggestion_term, text_forms, title_of_suggestion, tokens, typed_form_of_suggestion)
from search.domain.documents import EVERYONE
from search.domain.model import (Cursor, FacetField, IndexedItem, SearchQuery, SearchResult, SortOrder,
                                 SuggestQuery, to_epoch_us)
from search.ports import IndexOutdated, SearchIndex

WRITER_HEAP_BYTES = 64_000_000  # tantivy needs >= 15 MB per writer thread
# Writers of commands that index in bulk (rebuild, migrate) write one segment
# per this much indexing memory, taken as needed (100,000 documents of 1 KB
# took about 250 MB). Every search visits every segment, and those documents
# in one segment instead of four search about a tenth faster; the merges of
# later small commits leave the big segment alone.
BULK_HEAP_BYTES = 400_000_000
WRITER_THREADS = 1
# Each title is indexed under its first 1 to this many characters (compact
# form), so that a suggestion's prefix is one term; longer prefixes walk the
# title terms that begin with them, which few share by then. Walking them
# for a one-character prefix took 20 ms at 100,000 titles, the term about 1 ms.
SUGGEST_PREFIX_CHARS = 12
# Title terms fetched per suggestion asked for (two items may share a title
# in different scripts, which makes two terms). The aggregation keeps as
# many terms of each segment as there are items under the prefix, that is
# all of them, so no title counted in several segments is left out; should
# it still say it may have left one out (doc_count_error_upper_bound), the
# prefix walks. Equal counts come in term order.
SUGGEST_BUCKETS_PER_TITLE = 4
TITLE_BOOST = 2.0
TITLE_END = "|"  # never a query term; between a title's and its body's terms in text_terms: no phrase spans them
MAX_WINDOW = 10_000  # deepest relevance-ordered row a cursor may reach
FACET_BUCKETS = 50
RELOAD_SECONDS = 0.05
GROWTH = 4  # how much more a search fetches when the rows it got all tie at the edge
PRINCIPAL_FILTERS = 1024  # cached exclusions of callers' principals
# Added to the principals of an item not shared with everyone: the only items a
# caller who is part of everyone may not see (principals are "everyone" or
# "kind:name", never this).
RESTRICTED = "~restricted"
# What a hit shows is one record of the shown log (search.adapters.shown_log),
# which this fast field points to. The field's name carries the record's
# layout version: a new layout under a new name makes the schema differ, so
# indexes of the old one are built anew (IndexOutdated).
SHOWN = "shown_v2_at"
SHOWN_FIELDS = ("kind", "item_id", "title", "department", "category", "author_id", "published_us",
                "title_form", "body_form", "body")
_SHOWN_LENGTHS = struct.Struct(f"<{len(SHOWN_FIELDS)}I")  # characters in each value, before the values


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=False, tokenizer_name="raw")
    for name in ("kind", "department", "category"):  # filters and facets
        builder.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
    builder.add_text_field("group_ids", stored=False, fast=True, tokenizer_name="raw")
    builder.add_text_field("author_id", stored=False, tokenizer_name="raw")
    builder.add_text_field("visible_to", stored=False, tokenizer_name="raw")
    builder.add_unsigned_field(SHOWN, stored=False, indexed=False, fast=True)
    builder.add_text_field("title_terms", stored=False, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("text_terms", stored=False, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("title_chars", stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("text_chars", stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("suggest", stored=False, fast=True, tokenizer_name="raw")  # counted per prefix
    builder.add_text_field("suggest_prefixes", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("published_us", stored=False, indexed=True, fast=True)
    builder.add_integer_field("tie", stored=False, indexed=False, fast=True)
    return builder.build()


def _shown(item: IndexedItem, title: TextForms, body: TextForms) -> bytes:
    shown_body, body_form = snippet_source(item.body, body)
    values = (item.kind.value, item.item_id, item.title, item.department, item.category, item.author_id,
              str(item.published_us), title.display.to_text(), body_form.to_text(), shown_body)
    # The lengths first, so that the values may hold any character.
    return _SHOWN_LENGTHS.pack(*map(len, values)) + "".join(values).encode()


def _shown_fields(record: bytes) -> dict[str, str]:
    text = record[_SHOWN_LENGTHS.size:].decode()
    fields, start = {}, 0
    for name, length in zip(SHOWN_FIELDS, _SHOWN_LENGTHS.unpack_from(record)):
        fields[name] = text[start:start + length]
        start += length
    return fields


def _title_prefixes(suggestion: str) -> list[str]:
    """The prefixes a title is filed under, from its suggestion term (which
    holds the title normalised once)."""
    typed = typed_form_of_suggestion(suggestion)
    return [typed[:length] for length in range(1, min(len(typed), SUGGEST_PREFIX_CHARS) + 1)]


def _tie_text(tie: int) -> str:
    return f"{tie:016x}"


def _open(path: Path, schema: tantivy.Schema, *, replace_outdated: bool) -> tantivy.Index:
    """The index in ``path``, created if there is none; one of another schema
    raises IndexOutdated, or is replaced by an empty one if asked to."""
    if tantivy.Index.exists(str(path)):
        existing = tantivy.Index.open(str(path))
        if existing.schema != schema:
            if not replace_outdated:
                raise IndexOutdated(f"the search index in {path} was built by an older version of the hub; "
                                    "`hub migrate` or `hub search rebuild` builds it anew from the database")
            # Replace it only while no writer (a worker) holds it: raises ValueError if one does.
            existing.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1).wait_merging_threads()
            return tantivy.Index(schema, path=str(path), reuse=False)
    return tantivy.Index(schema, path=str(path), reuse=True)


class TantivyIndex(SearchIndex):
    def __init__(self, path: Path, *, writable: bool, replace_outdated: bool = False, bulk: bool = False):
        """``replace_outdated``: an index built by an older version (another
        schema) is replaced by an empty one, for a rebuild to fill; otherwise
        opening it raises IndexOutdated. ``bulk``: the writer of a command
        that indexes much at once (BULK_HEAP_BYTES)."""
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = _open(path, self.schema, replace_outdated=replace_outdated and writable)
        self._writer = (self.index.writer(heap_size=BULK_HEAP_BYTES if bulk else WRITER_HEAP_BYTES,
                                          num_threads=WRITER_THREADS) if writable else None)
        self._shown_writer = ShownLogWriter(path) if writable else None  # after tantivy's writer lock: one writer
        # Writes one at a time: no record may be added between the shown log's
        # sync and the commit that would publish a pointer to it.
        self._write_lock = threading.Lock()
        self._shown = ShownLogReader(path)
        self._reload_lock = threading.Lock()
        self._reloaded_at = 0.0
        self._hidden: dict[tuple[str, ...], tantivy.Query] = {}

    # --- writing ---------------------------------------------------------
    def _document(self, item: IndexedItem) -> tantivy.Document:
        title, body = text_forms(item.title), text_forms(item.body)
        title_terms, title_chars = title.terms(), title.chars()
        suggestion = suggestion_term(item.title)
        document = tantivy.Document(
            key=item.key, kind=item.kind.value, department=item.department, category=item.category,
            author_id=item.author_id, group_ids=list(item.group_ids),
            visible_to=list(item.visible_to) + ([] if EVERYONE in item.visible_to else [RESTRICTED]),
            title_terms=title_terms, text_terms=f"{title_terms} {TITLE_END} {body.terms()}",
            title_chars=title_chars, text_chars=f"{title_chars} {body.chars()}",
            suggest=suggestion, suggest_prefixes=_title_prefixes(suggestion),
            published_us=item.published_us,
            tie=int(item.tie_breaker, 16))
        document.add_unsigned(SHOWN, self._shown_writer.append(_shown(item, title, body)))
        return document

    def upsert(self, items: list[IndexedItem]) -> None:
        with self._write_lock:
            for item in items:
                self._writer.delete_documents_by_term("key", item.key)
                self._writer.add_document(self._document(item))

    def delete(self, keys: list[str]) -> None:
        with self._write_lock:
            for key in keys:
                self._writer.delete_documents_by_term("key", key)

    def commit(self) -> None:
        with self._write_lock:
            self._commit()
        self._reload()

    def _commit(self) -> None:
        self._shown_writer.sync()  # before any pointer to its records is committed
        self._writer.commit()

    def _reload(self) -> None:
        with self._reload_lock:
            self.index.reload()
            self._reloaded_at = time.monotonic()

    def rebuild(self, items: Iterable[IndexedItem]) -> int:
        # Searches see the old content until the one commit at the end. A
        # rebuild that fails leaves nothing pending that a later commit of
        # this writer would publish (the delete-all, half the items), nor
        # the shown log's new generation.
        with self._write_lock:
            referenced = self._shown_generations()
            started = False
            try:
                self._shown_writer.start_generation()
                started = True
                self._writer.delete_all_documents()
                count = 0
                for item in items:
                    self._writer.add_document(self._document(item))
                    count += 1
                self._commit()
            except BaseException:
                self._writer.rollback()
                if started:
                    self._shown_writer.abandon_generation()
                raise
            self._shown_writer.keep_generation(referenced)
        self._reload()
        return count

    def _shown_generations(self) -> set[int]:
        """The shown log's generations the committed index points into."""
        self.index.reload()
        span = self.index.searcher().aggregate(tantivy.Query.all_query(), {
            "first": {"min": {"field": SHOWN}}, "last": {"max": {"field": SHOWN}}})
        if span["first"]["value"] is None:
            return set()
        return set(range(generation_of(int(span["first"]["value"])), generation_of(int(span["last"]["value"])) + 1))

    def close(self) -> None:
        if self._writer is not None:
            with self._write_lock:
                self._shown_writer.close()  # before tantivy's lock lets the next writer in
                self._writer.wait_merging_threads()
                self._writer = None

    # --- queries ---------------------------------------------------------
    def _term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value)

    def _any_of(self, field: str, values) -> tantivy.Query:
        # A disjunction of term queries, not a term set: a term set collects
        # every document of every value into a bit set before the search
        # starts, a disjunction reads its terms as the text query advances.
        # (A search excludes what a caller may not see instead: _hidden_from.)
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._term(field, value)) for value in values])

    @staticmethod
    def _in_text(text_query: tantivy.Query, title_query: tantivy.Query) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """Clauses of one query term: it must be in the item's text (title and
        body as one field), and in its title it scores more. Matching on one
        field intersects plain postings; a title-or-body union per term was
        a third slower to advance through (BufferedUnionScorer::seek)."""
        return [(tantivy.Occur.Must, text_query),
                (tantivy.Occur.Should, tantivy.Query.boost_query(title_query, TITLE_BOOST))]

    def _phrase(self, field: str, terms: list[str]) -> tantivy.Query:
        return tantivy.Query.phrase_query(self.schema, field, terms)

    def _text_clauses(self, analysed: AnalysedQuery) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        clauses = [c for word in analysed.words for t in run_terms(word)
                   for c in self._in_text(self._term("text_terms", t), self._term("title_terms", t))]
        clauses += [c for ch in analysed.chars
                    for c in self._in_text(self._term("text_chars", ch), self._term("title_chars", ch))]
        for phrase in analysed.phrases:
            terms = [t for run in tokens(phrase) for t in run_terms(run)]
            clauses += self._in_text(self._phrase("text_terms", terms), self._phrase("title_terms", terms))
        return clauses

    @staticmethod
    def _filter(query: tantivy.Query) -> tantivy.Query:
        # Filters must match but add nothing to the score.
        return tantivy.Query.const_score_query(query, 0.0)

    def _hidden_from(self, principals: tuple[str, ...]) -> tantivy.Query:
        """Items shared with none of one caller's principals, built once per
        set of them. Searches exclude these instead of requiring any of the
        principals: 'everyone' holds most items, and a union of terms is read
        through in blocks of all its documents, where an exclusion is only
        looked up at the documents the text matched (a quarter less time)."""
        found = self._hidden.get(principals)
        if found is None:
            if len(self._hidden) >= PRINCIPAL_FILTERS:
                self._hidden.clear()
            if EVERYONE in principals:  # only what is not shared with everyone can be hidden
                candidates, others = self._term("visible_to", RESTRICTED), [p for p in principals if p != EVERYONE]
            else:
                candidates, others = tantivy.Query.all_query(), principals
            found = self._hidden[principals] = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, candidates)]
                + [(tantivy.Occur.MustNot, self._term("visible_to", p)) for p in others])
        return found

    def _filter_clauses(self, principals, filters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """Filter clauses, each without a score."""
        clauses = []
        if principals is not None:
            clauses.append((tantivy.Occur.MustNot, self._hidden_from(principals)))
        for field, values in (("kind", [k.value for k in filters.kinds]), ("department", filters.departments),
                              ("group_ids", filters.group_ids), ("category", filters.categories),
                              ("author_id", filters.author_ids)):
            if values:
                clauses.append((tantivy.Occur.Must, self._filter(self._any_of(field, values))))
        if filters.published_from or filters.published_to:
            clauses.append((tantivy.Occur.Must, self._filter(tantivy.Query.range_query(
                self.schema, "published_us", tantivy.FieldType.Integer,
                to_epoch_us(filters.published_from) if filters.published_from else None,
                to_epoch_us(filters.published_to) if filters.published_to else None,
                include_upper=filters.published_to is None))))
        return clauses

    @staticmethod
    def _all(scored: list[tuple[tantivy.Occur, tantivy.Query]],
             filters: list[tuple[tantivy.Occur, tantivy.Query]]) -> tantivy.Query:
        return tantivy.Query.boolean_query(scored + filters)

    def _searcher(self):
        # Readers pick up the writer's commits at most RELOAD_SECONDS late.
        now = time.monotonic()
        if now - self._reloaded_at >= RELOAD_SECONDS:
            with self._reload_lock:
                if now - self._reloaded_at >= RELOAD_SECONDS:
                    self.index.reload()
                    self._reloaded_at = now
        return self.index.searcher()

    def search(self, query: SearchQuery) -> SearchResult:
        analysed = analyse_query(query.text)
        if analysed.is_empty:
            return SearchResult((), 0)
        searcher = self._searcher()
        text_clauses = self._text_clauses(analysed)
        filter_clauses = self._filter_clauses(query.principals, query.filters)
        matching = self._all(text_clauses, filter_clauses)
        rows, has_more, total = self._page(searcher, query, matching, text_clauses, filter_clauses)
        if total is None:  # the page was fetched from a narrowed query
            total = searcher.search(matching, limit=1, count=True).count
        highlighter = Highlighter(analysed.needles())
        relevance = query.sort is SortOrder.RELEVANCE
        shown = searcher.fast_field_values(SHOWN, [address for _, _, address in rows]) if rows else []
        hits = [display_hit(_shown_fields(self._shown.read(pointer)), value if relevance else 0.0, highlighter)
                for (value, _, _), pointer in zip(rows, shown)]
        next_cursor = ""
        if has_more and rows:
            position = (query.after.position if query.after else 0) + len(rows)
            value, tie, _ = rows[-1]
            next_cursor = Cursor(query.sort, value, _tie_text(tie), position, query.fingerprint).encode()
        return SearchResult(tuple(hits), int(total), self._facets(searcher, matching, query.facets), next_cursor)

    def _facets(self, searcher, matching, facets: tuple[FacetField, ...]):
        if not facets:
            return {}
        spec = {facet.value: {"terms": {"field": facet.value, "size": FACET_BUCKETS}} for facet in facets}
        result = searcher.aggregate(matching, spec)
        return {facet: facet_counts(result[facet.value]["buckets"]) for facet in facets}

    def _page(self, searcher, query: SearchQuery, matching, text_clauses, filter_clauses):
        """The rows (value, tie, address) of this page in (value desc, tie
        asc) order, whether more follow, and the number of matches (None if
        the query was narrowed)."""
        after, size = query.after, query.page_size
        narrowed = query.sort is SortOrder.NEWEST and after is not None
        fetched_query = matching
        if query.sort is SortOrder.NEWEST:
            if narrowed:
                fetched_query = self._all(text_clauses, filter_clauses + [(tantivy.Occur.Must, self._filter(
                    tantivy.Query.range_query(self.schema, "published_us", tantivy.FieldType.Integer, None,
                                              int(after.value))))])
            order_field, limit = "published_us", 2 * size + 1
        else:
            # Scores often tie (BM25 of similar texts): fetching a wider edge
            # at once spares most second rounds.
            order_field, limit = None, (after.position if after else 0) + 4 * size + 1
        # Tie-breakers order as their fixed-width hex text does: rows sort on
        # the integers, and only a cursor's tie is compared as text.
        after_value = after.value if after is not None else None
        count = None
        while True:
            limit = min(limit, MAX_WINDOW)
            result = searcher.search(fetched_query, limit=limit, count=count is None, order_by_field=order_field)
            if count is None:
                count = result.count  # the same in every round
            hits = result.hits
            addresses = [address for _, address in hits]
            ties = searcher.fast_field_values("tie", addresses) if addresses else []
            rows = [(float(value), tie, address) for (value, address), tie in zip(hits, ties)]
            rows.sort(key=itemgetter(1))  # then by value, descending: a stable sort keeps ties in tie order
            rows.sort(key=itemgetter(0), reverse=True)
            if after is None:
                later = rows
            else:
                later = [r for r in rows
                         if r[0] < after_value or (r[0] == after_value and _tie_text(r[1]) > after.tie)]
            exhausted = len(rows) < limit or limit >= MAX_WINDOW
            if not exhausted:
                # Every row valued above the last one fetched is here; rows
                # tied with it may not all be.
                lowest = rows[-1][0]
                later = [r for r in later if r[0] > lowest]
            if exhausted or len(later) > size:
                return later[:size], len(later) > size, None if narrowed else count
            # Many rows tie at the edge (equal scores are common): widen fast.
            limit *= GROWTH

    def suggest(self, query: SuggestQuery) -> tuple[str, ...]:
        clauses = [(tantivy.Occur.Must, tantivy.Query.all_query())]
        if query.principals is not None:  # as in search: the caller's hidden items excluded
            clauses.append((tantivy.Occur.MustNot, self._hidden_from(query.principals)))
        if query.kinds:
            clauses.append((tantivy.Occur.Must, self._any_of("kind", [k.value for k in query.kinds])))
        prefix, searcher = compact(query.prefix), self._searcher()
        if 0 < len(prefix) <= SUGGEST_PREFIX_CHARS:
            # The titles of the allowed items indexed under the prefix, counted.
            clauses[0] = (tantivy.Occur.Must, self._term("suggest_prefixes", prefix))
            size = query.limit * SUGGEST_BUCKETS_PER_TITLE
            counted = searcher.aggregate(tantivy.Query.boolean_query(clauses), {"titles": {"terms": {
                "field": "suggest", "size": size,
                "segment_size": max(size, searcher.doc_freq("suggest_prefixes", prefix))}}})["titles"]
            if not counted.get("doc_count_error_upper_bound"):
                terms = sorted(((b["key"], b["doc_count"]) for b in counted["buckets"]),
                               key=lambda term: (-term[1], term[0]))
                return _suggestions(terms, query.limit)
            clauses[0] = (tantivy.Occur.Must, tantivy.Query.all_query())
        terms = searcher.terms_with_prefix("suggest", prefix, filter_query=tantivy.Query.boolean_query(clauses),
                                           limit=query.limit * 2)
        return _suggestions(terms, query.limit)


def _suggestions(terms, limit: int) -> tuple[str, ...]:
    """Titles of (suggestion term, count) pairs in order, each once."""
    titles = [title_of_suggestion(term) for term, count in terms if count > 0]
    return tuple(dict.fromkeys(titles))[:limit]
