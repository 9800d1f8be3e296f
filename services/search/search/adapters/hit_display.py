"""What both engines return for a hit: the original text, with the matches marked.

The engines match on normalised text; the title and the snippet shown are
the original, with spans mapped back from the normalised matches.
"""
from __future__ import annotations

from search.analysis import DisplayForm, Highlighter, TextForms
from search.domain.model import FacetCount, Hit, ItemKind, from_epoch_us

SNIPPET_CHARS = 80
# Snippets come from the start of a body up to about this many characters,
# which is what an engine keeps of it for display. A match further in still
# finds the item (the whole text is indexed); its snippet shows the opening.
# Kept whole, a manual of 900,000 characters cost 20 ms a hit to read and
# scan: 190-230 ms for a page of ten of them.
SNIPPET_SOURCE_CHARS = 20_000
# The kept part ends after the last of these in its final stretch, so that no
# word is cut in half, and before a bracket it leaves open, so that no gloss
# is (應(yīng)); "…" then marks that the body goes on.
_CUT_AFTER = "。！？；，、：\n\t ,;!?"
_CUT_SEARCH_CHARS = 200
_KINDS = {kind.value: kind for kind in ItemKind}  # a dict lookup, a tenth of ItemKind(value)


def _form(fields: dict, name: str) -> DisplayForm | None:
    stored = fields.get(name)
    return None if stored is None else DisplayForm.from_text(stored)


def snippet_source(body: str, forms: TextForms) -> tuple[str, DisplayForm]:
    """What an engine keeps of a body for snippets, and its display form
    (``forms``: the whole body's, used as they are for a body short enough)."""
    if len(body) <= SNIPPET_SOURCE_CHARS:
        return body, forms.display
    kept = body[:SNIPPET_SOURCE_CHARS]
    cut = max(kept.rfind(mark, SNIPPET_SOURCE_CHARS - _CUT_SEARCH_CHARS) for mark in _CUT_AFTER)
    if cut >= 0:
        kept = kept[:cut + 1]
    tail = len(kept) - _CUT_SEARCH_CHARS  # a gloss is short: a bracket open before this is the text's own
    opened = max(kept.rfind("(", tail), kept.rfind("（", tail))
    if opened > max(kept.rfind(")", tail), kept.rfind("）", tail)):
        kept = kept[:opened]
    kept += "…"
    return kept, DisplayForm.of(kept)


def display_hit(fields: dict, score: float, needles: list[str] | Highlighter) -> Hit:
    """``fields``: kind, item_id, title, body, published_us, department,
    category, author_id as stored by the engine, and title_form, body_form
    (encoded DisplayForms) unless the item was indexed before they were
    stored; ``needles``: the query's, best as one Highlighter for all hits of
    a page."""
    highlighter = needles if isinstance(needles, Highlighter) else Highlighter(needles)
    body = fields["body"]
    text, spans = highlighter.snippet(body, SNIPPET_CHARS, _form(fields, "body_form")) if body else ("", ())
    return Hit(
        kind=_KINDS[fields["kind"]],
        item_id=fields["item_id"],
        title=fields["title"],
        snippet=text,
        score=float(score),
        published_at=from_epoch_us(int(fields["published_us"])),
        title_matches=highlighter.spans(fields["title"], _form(fields, "title_form")),
        snippet_matches=spans,
        department=fields.get("department", ""),
        category=fields.get("category", ""),
        author_id=fields.get("author_id", ""),
    )


def facet_counts(buckets: list[dict]) -> tuple[FacetCount, ...]:
    """Facet values by count (then value); items without a value are not a bucket."""
    counts = [FacetCount(str(b["key"]), int(b["doc_count"])) for b in buckets if b["key"] != "" and b["doc_count"]]
    return tuple(sorted(counts, key=lambda c: (-c.count, c.value)))
