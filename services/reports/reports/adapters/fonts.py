"""Finding a CJK font that reportlab can embed.

reportlab embeds TrueType outlines only; Debian's Noto CJK files hold CFF
(PostScript) outlines and are refused ("postscript outlines are not
supported"). So every CJK font fontconfig knows is tried in turn, TrueType
ones first (``make install`` adds WenQuanYi Micro Hei), unless
REPORTS_PDF_FONT names a file ("path" or "path#subfont-index").
"""
from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

FONT_NAME = "HubCJK"
KNOWN_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc#0",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0",
    "/usr/share/fonts/truetype/arphic/uming.ttc#0",
)
_lock = threading.Lock()
_registered: str | None = None


class FontUnavailable(RuntimeError):
    """No CJK font that reportlab can embed was found."""


def _split(spec: str) -> tuple[str, int]:
    path, _, index = spec.partition("#")
    return path, int(index or 0)


def _fontconfig_candidates() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    listing = subprocess.run(["fc-list", ":lang=zh", "file", "index"], capture_output=True, text=True,
                             timeout=30).stdout
    found = []
    for line in listing.splitlines():
        path, _, rest = line.partition(":")
        index = rest.strip().removeprefix("index=") or "0"
        found.append(f"{path.strip()}#{index}")
    # TrueType files first: the .otf/.ttc of Noto CJK are CFF and will be refused.
    return sorted(set(found), key=lambda spec: ("/truetype/" not in spec, spec))


def register_cjk_font(configured: str = "") -> str:
    """Register the font with reportlab once per process; returns its name."""
    global _registered
    with _lock:
        if _registered:
            return _registered
        candidates = [configured] if configured else list(KNOWN_PATHS) + _fontconfig_candidates()
        refused = []
        for spec in candidates:
            path, index = _split(spec)
            if not Path(path).is_file():
                refused.append(f"{path}: missing")
                continue
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
            except (TTFError, OSError) as exc:
                refused.append(f"{spec}: {exc}")
                continue
            _registered = FONT_NAME
            return FONT_NAME
        raise FontUnavailable(
            "no CJK TrueType font for PDF reports: run `make install` (installs fonts-wqy-microhei) or set "
            "REPORTS_PDF_FONT to a .ttf/.ttc file; tried " + "; ".join(refused[:6]))
