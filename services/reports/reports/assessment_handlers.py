"""Use cases of the work-style assessment."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from hubkit.errors import AlreadyExists, FailedPrecondition, NotFound
from reports.domain import assessment
from reports.domain.assessment import AssessmentPeriod, Rater, Rating
from reports.domain.assessment_report import assessment_report
from reports.domain.document import ReportDocument
from reports.domain.periods import previous_period
from reports.domain.ranking import Ranking, compute_ranking
from reports.ports import AssessmentUnitOfWork

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _period(uow: AssessmentUnitOfWork, period_id: str) -> AssessmentPeriod:
    period = uow.assessments.get_period(assessment.valid_period_id(period_id))
    if period is None:
        raise NotFound(f"no assessment period {period_id!r}", field="period_id")
    return period


def create_period(cmd: assessment.CreatePeriod, *, rater: Rater, uow: AssessmentUnitOfWork,
                  clock: Clock = utc_now) -> AssessmentPeriod:
    assessment.require_admin(rater, "create assessment periods")
    period = assessment.new_period(cmd, created_by=rater.user_id, now=clock())
    with uow:
        if uow.assessments.get_period(period.period_id) is not None:
            raise AlreadyExists(f"{period.period_id} exists already", field="period_id")
        uow.assessments.add_period(period)
        uow.commit()
    return period


def list_periods(*, uow: AssessmentUnitOfWork) -> list[AssessmentPeriod]:
    with uow:
        return uow.assessments.list_periods()


def submit_rating(cmd: assessment.SubmitRating, *, rater: Rater, uow: AssessmentUnitOfWork,
                  clock: Clock = utc_now) -> Rating:
    with uow:
        period = _period(uow, cmd.period_id)
        rating = assessment.accept_rating(cmd, period, rater=rater, now=clock())
        uow.assessments.save_rating(rating)
        uow.commit()
    return rating


def close_period(period_id: str, *, rater: Rater, uow: AssessmentUnitOfWork,
                 clock: Clock = utc_now) -> AssessmentPeriod:
    assessment.require_admin(rater, "close assessment periods")
    with uow:
        period = _period(uow, period_id)
        closed = assessment.close(period, clock())
        if closed is not period:
            uow.assessments.mark_closed(period.period_id, closed.closed_at)
            uow.commit()
    return closed


def _ranking(uow: AssessmentUnitOfWork, period: AssessmentPeriod) -> Ranking:
    earlier = uow.assessments.get_period(previous_period(period.period_id))
    previous = (earlier, uow.assessments.rating_stats(earlier.period_id)) if earlier else None
    return compute_ranking(period, uow.assessments.rating_stats(period.period_id), previous)


def ranking(period_id: str, *, rater: Rater, uow: AssessmentUnitOfWork):
    """(period, ranking, feedback): the figures of every department, and the
    comments the caller may read: all for leaders and administrators, else
    only about the caller's own departments. Never who rated."""
    with uow:
        period = _period(uow, period_id)
        result = _ranking(uow, period)
        readable = period.departments if assessment.may_see_all_comments(rater) else tuple(
            d for d in period.departments if d in rater.departments)
        feedback = uow.assessments.feedback(period.period_id, readable) if readable else []
    return period, result, feedback


def quarterly_report(period_id: str, *, uow: AssessmentUnitOfWork, clock: Clock = utc_now) -> ReportDocument:
    """The "assessment.quarterly" report of a period, with every department's
    comments (for leaders; rater identities are never part of it)."""
    with uow:
        period = _period(uow, period_id)
        feedback = uow.assessments.feedback(period.period_id, period.departments)
        return assessment_report(period, _ranking(uow, period), feedback, generated_at=clock())


def published_quarterly_report(uow: AssessmentUnitOfWork, period_id: str, now: datetime) -> ReportDocument:
    """The report stored for everyone (inside the caller's unit of work): only
    once the period has closed, and without the comments, which only leaders
    and each department for itself may read (``ranking``)."""
    period = _period(uow, period_id)
    if not period.is_closed(now):
        raise FailedPrecondition(f"{period.period_id} is still open until {period.closes_at.isoformat()}; "
                                 "its report is generated once it has closed", field="period")
    return assessment_report(period, _ranking(uow, period), None, generated_at=now)
