"""A memo's structure as the importer reads it, whatever file it came from (.txt, .docx, .pdf, a scan).

One line per paragraph or per table row, each with its place in the file (``origins``):

- a paragraph is a line of text ("ย่อหน้าที่ 14", "หน้า 2 บรรทัด 5");
- a table row is its cells joined by a tab ("ตารางที่ 2 แถวที่ 3"); a cell of several paragraphs keeps them
  apart with ``CELL_BREAK`` (one character, never a line break, so a row stays one line);
- a paragraph numbered by the word processor (Word's automatic list) carries its number as typed: ``1. ``;
- a cell merged down over several rows is written in each of them (a row whose number and measure cells are
  empty, or the same as the row above's, continues the measure above);
- a cell merged across columns is written once.

Readers of other formats (PDF, OCR) produce the same ``MemoText`` so the layout reading and the officer's
mapping work the same way on every form of a memo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the paragraph break inside a table cell (a private-use character: no memo types it)
CELL_BREAK = "\ue000"


@dataclass
class MemoText:
    """The memo as lines (paragraphs and table rows), where each came from, and how it was read."""

    lines: list[str]
    #: for each line, its place in the file, in Thai ("ตารางที่ 2 แถวที่ 3"); None when lines are the file's own
    origins: list[str] | None = None
    #: "text", "docx", "pdf" or "ocr"
    kind: str = "text"
    #: 0-based indexes of lines read with low confidence (OCR), for the officer to check
    doubtful: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def cell_paragraphs(cell: str) -> list[str]:
    """The paragraphs of one cell, as written."""
    return cell.split(CELL_BREAK)
