"""The periodic sweep: publish scheduled notices that are due, remind those
who have not acknowledged, escalate after the deadline.

Each notice is handled in its own transaction, and each reminder stage is
recorded (unique per notice and stage) in the transaction of its outbox row:
a crash loses nothing, a rerun or a second worker sends nothing twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy.exc

from hubkit.auth import SYSTEM_ROLE, Caller
from notice.domain import events, reminders
from notice.domain.audit import EntityKind
from notice.domain.kinds import Status
from notice.handler_support import Clock, record, utc_now
from notice.handlers import deliver
from notice.ports import NoticeUnitOfWork

log = logging.getLogger(__name__)

SWEEPER = Caller(user_id="system:reminders", roles=(SYSTEM_ROLE,))
BATCH = 200


@dataclass
class SweepResult:
    published: int = 0
    reminders: int = 0
    escalations: int = 0


def sweep(*, uow: NoticeUnitOfWork, schedule: tuple[int, ...], clock: Clock = utc_now) -> SweepResult:
    result = SweepResult()
    now = clock()
    with uow:
        due = uow.notices.due_for_publication(now, BATCH)
    for notice_id in due:
        result.published += _once(lambda: _publish_scheduled(uow, notice_id, clock()))
    with uow:
        waiting = uow.notices.due_for_reminders(now, BATCH)
    for notice_id in waiting:
        outcome = _once(lambda: _remind(uow, notice_id, schedule, clock()))
        if outcome:
            result.reminders += outcome[0]
            result.escalations += outcome[1]
    return result


def replan(*, uow: NoticeUnitOfWork, clock: Clock = utc_now) -> int:
    """Makes every notice still awaiting reminders due, for the sweep to plan
    it anew. The worker runs it as it starts: its schedule may have changed
    since the notices were planned (a point added before a notice's planned
    time would be passed unsent), and notices delivered by an older version
    of the hub carry no plan. Returns their number."""
    with uow:
        count = uow.notices.make_awaiting_due(clock())
        uow.commit()
    return count


def _once(step):
    """Run one notice's step; another sweeper that got there first makes the
    unique stage (or status) insert fail: that notice is done, skip it."""
    try:
        return step()
    except sqlalchemy.exc.IntegrityError:
        log.info("reminder sweep: a concurrent sweep handled this notice")
        return 0


def _publish_scheduled(uow: NoticeUnitOfWork, notice_id: str, now) -> int:
    with uow:
        notice = uow.notices.get(notice_id, for_update=True)
        if notice is None or notice.status is not Status.SCHEDULED or notice.published_at > now:
            return 0
        deliver(uow, notice, now)
        record(uow, EntityKind.NOTICE, notice_id, "published", SWEEPER, now, scheduled_for=notice.published_at.isoformat(),
               recipient_count=notice.recipient_count)
        uow.commit()
    return 1


def _remind(uow: NoticeUnitOfWork, notice_id: str, schedule: tuple[int, ...], now) -> tuple[int, int]:
    with uow:
        # Locked: a revocation committing meanwhile would otherwise still be
        # reminded, and a concurrent sweeper waits here instead of failing.
        notice = uow.notices.get(notice_id, for_update=True)
        if notice is None or notice.status is not Status.PUBLISHED or notice.ack_deadline is None:
            uow.notices.set_next_reminder(notice_id, None)  # revoked (or gone): nothing left to do
            uow.commit()
            return 0, 0
        sent = uow.reminders.sent_stages(notice_id)
        plan = reminders.plan_reminders(published_at=notice.published_at, deadline=notice.ack_deadline, now=now,
                                        schedule=schedule, sent=sent)
        uow.notices.set_next_reminder(notice_id, reminders.next_reminder_at(
            published_at=notice.published_at, deadline=notice.ack_deadline, schedule=schedule,
            sent=sent | set(plan.stages)))
        if not plan.stages:
            uow.commit()
            return 0, 0
        pending = tuple(uow.receipts.pending_acknowledgement(notice_id))
        for stage in plan.stages:
            uow.reminders.record(notice_id, stage, now, len(pending))
        reminded = escalated = 0
        if plan.remind_percent is not None and pending:
            uow.publish(events.ReminderDue(notice_id, notice.title, notice.ack_deadline, pending, plan.remind_percent))
            reminded = 1
        if plan.escalate and pending:
            managers = tuple(uow.groups.managers_of(notice.group_ids))
            uow.publish(events.NoticeOverdue(notice_id, notice.title, notice.ack_deadline, pending,
                                             managers or (notice.author_id,), notice.group_ids))
            escalated = 1
        record(uow, EntityKind.NOTICE, notice_id, "escalated" if plan.escalate else "reminded", SWEEPER, now,
               stages=list(plan.stages), pending=len(pending))
        uow.commit()
    return reminded, escalated
