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

import secrets
import sys
import tempfile
import threading
from contextlib import ExitStack

from benchlib import throwaway_postgres_database, verdict
from hub.notice.v1 import notice_pb2, notice_service_pb2 as api, notice_service_pb2_grpc
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import connect
from hubkit.grpc_server import ApiServer
from throughput import ChildServers, HubApi, Result, run_round, serve_bare

CLIENT_THREADS = 8
SERVER_THREADS = 8
WARMUP_SECONDS = 0.5
ROUND_SECONDS = 2.0
ROUNDS = 3
# Servers in one process, and in two sharing the address (HUB_GRPC_PROCESSES=2
# for ours, the same SO_REUSEPORT arrangement for bare grpcio).
PROCESS_COUNTS = (1, 2)
TARGET_RATIO = 0.30

TITLE = "關於冬季供暖鍋爐房安全檢查的通知"
BODY = ("各班組：為確保供暖季安全運行，請於本週五前完成鍋爐房、換熱站的安全檢查，重點檢查壓力錶、"
        "安全閥和排污閥，發現隱患立即上報設備科並落實整改。") * 7  # about 500 characters
ANY_GROUP = "f" * 32  # the fixed-reply servers check nothing
SECRETARY = Caller(user_id="bench-secretary", roles=("admin",))


class FixedReplyServicer(notice_service_pb2_grpc.NoticeServiceServicer):
    """Answers PublishNotice with the same prebuilt response, doing no work."""

    def __init__(self, group_id: str):
        self.reply = api.PublishNoticeResponse(notice=notice_pb2.Notice(
            notice_id="0" * 32, group_ids=[group_id], title=TITLE, body=BODY, author_id=SECRETARY.user_id))

    def PublishNotice(self, request, context):
        return self.reply


# --- servers, each in processes of their own ----------------------------------

def add_fixed_reply(server) -> list[str]:
    notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(FixedReplyServicer(ANY_GROUP), server)
    return []


def serve_plumbing_only(address: str, ready, secret: str) -> None:
    """Our ApiServer (auth interceptor, error mapping, health) around the
    fixed-reply servicer: what the plumbing costs without the database."""
    server = ApiServer(address=address, jwt_secret=secret, workers=SERVER_THREADS, register=add_fixed_reply,
                       share_port=True).start()
    ready.put(server.port)
    threading.Event().wait()  # until terminated


def notice_api(stack: ExitStack, processes: int, env: dict[str, str]) -> tuple[HubApi, str]:
    """``hub api notice``, and a group to publish to."""
    server = HubApi(stack, "notice", processes, env, threads=SERVER_THREADS)
    client = connect("notice", server.address, issue_token(server.config.jwt_secret, SECRETARY))
    group_id = client.CreateGroup(
        api.CreateGroupRequest(name="基準測試班組", department="供热公司设备科")).group.group_id
    client.close()
    return server, group_id


# --- load ---------------------------------------------------------------------

def publisher(group_id: str, metadata):
    request = api.PublishNoticeRequest(group_ids=[group_id], title=TITLE, body=BODY)

    def client(n: int, channel):
        publish = notice_service_pb2_grpc.NoticeServiceStub(channel).PublishNotice
        return lambda: publish(request, metadata=metadata, timeout=10.0)
    return client


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
                (Result("bare grpcio" + suffix),
                 (ChildServers(stack, processes, serve_bare, add_fixed_reply), ANY_GROUP)),
                (Result("plumbing only" + suffix),
                 (ChildServers(stack, processes, serve_plumbing_only, secret), ANY_GROUP)),
                (Result("ours SQLite" + suffix), notice_api(stack, processes, sqlite_env)),
                (Result("ours PostgreSQL" + suffix), notice_api(stack, processes, postgres_env)),
            ])
        for _ in range(ROUNDS):
            for variants in shapes:
                for result, (server, group_id) in variants:
                    run_round(server, publisher(group_id, metadata), result, threads=CLIENT_THREADS,
                              warmup=WARMUP_SECONDS, seconds=ROUND_SECONDS)

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
