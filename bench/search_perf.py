"""Embedded search engine at scale: generated Chinese documents of about 1 KB.

1. bulk indexing (what `hub search rebuild` does) in this process: docs/s;
2. latency p50/p99 of one caller of the search API (`hub api search`, in a
   process of its own) over gRPC: searches, then title suggestions;
3. throughput of Search from several client threads, each on a connection
   of its own, against the search API and against a bare grpcio servicer
   that answers the same response bytes: both in one process, then both in
   two processes sharing their address (HUB_GRPC_PROCESSES=2; SO_REUSEPORT
   for the bare one), and in as many as the API runs by default (one per
   core) if that is more. The variants take turns for several rounds
   (bench/throughput.py) so that a change in the machine's load falls on all;
4. the search API processes' resident memory;
5. pages of long manuals (half a million characters each), in this process.

    python bench/search_perf.py [--docs 100000] [--seconds 9]
"""
from __future__ import annotations

import argparse
import functools
import itertools
import random
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from benchlib import percentile, verdict  # noqa: E402
from throughput import ChildServers, HubApi, Result, run_round, serve_bare  # noqa: E402

TARGET_DOCS_PER_S = 2000
TARGET_P50_MS = 10.0
TARGET_P99_MS = 50.0
TARGET_THROUGHPUT_SHARE = 0.30
TARGET_RSS_MB = 600
SEARCH_METHOD = "/hub.search.v1.SearchService/Search"
SUGGEST_METHOD = "/hub.search.v1.SearchService/Suggest"
# Each round opens new connections, and the kernel deals each to one of the
# processes sharing the address (SO_REUSEPORT hashes them): four callers on
# two processes split 2/2, 3/1 or 4/0, and a round's rate moved by a quarter
# with the split. More, shorter rounds average over more splits.
ROUNDS = 6
WARMUP_SECONDS = 0.5
SERVER_THREADS = 8
# Common characters the generated words are made of.
CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
         "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由"
         "其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反明看原又么利比或但质气第向道命此变条只没结解问"
         "意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少"
         "图山统接知较将组见计别手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七"
         "海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每"
         "目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装"
         "影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称"
         "太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红"
         "细引听该铁价严龙飞")
DEPARTMENTS = ["炼铁厂", "炼钢厂", "轧钢厂", "热力厂", "动力厂", "安全科", "设备科", "机务段", "供电段", "调度所"]


class Corpus:
    """Documents made of Zipf-distributed pseudo-words, fast to generate."""

    def __init__(self, seed: int = 2026, words: int = 6000):
        self.rng = random.Random(seed)
        self.vocab = list(dict.fromkeys("".join(self.rng.choices(CHARS, k=self.rng.choice((2, 2, 3))))
                                        for _ in range(words)))
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.vocab))))

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cumulative, k=count)

    def items(self, count: int):
        from search.domain.model import IndexedItem, ItemKind
        start = datetime(2025, 1, 1, tzinfo=timezone.utc)
        for number in range(count):
            body = "。".join("，".join(self.words(13)) for _ in range(10)) + "。"  # about 1 KB in UTF-8
            group = f"g-{number % 200}"
            yield IndexedItem(ItemKind.DOCUMENT, f"d-{number}", "".join(self.words(4)) + "管理规定", body,
                              ("everyone", f"group:{group}") if number % 3 else (f"group:{group}",),
                              start + timedelta(minutes=number), department=DEPARTMENTS[number % len(DEPARTMENTS)],
                              group_ids=(group,))

    def queries(self, count: int) -> list[str]:
        # Words of middle frequency, one or two per query, as people type them.
        middle = self.vocab[20:1500]
        return [" ".join(self.rng.sample(middle, self.rng.choice((1, 2, 2)))) for _ in range(count)]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def add_fixed_search(response: bytes, server) -> None:
    """Search answers these bytes: no auth, no work (the bare servicer)."""
    import grpc
    handler = grpc.method_handlers_generic_handler("hub.search.v1.SearchService", {
        "Search": grpc.unary_unary_rpc_method_handler(lambda request, context: response,
                                                      request_deserializer=None, response_serializer=None)})
    server.add_generic_rpc_handlers((handler,))


