"""A member's inbox and a notice's statistics at 100,000 notices and
1,000,000 receipts in PostgreSQL, through gRPC (issue 3: p99 <= 20 ms).

A throwaway database is migrated and loaded with a year of a steel works'
notices (bench/inbox_dataset.py, COPY, then ANALYZE); ``hub api notice``
(one process) serves it. The load is first checked through the API: whole
inboxes paged to their end against the loaded receipts, statistics against
the loaded read and acknowledged counts. Then one client calls back to back,
the calls of every kind shuffled together (so a change in the machine's load
falls on all), with bearer tokens of the members themselves:
- ListInbox: first pages of many members (the heaviest inboxes — department
  heads who administer their crews — always among them), following pages
  through the cursors, pages filtered by category and/or priority;
- GetNoticeStats: notices of every kind, called by their author or by an
  owner/admin of a target group; and every works-wide notice (2,999
  recipients, the largest group) by each of the group's managers.
"""
from __future__ import annotations

import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import datetime, timezone

import grpc

from benchlib import latency_line, percentile, throwaway_postgres_database, verdict
from hub.notice.v1 import notice_pb2, notice_service_pb2 as api, notice_service_pb2_grpc
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.config import Config
from hubkit.wiring import engine_for, migrate_service
from inbox_dataset import CATEGORIES, Dataset, NoticePlan, load, plan
from throughput import HubApi

TARGET_P99_MS = 20.0
PAGE = 20
FIRST_PAGES = 600
HEAVIEST = 15  # members with the largest inboxes, always measured
PAGED_MEMBERS = 200  # each: pages 1..4, the last three through the cursor
FILTERED = 400
STATS = 600
WARMUP = 100
SEED = 11


class Tokens:
    """Bearer metadata per user, issued once."""

    def __init__(self, secret: str, data: Dataset):
        self.secret = secret
        self.department = {p.user_id: p.department for p in data.staff}
        self.issued: dict[str, tuple] = {}

    def __call__(self, user_id: str) -> tuple:
        if user_id not in self.issued:
            self.issued[user_id] = bearer_metadata(issue_token(
                self.secret, Caller(user_id, departments=(self.department[user_id],)), ttl_seconds=3 * 3600))
        return self.issued[user_id]


def category_enum(value: str) -> int:
    return notice_pb2.NoticeCategory.Value(f"NOTICE_CATEGORY_{value.upper()}")


def priority_enum(value: str) -> int:
    return notice_pb2.NoticePriority.Value(f"NOTICE_PRIORITY_{value.upper()}")


def expected_inbox(data: Dataset, by_id: dict[str, NoticePlan], user_id: str, *, category: str | None = None,
                   priority: str | None = None) -> list[str]:
    """Notice ids of the user's inbox as loaded: unread first, then pinned,
    then newest, notice id breaking ties."""
    items = [(by_id[notice_id], read) for notice_id, read in data.watched[user_id].items()
             if by_id[notice_id].status == "published" and category in (None, by_id[notice_id].category)
             and priority in (None, by_id[notice_id].priority)]
    items.sort(key=lambda item: (item[0].published_at, item[0].notice_id), reverse=True)
    items.sort(key=lambda item: (item[1], not item[0].pinned))
    return [n.notice_id for n, _ in items]


def whole_inbox(stub, metadata, **filters) -> list[str]:
    seen, cursor = [], ""
    while True:
        reply = stub.ListInbox(api.ListInboxRequest(page_size=PAGE, cursor=cursor, **filters), metadata=metadata,
                               timeout=30)
        seen += [item.notice.notice_id for item in reply.items]
        if not (cursor := reply.next_cursor):
            return seen


def verify(stub, data: Dataset, tokens: Tokens, light: str, heavy: str) -> None:
    """The API returns what was loaded: whole inboxes (no duplicates, no gaps,
    in order), filtered ones, and statistics."""
    by_id = {n.notice_id: n for n in data.notices}
    for user_id in (light, heavy):
        assert whole_inbox(stub, tokens(user_id)) == expected_inbox(data, by_id, user_id), user_id
    urgent_tasks = whole_inbox(stub, tokens(heavy), category=category_enum("task"), priority=priority_enum("urgent"))
    assert urgent_tasks == expected_inbox(data, by_id, heavy, category="task", priority="urgent")
    works = next(n for n in data.notices if n.groups and n.groups[0].kind == "works" and n.status == "published")
    team = next(n for n in data.notices if n.groups and n.groups[0].kind == "team" and n.requires_ack)
    task = next(n for n in data.notices if not n.groups and len(n.named) > 1)
    for notice in (works, team, task):
        reply = stub.GetNoticeStats(api.GetNoticeStatsRequest(notice_id=notice.notice_id),
                                    metadata=tokens(notice.author.user_id), timeout=30)
        assert (reply.recipients, reply.read, reply.acknowledged) == (
            len(notice.recipients), notice.read, notice.acknowledged), notice.notice_id
        assert sum(len(d.user_ids) for d in reply.not_read) == len(notice.recipients) - notice.read
    print(f"checked: inboxes of {light} ({len(data.watched[light])} receipts) and {heavy} "
          f"({len(data.watched[heavy])}) paged whole, urgent tasks; statistics of 3 notices")


def stats_caller(rng: random.Random, notice: NoticePlan) -> str:
    """The author, or (as often) an owner or admin of a target group."""
    managers = [m.user_id for g in notice.groups for m in g.managers]
    return rng.choice(managers) if managers and rng.random() < 0.5 else notice.author.user_id


