"""What one cell or one value of a memo holds, read the same way whatever the layout: item codes written after a
measure's name, an agency's name among its units, a year written in two digits, a step that is a director's
review, steps joined by arrows. Small readers the importer (``workflow.onboarding.importer``) calls on any layout."""

from __future__ import annotations

import html
import re

from workflow.thaidate import _MONTH_PATTERN, to_arabic_digits

_TAG = re.compile(r"<[^>]{0,200}>")
_SPACES = str.maketrans({"\u00a0": " ", "\u200b": ""})


def clean(text: str) -> str:
    """Text as written, without leftover HTML and with single spaces (dashes are kept)."""
    return " ".join(html.unescape(_TAG.sub(" ", text)).translate(_SPACES).split())


#: a month then a two-digit Buddhist Era year ("ม.ค. 68", "ตุลาคม ๖๗"): the year in full is 25xx
_SHORT_YEAR = re.compile(rf"((?:{_MONTH_PATTERN})\.?)\s*([0-9]{{2}})(?![0-9])")
#: item codes as a measure's name carries them: "(O1-O3)", "(O19, O20)", "(O๑๑ O๑๓)"
_CODE = r"[Oo๐E][0-9๐-๙]{1,3}"
_TRAILING_CODES = re.compile(rf"\s*[(\[]\s*(?:ข้อ\s*)?({_CODE}(?:\s*(?:[-–,/]|และ|\s)\s*{_CODE})*)\s*[)\]]\s*$")
#: ... or a code with its item's name: "(O๑๕ ข้อมูลเชิงสถิติการให้บริการ)"
_TRAILING_CITED = re.compile(rf"\s*[(\[]\s*({_CODE}(?![0-9๐-๙])[^()\[\]]*)[)\]]\s*$")
_RANGE = re.compile(rf"({_CODE})\s*[-–]\s*({_CODE})")


def full_years(text: str) -> str:
    """Text with a year written in two digits after a month ("ต.ค. 67") written in full ("ต.ค. 2567");
    Arabic digits."""
    return _SHORT_YEAR.sub(lambda m: f"{m[1]} 25{m[2]}", to_arabic_digits(text))


def expand_ranges(text: str) -> str:
    """Item codes with their ranges written out: "O1-O3" is "O1 O2 O3"."""

    def spell(m: re.Match) -> str:
        first, last = to_arabic_digits(m[1]), to_arabic_digits(m[2])
        a, b = int(first[1:]), int(last[1:])
        if first[0].upper() != last[0].upper() or not 0 < b - a <= 30:
            return m[0]
        return " ".join(f"{first[0]}{n}" for n in range(a, b + 1))

    return _RANGE.sub(spell, text)


def title_codes(title: str) -> tuple[str, str | None]:
    """A measure's name without the item codes written after it in brackets, and those codes (ranges written
    out), or the name as written and None."""
    m = _TRAILING_CODES.search(title)
    if not m and (cited := _TRAILING_CITED.search(title)) and title[:cited.start()].strip():
        return title[:cited.start()].strip(), expand_ranges(cited[1])  # "(O15 ข้อมูลเชิงสถิติ)": the code, its name
    if not m or not title[:m.start()].strip():
        return title, None
    return title[:m.start()].strip(), " ".join(re.sub(r"[,/]|และ", " ", expand_ranges(m[1])).split())


#: a unit inside an agency (written before or after the agency's name in ส่วนราชการ): not the agency
_UNIT = re.compile(r"^(?:สำนักปลัด|กลุ่ม|กอง|ฝ่าย|งาน|แผนก|ศูนย์)")
#: where the agency's name ends: its district or province, its telephone, a bracket
_PLACE = re.compile(r"^(?:อำเภอ|จังหวัด|ตำบล|โทร|\(|สังกัด)")


#: another office written after the agency's name: its own office or its parent's (สำนักงานคณบดี, สำนักงานเขต...)
_OTHER_OFFICE = re.compile(r"^สำนักงาน")


def agency_of(department: str) -> str:
    """The agency in a memo's ส่วนราชการ: its units (สำนักปลัด, กลุ่ม..., งาน...) and its place (อำเภอ...,
    จังหวัด..., โทร.) left out; "คณะ... มหาวิทยาลัย..." stays whole."""
    text = re.sub(r"\([^()]*\)", " ", department)
    words = text.split()
    kept: list[str] = []
    for word in words:
        if _PLACE.match(word) or word.startswith("โทร"):
            if kept:
                break
            continue
        if _UNIT.match(word) or (kept and _OTHER_OFFICE.match(word)):
            if kept:  # a unit inside the agency, or the office it reports to ("... สำนักงานเขตพื้นที่...")
                break
            continue
        kept.append(word)
    return " ".join(kept) or " ".join(words[:1])


#: a step that is someone in charge checking the work: "ผู้อำนวยการกลุ่ม... ตรวจสอบความถูกต้อง"
REVIEW = re.compile(r"^(?:(?:รอง)?(?:ผู้อำนวยการ|ผอ\.|หัวหน้า|ปลัด|ผู้จัดการ|นายก|สาธารณสุข|คณบดี|ผู้บังคับ|ผู้กำกับ"
                    r"|ผู้ว่า|ผู้บริหาร|ประธาน)\S*(?:\s+\S+){0,4}?"
                    r"|[ก-๙]{2,12}(?:จังหวัด|อำเภอ)[ก-๙]*)"  # a provincial or district office's head: เกษตรจังหวัด...
                    r"\s*ตรวจสอบ(?:ความถูกต้อง|ผลการดำเนิน)")
#: steps joined by arrows on one line: "ตรวจสอบ → แก้ไข → โพสต์"
ARROW = re.compile(r"\s*(?:→|⇒|->|➔|➜)\s*")


def arrow_steps(text: str) -> list[str]:
    """Steps joined by arrows, or [] when the text has fewer than two."""
    parts = [" ".join(p.split()) for p in ARROW.split(" ".join(text.split()))]
    return [p for p in parts if p] if len([p for p in parts if p]) >= 2 else []
