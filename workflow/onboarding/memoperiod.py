"""A memo's periods, due dates and follow-up rounds as dates: ``ตุลาคม ๒๕๖๗ - กันยายน ๒๕๖๘``, ``ม.ค.-มี.ค. 68``,
``ไตรมาสที่ ๒ - ๓``, ``ภายใน ๓๐ เม.ย. ๖๘``, a step's time in a table per step, the rounds a frequency gives.
Read for ``workflow.onboarding.importer``; a guess is said in a warning on the report."""

from __future__ import annotations

import re
from datetime import date, timedelta

from workflow.onboarding.memocells import full_years
from workflow.thaidate import ThaiDateError, parse_thai_date, parse_thai_month, to_arabic_digits

_DASH = "[-–—−‐]"

_EVERY = re.compile(r"ทุก\s*([๐-๙0-9]+)\s*วัน")


_NONE = re.compile(rf"^(?:\s|{_DASH})*ไม่มี(?:\s|{_DASH})*$")


def _be_iso(day: date) -> str:
    """Dates in the output file as people read them: 2567-05-30 (Buddhist Era)."""
    return f"{day.year + 543:04d}-{day.month:02d}-{day.day:02d}"


def _ce(be_iso: str | None) -> date | None:
    """The header's date (BE ISO, as written into the file) as a date."""
    if not be_iso:
        return None
    year, month, day = (int(x) for x in be_iso.split("-"))
    return date(year - 543, month, day)


def _span(text: str, memo_day: date | None) -> tuple[date, date] | None:
    """The days a step's time names: a period, a date or a month ("ภายใน <day>" is that day alone)."""
    if m := re.match(r"^\s*ภายใน(?:วันที่)?\s*(.+)$", text):
        try:
            end = _end_of(m[1])
            return end, end
        except ThaiDateError:
            return None
    try:
        return read_period(text, memo_day)
    except ThaiDateError:
        pass
    try:
        end = _end_of(text)
    except ThaiDateError:
        return None
    try:
        return parse_thai_month(full_years(text)), end
    except ThaiDateError:
        return end, end


#: a paragraph of a period cell that is the follow-up plan: "(ติดตามทุกสิ้นเดือน)", "(รายงานผล ๓๑ มี.ค. ๖๘)"
_FOLLOW_UP = re.compile(r"^\(?\s*(?:การ)?(?:ติดตาม|รายงาน|กำกับ)")


def period_cell(cells: dict[str, str], n_steps: int, memo_day: date | None, warn) -> None:
    """A period cell that holds more than the measure's period (``cells`` by role, a cell's paragraphs apart by
    ``break_``): a paragraph that is the follow-up plan is the monitoring (when no column holds it); one time
    a paragraph for each step (a row per step) is each step's due date, and the measure's period their span.
    Each reading is said with ``warn``."""
    from workflow.onboarding.memotext import CELL_BREAK

    paragraphs = [p.strip() for p in cells.get("period", "").split(CELL_BREAK) if p.strip()]
    if len(set(paragraphs)) == 1:  # the measure's period, merged down over its steps' rows
        cells["period"] = paragraphs[0]
        return
    follow = [p for p in paragraphs if _FOLLOW_UP.match(p)]
    if follow and (not cells.get("monitoring") or cells["monitoring"] == cells["period"]):  # one column: both
        paragraphs = [p for p in paragraphs if p not in follow]
        cells["monitoring"] = " ".join(p.strip("() ") for p in follow)
        cells["period"] = CELL_BREAK.join(paragraphs)
        warn(f"ระยะเวลาและการติดตามเขียนในช่องเดียวกัน อ่าน '{' '.join(follow)[:60]}' เป็นการติดตาม")
    if len(paragraphs) != n_steps or n_steps < 2 or cells.get("due"):
        return
    spans = [_step_span(p, memo_day) for p in paragraphs]
    known = [s for s in spans if s]
    if not known:
        return
    cells["due"] = CELL_BREAK.join(_due_written(p, s) for p, s in zip(paragraphs, spans, strict=True))
    first, last = min(s[0] for s in known), max(s[1] for s in known)
    cells["period"] = f"{_thai_day(first)} - {_thai_day(last)}"
    warn(f"ช่องระยะเวลาเขียนเวลาของแต่ละขั้นตอน ({len(paragraphs)} ขั้นตอน) ใช้เป็นวันที่ต้องเสร็จของขั้นตอน "
         f"และระยะเวลาดำเนินการคือช่วงของขั้นตอน ({cells['period']}) ตรวจว่าถูกต้อง")


def _step_span(text: str, memo_day: date | None) -> tuple[date, date] | None:
    """A step's time as days: a deadline ("ภายใน 31 ต.ค. 2567") counts from its month's first day."""
    span = _span(text, memo_day)
    if span and span[0] == span[1] and re.match(r"^\s*ภายใน", text):
        return span[0].replace(day=1), span[1]
    return span


