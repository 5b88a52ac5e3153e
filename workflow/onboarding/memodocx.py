"""A Word memo (.docx) read into its structure (``workflow.onboarding.memotext``): paragraphs, and tables row by
row with each cell's paragraphs kept apart; Word's automatic numbering written out as it shows ("1.", "(๑)", "-");
a cell merged down written in each row it spans (as Word shows it; the importer reads a row repeating the
measure's cells as the same measure's); a cell merged across columns written once; a nested table's text kept
in its cell."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from workflow.errors import ValidationError
from workflow.onboarding.memotext import CELL_BREAK, MemoText

#: what a memo's .docx may inflate to (a memo with its tables is well under 1 MB of XML)
MAX_DOCX_INFLATED = 30 * 2**20
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


class _Numbering:
    """Word's list numbering: each (list, level) counted as Word counts it, written with its level's text."""

    def __init__(self, document: Any):
        self.formats: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[str, tuple[str, str, int]]] = {}
        for a in root.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in a.iter(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                levels[lvl.get(f"{_W}ilvl", "0")] = (
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{_W}val", "%1.") if text is not None else "%1.",
                    int(start.get(f"{_W}val", "1")) if start is not None else 1)
            abstract[a.get(f"{_W}abstractNumId", "")] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            levels = abstract.get(ref.get(f"{_W}val", "") if ref is not None else "", {})
            for ilvl, spec in levels.items():
                self.formats[(num.get(f"{_W}numId", ""), ilvl)] = spec

    def restart(self) -> None:
        """A new cell: its lists count from their start (a steps cell's "1." is each measure's first step)."""
        self.counters.clear()

    def label(self, paragraph: Any) -> str:
        """The number Word shows before this paragraph ("1. ", "(๒) ", "- "), or ""."""
        ppr = paragraph.find(f"{_W}pPr")
        numpr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if numpr is None:
            return ""
        num_id = numpr.find(f"{_W}numId")
        ilvl = numpr.find(f"{_W}ilvl")
        key = (num_id.get(f"{_W}val", "") if num_id is not None else "",
               ilvl.get(f"{_W}val", "0") if ilvl is not None else "0")
        if key[0] == "0":  # numbering switched off
            return ""
        fmt, text, start = self.formats.get(key, ("decimal", "%1.", 1))
        if fmt == "bullet" or fmt == "none":
            return "- " if fmt == "bullet" else ""
        for (num, level), _count in list(self.counters.items()):  # a deeper level restarts under a new parent
            if num == key[0] and level > key[1]:
                del self.counters[(num, level)]
        count = self.counters.get(key, start - 1) + 1
        self.counters[key] = count
        written = str(count).translate(_THAI) if fmt == "thaiNumbers" else str(count)
        return re.sub(r"%\d", written, text, count=1).replace("%", "") + " "


def _paragraph_text(p: Any, numbering: _Numbering) -> str:
    """A paragraph's text as Word shows it, its list number first."""
    from docx.text.paragraph import Paragraph

    return numbering.label(p) + Paragraph(p, None).text  # type: ignore[arg-type]  # text needs no part


def _cell_paragraphs(tc: Any, numbering: _Numbering) -> list[str]:
    """A cell's paragraphs, a nested table's rows among them (its cells joined by " | ")."""
    out: list[str] = []
    numbering.restart()
    for child in tc.iterchildren():
        if child.tag == f"{_W}p":
            out.extend(part for part in _paragraph_text(child, numbering).splitlines())
        elif child.tag == f"{_W}tbl":
            for tr in child.iter(f"{_W}tr"):
                cells = [" ".join(_paragraph_text(p, numbering) for p in c.iter(f"{_W}p"))
                         for c in tr.iterchildren(f"{_W}tc")]
                out.append(" | ".join(c for c in cells if c.strip()))
    return [p for p in out if p.strip()]


def read_docx(data: bytes) -> MemoText:
    """A .docx as the importer's lines, each with its place ("ตารางที่ 2 แถวที่ 3", "ย่อหน้าที่ 14").
    Raises ValidationError for a file that is not Word or inflates beyond a memo (checked before inflating)."""
    from docx import Document
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a zip bomb is refused before it is inflated
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > MAX_DOCX_INFLATED:
            raise ValidationError(
                f"ไฟล์ .docx นี้เมื่อคลายออกใหญ่เกิน {MAX_DOCX_INFLATED // 2**20} MB บันทึกเป็น .txt หรือแยกเป็นหลายไฟล์",
                f"this .docx inflates to more than {MAX_DOCX_INFLATED // 2**20} MB; save it as .txt or split it")
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError("อ่านไฟล์ .docx ไม่ได้ (ไฟล์เสียหรือไม่ใช่ Word)",
                              f"cannot read the .docx (damaged or not Word): {exc}") from None
    numbering = _Numbering(document)
    lines: list[str] = []
    origins: list[str] = []
    paragraphs = tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            paragraphs += 1
            for part in _paragraph_text(child, numbering).splitlines() or [""]:
                lines.append(part)
                origins.append(f"ย่อหน้าที่ {paragraphs}")
        elif child.tag == f"{_W}tbl":
            tables += 1
            body_counters = dict(numbering.counters)
            for r, row in enumerate(Table(child, document).rows, start=1):
                cells: list[str] = []
                seen: list[Any] = []  # the elements themselves (an lxml proxy's id() is reused once it is freed)
                for cell in row.cells:
                    if seen and cell._tc is seen[-1]:  # merged across: once per column it spans
                        continue
                    seen.append(cell._tc)
                    cells.append(CELL_BREAK.join(_cell_paragraphs(cell._tc, numbering)))
                lines.append("\t".join(cells + [""] * (5 - len(cells))) if len(cells) < 5 else "\t".join(cells))
                origins.append(f"ตารางที่ {tables} แถวที่ {r}")
            numbering.counters = body_counters  # a list in the text goes on after the table
    return MemoText(lines, origins, kind="docx")
