"""The real processes (3 APIs, 3 nameko workers, the relay) end to end.

One hub per module on a fresh vhost, temporary SQLite files and index, free
ports. Covers the demo flow, a broker outage, malformed and poison messages
going to the dead-letter queue, and their replay.
"""
import json
import os
import subprocess
import sys
import time

import pika
import pytest

from hub.notice.v1 import notice_service_pb2 as notice_api
from hub.search.v1 import search_service_pb2 as search_api
from hubkit import dead_letters
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect
from hubkit.demo import run_demo, wait_for
from hubkit.launcher import Hub, prepare
from hubkit.relay import backlog
from hubkit.topology import connection_parameters, dead_letter_queue
from hubkit.wiring import engine_for

SECRETARY = Caller(user_id="u-e2e", departments=("机务段",))


@pytest.fixture(scope="module")
def hub(tmp_path_factory, amqp_uri):
    from conftest import free_port
    from hubkit.config import Config
    secret = "e2e-secret-" + os.urandom(16).hex()
    env = dict(os.environ, HUB_DATA_DIR=str(tmp_path_factory.mktemp("hub")), HUB_AMQP_URI=amqp_uri,
               HUB_JWT_SECRET=secret, PYTHONUNBUFFERED="1",
               **{f"{s}_GRPC_ADDR": f"127.0.0.1:{free_port()}" for s in ("NOTICE", "SEARCH", "REPORTS")})
    config = Config(env)
    prepare(config)
    running = Hub(config, env)
    running.start()
    try:
        assert running.wait_ready() == []
        yield config, secret, running
    finally:
        running.stop()
        for child in running.children:
            print(f"--- {child.name} (exit {child.process.returncode})\n{child.log_path.read_text()[-3000:]}")


def notice_client(config, secret):
    return connect("notice", config.grpc_addr("notice"), issue_token(secret, SECRETARY))


def searchable(config, secret, group_id, query, notice_id, timeout=20.0):
    search = connect("search", config.grpc_addr("search"),
                     issue_token(secret, Caller("u-reader", groups=(group_id,))))
    return wait_for(lambda: any(h.item_id == notice_id for h in search.Search(
        search_api.SearchRequest(query=query)).hits), timeout, 0.1)


def test_the_demo_flow_crosses_all_three_services(hub):
    config, secret, _ = hub
    lines = []
    assert run_demo(config, secret, out=lines.append), "\n".join(lines)


def test_the_status_command_sees_every_process(hub):
    config, _, _ = hub
    result = subprocess.run([sys.executable, "-m", "hubkit.cli", "status"], env=dict(os.environ, **config.as_environ()),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SERVING") == 3 and result.stdout.count("consuming") == 3


def test_a_finding_reaches_the_weekly_report_which_search_then_finds(hub):
    """notice -> reports (finding events) -> report.generated -> search."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from google.protobuf.timestamp_pb2 import Timestamp

    from hub.notice.v1 import finding_service_pb2 as finding_api, notice_pb2
    from hub.reports.v1 import reports_pb2, reports_service_pb2 as reports_api
    config, secret, _ = hub
    inspector = issue_token(secret, Caller("u-inspector", departments=("安全环保部",)))
    findings = connect("finding", config.grpc_addr("notice"), inspector)
    due = Timestamp()
    due.FromDatetime(datetime.now(timezone.utc) + timedelta(days=3))
    finding = findings.OpenFinding(finding_api.OpenFindingRequest(
        area="二号高炉出铁场", description="铁口平台防护栏松动", severity=notice_pb2.FINDING_SEVERITY_HIGH,
        responsible_unit="炼铁厂", responsible_person="u-foreman", due_at=due)).finding

    week = datetime.now(ZoneInfo("Asia/Shanghai")).isocalendar()
    period = f"{week.year}-W{week.week:02d}"
    reports = connect("reports", config.grpc_addr("reports"), inspector)

    def report_with_the_finding():
        # The reports worker counts the finding once its event arrives; until
        # then each regeneration still lacks it.
        report = reports.GenerateReport(reports_api.GenerateReportRequest(
            kind="inspection.weekly", period=period, regenerate=True)).report
        chunks = reports.DownloadReport(reports_api.DownloadReportRequest(
            report_id=report.report_id, format=reports_pb2.REPORT_FORMAT_JSON))
        return report if "二号高炉出铁场" in b"".join(c.data for c in chunks).decode("utf-8") else None

    report = wait_for(report_with_the_finding, 20.0, 0.2)
    assert report, f"the weekly report never counted finding {finding.finding_id}"
    search = connect("search", config.grpc_addr("search"), issue_token(secret, Caller("u-reader")))
    assert wait_for(lambda: any(h.item_id == report.report_id for h in search.Search(
        search_api.SearchRequest(query="二号高炉 出铁场")).hits), 20.0, 0.2)


def test_an_acknowledgement_reaches_the_acknowledgement_report(hub):
    """notice (group, receipts, ack over gRPC) -> reports (receipt events) -> report."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from google.protobuf.timestamp_pb2 import Timestamp

    from hub.notice.v1 import group_service_pb2 as group_api
    from hub.reports.v1 import reports_pb2, reports_service_pb2 as reports_api
    config, secret, _ = hub
    chief = issue_token(secret, SECRETARY)
    notice = connect("notice", config.grpc_addr("notice"), chief)
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="三号机车检修组", department="机务段")).group
    connect("group", config.grpc_addr("notice"), chief).AddMembers(group_api.AddMembersRequest(
        group_id=group.group_id, members=[group_api.MemberInput(user_id="u-driver1", department="运用车间"),
                                          group_api.MemberInput(user_id="u-driver2", department="运用车间")]))
    deadline = Timestamp()
    deadline.FromDatetime(datetime.now(timezone.utc) + timedelta(days=1))
    published = notice.PublishNotice(notice_api.PublishNoticeRequest(
        group_ids=[group.group_id], title="防寒過冬檢查確認", body="請閱後確認。", requires_ack=True,
        ack_deadline=deadline)).notice
    connect("notice", config.grpc_addr("notice"), issue_token(secret, Caller("u-driver1"))).AcknowledgeNotice(
        notice_api.AcknowledgeNoticeRequest(notice_id=published.notice_id, comment="已确认"))

    week = datetime.now(ZoneInfo("Asia/Shanghai")).isocalendar()
    reports = connect("reports", config.grpc_addr("reports"), chief)

    def by_group():
        report = reports.GenerateReport(reports_api.GenerateReportRequest(
            kind="acknowledgement", period=f"{week.year}-W{week.week:02d}", regenerate=True)).report
        chunks = reports.DownloadReport(reports_api.DownloadReportRequest(
            report_id=report.report_id, format=reports_pb2.REPORT_FORMAT_JSON))
        tables = {t["title"]: t["rows"] for section in json.loads(b"".join(c.data for c in chunks))["sections"]
                  for t in section["tables"]}
        rows = [row for row in tables.get("按群组", []) if row[0] == "三号机车检修组"]
        return rows if rows and rows[0][3] == 1 else None  # acknowledged once, by u-driver1

    rows = wait_for(by_group, 20.0, 0.2)
    assert rows, "the acknowledgement never reached the report"
    assert rows[0][1:4] == [1, 2, 1]  # one notice asking for acknowledgement, two recipients, one acknowledged


