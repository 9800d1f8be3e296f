"""Search quality on our own labelled set (bench/data/search_quality_set.py):
recall@10 and nDCG@10 for the embedded engine (tantivy) and Elasticsearch's
API (served by noida-db, started here on a free loopback port)."""
from __future__ import annotations

import math
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "bench" / "data"), str(ROOT / "services" / "search" / "tests")]

from benchlib import verdict  # noqa: E402
from noida_server import running_noida  # noqa: E402
from search_quality_set import build  # noqa: E402

from search.domain.model import IndexedItem, ItemKind, search_query  # noqa: E402

K = 10
TARGET_RECALL = 0.90
TARGET_NDCG = 0.80


def items(docs) -> list[IndexedItem]:
    start = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    return [IndexedItem(ItemKind(d.kind), d.doc_id, d.title, d.body, ("everyone",), start + timedelta(hours=i),
                        department=d.department) for i, d in enumerate(docs)]


def ndcg(ranked: list[str], grades: dict[str, int]) -> float:
    gain = sum((2 ** grades.get(doc, 0) - 1) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:K]))
    ideal = sorted(grades.values(), reverse=True)[:K]
    best = sum((2 ** g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return gain / best if best else 0.0


def evaluate(name: str, index, docs, queries) -> None:
    started = time.perf_counter()
    index.upsert(items(docs))
    index.commit()
    recalls, ndcgs, misses = [], [], []
    for text, grades in queries:
        ranked = [h.item_id for h in index.search(search_query(text, ("everyone",), page_size=K)).hits]
        found = len(set(ranked) & set(grades))
        recalls.append(found / len(grades))
        ndcgs.append(ndcg(ranked, grades))
        if found < len(grades):
            misses.append(text)
    recall, mean_ndcg = sum(recalls) / len(recalls), sum(ndcgs) / len(ndcgs)
    print(f"{name:<22} {len(docs)} docs, {len(queries)} queries, {time.perf_counter() - started:.1f} s")
    print(f"  {name} recall@10 {recall:.3f}  target >= {TARGET_RECALL}: {verdict(recall, TARGET_RECALL, higher_is_better=True)}")
    print(f"  {name} nDCG@10   {mean_ndcg:.3f}  target >= {TARGET_NDCG}: {verdict(mean_ndcg, TARGET_NDCG, higher_is_better=True)}")
    if misses:
        print(f"  queries missing relevant documents: {', '.join(misses[:10])}")


def main() -> int:
    docs, queries = build()
    from search.adapters.elasticsearch_index import ElasticsearchIndex
    from search.adapters.tantivy_index import TantivyIndex
    with tempfile.TemporaryDirectory() as directory:
        index = TantivyIndex(Path(directory), writable=True)
        evaluate("tantivy", index, docs, queries)
        index.close()
    with running_noida() as url:
        index = ElasticsearchIndex(url, f"quality-{uuid.uuid4().hex[:6]}")
        evaluate("elasticsearch (noida)", index, docs, queries)
        index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
