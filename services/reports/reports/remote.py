"""What the reports CLI commands share: who calls, and how errors are shown."""
from __future__ import annotations

import argparse


def add_caller_options(parser: argparse.ArgumentParser) -> None:
    """The caller is named by a token: given with --token, or issued here
    (development) for --user/--dept/--role with the hub's JWT secret."""
    group = parser.add_argument_group("caller")
    group.add_argument("--token", help="bearer token (default: issue one for --user/--dept/--role)")
    group.add_argument("--user", default="cli", help="user id of the issued token")
    group.add_argument("--dept", action="append", default=[], help="department of the issued token (repeatable)")
    group.add_argument("--role", action="append", default=[], help="role of the issued token (repeatable)")
    group.add_argument("--address", help="reports gRPC address (default REPORTS_GRPC_ADDR)")


def client(args, config, stub_class):
    """An ApiClient of the reports API whose calls carry the caller's token."""
    from hubkit.auth import Caller, issue_token
    from hubkit.clients import dial
    from hubkit.launcher import jwt_secret

    token = args.token or issue_token(jwt_secret(config), Caller(
        user_id=args.user, departments=tuple(args.dept), roles=tuple(args.role)))
    return dial(stub_class, args.address or config.grpc_addr("reports"), token)


def describe_error(error, field_note=lambda field: "") -> str:
    """A refused call as text: status, message, and one line per field violation."""
    from hubkit.clients import field_violations

    lines = [f"{error.code().name}: {error.details()}"]
    lines += [f"  {field}{field_note(field)}: {description}" for field, description in field_violations(error)]
    return "\n".join(lines)
