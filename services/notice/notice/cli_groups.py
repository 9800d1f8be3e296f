"""``hub group ...``: create groups, manage and sync members over gRPC."""
from __future__ import annotations

import csv

from notice.cli import add_identity, every_page, run_call, shown_time, stubs
from notice.domain.groups import MAX_LIST_PAGE_SIZE

ROLES = ["owner", "admin", "member"]


def _member_inputs(entries: list[str], role: str):
    """"user_id:department" entries."""
    from hub.notice.v1 import group_service_pb2 as api, notice_pb2
    number = notice_pb2.MemberRole.Value(f"MEMBER_ROLE_{role.upper()}")
    return [api.MemberInput(user_id=user, department=dept, role=number)
            for user, _, dept in (entry.partition(":") for entry in entries)]


def _create(args, config) -> int:
    from hub.notice.v1 import notice_pb2, notice_service_pb2 as api
    notices, _, _ = stubs(args, config)
    rule = notice_pb2.POSTING_RULE_ALL_MEMBERS if args.members_post else 0
    return run_call(lambda: print(notices.CreateGroup(api.CreateGroupRequest(
        name=args.name, department=args.department, notice_posting=rule)).group.group_id))


def _role_name(number: int) -> str:
    from hub.notice.v1 import notice_pb2
    return notice_pb2.MemberRole.Name(number).removeprefix("MEMBER_ROLE_").lower()


def _members(args, config) -> int:
    """Every member, page after page: a secretary asking for the list expects all of it."""
    from hub.notice.v1 import group_service_pb2 as api, notice_pb2
    _, groups, _ = stubs(args, config)
    request = api.ListMembersRequest(
        group_id=args.group_id, page_size=MAX_LIST_PAGE_SIZE, department=args.department,
        role=notice_pb2.MemberRole.Value(f"MEMBER_ROLE_{args.role.upper()}") if args.role else 0)

    def call():
        for reply in every_page(groups.ListMembers, request):
            for member in reply.members:
                print(f"{member.user_id:20} {_role_name(member.role):7} {member.department}"
                      f"{'  (synced)' if member.synced else ''}")
    return run_call(call)


def _requests(args, config) -> int:
    from hub.notice.v1 import group_service_pb2 as api, notice_pb2
    _, groups, _ = stubs(args, config)
    request = api.ListJoinRequestsRequest(group_id=args.group_id, pending_only=args.pending,
                                          page_size=MAX_LIST_PAGE_SIZE)

    def call():
        for reply in every_page(groups.ListJoinRequests, request):
            for join in reply.requests:
                kind = notice_pb2.JoinKind.Name(join.kind).removeprefix("JOIN_KIND_").lower()
                status = notice_pb2.JoinStatus.Name(join.status).removeprefix("JOIN_STATUS_").lower()
                print(f"{join.request_id}  {shown_time(join.created_at)}  {kind:10} {status:8} {join.user_id:20} "
                      f"{_role_name(join.role):7} {join.department}")
    return run_call(call)


def _add(args, config) -> int:
    from hub.notice.v1 import group_service_pb2 as api
    _, groups, _ = stubs(args, config)

    def call():
        reply = groups.AddMembers(api.AddMembersRequest(group_id=args.group_id,
                                                        members=_member_inputs(args.member, args.role)))
        print(f"added {reply.added}, already members {reply.already_members}")
    return run_call(call)


def _sync(args, config) -> int:
    from hub.notice.v1 import group_service_pb2 as api
    _, groups, _ = stubs(args, config)
    with open(args.file, newline="", encoding="utf-8") as source:
        rows = [row for row in csv.reader(source) if row and not row[0].startswith("#")]
    members = [api.MemberInput(user_id=row[0], department=row[1] if len(row) > 1 else "") for row in rows]

    def call():
        reply = groups.SyncMembers(api.SyncMembersRequest(group_id=args.group_id, members=members,
                                                          remove_missing=args.remove_missing), timeout=120)
        print(f"added {reply.added}, updated {reply.updated}, removed {reply.removed}, unchanged {reply.unchanged}")
    return run_call(call)


