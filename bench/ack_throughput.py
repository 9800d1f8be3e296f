"""AcknowledgeNotice throughput through gRPC: the hub's notice API server
against a bare grpcio servicer, measured in the same run.

"ours" is ``hub api notice`` (interceptor, JWT check, the receipt read, then
the UPDATE that only a first acknowledgement matches with the
receipt.acknowledged outbox row and the audit entry: on PostgreSQL one
statement outside a transaction, on SQLite one transaction), on SQLite and
on PostgreSQL, first in one process, then in two sharing the address
(HUB_GRPC_PROCESSES=2); "bare" answers a prebuilt reply, in as many
processes. Every call is a FIRST acknowledgement: the load walks through
distinct (member, notice) pairs, each member with a token of their own. The
variants take turns for several rounds (bench/throughput.py), so a change in
the machine's load falls on all.
"""
from __future__ import annotations

import itertools
import secrets
import sys
import tempfile
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone

from benchlib import throwaway_postgres_database, verdict
from hub.notice.v1 import notice_service_pb2 as api, notice_service_pb2_grpc
from throughput import ChildServers, HubApi, Result, run_round, serve_bare

CLIENT_THREADS = 8
SERVER_THREADS = 8
WARMUP_SECONDS = 0.5
ROUND_SECONDS = 2.0
ROUNDS = 3
PROCESS_COUNTS = (1, 2)
MEMBERS = 4000
NOTICES = 12  # MEMBERS * NOTICES first acknowledgements for each variant
TARGET_RATE = 1000.0
TARGET_RATIO = 0.30


def add_fixed_ack(server) -> None:
    class FixedReply(notice_service_pb2_grpc.NoticeServiceServicer):
        reply = api.AcknowledgeNoticeResponse(first_acknowledgement=True)
        reply.acknowledged_at.GetCurrentTime()

        def AcknowledgeNotice(self, request, context):
            return self.reply
    notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(FixedReply(), server)


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


def acknowledger(pairs: list[tuple[str, tuple]], *, endless: bool = False):
    """Each client thread acknowledges its own share of the pairs, going on
    where it stopped in the previous round; ``endless`` goes round again
    (only for the stateless bare server)."""
    shares = [itertools.cycle(pairs[n::CLIENT_THREADS]) if endless else iter(pairs[n::CLIENT_THREADS])
              for n in range(CLIENT_THREADS)]

    def client(n: int, channel):
        acknowledge = notice_service_pb2_grpc.NoticeServiceStub(channel).AcknowledgeNotice

        def call() -> None:
            try:
                notice_id, metadata = next(shares[n])
            except StopIteration:
                raise RuntimeError("ran out of first acknowledgements; raise MEMBERS or NOTICES") from None
            reply = acknowledge(api.AcknowledgeNoticeRequest(notice_id=notice_id, comment="已学习"),
                                metadata=metadata, timeout=10.0)
            if not reply.first_acknowledgement:
                raise RuntimeError(f"{notice_id} was acknowledged before")
        return call
    return client


def ours(stack: ExitStack, processes: int, database_url: str | None) -> tuple[HubApi, list]:
    env = {"HUB_JWT_SECRET": secrets.token_urlsafe(32),
           "HUB_DATA_DIR": stack.enter_context(tempfile.TemporaryDirectory(prefix="hubbench-"))}
    if database_url:
        env["NOTICE_DATABASE_URL"] = database_url
    pairs = prepare(env)
    return HubApi(stack, "notice", processes, env, threads=SERVER_THREADS), acknowledger(pairs)


def bare(stack: ExitStack, processes: int) -> tuple[ChildServers, list]:
    from hubkit.auth import Caller, bearer_metadata, issue_token
    secret = secrets.token_urlsafe(32)
    metadata = [bearer_metadata(issue_token(secret, Caller(f"driver{n:05d}"))) for n in range(MEMBERS)]
    pairs = [("0" * 32, metadata[n]) for _ in range(NOTICES) for n in range(MEMBERS)]
    return ChildServers(stack, processes, serve_bare, add_fixed_ack), acknowledger(pairs, endless=True)


def main() -> int:
    with ExitStack() as stack:
        shapes = []
        for processes in PROCESS_COUNTS:
            suffix = f", {processes} proc"
            shapes.append([
                (Result("bare grpcio" + suffix), bare(stack, processes)),
                (Result("ours SQLite" + suffix), ours(stack, processes, None)),
                (Result("ours PostgreSQL" + suffix), ours(stack, processes, throwaway_postgres_database(stack))),
            ])
        for _ in range(ROUNDS):
            for variants in shapes:
                for result, (server, client) in variants:
                    run_round(server, client, result, threads=CLIENT_THREADS, warmup=WARMUP_SECONDS,
                              seconds=ROUND_SECONDS)

    for variants in shapes:
        baseline = variants[0][0]
        for result, _ in variants:
            print(result.line("acks"))
        for result, _ in variants[1:]:
            ratio = result.rate / baseline.rate
            print(f"acks {result.label:<24} {result.rate:6.0f}/s (target >= {TARGET_RATE:.0f}/s: "
                  f"{verdict(result.rate, TARGET_RATE, higher_is_better=True)})  {ratio:6.1%} of bare "
                  f"(target >= {TARGET_RATIO:.0%}: {verdict(ratio, TARGET_RATIO, higher_is_better=True)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
