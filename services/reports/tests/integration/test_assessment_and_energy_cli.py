"""`hub assess …` and `hub energy …` against a reports API server on a real channel."""
from datetime import datetime, timedelta

import pytest

from hubkit.cli import main
from hubkit.api_process import api_server
from hubkit.wiring import migrate_service


@pytest.fixture
def hub(hub_config, tmp_path, jwt_secret, monkeypatch):
    config = hub_config(REPORTS_DATABASE_URL=f"sqlite:///{tmp_path}/reports.db")
    migrate_service(config, "reports")
    server = api_server(config, "reports", address="127.0.0.1:0").start()
    monkeypatch.setenv("HUB_JWT_SECRET", jwt_secret)

    def run(*argv: str) -> int:
        return main([*argv, "--address", server.address])
    yield run
    server.stop(0)


def test_an_assessment_from_the_command_line(hub, capsys):
    closes = (datetime.now() + timedelta(days=3)).isoformat(timespec="minutes")
    admin = ("--user", "u-kao", "--role", "assessment-admin")
    assert hub("assess", "period-create", "2026Q3", "-d", "调度中心", "-d", "物资供应部", "--closes-at", closes,
               "--weights", "50/25/25", "--expect-leader", "1", *admin) == 0
    assert "created 2026Q3 2026Q3 作风考核: 2 departments, weights 50/25/25" in capsys.readouterr().out
    assert hub("assess", "rate", "2026Q3", "物资供应部", "--efficiency", "90", "--quality", "80", "--service", "70",
               "--comment", "到货及时", "--user", "u-li", "--role", "leader") == 0
    assert "rated 物资供应部 in 2026Q3 as leader" in capsys.readouterr().out
    assert hub("assess", "rate", "2026Q3", "物资供应部", "--efficiency", "120", "--quality", "80", "--service", "70",
               "--user", "u-qian", "--dept", "物资供应部") == 1
    assert "scores.efficiency" in capsys.readouterr().err
    assert hub("assess", "close", "2026Q3", *admin) == 0
    assert hub("assess", "ranking", "2026Q3", "--user", "u-li", "--role", "leader") == 0
    out = capsys.readouterr().out
    assert "物资供应部" in out and "80.00" in out and "leader 50.0%" in out
    # The same command under `hub report`.
    assert hub("report", "assess", "ranking", "2026Q3", "--user", "u-li", "--role", "leader") == 0
    again = capsys.readouterr().out
    assert again.strip() and out.endswith(again)


def test_energy_from_a_csv_file(hub, tmp_path, capsys):
    manager = ("--user", "u-neng", "--role", "energy-manager")
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_id,period,carrier,value,unit\n炼钢厂,2026-03,电,1.5,MWh\n炼铁厂,2026-03,水,-4,t\n"
                   "轧钢厂,2026-03,煤,3,GJ\n", encoding="utf-8")
    assert hub("energy", "ingest", str(bad), *manager) == 1
    err = capsys.readouterr().err
    assert "readings[1].value (line 3)" in err and "readings[2].unit (line 4)" in err
    good = tmp_path / "good.csv"
    good.write_text("unit_id,period,carrier,value,unit\n炼钢厂,2026-03,electricity,1.5,MWh\n"
                    "炼钢厂,2026-02,electricity,1000,kWh\n", encoding="utf-8")
    assert hub("energy", "ingest", str(good), *manager) == 0
    assert "stored 2 reading(s)" in capsys.readouterr().out
    assert hub("energy", "target", "炼钢厂", "2026-03", "电", "1200", "kWh", *manager) == 0
    assert hub("energy", "report", "2026-03") == 0
    out = capsys.readouterr().out
    assert "炼钢厂" in out and "1,500.00" in out and "+25.0%" in out and "+50.0%" in out and "top overruns: 炼钢厂 electricity +25.0%" in out
    assert hub("report", "energy", "report", "2026-03") == 0
    again = capsys.readouterr().out
    assert again.strip() and out.endswith(again)
