"""`hub finding …` and `hub incident …`: inspection findings and field
incidents over the running hub's gRPC API.

The caller is named with --user (and --dept/--group/--role); the command signs
a token for it with the hub's secret, like `hub token`. Imported every time
`hub` runs: gRPC stubs and handlers are imported inside the functions.
"""
from __future__ import annotations

import sys
from datetime import datetime, time, timezone

SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "in_progress", "rectified", "verified", "reopened")


def _identity_options(parser) -> None:
    parser.add_argument("--user", required=True, help="caller's user id")
    parser.add_argument("--dept", action="append", default=[], help="caller's department (repeatable)")
    parser.add_argument("--group", action="append", default=[], help="caller's group id (repeatable)")
    parser.add_argument("--role", action="append", default=[], help="caller's role, e.g. dispatcher (repeatable)")
    parser.add_argument("--addr", default="", help="notice API address (default NOTICE_GRPC_ADDR)")


def _client(service: str, args, config):
    from hub.notice.v1 import finding_service_pb2_grpc, incident_service_pb2_grpc
    from hubkit.auth import Caller, issue_token
    from hubkit.clients import dial
    from hubkit.launcher import jwt_secret

    stub_class = {"finding": finding_service_pb2_grpc.FindingServiceStub,
                  "incident": incident_service_pb2_grpc.IncidentServiceStub}[service]
    caller = Caller(user_id=args.user, departments=tuple(args.dept), groups=tuple(args.group), roles=tuple(args.role))
    token = issue_token(jwt_secret(config), caller, ttl_seconds=config.integer("HUB_JWT_TTL_SECONDS"))
    return dial(stub_class, args.addr or config.grpc_addr("notice"), token)


