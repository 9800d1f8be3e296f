"""hub.reports.v1.ReportsService over a real channel on port 0."""
import hashlib

import grpc
import pytest
from nameko.testing.services import worker_factory

from hub.reports.v1 import reports_pb2, reports_service_pb2 as api
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect, violated_fields
from hubkit.api_process import api_server
from hubkit.wiring import migrate_service
from reports import bootstrap
from reports.service import ReportsWorker

LEADER = Caller(user_id="u-chen", departments=("安全环保部",))


@pytest.fixture
def reports_api(hub_config, db_url, jwt_secret, history):
    config = hub_config(REPORTS_DATABASE_URL=db_url)
    migrate_service(config, "reports")
    worker = worker_factory(ReportsWorker, uow=bootstrap.uow_factory(config), schedule=bootstrap.schedule(config))
    for envelope in history:
        getattr(worker, "on_" + envelope.event_type.replace(".", "_"))(envelope)
    server = api_server(config, "reports", address="127.0.0.1:0").start()
    client = connect("reports", server.address, issue_token(jwt_secret, LEADER))
    client.config, client.address = config, server.address
    yield client
    client.close()
    server.stop(0)


def download(client, report_id, fmt) -> tuple[list, bytes]:
    replies = list(client.DownloadReport(api.DownloadReportRequest(report_id=report_id, format=fmt)))
    return replies, b"".join(r.data for r in replies)


def test_generate_list_and_stream_every_format_byte_exact(reports_api):
    reply = reports_api.GenerateReport(api.GenerateReportRequest(kind="acknowledgement", period="2026-W47"), timeout=60)
    report = reply.report
    assert reply.created and report.complete and report.title == "通知确认情况报告（2026-W47）"
    assert {f.format for f in report.files} == {reports_pb2.REPORT_FORMAT_PDF, reports_pb2.REPORT_FORMAT_XLSX,
                                                reports_pb2.REPORT_FORMAT_JSON}
    again = reports_api.GenerateReport(api.GenerateReportRequest(kind="acknowledgement", period="2026-W47"))
    assert not again.created and again.report == report
    for file in report.files:
        replies, content = download(reports_api, report.report_id, file.format)
        assert replies[0].file == file and all(not r.HasField("file") for r in replies[1:])
        assert len(content) == file.size_bytes and hashlib.sha256(content).hexdigest() == file.sha256
    replies, pdf = download(reports_api, report.report_id, reports_pb2.REPORT_FORMAT_PDF)
    assert pdf.startswith(b"%PDF") and len(replies) == -(-len(pdf) // (64 * 1024))
    listed = reports_api.ListReports(api.ListReportsRequest(kind="acknowledgement"))
    assert [r.report_id for r in listed.reports] == [report.report_id] and listed.next_page_token == ""


@pytest.mark.parametrize("request_fields, field", [
    ({"kind": "", "period": "2026-W47"}, "kind"),
    ({"kind": "能耗日报", "period": "2026-W47"}, "kind"),
    ({"kind": "inspection.weekly", "period": "2026年第47周"}, "period"),
    ({"kind": "inspection.weekly", "period": "2026Q3"}, "period"),
])
def test_bad_generate_requests_name_the_field(reports_api, request_fields, field):
    with pytest.raises(grpc.RpcError) as raised:
        reports_api.GenerateReport(api.GenerateReportRequest(**request_fields))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(raised.value) == [field]
    assert list(reports_api.ListReports(api.ListReportsRequest()).reports) == []


def test_bad_list_and_download_requests_name_the_field(reports_api):
    report = reports_api.GenerateReport(api.GenerateReportRequest(kind="inspection.weekly", period="2026-W47"),
                                        timeout=60).report
    cases = [
        (lambda: reports_api.ListReports(api.ListReportsRequest(page_size=1000)), "INVALID_ARGUMENT", "page_size"),
        (lambda: reports_api.ListReports(api.ListReportsRequest(page_token="伪造")), "INVALID_ARGUMENT", "page_token"),
        (lambda: reports_api.ListReports(api.ListReportsRequest(period="W47")), "INVALID_ARGUMENT", "period"),
        (lambda: download(reports_api, report.report_id, reports_pb2.REPORT_FORMAT_UNSPECIFIED), "INVALID_ARGUMENT",
         "format"),
        (lambda: download(reports_api, "", reports_pb2.REPORT_FORMAT_PDF), "INVALID_ARGUMENT", "report_id"),
        (lambda: download(reports_api, "r-missing", reports_pb2.REPORT_FORMAT_PDF), "NOT_FOUND", "report_id"),
    ]
    for call, code, field in cases:
        with pytest.raises(grpc.RpcError) as raised:
            call()
        assert raised.value.code().name == code and violated_fields(raised.value) == [field], field


def test_the_report_commands(reports_api, monkeypatch, tmp_path, capsys):
    from hubkit.cli import main
    for name, value in reports_api.config.as_environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REPORTS_GRPC_ADDR", reports_api.address)
    assert main(["report", "generate", "inspection.weekly", "2026-W47"]) == 0
    report_id = capsys.readouterr().out.split()[1]
    assert main(["report", "list", "--kind", "inspection.weekly"]) == 0
    assert report_id in capsys.readouterr().out
    target = tmp_path / "周报.xlsx"
    assert main(["report", "download", report_id, "--format", "xlsx", "-o", str(target)]) == 0
    assert target.read_bytes()[:2] == b"PK"
    assert main(["report", "generate", "inspection.weekly", "2026-W99"]) == 1
    assert "INVALID_ARGUMENT" in capsys.readouterr().err
    assert main(["report", "rebuild"]) == 0
    assert "rebuilt from 21 journalled event(s)" in capsys.readouterr().out
