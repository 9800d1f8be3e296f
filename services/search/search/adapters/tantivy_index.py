"""The embedded search engine: a tantivy index in a local directory.

Text is analysed in Python (search.analysis) and stored as whitespace-
separated terms, so the embedded engine and Elasticsearch see the same terms.
One process writes (the search worker); API servers open the same directory
read-only and reload before searching to see the latest commit.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import tantivy

from search.analysis import index_terms, normalise, query_terms
from search.domain.model import Hit, IndexedItem, ItemKind, SearchQuery, SearchResult
from search.ports import SearchIndex

SNIPPET_CHARS = 80
WRITER_HEAP_BYTES = 32_000_000  # tantivy needs >= 15 MB per writer thread


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", stored=True, tokenizer_name="raw")
    builder.add_text_field("item_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("body", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title_terms", stored=False, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("body_terms", stored=False, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("visible_to", stored=False, tokenizer_name="whitespace")
    builder.add_integer_field("published_us", stored=True, indexed=True, fast=True)
    return builder.build()


def snippet(body: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """A window of the body around the first matching term."""
    normalised = normalise(body)
    positions = [p for p in (normalised.find(t) for t in terms) if p >= 0]
    start = max(0, min(positions) - width // 4) if positions else 0
    # Normalising keeps positions when it does not change lengths (the usual
    # case); otherwise show the normalised text rather than a wrong window.
    source = body if len(normalised) == len(body) else normalised
    text = source[start:start + width]
    return ("…" if start else "") + text + ("…" if start + width < len(source) else "")


class TantivyIndex(SearchIndex):
    def __init__(self, path: Path, *, writable: bool):
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self._writer = self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1) if writable else None
        self._reload_lock = threading.Lock()

    def upsert(self, items: list[IndexedItem]) -> None:
        for item in items:
            self._writer.delete_documents_by_term("key", item.key)
            self._writer.add_document(tantivy.Document(
                key=item.key,
                kind=item.kind.value,
                item_id=item.item_id,
                title=item.title,
                body=item.body,
                title_terms=" ".join(index_terms(item.title)),
                body_terms=" ".join(index_terms(item.body)),
                visible_to=" ".join(item.visible_to),
                published_us=int(item.published_at.timestamp() * 1_000_000),
            ))

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            self._writer.delete_documents_by_term("key", key)

    def commit(self) -> None:
        self._writer.commit()
        self.index.reload()

    def _any_of(self, field: str, values) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, field, v)) for v in values])

    def search(self, query: SearchQuery) -> SearchResult:
        terms = query_terms(query.text)
        if not terms:
            return SearchResult((), 0)
        clauses = [
            (tantivy.Occur.Must, tantivy.Query.boolean_query([
                (tantivy.Occur.Should, tantivy.Query.boost_query(
                    tantivy.Query.term_query(self.schema, "title_terms", term), 2.0)),
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "body_terms", term)),
            ]))
            for term in terms
        ]
        if query.principals is not None:
            clauses.append((tantivy.Occur.Must, self._any_of("visible_to", query.principals)))
        if query.kinds:
            clauses.append((tantivy.Occur.Must, self._any_of("kind", [k.value for k in query.kinds])))
        with self._reload_lock:
            self.index.reload()
        searcher = self.index.searcher()
        result = searcher.search(tantivy.Query.boolean_query(clauses), limit=query.page_size, count=True)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hits.append(Hit(
                kind=ItemKind(doc["kind"][0]),
                item_id=doc["item_id"][0],
                title=doc["title"][0],
                snippet=snippet(doc["body"][0], terms),
                score=float(score),
                published_at=datetime.fromtimestamp(doc["published_us"][0] / 1_000_000, tz=timezone.utc),
            ))
        return SearchResult(tuple(hits), int(result.count))
