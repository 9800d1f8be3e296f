"""Assessment and energy use cases on real SQLite and PostgreSQL databases."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hubkit.db import make_engine, migrate
from hubkit.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from hubkit.wiring import dispose_engines, migrations_dir
from reports import assessment_handlers, energy_handlers
from reports.adapters.repository import SqlReportsUnitOfWork
from reports.domain.assessment import CreatePeriod, Rater, Scores, Source, SubmitRating
from reports.domain.energy import Carrier, QuantityInput
from reports.domain.ranking import compute_ranking, stats_of

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)
DEPARTMENTS = ("安全环保部", "设备管理部", "生产技术部", "人力资源部")
ADMIN = Rater("u-kao", ("组织部",), ("assessment-admin",))
ENERGY = dict(user_id="u-neng", roles=("energy-manager",))


@pytest.fixture
def uow(db_url):
    engine = make_engine(db_url)
    migrate(engine, migrations_dir("reports"))
    yield lambda **kw: SqlReportsUnitOfWork(engine, **kw)
    engine.dispose()
    dispose_engines(db_url)


def create(uow, period_id="2026Q2", closes_in=timedelta(days=20), **changes):
    cmd = CreatePeriod(period_id, DEPARTMENTS, NOW + closes_in, **changes)
    return assessment_handlers.create_period(cmd, rater=ADMIN, uow=uow(), clock=lambda: NOW)


def submit(uow, rater, target, score, period_id="2026Q2", at=NOW, **texts):
    cmd = SubmitRating(period_id, target, Scores(score, score, score), **texts)
    return assessment_handlers.submit_rating(cmd, rater=rater, uow=uow(), clock=lambda: at)


def test_periods_are_stored_listed_and_unique(uow):
    made = create(uow)
    create(uow, "2026Q1")
    assert [p.period_id for p in assessment_handlers.list_periods(uow=uow(read_only=True))] == ["2026Q2", "2026Q1"]
    stored = assessment_handlers.list_periods(uow=uow())[0]
    assert stored == made and stored.closes_at.tzinfo is not None
    with pytest.raises(AlreadyExists):
        create(uow)
    with pytest.raises(PermissionDenied):
        assessment_handlers.create_period(CreatePeriod("2026Q3", DEPARTMENTS, NOW + timedelta(days=1)),
                                          rater=Rater("u-wang", ("设备管理部",)), uow=uow(), clock=lambda: NOW)


def test_a_resubmission_replaces_the_earlier_rating(uow):
    create(uow)
    peer = Rater("u-qian", ("生产技术部",))
    submit(uow, peer, "安全环保部", 60, comment="初评")
    submit(uow, peer, "安全环保部", 90, comment="复评后认可")
    with uow() as u:
        stats = u.assessments.rating_stats("2026Q2")
    assert stats["安全环保部", Source.PEER].count == 1
    assert stats["安全环保部", Source.PEER].score() == 90
    _, _, feedback = assessment_handlers.ranking("2026Q2", rater=ADMIN, uow=uow())
    assert [(f.department, f.comments) for f in feedback] == [("安全环保部", ("复评后认可",))]


def test_refused_ratings_store_nothing(uow):
    create(uow)
    refusals = [
        (Rater("u-qian", ("安全环保部",)), "安全环保部", 80, "2026Q2", PermissionDenied, "target_department"),
        (Rater("u-qian", ("生产技术部",)), "运输部", 80, "2026Q2", NotFound, "target_department"),
        (Rater("u-qian", ("生产技术部",)), "安全环保部", 101, "2026Q2", InvalidArgument, "scores.efficiency"),
        (Rater("u-qian", ("生产技术部",)), "安全环保部", 80, "2026Q4", NotFound, "period_id"),
    ]
    for rater, target, score, period_id, error, field in refusals:
        with pytest.raises(error) as raised:
            submit(uow, rater, target, score, period_id)
        assert raised.value.field == field
    with uow() as u:
        assert u.assessments.rating_stats("2026Q2") == {}


def test_ratings_are_locked_after_close_or_the_deadline(uow):
    create(uow, closes_in=timedelta(days=1))
    leader = Rater("u-li", roles=("leader",))
    with pytest.raises(FailedPrecondition):
        submit(uow, leader, "设备管理部", 80, at=NOW + timedelta(days=1))
    submit(uow, leader, "设备管理部", 80, at=NOW + timedelta(hours=1))
    closed = assessment_handlers.close_period("2026Q2", rater=ADMIN, uow=uow(), clock=lambda: NOW + timedelta(hours=2))
    assert closed.closed_at == NOW + timedelta(hours=2)
    assert assessment_handlers.list_periods(uow=uow())[0].closed_at == NOW + timedelta(hours=2)
    with pytest.raises(FailedPrecondition) as raised:
        submit(uow, leader, "设备管理部", 95, at=NOW + timedelta(hours=3))
    assert raised.value.field == "period_id"
    with uow() as u:
        assert u.assessments.rating_stats("2026Q2")["设备管理部", Source.LEADER].score() == 80


def test_the_database_aggregation_gives_the_in_memory_figures(uow):
    create(uow, "2026Q1")
    create(uow)
    raters = ([Rater(f"u-unit-{i}", (f"基层单位{i}",), ("grassroots",)) for i in range(6)]
              + [Rater("u-peer-1", ("设备管理部",)), Rater("u-peer-2", ("生产技术部",))]
              + [Rater("u-leader", roles=("leader",))])
    submitted = []
    for n, rater in enumerate(raters):
        for m, target in enumerate(DEPARTMENTS[:3]):
            if target not in rater.departments:
                cmd = SubmitRating("2026Q2", target, Scores(50 + (7 * n + 3 * m) % 50, 60 + n, 95 - 2 * n),
                                   comment=f"第{n}条意见")
                submitted.append(assessment_handlers.submit_rating(cmd, rater=rater, uow=uow(), clock=lambda: NOW))
    submitted_q1 = [submit(uow, raters[0], "安全环保部", 70, "2026Q1"), submit(uow, raters[1], "设备管理部", 75, "2026Q1")]
    with uow() as u:
        periods = {p.period_id: p for p in u.assessments.list_periods()}
        stored = u.assessments.rating_stats("2026Q2")
    assert stored == stats_of(submitted)
    _, ranking, feedback = assessment_handlers.ranking("2026Q2", rater=ADMIN, uow=uow())
    assert ranking == compute_ranking(periods["2026Q2"], stats_of(submitted), (periods["2026Q1"], stats_of(submitted_q1)))
    assert [r.rank for r in ranking.rows][-1] is None  # 人力资源部 was not rated
    assert len(feedback) == 3 and sum(len(f.comments) for f in feedback) == len(submitted)


def test_a_rated_departments_view_has_its_own_comments_and_no_rater(uow):
    create(uow)
    submit(uow, Rater("u-peer-zhang", ("生产技术部",)), "设备管理部", 70, comment="报修响应偏慢", suggestion="设夜班电话")
    submit(uow, Rater("u-peer-wang", ("人力资源部",)), "安全环保部", 80, comment="培训到位")
    member = Rater("u-sheb", ("设备管理部",))
    period, ranking, feedback = assessment_handlers.ranking("2026Q2", rater=member, uow=uow(read_only=True))
    assert [(f.department, f.comments, f.suggestions) for f in feedback] == [
        ("设备管理部", ("报修响应偏慢",), ("设夜班电话",))]
    seen = repr((ranking, feedback))
    # the peer's department is ranked like any other, but never named as the author of feedback
    assert "u-peer" not in seen and "生产技术部" not in repr(feedback) and "人力资源部" not in repr(feedback)
    report = assessment_handlers.quarterly_report("2026Q2", uow=uow(), clock=lambda: NOW)
    assert "u-peer" not in repr(report) and "培训到位" in repr(report)


def reading(unit_id, carrier, value, unit, period="2026-03"):
    return QuantityInput(unit_id, period, carrier, value, unit)


def count(uow, table):
    with uow() as u:
        return u.connection.execute(sa.text(f"select count(*) from {table}")).scalar()


def test_energy_batches_are_all_or_nothing_and_re_ingesting_replaces(uow):
    good = [reading("炼钢厂", "electricity", 1.2, "MWh"), reading("炼钢厂", "water", 300, "t")]
    assert energy_handlers.ingest_readings(good, uow=uow(), **ENERGY) == 2
    with pytest.raises(InvalidArgument) as raised:
        energy_handlers.ingest_readings(good + [reading("炼铁厂", "gas", -1, "m³"), reading("炼铁厂", "coal", 2, "GJ")],
                                        uow=uow(), **ENERGY)
    assert [f for f, _ in raised.value.violations] == ["readings[2].value", "readings[3].unit"]
    assert count(uow, "energy_readings") == 2
    energy_handlers.ingest_readings([reading("炼钢厂", "electricity", 1500, "kWh")], uow=uow(), **ENERGY)
    with uow() as u:
        assert u.energy.readings("2026-03") == {("炼钢厂", Carrier.ELECTRICITY): 1500.0, ("炼钢厂", Carrier.WATER): 300.0}
    with pytest.raises(PermissionDenied):
        energy_handlers.ingest_readings(good, user_id="u-x", roles=(), uow=uow())


def test_energy_figures_hold_use_against_targets_and_the_previous_month(uow):
    energy_handlers.ingest_readings([reading("炼钢厂", "electricity", 1200, "kWh"),
                                     reading("炼钢厂", "electricity", 1.0, "MWh", "2026-02"),
                                     reading("轧钢厂", "heat", 10, "MWh")], uow=uow(), **ENERGY)
    energy_handlers.set_targets([reading("炼钢厂", "electricity", 1000, "kWh"), reading("轧钢厂", "heat", 40, "GJ")],
                                uow=uow(), **ENERGY)
    figures = energy_handlers.energy_figures("2026-03", uow=uow(read_only=True))
    assert figures.previous_period == "2026-02"
    assert [(l.unit_id, l.actual, l.target, l.previous, l.variance_pct) for l in figures.lines] == [
        ("炼钢厂", 1200.0, 1000.0, 1000.0, 20.0), ("轧钢厂", 36.0, 40.0, None, -10.0)]
    report = energy_handlers.energy_report_for("2026-03", uow=uow(), top_n=3, clock=lambda: NOW)
    assert report.kind == "energy" and report.sections[-2].tables[0].rows[0][1] == "炼钢厂"
    with pytest.raises(InvalidArgument) as raised:
        energy_handlers.energy_figures("三月", uow=uow())
    assert raised.value.field == "period"