def searcher(requests: list[bytes], metadata):
    """run_round's client: thread n calls Search with the requests in turn,
    starting at its own offset and going on where it stopped last round."""
    turns: dict[int, itertools.islice] = {}

    def client(n: int, channel):
        call = channel.unary_unary(SEARCH_METHOD)
        mine = turns.setdefault(n, itertools.islice(itertools.cycle(requests), n * 97, None))
        return lambda: call(next(mine), metadata=metadata, timeout=10)
    return client


def long_documents(corpus: Corpus, data_dir: str, *, count: int = 20, chars: int = 500_000) -> None:
    """Pages whose hits are all long manuals: each hit reads what the index
    keeps of its body for the snippet."""
    from search.adapters.tantivy_index import TantivyIndex
    from search.domain.model import IndexedItem, ItemKind, search_filters, search_query
    index = TantivyIndex(Path(data_dir) / "long-index", writable=True)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    sentences = chars // 50  # 13 words of about 2.5 characters and their commas each
    index.upsert([IndexedItem(ItemKind.DOCUMENT, f"m-{n}", f"{DEPARTMENTS[n % len(DEPARTMENTS)]}设备维护手册",
                              "。".join("，".join(corpus.words(13)) for _ in range(sentences)) + "。",
                              ("everyone",), start, department=DEPARTMENTS[n % len(DEPARTMENTS)])
                  for n in range(count)])
    index.commit()
    latencies = []
    for text in corpus.queries(60):
        begun = time.perf_counter()
        index.search(search_query(text, ("everyone",), search_filters(), 10))
        latencies.append(1000 * (time.perf_counter() - begun))
    index.close()
    p50 = percentile(latencies, 50)
    print(f"long documents ({count} of ~{chars:,} characters), a page of 10 in process: p50 {p50:5.1f} ms, "
          f"p95 {percentile(latencies, 95):5.1f} ms  target p50 <= {TARGET_P50_MS:.0f} ms: {verdict(p50, TARGET_P50_MS)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1500, help="latency samples")
    parser.add_argument("--seconds", type=float, default=9.0,
                        help=f"measured seconds of each throughput variant, over {ROUNDS} rounds")
    parser.add_argument("--callers", type=int, default=4, help="client threads of the throughput runs")
    args = parser.parse_args()

    import grpc

    from hub.search.v1 import search_service_pb2 as api
    from hubkit.auth import Caller, bearer_metadata, issue_token
    from search.adapters.tantivy_index import TantivyIndex
    from search.bootstrap import api_processes_by_default

    default_processes = api_processes_by_default()  # what HUB_GRPC_PROCESSES=auto runs
    process_counts = tuple(sorted({1, 2, default_processes}))
    corpus = Corpus()
    with tempfile.TemporaryDirectory(prefix="search-perf-") as data_dir, ExitStack() as stack:
        index_dir = Path(data_dir) / "search-index"
        started = time.perf_counter()
        items = list(corpus.items(args.docs))
        generated = time.perf_counter() - started
        writer = TantivyIndex(index_dir, writable=True, bulk=True)  # as `hub search rebuild` opens it
        started = time.perf_counter()
        writer.rebuild(items)
        elapsed = time.perf_counter() - started
        writer.close()
        del items
        rate = args.docs / elapsed
        print(f"corpus: {args.docs} docs of ~1 KB generated in {generated:.1f} s")
        print(f"bulk indexing {rate:8.0f} docs/s ({elapsed:.1f} s)  target >= {TARGET_DOCS_PER_S}/s: "
              f"{verdict(rate, TARGET_DOCS_PER_S, higher_is_better=True)}")

        secret = secrets.token_urlsafe(32)
        env = {"HUB_DATA_DIR": data_dir, "HUB_JWT_SECRET": secret, "SEARCH_INDEX_DIR": str(index_dir),
               "SEARCH_BACKEND": "tantivy"}
        apis = {processes: HubApi(stack, "search", processes, env, threads=SERVER_THREADS)
                for processes in process_counts}
        metadata = bearer_metadata(issue_token(secret, Caller("u-bench", groups=("g-7", "g-42"))))
        requests = [api.SearchRequest(query=q, page_size=10).SerializeToString()
                    for q in corpus.queries(args.queries)]
        with grpc.insecure_channel(apis[1].address) as channel:
            call = channel.unary_unary(SEARCH_METHOD)
            for request in requests[:50]:  # warm up
                call(request, metadata=metadata, timeout=10)
            latencies, hits = [], []
            for request in requests:
                begun = time.perf_counter()
                reply = call(request, metadata=metadata, timeout=10)
                latencies.append(1000 * (time.perf_counter() - begun))
                hits.append(api.SearchResponse.FromString(reply).total)
            typical = call(requests[0], metadata=metadata, timeout=10)
            # Title suggestions as someone types: the first one or two characters.
            suggest = channel.unary_unary(SUGGEST_METHOD)
            prefixes = [word[:length] for word in corpus.vocab[:300] for length in (1, 2)]
            suggest_latencies = []
            for prefix in prefixes:
                begun = time.perf_counter()
                suggest(api.SuggestRequest(prefix=prefix, limit=8).SerializeToString(), metadata=metadata, timeout=10)
                suggest_latencies.append(1000 * (time.perf_counter() - begun))
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        print(f"queries: {len(requests)}, median matches {percentile(hits, 50):.0f}, "
              f"typical response {len(typical)} bytes")
        print(f"query p50 {p50:6.1f} ms  target <= {TARGET_P50_MS:.0f} ms: {verdict(p50, TARGET_P50_MS)}")
        print(f"query p99 {p99:6.1f} ms  target <= {TARGET_P99_MS:.0f} ms: {verdict(p99, TARGET_P99_MS)}")
        s50, s99 = percentile(suggest_latencies, 50), percentile(suggest_latencies, 99)
        print(f"suggest ({len(prefixes)} prefixes of 1-2 characters) p50 {s50:5.1f} ms  p99 {s99:5.1f} ms  "
              f"(own targets as for queries: {verdict(s50, TARGET_P50_MS)} / {verdict(s99, TARGET_P99_MS)})")

        client = searcher(requests, metadata)
        shapes = [[(Result(f"bare grpcio, {processes} proc"),
                    ChildServers(stack, processes, serve_bare, functools.partial(add_fixed_search, typical),
                                 SERVER_THREADS)),
                   (Result(f"search API, {processes} proc"), apis[processes])]
                  for processes in process_counts]
        for _ in range(ROUNDS):
            for variants in shapes:
                for result, server in variants:
                    run_round(server, client, result, threads=args.callers, warmup=WARMUP_SECONDS,
                              seconds=args.seconds / ROUNDS)
        print(f"throughput, {args.callers} client threads on connections of their own:")
        for variants in shapes:
            for result, _ in variants:
                print("  " + result.line("searches"))
        for processes, ((bare, _), (ours, _)) in zip(process_counts, shapes):
            share = ours.rate / bare.rate
            print(f"search throughput, {processes} proc: {ours.rate:.0f}/s = {100 * share:5.1f} % of bare "
                  f"({bare.rate:.0f}/s)  target >= {100 * TARGET_THROUGHPUT_SHARE:.0f} %: "
                  f"{verdict(share, TARGET_THROUGHPUT_SHARE, higher_is_better=True)}"
                  + ("  <- the API's default on this machine (HUB_GRPC_PROCESSES=auto: one per core)"
                     if processes == default_processes else ""))
        memory = max(rss_mb(pid) for server in apis.values() for pid in server.pids)
        print(f"search process RSS {memory:6.0f} MB (largest API process)  target <= {TARGET_RSS_MB} MB: "
              f"{verdict(memory, TARGET_RSS_MB)}")
        long_documents(corpus, data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
