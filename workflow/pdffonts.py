"""Correct text in Thai PDFs from WeasyPrint: what copy-and-paste, search and ``pdftotext`` read.

WeasyPrint gives each glyph the text of the first cluster it was drawn in (``draw/text.py``). A Thai cluster
often holds several glyphs: sara am (ำ) is drawn as nikhahit + sara aa, and tone marks and lower vowels switch
to alternate glyphs next to tall letters. So the glyph of า became "ำ" for the whole file, ุ read as ่ and
the other way round, and ``สำนักงาน`` came out as ``สำนักงำน``.

Here each glyph takes its text from the font itself: its character in the font's cmap, or, for a positional
variant, the character its glyph name gives (``uni0E49.low`` is ไม้โท; Laksaman also lists these under
private-use code points, which no reader understands). Glyphs the font cannot explain keep WeasyPrint's
cluster text. (Its GSUB cannot be used: Laksaman reorders ุ and ่ by swapping glyphs.)
Sara am then reads as nikhahit + sara aa, its compatibility form (NFKC), which looks the same.

``install()`` wraps ``weasyprint.pdf.build_fonts_dictionary``; tests check the text of every document with
``pdftotext``, so a WeasyPrint that renames it fails loudly instead of silently."""

from __future__ import annotations

import io
from functools import wraps

_maps: dict[str, dict[int, str]] = {}
_installed = False


def glyph_texts(file_content: bytes, index: int = 0) -> dict[int, str]:
    """Glyph id -> the characters it shows: from the cmap (leaving out private-use code points, which Thai
    fonts give their positional variants), else from the glyph's name (``uni0E49.low`` is U+0E49)."""
    from fontTools.agl import toUnicode
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(file_content), fontNumber=index, lazy=True)
    order = font.getGlyphOrder()
    gid = {name: i for i, name in enumerate(order)}
    out: dict[int, str] = {}
    for codepoint, name in sorted(font.getBestCmap().items()):
        if not 0xE000 <= codepoint <= 0xF8FF:
            out.setdefault(gid[name], chr(codepoint))
    for i, name in enumerate(order):
        if i not in out:
            text = toUnicode(name)
            if text and not any(0xE000 <= ord(c) <= 0xF8FF for c in text):
                out[i] = text
    return out


def _fix(fonts) -> None:
    for font in fonts.values():
        if getattr(font, "bitmap", False) or not font.to_unicode:
            continue
        if font.hash not in _maps:
            _maps[font.hash] = glyph_texts(font.file_content, font.index)
        known = _maps[font.hash]
        for glyph in font.to_unicode:
            if glyph in known:
                font.to_unicode[glyph] = known[glyph]


def install() -> None:
    """Idempotent."""
    global _installed
    if _installed:
        return
    import weasyprint.pdf as pdf

    original = pdf.build_fonts_dictionary

    @wraps(original)
    def build_fonts_dictionary(pdf_, fonts, *args, **kwargs):
        _fix(fonts)
        return original(pdf_, fonts, *args, **kwargs)

    pdf.build_fonts_dictionary = build_fonts_dictionary
    _installed = True
