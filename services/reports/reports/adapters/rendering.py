"""The output formats of a report: name -> media type and renderer."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

from reports.adapters import render_json, render_pdf, render_xlsx
from reports.domain.document import ReportDocument


@dataclass(frozen=True)
class Renderer:
    media_type: str
    render: Callable[[ReportDocument], bytes]


def renderers(pdf_font: str = "") -> dict[str, Renderer]:
    return {
        "pdf": Renderer(render_pdf.MEDIA_TYPE, partial(render_pdf.render_pdf, font_file=pdf_font)),
        "xlsx": Renderer(render_xlsx.MEDIA_TYPE, render_xlsx.render_xlsx),
        "json": Renderer(render_json.MEDIA_TYPE, render_json.render_json),
    }
