"""Use cases of the reports service."""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Callable

from hubkit.auth import Caller
from hubkit.errors import AlreadyExists, InvalidArgument, NotFound
from hubkit.ids import new_id
from hubkit.uow import apply_once
from reports.domain import commands, facts
from reports.domain.catalog import StoredFile, StoredReport
from reports.domain.document import ReportDocument
from reports.domain.model import GroupNoticeCount, group_filter, rank_counts
from reports.domain.periods import Period, last_completed, parse_period
from reports.domain.text import plain_text
from reports.ports import ReportsUnitOfWork

Clock = Callable[[], datetime]
UowFactory = Callable[..., ReportsUnitOfWork]
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# --- read models --------------------------------------------------------------

@dataclass(frozen=True)
class ConsumedEvent:
    event_id: str
    event_type: str
    occurred_at: datetime
    body: str  # the payload as proto3 JSON, for the journal


def project(fact: facts.Fact, uow: ReportsUnitOfWork) -> None:
    """Apply one fact to the read models (the same on arrival and on replay)."""
    match fact:
        case facts.GroupNamed():
            uow.notices.record_group(fact.group_id, fact.name)
        case facts.NoticePublished():
            uow.notices.record_notice(fact.notice_id, fact.group_ids)
            uow.activity.notice_published(fact)
        case facts.NoticeRevoked():
            uow.activity.notice_revoked(fact)
        case facts.ReceiptRead():
            uow.activity.receipt_read(fact)
        case facts.ReceiptAcknowledged():
            uow.activity.receipt_acknowledged(fact)
        case facts.NoticeOverdue():
            uow.activity.notice_overdue(fact)
        case facts.FindingOpened():
            uow.activity.finding_opened(fact)
        case facts.FindingStatusChanged():
            uow.activity.finding_status_changed(fact)
        case facts.IncidentReported():
            uow.activity.incident_reported(fact)
        case _:
            raise TypeError(f"no projection for {type(fact).__name__}")


def consume_event(event: ConsumedEvent, fact: facts.Fact, *, consumer: str, uow: ReportsUnitOfWork) -> bool:
    """Journal the event and project it, once; False for a repeat."""
    def effect(u: ReportsUnitOfWork) -> None:
        u.journal.append(event.event_id, event.event_type, event.occurred_at, event.body)
        project(fact, u)
    return apply_once(uow, consumer=consumer, event_id=event.event_id, effect=effect)


def rebuild_read_models(*, uow: ReportsUnitOfWork,
                        decode: Callable[[str, datetime, str], facts.Fact]) -> int:
    """Empty the read models and replay the journal in order, in one
    transaction (readers see the old figures until it commits)."""
    replayed = 0
    with uow:
        uow.activity.clear()
        for event_type, occurred_at, body in uow.journal.entries():
            project(decode(event_type, occurred_at, body), uow)
            replayed += 1
        uow.commit()
    return replayed


def notice_counts_by_group(group_ids: tuple[str, ...], *, caller: Caller,
                           uow: ReportsUnitOfWork) -> list[GroupNoticeCount]:
    wanted = group_filter(group_ids)
    if not wanted and not caller.is_system:  # listing every group's name is for operators
        raise InvalidArgument("name the groups; only a system caller lists every group", field="group_ids")
    with uow:
        counts, names = uow.notices.counts_by_group(wanted)
    return rank_counts(counts, names)


# --- report generation ----------------------------------------------------------

@dataclass(frozen=True)
class Pipeline:
    """What generating a report needs besides the database."""
    kinds: dict  # kind -> report_kinds.ReportKind
    renderers: dict  # format -> adapters.rendering.Renderer
    zone: tzinfo


def _kind(pipeline: Pipeline, kind: str, *, field: str = "kind"):
    if not kind.strip():
        raise InvalidArgument("must not be empty", field=field)
    found = pipeline.kinds.get(kind.strip())
    if found is None:
        raise InvalidArgument(f"unknown report kind {kind!r}; known: {', '.join(sorted(pipeline.kinds))}",
                              field=field)
    return found


def _period_for(report_kind, text: str, pipeline: Pipeline, now: datetime) -> Period:
    if not text.strip():
        raise InvalidArgument("must not be empty", field="period")
    period = parse_period(text, pipeline.zone)
    if period.cadence not in report_kind.cadences:
        accepted = " or ".join(c.value for c in report_kind.cadences)
        raise InvalidArgument(f"{report_kind.kind} covers a {accepted}, not a {period.cadence.value}", field="period")
    if period.start > now:
        raise InvalidArgument(f"{period.label} has not begun", field="period")
    return period


def _render(document: ReportDocument, period: Period, report_id: str, pipeline: Pipeline,
            now: datetime) -> tuple[StoredReport, dict[str, bytes]]:
    contents = {fmt: renderer.render(document) for fmt, renderer in pipeline.renderers.items()}
    files = tuple(StoredFile(fmt, hashlib.sha256(data).hexdigest(), len(data), pipeline.renderers[fmt].media_type)
                  for fmt, data in sorted(contents.items()))
    report = StoredReport(report_id=report_id, kind=document.kind, period=period.label, title=document.title,
                          text=plain_text(document), generated_at=now, period_end=period.end,
                          visible_departments=document.visible_departments, files=files)
    return report, contents


