"""Chinese text analysis, identical at index and at query time, for both engines.

normalise(): traditional -> simplified (OpenCC t2s), full/half-width folding
(NFKC), inline pinyin glosses after characters removed (``發(fā)展`` -> ``发展``),
lower case. index_terms(): the positional term stream of a text: CJK runs
become overlapping bigrams (a lone character stays itself), other runs become
words; the same shape as Elasticsearch's standard tokenizer + cjk_width +
lowercase + cjk_bigram. index_chars(): the single characters, so that a
one-character query still finds longer words.

analyse_query() splits a query into words that must all match, lone
characters, and quoted phrases. highlight_spans()/snippet() find the matches
in the normalised text and map them back to the original for display; the
normalised text of a displayed field and that map (its DisplayForm) are made
at index time and stored with the item, so a search only looks for strings.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple

import opencc

from search.domain.model import Span

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PINYIN_LETTERS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# A gloss: brackets right after a CJK character holding only pinyin syllables.
_GLOSS = re.compile(rf"(?<=[{_CJK}])[(（]\s*[{_PINYIN_LETTERS}]+(?:\s+[{_PINYIN_LETTERS}]+)*\s*[)）]")
# CJK runs, or runs of other letters and digits (never both in one token).
_TOKEN = re.compile(rf"[{_CJK}]+|(?:(?![{_CJK}])[^\W_])+", re.UNICODE)
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_PHRASE = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」')
_SPACE = re.compile(r"\s+")
# Text made only of these is folded by a table, faster than NFKC and equal to
# it there: ASCII, CJK ideographs, the ideographic comma, full stop and space,
# and full-width ASCII forms (U+FF01..FF5E -> U+0021..007E).
_TABLE_FOLDABLE = re.compile(r"[\t\n\r\x20-\x7e\u4e00-\u9fff\u3000-\u3002\uff01-\uff5e]*")
_WIDTH_TABLE = {0x3000: 0x20, **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}}
_WIDE = re.compile(r"[\u3000\uff01-\uff5e]")
# Past this many distinct wide characters one translate() beats replacing each.
_WIDE_REPLACEMENTS = 8
SUGGEST_SEPARATOR = "\x1f"

_local = threading.local()


def _converter() -> opencc.OpenCC:
    # OpenCC converters are not documented as thread-safe: one per thread.
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = opencc.OpenCC("t2s")
    return converter


def fold_width(text: str) -> str:
    """NFKC (full/half width and compatibility forms)."""
    if _TABLE_FOLDABLE.fullmatch(text):
        # str.translate() looks every character up (about 50 ns each); text
        # usually holds a few distinct wide forms (，！：), each replaced
        # at once. Replacements are one ASCII character: positions stay.
        match = _WIDE.search(text)
        for _ in range(_WIDE_REPLACEMENTS):
            if match is None:
                return text
            wide = match.group()
            text = text.replace(wide, chr(_WIDTH_TABLE[ord(wide)]))
            match = _WIDE.search(text, match.start())
        return text if match is None else text.translate(_WIDTH_TABLE)
    return unicodedata.normalize("NFKC", text)


def _may_have_gloss(folded: str) -> bool:
    # A gloss needs an opening bracket; scanning for one is far cheaper than
    # the gloss pattern, whose look-behind is tried at every position.
    return "(" in folded or "（" in folded


def normalise(text: str) -> str:
    folded = fold_width(text)
    without_glosses = _GLOSS.sub("", folded) if _may_have_gloss(folded) else folded
    return _converter().convert(without_glosses).lower()


def normalise_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The normalised text and, for each of its characters, the index of the
    original character it came from (None: positions are unchanged)."""
    folded = fold_width(text)
    if len(folded) == len(text) and not (_may_have_gloss(folded) and _GLOSS.search(folded)):
        converted = _converter().convert(folded).lower()
        if len(converted) == len(text):
            return converted, None
    # Rare path (width forms that expand, glosses, conversions that change
    # length): normalise character by character, remembering the source.
    chars, origin = [], []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char):
            chars.append(piece)
            origin.append(index)
    folded = "".join(chars)
    keep = [True] * len(folded)
    for gloss in _GLOSS.finditer(folded):
        keep[gloss.start():gloss.end()] = [False] * (gloss.end() - gloss.start())
    chars = [c for c, k in zip(chars, keep) if k]
    origin = [o for o, k in zip(origin, keep) if k]
    converted = _converter().convert("".join(chars))
    if len(converted) != len(chars):
        converted = "".join(_converter().convert(c) or c for c in chars)
    out, out_origin = [], []
    for char, source in zip(converted, origin):
        for piece in char.lower():
            out.append(piece)
            out_origin.append(source)
    return "".join(out), out_origin


