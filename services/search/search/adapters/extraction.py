"""Text extraction from uploaded files, bounded so a hostile file cannot
exhaust the worker.

- plain text and Markdown (UTF-8, or GB18030), HTML (tags, scripts and styles
  dropped; standard library parser), PDF (pypdf), DOCX (python-docx), XLSX
  (openpyxl, read-only mode), PPTX (python-pptx);
- the text is cut at ``max_chars`` (reading stops there);
- an OOXML archive is opened only when its directory promises a bounded
  expansion: member count, total uncompressed size and each member's
  compression ratio are checked before anything is decompressed. Python's
  zipfile never inflates a member past its declared size, so a directory that
  lies yields a damaged file, not a bomb;
- spreadsheets are read row by row up to ``max_sheet_rows`` per sheet and
  ``max_sheet_cells`` in all;
- any parser failure becomes an ExtractionResult with the reason: the
  worker never dies on a bad file.
"""
from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import BinaryIO, Callable

from search.domain import sniffing
from search.domain.documents import ExtractionResult
from search.ports import TextExtractor

log = logging.getLogger(__name__)

# Archive members below this size cannot be bombs, whatever their ratio.
_RATIO_CHECK_FROM_BYTES = 1 << 20


@dataclass(frozen=True)
class ExtractionLimits:
    max_chars: int = 1_000_000
    max_zip_bytes: int = 200 * 1024 * 1024
    max_zip_ratio: int = 100
    max_zip_members: int = 10_000
    max_sheet_rows: int = 100_000
    max_sheet_cells: int = 1_000_000


class ExtractionFailed(Exception):
    """The file cannot be turned into text; the message says why."""


class _Full(Exception):
    """Raised by the collector to stop a reader once the bound is reached."""


class _TextCollector:
    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def add(self, text: str | None) -> None:
        """Append text as it is (readers add their own line breaks)."""
        if not text:
            return
        room = self.max_chars - self.size
        if len(text) > room:
            self.parts.append(text[:room])
            self.size = self.max_chars
            self.stop()
        self.parts.append(text)
        self.size += len(text)

    def add_line(self, text: str | None) -> None:
        if text and text.strip():
            self.add(text.rstrip() + "\n")

    def stop(self) -> None:
        """There is more, but no more will be read."""
        self.truncated = True
        raise _Full

    def text(self) -> str:
        return _BLANK_LINES.sub("\n\n", "".join(self.parts)).strip()


_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")

Reader = Callable[[BinaryIO, _TextCollector, ExtractionLimits], None]


# --- plain text, Markdown, HTML --------------------------------------------------

def _decoded(stream: BinaryIO, collector: _TextCollector) -> str:
    # A character takes at most 4 bytes in UTF-8 and GB18030.
    budget = collector.max_chars * 4
    data = stream.read(budget + 1)
    if len(data) > budget:
        data = data[:budget]
        collector.truncated = True
    text = sniffing.decode_text(data)
    if text is None:
        raise ExtractionFailed("not UTF-8 or GB18030 text")
    return text


def _read_text(stream, collector, limits) -> None:
    collector.add(_decoded(stream, collector))


_MARKDOWN_MARKUP = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),          # images: keep the alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),           # links: keep the link text
    (re.compile(r"^\s{0,3}(#{1,6}|>+|[-*+]|\d+\.)\s+", re.MULTILINE), ""),  # headings, quotes, lists
    (re.compile(r"^\s*(```|~~~).*$", re.MULTILINE), ""),      # code fences
    (re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # emphasis, inline code
    (re.compile(r"<[^>\n]+>"), ""),                           # inline HTML tags
]


def markdown_to_text(markdown: str) -> str:
    for pattern, replacement in _MARKDOWN_MARKUP:
        markdown = pattern.sub(replacement, markdown)
    return markdown


def _read_markdown(stream, collector, limits) -> None:
    collector.add(markdown_to_text(_decoded(stream, collector)))