def _call(service: str, args, config, rpc: str, request):
    """The reply, or None after printing the status (the command then exits 1)."""
    import grpc
    client = _client(service, args, config)
    try:
        return getattr(client, rpc)(request)
    except grpc.RpcError as exc:
        print(f"hub {service}: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return None
    finally:
        client.close()


def _zone(config):
    from zoneinfo import ZoneInfo

    from notice.bootstrap import review_time_zone
    return ZoneInfo(review_time_zone(config))


def parse_moment(text: str, zone, *, end_of_day: bool) -> datetime:
    """ISO date or date-time; without an offset it is local time in ``zone``;
    a bare date is the end of that day (or its start)."""
    import argparse
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date or date-time") from None
    if len(text) == 10:  # a date alone
        moment = datetime.combine(moment.date(), time(23, 59, 59) if end_of_day else time(0, 0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc)


def _stamp(moment: datetime):
    from google.protobuf.timestamp_pb2 import Timestamp
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def _local(stamp, zone) -> str:
    return stamp.ToDatetime(tzinfo=timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _enum_name(enum, number: int, prefix: str) -> str:
    return enum.Name(number).removeprefix(prefix).lower()


def _finding_line(finding, zone) -> str:
    from hub.notice.v1 import notice_pb2
    status = _enum_name(notice_pb2.FindingStatus, finding.status, "FINDING_STATUS_")
    severity = _enum_name(notice_pb2.FindingSeverity, finding.severity, "FINDING_SEVERITY_")
    late = "  OVERDUE" if finding.overdue else ""
    return (f"{finding.finding_id}  {status:<11} {severity:<8} {finding.area}  "
            f"{finding.responsible_unit}/{finding.responsible_person}  due {_local(finding.due_at, zone)}{late}")


def _print_finding(reply, config) -> int:
    if reply is None:
        return 1
    print(_finding_line(reply.finding, _zone(config)))
    return 0


# --- hub finding ----------------------------------------------------------------

def _finding_open(args, config) -> int:
    from hub.notice.v1 import finding_service_pb2 as api, notice_pb2
    request = api.OpenFindingRequest(
        area=args.area, description=args.description,
        severity=notice_pb2.FindingSeverity.Value(f"FINDING_SEVERITY_{args.severity.upper()}"),
        photo_document_ids=args.photo, responsible_unit=args.unit, responsible_person=args.person,
        due_at=_stamp(parse_moment(args.due, _zone(config), end_of_day=True)))
    return _print_finding(_call("finding", args, config, "OpenFinding", request), config)


def _finding_step(rpc: str, make_request):
    def run(args, config) -> int:
        return _print_finding(_call("finding", args, config, rpc, make_request(args)), config)
    return run


def _finding_list(args, config) -> int:
    from hub.notice.v1 import finding_service_pb2 as api, notice_pb2
    status = notice_pb2.FindingStatus.Value(f"FINDING_STATUS_{args.status.upper()}") if args.status else 0
    reply = _call("finding", args, config, "ListFindings", api.ListFindingsRequest(
        status=status, area=args.area, responsible_unit=args.unit, overdue_only=args.overdue,
        page_size=args.limit))
    if reply is None:
        return 1
    zone = _zone(config)
    for finding in reply.findings:
        print(_finding_line(finding, zone))
    if reply.next_page_token:
        print("(more: narrow the filters or raise --limit)")
    return 0


def _finding_weekly(args, config) -> int:
    from hub.notice.v1 import finding_service_pb2 as api, notice_pb2
    zone = _zone(config)
    request = api.GetWeeklyReviewRequest()
    if args.at:
        request.at.CopyFrom(_stamp(parse_moment(args.at, zone, end_of_day=False)))
    reply = _call("finding", args, config, "GetWeeklyReview", request)
    if reply is None:
        return 1
    review = reply.review
    print(f"week {review.iso_week} ({review.time_zone}, from {_local(review.week_start, zone)}): "
          f"{len(review.this_week)} finding(s)")
    for title, buckets in (("by area", review.by_area), ("by unit", review.by_unit)):
        print(f"  {title}: " + ", ".join(f"{b.key} {b.count}" for b in buckets))
    print("  by severity: " + ", ".join(
        f"{_enum_name(notice_pb2.FindingSeverity, b.severity, 'FINDING_SEVERITY_')} {b.count}"
        for b in review.by_severity))
    for finding in review.this_week:
        print("    " + _finding_line(finding, zone))
    print(f"last week {review.last_iso_week}: " + ", ".join(
        f"{_enum_name(notice_pb2.FindingStatus, b.status, 'FINDING_STATUS_')} {b.count}"
        for b in review.last_week_by_status))
    for finding in review.last_week:
        print("    " + _finding_line(finding, zone))
    print(f"overdue: {len(review.overdue)}")
    for finding in review.overdue:
        print("    " + _finding_line(finding, zone))
    return 0


def _register_findings(sub) -> None:
    finding = sub.add_parser("finding", help="inspection findings (问题整改) and their rectification")
    steps = finding.add_subparsers(dest="finding_command", required=True)

    p = steps.add_parser("open", help="record a finding; you become its inspector")
    p.add_argument("--area", required=True)
    p.add_argument("--description", required=True)
    p.add_argument("--severity", required=True, choices=SEVERITIES)
    p.add_argument("--unit", required=True, help="responsible unit (department)")
    p.add_argument("--person", required=True, help="responsible person's user id")
    p.add_argument("--due", required=True, help="due date or date-time (ISO; local time of NOTICE_REVIEW_TIMEZONE)")
    p.add_argument("--photo", action="append", default=[], help="photo document id (repeatable)")
    p.set_defaults(func=_finding_open)

    def request(name, **fields):
        def build(args):
            from hub.notice.v1 import finding_service_pb2 as api
            return getattr(api, name)(finding_id=args.finding_id, **{k: getattr(args, v) for k, v in fields.items()})
        return build

    p = steps.add_parser("start", help="the responsible side starts (or resumes) the rectification")
    p.add_argument("finding_id")
    p.set_defaults(func=_finding_step("StartRectification", request("StartRectificationRequest")))
    p = steps.add_parser("rectify", help="the responsible side reports it rectified, with evidence")
    p.add_argument("finding_id")
    p.add_argument("--note", required=True)
    p.add_argument("--evidence", action="append", default=[], help="evidence photo document id (repeatable)")
    p.set_defaults(func=_finding_step("RectifyFinding", request("RectifyFindingRequest", note="note",
                                                                   evidence_document_ids="evidence")))
    p = steps.add_parser("verify", help="the inspector accepts the rectification")
    p.add_argument("finding_id")
    p.set_defaults(func=_finding_step("VerifyFinding", request("VerifyFindingRequest")))
    p = steps.add_parser("reopen", help="the inspector sends it back, with a reason")
    p.add_argument("finding_id")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=_finding_step("ReopenFinding", request("ReopenFindingRequest", reason="reason")))

    p = steps.add_parser("list", help="findings, newest first")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--area", default="")
    p.add_argument("--unit", default="")
    p.add_argument("--overdue", action="store_true")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_finding_list)

    p = steps.add_parser("weekly", help="the weekly review: this week, last week, overdue")
    p.add_argument("--at", default="", help="moment of the review (ISO; default now)")
    p.set_defaults(func=_finding_weekly)

    for parser in steps.choices.values():
        _identity_options(parser)


# --- hub incident ---------------------------------------------------------------

def _incident_line(incident, zone) -> str:
    where = incident.location
    if incident.HasField("position"):
        where += f" ({incident.position.latitude:.5f}, {incident.position.longitude:.5f})"
    return (f"{incident.incident_id}  {_local(incident.reported_at, zone)}  {incident.kind}  {where}  "
            f"by {incident.reporter_id} -> group {incident.group_id}, notice {incident.notice_id}")


def _incident_route(args, config) -> int:
    from hub.notice.v1 import incident_service_pb2 as api
    if args.kind is None:
        reply = _call("incident", args, config, "ListIncidentRoutes", api.ListIncidentRoutesRequest())
        if reply is None:
            return 1
        for route in reply.routes:
            print(f"{route.kind}  -> {route.group_id}  (set by {route.set_by})")
        print(f"other kinds -> {reply.default_group_id or 'refused (no NOTICE_INCIDENT_DEFAULT_GROUP)'}")
        return 0
    if args.group_id is None:
        print("hub incident route: give KIND and GROUP_ID, or neither to list the routes", file=sys.stderr)
        return 2
    reply = _call("incident", args, config, "SetIncidentRoute",
                  api.SetIncidentRouteRequest(kind=args.kind, group_id=args.group_id))
    if reply is None:
        return 1
    print(f"{reply.route.kind}  -> {reply.route.group_id}")
    return 0


def _incident_report(args, config) -> int:
    from hub.notice.v1 import incident_service_pb2 as api
    if (args.lat is None) != (args.lon is None):
        print("hub incident report: give --lat and --lon together", file=sys.stderr)
        return 2
    request = api.ReportIncidentRequest(kind=args.kind, description=args.description, location=args.location,
                                        photo_document_ids=args.photo)
    if args.lat is not None:
        request.position.CopyFrom(api.GeoPoint(latitude=args.lat, longitude=args.lon))
    reply = _call("incident", args, config, "ReportIncident", request)
    if reply is None:
        return 1
    print(_incident_line(reply.incident, _zone(config)))
    return 0


def _incident_list(args, config) -> int:
    from hub.notice.v1 import incident_service_pb2 as api
    reply = _call("incident", args, config, "ListIncidents", api.ListIncidentsRequest(kind=args.kind,
                                                                                      page_size=args.limit))
    if reply is None:
        return 1
    zone = _zone(config)
    for incident in reply.incidents:
        print(_incident_line(incident, zone))
    return 0


def _register_incidents(sub) -> None:
    incident = sub.add_parser("incident", help="field incidents (突发事件) and their dispatch routing")
    steps = incident.add_subparsers(dest="incident_command", required=True)
    p = steps.add_parser("route", help="set the group for a kind (dispatcher role), or list the routes")
    p.add_argument("kind", nargs="?", help="e.g. 火灾, 设备故障, 人身伤害, 停电")
    p.add_argument("group_id", nargs="?")
    p.set_defaults(func=_incident_route)
    p = steps.add_parser("report", help="report an incident; it becomes an urgent notice")
    p.add_argument("--kind", required=True)
    p.add_argument("--description", required=True)
    p.add_argument("--location", required=True)
    p.add_argument("--lat", type=float)
    p.add_argument("--lon", type=float)
    p.add_argument("--photo", action="append", default=[], help="photo document id (repeatable)")
    p.set_defaults(func=_incident_report)
    p = steps.add_parser("list", help="incidents you may see, newest first")
    p.add_argument("--kind", default="")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_incident_list)
    for parser in steps.choices.values():
        _identity_options(parser)


def register(sub) -> None:
    _register_findings(sub)
    _register_incidents(sub)
