"""SQL read models, event journal, report store and unit of work of the reports service."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from hub.events.v1 import reports_events_pb2
from hubkit.envelope import new_envelope
from hubkit.errors import AlreadyExists
from hubkit.uow import SqlUnitOfWork
from reports.adapters.assessment_repository import SqlAssessmentRepository
from reports.adapters.energy_repository import SqlEnergyRepository
from reports.adapters.tables import (
    event_journal, group_names, notice_groups, report_contents, report_files, reports, rm_findings, rm_incidents,
    rm_laggards, rm_notices, rm_receipts,
)
from reports.domain import facts
from reports.domain.catalog import StoredFile, StoredReport
from reports.domain.findings import rectified_at_after
from reports.domain.records import AckNotice, Acknowledgement, Finding, Incident, PersonDeadline
from reports.ports import ActivityReadModel, EventJournal, NoticeReadModel, ReportStore, ReportsUnitOfWork

JOURNAL_BATCH = 1000


def _utc(moment: datetime | None) -> datetime | None:
    """Everything is stored and compared in UTC: SQLite keeps a datetime's wall
    time without its offset, and hands back naive datetimes."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _upsert(connection: Connection, table: sa.Table, key: dict, values: dict) -> None:
    """Update the row with this key, or insert it (portable across SQLite and PostgreSQL)."""
    condition = sa.and_(*(table.c[name] == value for name, value in key.items()))
    if values and connection.execute(table.update().where(condition).values(**values)).rowcount:
        return
    if not values and connection.execute(sa.select(sa.literal(1)).select_from(table).where(condition)).first():
        return
    connection.execute(table.insert().values(**key, **values))


class SqlNoticeReadModel(NoticeReadModel):
    def __init__(self, connection: Connection):
        self.connection = connection

    def record_group(self, group_id: str, name: str) -> None:
        _upsert(self.connection, group_names, {"group_id": group_id}, {"name": name})

    def record_notice(self, notice_id: str, group_ids: tuple[str, ...]) -> None:
        known = set(self.connection.execute(
            sa.select(notice_groups.c.group_id).where(notice_groups.c.notice_id == notice_id)).scalars())
        fresh = [{"notice_id": notice_id, "group_id": g} for g in dict.fromkeys(group_ids) if g not in known]
        if fresh:
            self.connection.execute(notice_groups.insert(), fresh)

    def counts_by_group(self, group_ids: tuple[str, ...]) -> tuple[dict[str, int], dict[str, str]]:
        count_query = sa.select(notice_groups.c.group_id, sa.func.count()).group_by(notice_groups.c.group_id)
        name_query = sa.select(group_names.c.group_id, group_names.c.name)
        if group_ids:
            count_query = count_query.where(notice_groups.c.group_id.in_(group_ids))
            name_query = name_query.where(group_names.c.group_id.in_(group_ids))
        counts = {g: int(n) for g, n in self.connection.execute(count_query)}
        names = {g: name for g, name in self.connection.execute(name_query)}
        return counts, names


