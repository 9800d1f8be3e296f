"""``hub notice ...``: publish, inbox, show, ack, stats, revoke, audit over gRPC.

Imported every time ``hub`` runs: grpc stubs load inside the handlers.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone

CATEGORIES = ["notice", "task", "learning_material", "safety_alert", "meeting"]
PRIORITIES = ["normal", "urgent"]


def add_identity(parser: argparse.ArgumentParser) -> None:
    """Who the command acts as (a development token is issued for it)."""
    parser.add_argument("--user", required=True, help="user (employee) id to act as")
    parser.add_argument("--dept", action="append", default=[], help="the user's department")
    parser.add_argument("--addr", default="", help="notice API address (default NOTICE_GRPC_ADDR)")


def stubs(args, config):
    """(notice, group, share) clients carrying a token for --user."""
    import grpc

    from hub.notice.v1 import group_service_pb2_grpc, notice_service_pb2_grpc, share_service_pb2_grpc
    from hubkit.auth import Caller, bearer_metadata, issue_token
    from hubkit.clients import ApiClient
    from hubkit.launcher import jwt_secret
    token = issue_token(jwt_secret(config), Caller(user_id=args.user, departments=tuple(args.dept)))
    channel = grpc.insecure_channel(args.addr or config.grpc_addr("notice"))
    metadata = bearer_metadata(token)
    return (ApiClient(channel, notice_service_pb2_grpc.NoticeServiceStub(channel), metadata),
            ApiClient(channel, group_service_pb2_grpc.GroupServiceStub(channel), metadata),
            ApiClient(channel, share_service_pb2_grpc.ShareServiceStub(channel), metadata))


def run_call(call) -> int:
    """Print a refused call's status and message instead of a traceback."""
    import grpc
    try:
        call()
    except grpc.RpcError as exc:
        print(f"refused: {exc.code().name}: {exc.details()}")
        return 1
    return 0


def every_page(call, request):
    """Each reply of a paged list call, following next_page_token to the last page."""
    while True:
        reply = call(request)
        yield reply
        if not reply.next_page_token:
            return
        request.page_token = reply.next_page_token


