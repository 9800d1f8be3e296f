"""Rules of the work-style assessment: periods, who rates as what, what is refused."""
from datetime import datetime, timedelta, timezone

import pytest

from hubkit.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from reports.domain.assessment import (AssessmentPeriod, CreatePeriod, ExpectedRaters, Rater, Scores, Source,
                                       SubmitRating, Weights, accept_rating, close, feedback_of, new_period,
                                       require_admin, source_of)
from reports.domain.periods import previous_period

NOW = datetime(2026, 6, 20, 8, 0, tzinfo=timezone.utc)
DEPARTMENTS = ("安全环保部", "设备管理部", "生产技术部")
ADMIN = Rater("u-kao", ("组织部",), ("assessment-admin",))


def period(**changes) -> AssessmentPeriod:
    cmd = CreatePeriod("2026Q2", DEPARTMENTS, NOW + timedelta(days=10), **changes)
    return new_period(cmd, created_by="u-kao", now=NOW)


def rate(target="设备管理部", efficiency=80, quality=85, service=90, **changes) -> SubmitRating:
    return SubmitRating("2026Q2", target, Scores(efficiency, quality, service), **changes)


def test_a_new_period_defaults_to_40_30_30_and_a_title():
    made = period()
    assert made.weights == Weights(40, 30, 30)
    assert made.title == "2026Q2 作风考核"
    assert made.departments == DEPARTMENTS
    assert made.expected_raters(Source.PEER) == 2  # every other assessed department
    assert made.expected_raters(Source.LEADER) == 0  # unknown


@pytest.mark.parametrize("changes, field", [
    ({"weights": Weights(50, 30, 30)}, "weights"),
    ({"weights": Weights(110, -5, -5)}, "weights.grassroots"),
    ({"expected": ExpectedRaters(grassroots=-1)}, "expected_raters.grassroots"),
    ({"title": "长" * 201}, "title"),
])
def test_bad_periods_are_refused_naming_the_field(changes, field):
    with pytest.raises(InvalidArgument) as raised:
        period(**changes)
    assert raised.value.field == field


def test_out_of_range_weights_name_every_bad_source():
    with pytest.raises(InvalidArgument) as raised:
        period(weights=Weights(110, -5, -5))
    assert [f for f, _ in raised.value.violations] == ["weights.grassroots", "weights.peer", "weights.leader"]


@pytest.mark.parametrize("period_id, departments, closes_at, field", [
    ("2026-Q2", DEPARTMENTS, NOW + timedelta(days=1), "period_id"),
    ("2026Q5", DEPARTMENTS, NOW + timedelta(days=1), "period_id"),
    ("2026Q2", ("安全环保部",), NOW + timedelta(days=1), "departments"),
    ("2026Q2", ("安全环保部", " "), NOW + timedelta(days=1), "departments[1]"),
    ("2026Q2", ("安全环保部", "设备管理部", "安全环保部"), NOW + timedelta(days=1), "departments[2]"),
    ("2026Q2", DEPARTMENTS, NOW - timedelta(seconds=1), "closes_at"),
    ("2026Q2", DEPARTMENTS, None, "closes_at"),
])
def test_period_inputs_are_checked(period_id, departments, closes_at, field):
    with pytest.raises(InvalidArgument) as raised:
        new_period(CreatePeriod(period_id, departments, closes_at), created_by="u-kao", now=NOW)
    assert raised.value.field == field


def test_only_assessment_admins_create_and_close_periods():
    require_admin(ADMIN, "close")
    require_admin(Rater("relay", roles=("system",)), "close")
    with pytest.raises(PermissionDenied):
        require_admin(Rater("u-wang", ("设备管理部",), ("leader",)), "close")


@pytest.mark.parametrize("rater, source, department", [
    (Rater("u-li", ("党委办公室",), ("leader",)), Source.LEADER, ""),
    (Rater("u-zhao", ("炼铁厂",), ("grassroots",)), Source.GRASSROOTS, "炼铁厂"),
    (Rater("u-qian", ("工会", "生产技术部")), Source.PEER, "生产技术部"),
    (Rater("u-sun", ("炼铁厂",), ("leader", "grassroots")), Source.LEADER, ""),
])
def test_the_token_decides_the_source(rater, source, department):
    assert source_of(rater, period()) == (source, department)