class DisplayForm(NamedTuple):
    """A displayed text as highlighting needs it: its normalised form (where
    matches are found) and how to get back to the original's positions.

    Normalised character ``i`` comes from original character ``i`` unless a
    jump says otherwise: ``jumps`` holds the (normalised index, original
    index) pairs at which the map stops counting up by one (after a removed
    gloss, in a width form that became several characters); from a jump on
    it counts up by one again. Most texts have none. (A named tuple: two
    are made for every hit shown.)"""
    normalised: str
    jumps: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, text: str) -> "DisplayForm":
        return cls.from_offsets(*normalise_with_offsets(text))

    @classmethod
    def from_offsets(cls, normalised: str, origin: list[int] | None) -> "DisplayForm":
        return cls(normalised, () if origin is None else _jumps(origin))

    def original(self, index: int) -> int:
        """The original position of normalised character ``index``."""
        jump = bisect_right(self.jumps, (index, _FAR)) - 1
        if jump < 0:
            return index
        at, source = self.jumps[jump]
        return source + index - at

    def to_text(self) -> str:
        """One string for an engine's stored field (indexes keep it: a
        different format needs fields of another name)."""
        return ";".join(f"{at},{source}" for at, source in self.jumps) + _FORM_SEPARATOR + self.normalised

    @classmethod
    def from_text(cls, stored: str) -> "DisplayForm":
        jumps, _, normalised = stored.partition(_FORM_SEPARATOR)
        if not jumps:
            return cls(normalised)
        return cls(normalised, tuple(tuple(map(int, jump.split(","))) for jump in jumps.split(";")))


_FORM_SEPARATOR = "\x1f"  # never in the jumps, which come first
_FAR = 1 << 62


def _jumps(origin: list[int]) -> tuple[tuple[int, int], ...]:
    expected, found = 0, []
    for index, source in enumerate(origin):
        if source != expected:
            found.append((index, source))
        expected = source + 1
    return tuple(found)


def _run_terms(run: str) -> list[str]:
    if len(run) == 1 or not _CJK_RUN.fullmatch(run):
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def tokens(normalised: str) -> list[str]:
    return _TOKEN.findall(normalised)


def _terms_of(normalised: str) -> list[str]:
    return [term for run in tokens(normalised) for term in _run_terms(run)]


def _chars_of(normalised: str) -> list[str]:
    return list(dict.fromkeys(c for run in _CJK_RUN.findall(normalised) for c in run))


def index_terms(text: str) -> list[str]:
    """The positional term stream of a text: bigrams of CJK runs, words."""
    return _terms_of(normalise(text))


def index_chars(text: str) -> list[str]:
    """Distinct CJK characters of a text, for one-character queries."""
    return _chars_of(normalise(text))


@dataclass(frozen=True)
class TextForms:
    """What an engine stores of one text besides the original."""
    normalised: str  # what is indexed
    display: DisplayForm  # what highlighting reads

    def terms(self) -> str:
        """The positional terms, space-separated."""
        return " ".join(_terms_of(self.normalised))

    def chars(self) -> str:
        """The distinct CJK characters, space-separated."""
        return " ".join(_chars_of(self.normalised))


def text_forms(text: str) -> TextForms:
    """Normalises a text once where its display form is the normalised text
    itself, as nearly always (the display form keeps positions in step with
    the original, which the indexed text need not)."""
    shown, origin = normalise_with_offsets(text)
    return TextForms(shown if origin is None else normalise(text), DisplayForm.from_offsets(shown, origin))


def run_terms(run: str) -> list[str]:
    """Terms a query token must all match (bigrams of a CJK run)."""
    return _run_terms(run)


def is_lone_char(token: str) -> bool:
    return len(token) == 1 and bool(_CJK_RUN.fullmatch(token))


@dataclass(frozen=True)
class AnalysedQuery:
    """A query, normalised: every word, character and phrase must match."""
    words: tuple[str, ...]  # CJK runs of two or more characters, other words
    chars: tuple[str, ...]  # lone CJK characters
    phrases: tuple[str, ...]  # normalised text of each quoted phrase with two or more terms

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.chars or self.phrases)

    def needles(self) -> list[str]:
        """Normalised strings to mark in displayed text."""
        found = [t for w in self.words for t in run_terms(w)] + list(self.chars)
        found += [t for p in self.phrases for run in tokens(p) for t in run_terms(run)]
        return list(dict.fromkeys(found))


