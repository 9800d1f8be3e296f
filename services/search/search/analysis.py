"""Chinese text analysis, identical at index and at query time.

normalise(): traditional -> simplified (OpenCC t2s), full/half-width folding
(NFKC), inline pinyin glosses after characters removed (``發(fā)展`` -> ``发展``),
lower case. terms(): CJK runs become overlapping bigrams plus unigrams (a one-
character query still finds its character), other runs become words; the same
shape as Elasticsearch's cjk_width + cjk_bigram analysis.
"""
from __future__ import annotations

import re
import threading
import unicodedata

import opencc

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PINYIN_LETTERS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# A gloss: brackets right after a CJK character holding only pinyin syllables.
_GLOSS = re.compile(rf"(?<=[{_CJK}])\(\s*[{_PINYIN_LETTERS}]+(?:\s+[{_PINYIN_LETTERS}]+)*\s*\)")
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_]+", re.UNICODE)
_CJK_RUN = re.compile(rf"[{_CJK}]+")

_local = threading.local()


def _converter() -> opencc.OpenCC:
    # OpenCC converters are not documented as thread-safe: one per thread.
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = opencc.OpenCC("t2s")
    return converter


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    without_glosses = _GLOSS.sub("", folded)
    return _converter().convert(without_glosses).lower()


def _run_terms(run: str, *, unigrams: bool) -> list[str]:
    if not _CJK_RUN.fullmatch(run):
        return [run]
    if len(run) == 1:
        return [run]
    bigrams = [run[i:i + 2] for i in range(len(run) - 1)]
    return bigrams + list(run) if unigrams else bigrams


def index_terms(text: str) -> list[str]:
    """Terms stored for a text: bigrams and unigrams of CJK runs, words."""
    terms: list[str] = []
    for run in _TOKEN.findall(normalise(text)):
        terms.extend(_run_terms(run, unigrams=True))
    return terms


def query_terms(text: str) -> list[str]:
    """Terms a query must all match: bigrams of CJK runs (a lone character as
    itself), words."""
    terms: list[str] = []
    for run in _TOKEN.findall(normalise(text)):
        terms.extend(_run_terms(run, unigrams=False))
    return list(dict.fromkeys(terms))
