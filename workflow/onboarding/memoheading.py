"""A memo's heading as the importer reads it: the memo form's fields (ส่วนราชการ, ที่, วันที่, เรื่อง, เรียน, the
signers), the agency when the form is missing, and the fiscal year the memo writes for its measures (never the
assessment's), with one note when the choice is not plain. Read for ``workflow.onboarding.importer``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workflow.onboarding.memocells import agency_of, clean
from workflow.onboarding.memoperiod import _be_iso
from workflow.thaidate import ThaiDateError, parse_thai_date, to_arabic_digits, to_thai_digits

if TYPE_CHECKING:
    from workflow.onboarding.importer import ImportReport

_DASH = "[-–—−‐]"

#: an agency's name as a memo without the form's ส่วนราชการ writes it in its title
_AGENCY_WORD = re.compile(r"^(?:โรงพยาบาล|โรงเรียน|องค์การ|เทศบาล|สำนักงาน|ที่ว่าการ|คณะ|มหาวิทยาลัย|สถานี|การประปา|กรม"
                          r"|ศูนย์|วิทยาลัย|สถาบัน)\S+")


def _agency_from_title(lines: list[str], header: dict, report: ImportReport) -> None:
    """A memo without ส่วนราชการ: the agency named at the start of a line of its title (a guess, said so)."""
    for i, raw in enumerate(lines):
        line = clean(raw)
        if _AGENCY_WORD.match(line):
            name = agency_of(re.split(r"\s*(?:ปีงบประมาณ|ประจำปี|พ\.ศ\.)", line)[0])
            header["agency"] = name
            report.warn(i + 1, f"บันทึกไม่มีบรรทัด 'ส่วนราชการ' ใช้ชื่อหน่วยงาน '{name}' จากบรรทัดที่ {i + 1} ตรวจว่าถูกต้อง")
            return


#: "ปีงบประมาณ พ.ศ. ๒๕๖๘", "ประจำปี ๒๕๖๘": a year the memo writes
_YEAR_WRITTEN = re.compile(r"(?:ปีงบประมาณ|ประจำปี)\s*(?:พ\.?\s*ศ\.?)?\s*([๒2][๔๕45][๐-๙0-9]{2})")


#: ... of the assessment the measures answer ("ผลการประเมิน ITA ประจำปี ๒๕๖๗"), not of the measures
_ASSESSMENT = re.compile(r"ประเมิน|ITA|ไอทีเอ|คะแนน", re.IGNORECASE)


def _written_years(lines: list[str]) -> list[tuple[int, str]]:
    """The fiscal years the memo writes for its measures, most written first, each with a line showing it;
    a year written as the assessment's ("ผลการประเมิน ... ปี ๒๕๖๗") is counted apart, as (-year, line)."""
    found: dict[int, list[str]] = {}
    for raw in lines:
        line = clean(raw)
        for m in _YEAR_WRITTEN.finditer(line):
            year = int(to_arabic_digits(m[1]))
            before = line[max(0, m.start() - 40):m.start()]
            key = -year if _ASSESSMENT.search(before) and not re.search(r"มาตรการ|แผน", before[-20:]) else year
            found.setdefault(key, []).append(line[max(0, m.start() - 30):m.end()])
    ranked = sorted(found, key=lambda y: (y < 0, -len(found[y])))
    return [(y, found[y][0]) for y in ranked]


