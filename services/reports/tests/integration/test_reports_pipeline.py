"""Read models, report generation, storage, schedule and rebuild on SQLite and PostgreSQL."""
import base64
import json
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest
from nameko.testing.services import worker_factory

from hubkit.auth import Caller
from hubkit.envelope import from_bytes
from hubkit.wiring import engine_for, migrate_service
from reports import bootstrap, handlers
from reports.adapters.event_facts import fact_from_journal
from reports.domain import commands
from reports.service import ReportsWorker

LEADER = Caller(user_id="u-chen", departments=("安全环保部",))
AFTER_WEEK = datetime(2026, 11, 24, 2, tzinfo=timezone.utc)


@pytest.fixture
def hub(hub_config, db_url, history):
    config = hub_config(REPORTS_DATABASE_URL=db_url, REPORTS_CHRONIC_MISSED="1", REPORTS_CHRONIC_WINDOW="1")
    migrate_service(config, "reports")
    worker = worker_factory(ReportsWorker, uow=bootstrap.uow_factory(config), schedule=bootstrap.schedule(config))
    for envelope in history:
        getattr(worker, "on_" + envelope.event_type.replace(".", "_"))(envelope)
    return config


def generate(config, kind, period="2026-W47", *, at=AFTER_WEEK, regenerate=False):
    return handlers.generate_report(commands.GenerateReport(kind, period, regenerate), caller=LEADER,
                                    uow_factory=bootstrap.uow_factory(config), pipeline=bootstrap.pipeline(config),
                                    clock=lambda: at)


def figures(config, report):
    _, content = handlers.download_report(commands.DownloadReport(report.report_id, "json"), caller=LEADER,
                                          uow=bootstrap.uow_factory(config)(read_only=True))
    return {t["title"]: t["rows"] for s in json.loads(content)["sections"] for t in s["tables"]}


def outbox_events(config):
    with engine_for(config, "reports").connect() as connection:
        stored = connection.exec_driver_sql("select envelope from outbox order by id").scalars().all()
    return [from_bytes(envelope) for envelope in stored]


def test_reports_are_built_from_the_events_and_announced_with_their_text(hub):
    ack, created = generate(hub, "acknowledgement")
    assert created and ack.complete and {f.format for f in ack.files} == {"pdf", "xlsx", "json"}
    tables = figures(hub, ack)
    assert tables["按群组"] == [["动力厂锅炉运行班", 1, 2, 1, 50.0, 1.0, 1], ["炼钢厂调度群", 2, 5, 3, 60.0, 1.0, 2]]
    assert tables["按部门"] == [["动力厂", 1, 1, 0, 2, 33.3, 1.0, 2], ["炼钢厂", 2, 1, 1, 0, 100.0, 18.0, 1]]
    assert tables["长期未确认人员"] == [["u-sun", "动力厂", 1, 1], ["u-wang", "炼钢厂", 1, 1]]
    inspection, _ = generate(hub, "inspection.weekly")
    tables = figures(hub, inspection)
    assert tables["按责任单位"] == [["动力厂锅炉房", 1, 0], ["炼钢厂转炉车间", 1, 1]]
    assert tables["逾期问题"] == [["一号转炉平台", "炼钢厂转炉车间", "较大", "平台护栏焊缝开裂", "2026-11-13 18:00", 9]]
    assert tables["各单位整改率"] == [["动力厂锅炉房", 2, 2, 100.0, 24.0], ["炼钢厂转炉车间", 2, 0, 0.0, None]]
    events = outbox_events(hub)
    assert [(e.event_type, e.payload.kind, e.payload.period) for e in events] == [
        ("report.generated", "acknowledgement", "2026-W47"), ("report.generated", "inspection.weekly", "2026-W47")]
    assert "各群组确认情况" in events[0].payload.text and "炼钢厂调度群" in events[0].payload.text
    assert list(events[1].payload.formats) == ["json", "pdf", "xlsx"]