def plan_calls(rng: random.Random, data: Dataset, inbox_sizes: Counter) -> list[tuple[str, object]]:
    """(kind, arguments) of every measured call, shuffled."""
    members = [p.user_id for p in data.staff]
    heaviest = [user for user, _ in inbox_sizes.most_common(HEAVIEST)]
    chosen = set(rng.sample(members, FIRST_PAGES - HEAVIEST)) | set(heaviest)
    calls: list[tuple[str, object]] = [("first", user) for user in sorted(chosen)]
    paged = [user for user in members if inbox_sizes[user] > 4 * PAGE]
    calls += [("paging", user) for user in rng.sample(paged, PAGED_MEMBERS)]
    categories = list(CATEGORIES)
    for _ in range(FILTERED):
        shape = rng.random()
        calls.append(("filtered", (rng.choice(members), rng.choice(categories) if shape < 0.7 else None,
                                   "urgent" if shape >= 0.5 else None)))
    delivered = [n for n in data.notices if n.delivered]
    calls += [("stats", (n.notice_id, stats_caller(rng, n))) for n in rng.sample(delivered, STATS)]
    calls += [("stats_works", (n.notice_id, m.user_id)) for n in delivered if n.groups and n.groups[0].kind == "works"
              for m in n.groups[0].managers]
    rng.shuffle(calls)
    return calls


LABELS = {"first": "ListInbox first page", "next": "ListInbox next page (cursor)",
          "filtered": "ListInbox filtered", "stats": "GetNoticeStats",
          "stats_works": "GetNoticeStats works-wide"}


def run_calls(stub, tokens: Tokens, calls: list[tuple[str, object]]) -> dict[str, list[float]]:
    millis: dict[str, list[float]] = {kind: [] for kind in LABELS}

    def timed(kind: str, method, request, user_id: str):
        began = time.perf_counter()
        reply = method(request, metadata=tokens(user_id), timeout=30)
        millis[kind].append(1000 * (time.perf_counter() - began))
        return reply

    for kind, args in calls:
        if kind == "first":
            timed(kind, stub.ListInbox, api.ListInboxRequest(page_size=PAGE), args)
        elif kind == "paging":
            reply = timed("first", stub.ListInbox, api.ListInboxRequest(page_size=PAGE), args)
            for _ in range(3):
                assert reply.next_cursor, args
                reply = timed("next", stub.ListInbox, api.ListInboxRequest(page_size=PAGE, cursor=reply.next_cursor),
                              args)
        elif kind == "filtered":
            user_id, category, priority = args
            request = api.ListInboxRequest(page_size=PAGE, category=category_enum(category) if category else 0,
                                           priority=priority_enum(priority) if priority else 0)
            timed(kind, stub.ListInbox, request, user_id)
        else:
            notice_id, user_id = args
            timed(kind, stub.GetNoticeStats, api.GetNoticeStatsRequest(notice_id=notice_id), user_id)
    return millis


def main() -> int:
    rng = random.Random(SEED)
    with ExitStack() as stack:
        env = {"HUB_JWT_SECRET": secrets.token_urlsafe(32), "NOTICE_DATABASE_URL": throwaway_postgres_database(stack),
               "HUB_DATA_DIR": stack.enter_context(tempfile.TemporaryDirectory(prefix="hubbench-"))}
        config = Config(env)
        migrate_service(config, "notice")
        engine_for(config, "notice").dispose()
        began = time.monotonic()
        data = plan(datetime.now(timezone.utc))
        inbox_sizes = Counter(p.user_id for n in data.notices if n.status == "published" for p in n.recipients)
        light = min(inbox_sizes, key=lambda user: (inbox_sizes[user], user))
        heavy = inbox_sizes.most_common(1)[0][0]
        data.watched = {light: {}, heavy: {}}
        rows = load(env["NOTICE_DATABASE_URL"], data)
        print(f"loaded {rows['notices']:,} notices, {rows['receipts']:,} receipts, {len(data.groups)} groups, "
              f"{rows['group_members']:,} memberships of {len(data.staff):,} staff in {time.monotonic() - began:.0f} s;"
              f" published inbox sizes: median {percentile(list(inbox_sizes.values()), 50):.0f}, "
              f"p99 {percentile(list(inbox_sizes.values()), 99):.0f}, max {inbox_sizes[heavy]:,}", flush=True)

        server = HubApi(stack, "notice", 1, env)
        tokens = Tokens(config.jwt_secret, data)
        with grpc.insecure_channel(server.address) as channel:
            stub = notice_service_pb2_grpc.NoticeServiceStub(channel)
            verify(stub, data, tokens, light, heavy)
            run_calls(stub, tokens, plan_calls(random.Random(SEED + 1), data, inbox_sizes)[:WARMUP])
            began = time.monotonic()
            millis = run_calls(stub, tokens, plan_calls(rng, data, inbox_sizes))
            elapsed = time.monotonic() - began

    # The tail depends on what else the machine runs: say how busy it was.
    print(f"{sum(map(len, millis.values())):,} calls, one at a time, in {elapsed:.0f} s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for kind, label in LABELS.items():
        print(latency_line(label, millis[kind], width=32, pcts=(50, 95, 99)))
    inbox = millis["first"] + millis["next"] + millis["filtered"]
    stats = millis["stats"] + millis["stats_works"]
    for label, values in (("ListInbox", inbox), ("GetNoticeStats", stats)):
        p99 = percentile(values, 99)
        print(f"{label} at 100k notices / 1M receipts: p99 {p99:6.1f} ms "
              f"(target p99 <= {TARGET_P99_MS:.0f} ms: {verdict(p99, TARGET_P99_MS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
