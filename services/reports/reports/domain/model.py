"""Figures the reports service answers."""
from __future__ import annotations

from dataclasses import dataclass

from hubkit.errors import InvalidArgument

MAX_GROUP_FILTER = 1000


@dataclass(frozen=True)
class GroupNoticeCount:
    group_id: str
    group_name: str
    notice_count: int


def group_filter(group_ids: tuple[str, ...]) -> tuple[str, ...]:
    if len(group_ids) > MAX_GROUP_FILTER:
        raise InvalidArgument(f"at most {MAX_GROUP_FILTER} groups", field="group_ids")
    for position, group_id in enumerate(group_ids):
        if not group_id.strip():
            raise InvalidArgument("must not be empty", field=f"group_ids[{position}]")
    return tuple(dict.fromkeys(g.strip() for g in group_ids))


def rank_counts(counts: dict[str, int], names: dict[str, str]) -> list[GroupNoticeCount]:
    """Every known group with its count (0 if none), most notices first."""
    rows = [GroupNoticeCount(g, names.get(g, ""), counts.get(g, 0)) for g in set(counts) | set(names)]
    return sorted(rows, key=lambda r: (-r.notice_count, r.group_id))
