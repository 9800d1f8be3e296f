"""hub.reports.v1.AssessmentService: proto <-> handler calls; errors map in hubkit."""
from __future__ import annotations

import json

from hub.reports.v1 import assessment_pb2, assessment_service_pb2 as api, assessment_service_pb2_grpc
from hubkit.grpc_server import current_caller
from hubkit.protos import timestamp, to_datetime
from reports import assessment_handlers as handlers
from reports.domain import assessment
from reports.domain.assessment import AssessmentPeriod, Criterion, Feedback, Rater, Source
from reports.domain.ranking import Ranking

_SOURCES = {Source.GRASSROOTS: assessment_pb2.RATING_SOURCE_GRASSROOTS, Source.PEER: assessment_pb2.RATING_SOURCE_PEER,
            Source.LEADER: assessment_pb2.RATING_SOURCE_LEADER}


def _rater() -> Rater:
    caller = current_caller()
    return Rater(caller.user_id, caller.departments, caller.roles)


def period_message(period: AssessmentPeriod, now) -> assessment_pb2.AssessmentPeriod:
    message = assessment_pb2.AssessmentPeriod(
        period_id=period.period_id, title=period.title, departments=list(period.departments),
        weights=assessment_pb2.SourceWeights(**{s.value: period.weights.of(s) for s in Source}),
        expected_raters=assessment_pb2.ExpectedRaters(**{s.value: period.expected.of(s) for s in Source}),
        closes_at=timestamp(period.closes_at), closed=period.is_closed(now))
    if period.closed_at is not None:
        message.closed_at.CopyFrom(timestamp(period.closed_at))
    return message


def ranking_as_dict(ranking: Ranking, feedback: list[Feedback]) -> dict:
    """The JSON answer of GetRanking. Built from the ranking and the feedback
    only, neither of which carries a rater's identity."""
    return {
        "period_id": ranking.period_id,
        "previous_period_id": ranking.previous_period_id,
        "weights": {s.value: ranking.weights.of(s) for s in Source},
        "rows": [{
            "rank": r.rank, "department": r.department, "composite": r.composite,
            "by_source": {s.value: r.by_source[s] for s in Source},
            "counts": {s.value: r.counts[s] for s in Source},
            "by_criterion": {c.value: r.by_criterion[c] for c in Criterion},
            "previous_composite": r.previous_composite, "previous_rank": r.previous_rank,
            "composite_change": r.composite_change, "rank_change": r.rank_change,
        } for r in ranking.rows],
        "response_rates": [{"source": rate.source.value, "received": rate.received, "expected": rate.expected,
                            "rate": rate.rate} for rate in ranking.response_rates],
        "formula": list(ranking.formula),
        "feedback": [{"department": f.department, "comments": list(f.comments), "suggestions": list(f.suggestions)}
                     for f in feedback],
    }


class AssessmentServicer(assessment_service_pb2_grpc.AssessmentServiceServicer):
    def __init__(self, uow_factory, clock=handlers.utc_now):
        self.uow_factory = uow_factory
        self.clock = clock

    def CreatePeriod(self, request, context):
        weights = (assessment.Weights(**{s.value: getattr(request.weights, s.value) for s in Source})
                   if request.HasField("weights") else assessment.Weights())
        cmd = assessment.CreatePeriod(
            period_id=request.period_id, title=request.title, departments=tuple(request.departments),
            closes_at=to_datetime(request, "closes_at"), weights=weights,
            expected=assessment.ExpectedRaters(**{s.value: getattr(request.expected_raters, s.value) for s in Source}))
        period = handlers.create_period(cmd, rater=_rater(), uow=self.uow_factory(), clock=self.clock)
        return api.CreatePeriodResponse(period=period_message(period, self.clock()))

    def ListPeriods(self, request, context):
        now = self.clock()
        periods = handlers.list_periods(uow=self.uow_factory(read_only=True))
        return api.ListPeriodsResponse(periods=[period_message(p, now) for p in periods])

    def SubmitRating(self, request, context):
        scores = assessment.Scores(**{c.value: getattr(request.scores, c.value) for c in Criterion})
        cmd = assessment.SubmitRating(request.period_id, request.target_department, scores, request.comment,
                                      request.suggestion)
        rating = handlers.submit_rating(cmd, rater=_rater(), uow=self.uow_factory(), clock=self.clock)
        return api.SubmitRatingResponse(source=_SOURCES[rating.source], submitted_at=timestamp(rating.submitted_at))

    def ClosePeriod(self, request, context):
        period = handlers.close_period(request.period_id, rater=_rater(), uow=self.uow_factory(), clock=self.clock)
        return api.ClosePeriodResponse(period=period_message(period, self.clock()))

    def GetRanking(self, request, context):
        _, ranking, feedback = handlers.ranking(request.period_id, rater=_rater(),
                                                uow=self.uow_factory(read_only=True))
        return api.GetRankingResponse(ranking_json=json.dumps(ranking_as_dict(ranking, feedback), ensure_ascii=False))
