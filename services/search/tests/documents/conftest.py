"""Sample files for the document platform's tests, built here with the real
libraries (our own text, simplified and traditional script), plus broken
files and archive bombs."""
from __future__ import annotations

import io
import zipfile

import pytest

RULES_TITLE = "高炉煤气安全管理规定"
RULES_PARAGRAPHS = ["第一条 为加强高炉煤气安全管理，防止中毒事故，制定本规定。",
                    "第二条 進入煤氣區域作業必須攜帶一氧化碳報警儀，並實行雙人監護。",
                    "Article 3: gas detectors are calibrated every quarter."]


_BUILT: dict[str, bytes] = {}


class Samples:
    @staticmethod
    def docx(paragraphs=RULES_PARAGRAPHS, table=(("岗位", "责任人"), ("煤气防护站", "王建国"))) -> bytes:
        # The same arguments give the same bytes: a DOCX saved again would
        # differ in its zip timestamps, and tests compare downloads with it.
        key = repr((paragraphs, table))
        if key not in _BUILT:
            _BUILT[key] = Samples._build_docx(paragraphs, table)
        return _BUILT[key]

    @staticmethod
    def _build_docx(paragraphs, table) -> bytes:
        import docx
        document = docx.Document()
        for text in paragraphs:
            document.add_paragraph(text)
        if table:
            grid = document.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, value in enumerate(row):
                    grid.cell(r, c).text = value
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    @staticmethod
    def xlsx(rows=(("设备", "巡检周期"), ("热风炉", "每班"), ("除尘器", "每週")), extra_sheet_rows=0) -> bytes:
        import openpyxl
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "点检表"
        for row in rows:
            sheet.append(list(row))
        for number in range(extra_sheet_rows):
            sheet.append([f"行{number}", number])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    @staticmethod
    def pptx(texts=("冬季供热保障方案", "換熱站運行參數調整")) -> bytes:
        import pptx
        from pptx.util import Inches
        presentation = pptx.Presentation()
        for text in texts:
            slide = presentation.slides.add_slide(presentation.slide_layouts[5])
            slide.shapes.title.text = text
            box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
            box.text_frame.text = f"{text}：负责人 李明"
        out = io.BytesIO()
        presentation.save(out)
        return out.getvalue()

    @staticmethod
    def pdf(lines=("机车检修作业标准", "檢修前必須斷電並懸掛警示牌。", "Locomotive maintenance standard")) -> bytes:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        out = io.BytesIO()
        page = canvas.Canvas(out)
        page.setFont("STSong-Light", 12)
        for number, line in enumerate(lines):
            page.drawString(50, 780 - 20 * number, line)
        page.save()
        return out.getvalue()

    @staticmethod
    def html() -> bytes:
        return ("<!DOCTYPE html><html><head><title>防汛值班表</title><style>p{color:red}</style>"
                "<script>var secret = '不应被索引';</script></head>"
                "<body><h1>防汛值班安排</h1><p>汛期<b>值班</b>人员：张伟、劉洋。</p></body></html>").encode()

    @staticmethod
    def markdown() -> bytes:
        return ("# 安全生产月活动方案\n\n- 开展**应急演练**\n- 组织[隐患排查](http://intranet/check)\n\n"
                "## 時間安排\n六月全月。\n").encode()

    @staticmethod
    def text_gb18030() -> bytes:
        return "调度命令登记簿：今日十时封锁二道。".encode("gb18030")

    @staticmethod
    def ooxml_zip(main_part: str, main_xml: bytes = b"<not really xml", *, bomb_bytes: int = 0) -> bytes:
        """A zip shaped like an OOXML file; ``bomb_bytes`` adds a member of that
        many zeros (compressed about 1000:1)."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
            archive.writestr(main_part, main_xml)
            if bomb_bytes:
                with archive.open("word/media/zeros.bin", "w") as member:
                    block = b"\0" * (1 << 20)
                    for _ in range(bomb_bytes >> 20):
                        member.write(block)
        return out.getvalue()


@pytest.fixture
def samples() -> type[Samples]:
    return Samples
