"""`hub finding …` and `hub incident …` against a real API server."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hub.notice.v1 import notice_service_pb2 as notice_api
from hubkit import cli
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect
from hubkit.api_process import api_server
from hubkit.wiring import migrate_service
from notice.cli_findings import parse_moment


@pytest.fixture
def hub(hub_config, db_url, jwt_secret, monkeypatch):
    config = hub_config(NOTICE_DATABASE_URL=db_url)
    migrate_service(config, "notice")
    server = api_server(config, "notice", address="127.0.0.1:0").start()
    for name, value in config.as_environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NOTICE_GRPC_ADDR", server.address)
    yield server
    server.stop(0)


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_finding_from_open_to_verified_and_the_weekly_review(hub, capsys):
    due = (datetime.now(timezone.utc) + timedelta(days=5)).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    code, out, err = run(capsys, "finding", "open", "--user", "u-qian", "--area", "一号转炉平台",
                         "--description", "护栏松动。", "--severity", "medium", "--unit", "炼钢厂", "--person", "u-ma",
                         "--due", due, "--photo", "doc-4")
    assert code == 0, err
    finding_id, status, severity = out.split()[:3]
    assert (status, severity) == ("open", "medium") and f"due {due} 23:59" in out

    code, _, err = run(capsys, "finding", "verify", finding_id, "--user", "u-qian")
    assert code == 1 and "FAILED_PRECONDITION" in err and "is open" in err
    code, _, err = run(capsys, "finding", "start", finding_id, "--user", "u-li")
    assert code == 1 and "PERMISSION_DENIED" in err
    assert run(capsys, "finding", "start", finding_id, "--user", "u-li", "--dept", "炼钢厂")[0] == 0
    code, out, _ = run(capsys, "finding", "rectify", finding_id, "--user", "u-ma", "--note", "已重新紧固。",
                       "--evidence", "doc-5")
    assert code == 0 and " rectified " in out
    code, out, _ = run(capsys, "finding", "verify", finding_id, "--user", "u-qian")
    assert code == 0 and " verified " in out

    code, out, _ = run(capsys, "finding", "list", "--user", "u-ma", "--status", "verified")
    assert code == 0 and out.startswith(finding_id)
    code, out, _ = run(capsys, "finding", "weekly", "--user", "u-ma")
    assert code == 0 and "by area: 一号转炉平台 1" in out and "by severity: medium 1" in out and "overdue: 0" in out


def test_incident_routing_and_report(hub, capsys, jwt_secret):
    notice = connect("notice", hub.address, issue_token(jwt_secret, Caller("u-diao")))
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="供电抢修组", department="能源中心")).group
    notice.close()
    code, _, err = run(capsys, "incident", "route", "停电", group.group_id, "--user", "u-gao")
    assert code == 1 and "PERMISSION_DENIED" in err
    assert run(capsys, "incident", "route", "停电", group.group_id, "--user", "u-diao", "--role", "dispatcher")[0] == 0
    code, out, _ = run(capsys, "incident", "route", "--user", "u-gao")
    assert code == 0 and f"停电  -> {group.group_id}" in out and "other kinds -> refused" in out
    code, out, err = run(capsys, "incident", "report", "--user", "u-gao", "--dept", "烧结厂", "--kind", "停电",
                         "--description", "烧结机主抽风机失电。", "--location", "烧结厂主控楼", "--lat", "39.6", "--lon",
                         "118.2")
    assert code == 0, err
    assert "停电  烧结厂主控楼 (39.60000, 118.20000)  by u-gao" in out and f"group {group.group_id}" in out
    code, out, _ = run(capsys, "incident", "list", "--user", "u-dian", "--group", group.group_id)
    assert code == 0 and len(out.splitlines()) == 1 and "停电" in out
    code, _, err = run(capsys, "incident", "report", "--user", "u-gao", "--kind", "火灾", "--description", "冒烟。",
                       "--location", "料场")
    assert code == 1 and "FAILED_PRECONDITION" in err and "kind" in err


def test_due_dates_are_read_in_the_review_time_zone():
    shanghai = ZoneInfo("Asia/Shanghai")
    assert parse_moment("2026-12-01", shanghai, end_of_day=True) == datetime(2026, 12, 1, 15, 59, 59,
                                                                               tzinfo=timezone.utc)
    assert parse_moment("2026-12-01T08:00", shanghai, end_of_day=True) == datetime(2026, 12, 1, 0, 0,
                                                                                     tzinfo=timezone.utc)
    assert parse_moment("2026-12-01T08:00+00:00", shanghai, end_of_day=False) == datetime(2026, 12, 1, 8, 0,
                                                                                            tzinfo=timezone.utc)
