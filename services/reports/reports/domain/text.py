"""Plain text of a report for the search index: headings, paragraphs and the
figures of every table, one line each."""
from __future__ import annotations

from reports.domain.document import ReportDocument

MAX_TEXT_CHARS = 50_000


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def plain_text(document: ReportDocument) -> str:
    lines = [document.title, document.period]
    for section in document.sections:
        lines.append(section.heading)
        lines.extend(section.paragraphs)
        for table in section.tables:
            lines.append(table.title)
            lines.append(" ".join(table.columns))
            lines.extend(" ".join(_cell(v) for v in row) for row in table.rows)
    return "\n".join(lines)[:MAX_TEXT_CHARS]
