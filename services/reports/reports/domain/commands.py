"""Requests to the reports service, typed."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GenerateReport:
    kind: str
    period: str
    regenerate: bool = False


@dataclass(frozen=True)
class ListReports:
    kind: str = ""
    period: str = ""
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class DownloadReport:
    report_id: str
    format: str
