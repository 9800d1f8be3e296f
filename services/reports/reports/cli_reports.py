"""`hub report generate|list|download|rebuild`.

generate, list and download talk to the running reports API over gRPC;
rebuild is an operator command on the reports database.
"""
from __future__ import annotations

import sys
from pathlib import Path

FORMAT_NAMES = ("pdf", "xlsx", "json")


def register(subparsers) -> None:
    report = subparsers.add_parser("report", help="generate, list, download reports; rebuild read models")
    actions = report.add_subparsers(dest="report_action", required=True)

    def common(parser):
        parser.add_argument("--address", default="", help="reports API (default REPORTS_GRPC_ADDR)")
        parser.add_argument("--user", default="operator", help="caller id in the token")
        parser.add_argument("--dept", action="append", default=[], help="caller department (repeatable)")

    generate = actions.add_parser("generate", help="generate (or fetch) the report of a kind and period")
    generate.add_argument("kind", help="e.g. inspection.weekly, acknowledgement")
    generate.add_argument("period", help="ISO week 2026-W47 or quarter 2026Q3")
    generate.add_argument("--regenerate", action="store_true", help="build it again even if it exists")
    common(generate)
    generate.set_defaults(func=_generate)

    listing = actions.add_parser("list", help="stored reports, newest first")
    listing.add_argument("--kind", default="")
    listing.add_argument("--period", default="")
    listing.add_argument("--limit", type=int, default=50, help="most reports to print")
    common(listing)
    listing.set_defaults(func=_list)

    download = actions.add_parser("download", help="save one format of a stored report")
    download.add_argument("report_id")
    download.add_argument("--format", choices=FORMAT_NAMES, default="pdf")
    download.add_argument("-o", "--output", default="", help="file to write (default <report_id>.<format>; - for stdout)")
    common(download)
    download.set_defaults(func=_download)

    rebuild = actions.add_parser("rebuild", help="empty the read models and replay the event journal")
    rebuild.set_defaults(func=_rebuild)

    # The assessment and energy commands also live here (`hub report assess …`,
    # `hub report energy …`), besides their short forms `hub assess`, `hub energy`.
    from reports import cli_assessment, cli_energy
    cli_assessment.register(actions)
    cli_energy.register(actions)


def _client(args, config):
    from hubkit.auth import SYSTEM_ROLE, Caller, issue_token
    from hubkit.clients import connect
    from hubkit.launcher import jwt_secret
    caller = Caller(user_id=args.user, departments=tuple(args.dept), roles=() if args.dept else (SYSTEM_ROLE,))
    return connect("reports", args.address or config.grpc_addr("reports"), issue_token(jwt_secret(config), caller))


def _describe(info) -> str:
    from hub.reports.v1 import reports_pb2
    formats = ",".join(reports_pb2.ReportFormat.Name(f.format).removeprefix("REPORT_FORMAT_").lower()
                       for f in info.files)
    state = "complete" if info.complete else "partial"
    return (f"{info.report_id}  {info.kind:<22} {info.period:<9} {state:<8} {formats:<14} "
            f"{info.generated_at.ToDatetime():%Y-%m-%d %H:%M}Z  {info.title}")


def _call(action):
    import grpc
    try:
        return action()
    except grpc.RpcError as exc:
        print(f"hub report: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return None


def _generate(args, config) -> int:
    from hub.reports.v1 import reports_service_pb2 as api
    client = _client(args, config)
    reply = _call(lambda: client.GenerateReport(
        api.GenerateReportRequest(kind=args.kind, period=args.period, regenerate=args.regenerate), timeout=300))
    client.close()
    if reply is None:
        return 1
    print(("generated " if reply.created else "exists    ") + _describe(reply.report))
    return 0


def _list(args, config) -> int:
    from hub.reports.v1 import reports_service_pb2 as api
    client = _client(args, config)
    token, printed = "", 0
    try:
        while printed < args.limit:
            reply = _call(lambda: client.ListReports(api.ListReportsRequest(
                kind=args.kind, period=args.period, page_size=min(200, args.limit - printed), page_token=token)))
            if reply is None:
                return 1
            for info in reply.reports:
                print(_describe(info))
                printed += 1
            token = reply.next_page_token
            if not token:
                break
    finally:
        client.close()
    return 0


def _download(args, config) -> int:
    from hub.reports.v1 import reports_pb2, reports_service_pb2 as api
    client = _client(args, config)
    request = api.DownloadReportRequest(report_id=args.report_id,
                                        format=reports_pb2.ReportFormat.Value(f"REPORT_FORMAT_{args.format.upper()}"))
    chunks = _call(lambda: [reply.data for reply in client.DownloadReport(request, timeout=120)])
    client.close()
    if chunks is None:
        return 1
    content = b"".join(chunks)
    if args.output == "-":
        sys.stdout.buffer.write(content)
    else:
        path = Path(args.output or f"{args.report_id}.{args.format}")
        path.write_bytes(content)
        print(f"wrote {path} ({len(content)} bytes)")
    return 0


def _rebuild(args, config) -> int:
    from reports import bootstrap, handlers
    from reports.adapters.event_facts import fact_from_journal
    from hubkit.wiring import migrate_service
    migrate_service(config, "reports")
    replayed = handlers.rebuild_read_models(uow=bootstrap.uow_factory(config)(), decode=fact_from_journal)
    print(f"read models rebuilt from {replayed} journalled event(s)")
    return 0