def analyse_query(text: str) -> AnalysedQuery:
    normalised = normalise(text)
    words: list[str] = []
    phrases: list[str] = []

    def take_loose(part: str) -> None:
        words.extend(tokens(part))

    done = 0
    for match in _PHRASE.finditer(normalised):
        take_loose(normalised[done:match.start()])
        phrase = next(g for g in match.groups() if g is not None)
        phrase_tokens = tokens(phrase)
        if len([t for run in phrase_tokens for t in run_terms(run)]) >= 2:
            phrases.append(" ".join(phrase_tokens))
        else:
            take_loose(phrase)  # a one-term phrase is just a word
        done = match.end()
    take_loose(normalised[done:].replace('"', " "))
    unique = list(dict.fromkeys(words))
    return AnalysedQuery(tuple(w for w in unique if not is_lone_char(w)),
                         tuple(w for w in unique if is_lone_char(w)), tuple(dict.fromkeys(phrases)))


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _needle_specs(needles: list[str]) -> tuple[tuple[str, bool], ...]:
    """Each needle, and whether it must stand as a whole word: Latin words
    and numbers match whole, not inside longer words; CJK anywhere."""
    return tuple((needle, not _CJK_RUN.match(needle)) for needle in needles if needle)


def _matches(normalised: str, specs: tuple[tuple[str, bool], ...]) -> list[tuple[int, int]]:
    """Merged, overlapping matches (bigrams 安全 + 全阀 mark 安全阀), in order:
    at every position where a needle starts, the longest one found there.
    (str.find per needle: compiling one pattern of all needles costs more
    than the searches of a whole page.)"""
    longest: dict[int, int] = {}
    find = normalised.find
    for needle, whole_word in specs:
        size = len(needle)
        start = find(needle)
        while start >= 0:
            end = start + size
            if not whole_word or ((start == 0 or normalised[start - 1] not in _WORD_CHARS)
                                  and (end == len(normalised) or normalised[end] not in _WORD_CHARS)):
                if longest.get(start, 0) < end:
                    longest[start] = end
            start = find(needle, start + 1)
    if len(longest) < 2:
        return list(longest.items())
    spans: list[list[int]] = []
    for start in sorted(longest):
        end = longest[start]
        if spans and start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(s, e) for s, e in spans]


class Highlighter:
    """Finds one query's needles in the displayed texts of its hits.

    ``form`` is the text's DisplayForm as stored at index time; without one
    (an item indexed before forms were stored) it is made here."""

    def __init__(self, needles: list[str]):
        self._needles = _needle_specs(needles)

    def _original_matches(self, text: str, form: DisplayForm | None) -> list[tuple[int, int]]:
        if not self._needles:
            return []
        if form is None:
            form = DisplayForm.of(text)
        matches = _matches(form.normalised, self._needles)
        if not form.jumps:
            return matches
        return [(form.original(s), form.original(e - 1) + 1) for s, e in matches]

    def spans(self, text: str, form: DisplayForm | None = None) -> tuple[Span, ...]:
        return tuple([Span(s, e) for s, e in self._original_matches(text, form)])

    def snippet(self, text: str, width: int, form: DisplayForm | None = None) -> tuple[str, tuple[Span, ...]]:
        """A window of the original text of about ``width`` characters holding
        the most distinct matches, and the matched spans within it."""
        matches = self._original_matches(text, form)
        start = 0
        if len(matches) > 1:
            # Starts and ends both ascend (merged matches, mapped back through
            # ascending offsets): the matches within [first, first + width]
            # are one slice, found by bisection.
            ends = [e for _, e in matches]
            best = -1
            for i, (first, _) in enumerate(matches):
                covered = len({text[s:e] for s, e in matches[i:bisect_right(ends, first + width)]})
                if covered > best:
                    best, start = covered, first
            start = max(0, start - width // 5)
        elif matches:
            start = max(0, matches[0][0] - width // 5)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
        shift = len(prefix) - start
        spans = tuple([Span(s + shift, min(e, end) + shift) for s, e in matches if start <= s < end])
        return prefix + text[start:end] + suffix, spans


def highlight_spans(text: str, needles: list[str]) -> tuple[Span, ...]:
    return Highlighter(needles).spans(text)


def snippet(text: str, needles: list[str], width: int) -> tuple[str, tuple[Span, ...]]:
    """A window of the original text of about ``width`` characters holding the
    most distinct matches, and the matched spans within it."""
    return Highlighter(needles).snippet(text, width)


def suggestion_term(title: str) -> str:
    """What suggestions match on: the compact normalised title, then the original."""
    return compact(title) + SUGGEST_SEPARATOR + title


def title_of_suggestion(term: str) -> str:
    return term.partition(SUGGEST_SEPARATOR)[2]


def typed_form_of_suggestion(term: str) -> str:
    """The compact title a typed prefix is compared with."""
    return term.partition(SUGGEST_SEPARATOR)[0]


def compact(text: str) -> str:
    """Normalised text without spaces: what a typed prefix is compared with."""
    return _SPACE.sub("", normalise(text))
