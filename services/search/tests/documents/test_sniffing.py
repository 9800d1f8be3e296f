"""Content types come from the bytes, never from the file name."""
import io

import pytest

from search.domain import sniffing


def sniff(data: bytes) -> str:
    return sniffing.sniff(io.BytesIO(data))


def test_office_formats_are_told_apart_by_their_zip_members(samples):
    assert sniff(samples.docx()) == sniffing.DOCX
    assert sniff(samples.xlsx()) == sniffing.XLSX
    assert sniff(samples.pptx()) == sniffing.PPTX


def test_pdf_html_markdown_and_text(samples):
    assert sniff(samples.pdf()) == sniffing.PDF
    assert sniff(samples.html()) == sniffing.HTML
    assert sniff("\ufeff  <html lang='zh'><body>你好</body></html>".encode()) == sniffing.HTML
    assert sniff(samples.markdown()) == sniffing.MARKDOWN
    assert sniff("交接班记录：设备运行正常。".encode()) == sniffing.TEXT
    assert sniff(samples.text_gb18030()) == sniffing.TEXT


def test_a_plain_zip_and_a_damaged_one(samples):
    out = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "说明")
    assert sniff(out.getvalue()) == sniffing.ZIP
    assert sniff(samples.docx()[:200]) == sniffing.BINARY


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)), b"\x00\x01\x02\x03", bytes(range(256)) * 4])
def test_binary_is_octet_stream(data):
    assert sniff(data) == sniffing.BINARY


def test_a_utf8_character_cut_at_the_head_boundary_is_still_text():
    text = "锅" * (sniffing.HEAD_BYTES // 3 + 1)  # the head ends inside a character
    assert sniff(text.encode()) == sniffing.TEXT


def test_markdown_needs_markup_not_a_hash_sign():
    assert sniff("编号 #12 的设备需要检修。".encode()) == sniffing.TEXT
