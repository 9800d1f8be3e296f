"""Use cases of learning shares: post (posting rule enforced), reply, list."""
from __future__ import annotations

from hubkit.auth import Caller
from notice.domain import commands, shares
from notice.domain.audit import EntityKind
from notice.domain.errors import InvalidArgument, PermissionDenied
from notice.handler_support import Clock, existing_group, new_id, publish_events, record, role_of, utc_now
from notice.ports import NoticeUnitOfWork


def post_share(cmd: commands.PostShare, *, caller: Caller, uow: NoticeUnitOfWork,
               clock: Clock = utc_now) -> shares.Share:
    """A top-level share needs the group's share posting right; any member replies."""
    now = clock()
    with uow:
        group = existing_group(uow, cmd.group_id)
        role = role_of(uow, caller, group.group_id)
        if cmd.reply_to.strip():
            if role is None:
                raise PermissionDenied("only members reply in a group", field="group_id")
        elif not group.share_posting.allows(role):
            raise PermissionDenied(f"group {group.name!r} takes shares from "
                                   f"{'its owners and admins' if role else 'its members'} only", field="group_id")
        group.ensure_active()
        parent = uow.shares.get(cmd.reply_to.strip()) if cmd.reply_to.strip() else None
        share = shares.new_share(share_id=new_id(), group_id=group.group_id, kind=cmd.kind, title=cmd.title,
                                 body=cmd.body, author_id=caller.user_id, now=now, parent=parent,
                                 reply_to=cmd.reply_to.strip())
        uow.shares.add(share)
        record(uow, EntityKind.SHARE, share.share_id, "posted", caller, now, group_id=group.group_id,
               kind=share.kind.value, title=share.title, reply_to=share.reply_to)
        publish_events(uow, share)
        uow.commit()
    return share


def list_shares(query: commands.ListShares, *, caller: Caller, uow: NoticeUnitOfWork) -> list[shares.Share]:
    limit = query.limit or 20
    if not 1 <= limit <= shares.MAX_LIST:
        raise InvalidArgument(f"must be 1..{shares.MAX_LIST}", field="limit")
    with uow:
        group = existing_group(uow, query.group_id)
        if role_of(uow, caller, group.group_id) is None:
            raise PermissionDenied("only members read a group's shares", field="group_id")
        return uow.shares.of_group(group.group_id, limit)
