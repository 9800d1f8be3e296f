"""A ReportDocument as PDF: headings, paragraphs, tables and vector charts.

reportlab's own charts (reportlab.graphics) draw with the same embedded CJK
font as the text, so Chinese labels render and stay searchable in the text
layer. Very long tables are cut in the PDF (the XLSX and JSON carry every row).
"""
from __future__ import annotations

import io
from datetime import timezone

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table as PdfTable, TableStyle
from xml.sax.saxutils import escape

from reports.adapters.fonts import register_cjk_font
from reports.domain.document import Chart, ChartKind, ReportDocument, Table

MEDIA_TYPE = "application/pdf"
MAX_PDF_TABLE_ROWS = 300
MAX_CHART_CATEGORIES = 20
SERIES_COLOURS = (colors.HexColor("#2f6fb0"), colors.HexColor("#e07b39"), colors.HexColor("#4c9a5b"),
                  colors.HexColor("#b04a6f"))
_MARGIN = 18 * mm


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, spaceAfter=4),
        "meta": ParagraphStyle("meta", parent=base, fontSize=8.5, textColor=colors.grey, spaceAfter=8),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, leading=19, spaceBefore=10, spaceAfter=4,
                                  keepWithNext=1),
        "caption": ParagraphStyle("caption", parent=base, fontSize=10, leading=14, spaceBefore=6, spaceAfter=3,
                                  keepWithNext=1),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5),
    }


def _text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _display_width(text: str) -> int:
    """Han characters are about twice as wide as digits and Latin letters."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _column_widths(table: Table, rows, total: float) -> list[float]:
    weights = []
    for i, column in enumerate(table.columns):
        widest = max([_display_width(column)] + [_display_width(_text(r[i])) for r in rows[:50]])
        weights.append(min(max(widest, 6), 40))
    scale = total / sum(weights)
    return [w * scale for w in weights]


def _table(table: Table, styles, width: float) -> list:
    rows = table.rows[:MAX_PDF_TABLE_ROWS]
    cell = styles["cell"]
    data = [[Paragraph(escape(c), cell) for c in table.columns]]
    data += [[Paragraph(escape(_text(v)), cell) for v in row] for row in rows]
    flow = PdfTable(data, colWidths=_column_widths(table, rows, width), repeatRows=1)
    flow.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b4")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]),
    ]))
    out = [Paragraph(escape(table.title), styles["caption"]), flow]
    if not table.rows:
        out.append(Paragraph("（无数据）", styles["cell"]))
    if len(table.rows) > len(rows):
        out.append(Paragraph(f"表格共 {len(table.rows)} 行，此处列出前 {len(rows)} 行，完整数据见 XLSX/JSON。",
                             styles["meta"]))
    return out


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _chart(chart: Chart, font: str, width: float) -> Drawing:
    label_at = chart.table.columns.index(chart.label_column)
    value_at = [chart.table.columns.index(c) for c in chart.value_columns]
    rows = chart.table.rows[:MAX_CHART_CATEGORIES]
    labels = [_text(r[label_at])[:10] for r in rows]
    series = [[_number(r[i]) for r in rows] for i in value_at]
    height = 200
    drawing = Drawing(width, height)
    plot = VerticalBarChart() if chart.kind is ChartKind.BAR else HorizontalLineChart()
    legend_room = 18 if len(series) > 1 else 0
    plot.x, plot.y, plot.width, plot.height = 40, 55, width - 60, height - 75 - legend_room
    plot.data = series or [[0]]
    plot.categoryAxis.categoryNames = labels or [""]
    plot.categoryAxis.labels.fontName = font
    plot.categoryAxis.labels.fontSize = 7
    plot.categoryAxis.labels.boxAnchor = "ne"
    plot.categoryAxis.labels.angle = 30
    plot.valueAxis.labels.fontName = font
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    for i, colour in enumerate(SERIES_COLOURS[:len(series)]):
        if chart.kind is ChartKind.BAR:
            plot.bars[i].fillColor = colour
        else:
            plot.lines[i].strokeColor = colour
    drawing.add(plot)
    if len(series) > 1:
        legend = Legend()  # one row above the plot
        legend.boxAnchor, legend.x, legend.y = "nw", 40, height - 4
        legend.fontName, legend.fontSize, legend.columnMaximum, legend.deltax = font, 7, 1, 70
        legend.colorNamePairs = list(zip(SERIES_COLOURS, chart.value_columns))
        drawing.add(legend)
    return drawing


def render_pdf(document: ReportDocument, *, font_file: str = "") -> bytes:
    font = register_cjk_font(font_file)
    styles = _styles(font)
    out = io.BytesIO()
    page = SimpleDocTemplate(out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN,
                             bottomMargin=_MARGIN, title=document.title, author="department information hub")
    width = A4[0] - 2 * _MARGIN
    story = [Paragraph(escape(document.title), styles["title"]),
             Paragraph(f"期间 {escape(document.period)} · 生成于 {document.generated_at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC",
                       styles["meta"])]
    for section in document.sections:
        story.append(Paragraph(escape(section.heading), styles["heading"]))
        story += [Paragraph(escape(p), styles["body"]) for p in section.paragraphs]
        for table in section.tables:
            story += _table(table, styles, width)
        for chart in section.charts:
            story.append(KeepTogether([Paragraph(escape(chart.title), styles["caption"]),
                                       _chart(chart, font, width)]))
        story.append(Spacer(1, 4 * mm))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(_MARGIN, 10 * mm, document.title)
        canvas.drawRightString(A4[0] - _MARGIN, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    page.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
