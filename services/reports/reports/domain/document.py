"""A generated report, independent of its output format.

Every report (assessment ranking, weekly inspection, acknowledgement, energy)
is built as a ``ReportDocument``; renderers turn one into JSON, XLSX or PDF.
Values in tables are plain str, int, float or None so every format can show
them; charts name the table columns they plot.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class ChartKind(str, Enum):
    BAR = "bar"
    LINE = "line"


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class Chart:
    title: str
    kind: ChartKind
    table: Table
    label_column: str  # category axis
    value_columns: tuple[str, ...]  # one series each


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()  # e.g. the formula of a computation
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class ReportDocument:
    kind: str  # e.g. "assessment.quarterly", "inspection.weekly", "acknowledgement", "energy"
    title: str
    period: str  # e.g. "2026Q3", "2026-W47"
    generated_at: datetime
    sections: tuple[Section, ...] = field(default_factory=tuple)
    visible_departments: tuple[str, ...] = ()  # empty: everyone
