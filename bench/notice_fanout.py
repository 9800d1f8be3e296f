"""Publishing one notice to a group of 10,000 members: receipts for all of them
and the outbox row committed, on SQLite and on PostgreSQL.

The publish use case runs as the API server runs it (one transaction:
notice, receipts by one INSERT ... SELECT from the members table, the
notice.published outbox row, the audit entry), timed from the call to the
commit, over PUBLISHES publications after one warm-up.
"""
from __future__ import annotations

import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone


from benchlib import latency_line, percentile, throwaway_postgres_database, verdict
from hubkit.auth import Caller
from hubkit.config import Config
from hubkit.wiring import engine_for, migrate_service
from notice import group_handlers, handlers
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.domain import commands
from notice.domain.groups import MemberInput
from notice.domain.model import Limits

MEMBERS = 10_000
PUBLISHES = 20
TARGET_P50_MS = 1000.0
TARGET_P95_MS = 2000.0
DISPATCHER = Caller(user_id="bench-dispatcher", departments=("供热公司调度中心",))
WORKSHOPS = ["一号换热站", "二号换热站", "三号换热站", "管网维修队", "锅炉车间"]


def measure(stack: ExitStack, label: str, database_url: str | None = None) -> list[float]:
    env = {"HUB_JWT_SECRET": secrets.token_urlsafe(32),
           "HUB_DATA_DIR": stack.enter_context(tempfile.TemporaryDirectory(prefix="hubbench-"))}
    if database_url:
        env["NOTICE_DATABASE_URL"] = database_url
    config = Config(env)
    migrate_service(config, "notice")
    engine = engine_for(config, "notice")
    stack.callback(engine.dispose)
    uow = lambda: SqlNoticeUnitOfWork(engine)  # noqa: E731
    group = group_handlers.create_group(commands.CreateGroup("全公司运行人员", "供热公司"), caller=DISPATCHER, uow=uow())
    staff = tuple(MemberInput(f"emp{n:06d}", f"供热公司{WORKSHOPS[n % len(WORKSHOPS)]}") for n in range(MEMBERS))
    group_handlers.sync_members(commands.SyncMembers(group.group_id, staff), caller=DISPATCHER, uow=uow(),
                                max_members=MEMBERS)
    millis = []
    for n in range(PUBLISHES + 1):
        cmd = commands.PublishNotice(
            (group.group_id,), f"寒潮预警：第{n}号运行调度令", "今夜气温骤降，各换热站提高供水温度并加强巡检。",
            requires_ack=True, ack_deadline=datetime.now(timezone.utc) + timedelta(hours=12))
        began = time.perf_counter()
        notice = handlers.publish_notice(cmd, caller=DISPATCHER, uow=uow(), limits=Limits())
        elapsed = 1000 * (time.perf_counter() - began)
        assert notice.recipient_count == MEMBERS, notice.recipient_count
        if n:  # the first one warms caches and connections
            millis.append(elapsed)
    with engine.connect() as connection:
        receipts = connection.exec_driver_sql("select count(*) from receipts").scalar()
        events = connection.exec_driver_sql(
            "select count(*) from outbox where routing_key = 'notice.published'").scalar()
    assert receipts == MEMBERS * (PUBLISHES + 1) and events == PUBLISHES + 1
    print(latency_line(f"publish to {MEMBERS:,} ({label})", millis, width=34))
    return millis



def main() -> int:
    results = {}
    with ExitStack() as stack:
        results["SQLite"] = measure(stack, "SQLite")
    with ExitStack() as stack:
        results["PostgreSQL"] = measure(stack, "PostgreSQL", throwaway_postgres_database(stack))
    for label, millis in results.items():
        p50, p95 = percentile(millis, 50), percentile(millis, 95)
        print(f"fan-out {label:<11} p50 {p50:7.1f} ms (target <= {TARGET_P50_MS:.0f} ms: {verdict(p50, TARGET_P50_MS)})"
              f"  p95 {p95:7.1f} ms (target <= {TARGET_P95_MS:.0f} ms: {verdict(p95, TARGET_P95_MS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
