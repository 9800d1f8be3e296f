"""The demo flow: a notice crosses all three services.

Create a work group, publish a notice written in traditional script over
gRPC, find it through SearchService with a simplified query, and read the
group's notice count from ReportsService. Returns True when every step held.
"""
from __future__ import annotations

import time

from hub.notice.v1 import notice_service_pb2 as notice_api
from hub.reports.v1 import reports_service_pb2 as reports_api
from hub.search.v1 import search_service_pb2 as search_api
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect
from hubkit.config import Config

DEMO_TITLE = "關於冬季供暖鍋爐房安全檢查的通知"
DEMO_BODY = ("各班組：為確保供暖季安全運行，請於本週五前完成鍋爐房、換熱站的安全檢查，"
             "重點檢查壓力錶、安全閥和排污閥，發現隱患立即上報設備科並落實整改。")
DEMO_QUERY = "锅炉房 安全阀"  # simplified script, while the notice is traditional


def wait_for(probe, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def run_demo(config: Config, jwt_secret: str, *, out=print, timeout: float = 15.0) -> bool:
    admin = Caller(user_id="demo-secretary", departments=("供热公司设备科",), roles=("admin",),
                   display_name="设备科秘书")
    token = issue_token(jwt_secret, admin)
    notice = connect("notice", config.grpc_addr("notice"), token)
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="一号锅炉房班组", department="供热公司设备科")).group
    out(f"  created group   {group.name} ({group.group_id})")

    started = time.monotonic()
    published = notice.PublishNotice(notice_api.PublishNoticeRequest(
        group_ids=[group.group_id], title=DEMO_TITLE, body=DEMO_BODY)).notice
    out(f"  published       {published.title} ({published.notice_id})")

    member = Caller(user_id="demo-stoker", departments=("供热公司设备科",), groups=(group.group_id,))
    search = connect("search", config.grpc_addr("search"), issue_token(jwt_secret, member))
    found = wait_for(lambda: [h for h in search.Search(search_api.SearchRequest(query=DEMO_QUERY)).hits
                              if h.item_id == published.notice_id], timeout)
    if not found:
        out(f"  FAILED: search for {DEMO_QUERY!r} did not find the notice within {timeout:.0f}s")
        return False
    out(f"  searchable      after {1000 * (time.monotonic() - started):.0f} ms; "
        f"query {DEMO_QUERY!r} (simplified) -> {found[0].title}")
    out(f"                  snippet: {found[0].snippet}")

    reports = connect("reports", config.grpc_addr("reports"), token)

    def counted():
        rows = reports.GetNoticeCountsByGroup(
            reports_api.GetNoticeCountsByGroupRequest(group_ids=[group.group_id])).counts
        return [r for r in rows if r.notice_count >= 1 and r.group_name]

    rows = wait_for(counted, timeout)
    if not rows:
        out("  FAILED: reports did not count the notice")
        return False
    out(f"  reports         {rows[0].group_name}: {rows[0].notice_count} notice(s)")
    for client in (notice, search, reports):
        client.close()
    return True