@pytest.mark.broker_outage
def test_notices_published_while_the_broker_is_down_are_delivered_when_it_returns(hub):
    config, secret, _ = hub
    notice = notice_client(config, secret)
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="检修一班", department="机务段")).group
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, timeout=120)
    try:
        published = notice.PublishNotice(notice_api.PublishNoticeRequest(
            group_ids=[group.group_id], title="機車防寒過冬檢查", body="斷電期間發佈的通知也不能丟失。")).notice
        time.sleep(1.0)
        count, _ = backlog(engine_for(config, "notice"))
        assert count >= 1  # waiting in the outbox
    finally:
        subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, timeout=120)
    assert searchable(config, secret, group.group_id, "防寒过冬", published.notice_id, timeout=60.0)


def publish_raw(amqp_uri, body: bytes, content_type="application/json", routing_key="notice.published"):
    connection = pika.BlockingConnection(connection_parameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish("notice.events", routing_key, body, mandatory=True,
                              properties=pika.BasicProperties(content_type=content_type, delivery_mode=2))
    finally:
        connection.close()


def dead_letter_count(amqp_uri, service):
    connection = pika.BlockingConnection(connection_parameters(amqp_uri))
    try:
        return connection.channel().queue_declare(dead_letter_queue(service), passive=True).method.message_count
    finally:
        connection.close()


def test_malformed_messages_are_dead_lettered_and_the_worker_carries_on(hub):
    config, secret, running = hub
    amqp_uri = config.amqp_uri
    before = dead_letter_count(amqp_uri, "search")
    publish_raw(amqp_uri, b"{not json")
    publish_raw(amqp_uri, b"\x00\x01binary", content_type="application/x-unknown")
    publish_raw(amqp_uri, json.dumps({"eventId": "e1", "eventType": "notice.published", "schemaVersion": 7}).encode())
    # Every consumer of notice.published (search and reports) dead-letters all three.
    assert wait_for(lambda: dead_letter_count(amqp_uri, "search") - before >= 3, 20.0, 0.1)
    letters = dead_letters.peek(amqp_uri, "search", limit=50)
    errors = " | ".join(letter["error"] for letter in letters)
    assert "cannot decode body" in errors and "schema version 7" in errors
    assert all(letter["consumer_queue"] == "evt-notice-notice.published--search.on_notice_published"
               for letter in letters)
    # The workers are alive and still index a good notice.
    assert not running.dead()
    notice = notice_client(config, secret)
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="检修二班", department="机务段")).group
    published = notice.PublishNotice(notice_api.PublishNoticeRequest(
        group_ids=[group.group_id], title="轮对探伤作业提醒", body="探伤记录当班上传。")).notice
    assert searchable(config, secret, group.group_id, "轮对探伤", published.notice_id)


def test_dead_letters_can_be_replayed_to_the_consumer_that_failed(hub):
    config, _, _ = hub
    amqp_uri = config.amqp_uri
    wait_for(lambda: dead_letter_count(amqp_uri, "search") > 0, 10.0, 0.1)
    queued = dead_letter_count(amqp_uri, "search")
    assert queued > 0
    replayed = dead_letters.replay(amqp_uri, "search", limit=queued)
    assert replayed == queued
    # Still malformed, so they come back to the dead-letter queue, not lost.
    assert wait_for(lambda: dead_letter_count(amqp_uri, "search") == queued, 20.0, 0.1)
