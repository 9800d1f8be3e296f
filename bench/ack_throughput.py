"""AcknowledgeNotice throughput through gRPC: the hub's notice API server
against a bare grpcio servicer, measured in the same run.

Each server runs in its own process (spawned), the CLIENT_THREADS load
threads in this one, so that client and server do not share a GIL. "ours"
is hubkit's ApiServer with the real NoticeService (interceptor, JWT check,
one transaction: the UPDATE that only a first acknowledgement matches, the
receipt.acknowledged outbox row, the audit entry), on SQLite and on
PostgreSQL. Every call is a FIRST acknowledgement: the load walks through
distinct (member, notice) pairs. "bare" answers with a prebuilt reply.
"""
from __future__ import annotations

import itertools
import multiprocessing
import secrets
import sys
import tempfile
import threading
import time
from concurrent import futures
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import grpc

from benchlib import percentile, throwaway_postgres_database, verdict

CLIENT_THREADS = 8
SERVER_THREADS = 8
WARMUP_SECONDS = 0.5
MEASURE_SECONDS = 5.0
MEMBERS = 4000
NOTICES = 5  # MEMBERS * NOTICES first acknowledgements available
TARGET_RATE = 1000.0
TARGET_RATIO = 0.30


@dataclass
class Result:
    label: str
    calls: int
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.calls / MEASURE_SECONDS

    def line(self) -> str:
        return (f"{self.label:<24} {self.rate:8.0f} acks/s  p50 {percentile(self.latencies_ms, 50):6.2f} ms  "
                f"p95 {percentile(self.latencies_ms, 95):6.2f} ms  ({self.calls} calls, {CLIENT_THREADS} client "
                f"threads, {MEASURE_SECONDS:.0f} s)")


def serve_ours(env: dict, ready, stop) -> None:
    """Child process: the real notice API server."""
    import functools

    import notice.bootstrap
    from hubkit.config import Config
    from hubkit.grpc_server import ApiServer
    config = Config(env)
    server = ApiServer(address="127.0.0.1:0", jwt_secret=config.jwt_secret, workers=SERVER_THREADS,
                       register=functools.partial(notice.bootstrap.register_api, config)).start()
    ready.put(server.address)
    stop.wait()
    server.stop(1.0)