def test_an_existing_report_is_returned_unless_regenerated(hub):
    first, _ = generate(hub, "inspection.weekly")
    again, created = generate(hub, "inspection.weekly", at=AFTER_WEEK + timedelta(hours=1))
    assert not created and again == first
    rebuilt, created = generate(hub, "inspection.weekly", at=AFTER_WEEK + timedelta(hours=2), regenerate=True)
    assert created and rebuilt.report_id == first.report_id and rebuilt.generated_at > first.generated_at
    assert len(outbox_events(hub)) == 2
    with engine_for(hub, "reports").connect() as connection:  # the replaced renderings are not kept
        assert connection.exec_driver_sql("select count(*) from report_contents").scalar() == 3


def test_rebuild_from_the_journal_gives_identical_figures(hub, history):
    before = figures(hub, generate(hub, "acknowledgement")[0]) | figures(hub, generate(hub, "inspection.weekly")[0])
    replayed = handlers.rebuild_read_models(uow=bootstrap.uow_factory(hub)(), decode=fact_from_journal)
    assert replayed == len(history)
    after = (figures(hub, generate(hub, "acknowledgement", regenerate=True)[0])
             | figures(hub, generate(hub, "inspection.weekly", regenerate=True)[0]))
    assert after == before and after["按群组"]


def test_a_report_of_an_unfinished_period_is_completed_by_the_schedule_once(hub):
    midweek = datetime(2026, 11, 19, 4, tzinfo=timezone.utc)
    partial_report, _ = generate(hub, "inspection.weekly", at=midweek)
    assert not partial_report.complete
    schedule = bootstrap.schedule(hub)
    run = partial(handlers.run_schedule, uow_factory=bootstrap.uow_factory(hub), pipeline=schedule.pipeline,
                  delay=schedule.delay)
    too_soon = datetime(2026, 11, 22, 16, 10, tzinfo=timezone.utc)  # 00:10 Monday in Shanghai, within the delay
    assert sorted((r.kind, r.period) for r in run(clock=lambda: too_soon)) == [
        ("acknowledgement", "2026-W46"), ("acknowledgement", "2026Q3"), ("energy", "2026Q3"),
        ("inspection.weekly", "2026-W46")]
    later = datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc)
    done = run(clock=lambda: later)
    assert sorted((r.kind, r.period, r.complete) for r in done) == [
        ("acknowledgement", "2026-W47", True), ("inspection.weekly", "2026-W47", True)]
    assert next(r for r in done if r.kind == "inspection.weekly").report_id == partial_report.report_id
    assert run(clock=lambda: later) == [] and run(clock=lambda: later + timedelta(days=1)) == []


@pytest.mark.parametrize("kind, period, field", [
    ("", "2026-W47", "kind"), ("energy.daily", "2026-W47", "kind"), ("inspection.weekly", "2026Q3", "period"),
    ("inspection.weekly", "2026-W60", "period"), ("inspection.weekly", "2027-W02", "period"),
    ("acknowledgement", "", "period"),
])
def test_bad_requests_name_the_field_and_store_nothing(hub, kind, period, field):
    with pytest.raises(Exception) as raised:
        generate(hub, kind, period)
    assert raised.value.field == field and type(raised.value).__name__ == "InvalidArgument"
    assert outbox_events(hub) == []


