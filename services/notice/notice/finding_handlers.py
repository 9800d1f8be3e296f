"""Use cases of inspection findings (问题整改): fn(command, *, caller, uow, ...) -> result.

Every step stores the finding, its event (outbox) and an audit entry in one
transaction. Findings are visible to everyone signed in: the weekly review
discusses them openly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from hubkit.auth import Caller
from hubkit.errors import InvalidArgument, NotFound
from notice.domain import finding_review, findings, paging
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.findings import Finding, FindingStatus
from notice.handlers import Clock, new_id, utc_now
from notice.ports import NoticeUnitOfWork

# The overdue list of a weekly review is capped; ListFindings pages through all.
MAX_OVERDUE_IN_REVIEW = 500


def _actor(caller: Caller) -> findings.Actor:
    return findings.Actor(caller.user_id, caller.departments)


def _finding_id(raw: str) -> str:
    finding_id = raw.strip()
    if not finding_id:
        raise InvalidArgument("must not be empty", field="finding_id")
    return finding_id


def _audit_detail(changed: findings.FindingStatusChanged) -> dict:
    detail = {"from": changed.from_status.value, "to": changed.to_status.value}
    if changed.note:
        detail["note"] = changed.note
    if changed.evidence_document_ids:
        detail["evidence_document_ids"] = list(changed.evidence_document_ids)
    return detail


def open_finding(cmd: findings.OpenFinding, *, caller: Caller, uow: NoticeUnitOfWork,
                 clock: Clock = utc_now) -> Finding:
    now = clock()
    finding = findings.open_finding(cmd, finding_id=new_id(), inspector_id=caller.user_id, now=now)
    with uow:
        uow.findings.add(finding)
        for event in finding.events:
            uow.publish(event)
        uow.audit.record(AuditEntry(EntityKind.FINDING, finding.finding_id, "opened", caller.user_id, now, {
            "area": finding.area, "severity": finding.severity.value, "responsible_unit": finding.responsible_unit,
            "responsible_person": finding.responsible_person, "due_at": finding.due_at.isoformat()}))
        uow.commit()
    return finding


def _change(finding_id: str, step: Callable[[Finding, findings.Actor, datetime], findings.FindingStatusChanged], *,
            caller: Caller, uow: NoticeUnitOfWork, clock: Clock) -> Finding:
    """Load the finding (locked), take one lifecycle step, store it with its
    event and audit entry."""
    finding_id = _finding_id(finding_id)
    with uow:
        finding = uow.findings.get(finding_id, for_update=True)
        if finding is None:
            raise NotFound(f"no finding {finding_id!r}", field="finding_id")
        now = clock()
        changed = step(finding, _actor(caller), now)
        uow.findings.save(finding)
        uow.publish(changed)
        uow.audit.record(AuditEntry(EntityKind.FINDING, finding_id, findings.action_of(changed), caller.user_id,
                                    now, _audit_detail(changed)))
        uow.commit()
    return finding


def start_rectification(cmd: findings.StartRectification, *, caller: Caller, uow: NoticeUnitOfWork,
                        clock: Clock = utc_now) -> Finding:
    return _change(cmd.finding_id, lambda f, actor, now: f.start(actor, now), caller=caller, uow=uow, clock=clock)


def rectify_finding(cmd: findings.RectifyFinding, *, caller: Caller, uow: NoticeUnitOfWork,
                    clock: Clock = utc_now) -> Finding:
    return _change(cmd.finding_id, lambda f, actor, now: f.rectify(
        actor, now, note=cmd.note, evidence_document_ids=cmd.evidence_document_ids), caller=caller, uow=uow,
        clock=clock)


def verify_finding(cmd: findings.VerifyFinding, *, caller: Caller, uow: NoticeUnitOfWork,
                   clock: Clock = utc_now) -> Finding:
    return _change(cmd.finding_id, lambda f, actor, now: f.verify(actor, now), caller=caller, uow=uow, clock=clock)


def reopen_finding(cmd: findings.ReopenFinding, *, caller: Caller, uow: NoticeUnitOfWork,
                   clock: Clock = utc_now) -> Finding:
    return _change(cmd.finding_id, lambda f, actor, now: f.reopen(actor, now, reason=cmd.reason), caller=caller,
                   uow=uow, clock=clock)


def get_finding(query: findings.GetFinding, *, caller: Caller, uow: NoticeUnitOfWork) -> Finding:
    finding_id = _finding_id(query.finding_id)
    with uow:
        finding = uow.findings.get(finding_id)
    if finding is None:
        raise NotFound(f"no finding {finding_id!r}", field="finding_id")
    return finding


@dataclass(frozen=True)
class FindingPage:
    findings: list[Finding]
    next_page_token: str


def list_findings(query: findings.ListFindings, *, caller: Caller, uow: NoticeUnitOfWork,
                  clock: Clock = utc_now) -> FindingPage:
    if query.status and query.status not in {s.value for s in FindingStatus}:
        raise InvalidArgument(f"{query.status!r} is not a finding status", field="status")
    keys = paging.keyset(query.page_size, query.page_token, key_types=(datetime, str),
                         scope=("findings", query.status, query.area, query.responsible_unit,
                                "overdue" if query.overdue_only else "any"),
                         default=paging.DEFAULT_PAGE_SIZE, maximum=paging.MAX_PAGE_SIZE)
    with uow:
        rows = uow.findings.list(query, now=clock(), after=keys.after, limit=keys.limit + 1)
    page = keys.page(rows, lambda finding: (finding.opened_at, finding.finding_id))
    return FindingPage(page.items, page.next_page_token)


def weekly_review(at: datetime | None, *, caller: Caller, uow: NoticeUnitOfWork, time_zone: str,
                  clock: Clock = utc_now) -> finding_review.WeeklyReview:
    """This week's findings (the ISO week of ``at`` in ``time_zone``) grouped
    by area, unit and severity; last week's with their current status; and
    those overdue at ``at``. ``at`` None: now."""
    at = at or clock()
    zone = ZoneInfo(time_zone)
    week = finding_review.week_of(at, zone)
    last_week = week.previous(zone)
    with uow:
        this_week = uow.findings.opened_between(week.start, week.end)
        opened_last_week = uow.findings.opened_between(last_week.start, last_week.end)
        overdue = uow.findings.overdue(at, limit=MAX_OVERDUE_IN_REVIEW)
    return finding_review.weekly_review(at=at, time_zone=time_zone, week=week, last_week=last_week,
                                        this_week=this_week, opened_last_week=opened_last_week, overdue=overdue)
