"""PublishNotice throughput and latency: the hub's API server against bare grpcio.

"ours" is hubkit.grpc_server.ApiServer serving the real notice servicer
(interceptor, JWT check, SQL transaction with the outbox row), on a temporary
SQLite file and then on a throwaway PostgreSQL database. "bare" is a plain
grpc.server whose PublishNotice returns a prebuilt reply. Both servers run in
this process; the same client threads send the same request to each.
"""
from __future__ import annotations

import functools
import secrets
import sys
import tempfile
import threading
import time
from concurrent import futures
from contextlib import ExitStack
from dataclasses import dataclass

import grpc
import psycopg

import notice.bootstrap
from benchlib import percentile, verdict
from hub.notice.v1 import notice_pb2, notice_service_pb2 as api, notice_service_pb2_grpc
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import connect
from hubkit.config import Config
from hubkit.grpc_server import ApiServer
from hubkit.wiring import engine_for, migrate_service

CLIENT_THREADS = 8
SERVER_THREADS = 8
WARMUP_SECONDS = 0.5
MEASURE_SECONDS = 5.0
TARGET_RATIO = 0.30
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

TITLE = "關於冬季供暖鍋爐房安全檢查的通知"
BODY = ("各班組：為確保供暖季安全運行，請於本週五前完成鍋爐房、換熱站的安全檢查，重點檢查壓力錶、"
        "安全閥和排污閥，發現隱患立即上報設備科並落實整改。") * 7  # about 500 characters


@dataclass
class Result:
    label: str
    calls: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def line(self) -> str:
        return (f"{self.label:<26} {self.rate:8.0f} calls/s  p50 {percentile(self.latencies_ms, 50):6.2f} ms  "
                f"p95 {percentile(self.latencies_ms, 95):6.2f} ms  ({self.calls} calls, "
                f"{CLIENT_THREADS} client threads, {self.seconds:.1f} s)")


class FixedReplyServicer(notice_service_pb2_grpc.NoticeServiceServicer):
    """Answers PublishNotice with the same prebuilt response, doing no work."""

    def __init__(self, group_id: str):
        self.reply = api.PublishNoticeResponse(notice=notice_pb2.Notice(
            notice_id="0" * 32, group_ids=[group_id], title=TITLE, body=BODY, author_id="bench-secretary"))

    def PublishNotice(self, request, context):
        return self.reply


def load(address: str, request: api.PublishNoticeRequest, metadata, label: str) -> Result:
    """CLIENT_THREADS threads, each with its own channel, call PublishNotice
    back to back; calls that end within the measuring window are counted."""
    start = time.monotonic() + WARMUP_SECONDS
    stop = start + MEASURE_SECONDS
    per_thread: list[list[float]] = [[] for _ in range(CLIENT_THREADS)]
    failures: list[BaseException] = []

    def client(latencies: list[float]) -> None:
        with grpc.insecure_channel(address) as channel:
            publish = notice_service_pb2_grpc.NoticeServiceStub(channel).PublishNotice
            try:
                while (began := time.monotonic()) < stop:
                    publish(request, metadata=metadata, timeout=10.0)
                    ended = time.monotonic()
                    if start <= ended < stop:
                        latencies.append(1000 * (ended - began))
            except grpc.RpcError as exc:
                failures.append(exc)

    threads = [threading.Thread(target=client, args=(lat,)) for lat in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{label}: {len(failures)} client thread(s) failed: {failures[0]!r}")
    latencies = [ms for thread_latencies in per_thread for ms in thread_latencies]
    return Result(label, len(latencies), MEASURE_SECONDS, latencies)


def measure_ours(stack: ExitStack, label: str, database_url: str | None = None) -> Result:
    """Serve the real notice API, create a group, load it. The database is
    ``database_url``, or by default a SQLite file in a temporary directory."""
    secret = secrets.token_urlsafe(32)
    env = {"HUB_JWT_SECRET": secret,
           "HUB_DATA_DIR": stack.enter_context(tempfile.TemporaryDirectory(prefix="hubbench-"))}
    if database_url:
        env["NOTICE_DATABASE_URL"] = database_url
    config = Config(env)
    migrate_service(config, "notice")
    stack.callback(engine_for(config, "notice").dispose)
    server = ApiServer(address="127.0.0.1:0", jwt_secret=config.jwt_secret, workers=SERVER_THREADS,
                       register=functools.partial(notice.bootstrap.register_api, config)).start()
    stack.callback(server.stop, 1.0)
    token = issue_token(secret, Caller(user_id="bench-secretary", roles=("admin",)))
    client = connect("notice", server.address, token)
    group = client.CreateGroup(api.CreateGroupRequest(name="基準測試班組", department="供热公司设备科")).group
    client.close()
    request = api.PublishNoticeRequest(group_ids=[group.group_id], title=TITLE, body=BODY)
    return load(server.address, request, bearer_metadata(token), label)


def measure_bare(stack: ExitStack) -> Result:
    group_id = "f" * 32
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=SERVER_THREADS),
                         options=[("grpc.so_reuseport", 0)])
    notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(FixedReplyServicer(group_id), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    stack.callback(lambda: server.stop(1.0).wait())
    # The same request and the same (here unchecked) token as for "ours".
    token = issue_token(secrets.token_urlsafe(32), Caller(user_id="bench-secretary", roles=("admin",)))
    request = api.PublishNoticeRequest(group_ids=[group_id], title=TITLE, body=BODY)
    return load(f"127.0.0.1:{port}", request, bearer_metadata(token), "bare grpcio")


def throwaway_postgres_database(stack: ExitStack) -> str:
    name = f"hubbench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    stack.callback(drop)
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


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
        print(f"{'ratio ' + result.label:<26} {ratio:8.1%} of bare calls/s  "
              f"(target >= {TARGET_RATIO:.0%}: {verdict(ratio, TARGET_RATIO, higher_is_better=True)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
