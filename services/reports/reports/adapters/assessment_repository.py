"""SQL storage of assessment periods and ratings."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from reports.adapters.tables import assessment_departments, assessment_periods, assessment_ratings
from reports.domain.assessment import (AssessmentPeriod, Criterion, ExpectedRaters, Feedback, Rating, Source,
                                       Weights, feedback_of)
from reports.domain.ranking import ScoreStats, SourceStats
from reports.ports import AssessmentRepository


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


class SqlAssessmentRepository(AssessmentRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def add_period(self, period: AssessmentPeriod) -> None:
        self.connection.execute(assessment_periods.insert().values(
            period_id=period.period_id, title=period.title,
            **{f"weight_{s.value}": period.weights.of(s) for s in Source},
            **{f"expected_{s.value}": period.expected.of(s) for s in Source},
            closes_at=period.closes_at, closed_at=period.closed_at, created_by=period.created_by))
        self.connection.execute(assessment_departments.insert(), [
            {"period_id": period.period_id, "position": i, "department": d} for i, d in enumerate(period.departments)])

    def _periods(self, where) -> list[AssessmentPeriod]:
        rows = self.connection.execute(
            sa.select(assessment_periods).where(where).order_by(assessment_periods.c.period_id.desc())).all()
        departments: dict[str, list[str]] = {r.period_id: [] for r in rows}
        if rows:
            for period_id, department in self.connection.execute(
                    sa.select(assessment_departments.c.period_id, assessment_departments.c.department)
                    .where(assessment_departments.c.period_id.in_(list(departments)))
                    .order_by(assessment_departments.c.period_id, assessment_departments.c.position)):
                departments[period_id].append(department)
        return [AssessmentPeriod(
            period_id=r.period_id, title=r.title, departments=tuple(departments[r.period_id]),
            weights=Weights(r.weight_grassroots, r.weight_peer, r.weight_leader),
            expected=ExpectedRaters(r.expected_grassroots, r.expected_peer, r.expected_leader),
            closes_at=utc(r.closes_at), created_by=r.created_by, closed_at=utc(r.closed_at)) for r in rows]

    def get_period(self, period_id: str) -> AssessmentPeriod | None:
        found = self._periods(assessment_periods.c.period_id == period_id)
        return found[0] if found else None

    def list_periods(self) -> list[AssessmentPeriod]:
        return self._periods(sa.true())

    def mark_closed(self, period_id: str, closed_at: datetime) -> None:
        self.connection.execute(assessment_periods.update().where(
            assessment_periods.c.period_id == period_id).values(closed_at=closed_at))

    def save_rating(self, rating: Rating) -> None:
        r = assessment_ratings.c
        self.connection.execute(assessment_ratings.delete().where(
            r.period_id == rating.period_id, r.target_department == rating.target_department,
            r.rater_id == rating.rater_id))
        self.connection.execute(assessment_ratings.insert().values(
            period_id=rating.period_id, target_department=rating.target_department, rater_id=rating.rater_id,
            rater_department=rating.rater_department, source=rating.source.value,
            **{c.value: rating.scores.of(c) for c in Criterion},
            comment=rating.comment, suggestion=rating.suggestion, submitted_at=rating.submitted_at))

    def rating_stats(self, period_id: str) -> dict[tuple[str, Source], SourceStats]:
        # The database aggregates: one row per (department, source) instead of every rating.
        r = assessment_ratings.c
        scores = {"overall": r.efficiency + r.quality + r.service} | {c.value: r[c.value] for c in Criterion}
        columns = [r.target_department, r.source, sa.func.count()]
        for expression in scores.values():
            columns += [sa.func.sum(expression), sa.func.max(expression), sa.func.min(expression)]
        query = sa.select(*columns).where(r.period_id == period_id).group_by(r.target_department, r.source)
        stats = {}
        for row in self.connection.execute(query):
            department, source, count = row[0], Source(row[1]), row[2]
            by_score = {name: ScoreStats(count, float(row[3 + 3 * i]), float(row[4 + 3 * i]), float(row[5 + 3 * i]))
                        for i, name in enumerate(scores)}
            stats[department, source] = SourceStats(by_score["overall"], {c: by_score[c.value] for c in Criterion})
        return stats

    def feedback(self, period_id: str, departments: tuple[str, ...]) -> list[Feedback]:
        r = assessment_ratings.c
        # Only what was written, never who wrote it: rater columns are not even read.
        rows = self.connection.execute(
            sa.select(r.target_department, r.comment, r.suggestion)
            .where(r.period_id == period_id, r.target_department.in_(departments),
                   sa.or_(r.comment != "", r.suggestion != ""))).all()
        texts: dict[str, list[tuple[str, str]]] = {d: [] for d in departments}
        for department, comment, suggestion in rows:
            texts[department].append((comment, suggestion))
        return [feedback_of(d, texts[d]) for d in departments if texts[d]]
