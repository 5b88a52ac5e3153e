"""The ITA items a measure answers, as a memo cites them: codes with the words after each ("O1 โครงสร้าง O2 ข้อมูล
ผู้บริหาร"), checked against the titles of the NACC list of the memo's year (a title that is another item's much
better is noted). Read for ``workflow.onboarding.importer``."""

from __future__ import annotations

import re

from workflow.engine.definitions import parse_item_code
from workflow.thaidate import to_arabic_digits, to_thai_digits

_ITEM = re.compile(r"(?:(?<=\s)|^)([๐OoE][๐-๙0-9]{1,3})(?=\s)")


def _reference_titles(fiscal_year_be: int | None = None) -> tuple[dict[str, str], str]:
    """The OIT item titles of the NACC list a memo of that fiscal year follows (workflow/data/frameworks/; the
    2566 numbering when the year is not known), and the list's year as written."""
    from workflow.engine.frameworks import SHIPPED, key_for_year, parse

    key = key_for_year(fiscal_year_be or 2567)
    doc = parse((SHIPPED / f"{key}.tsv").read_text(encoding="utf-8"), key)
    return {i["code"]: i["title"] for i in doc["items"] if i["code"].startswith("O")}, key.rsplit("-", 1)[1]


def _squash(text: str) -> str:
    return re.sub(r"[\s\-–—&]+", "", to_arabic_digits(text)).replace("การ", "")


def check_item_code(raw: str, code: str | None, titles: dict[str, str], year: str = "2566") -> str | None:
    """A note when the title written after an O-code matches another item's title much better."""
    import difflib

    if not code or not code.startswith("O") or code not in titles:
        return None
    title = _squash(_ITEM.sub("", raw, count=1))
    if not title:
        return None
    score = {c: difflib.SequenceMatcher(None, title, _squash(t)).ratio() for c, t in titles.items()}
    best = max(score, key=lambda c: score[c])
    if best != code and score[best] - score[code] > 0.25 and score[best] > 0.7:
        return (f"ชื่อรายการตรงกับ {best} ในเกณฑ์ปี {to_thai_digits(year)} แต่บันทึกเขียนว่า {code} "
                f"(the title is {best}'s in the {year} list)")
    return None


def _items_in(text: str) -> list[dict]:
    """Item codes and the words after each, up to the next code: ``O1 โครงสร้าง O2 ข้อมูลผู้บริหาร`` is two."""
    line = " ".join(text.split()) + " "
    items = []
    for m in _ITEM.finditer(line):
        rest = line[m.end():]
        following = _ITEM.search(rest)
        items.append({"raw": " ".join((m[1] + rest[:following.start() if following else None]).split()),
                      "code": parse_item_code(m[1])})
    return items
