"""The registry of report kinds: kind -> builder(uow, period, now) -> ReportDocument.

A builder runs inside an open (read-only) unit of work: it queries the read
models and hands plain records to a pure builder of the domain. A new kind is
one line in ``report_kinds``. ``cadences`` are the periods a kind accepts; the
scheduler generates each of them after such a period ends, unless the kind is
on demand only (``scheduled=False``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from reports.assessment_handlers import published_quarterly_report
from reports.domain.acknowledgement import ChronicPolicy, build_acknowledgement_report
from reports.domain.document import ReportDocument
from reports.domain.energy_report import energy_report
from reports.domain.inspection import build_weekly_inspection_report
from reports.domain.periods import Cadence, Period
from reports.energy_handlers import energy_figures_in
from reports.ports import ReportsUnitOfWork

Builder = Callable[[ReportsUnitOfWork, Period, datetime], ReportDocument]


@dataclass(frozen=True)
class ReportKind:
    kind: str
    cadences: tuple[Cadence, ...]
    build: Builder
    scheduled: bool = True

    @property
    def scheduled_cadences(self) -> tuple[Cadence, ...]:
        return self.cadences if self.scheduled else ()


def _inspection_weekly(uow: ReportsUnitOfWork, period: Period, now: datetime) -> ReportDocument:
    return build_weekly_inspection_report(
        period, now, findings=uow.activity.findings_opened_before(period.end),
        incidents=uow.activity.incidents_between(period.start, period.end))


def _acknowledgement(policy: ChronicPolicy) -> Builder:
    def build(uow: ReportsUnitOfWork, period: Period, now: datetime) -> ReportDocument:
        return build_acknowledgement_report(
            period, now, notices=uow.activity.ack_notices_published_between(period.start, period.end),
            group_names=uow.activity.group_names(), deadlines=uow.activity.deadlines_before(min(now, period.end)),
            policy=policy)
    return build


def _assessment_quarterly(uow: ReportsUnitOfWork, period: Period, now: datetime) -> ReportDocument:
    return published_quarterly_report(uow, period.label, now)  # assessment periods are named by their quarter


def _energy(uow: ReportsUnitOfWork, period: Period, now: datetime) -> ReportDocument:
    figures = energy_figures_in(uow, period.label)
    return energy_report(figures.period, figures.previous_period, figures.lines, top_n=10, generated_at=now)


def report_kinds(chronic: ChronicPolicy) -> dict[str, ReportKind]:
    kinds = (
        ReportKind("inspection.weekly", (Cadence.WEEK,), _inspection_weekly),
        ReportKind("acknowledgement", (Cadence.WEEK, Cadence.QUARTER), _acknowledgement(chronic)),
        # On demand: an assessment is reported once its period has closed, which
        # is not when the calendar quarter ends.
        ReportKind("assessment.quarterly", (Cadence.QUARTER,), _assessment_quarterly, scheduled=False),
        ReportKind("energy", (Cadence.QUARTER,), _energy),
    )
    return {k.kind: k for k in kinds}
