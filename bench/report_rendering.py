"""Report rendering: a 10-page PDF with charts, and an XLSX of 10,000 rows.

Renders in-process (no servers). The PDF's first run also loads and registers
the CJK font, so it is shown apart; the targets apply to the warm runs.
"""
from __future__ import annotations

import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import percentile, verdict  # noqa: E402

from reports.adapters.render_pdf import render_pdf  # noqa: E402
from reports.adapters.render_xlsx import render_xlsx  # noqa: E402
from reports.domain.document import Chart, ChartKind, ReportDocument, Section, Table  # noqa: E402

PDF_TARGET_S = 3.0
XLSX_TARGET_S = 2.0
RUNS = 3
UNITS = ("炼钢厂转炉车间", "炼钢厂连铸车间", "轧钢厂热轧车间", "轧钢厂冷轧车间", "动力厂锅炉房", "动力厂变电所",
         "机务段检修库", "车务段调车场", "供热公司一号站", "供热公司二号站")
NOW = datetime(2026, 11, 24, 2, tzinfo=timezone.utc)


def ten_page_document() -> ReportDocument:
    sections = []
    for number in range(10):
        rows = tuple((f"{UNITS[i % len(UNITS)]}{i // len(UNITS) + 1}号", 40 + (i * 7 + number) % 55, 30 + i % 20,
                      round(60 + (i * 13 + number) % 40 + 0.5, 1), f"第{number + 1}组第{i + 1}项：巡检发现的隐患已登记并跟踪整改")
                     for i in range(22))
        table = Table(f"第{number + 1}部分 各单位明细", ("单位", "问题数", "已整改", "整改率(%)", "说明"), rows)
        sections.append(Section(
            f"{number + 1}、专项检查情况", ("本部分列出各单位的问题数量、整改数量与整改率，并以图表对比。",), (table,),
            (Chart(f"第{number + 1}部分 问题数与整改数", ChartKind.BAR, table, "单位", ("问题数", "已整改")),)))
    return ReportDocument("inspection.weekly", "安全检查与问题整改周报（基准测试）", "2026-W47", NOW, tuple(sections))


def big_table_document(rows: int) -> ReportDocument:
    data = tuple((f"R{i:05d}", UNITS[i % len(UNITS)], "一号转炉平台", i % 4, 1000.0 + i * 0.25, i % 3 == 0,
                  f"记录{i}：设备点检正常", "2026-11-18 09:00") for i in range(rows))
    table = Table("明细", ("编号", "单位", "区域", "等级", "读数", "已复核", "备注", "时间"), data)
    return ReportDocument("energy", "能耗明细（基准测试）", "2026Q3", NOW, (Section("明细", (), (table,)),))


def timed(render, document) -> tuple[float, bytes]:
    started = time.perf_counter()
    output = render(document)
    return time.perf_counter() - started, output


def main() -> int:
    document = ten_page_document()
    cold, pdf = timed(render_pdf, document)
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    warm = [timed(render_pdf, document)[0] for _ in range(RUNS)]
    print(f"PDF  {pages} pages, 10 charts, {len(pdf) / 1024:.0f} KiB: first run {cold:.2f} s (font load), "
          f"warm p50 {percentile(warm, 50):.2f} s max {max(warm):.2f} s (n={RUNS})")
    print(f"target PDF of 10 pages with charts <= {PDF_TARGET_S:.0f} s: {max(warm):.2f} s "
          f"{verdict(max(warm), PDF_TARGET_S)}")
    sheet = big_table_document(10_000)
    times = []
    for _ in range(RUNS):
        seconds, xlsx = timed(render_xlsx, sheet)
        times.append(seconds)
    print(f"XLSX 10,000 rows x 8 columns, {len(xlsx) / 1024:.0f} KiB: p50 {percentile(times, 50):.2f} s "
          f"max {max(times):.2f} s (n={RUNS})")
    print(f"target XLSX of 10,000 rows <= {XLSX_TARGET_S:.0f} s: {max(times):.2f} s {verdict(max(times), XLSX_TARGET_S)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