def _due_written(text: str, span: tuple[date, date] | None) -> str:
    """A step's due date as the due column writes it: its span's last day, or the text ("ทุกเดือน")."""
    if span:
        return _be_iso(span[1])
    return text if _MONTHLY.search(text) else "-"


def _thai_day(day: date) -> str:
    from workflow.thaidate import MONTHS_ABBR

    return f"{day.day} {MONTHS_ABBR[day.month - 1]} {day.year + 543}"


def _written_dates(text: str) -> list[date]:
    """The dates written in a text ("๓๑ มี.ค. ๖๘", "๒๘ กุมภาพันธ์ ๒๕๖๘")."""
    from workflow.thaidate import _MONTH_PATTERN

    out = []
    for m in re.finditer(rf"\d{{1,2}}\s*(?:{_MONTH_PATTERN})\.?\s*\d{{4}}", full_years(text)):
        try:
            out.append(parse_thai_date(m[0]))
        except ThaiDateError:
            continue
    return out


def _propose_dues(steps: list, period: dict | None, report, line, where) -> None:
    """The memo gives steps no dates: propose them spread evenly across the period (the last at its end), in
    the file for the person to check, instead of every step due on the period's last day. A monthly step
    keeps its monthly dates."""
    if not period or not steps:
        return
    start, end = _ce(period["start"]), _ce(period["end"])
    if start is None or end is None:
        return
    length, n, proposed = (end - start).days, len(steps), 0
    for i, step in enumerate(steps):
        entry = step if isinstance(step, dict) else {"title": step}
        if entry.get("repeat") or entry.get("due"):
            continue
        entry["due"] = _be_iso(start + timedelta(days=length * (i + 1) // n))
        steps[i] = entry
        proposed += 1
    if proposed:
        report.warn(line, f"{where}: บันทึกไม่ได้กำหนดวันของแต่ละขั้นตอน เสนอวันกระจายตามระยะเวลาดำเนินการ "
                          "ตรวจและแก้ due ของแต่ละขั้นตอนได้ก่อนยืนยัน")


_WEEKS = re.compile(r"ทุก\s*([๐-๙0-9]+)\s*สัปดาห์")


_MONTHLY = re.compile(r"ทุก(?:สิ้น)?เดือน|รายเดือน|เดือนละ\s*(?:๑|1)\s*ครั้ง|ทุก\s*(?:๑|1)\s*เดือน"
                      r"|ทุกวันที่\s*[๐-๙0-9]{1,2}\s*ของ(?:ทุก)?เดือน")


_QUARTERLY = re.compile(r"รายไตรมาส|ไตรมาสละ|ทุกไตรมาส|ทุก\s*(?:๓|3)\s*เดือน")


_HALF_YEARLY = re.compile(r"ภาคเรียนละ\s*(?:๑|1)\s*ครั้ง|ปีละ\s*(?:๒|2)\s*ครั้ง|ทุก\s*(?:๖|6)\s*เดือน|รายครึ่งปี|ครึ่งปี")


def _plan_rounds(monitoring: dict, period: dict | None, report, line, where) -> None:
    """Rounds from a frequency when the memo names no dates: every N weeks as every_days; monthly at each
    month's end; quarterly at the fiscal quarters' ends; twice a year at the fiscal half-years' ends (all
    within the period; the calendar moves them off weekends and holidays when loaded). Warns when the plan
    gives no round at all."""
    import calendar as months

    text = monitoring.get("text") or ""
    if monitoring.get("rounds") or monitoring.get("every_days"):
        return
    if m := _WEEKS.search(text):
        monitoring["every_days"] = 7 * int(to_arabic_digits(m[1]))
        return
    start, end = (_ce(period["start"]), _ce(period["end"])) if period else (None, None)
    monthly = _MONTHLY.search(text) or "ประจำเดือน" in text  # "ติดตามในการประชุมประจำเดือน"
    months_wanted = ({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} if monthly else
                     {12, 3, 6, 9} if _QUARTERLY.search(text) else {3, 9} if _HALF_YEARLY.search(text) else None)
    if months_wanted and start and end:
        days = []
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            last = date(year, month, months.monthrange(year, month)[1])
            if month in months_wanted and start <= last <= end:
                days.append(last)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        days = days or [end]
        monitoring["rounds"] = [_be_iso(d) for d in days]
        report.warn(line, f"{where}: วันติดตามคำนวณจาก '{text[:60]}' เป็นวันสิ้นเดือน "
                          f"{len(days)} ครั้ง ตรวจว่าตรงกับที่ตั้งใจ")
        return
    if text and not monitoring.get("deadlines"):
        report.warn(line, f"{where}: ไม่พบวันติดตามหรือความถี่ (เช่น 'ครั้งที่ ๑ ๓๐ พ.ค. ๒๕๖๗', 'ทุก ๑๕ วัน', "
                          "'ทุกเดือน') การติดตามของมาตรการนี้จะไม่มีรอบ กรอก rounds เอง")


def _period(text, report, line, where, memo_day: date | None = None) -> tuple[dict | None, str | None]:
    period = None
    m = re.search(r"ระยะเวลา(?:ดำเนินการ|การดำเนินงาน)?\s*[:：]?\s*(.+?)(?=\s+ข้อจำกัด|$)", text)
    if m:
        try:
            start, end = read_period(m[1], memo_day)
            period = {"text": m[1].strip(), "start": _be_iso(start), "end": _be_iso(end)}
        except ThaiDateError:
            report.warn(line, f"{where}: อ่านระยะเวลาดำเนินการไม่ได้: {m[0]}")
    else:
        report.warn(line, f"{where}: ไม่พบระยะเวลาดำเนินการ")
    constraints = None
    if c := re.search(r"ข้อจำกัดของหน่วยงาน\s*(.*)$", text):
        constraints = None if _NONE.match(c[1]) else c[1].strip() or None
    return period, constraints


def read_period(text: str, memo_day: date | None = None) -> tuple[date, date]:
    """A period as memos write it: ``พฤษภาคม – ๑๕ กรกฎาคม ๒๕๖๗``, ``มิถุนายน - สิงหาคม ๒๕๖๗`` (the year once, at
    the end), ``ตุลาคม ๒๕๖๖ – กันยายน ๒๕๖๗``, ``๑ มิ.ย. – ๓๑ ส.ค. ๒๕๖๗``, ``ภายในวันที่ ๓๑ สิงหาคม ๒๕๖๗`` (from the
    memo's date), ``ตลอดปีงบประมาณ พ.ศ. ๒๕๖๗``; a month alone means its first day at the start and its last
    day at the end. Raises ThaiDateError."""
    from workflow.thaidate import fiscal_year_bounds

    clean_text = " ".join(full_years(text).split()).rstrip(" .")
    # "Q1–Q3/2569", "Q2/2569": fiscal quarters written in English
    clean_text = re.sub(r"^Q([1-4])\s*(?:[-–—]\s*Q?([1-4]))?\s*/\s*(?:FY\s*)?(\d{4})$",
                        lambda m: f"ไตรมาสที่ {m[1]}{f' - {m[2]}' if m[2] else ''} ปีงบประมาณ {m[3]}", clean_text)
    if m := re.match(r"^(?:ตลอด(?:ปี)?ปีงบประมาณ|ปีงบประมาณ(?=\s*(?:พ\.?\s*ศ\.?\s*)?\d{4}$))"
                     r"\s*(?:พ\.?\s*ศ\.?\s*)?(\d{4})?", clean_text):
        if m[1]:
            return fiscal_year_bounds(int(m[1]))
        raise ThaiDateError(text, "ไม่ระบุปีงบประมาณ", "no fiscal year given")
    if m := re.match(r"^ไตรมาส(?:ที่)?\s*([1-4])(?:\s*(?:-|–|ถึง)\s*(?:ไตรมาส(?:ที่)?\s*)?([1-4]))?\s*"
                     r"(?:ปีงบประมาณ|ปีงบ)?\s*(?:พ\.?\s*ศ\.?\s*)?(\d{4})$", clean_text):
        first_q, last_q, year = int(m[1]), int(m[2] or m[1]), int(m[3])  # fiscal quarters: 1 is Oct-Dec
        start_fy, _end_fy = fiscal_year_bounds(year)
        start = _add_months(start_fy, 3 * (first_q - 1))
        end = _add_months(start_fy, 3 * last_q) - timedelta(days=1)
        return start, end
    if m := re.match(r"^ภายใน(?:วันที่)?\s*(.+)$", clean_text):
        end = _end_of(m[1])
        start = memo_day if memo_day is not None and memo_day <= end else end.replace(day=1)
        return start, end
    parts = re.split(rf"\s*{_DASH}\s*|\s+ถึง\s+", clean_text, maxsplit=1)
    if len(parts) != 2:
        raise ThaiDateError(text, "ระยะเวลาต้องมีวันเริ่มและวันสิ้นสุด", "a period needs a start and an end")
    first, last = parts
    end = _end_of(last)
    if re.fullmatch(r"\d{1,2}", first.strip()):  # "1 - 10 เม.ย. 2568": the month and year written once
        try:
            return end.replace(day=int(first)), end
        except ValueError:
            raise ThaiDateError(text, "ไม่มีวันที่นี้ในปฏิทิน", "no such date in the calendar") from None
    if re.search(r"\d{4}", first):
        return parse_thai_month(first), end  # a month or a date, with its year
    year_be = end.year + 543  # the year is written once, at the end
    try:
        start = parse_thai_date(f"{first} {year_be}")
    except ThaiDateError:
        start = parse_thai_month(f"{first} {year_be}")
    if start > end:  # ตุลาคม – มีนาคม ๒๕๖๘: the start is in the year before
        start = start.replace(year=start.year - 1)
    return start, end


def _add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month."""
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _end_of(text: str) -> date:
    """The last day a period's end names: a date, or a month's last day."""
    import calendar as months

    text = full_years(text)
    try:
        return parse_thai_date(text)
    except ThaiDateError:
        first = parse_thai_month(text)
        return first.replace(day=months.monthrange(first.year, first.month)[1])
