"""The ``hub group`` and ``hub notice`` commands against a real notice API server."""

import pytest

from hubkit.cli import main
from hubkit.api_process import api_server
from hubkit.wiring import migrate_service


@pytest.fixture
def hub(hub_config, db_url, jwt_secret, monkeypatch, capsys):
    config = hub_config(NOTICE_DATABASE_URL=db_url)
    migrate_service(config, "notice")
    server = api_server(config, "notice", address="127.0.0.1:0").start()
    for name, value in {**config.as_environ(), "NOTICE_GRPC_ADDR": server.address}.items():
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> str:
        assert main(list(argv)) == 0, capsys.readouterr().out
        return capsys.readouterr().out
    yield run
    server.stop(0)


def test_a_group_is_built_and_a_notice_published_read_and_acknowledged_from_the_command_line(hub, tmp_path):
    group_id = hub("group", "create", "--user", "u-pan", "--dept", "供电段", "接触网工区", "供电段").strip()
    assert "added 1" in hub("group", "add", "--user", "u-pan", group_id, "u-lei:供电段", "--role", "admin")
    roster = tmp_path / "hr.csv"
    roster.write_text("# 人事系统导出\ne1001,供电段\ne1002,供电段检修车间\n", encoding="utf-8")
    assert hub("group", "sync", "--user", "u-pan", group_id, "--file", str(roster)).strip() == \
        "added 2, updated 0, removed 0, unchanged 0"
    published = hub("notice", "publish", "--user", "u-lei", "--group", group_id, "--title", "接触网停电检修计划",
                    "--body", "周日零点至四点停电。", "--deadline", "2099-01-01T00:00:00", "--priority", "urgent")
    assert published.startswith("published ") and published.rstrip().endswith("to 3 recipient(s)")
    notice_id = published.split()[1]
    assert "接触网停电检修计划" in hub("notice", "inbox", "--user", "e1001")
    assert "acknowledged at" in hub("notice", "ack", "--user", "e1001", notice_id, "--comment", "已知悉")
    assert "already acknowledged" in hub("notice", "ack", "--user", "e1001", notice_id)
    stats = hub("notice", "stats", "--user", "u-pan", notice_id)
    assert "recipients 3  read 1  acknowledged 1" in stats and "供电段检修车间: e1002" in stats
    assert "acknowledged" in hub("notice", "audit", "--user", "u-pan", "notice", notice_id)
    assert main(["notice", "ack", "--user", "u-stranger", notice_id]) == 1  # refused, not a traceback


def test_members_and_join_requests_are_listed_in_full_across_pages(hub, tmp_path):
    group_id = hub("group", "create", "--user", "u-song", "--dept", "机务段", "机务段全体职工", "机务段").strip()
    roster = tmp_path / "hr.csv"
    roster.write_text("".join(f"j{n:05d},机务段{'检修' if n % 2 else '运用'}车间\n" for n in range(1100)),
                      encoding="utf-8")
    assert hub("group", "sync", "--user", "u-song", group_id, "--file", str(roster)).startswith("added 1100,")
    listed = [line.split() for line in hub("group", "members", "--user", "j00001", group_id).splitlines()]
    assert [row[0] for row in listed] == [f"j{n:05d}" for n in range(1100)] + ["u-song"]  # more than one page
    assert listed[0] == ["j00000", "member", "机务段运用车间", "(synced)"] and listed[-1][:2] == ["u-song", "owner"]
    repair = hub("group", "members", "--user", "u-song", group_id, "--department", "机务段检修车间").splitlines()
    assert len(repair) == 550 and all("机务段检修车间" in line for line in repair)
    assert hub("group", "members", "--user", "u-song", group_id, "--role", "owner").split()[:2] == ["u-song", "owner"]

    invited = hub("group", "invite", "--user", "u-song", group_id, "u-wu", "--department", "机务段调度室").strip()
    asked = hub("group", "join", "--user", "u-lin", "--dept", "机务段整备车间", group_id).strip()
    assert "REJECTED" in hub("group", "decide", "--user", "u-song", asked, "reject")
    everything = hub("group", "requests", "--user", "u-song", group_id).splitlines()
    assert [line.split()[0] for line in everything] == [invited, asked]
    assert everything[0].split()[2:5] == ["invitation", "pending", "u-wu"]
    assert everything[1].split()[2:5] == ["request", "rejected", "u-lin"]
    assert [line.split()[0] for line in hub("group", "requests", "--user", "u-song", group_id, "--pending")
            .splitlines()] == [invited]
    assert main(["group", "requests", "--user", "j00001", group_id]) == 1  # members do not see requests