class SqlActivityReadModel(ActivityReadModel):
    def __init__(self, connection: Connection):
        self.connection = connection

    def clear(self) -> None:
        for table in (group_names, notice_groups, rm_notices, rm_receipts, rm_laggards, rm_findings, rm_incidents):
            self.connection.execute(table.delete())

    # --- projections ---------------------------------------------------------
    def notice_published(self, fact: facts.NoticePublished) -> None:
        _upsert(self.connection, rm_notices, {"notice_id": fact.notice_id}, {
            "title": fact.title[:500], "author_department": fact.author_department[:100],
            "published_at": fact.published_at, "requires_ack": fact.requires_ack,
            "ack_deadline": fact.ack_deadline, "recipient_count": fact.recipient_count})

    def notice_revoked(self, fact: facts.NoticeRevoked) -> None:
        self.connection.execute(rm_notices.update().where(rm_notices.c.notice_id == fact.notice_id)
                                .values(revoked_at=fact.revoked_at))

    def _receipt(self, notice_id: str, user_id: str) -> sa.Row | None:
        return self.connection.execute(sa.select(rm_receipts).where(
            rm_receipts.c.notice_id == notice_id, rm_receipts.c.user_id == user_id)).first()

    def receipt_read(self, fact: facts.ReceiptRead) -> None:
        known = self._receipt(fact.notice_id, fact.user_id)
        read_at = fact.read_at if known is None or known.read_at is None else min(_utc(known.read_at), fact.read_at)
        _upsert(self.connection, rm_receipts, {"notice_id": fact.notice_id, "user_id": fact.user_id},
                {"department": fact.department[:100], "read_at": read_at})

    def receipt_acknowledged(self, fact: facts.ReceiptAcknowledged) -> None:
        known = self._receipt(fact.notice_id, fact.user_id)
        if known is not None and known.acknowledged_at is not None:
            return  # acknowledged once; the first time counts
        _upsert(self.connection, rm_receipts, {"notice_id": fact.notice_id, "user_id": fact.user_id},
                {"department": fact.department[:100], "acknowledged_at": fact.acknowledged_at})

    def notice_overdue(self, fact: facts.NoticeOverdue) -> None:
        for user_id, department in fact.laggards:
            _upsert(self.connection, rm_laggards, {"notice_id": fact.notice_id, "user_id": user_id},
                    {"department": department[:100], "ack_deadline": fact.ack_deadline})

    def finding_opened(self, fact: facts.FindingOpened) -> None:
        details = {"area": fact.area[:200], "description": fact.description, "severity": fact.severity,
                   "responsible_unit": fact.responsible_unit[:200], "opened_at": fact.opened_at, "due_at": fact.due_at}
        # A status change may have arrived first; its status stands.
        if not self.connection.execute(rm_findings.update().where(
                rm_findings.c.finding_id == fact.finding_id).values(**details)).rowcount:
            self.connection.execute(rm_findings.insert().values(finding_id=fact.finding_id, status="OPEN", **details))

    def finding_status_changed(self, fact: facts.FindingStatusChanged) -> None:
        known = self.connection.execute(sa.select(rm_findings).where(
            rm_findings.c.finding_id == fact.finding_id)).first()
        rectified_at = rectified_at_after(fact.to_status, fact.changed_at, _utc(known.rectified_at) if known else None)
        if known is not None:
            self.connection.execute(rm_findings.update().where(rm_findings.c.finding_id == fact.finding_id)
                                    .values(status=fact.to_status, rectified_at=rectified_at))
            return
        self.connection.execute(rm_findings.insert().values(
            finding_id=fact.finding_id, area=fact.area[:200], description="", severity=fact.severity,
            responsible_unit=fact.responsible_unit[:200], status=fact.to_status,
            opened_at=fact.opened_at or fact.changed_at, due_at=fact.due_at, rectified_at=rectified_at))

    def incident_reported(self, fact: facts.IncidentReported) -> None:
        _upsert(self.connection, rm_incidents, {"incident_id": fact.incident_id}, {
            "kind": fact.kind[:100], "location": fact.location[:200], "department": fact.department[:100],
            "reported_at": fact.reported_at})

    # --- queries -------------------------------------------------------------
    def findings_opened_before(self, end: datetime) -> list[Finding]:
        rows = self.connection.execute(sa.select(rm_findings).where(rm_findings.c.opened_at < _utc(end)))
        return [Finding(r.finding_id, r.area, r.description, r.severity, r.responsible_unit, r.status,
                        _utc(r.opened_at), _utc(r.due_at), _utc(r.rectified_at)) for r in rows]

    def incidents_between(self, start: datetime, end: datetime) -> list[Incident]:
        rows = self.connection.execute(sa.select(rm_incidents).where(
            rm_incidents.c.reported_at >= _utc(start), rm_incidents.c.reported_at < _utc(end)))
        return [Incident(r.incident_id, r.kind, r.location, r.department, _utc(r.reported_at)) for r in rows]

    def ack_notices_published_between(self, start: datetime, end: datetime) -> list[AckNotice]:
        wanted = sa.select(rm_notices.c.notice_id).where(
            rm_notices.c.requires_ack.is_(True), rm_notices.c.revoked_at.is_(None),
            rm_notices.c.published_at >= _utc(start), rm_notices.c.published_at < _utc(end))
        groups: dict[str, list[str]] = defaultdict(list)
        for notice_id, group_id in self.connection.execute(
                sa.select(notice_groups.c.notice_id, notice_groups.c.group_id)
                .where(notice_groups.c.notice_id.in_(wanted)).order_by(notice_groups.c.group_id)):
            groups[notice_id].append(group_id)
        acks: dict[str, list[Acknowledgement]] = defaultdict(list)
        for r in self.connection.execute(sa.select(rm_receipts).where(
                rm_receipts.c.notice_id.in_(wanted), rm_receipts.c.acknowledged_at.is_not(None))):
            acks[r.notice_id].append(Acknowledgement(r.user_id, r.department, _utc(r.acknowledged_at)))
        laggards: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in self.connection.execute(sa.select(rm_laggards).where(rm_laggards.c.notice_id.in_(wanted))):
            laggards[r.notice_id].append((r.user_id, r.department))
        notices = self.connection.execute(sa.select(rm_notices).where(rm_notices.c.notice_id.in_(wanted))
                                          .order_by(rm_notices.c.published_at, rm_notices.c.notice_id))
        return [AckNotice(n.notice_id, n.title, tuple(groups[n.notice_id]), _utc(n.published_at),
                          _utc(n.ack_deadline), n.recipient_count,
                          tuple(sorted(acks[n.notice_id], key=lambda a: a.user_id)),
                          tuple(sorted(laggards[n.notice_id]))) for n in notices]

    def deadlines_before(self, end: datetime) -> list[PersonDeadline]:
        live = sa.and_(rm_notices.c.requires_ack.is_(True), rm_notices.c.revoked_at.is_(None),
                       rm_notices.c.ack_deadline.is_not(None), rm_notices.c.ack_deadline < _utc(end))
        found: dict[tuple[str, str], PersonDeadline] = {}
        receipts = self.connection.execute(
            sa.select(rm_receipts.c.user_id, rm_receipts.c.department, rm_receipts.c.notice_id,
                      rm_receipts.c.acknowledged_at, rm_notices.c.ack_deadline)
            .join(rm_notices, rm_notices.c.notice_id == rm_receipts.c.notice_id).where(live))
        for r in receipts:
            deadline = _utc(r.ack_deadline)
            missed = r.acknowledged_at is None or _utc(r.acknowledged_at) > deadline
            found[(r.user_id, r.notice_id)] = PersonDeadline(r.user_id, r.department, r.notice_id, deadline, missed)
        laggards = self.connection.execute(
            sa.select(rm_laggards).join(rm_notices, rm_notices.c.notice_id == rm_laggards.c.notice_id).where(live))
        for r in laggards:
            found[(r.user_id, r.notice_id)] = PersonDeadline(r.user_id, r.department, r.notice_id,
                                                              _utc(r.ack_deadline), True)
        return list(found.values())

    def group_names(self) -> dict[str, str]:
        return dict(self.connection.execute(sa.select(group_names.c.group_id, group_names.c.name)).all())


