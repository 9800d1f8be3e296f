"""A ReportDocument as JSON, schema "hub.report/v1" (stable: fields are only added).

{"schema", "kind", "title", "period", "generated_at" (ISO 8601), "visible_departments",
 "sections": [{"heading", "paragraphs", "tables": [{"title", "columns", "rows"}],
               "charts": [{"title", "kind", "table", "label_column", "value_columns"}]}]}
A chart names its table by title, within its section.
"""
from __future__ import annotations

import json

from reports.domain.document import ReportDocument, Section

SCHEMA = "hub.report/v1"
MEDIA_TYPE = "application/json"


def _section(section: Section) -> dict:
    return {
        "heading": section.heading,
        "paragraphs": list(section.paragraphs),
        "tables": [{"title": t.title, "columns": list(t.columns), "rows": [list(r) for r in t.rows]}
                   for t in section.tables],
        "charts": [{"title": c.title, "kind": c.kind.value, "table": c.table.title, "label_column": c.label_column,
                    "value_columns": list(c.value_columns)} for c in section.charts],
    }


def document_as_dict(document: ReportDocument) -> dict:
    return {
        "schema": SCHEMA,
        "kind": document.kind,
        "title": document.title,
        "period": document.period,
        "generated_at": document.generated_at.isoformat(),
        "visible_departments": list(document.visible_departments),
        "sections": [_section(s) for s in document.sections],
    }


def render_json(document: ReportDocument) -> bytes:
    return json.dumps(document_as_dict(document), ensure_ascii=False, indent=1).encode("utf-8")
