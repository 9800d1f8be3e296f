"""`hub assess period-create|rate|close|ranking`: the work-style assessment over gRPC."""
from __future__ import annotations

import json
import sys

from reports.remote import add_caller_options


def _call(args, config, rpc_name: str, request):
    import grpc

    from hub.reports.v1 import assessment_service_pb2_grpc
    from reports.remote import client, describe_error

    api = client(args, config, assessment_service_pb2_grpc.AssessmentServiceStub)
    try:
        return getattr(api, rpc_name)(request)
    except grpc.RpcError as error:
        print(describe_error(error), file=sys.stderr)
        return None
    finally:
        api.close()


def _weights(text: str):
    from hub.reports.v1 import assessment_pb2
    parts = text.split("/")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise SystemExit("hub assess: --weights is GRASSROOTS/PEER/LEADER in percent, e.g. 40/30/30")
    return assessment_pb2.SourceWeights(grassroots=int(parts[0]), peer=int(parts[1]), leader=int(parts[2]))


def _period_create(args, config) -> int:
    from datetime import datetime

    from google.protobuf.timestamp_pb2 import Timestamp

    from hub.reports.v1 import assessment_pb2, assessment_service_pb2 as api
    try:
        closes_at = datetime.fromisoformat(args.closes_at)
    except ValueError:
        raise SystemExit(f"hub assess: --closes-at {args.closes_at!r} is not an ISO date-time") from None
    if closes_at.tzinfo is None:
        closes_at = closes_at.astimezone()  # local time
    stamp = Timestamp()
    stamp.FromDatetime(closes_at)
    request = api.CreatePeriodRequest(
        period_id=args.period, title=args.title, departments=args.department, closes_at=stamp,
        expected_raters=assessment_pb2.ExpectedRaters(grassroots=args.expect_grassroots, peer=args.expect_peer,
                                                      leader=args.expect_leader))
    if args.weights:
        request.weights.CopyFrom(_weights(args.weights))
    reply = _call(args, config, "CreatePeriod", request)
    if reply is None:
        return 1
    p = reply.period
    print(f"created {p.period_id} {p.title}: {len(p.departments)} departments, weights "
          f"{p.weights.grassroots}/{p.weights.peer}/{p.weights.leader}, closes {p.closes_at.ToDatetime().isoformat()}Z")
    return 0


def _rate(args, config) -> int:
    from hub.reports.v1 import assessment_pb2, assessment_service_pb2 as api
    reply = _call(args, config, "SubmitRating", api.SubmitRatingRequest(
        period_id=args.period, target_department=args.target,
        scores=assessment_pb2.CriterionScores(efficiency=args.efficiency, quality=args.quality, service=args.service),
        comment=args.comment, suggestion=args.suggestion))
    if reply is None:
        return 1
    source = assessment_pb2.RatingSource.Name(reply.source).removeprefix("RATING_SOURCE_").lower()
    print(f"rated {args.target} in {args.period} as {source}")
    return 0


def _close(args, config) -> int:
    from hub.reports.v1 import assessment_service_pb2 as api
    reply = _call(args, config, "ClosePeriod", api.ClosePeriodRequest(period_id=args.period))
    if reply is None:
        return 1
    print(f"closed {reply.period.period_id} at {reply.period.closed_at.ToDatetime().isoformat()}Z")
    return 0


def _score(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def _change(value) -> str:
    return "—" if value is None else f"{value:+g}"


def _rate_text(rate) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def _ranking(args, config) -> int:
    from hub.reports.v1 import assessment_service_pb2 as api
    reply = _call(args, config, "GetRanking", api.GetRankingRequest(period_id=args.period))
    if reply is None:
        return 1
    if args.json:
        print(reply.ranking_json)
        return 0
    ranking = json.loads(reply.ranking_json)
    print("rank  department        composite grassroots   peer  leader  change  places")
    for row in ranking["rows"]:
        scores = " ".join(f"{_score(s):>8}" for s in (row["composite"], *row["by_source"].values()))
        print(f"{row['rank'] or '—':<5} {row['department']:<16} {scores} {_change(row['composite_change']):>7} "
              f"{_change(row['rank_change']):>7}")
    rates = ", ".join(f"{r['source']} {_rate_text(r['rate'])}" for r in ranking["response_rates"])
    print(f"response rates: {rates}")
    return 0


def register(subparsers) -> None:
    assess = subparsers.add_parser("assess", help="quarterly work-style assessment (作风考核)")
    actions = assess.add_subparsers(dest="action", required=True)

    create = actions.add_parser("period-create", help="open a quarter's assessment (role assessment-admin)")
    create.add_argument("period", help="the quarter, e.g. 2026Q3")
    create.add_argument("--department", "-d", action="append", required=True, help="an assessed department (repeat)")
    create.add_argument("--closes-at", required=True, help="ISO date-time when ratings lock, e.g. 2026-10-10T18:00")
    create.add_argument("--title", default="")
    create.add_argument("--weights", help="GRASSROOTS/PEER/LEADER percent (default 40/30/30)")
    create.add_argument("--expect-grassroots", type=int, default=0, help="grassroots raters expected per department")
    create.add_argument("--expect-peer", type=int, default=0, help="peer raters per department (0: all others)")
    create.add_argument("--expect-leader", type=int, default=0, help="leaders expected per department")
    create.set_defaults(func=_period_create)

    rate = actions.add_parser("rate", help="rate a department; the token decides the source")
    rate.add_argument("period")
    rate.add_argument("target", help="the department rated")
    for criterion in ("efficiency", "quality", "service"):
        rate.add_argument(f"--{criterion}", type=int, required=True, help="0-100")
    rate.add_argument("--comment", default="")
    rate.add_argument("--suggestion", default="")
    rate.set_defaults(func=_rate)

    close = actions.add_parser("close", help="close a period now; its ratings lock (role assessment-admin)")
    close.add_argument("period")
    close.set_defaults(func=_close)

    ranking = actions.add_parser("ranking", help="the ranking of a period")
    ranking.add_argument("period")
    ranking.add_argument("--json", action="store_true", help="print the JSON answer as is")
    ranking.set_defaults(func=_ranking)

    for parser in (create, rate, close, ranking):
        add_caller_options(parser)
