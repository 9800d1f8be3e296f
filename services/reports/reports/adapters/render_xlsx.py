"""A ReportDocument as an XLSX workbook: a summary sheet, then one sheet per table.

openpyxl's write-only mode streams rows to the file instead of keeping cell
objects, which is what makes 10,000-row tables quick.
"""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.domain.document import ReportDocument

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAX_SHEET_NAME = 31  # Excel's limit


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _FORBIDDEN.sub("_", title).strip("'") or "表"
    name, n = base[:_MAX_SHEET_NAME], 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[:_MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def render_xlsx(document: ReportDocument) -> bytes:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            cells.append(cell)
        return cells

    taken: set[str] = set()
    summary = workbook.create_sheet(_sheet_name("概要", taken))
    summary.append(header(summary, [document.title]))
    summary.append(["期间", document.period])
    summary.append(["生成时间", document.generated_at.isoformat()])
    for section in document.sections:
        summary.append([])
        summary.append(header(summary, [section.heading]))
        for paragraph in section.paragraphs:
            summary.append([paragraph])
        for table in section.tables:
            sheet = workbook.create_sheet(_sheet_name(table.title, taken))
            summary.append([f"见工作表：{sheet.title}", f"{len(table.rows)} 行"])
            sheet.append(header(sheet, table.columns))
            for row in table.rows:
                sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