def when(text: str) -> datetime:
    """ISO time; without a zone it is taken as UTC."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _enum(enum, prefix: str, name: str | None) -> int:
    return enum.Value(f"{prefix}{name.upper()}") if name else 0


def shown_time(message) -> str:
    return message.ToDatetime(tzinfo=timezone.utc).isoformat(timespec="seconds") if message.seconds else "-"


def _publish(args, config) -> int:
    from google.protobuf.timestamp_pb2 import Timestamp

    from hub.notice.v1 import notice_pb2, notice_service_pb2 as api
    notices, _, _ = stubs(args, config)

    def stamp(text):
        if not text:
            return None
        result = Timestamp()
        result.FromDatetime(when(text))
        return result

    def call():
        notice = notices.PublishNotice(api.PublishNoticeRequest(
            group_ids=args.group, recipient_user_ids=args.to, title=args.title, body=args.body,
            category=_enum(notice_pb2.NoticeCategory, "NOTICE_CATEGORY_", args.category),
            priority=_enum(notice_pb2.NoticePriority, "NOTICE_PRIORITY_", args.priority),
            attachment_document_ids=args.attach, pinned=args.pin, requires_ack=args.ack or bool(args.deadline),
            ack_deadline=stamp(args.deadline), publish_at=stamp(args.at))).notice
        print(f"{notice_pb2.NoticeStatus.Name(notice.status).removeprefix('NOTICE_STATUS_').lower()} "
              f"{notice.notice_id} to {notice.recipient_count} recipient(s)")
    return run_call(call)


def _inbox(args, config) -> int:
    from hub.notice.v1 import notice_pb2, notice_service_pb2 as api
    notices, _, _ = stubs(args, config)

    def call():
        reply = notices.ListInbox(api.ListInboxRequest(
            category=_enum(notice_pb2.NoticeCategory, "NOTICE_CATEGORY_", args.category),
            priority=_enum(notice_pb2.NoticePriority, "NOTICE_PRIORITY_", args.priority),
            page_size=args.limit, cursor=args.cursor))
        for item in reply.items:
            flags = ("new " if not item.receipt.read_at.seconds else "    ") + ("pin " if item.notice.pinned else "    ")
            acked = "acked" if item.receipt.acknowledged_at.seconds else ("ACK?" if item.notice.requires_ack else "")
            changed = " (changed)" if item.changed_since_read else ""
            print(f"{flags} {item.notice.notice_id}  {shown_time(item.notice.published_at)}  {acked:5}  "
                  f"{item.notice.title}{changed}")
        if reply.next_cursor:
            print(f"more: --cursor {reply.next_cursor}")
    return run_call(call)


def _show(args, config) -> int:
    from hub.notice.v1 import notice_service_pb2 as api
    notices, _, _ = stubs(args, config)

    def call():
        reply = notices.GetNotice(api.GetNoticeRequest(notice_id=args.notice_id))
        notice = reply.notice
        print(f"{notice.title}  (v{notice.version}, by {notice.author_id}, {shown_time(notice.published_at)})")
        print(notice.body)
        if notice.requires_ack:
            print(f"acknowledge by {shown_time(notice.ack_deadline)}")
        for version in reply.versions[1:]:
            print(f"  v{version.version} {shown_time(version.edited_at)} changed {', '.join(version.changed_fields)}")
    return run_call(call)


def _ack(args, config) -> int:
    from hub.notice.v1 import notice_service_pb2 as api
    notices, _, _ = stubs(args, config)

    def call():
        reply = notices.AcknowledgeNotice(api.AcknowledgeNoticeRequest(notice_id=args.notice_id, comment=args.comment))
        print(("acknowledged" if reply.first_acknowledgement else "already acknowledged") +
              f" at {shown_time(reply.acknowledged_at)}")
    return run_call(call)


def _stats(args, config) -> int:
    from hub.notice.v1 import notice_service_pb2 as api
    notices, _, _ = stubs(args, config)

    def call():
        stats = notices.GetNoticeStats(api.GetNoticeStatsRequest(notice_id=args.notice_id))
        print(f"recipients {stats.recipients}  read {stats.read}  acknowledged {stats.acknowledged}")
        for title, lists in (("not read", stats.not_read), ("not acknowledged", stats.not_acknowledged)):
            for dept in lists:
                print(f"  {title:16} {dept.department or '-'}: {', '.join(dept.user_ids)}")
    return run_call(call)


def _revoke(args, config) -> int:
    from hub.notice.v1 import notice_service_pb2 as api
    notices, _, _ = stubs(args, config)
    return run_call(lambda: notices.RevokeNotice(api.RevokeNoticeRequest(notice_id=args.notice_id,
                                                                         reason=args.reason)) and print("revoked"))


def _audit(args, config) -> int:
    from hub.notice.v1 import notice_pb2, notice_service_pb2 as api
    notices, _, _ = stubs(args, config)

    def call():
        reply = notices.GetAuditTrail(api.GetAuditTrailRequest(
            entity_kind=notice_pb2.AuditEntityKind.Value(f"AUDIT_ENTITY_KIND_{args.kind.upper()}"),
            entity_id=args.entity_id))
        for record in reply.records:
            print(f"{shown_time(record.at)}  {record.actor_id:16} {record.action:20} {record.detail_json}")
    return run_call(call)


def register(subparsers) -> None:
    notice = subparsers.add_parser("notice", help="publish notices, read the inbox, acknowledge, statistics")
    sub = notice.add_subparsers(dest="notice_command", required=True)

    publish = sub.add_parser("publish", help="publish (or schedule) a notice")
    add_identity(publish)
    publish.add_argument("--group", action="append", default=[], help="target group id (repeatable)")
    publish.add_argument("--to", action="append", default=[], help="named recipient user id (repeatable)")
    publish.add_argument("--title", required=True)
    publish.add_argument("--body", default="")
    publish.add_argument("--category", choices=CATEGORIES)
    publish.add_argument("--priority", choices=PRIORITIES)
    publish.add_argument("--attach", action="append", default=[], help="document id (repeatable)")
    publish.add_argument("--pin", action="store_true")
    publish.add_argument("--ack", action="store_true", help="requires acknowledgement")
    publish.add_argument("--deadline", default="", help="acknowledgement deadline, ISO time (implies --ack)")
    publish.add_argument("--at", default="", help="publish later, at this ISO time")
    publish.set_defaults(func=_publish)

    inbox = sub.add_parser("inbox", help="your notices: unread first")
    add_identity(inbox)
    inbox.add_argument("--category", choices=CATEGORIES)
    inbox.add_argument("--priority", choices=PRIORITIES)
    inbox.add_argument("--limit", type=int, default=20)
    inbox.add_argument("--cursor", default="")
    inbox.set_defaults(func=_inbox)

    for name, func, text in (("show", _show, "open a notice (marks it read)"),
                             ("stats", _stats, "who has read / acknowledged, by department")):
        command = sub.add_parser(name, help=text)
        add_identity(command)
        command.add_argument("notice_id")
        command.set_defaults(func=func)

    ack = sub.add_parser("ack", help="acknowledge a notice")
    add_identity(ack)
    ack.add_argument("notice_id")
    ack.add_argument("--comment", default="")
    ack.set_defaults(func=_ack)

    revoke = sub.add_parser("revoke", help="withdraw a notice with a reason")
    add_identity(revoke)
    revoke.add_argument("notice_id")
    revoke.add_argument("--reason", required=True)
    revoke.set_defaults(func=_revoke)

    audit = sub.add_parser("audit", help="audit trail of a group, notice, finding, incident or share")
    add_identity(audit)
    audit.add_argument("kind", choices=["group", "notice", "finding", "incident", "share"])
    audit.add_argument("entity_id")
    audit.set_defaults(func=_audit)
