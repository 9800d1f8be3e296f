"""The demo flow: a notice crosses all three services.

Create a work group with two members, publish a notice written in
traditional script that asks for acknowledgement, have one member
acknowledge it and read the notice's statistics; find the notice through
SearchService with a simplified query; read the group's notice count from
ReportsService; upload a short operating rule and find it by a word of its
text. Returns True when every step held.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from hub.notice.v1 import group_service_pb2 as group_api, notice_service_pb2 as notice_api
from hub.reports.v1 import reports_service_pb2 as reports_api
from hub.search.v1 import document_pb2, document_service_pb2 as document_api, search_service_pb2 as search_api
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect, upload_requests
from hubkit.config import Config

DEMO_TITLE = "關於冬季供暖鍋爐房安全檢查的通知"
DEMO_BODY = ("各班組：為確保供暖季安全運行，請於本週五前完成鍋爐房、換熱站的安全檢查，"
             "重點檢查壓力錶、安全閥和排污閥，發現隱患立即上報設備科並落實整改。")
DEMO_QUERY = "锅炉房 安全阀"  # simplified script, while the notice is traditional
DEPARTMENT = "供热公司设备科"
DEMO_RULE = ("# 換熱站巡檢規程\n\n一、每班巡檢兩次，記錄一次網供回水溫度和壓力。\n"
             "二、循環泵軸承溫度超過七十度時立即切換備用泵。\n").encode("utf-8")
DEMO_RULE_QUERY = "循环泵 备用泵"


def wait_for(probe, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def run_demo(config: Config, jwt_secret: str, *, out=print, timeout: float = 15.0) -> bool:
    admin = Caller(user_id="demo-secretary", departments=(DEPARTMENT,), roles=("admin",), display_name="设备科秘书")
    token = issue_token(jwt_secret, admin)
    notice = connect("notice", config.grpc_addr("notice"), token)
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="一号锅炉房班组", department=DEPARTMENT)).group
    groups = connect("group", config.grpc_addr("notice"), token)
    groups.AddMembers(group_api.AddMembersRequest(group_id=group.group_id, members=[
        group_api.MemberInput(user_id="demo-stoker", department="一号锅炉房"),
        group_api.MemberInput(user_id="demo-fitter", department="检修班")]))
    out(f"  created group   {group.name} ({group.group_id}), 2 members added")

    started = time.monotonic()
    deadline = Timestamp()
    deadline.FromDatetime(datetime.now(timezone.utc) + timedelta(days=2))
    published = notice.PublishNotice(notice_api.PublishNoticeRequest(
        group_ids=[group.group_id], title=DEMO_TITLE, body=DEMO_BODY, requires_ack=True,
        ack_deadline=deadline)).notice
    out(f"  published       {published.title} ({published.notice_id})")

    member = Caller(user_id="demo-stoker", departments=(DEPARTMENT,), groups=(group.group_id,))
    member_token = issue_token(jwt_secret, member)
    member_notice = connect("notice", config.grpc_addr("notice"), member_token)
    member_notice.AcknowledgeNotice(
        notice_api.AcknowledgeNoticeRequest(notice_id=published.notice_id, comment="已检查，无隐患"))
    stats = notice.GetNoticeStats(notice_api.GetNoticeStatsRequest(notice_id=published.notice_id))
    waiting = "; ".join(f"{d.department}: {', '.join(d.user_ids)}" for d in stats.not_acknowledged)
    out(f"  receipts        {stats.acknowledged} of {stats.recipients} acknowledged; waiting for {waiting}")

    search = connect("search", config.grpc_addr("search"), member_token)
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

    documents = connect("document", config.grpc_addr("search"), token)
    document = documents.UploadDocument(upload_requests(
        document_api.UploadDocumentRequest, document_pb2.NewDocumentMetadata(
            title="換熱站巡檢規程", department=DEPARTMENT, category="规程", file_name="換熱站巡檢規程.md",
            visibility=document_pb2.Visibility(departments=[DEPARTMENT])), [DEMO_RULE])).document
    found = wait_for(lambda: [h for h in search.Search(search_api.SearchRequest(query=DEMO_RULE_QUERY)).hits
                              if h.item_id == document.document_id], timeout)
    if not found:
        out(f"  FAILED: the uploaded rule was not found by {DEMO_RULE_QUERY!r} within {timeout:.0f}s")
        return False
    out(f"  document        {document.title} uploaded; query {DEMO_RULE_QUERY!r} -> {found[0].title}")
    for client in (notice, groups, member_notice, search, reports, documents):
        client.close()
    return True
