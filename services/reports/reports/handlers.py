"""Use cases of the reports service."""
from __future__ import annotations

from hubkit.uow import apply_once
from reports.domain.model import GroupNoticeCount, group_filter, rank_counts
from reports.ports import ReportsUnitOfWork


def record_group_created(group_id: str, name: str, *, event_id: str, consumer: str,
                         uow: ReportsUnitOfWork) -> bool:
    return apply_once(uow, consumer=consumer, event_id=event_id,
                      effect=lambda u: u.notices.record_group(group_id, name))


def record_notice_published(notice_id: str, group_ids: tuple[str, ...], *, event_id: str, consumer: str,
                            uow: ReportsUnitOfWork) -> bool:
    return apply_once(uow, consumer=consumer, event_id=event_id,
                      effect=lambda u: u.notices.record_notice(notice_id, group_ids))


def notice_counts_by_group(group_ids: tuple[str, ...], *, uow: ReportsUnitOfWork) -> list[GroupNoticeCount]:
    wanted = group_filter(group_ids)
    with uow:
        counts, names = uow.notices.counts_by_group(wanted)
    return rank_counts(counts, names)
