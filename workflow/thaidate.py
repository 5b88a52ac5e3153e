"""Buddhist Era dates, Thai digits and the Bangkok clock.

We store UTC and show Asia/Bangkok. Officials write dates as days in Bangkok, in the Buddhist Era
(BE = CE + 543), often with Thai digits: ``๑๐ มิถุนายน ๒๕๖๗`` or ``๓๐ พ.ค. ๒๕๖๗``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)

MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_key(name: str) -> str:
    return name.replace(".", "").replace(" ", "")


# Full names, abbreviations with or without dots and spaces ("มิ.ย.", "มิย", "มิ. ย.").
_MONTH_LOOKUP: dict[str, int] = {}
for _i, (_full, _abbr) in enumerate(zip(MONTHS_FULL, MONTHS_ABBR, strict=True), start=1):
    _MONTH_LOOKUP[_month_key(_full)] = _i
    _MONTH_LOOKUP[_month_key(_abbr)] = _i
    _MONTH_LOOKUP[MONTHS_EN[_i - 1].lower()] = _i
_MONTH_PATTERN = "|".join(
    sorted((re.escape(m) for m in {*MONTHS_FULL, *MONTHS_ABBR, *map(_month_key, MONTHS_ABBR)}),
           key=len, reverse=True)
)


class ThaiDateError(ValueError):
    """A date that cannot be read, with a Thai and an English message."""

    def __init__(self, text: str, reason_th: str, reason_en: str):
        super().__init__(f"{reason_en}: {text!r}")
        self.text = text
        self.message_th = f"{reason_th}: {text!r}"
        self.message_en = f"{reason_en}: {text!r}"


def to_arabic_digits(text: str) -> str:
    return text.translate(_TO_ARABIC)


def to_thai_digits(text: str) -> str:
    return text.translate(_TO_THAI)


def digits(text: str, style: str = "thai") -> str:
    return to_thai_digits(text) if style == "thai" else to_arabic_digits(text)


MONTHS_EN_FULL = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")


def format_be(day: date, *, style: str = "abbr", digit_style: str = "thai", lang: str = "th") -> str:
    """``๑๕ มิ.ย. ๒๕๖๗`` (abbr), ``15 มิถุนายน 2567`` (full) or ``15/06/2567`` (numeric). In English the year
    stays Buddhist Era, as officials count it: ``15 Jun 2567 BE``."""
    be_year = day.year + BE_OFFSET
    if lang == "en" and style in ("abbr", "full"):
        months = MONTHS_EN if style == "abbr" else MONTHS_EN_FULL
        return digits(f"{day.day} {months[day.month - 1]} {be_year} BE", digit_style)
    if style == "abbr":
        text = f"{day.day} {MONTHS_ABBR[day.month - 1]} {be_year}"
    elif style == "full":
        text = f"{day.day} {MONTHS_FULL[day.month - 1]} {be_year}"
    elif style == "numeric":
        text = f"{day.day:02d}/{day.month:02d}/{be_year}"
    else:
        raise ValueError(f"unknown date style {style!r}")
    return digits(text, digit_style)


def format_month(day: date, *, digit_style: str = "thai", lang: str = "th") -> str:
    """The month a day falls in, as officials name it: ``มิถุนายน ๒๕๖๗``; in English ``June 2567 BE``."""
    if lang == "en":
        return digits(f"{MONTHS_EN_FULL[day.month - 1]} {day.year + BE_OFFSET} BE", digit_style)
    return digits(f"{MONTHS_FULL[day.month - 1]} {day.year + BE_OFFSET}", digit_style)


def format_be_datetime(moment: datetime, *, digit_style: str = "thai", lang: str = "th") -> str:
    """A UTC moment shown in Bangkok: ``๑๕ มิ.ย. ๒๕๖๗ ๐๘:๓๐ น.``"""
    local = to_bangkok(moment)
    if lang == "en":
        return digits(f"{format_be(local.date(), digit_style='arabic', lang='en')} {local:%H:%M}", digit_style)
    return digits(f"{format_be(local.date(), digit_style='arabic')} {local:%H:%M} น.", digit_style)


_THAI_DATE = re.compile(
    rf"^\s*(?:วันที่\s*)?(\d{{1,2}})\s*({_MONTH_PATTERN})\s*(?:พ\.?\s*ศ\.?\s*)?(\d{{4}})\s*$"
)
_MONTH_ONLY = re.compile(rf"^\s*({_MONTH_PATTERN})\s*(?:พ\.?\s*ศ\.?\s*)?(\d{{4}})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_SLASH = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def be_to_ce_year(year: int) -> int:
    """Years from 2400 on are Buddhist Era; below, Common Era."""
    return year - BE_OFFSET if year >= 2400 else year


def _make(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(be_to_ce_year(year), month, day)
    except ValueError:
        raise ThaiDateError(text, "ไม่มีวันที่นี้ในปฏิทิน", "no such date in the calendar") from None


def parse_thai_date(text: str) -> date:
    """Read ``๑๐ มิถุนายน ๒๕๖๗``, ``๓๐ พ.ค. ๒๕๖๗``, ``2567-06-10``, ``10/06/2567`` or CE ``2024-06-10``."""
    raw = text
    text = to_arabic_digits(str(text)).replace("\u00a0", " ")
    if m := _THAI_DATE.match(text):
        return _make(raw, int(m[3]), _MONTH_LOOKUP[_month_key(m[2])], int(m[1]))
    if m := _ISO.match(text):
        return _make(raw, int(m[1]), int(m[2]), int(m[3]))
    if m := _SLASH.match(text):
        return _make(raw, int(m[3]), int(m[2]), int(m[1]))
    raise ThaiDateError(
        raw,
        "อ่านวันที่ไม่ได้ ใช้รูปแบบ เช่น ๑๐ มิ.ย. ๒๕๖๗ หรือ 2567-06-10",
        "cannot read the date; write e.g. 10 มิ.ย. 2567 or 2567-06-10",
    )


def parse_thai_month(text: str) -> date:
    """A month without a day (``พฤษภาคม ๒๕๖๗``) means its first day."""
    raw = text
    text = to_arabic_digits(str(text))
    if m := _MONTH_ONLY.match(text):
        return _make(raw, int(m[2]), _MONTH_LOOKUP[_month_key(m[1])], 1)
    return parse_thai_date(raw)


def fiscal_year_be(day: date) -> int:
    """Thai fiscal year (BE) of a day: 1 Oct 2566 - 30 Sep 2567 is fiscal year 2567."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_bounds(year_be: int) -> tuple[date, date]:
    ce = year_be - BE_OFFSET
    return date(ce - 1, 10, 1), date(ce, 9, 30)


def to_bangkok(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # naive values in the database are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BANGKOK)


def bangkok_today(now: datetime) -> date:
    return to_bangkok(now).date()


def bangkok_moment(day: date, at: time) -> datetime:
    """The UTC instant of a Bangkok wall-clock time on a day."""
    return datetime.combine(day, at, tzinfo=BANGKOK).astimezone(UTC)


def end_of_day_utc(day: date) -> datetime:
    """A step due on a day is overdue once that day has ended in Bangkok."""
    return datetime.combine(day, time.max, tzinfo=BANGKOK).astimezone(UTC)
