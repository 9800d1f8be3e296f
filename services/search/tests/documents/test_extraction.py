"""Text extraction per format, bad files, archive bombs and the bounds."""
import io

import pytest

from search.adapters.extraction import BoundedTextExtractor, ExtractionLimits, markdown_to_text
from search.domain import sniffing
from search.domain.documents import ExtractionStatus


def extract(data: bytes, content_type: str | None = None, **limits):
    stream = io.BytesIO(data)
    return BoundedTextExtractor(ExtractionLimits(**limits)).extract(
        stream, content_type or sniffing.sniff(stream))


def test_docx_paragraphs_and_tables(samples):
    result = extract(samples.docx())
    assert result.status == ExtractionStatus.EXTRACTED and not result.truncated
    assert "防止中毒事故" in result.text and "雙人監護" in result.text and "calibrated" in result.text
    assert "煤气防护站\t王建国" in result.text


def test_xlsx_rows_as_tab_separated_lines(samples):
    result = extract(samples.xlsx())
    assert result.text.splitlines() == ["点检表", "设备\t巡检周期", "热风炉\t每班", "除尘器\t每週"]


def test_pptx_slide_texts(samples):
    text = extract(samples.pptx()).text
    assert "冬季供热保障方案" in text and "換熱站運行參數調整：负责人 李明" in text


def test_pdf_text_in_both_scripts(samples):
    text = extract(samples.pdf()).text
    assert "机车检修作业标准" in text and "懸掛警示牌" in text and "Locomotive" in text


def test_html_drops_tags_scripts_and_styles(samples):
    text = extract(samples.html()).text
    assert "汛期值班人员：张伟、劉洋。" in text  # inline tags do not split words
    assert "防汛值班安排" in text and "不应被索引" not in text and "color" not in text


def test_markdown_markup_is_removed(samples):
    text = extract(samples.markdown()).text
    assert "安全生产月活动方案" in text and "开展应急演练" in text and "组织隐患排查" in text
    assert "#" not in text and "http" not in text and "**" not in text
    assert markdown_to_text("`代码` 和 _强调_") == "代码 和 强调"


def test_gb18030_text_is_decoded(samples):
    assert extract(samples.text_gb18030()).text == "调度命令登记簿：今日十时封锁二道。"


def test_text_is_cut_at_the_character_bound():
    result = extract(("安全第一。" * 1000).encode(), max_chars=100)
    assert result.truncated and len(result.text) <= 100 and result.text.startswith("安全第一。")


def test_sheets_are_cut_at_the_row_and_cell_bounds(samples):
    by_rows = extract(samples.xlsx(extra_sheet_rows=50), max_sheet_rows=10)
    assert by_rows.truncated and len(by_rows.text.splitlines()) == 11  # title + 10 rows
    by_cells = extract(samples.xlsx(extra_sheet_rows=50), max_sheet_cells=20)
    assert by_cells.truncated and len(by_cells.text.splitlines()) <= 11


def test_a_zip_bomb_is_refused_before_anything_is_inflated(samples):
    bomb = samples.ooxml_zip("word/document.xml", bomb_bytes=64 << 20)
    assert len(bomb) < 1 << 20
    result = extract(bomb, sniffing.DOCX)
    assert result.status == ExtractionStatus.FAILED and "zip bomb" in result.error
    too_big = extract(samples.docx(), sniffing.DOCX, max_zip_bytes=1000)
    assert too_big.status == ExtractionStatus.FAILED and "expands to" in too_big.error


@pytest.mark.parametrize("build, content_type", [
    (lambda s: s.docx()[:3000], sniffing.DOCX),                        # truncated archive
    (lambda s: s.ooxml_zip("word/document.xml"), sniffing.DOCX),       # not XML inside
    (lambda s: s.ooxml_zip("xl/workbook.xml"), sniffing.XLSX),
    (lambda s: s.ooxml_zip("ppt/presentation.xml"), sniffing.PPTX),
    (lambda s: s.pdf()[:400], sniffing.PDF),                           # truncated PDF
    (lambda s: b"%PDF-1.4\n garbage \x00\xff" * 20, sniffing.PDF),
    (lambda s: b"\xff\xfe\x00\x00binary", sniffing.TEXT),
    (lambda s: b"\x00" * 50, sniffing.BINARY),
])
def test_bad_files_become_a_reason_never_an_exception(samples, build, content_type):
    result = extract(build(samples), content_type)
    assert result.status == ExtractionStatus.FAILED and result.error and result.text == ""


def test_bounds_come_from_the_settings():
    from hubkit.config import Config, ConfigError
    from search import bootstrap
    extractor = bootstrap.text_extractor(Config({"SEARCH_EXTRACT_MAX_ZIP_RATIO": "5", "SEARCH_EXTRACT_MAX_CHARS": "900"}))
    assert (extractor.limits.max_zip_ratio, extractor.limits.max_chars, extractor.limits.max_sheet_rows) == (5, 900, 100_000)
    with pytest.raises(ConfigError, match="SEARCH_EXTRACT_MAX_SHEET_CELLS"):
        bootstrap.text_extractor(Config({"SEARCH_EXTRACT_MAX_SHEET_CELLS": "many"}))


def test_the_worker_extractor_leaves_the_event_loop_running():
    """Under eventlet (as in the nameko worker) a long parse runs in a native
    thread while other green threads, such as AMQP heartbeats, keep running."""
    import subprocess
    import sys
    import textwrap
    script = textwrap.dedent("""
        import eventlet
        eventlet.monkey_patch()
        import io, time
        from search.adapters.extraction import NativeThreadExtractor
        from search.domain.documents import ExtractionResult

        class SlowExtractor:
            def extract(self, stream, content_type):
                deadline = time.monotonic() + 0.5
                while time.monotonic() < deadline:
                    pass
                return ExtractionResult(text=stream.read().decode())

        ticks = []
        def heartbeat():
            while True:
                ticks.append(1)
                eventlet.sleep(0.01)
        eventlet.spawn(heartbeat)
        eventlet.sleep(0)
        result = NativeThreadExtractor(SlowExtractor()).extract(io.BytesIO("值班".encode()), "text/plain")
        print(result.text, len(ticks))
    """)
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, timeout=60)
    text, ticks = done.stdout.split()
    assert text == "值班" and int(ticks) >= 10, done.stderr