def test_listing_pages_newest_first_with_filters(hub):
    for period in ("2026-W44", "2026-W45", "2026-W46", "2026-W47"):
        generate(hub, "acknowledgement", period)
    generate(hub, "acknowledgement", "2026Q3")
    uow = bootstrap.uow_factory(hub)
    pipeline = bootstrap.pipeline(hub)
    listed = partial(handlers.list_reports, caller=LEADER, pipeline=pipeline)
    page, token = listed(commands.ListReports(page_size=2), uow=uow(read_only=True))
    assert [r.period for r in page] == ["2026Q3", "2026-W47"] and token
    page, token = listed(commands.ListReports(page_size=2, page_token=token), uow=uow(read_only=True))
    assert [r.period for r in page] == ["2026-W46", "2026-W45"]
    page, token = listed(commands.ListReports(page_size=2, page_token=token), uow=uow(read_only=True))
    assert [r.period for r in page] == ["2026-W44"] and token == ""
    page, _ = listed(commands.ListReports(kind="acknowledgement", period="2026-W45"), uow=uow(read_only=True))
    assert [r.period for r in page] == ["2026-W45"]
    for query, field in [(commands.ListReports(page_size=500), "page_size"),
                         (commands.ListReports(page_token="!!"), "page_token"),
                         (commands.ListReports(page_token=base64.urlsafe_b64encode(b"r" + b"9" * 30).decode()),
                          "page_token"),  # past 64 bits: refused, not an overflow in the database
                         (commands.ListReports(kind="nonsense"), "kind")]:
        with pytest.raises(Exception) as raised:
            listed(query, uow=uow(read_only=True))
        assert raised.value.field == field


def test_assessment_and_energy_reports_go_through_the_same_pipeline(hub):
    from reports import assessment_handlers, energy_handlers
    from reports.domain.assessment import CreatePeriod, Rater, Scores, SubmitRating
    from reports.domain.energy import QuantityInput
    uow = bootstrap.uow_factory(hub)
    opened = datetime(2026, 7, 1, 1, tzinfo=timezone.utc)
    departments = ("安全环保部", "设备管理部", "生产技术部")
    assessment_handlers.create_period(
        CreatePeriod("2026Q3", departments, opened + timedelta(days=80)),
        rater=Rater("u-kao", ("组织部",), ("assessment-admin",)), uow=uow(), clock=lambda: opened)
    for score, rater in ((90, Rater("u-ld", ("厂部",), ("leader",))),
                         (70, Rater("u-peer", ("生产技术部",), ()))):
        assessment_handlers.submit_rating(SubmitRating("2026Q3", "设备管理部", Scores(score, score, score),
                                                       comment="备件到货通知不及时"),
                                          rater=rater, uow=uow(), clock=lambda: opened)
    energy_handlers.ingest_readings([QuantityInput("炼钢厂", "2026Q3", "electricity", 2.5, "MWh")],
                                    uow=uow(), user_id="u-neng", roles=("energy-manager",))

    after_quarter = datetime(2026, 10, 8, 2, tzinfo=timezone.utc)
    assessment, created = generate(hub, "assessment.quarterly", "2026Q3", at=after_quarter)
    assert created and {f.format for f in assessment.files} == {"pdf", "xlsx", "json"}
    ranked = next(rows for title, rows in figures(hub, assessment).items() if "设备管理部" in json.dumps(rows, ensure_ascii=False))
    assert ranked and "u-ld" not in json.dumps(figures(hub, assessment), ensure_ascii=False)
    # Stored reports are for everyone: no comments in them (leaders read those through the ranking).
    _, content = handlers.download_report(commands.DownloadReport(assessment.report_id, "json"), caller=LEADER,
                                          uow=bootstrap.uow_factory(hub)(read_only=True))
    assert "备件到货通知不及时" not in content.decode("utf-8")
    energy, _ = generate(hub, "energy", "2026Q3", at=after_quarter)
    assert "炼钢厂" in json.dumps(figures(hub, energy), ensure_ascii=False)
    announced = {e.payload.kind for e in outbox_events(hub) if e.event_type == "report.generated"}
    assert {"assessment.quarterly", "energy"} <= announced
    from hubkit.errors import FailedPrecondition, NotFound
    with pytest.raises(NotFound, match="no assessment period"):
        generate(hub, "assessment.quarterly", "2026Q2", at=after_quarter)
    assessment_handlers.create_period(
        CreatePeriod("2026Q4", departments, after_quarter + timedelta(days=90)),
        rater=Rater("u-kao", ("组织部",), ("assessment-admin",)), uow=uow(), clock=lambda: after_quarter)
    with pytest.raises(FailedPrecondition, match="still open"):
        generate(hub, "assessment.quarterly", "2026Q4", at=after_quarter + timedelta(days=1))