def test_callers_outside_the_assessment_may_not_rate():
    with pytest.raises(PermissionDenied):
        accept_rating(rate(), period(), rater=Rater("u-wu", ("财务部",)), now=NOW)
    with pytest.raises(PermissionDenied):
        accept_rating(rate(), period(), rater=Rater("u-wu", (), ("grassroots",)), now=NOW)


def test_an_accepted_rating_records_rater_source_and_texts():
    rating = accept_rating(rate(comment=" 办事及时 ", suggestion="加强现场服务"), period(),
                           rater=Rater("u-qian", ("生产技术部",)), now=NOW)
    assert (rating.target_department, rating.rater_id, rating.rater_department, rating.source) == (
        "设备管理部", "u-qian", "生产技术部", Source.PEER)
    assert (rating.comment, rating.suggestion, rating.submitted_at) == ("办事及时", "加强现场服务", NOW)


def test_a_department_never_rates_itself_whatever_its_source():
    for rater in (Rater("u-qian", ("设备管理部",)), Rater("u-li", ("设备管理部",), ("leader",)),
                  Rater("u-zhao", ("设备管理部",), ("grassroots",))):
        with pytest.raises(PermissionDenied) as raised:
            accept_rating(rate("设备管理部"), period(), rater=rater, now=NOW)
        assert raised.value.field == "target_department"


def test_scores_outside_0_to_100_are_refused_all_named():
    with pytest.raises(InvalidArgument) as raised:
        accept_rating(rate(efficiency=101, quality=-1, service=100), period(), rater=ADMIN, now=NOW)
    assert [f for f, _ in raised.value.violations] == ["scores.efficiency", "scores.quality"]
    assert accept_rating(rate(efficiency=0, quality=100, service=0), period(),
                         rater=Rater("u-li", roles=("leader",)), now=NOW).scores == Scores(0, 100, 0)


def test_unknown_target_departments_are_not_found():
    with pytest.raises(NotFound) as raised:
        accept_rating(rate("运输部"), period(), rater=Rater("u-li", roles=("leader",)), now=NOW)
    assert raised.value.field == "target_department"


def test_overlong_comments_are_refused():
    with pytest.raises(InvalidArgument) as raised:
        accept_rating(rate(suggestion="改" * 2001), period(), rater=Rater("u-li", roles=("leader",)), now=NOW)
    assert raised.value.field == "suggestion"


def test_ratings_are_locked_at_the_closing_time_and_after_an_early_close():
    leader = Rater("u-li", roles=("leader",))
    open_period = period()
    accept_rating(rate(), open_period, rater=leader, now=open_period.closes_at - timedelta(seconds=1))
    with pytest.raises(FailedPrecondition) as raised:
        accept_rating(rate(), open_period, rater=leader, now=open_period.closes_at)
    assert raised.value.field == "period_id"
    closed = close(open_period, NOW)
    assert closed.closed_at == NOW and closed.is_closed(NOW)
    with pytest.raises(FailedPrecondition):
        accept_rating(rate(), closed, rater=leader, now=NOW + timedelta(seconds=1))


def test_closing_again_keeps_the_first_closing_time_and_late_closing_records_the_deadline():
    first = close(period(), NOW)
    assert close(first, NOW + timedelta(hours=1)) is first
    late = close(period(), NOW + timedelta(days=30))
    assert late.closed_at == late.closes_at


def test_feedback_is_sorted_text_only():
    feedback = feedback_of("设备管理部", [("响应慢", ""), ("", "增加夜班值守"), ("态度好", "简化报修流程")])
    assert feedback.comments == ("响应慢", "态度好")  # by code point, not by submission
    assert feedback.suggestions == ("增加夜班值守", "简化报修流程")


@pytest.mark.parametrize("period_id, previous", [
    ("2026Q3", "2026Q2"), ("2026Q1", "2025Q4"), ("2026-03", "2026-02"), ("2026-01", "2025-12")])
def test_previous_period(period_id, previous):
    assert previous_period(period_id) == previous
