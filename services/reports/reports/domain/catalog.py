"""Generated reports as stored: one per (kind, period), in several formats."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StoredFile:
    format: str  # "pdf", "xlsx", "json"
    sha256: str
    size_bytes: int
    media_type: str


@dataclass(frozen=True)
class StoredReport:
    report_id: str
    kind: str
    period: str
    title: str
    text: str
    generated_at: datetime
    period_end: datetime
    visible_departments: tuple[str, ...]
    files: tuple[StoredFile, ...]

    @property
    def complete(self) -> bool:
        """Generated after its period ended, so its figures are final."""
        return self.generated_at >= self.period_end

    def visible_to(self, departments: tuple[str, ...], is_system: bool) -> bool:
        return is_system or not self.visible_departments or bool(set(departments) & set(self.visible_departments))

    def file(self, fmt: str) -> StoredFile | None:
        return next((f for f in self.files if f.format == fmt), None)
