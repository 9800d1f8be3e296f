"""Use cases of the notice service: fn(command, *, caller, uow, ...) -> result."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Callable

from hubkit.auth import Caller
from notice.domain import commands, model
from notice.domain.errors import InvalidArgument, NotFound
from notice.ports import NoticeUnitOfWork

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


def create_group(cmd: commands.CreateGroup, *, caller: Caller, uow: NoticeUnitOfWork,
                 clock: Clock = utc_now) -> model.Group:
    with uow:
        group, created = model.new_group(cmd, group_id=new_id(), created_by=caller.user_id, now=clock())
        uow.groups.add(group)
        uow.publish(created)
        uow.commit()
    return group


def publish_notice(cmd: commands.PublishNotice, *, caller: Caller, uow: NoticeUnitOfWork,
                   limits: model.Limits, clock: Clock = utc_now) -> model.Notice:
    """Store the notice and its notice.published event in one transaction."""
    targets = model.validate_targets(cmd.group_ids)
    with uow:
        notice = model.publish_notice(
            cmd, notice_id=new_id(), author_id=caller.user_id, now=clock(),
            existing_group_ids=uow.groups.existing_ids(targets), limits=limits)
        uow.notices.add(notice)
        for event in notice.events:
            uow.publish(event)
        uow.commit()
    return notice


def get_notice(query: commands.GetNotice, *, caller: Caller, uow: NoticeUnitOfWork) -> model.Notice:
    if not query.notice_id.strip():
        raise InvalidArgument("must not be empty", field="notice_id")
    with uow:
        notice = uow.notices.get(query.notice_id.strip())
    # A notice the caller may not see is reported as absent, not forbidden,
    # so that ids cannot be probed.
    if notice is None or not (caller.is_system or notice.visible_to(caller.user_id, caller.groups)):
        raise NotFound(f"no notice {query.notice_id!r}", field="notice_id")
    return notice
