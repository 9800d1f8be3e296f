"""PublishNotice throughput and latency: the hub's API server against bare grpcio.

"ours" is ``hub api notice`` (auth interceptor, JWT check, the notice
servicer, an SQL transaction with the outbox row) on a temporary SQLite file
and on a throwaway PostgreSQL database. "bare" is a plain grpc.server whose
PublishNotice returns a prebuilt reply; "plumbing only" is our ApiServer
around that same fixed reply. Each server runs in processes of its own, as in
production, so it does not share an interpreter lock with the load: first in
one process, then in two sharing the address (HUB_GRPC_PROCESSES=2, and the
same SO_REUSEPORT arrangement for bare). The same client threads of this
process send the same request to each. The variants take turns for several
rounds, so that a change in the machine's load falls on all of them alike.
Server CPU per call is read from /proc.
"""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import secrets
import sys
import tempfile
import threading
import time
from concurrent import futures
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import psycopg

from benchlib import free_ports, percentile, verdict
from hub.notice.v1 import notice_pb2, notice_service_pb2 as api, notice_service_pb2_grpc
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import connect, health
from hubkit.config import Config
from hubkit.grpc_server import ApiServer
from hubkit.wiring import engine_for, migrate_service

CLIENT_THREADS = 8
SERVER_THREADS = 8
WARMUP_SECONDS = 0.5
ROUND_SECONDS = 2.0
ROUNDS = 3
# Servers in one process, and in two sharing the address (HUB_GRPC_PROCESSES=2
# for ours, the same SO_REUSEPORT arrangement for bare grpcio).
PROCESS_COUNTS = (1, 2)
TARGET_RATIO = 0.30
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

TITLE = "關於冬季供暖鍋爐房安全檢查的通知"
BODY = ("各班組：為確保供暖季安全運行，請於本週五前完成鍋爐房、換熱站的安全檢查，重點檢查壓力錶、"
        "安全閥和排污閥，發現隱患立即上報設備科並落實整改。") * 7  # about 500 characters
SECRETARY = Caller(user_id="bench-secretary", roles=("admin",))


@dataclass
class Result:
    label: str
    calls: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    all_calls: int = 0  # warm-up included, for CPU per call
    server_cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def line(self) -> str:
        cpu_ms = 1000 * self.server_cpu_seconds / self.all_calls
        return (f"{self.label:<32} {self.rate:8.0f} calls/s  p50 {percentile(self.latencies_ms, 50):6.2f} ms  "
                f"p95 {percentile(self.latencies_ms, 95):6.2f} ms  server CPU {cpu_ms:5.2f} ms/call  "
                f"({self.calls} calls, {CLIENT_THREADS} client threads, {ROUNDS} rounds, {self.seconds:.1f} s)")


class FixedReplyServicer(notice_service_pb2_grpc.NoticeServiceServicer):
    """Answers PublishNotice with the same prebuilt response, doing no work."""

    def __init__(self, group_id: str):
        self.reply = api.PublishNoticeResponse(notice=notice_pb2.Notice(
            notice_id="0" * 32, group_ids=[group_id], title=TITLE, body=BODY, author_id=SECRETARY.user_id))

    def PublishNotice(self, request, context):
        return self.reply


# --- servers, each in processes of their own ----------------------------------

def process_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (from /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _serve_bare(address: str, ready) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=SERVER_THREADS),
                         options=[("grpc.so_reuseport", 1)])
    notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(FixedReplyServicer("f" * 32), server)
    port = server.add_insecure_port(address)
    server.start()
    ready.put(port)
    threading.Event().wait()  # until terminated


def _serve_plumbing_only(address: str, ready, secret: str) -> None:
    """Our ApiServer (auth interceptor, error mapping, health) around the
    fixed-reply servicer: what the plumbing costs without the database."""
    def register(server):
        notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(FixedReplyServicer("f" * 32), server)
        return []
    server = ApiServer(address=address, jwt_secret=secret, workers=SERVER_THREADS, register=register,
                       share_port=True).start()
    ready.put(server.port)
    threading.Event().wait()


class Servers:
    """``processes`` processes serving one address; ``pids`` for CPU time."""

    def __init__(self, stack: ExitStack, processes: int, target, *args):
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        self.children = []
        address = "127.0.0.1:0"
        for _ in range(processes):
            child = context.Process(target=target, args=(address, ready, *args), daemon=True)
            child.start()
            self.children.append(child)
            address = f"127.0.0.1:{ready.get(timeout=60)}"
        stack.callback(self.stop)
        self.address, self.group_id, self.pids = address, "f" * 32, [c.pid for c in self.children]

    def stop(self) -> None:
        for child in self.children:
            child.terminate()
            child.join(10)


