"""A measure's follow-up plan as a memo writes it: who follows up, by what channel, every N days, its rounds
("ครั้งที่ ๑ ๓๑ มี.ค. ๖๘", "๒ ครั้ง ภายในวันที่ ... และ ..."), its report deadlines, or dates written in it.
Read for ``workflow.onboarding.importer``; a guess is said in a warning."""

from __future__ import annotations

import re
from datetime import date

from workflow.onboarding.memoowners import _GROUP, _group_key
from workflow.onboarding.memoperiod import _EVERY, _be_iso, _written_dates
from workflow.thaidate import ThaiDateError, parse_thai_date, to_arabic_digits

_ROUND = re.compile(r"ครั้งที่\s*[๐-๙0-9]+\s+([๐-๙0-9]{1,2}\s*\S+\s*[๐-๙0-9]{4})")
_WITHIN = re.compile(r"ภายในวันที่\s*([๐-๙0-9]{1,2}\s*\S+\s*[๐-๙0-9]{4})")


def _dates(pattern, text, report, line, where) -> list[date]:
    out = []
    for m in pattern.finditer(text):
        try:
            out.append(parse_thai_date(m[1]))
        except ThaiDateError:
            report.warn(line, f"{where}: อ่านวันที่ไม่ได้: {m[1]}")
    return out




def _monitoring(text, groups, report, line, where) -> dict:
    monitoring: dict = {"text": text}
    by = _GROUP.match(text)
    if by:
        monitoring["by"] = _group_key(by[0], groups)
    if m := re.search(r"โดย(.+?)\s*ดังนี้", text):
        monitoring["channel"] = m[1].strip()
    if m := _EVERY.search(text):
        monitoring["every_days"] = int(to_arabic_digits(m[1]))
    rounds = _dates(_ROUND, text, report, line, where)
    times = re.search(r"([๐-๙0-9])\s*ครั้ง", text)
    if not rounds and times and len(written := _written_dates(text)) == int(to_arabic_digits(times[1])) >= 2:
        rounds = written  # "รายงานผล ๒ ครั้ง ภายในวันที่ ๓๑ มี.ค. ๖๘ และ ๓๐ ก.ย. ๖๘": each date a round
    if rounds:
        monitoring["rounds"] = [_be_iso(d) for d in rounds]
    deadlines = _dates(_WITHIN, text, report, line, where) if "rounds" not in monitoring else []
    if deadlines:
        monitoring["deadlines"] = [{"title": "รายงานผลการดำเนินงาน", "date": _be_iso(d)} for d in deadlines]
    elif not rounds and "every_days" not in monitoring and (written := _written_dates(text)):
        monitoring["rounds"] = [_be_iso(d) for d in written]  # "ติดตามเมื่อสิ้นสุดโครงการ (๓๑ มี.ค. ๖๘)"
        report.warn(line, f"{where}: วันติดตามอ่านจากวันที่ที่เขียนไว้ในการติดตาม: "
                          f"{', '.join(_be_iso(d) for d in written)} ตรวจว่าถูกต้อง")
    if not text:
        report.warn(line, f"{where}: ไม่พบแนวทางการกำกับติดตาม")
    return monitoring
