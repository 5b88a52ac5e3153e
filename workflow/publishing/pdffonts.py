"""Correct text in Thai PDFs from WeasyPrint: what copy-and-paste, search and ``pdftotext`` read.

The documents are set in Sarabun (OFL; the design TH Sarabun New follows; from PyPI's ``fontpkg-sarabun``),
which positions marks instead of swapping glyphs, so the text keeps its order. One thing is left: HarfBuzz
always splits sara am (ำ) into nikhahit + sara aa (and Sarabun ligates the nikhahit with a tone mark before it),
so the text read back was ``สํา``. ``prepared_fonts()`` adds two lookups to Sarabun's Thai ``ccmp``: a nikhahit
and sara aa become the font's own sara am glyph again (which reads as ``ำ``); after a nikhahit stacked with a
tone mark (``น้ำ``), sara aa becomes a copy of itself that reads as ``ำ`` while the stack reads as its tone
mark. ``สำนัก`` and ``น้ำ`` come back as typed, in every reader (pdftotext, poppler, pdf.js), unnormalised.

WeasyPrint gives each glyph the text of the first cluster it was drawn in (``draw/text.py``). A Thai cluster
often holds several glyphs: sara am (ำ) is drawn as nikhahit + sara aa, and tone marks and lower vowels switch
to alternate glyphs next to tall letters. So the glyph of า became "ำ" for the whole file, ุ read as ่ and
the other way round, and ``สำนักงาน`` came out as ``สำนักงำน``.

Here each glyph takes its text from the font itself: its character in the font's cmap, or, for a positional
variant, the character its glyph name gives (``uni0E49.low`` is ไม้โท; Laksaman also lists these under
private-use code points, which no reader understands). Glyphs the font cannot explain keep WeasyPrint's
cluster text. (Its GSUB cannot be used: Laksaman reorders ุ and ่ by swapping glyphs.)
Sara am then reads as nikhahit + sara aa, its compatibility form (NFKC), which looks the same.

``install()`` wraps ``weasyprint.pdf.build_fonts_dictionary`` and marks each line of Thai with its text
(``/ActualText``, for poppler's layout mode); tests check the text of every document with
``pdftotext``, so a WeasyPrint that renames it fails loudly instead of silently."""

from __future__ import annotations

import io
import os
from functools import wraps

_maps: dict[str, dict[int, str]] = {}
_installed = False


#: the copy of sara aa that follows a nikhahit: it is sara am's second half, and reads as sara am
SARA_AM_TAIL = "uni0E32.am"
NIKHAHIT = "uni0E4D"


def glyph_texts(file_content: bytes, index: int = 0) -> dict[int, str]:
    """Glyph id -> the characters it shows: from the cmap (leaving out private-use code points, which Thai
    fonts give their positional variants), else from the glyph's name (``uni0E49.low`` is U+0E49). In a font
    from ``prepared_fonts()``, sara am's tail reads as ``ำ`` and a nikhahit as nothing (or as the tone mark
    ligated with it)."""
    from fontTools.agl import toUnicode
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(file_content), fontNumber=index, lazy=True)
    order = font.getGlyphOrder()
    gid = {name: i for i, name in enumerate(order)}
    out: dict[int, str] = {}
    if SARA_AM_TAIL in gid:
        out[gid[SARA_AM_TAIL]] = "\u0e33"
        for i, name in enumerate(order):  # a nikhahit stacked with a tone mark, before sara am's tail
            if name.startswith(NIKHAHIT) and name.split(".")[0] != NIKHAHIT:
                out[i] = toUnicode(name.split(".")[0]).replace("\u0e4d", "")
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


#: Sarabun's files (fontpkg-sarabun) and the weights the documents use
_WEIGHTS = {"regular": "Sarabun-Regular.ttf", "bold": "Sarabun-Bold.ttf"}


def _tones(font) -> list[str]:
    cmap = font.getBestCmap()
    return [cmap[cp] for cp in (0x0E48, 0x0E49, 0x0E4A, 0x0E4B) if cp in cmap]


