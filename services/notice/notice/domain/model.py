"""Groups and notices, and the rules for creating them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from notice.domain import commands, events
from notice.domain.errors import InvalidArgument, NotFound

MAX_GROUP_NAME_CHARS = 100
MAX_TARGET_GROUPS = 50


@dataclass(frozen=True)
class Limits:
    max_title_chars: int = 200
    max_body_chars: int = 20000


@dataclass
class Group:
    group_id: str
    name: str
    department: str
    created_by: str
    created_at: datetime


@dataclass
class Notice:
    notice_id: str
    group_ids: tuple[str, ...]
    title: str
    body: str
    author_id: str
    published_at: datetime
    events: list = field(default_factory=list, compare=False, repr=False)

    def visible_to(self, user_id: str, group_ids: tuple[str, ...]) -> bool:
        return user_id == self.author_id or any(g in self.group_ids for g in group_ids)


def _required_text(value: str, field_name: str, max_chars: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidArgument("must not be empty", field=field_name)
    if len(text) > max_chars:
        raise InvalidArgument(f"is {len(text)} characters, at most {max_chars} allowed", field=field_name)
    return text


def new_group(cmd: commands.CreateGroup, *, group_id: str, created_by: str, now: datetime) -> tuple[Group, events.GroupCreated]:
    group = Group(
        group_id=group_id,
        name=_required_text(cmd.name, "name", MAX_GROUP_NAME_CHARS),
        department=_required_text(cmd.department, "department", MAX_GROUP_NAME_CHARS),
        created_by=created_by,
        created_at=now,
    )
    return group, events.GroupCreated(group.group_id, group.name, group.department, created_by)


def validate_targets(group_ids: tuple[str, ...]) -> tuple[str, ...]:
    """Distinct, non-empty target group ids in the order given."""
    if not group_ids:
        raise InvalidArgument("at least one target group is required", field="group_ids")
    distinct: dict[str, None] = {}
    for position, raw in enumerate(group_ids):
        if not raw.strip():
            raise InvalidArgument("must not be empty", field=f"group_ids[{position}]")
        distinct[raw.strip()] = None
    if len(distinct) > MAX_TARGET_GROUPS:
        raise InvalidArgument(f"at most {MAX_TARGET_GROUPS} target groups", field="group_ids")
    return tuple(distinct)


def publish_notice(cmd: commands.PublishNotice, *, notice_id: str, author_id: str, now: datetime,
                   existing_group_ids: set[str], limits: Limits) -> Notice:
    """A new notice, checked against the limits and the groups that exist.

    ``existing_group_ids`` holds those of the requested groups that exist.
    """
    title = _required_text(cmd.title, "title", limits.max_title_chars)
    body = cmd.body.strip()
    if len(body) > limits.max_body_chars:
        raise InvalidArgument(f"is {len(body)} characters, at most {limits.max_body_chars} allowed", field="body")
    targets = validate_targets(cmd.group_ids)
    for position, raw in enumerate(cmd.group_ids):
        if raw.strip() not in existing_group_ids:
            raise NotFound(f"no group {raw.strip()!r}", field=f"group_ids[{position}]")
    notice = Notice(notice_id, targets, title, body, author_id, now)
    notice.events.append(events.NoticePublished(notice_id, targets, title, body, author_id, now))
    return notice
