"""SQL repositories of inspection findings."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from notice.adapters.tables import findings
from notice.domain.findings import DONE, Finding, FindingStatus, ListFindings, Severity
from notice.ports import FindingRepository


def aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC.
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _lifecycle(finding: Finding) -> dict:
    return {
        "status": finding.status.value,
        "status_changed_at": finding.status_changed_at,
        "rectification_note": finding.rectification_note,
        "evidence_document_ids": json.dumps(list(finding.evidence_document_ids)),
        "rectified_at": finding.rectified_at,
        "verified_at": finding.verified_at,
        "reopen_reason": finding.reopen_reason,
        "reopened_count": finding.reopened_count,
    }


def _finding(row) -> Finding:
    return Finding(
        finding_id=row.finding_id, area=row.area, description=row.description, severity=Severity(row.severity),
        responsible_unit=row.responsible_unit, responsible_person=row.responsible_person,
        due_at=aware(row.due_at), inspector_id=row.inspector_id, opened_at=aware(row.opened_at),
        photo_document_ids=tuple(json.loads(row.photo_document_ids)), status=FindingStatus(row.status),
        status_changed_at=aware(row.status_changed_at), rectification_note=row.rectification_note,
        evidence_document_ids=tuple(json.loads(row.evidence_document_ids)), rectified_at=aware(row.rectified_at),
        verified_at=aware(row.verified_at), reopen_reason=row.reopen_reason, reopened_count=row.reopened_count)


_NOT_DONE = findings.c.status.not_in([s.value for s in DONE])


def older_than(moment: sa.Column, row_id: sa.Column, after: tuple[datetime, str]):
    """Rows after ``after`` in a newest-first list ordered by (moment, id)
    descending: the keyset condition of its next page."""
    at, last_id = after
    return sa.or_(moment < at, sa.and_(moment == at, row_id < last_id))


class SqlFindingRepository(FindingRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def add(self, finding: Finding) -> None:
        self.connection.execute(findings.insert().values(
            finding_id=finding.finding_id, area=finding.area, description=finding.description,
            severity=finding.severity.value, responsible_unit=finding.responsible_unit,
            responsible_person=finding.responsible_person, due_at=finding.due_at,
            inspector_id=finding.inspector_id, opened_at=finding.opened_at,
            photo_document_ids=json.dumps(list(finding.photo_document_ids)), **_lifecycle(finding)))

    def get(self, finding_id: str, *, for_update: bool = False) -> Finding | None:
        query = sa.select(findings).where(findings.c.finding_id == finding_id)
        if for_update:  # SQLite ignores it; its writers are serialised by BEGIN IMMEDIATE
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        return None if row is None else _finding(row)

    def save(self, finding: Finding) -> None:
        self.connection.execute(findings.update().where(findings.c.finding_id == finding.finding_id)
                                .values(**_lifecycle(finding)))

    def opened_between(self, start: datetime, end: datetime) -> list[Finding]:
        rows = self.connection.execute(
            sa.select(findings).where(findings.c.opened_at >= start, findings.c.opened_at < end)
            .order_by(findings.c.opened_at, findings.c.finding_id))
        return [_finding(r) for r in rows]

    def overdue(self, now: datetime, *, limit: int) -> list[Finding]:
        rows = self.connection.execute(
            sa.select(findings).where(_NOT_DONE, findings.c.due_at < now)
            .order_by(findings.c.due_at, findings.c.finding_id).limit(limit))
        return [_finding(r) for r in rows]

    def list(self, query: ListFindings, *, now: datetime, after: tuple[datetime, str] | None,
             limit: int) -> list[Finding]:
        select = sa.select(findings)
        if query.status:
            select = select.where(findings.c.status == query.status)
        if query.area:
            select = select.where(findings.c.area == query.area)
        if query.responsible_unit:
            select = select.where(findings.c.responsible_unit == query.responsible_unit)
        if query.overdue_only:
            select = select.where(_NOT_DONE, findings.c.due_at < now)
        if after is not None:
            select = select.where(older_than(findings.c.opened_at, findings.c.finding_id, after))
        rows = self.connection.execute(
            select.order_by(findings.c.opened_at.desc(), findings.c.finding_id.desc()).limit(limit))
        return [_finding(r) for r in rows]
