"""Renderers: JSON schema, XLSX reopened with openpyxl, PDF text layer and page image via poppler."""
import io
import json
import subprocess
from datetime import datetime, timezone

from openpyxl import load_workbook

from reports.adapters.render_json import render_json
from reports.adapters.render_pdf import render_pdf
from reports.adapters.render_xlsx import render_xlsx
from reports.domain.document import Chart, ChartKind, ReportDocument, Section, Table

UNITS = Table("各车间能耗", ("车间", "用电量", "目标"), (("炼钢厂转炉车间", 1250.5, 1200), ("轧钢厂热轧车间", 980.0, None)))
DOCUMENT = ReportDocument(
    kind="inspection.weekly", title="安全检查与问题整改周报（2026-W47）", period="2026-W47",
    generated_at=datetime(2026, 11, 24, 2, tzinfo=timezone.utc),
    sections=(
        Section("一、本周检查发现问题", ("本周共发现问题 2 项。",), (UNITS,),
                (Chart("各车间用电量", ChartKind.BAR, UNITS, "车间", ("用电量", "目标")),)),
        Section("二、明细", (), (Table("按区域", ("区域", "问题数"), tuple((f"区域{i}", i) for i in range(120))),
                                Table("按区域", ("区域", "问题数"), (("锅炉房", 1),))),
                (Chart("趋势", ChartKind.LINE, UNITS, "车间", ("用电量",)),)),
    ))


def test_json_has_a_stable_schema():
    data = json.loads(render_json(DOCUMENT))
    assert data["schema"] == "hub.report/v1"
    assert data["generated_at"] == "2026-11-24T02:00:00+00:00"
    first = data["sections"][0]
    assert first["tables"][0] == {"title": "各车间能耗", "columns": ["车间", "用电量", "目标"],
                                  "rows": [["炼钢厂转炉车间", 1250.5, 1200], ["轧钢厂热轧车间", 980.0, None]]}
    assert first["charts"][0] == {"title": "各车间用电量", "kind": "bar", "table": "各车间能耗", "label_column": "车间",
                                  "value_columns": ["用电量", "目标"]}
    assert render_json(DOCUMENT) == render_json(DOCUMENT)


def test_xlsx_has_a_summary_and_one_sheet_per_table():
    workbook = load_workbook(io.BytesIO(render_xlsx(DOCUMENT)), read_only=True)
    assert workbook.sheetnames == ["概要", "各车间能耗", "按区域", "按区域(2)"]
    rows = list(workbook["各车间能耗"].iter_rows(values_only=True))
    # openpyxl leaves empty trailing cells out when reading back
    assert rows == [("车间", "用电量", "目标"), ("炼钢厂转炉车间", 1250.5, 1200), ("轧钢厂热轧车间", 980)]
    assert len(list(workbook["按区域"].iter_rows(values_only=True))) == 121
    summary = [r[0] for r in workbook["概要"].iter_rows(values_only=True) if r]
    assert summary[0] == "安全检查与问题整改周报（2026-W47）" and "见工作表：按区域(2)" in summary


def test_pdf_text_layer_holds_the_chinese_and_pages_render(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(DOCUMENT))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("安全检查与问题整改周报", "一、本周检查发现问题", "炼钢厂转炉车间", "各车间用电量", "1250.5", "区域119",
                     "第5页"):
        assert expected in text.replace(" ", "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line.split() for line in fonts.splitlines() if "WenQuanYi" in line or "CJK" in line]
    assert cjk and all(columns[-5] == "yes" for columns in cjk)  # the CJK font is embedded
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000