def _choose_fiscal_year(written: list[tuple[int, str]], by_dates: int | None, chosen: int | None
                        ) -> tuple[int | None, str | None]:
    """The memo's fiscal year and, when it is not plain, one note that names the choice: the year written for
    the measures, else the one most of their dates fall in; never the assessment's year taken for it."""
    if chosen:
        return chosen, None
    measures = [y for y, _ in written if y > 0]
    assessed = [-y for y, _ in written if y < 0]
    if measures:
        year = measures[0]
        if by_dates and by_dates != year:
            return year, (f"ใช้ปีงบประมาณ {to_thai_digits(str(year))} ตามที่บันทึกเขียนไว้ "
                          f"('{next(t for y, t in written if y == year)}') แต่วันที่ของมาตรการส่วนใหญ่อยู่ในปีงบประมาณ "
                          f"{to_thai_digits(str(by_dates))} ตรวจวันที่หรือเปลี่ยนปีในหน้าการจับคู่")
        if len(measures) > 1:
            return year, (f"บันทึกเขียนปีงบประมาณไว้หลายปี ({', '.join(to_thai_digits(str(y)) for y in measures)}) "
                          f"ใช้ {to_thai_digits(str(year))} ที่เขียนบ่อยที่สุด ถ้าไม่ใช่ เปลี่ยนในหน้าการจับคู่")
        return year, None
    if by_dates:
        note = (f"บันทึกไม่ได้ระบุปีงบประมาณ อนุมานเป็น {by_dates} จากวันที่ของบันทึกและระยะเวลาดำเนินการ "
                "(ปีงบประมาณเริ่ม ๑ ตุลาคม) ตรวจว่าถูกต้อง")
        if assessed:
            note += (f" (ปี {', '.join(to_thai_digits(str(y)) for y in assessed)} ที่บันทึกเขียนไว้เป็นปีของผลการประเมิน "
                     "ไม่ใช่ปีของมาตรการ)")
        return by_dates, note
    if assessed:
        year = assessed[0] + 1
        return year, (f"บันทึกเขียนเพียงปีของผลการประเมิน ({to_thai_digits(str(assessed[0]))}) ใช้ปีงบประมาณถัดไป "
                      f"{to_thai_digits(str(year))} สำหรับมาตรการ ตรวจและเปลี่ยนในหน้าการจับคู่ได้")
    return None, "ไม่พบปีงบประมาณ (เช่น 'ประจำปีงบประมาณ พ.ศ. ๒๕๖๗') กรอกปีงบประมาณเอง"


def _fiscal_year_of(header: dict, measures: list[dict]) -> int | None:
    """The BE fiscal year most of the memo's dates fall in (1 October to 30 September): its periods' ends,
    else the memo's own date."""
    days = [m["period"]["end"] for m in measures if m.get("period")] or ([header["date"]] if header.get("date")
                                                                        else [])
    years = []
    for text in days:  # BE ISO, as written into the file
        year, month = int(text[:4]), int(text[5:7])
        years.append(year + 1 if month >= 10 else year)
    return max(set(years), key=years.count) if years else None


def _header(lines: list[str], report: ImportReport) -> dict:
    header: dict = {}
    names: list[tuple[str, list[str]]] = []
    collecting = False
    for i, raw in enumerate(lines):
        line = clean(raw)
        if line == "บันทึกข้อความ":
            report.heading_lines.append(line)
        elif m := re.match(r"^(?:ส่วนราชการ|ส่วนงาน|หน่วยงาน)\s*[:：]?\s+(.+)$", line):
            report.heading_lines.append(line)
            header["department"] = m[1]
            header["agency"] = agency_of(m[1])
            if not m[1].startswith(header["agency"]) or "สำนักงาน" in m[1][len(header["agency"]):]:
                report.warn(i + 1, f"ชื่อหน่วยงานอ่านเป็น '{header['agency']}' จาก '{m[1]}' "
                                   "(ตัดชื่อกลุ่ม งาน หรือสำนักงานที่เขียนต่อท้ายออก) ตรวจว่าถูกต้อง")
        elif m := re.match(r"^ที่\s+(.+?)(?:\s+วันที่\s+(.+))?$", line):  # often on one line with the date
            report.heading_lines.append(line)
            header["number"] = m[1]
            if m[2]:
                try:
                    header["date"] = _be_iso(parse_thai_date(m[2]))
                except ThaiDateError:
                    report.warn(i + 1, f"อ่านวันที่ของบันทึกไม่ได้: {m[2]}")
        elif m := re.match(r"^วันที่\s+(.+)$", line):
            report.heading_lines.append(line)
            try:
                header["date"] = _be_iso(parse_thai_date(m[1]))
            except ThaiDateError:
                report.warn(i + 1, f"อ่านวันที่ของบันทึกไม่ได้: {m[1]}")
        elif m := re.match(r"^เรื่อง\s+(.+)$", line):
            report.heading_lines.append(line)
            header["subject"] = m[1]
        elif m := re.match(r"^เรียน\s+(.+)$", line):
            report.heading_lines.append(line)
            header["to"] = m[1]
        elif m := re.match(r"^\((.+)\)$", line):
            names.append((m[1], []))
            collecting = True
        elif collecting and line:
            if re.match(_DASH, line) or len(names[-1][1]) >= 2:
                collecting = False
            else:
                names[-1][1].append(line)
    signed = [(name, pos) for name, pos in names if name]
    if signed:
        header["author"] = {"name": signed[0][0], "position": " ".join(signed[0][1]) or None}
    if len(signed) > 1:
        header["signer"] = {"name": signed[-1][0], "position": " ".join(signed[-1][1]) or None}
    return header