class _HtmlText(HTMLParser):
    _SKIPPED = {"script", "style", "noscript", "template", "svg"}
    _BLOCKS = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "title",
               "section", "article", "table", "pre", "blockquote"}

    def __init__(self, collector: _TextCollector):
        super().__init__(convert_charrefs=True)
        self.collector = collector
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.collector.add("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.collector.add(data)


def _read_html(stream, collector, limits) -> None:
    parser = _HtmlText(collector)
    parser.feed(_decoded(stream, collector))
    parser.close()


# --- PDF ---------------------------------------------------------------------------

def _read_pdf(stream, collector, limits) -> None:
    import pypdf

    reader = pypdf.PdfReader(stream)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ExtractionFailed("the PDF is encrypted")
    for page in reader.pages:
        collector.add_line(page.extract_text())


# --- OOXML (zip) formats --------------------------------------------------------------

def check_archive(stream: BinaryIO, limits: ExtractionLimits) -> None:
    """Refuse an archive whose directory promises too much; reads no content."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ExtractionFailed(f"damaged archive: {exc}") from None
    if len(members) > limits.max_zip_members:
        raise ExtractionFailed(f"archive has {len(members)} members, more than {limits.max_zip_members}")
    total = sum(m.file_size for m in members)
    if total > limits.max_zip_bytes:
        raise ExtractionFailed(f"archive expands to {total} bytes, more than {limits.max_zip_bytes}")
    for member in members:
        if member.file_size < _RATIO_CHECK_FROM_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_zip_ratio:
            raise ExtractionFailed(f"archive member {member.filename!r} is compressed {ratio:.0f}:1, "
                                   f"more than {limits.max_zip_ratio}:1 (zip bomb?)")
    stream.seek(0)


def _read_docx(stream, collector, limits) -> None:
    import docx

    check_archive(stream, limits)
    document = docx.Document(stream)
    for paragraph in document.paragraphs:
        collector.add_line(paragraph.text)
    for table in document.tables:
        for row in table.rows:
            collector.add_line("\t".join(cell.text for cell in row.cells))


def _read_xlsx(stream, collector, limits) -> None:
    import openpyxl

    check_archive(stream, limits)
    workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    cells = 0
    try:
        for sheet in workbook.worksheets:
            collector.add_line(sheet.title)
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells += len(row)
                if number > limits.max_sheet_rows or cells > limits.max_sheet_cells:
                    collector.stop()
                collector.add_line("\t".join(str(value) for value in row if value is not None))
    finally:
        workbook.close()


def _shape_texts(shapes):
    for shape in shapes:
        if getattr(shape, "shapes", None) is not None:  # a group: its members
            yield from _shape_texts(shape.shapes)
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            yield shape.text_frame.text
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                yield "\t".join(cell.text for cell in row.cells)


def _read_pptx(stream, collector, limits) -> None:
    import pptx

    check_archive(stream, limits)
    presentation = pptx.Presentation(stream)
    for slide in presentation.slides:
        for text in _shape_texts(slide.shapes):
            collector.add_line(text)


_READERS: dict[str, Reader] = {
    sniffing.TEXT: _read_text,
    sniffing.MARKDOWN: _read_markdown,
    sniffing.HTML: _read_html,
    sniffing.PDF: _read_pdf,
    sniffing.DOCX: _read_docx,
    sniffing.XLSX: _read_xlsx,
    sniffing.PPTX: _read_pptx,
}


class BoundedTextExtractor(TextExtractor):
    def __init__(self, limits: ExtractionLimits = ExtractionLimits()):
        self.limits = limits

    def extract(self, stream: BinaryIO, content_type: str) -> ExtractionResult:
        reader = _READERS.get(content_type)
        if reader is None:
            return ExtractionResult(error=f"no text can be extracted from {content_type}")
        collector = _TextCollector(self.limits.max_chars)
        stream.seek(0)
        try:
            reader(stream, collector, self.limits)
        except _Full:
            pass
        except ExtractionFailed as exc:
            return ExtractionResult(error=str(exc))
        except Exception as exc:  # noqa: BLE001 - parsers of damaged files raise anything
            log.info("cannot extract %s: %r", content_type, exc)
            return ExtractionResult(error=f"cannot parse the file: {type(exc).__name__}: {exc}"[:1000])
        return ExtractionResult(text=collector.text(), truncated=collector.truncated)


class NativeThreadExtractor(TextExtractor):
    """Runs another extractor in a native thread (eventlet's tpool), for the
    nameko worker: parsing a large file is CPU work that would otherwise stall
    its event loop, AMQP heartbeats included, for as long as it takes."""

    def __init__(self, inner: TextExtractor):
        self.inner = inner

    def extract(self, stream: BinaryIO, content_type: str) -> ExtractionResult:
        from eventlet import tpool
        return tpool.execute(self.inner.extract, stream, content_type)