def serve_bare(ready, stop) -> None:
    """Child process: a plain grpcio server answering a prebuilt reply."""
    from hub.notice.v1 import notice_service_pb2 as api, notice_service_pb2_grpc

    class FixedReply(notice_service_pb2_grpc.NoticeServiceServicer):
        reply = api.AcknowledgeNoticeResponse(first_acknowledgement=True)
        reply.acknowledged_at.GetCurrentTime()

        def AcknowledgeNotice(self, request, context):
            return self.reply

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=SERVER_THREADS), options=[("grpc.so_reuseport", 0)])
    notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(FixedReply(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    ready.put(f"127.0.0.1:{port}")
    stop.wait()
    server.stop(1.0).wait()


def in_child(stack: ExitStack, target, *args) -> str:
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    process = context.Process(target=target, args=(*args, ready, stop), daemon=True)
    process.start()

    def finish() -> None:
        stop.set()
        process.join(10)
        if process.is_alive():
            process.kill()
    stack.callback(finish)
    return ready.get(timeout=60)


def prepare(env: dict) -> list[tuple[str, tuple]]:
    """A group of MEMBERS, NOTICES notices requiring acknowledgement, and
    (notice id, caller metadata) pairs: each one a first acknowledgement."""
    from hubkit.auth import Caller, bearer_metadata, issue_token
    from hubkit.config import Config
    from hubkit.wiring import engine_for, migrate_service
    from notice import group_handlers, handlers
    from notice.adapters.repository import SqlNoticeUnitOfWork
    from notice.domain import commands
    from notice.domain.groups import MemberInput
    from notice.domain.model import Limits

    config = Config(env)
    migrate_service(config, "notice")
    engine = engine_for(config, "notice")
    uow = lambda: SqlNoticeUnitOfWork(engine)  # noqa: E731
    chief = Caller("bench-chief", departments=("机务段调度室",))
    group = group_handlers.create_group(commands.CreateGroup("全段乘务员", "机务段"), caller=chief, uow=uow())
    group_handlers.sync_members(commands.SyncMembers(group.group_id, tuple(
        MemberInput(f"driver{n:05d}", f"机务段第{n % 8 + 1}运用车间") for n in range(MEMBERS))), caller=chief,
        uow=uow(), max_members=MEMBERS)
    notice_ids = [handlers.publish_notice(commands.PublishNotice(
        (group.group_id,), f"第{n + 1}期安全警示", "冬季机车防寒防冻要点，阅后确认。", requires_ack=True,
        ack_deadline=datetime.now(timezone.utc) + timedelta(days=1)), caller=chief, uow=uow(),
        limits=Limits()).notice_id for n in range(NOTICES)]
    engine.dispose()
    secret = config.jwt_secret
    metadata = [bearer_metadata(issue_token(secret, Caller(f"driver{n:05d}"))) for n in range(MEMBERS)]
    return [(notice_id, metadata[n]) for notice_id in notice_ids for n in range(MEMBERS)]


def load(address: str, pairs: list[tuple[str, tuple]], label: str, *, cycle: bool = False) -> Result:
    """``cycle``: go round the pairs again (only for the stateless bare server)."""
    from hub.notice.v1 import notice_service_pb2 as api, notice_service_pb2_grpc
    start = time.monotonic() + WARMUP_SECONDS
    stop = start + MEASURE_SECONDS
    per_thread: list[list[float]] = [[] for _ in range(CLIENT_THREADS)]
    failures: list[BaseException] = []
    exhausted = []

    def client(index: int) -> None:
        mine = itertools.cycle(pairs[index::CLIENT_THREADS]) if cycle else pairs[index::CLIENT_THREADS]
        with grpc.insecure_channel(address) as channel:
            acknowledge = notice_service_pb2_grpc.NoticeServiceStub(channel).AcknowledgeNotice
            try:
                for notice_id, metadata in mine:
                    began = time.monotonic()
                    if began >= stop:
                        return
                    reply = acknowledge(api.AcknowledgeNoticeRequest(notice_id=notice_id, comment="已学习"),
                                        metadata=metadata, timeout=10.0)
                    assert reply.first_acknowledgement
                    ended = time.monotonic()
                    if start <= ended < stop:
                        per_thread[index].append(1000 * (ended - began))
                exhausted.append(index)
            except grpc.RpcError as exc:
                failures.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{label}: {len(failures)} client thread(s) failed: {failures[0]!r}")
    if exhausted:
        raise RuntimeError(f"{label}: ran out of first acknowledgements; raise MEMBERS or NOTICES")
    return Result(label, sum(len(t) for t in per_thread), [ms for t in per_thread for ms in t])


def measure_ours(stack: ExitStack, label: str, database_url: str | None = None) -> Result:
    env = {"HUB_JWT_SECRET": secrets.token_urlsafe(32),
           "HUB_DATA_DIR": stack.enter_context(tempfile.TemporaryDirectory(prefix="hubbench-")),
           "HUB_LOG_LEVEL": "WARNING"}
    if database_url:
        env["NOTICE_DATABASE_URL"] = database_url
    pairs = prepare(env)
    return load(in_child(stack, serve_ours, env), pairs, label)


def measure_bare(stack: ExitStack) -> Result:
    from hubkit.auth import Caller, bearer_metadata, issue_token
    secret = secrets.token_urlsafe(32)
    metadata = [bearer_metadata(issue_token(secret, Caller(f"driver{n:05d}"))) for n in range(MEMBERS)]
    pairs = [("0" * 32, metadata[n]) for _ in range(NOTICES) for n in range(MEMBERS)]
    return load(in_child(stack, serve_bare), pairs, "bare grpcio", cycle=True)



def main() -> int:
    with ExitStack() as stack:
        bare = measure_bare(stack)
    with ExitStack() as stack:
        sqlite = measure_ours(stack, "ours (SQLite)")
    with ExitStack() as stack:
        postgres = measure_ours(stack, "ours (PostgreSQL)", throwaway_postgres_database(stack))
    for result in (bare, sqlite, postgres):
        print(result.line())
    for result in (sqlite, postgres):
        ratio = result.rate / bare.rate
        print(f"acks {result.label:<20} {result.rate:6.0f}/s (target >= {TARGET_RATE:.0f}/s: "
              f"{verdict(result.rate, TARGET_RATE, higher_is_better=True)})  {ratio:6.1%} of bare "
              f"(target >= {TARGET_RATIO:.0%}: {verdict(ratio, TARGET_RATIO, higher_is_better=True)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
