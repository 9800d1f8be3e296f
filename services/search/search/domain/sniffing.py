"""Content type from the bytes themselves; the file name is never trusted.

Recognised: PDF, the OOXML formats (DOCX/XLSX/PPTX, told apart by the names
of their zip members; only the zip's directory is read, nothing is
decompressed), other zips, HTML, Markdown and plain text (UTF-8, or GB18030
as written by older Chinese Windows software). Anything else is
``application/octet-stream``.
"""
from __future__ import annotations

import re
import zipfile
from typing import BinaryIO

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ZIP = "application/zip"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
BINARY = "application/octet-stream"

HEAD_BYTES = 8192

# The part each OOXML format keeps its main content in.
_OOXML_MAIN_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL)
_MARKDOWN_LINE = re.compile(r"^(#{1,6} \S|[-*+] \S|\d+\. \S|> |```|\|.*\|\s*$)", re.MULTILINE)
_MARKDOWN_INLINE = re.compile(r"\[[^\]\n]+\]\([^)\s]+\)|\*\*[^*\n]+\*\*")
_UTF8_BOM = b"\xef\xbb\xbf"


def _ooxml_kind(stream: BinaryIO) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return BINARY  # starts like a zip, but is not one we can read
    if "[Content_Types].xml" in names:
        for part, content_type in _OOXML_MAIN_PARTS:
            if part in names:
                return content_type
    return ZIP


def decode_text(data: bytes) -> str | None:
    """The text of ``data`` if it is UTF-8 (BOM allowed) or GB18030 text, else None.

    ``data`` may be a head cut in the middle of a character: a few trailing
    bytes that do not decode are tolerated.
    """
    if b"\x00" in data:
        return None
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):  # a multi-byte character split at the end
            try:
                text = data[:len(data) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            if _mostly_printable(text):
                return text
            break
    return None


def _mostly_printable(text: str) -> bool:
    if not text:
        return True
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= len(text) // 100


def looks_like_markdown(text: str) -> bool:
    lines = len(_MARKDOWN_LINE.findall(text))
    return lines >= 2 or (lines >= 1 and bool(_MARKDOWN_INLINE.search(text)))


def sniff(stream: BinaryIO) -> str:
    """The content type of a seekable binary stream (read from its start)."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        stream.seek(0)
        return _ooxml_kind(stream)
    if _HTML_START.match(head.removeprefix(_UTF8_BOM)):
        return HTML
    text = decode_text(head)
    if text is None:
        return BINARY
    return MARKDOWN if looks_like_markdown(text) else TEXT