class SqlEventJournal(EventJournal):
    def __init__(self, connection: Connection):
        self.connection = connection

    def append(self, event_id: str, event_type: str, occurred_at: datetime, body: str) -> None:
        self.connection.execute(event_journal.insert().values(
            event_id=event_id, event_type=event_type, occurred_at=occurred_at, body=body,
            recorded_at=datetime.now(timezone.utc)))

    def entries(self) -> Iterator[tuple[str, datetime, str]]:
        last = 0
        while True:
            batch = self.connection.execute(
                sa.select(event_journal.c.seq, event_journal.c.event_type, event_journal.c.occurred_at,
                          event_journal.c.body)
                .where(event_journal.c.seq > last).order_by(event_journal.c.seq).limit(JOURNAL_BATCH)).all()
            if not batch:
                return
            for row in batch:
                yield row.event_type, _utc(row.occurred_at), row.body
            last = batch[-1].seq


class SqlReportStore(ReportStore):
    def __init__(self, connection: Connection):
        self.connection = connection

    def _files(self, report_ids: list[str]) -> dict[str, tuple[StoredFile, ...]]:
        found: dict[str, list[StoredFile]] = defaultdict(list)
        if report_ids:
            for r in self.connection.execute(sa.select(report_files).where(report_files.c.report_id.in_(report_ids))
                                             .order_by(report_files.c.format)):
                found[r.report_id].append(StoredFile(r.format, r.sha256, int(r.size_bytes), r.media_type))
        return {report_id: tuple(files) for report_id, files in found.items()}

    def _reports(self, rows) -> list[tuple[int, StoredReport]]:
        rows = list(rows)
        files = self._files([r.report_id for r in rows])
        return [(r.seq, StoredReport(
            r.report_id, r.kind, r.period, r.title, r.text, _utc(r.generated_at), _utc(r.period_end),
            tuple(d for d in r.visible_departments.split("\n") if d), files.get(r.report_id, ()))) for r in rows]

    def _one(self, condition) -> StoredReport | None:
        found = self._reports(self.connection.execute(sa.select(reports).where(condition)))
        return found[0][1] if found else None

    def find(self, kind: str, period: str) -> StoredReport | None:
        return self._one(sa.and_(reports.c.kind == kind, reports.c.period == period))

    def get(self, report_id: str) -> StoredReport | None:
        return self._one(reports.c.report_id == report_id)

    def save(self, report: StoredReport, contents: dict[str, bytes]) -> None:
        try:
            _upsert(self.connection, reports, {"report_id": report.report_id}, {
                "kind": report.kind, "period": report.period, "title": report.title[:500], "text": report.text,
                "visible_departments": "\n".join(report.visible_departments),
                "generated_at": _utc(report.generated_at), "period_end": _utc(report.period_end)})
        except IntegrityError:
            raise AlreadyExists(f"a {report.kind} report of {report.period} exists", field="period") from None
        self.connection.execute(report_files.delete().where(report_files.c.report_id == report.report_id))
        for file in report.files:
            self.connection.execute(report_files.insert().values(
                report_id=report.report_id, format=file.format, sha256=file.sha256, size_bytes=file.size_bytes,
                media_type=file.media_type))
            if self.content(file.sha256) is None:  # same hash, same bytes: stored once
                self.connection.execute(report_contents.insert().values(
                    sha256=file.sha256, content=contents[file.format]))
        # Renderings no report refers to any more (replaced by a regeneration).
        self.connection.execute(report_contents.delete().where(
            report_contents.c.sha256.not_in(sa.select(report_files.c.sha256))))

    def page(self, *, kind: str, period: str, after: int | None, limit: int) -> list[tuple[int, StoredReport]]:
        query = sa.select(reports).order_by(reports.c.seq.desc()).limit(limit)
        if kind:
            query = query.where(reports.c.kind == kind)
        if period:
            query = query.where(reports.c.period == period)
        if after is not None:
            query = query.where(reports.c.seq < after)
        return self._reports(self.connection.execute(query))

    def content(self, sha256: str) -> bytes | None:
        return self.connection.execute(sa.select(report_contents.c.content).where(
            report_contents.c.sha256 == sha256)).scalar()


def report_generated(report: StoredReport):
    payload = reports_events_pb2.ReportGenerated(
        report_id=report.report_id, kind=report.kind, title=report.title, period=report.period,
        formats=[f.format for f in report.files], text=report.text,
        visible_departments=list(report.visible_departments))
    payload.generated_at.FromDatetime(report.generated_at)
    return new_envelope("report.generated", payload)


class SqlReportsUnitOfWork(SqlUnitOfWork, ReportsUnitOfWork):
    def _on_enter(self, connection: Connection) -> None:
        self.notices = SqlNoticeReadModel(connection)
        self.assessments = SqlAssessmentRepository(connection)
        self.energy = SqlEnergyRepository(connection)
        self.activity = SqlActivityReadModel(connection)
        self.journal = SqlEventJournal(connection)
        self.reports = SqlReportStore(connection)

    def announce(self, report: StoredReport) -> None:
        self.emit(report_generated(report))