def prepare(source: bytes) -> bytes:
    """Sarabun whose sara am reads back as typed (see the module's text)."""
    from copy import deepcopy

    from fontTools.otlLib.builder import buildCoverage
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables import otTables as ot

    font = TTFont(io.BytesIO(source))
    order = list(font.getGlyphOrder())
    aa = font.getBestCmap()[0x0E32]
    font["glyf"][SARA_AM_TAIL] = deepcopy(font["glyf"][aa])
    font["hmtx"][SARA_AM_TAIL] = font["hmtx"][aa]
    font.setGlyphOrder(order + [SARA_AM_TAIL])
    if "GDEF" in font and font["GDEF"].table.GlyphClassDef is not None:
        classes = font["GDEF"].table.GlyphClassDef.classDefs
        classes[SARA_AM_TAIL] = classes.get(aa, 1)
    gsub = font["GSUB"].table
    glyph_order = font.getGlyphOrder()
    am = font.getBestCmap()[0x0E33]
    bare = [n for n in glyph_order if n.split(".")[0] == NIKHAHIT]  # a nikhahit alone (and its narrow form)
    stacked = [n for n in glyph_order if n.startswith(NIKHAHIT) and n.split(".")[0] != NIKHAHIT]  # with a tone

    ligature = ot.Lookup()  # nikhahit + sara aa -> the font's own sara am
    ligature.LookupType, ligature.LookupFlag = 4, 0
    ligatures = ot.LigatureSubst()
    ligatures.Format = 1
    ligatures.ligatures = {}
    for n in bare:
        lig = ot.Ligature()
        lig.LigGlyph, lig.Component, lig.CompCount = am, [aa], 2
        ligatures.ligatures[n] = [lig]
    ligature.SubTable, ligature.SubTableCount = [ligatures], 1

    single = ot.Lookup()
    single.LookupType, single.LookupFlag = 1, 0
    subst = ot.SingleSubst()
    subst.Format, subst.mapping = 2, {aa: SARA_AM_TAIL}
    single.SubTable, single.SubTableCount = [subst], 1
    gsub.LookupList.Lookup.append(single)
    single_index = len(gsub.LookupList.Lookup) - 1

    chain = ot.Lookup()  # after a nikhahit stacked with a tone mark: sara aa -> the tail
    chain.LookupType, chain.LookupFlag = 6, 0
    rule = ot.ChainContextSubst()
    rule.Format = 3
    rule.BacktrackCoverage = [buildCoverage(stacked, font.getReverseGlyphMap())]
    rule.BacktrackGlyphCount = 1
    rule.InputCoverage = [buildCoverage([aa], font.getReverseGlyphMap())]
    rule.InputGlyphCount = 1
    rule.LookAheadCoverage, rule.LookAheadGlyphCount = [], 0
    record = ot.SubstLookupRecord()
    record.SequenceIndex, record.LookupListIndex = 0, single_index
    rule.SubstLookupRecord, rule.SubstCount = [record], 1
    chain.SubTable, chain.SubTableCount = [rule], 1
    gsub.LookupList.Lookup += [ligature, chain]
    gsub.LookupList.LookupCount = len(gsub.LookupList.Lookup)
    added = [len(gsub.LookupList.Lookup) - 2, len(gsub.LookupList.Lookup) - 1]

    thai = next(s for s in gsub.ScriptList.ScriptRecord if s.ScriptTag == "thai").Script
    systems = [thai.DefaultLangSys] + [r.LangSys for r in thai.LangSysRecord]
    ccmp = [i for i in systems[0].FeatureIndex if gsub.FeatureList.FeatureRecord[i].FeatureTag == "ccmp"]
    if ccmp:
        gsub.FeatureList.FeatureRecord[ccmp[0]].Feature.LookupListIndex += added
        gsub.FeatureList.FeatureRecord[ccmp[0]].Feature.LookupCount += len(added)
    else:
        record = ot.FeatureRecord()
        record.FeatureTag = "ccmp"
        record.Feature = ot.Feature()
        record.Feature.FeatureParams, record.Feature.LookupListIndex = None, added
        record.Feature.LookupCount = len(added)
        gsub.FeatureList.FeatureRecord.append(record)
        gsub.FeatureList.FeatureCount = len(gsub.FeatureList.FeatureRecord)
        for system in systems:
            system.FeatureIndex.append(len(gsub.FeatureList.FeatureRecord) - 1)
            system.FeatureCount = len(system.FeatureIndex)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def prepared_fonts() -> dict[str, str]:
    """Weight -> a file: URL of Sarabun prepared for the documents (made once, kept in the temporary folder
    under a name that changes with the font package and this code)."""
    import hashlib
    import tempfile
    from importlib import resources
    from pathlib import Path

    global _prepared
    if _prepared:
        return _prepared
    files = resources.files("fontpkg_sarabun") / "files"
    code = Path(__file__).read_bytes()
    found = {}
    for weight, name in _WEIGHTS.items():
        source = (files / name).read_bytes()
        key = hashlib.sha256(source + code).hexdigest()[:16]
        target = Path(tempfile.gettempdir()) / f"itaflow-fonts-{key}" / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(prepare(source))
            os.replace(partial, target)
        found[weight] = target.as_uri()
    _prepared = found
    return found


_prepared: dict[str, str] = {}


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

    import pydyf
    import weasyprint.draw as draw

    drawn = draw.draw_text

    @wraps(drawn)
    def draw_text(stream, textbox, *args, **kwargs):
        """A line of Thai is marked with its text (/ActualText): poppler's layout mode, which otherwise puts a
        mark at a line's end on a line of its own, reads the line as typed."""
        text = getattr(textbox, "text", "") or ""
        if not any("\u0e00" <= ch <= "\u0e7f" for ch in text):
            return drawn(stream, textbox, *args, **kwargs)
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
        try:
            return drawn(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw.draw_text = draw_text
    _installed = True