class HubApi:
    """The real thing: ``hub api notice`` with HUB_GRPC_PROCESSES processes."""

    def __init__(self, stack: ExitStack, processes: int, env: dict[str, str]):
        port = free_ports(1)[0]
        env = dict(os.environ, **env, HUB_GRPC_PROCESSES=str(processes), HUB_GRPC_WORKERS=str(SERVER_THREADS),
                   NOTICE_GRPC_ADDR=f"127.0.0.1:{port}", HUB_LOG_LEVEL="WARNING")
        config = Config(env)
        migrate_service(config, "notice")
        engine_for(config, "notice").dispose()
        self.process = subprocess.Popen([sys.executable, "-m", "hubkit.cli", "api", "notice"], env=env)
        stack.callback(self.stop)
        self.address = config.grpc_addr("notice")
        deadline = time.monotonic() + 60
        while health(self.address, 1.0) != "SERVING":
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("hub api notice did not start")
            time.sleep(0.2)
        time.sleep(1.0 if processes > 1 else 0)  # the siblings bind a moment after the first
        self.pids = [self.process.pid] + children_of(self.process.pid)
        if len(self.pids) != processes:
            raise RuntimeError(f"expected {processes} api processes, found {len(self.pids)}")
        client = connect("notice", self.address, issue_token(config.jwt_secret, SECRETARY))
        self.group_id = client.CreateGroup(
            api.CreateGroupRequest(name="基準測試班組", department="供热公司设备科")).group.group_id
        client.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def children_of(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


# --- load ---------------------------------------------------------------------

def load(server, metadata, result: Result) -> None:
    """CLIENT_THREADS threads, each with its own channel, call PublishNotice
    back to back for ROUND_SECONDS after a warm-up; calls that end within the
    window are counted."""
    start = time.monotonic() + WARMUP_SECONDS
    stop = start + ROUND_SECONDS
    request = api.PublishNoticeRequest(group_ids=[server.group_id], title=TITLE, body=BODY)
    per_thread: list[list[float]] = [[] for _ in range(CLIENT_THREADS)]
    all_calls = [0] * CLIENT_THREADS
    failures: list[BaseException] = []

    def client(n: int) -> None:
        latencies = per_thread[n]
        # A connection per thread, as from separate clients (channels to one
        # target otherwise share a single connection).
        with grpc.insecure_channel(server.address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
            publish = notice_service_pb2_grpc.NoticeServiceStub(channel).PublishNotice
            try:
                while (began := time.monotonic()) < stop:
                    publish(request, metadata=metadata, timeout=10.0)
                    ended = time.monotonic()
                    all_calls[n] += 1
                    if start <= ended < stop:
                        latencies.append(1000 * (ended - began))
            except grpc.RpcError as exc:
                failures.append(exc)

    cpu_before = process_cpu_seconds(server.pids)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{result.label}: {len(failures)} client thread(s) failed: {failures[0]!r}")
    result.server_cpu_seconds += process_cpu_seconds(server.pids) - cpu_before
    latencies = [ms for thread_latencies in per_thread for ms in thread_latencies]
    result.calls += len(latencies)
    result.all_calls += sum(all_calls)
    result.seconds += ROUND_SECONDS
    result.latencies_ms += latencies


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
    secret = secrets.token_urlsafe(32)
    metadata = bearer_metadata(issue_token(secret, SECRETARY))
    with ExitStack() as stack:
        sqlite_env = {"HUB_JWT_SECRET": secret,
                      "HUB_DATA_DIR": stack.enter_context(tempfile.TemporaryDirectory(prefix="hubbench-"))}
        postgres_env = dict(sqlite_env, NOTICE_DATABASE_URL=throwaway_postgres_database(stack))
        shapes = []
        for processes in PROCESS_COUNTS:
            suffix = f", {processes} proc"
            shapes.append([
                (Result("bare grpcio" + suffix), Servers(stack, processes, _serve_bare)),
                (Result("plumbing only" + suffix), Servers(stack, processes, _serve_plumbing_only, secret)),
                (Result("ours SQLite" + suffix), HubApi(stack, processes, sqlite_env)),
                (Result("ours PostgreSQL" + suffix), HubApi(stack, processes, postgres_env)),
            ])
        for _ in range(ROUNDS):
            for variants in shapes:
                for result, server in variants:
                    load(server, metadata, result)

    for variants in shapes:
        bare = variants[0][0]
        for result, _ in variants:
            print(result.line())
        for result, _ in variants[1:]:
            ratio = result.rate / bare.rate
            print(f"{'ratio ' + result.label:<32} {ratio:7.1%} of bare calls/s  "
                  f"(target >= {TARGET_RATIO:.0%}: {verdict(ratio, TARGET_RATIO, higher_is_better=True)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