def _generate(report_kind, period: Period, *, replace_complete: bool, uow_factory: UowFactory, pipeline: Pipeline,
              now: datetime) -> tuple[StoredReport, bool]:
    """Build, render and store a report unless a suitable one exists.

    Building reads one snapshot and rendering happens outside any write
    transaction; the write then claims (kind, period) and checks again, so
    two generators racing store one report (the unique key turns the loser's
    insert into an error, and its transaction rolls back whole).
    """
    def keep(existing: StoredReport | None) -> bool:
        return existing is not None and (existing.complete or now < period.end) and not replace_complete

    with uow_factory(read_only=True) as uow:
        existing = uow.reports.find(report_kind.kind, period.label)
        if keep(existing):
            return existing, False
        document = report_kind.build(uow, period, now)
    report_id = existing.report_id if existing else new_id()
    report, contents = _render(document, period, report_id, pipeline, now)
    try:
        with uow_factory() as uow:
            current = uow.reports.find(report_kind.kind, period.label)
            if current is not None and (current.report_id != report_id or keep(current)):
                return current, False
            uow.reports.save(report, contents)
            uow.announce(report)
            uow.commit()
    except AlreadyExists:  # a concurrent generator stored it first
        with uow_factory(read_only=True) as uow:
            return uow.reports.find(report_kind.kind, period.label), False
    return report, True


def generate_report(cmd: commands.GenerateReport, *, caller: Caller, uow_factory: UowFactory, pipeline: Pipeline,
                    clock: Clock = utc_now) -> tuple[StoredReport, bool]:
    """(report, created). An existing report is kept unless ``regenerate``,
    except that one generated before its period ended is rebuilt once it has."""
    now = clock()
    report_kind = _kind(pipeline, cmd.kind)
    period = _period_for(report_kind, cmd.period, pipeline, now)
    return _generate(report_kind, period, replace_complete=cmd.regenerate, uow_factory=uow_factory,
                     pipeline=pipeline, now=now)


def run_schedule(*, uow_factory: UowFactory, pipeline: Pipeline, delay: timedelta,
                 clock: Clock = utc_now) -> list[StoredReport]:
    """Generate every scheduled kind for the latest period that ended at least
    ``delay`` ago, unless a complete report of it exists. Safe to run any
    number of times, from any number of workers."""
    now = clock()
    generated = []
    for report_kind in pipeline.kinds.values():
        for cadence in report_kind.scheduled_cadences:
            period = last_completed(now - delay, cadence, pipeline.zone)
            report, created = _generate(report_kind, period, replace_complete=False, uow_factory=uow_factory,
                                        pipeline=pipeline, now=now)
            if created:
                generated.append(report)
    return generated


# --- stored reports ----------------------------------------------------------------

def _page_size(size: int) -> int:
    if size == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"must be between 1 and {MAX_PAGE_SIZE}", field="page_size")
    return size


def _encode_token(position: int) -> str:
    return base64.urlsafe_b64encode(f"r{position}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> int | None:
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if text.startswith("r") and text[1:].isascii() and text[1:].isdigit() and int(text[1:]) < 2**63:
            return int(text[1:])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidArgument("is not a token this service issued", field="page_token")


def list_reports(query: commands.ListReports, *, caller: Caller, uow: ReportsUnitOfWork,
                 pipeline: Pipeline) -> tuple[list[StoredReport], str]:
    """Reports the caller may see, newest first, and the next page's token."""
    kind = _kind(pipeline, query.kind).kind if query.kind else ""
    period = parse_period(query.period, pipeline.zone).label if query.period else ""
    size = _page_size(query.page_size)
    after = _decode_token(query.page_token)
    found: list[StoredReport] = []
    last_returned = None
    with uow:
        while True:
            batch = uow.reports.page(kind=kind, period=period, after=after, limit=size + 1)
            for position, report in batch:
                after = position
                if not report.visible_to(caller.departments, caller.is_system):
                    continue
                if len(found) == size:
                    return found, _encode_token(last_returned)
                found.append(report)
                last_returned = position
            if len(batch) <= size:
                return found, ""


def download_report(query: commands.DownloadReport, *, caller: Caller,
                    uow: ReportsUnitOfWork) -> tuple[StoredFile, bytes]:
    if not query.report_id.strip():
        raise InvalidArgument("must not be empty", field="report_id")
    with uow:
        report = uow.reports.get(query.report_id.strip())
        # A report the caller may not see is reported as absent.
        if report is None or not report.visible_to(caller.departments, caller.is_system):
            raise NotFound(f"no report {query.report_id!r}", field="report_id")
        file = report.file(query.format)
        if file is None:
            raise NotFound(f"report {report.report_id} has no {query.format or 'unspecified'} rendering",
                           field="format")
        content = uow.reports.content(file.sha256)
    if content is None:
        raise NotFound(f"report {report.report_id} lost its {file.format} content", field="format")
    return file, content