def _rename(args, config) -> int:
    from hub.notice.v1 import group_service_pb2 as api
    _, groups, _ = stubs(args, config)
    return run_call(lambda: print(groups.RenameGroup(api.RenameGroupRequest(group_id=args.group_id,
                                                                            name=args.name)).group.name))


def _archive(args, config) -> int:
    from hub.notice.v1 import group_service_pb2 as api
    _, groups, _ = stubs(args, config)
    return run_call(lambda: groups.ArchiveGroup(api.ArchiveGroupRequest(group_id=args.group_id)) and print("archived"))


def _invite(args, config) -> int:
    from hub.notice.v1 import group_service_pb2 as api, notice_pb2
    _, groups, _ = stubs(args, config)
    return run_call(lambda: print(groups.InviteMember(api.InviteMemberRequest(
        group_id=args.group_id, user_id=args.invitee, department=args.department,
        role=notice_pb2.MemberRole.Value(f"MEMBER_ROLE_{args.role.upper()}"))).request.request_id))


def _join(args, config) -> int:
    from hub.notice.v1 import group_service_pb2 as api
    _, groups, _ = stubs(args, config)
    return run_call(lambda: print(groups.RequestToJoin(api.RequestToJoinRequest(
        group_id=args.group_id)).request.request_id))


def _decide(args, config) -> int:
    from hub.notice.v1 import group_service_pb2 as api, notice_pb2
    _, groups, _ = stubs(args, config)
    return run_call(lambda: print(notice_pb2.JoinStatus.Name(groups.DecideJoinRequest(api.DecideJoinRequestRequest(
        request_id=args.request_id, accept=args.decision == "accept")).request.status)))


def register(subparsers) -> None:
    group = subparsers.add_parser("group", help="work groups and their members")
    sub = group.add_subparsers(dest="group_command", required=True)

    create = sub.add_parser("create", help="create a group (you become its owner)")
    add_identity(create)
    create.add_argument("name")
    create.add_argument("department")
    create.add_argument("--members-post", action="store_true", help="every member may publish notices")
    create.set_defaults(func=_create)

    commands = {
        "members": (_members, "list every member", []),
        "requests": (_requests, "list invitations and requests to join (owners and admins)", []),
        "add": (_add, "add members (user_id:department ...)", ["member"]),
        "sync": (_sync, "sync members from an HR/OA CSV file (user_id,department)", []),
        "rename": (_rename, "rename a group", ["name"]),
        "archive": (_archive, "archive a group", []),
        "invite": (_invite, "invite someone", ["invitee"]),
        "join": (_join, "ask to join a group", []),
    }
    for name, (func, text, extra) in commands.items():
        command = sub.add_parser(name, help=text)
        add_identity(command)
        command.add_argument("group_id")
        for argument in extra:
            command.add_argument(argument, nargs="+" if argument == "member" else None)
        command.set_defaults(func=func)
    sub.choices["members"].add_argument("--department", default="", help="only members of this department")
    sub.choices["members"].add_argument("--role", choices=ROLES, help="only members with this role")
    sub.choices["requests"].add_argument("--pending", action="store_true", help="only those not yet decided")
    sub.choices["add"].add_argument("--role", choices=ROLES, default="member")
    sub.choices["invite"].add_argument("--department", default="")
    sub.choices["invite"].add_argument("--role", choices=ROLES, default="member")
    sub.choices["sync"].add_argument("--file", required=True)
    sub.choices["sync"].add_argument("--remove-missing", action="store_true",
                                     help="remove members an earlier sync imported and the file no longer lists")

    decide = sub.add_parser("decide", help="accept or reject an invitation or a request to join")
    add_identity(decide)
    decide.add_argument("request_id")
    decide.add_argument("decision", choices=["accept", "reject"])
    decide.set_defaults(func=_decide)
