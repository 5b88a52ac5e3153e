"""A measure's steps as a memo writes them, read the same way on every layout: numbered (``1.``, ``(๑)``, ``1)``),
bulleted (``-``, ``•``, ``❖``, ``๏``: a sub-line under a step, with a different mark, belongs to that step), one a
paragraph, or joined by arrows; a step that is someone in charge checking the work is a review; a monthly step
repeats; a due date written beside each step. Read for ``workflow.onboarding.importer``; a guess is said in a
warning."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from workflow.onboarding.memocells import REVIEW, arrow_steps
from workflow.onboarding.memoowners import _GROUP, _group_key
from workflow.onboarding.memoperiod import _MONTHLY, _be_iso, _end_of, _span
from workflow.thaidate import ThaiDateError, to_arabic_digits

if TYPE_CHECKING:
    from workflow.onboarding.importer import ImportReport

#: a step's number as memos write it: ``1.``, ``1)``, ``(1)``, in Thai or Arabic digits
_STEP_NUMBER = re.compile(r"(?:(?<=\s)|^)(?:\(([๑-๙1-9][๐-๙0-9]?)\)|([๑-๙1-9][๐-๙0-9]?)[.)])\s*(?=\S)")


def _step_dues(steps: list, dues: list[str], report: ImportReport, line: int, where: str) -> None:
    """A due date written beside each step (a row per step, a column กำหนดแล้วเสร็จ)."""
    if not dues or not steps:
        return
    if len(dues) != len(steps):
        report.warn(line, f"{where}: วันที่ต้องเสร็จ {len(dues)} วัน แต่มี {len(steps)} ขั้นตอน ไม่ได้กำหนดวันให้ขั้นตอน "
                          f"ตรวจและกรอกเอง: {' / '.join(dues)[:120]}")
        return
    for i, written in enumerate(dues):
        if not written or written == "-":
            continue
        if _MONTHLY.fullmatch(written.strip()) or (_MONTHLY.search(written) and not re.search(
                r"[0-9๐-๙]{4}", written)):  # "ทุกเดือน", "ภายในวันที่ 10 ของทุกเดือน" for a due date: a monthly step
            entry = steps[i] if isinstance(steps[i], dict) else {"title": steps[i]}
            entry["repeat"] = "monthly"
            steps[i] = entry
            continue
        day: date | None
        try:
            day = _end_of(re.sub(r"^(?:ภายใน(?:วันที่)?|วันที่)\s*", "", written))
        except ThaiDateError:
            span = _span(written, None)  # a step's time written as a period ("ต.ค. ๖๗ – ก.ย. ๖๘"): due at its end
            day = span[1] if span else None
        if day is None:
            report.warn(line, f"{where}: อ่านวันที่ต้องเสร็จของขั้นตอนที่ {i + 1} ไม่ได้: {written}")
            continue
        entry = steps[i] if isinstance(steps[i], dict) else {"title": steps[i]}
        entry["due"] = _be_iso(day)
        steps[i] = entry




def _split_numbered(text: str) -> list[str]:
    if bulleted := _bulleted(text):
        return bulleted
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    if len(paragraphs) >= 2 and all((m := _STEP_NUMBER.match(p)) and p[m.end():].strip() for p in paragraphs):
        # one numbered paragraph per step, the numbering restarting where a table went on after a page break
        return [" ".join(p[_STEP_NUMBER.match(p).end():].split()) for p in paragraphs]  # type: ignore[union-attr]
    marks = list(_STEP_NUMBER.finditer(text))
    expected, parts = 1, []
    kept = []
    for m in marks:  # only a run 1, 2, 3...: a stray "๓." inside a sentence is text
        if int(to_arabic_digits(m[1] or m[2])) == expected:
            kept.append(m)
            expected += 1
    for n, m in enumerate(kept):
        stop = kept[n + 1].start() if n + 1 < len(kept) else len(text)
        parts.append(" ".join(text[m.end():stop].split()))
    if len(parts) >= 2:
        return parts
    bullets = [" ".join(p.split()) for p in _BULLET.split(text)]
    if len([p for p in bullets[1:] if p]) >= 2 and not bullets[0].strip():
        return [p for p in bullets[1:] if p]
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if len(lines) >= 2:  # a label/value table's steps, one a paragraph, unnumbered
        return lines
    return parts or arrow_steps(text)


#: a step written as a bullet: "- ...", "• ...", at the start of the text or after a space or line break
_BULLET = re.compile(r"(?:^|(?<=\s))[-•●▪◦∙·❖๏◆◇■□○➢➤►✓✔★]\s+")
#: a paragraph opened by a bullet mark, the mark apart
_MARKED = re.compile(r"^\s*([-•●▪◦∙·❖๏◆◇■□○➢➤►✓✔★])\s*(\S.*)$")


def _bulleted(text: str) -> list[str]:
    """Steps one a paragraph, each opened by the list's bullet (the first paragraph's mark): a paragraph with
    another mark (``- หากเดือนใด...`` under ``❖ จัดทำ...``) goes on the step above; [] when not such a list."""
    paragraphs = [p for p in text.splitlines() if p.strip()]
    first = _MARKED.match(paragraphs[0]) if paragraphs else None
    if first is None or len(paragraphs) < 2:
        return []
    steps: list[str] = []
    for p in paragraphs:
        m = _MARKED.match(p)
        if m and m[1] == first[1]:
            steps.append(" ".join(m[2].split()))
        else:  # a sub-line: its own mark, or none
            steps[-1] = f"{steps[-1]} {' '.join((m[2] if m else p).split())}"
    return steps if len(steps) >= 2 else []
#: a step that is itself a monthly event (the seed's "การประชุมประจำเดือนของหน่วยงาน"), not one that mentions it
_MONTHLY_STEP = re.compile(r"ประจำเดือน|ทุก(?:สิ้น)?เดือน|เดือนละ\s*(?:๑|1)\s*ครั้ง")
#: ... unless the monthly meeting is only where it happens ("นำเสนอในที่ประชุมประจำเดือน")
_AT_MONTHLY_MEETING = re.compile(r"(?:ใน|ที่|ต่อ|เข้า)(?:ที่)?(?:การ)?ประชุมประจำเดือน")


def _steps(text, owners, groups, report, line, where) -> list:
    parts = _split_numbered(text)
    if not parts:
        report.warn(line, f"{where}: ไม่พบขั้นตอน (๑. ... ๒. ... หรือ - ... - ... หรือบรรทัดละขั้นตอน)")
        return []
    steps: list = []
    for part in parts:
        if REVIEW.search(part):
            steps.append(_review(part, owners, groups, report, line, where))
        elif _MONTHLY_STEP.search(part) and not _AT_MONTHLY_MEETING.search(part):
            steps.append({"title": part, "repeat": "monthly"})
        elif steps and isinstance(steps[-1], dict) and steps[-1].get("repeat") == "monthly":
            steps.append({"title": part, "parallel": True})  # runs beside the monthly step before it
        else:
            steps.append(part)
    return steps


def _review(part: str, owners: dict, groups: dict[str, str], report, line, where) -> dict:
    """A step that is someone in charge checking the work: reviewed by the group it names, else by the
    measure's first owner group (a guess, said so)."""
    named = _GROUP.search(re.split(r"ตรวจสอบ", part)[0])
    if named:
        return {"title": part, "kind": "review", "reviewer": _group_key(named[0], groups)}
    if owners.get("groups"):
        reviewer = owners["groups"][0]
        report.warn(line, f"{where}: ขั้นตอน '{part[:50]}' เป็นการตรวจสอบ ผู้ตรวจคือหัวหน้าของกลุ่มผู้รับผิดชอบ "
                          f"'{next((n for n, k in groups.items() if k == reviewer), reviewer)}' ตรวจว่าถูกต้อง")
        return {"title": part, "kind": "review", "reviewer": reviewer}
    report.warn(line, f"{where}: ขั้นตอน '{part[:50]}' เป็นการตรวจสอบ แต่ไม่รู้ว่ากลุ่มใดตรวจ ระบุ reviewer เอง")
    return {"title": part, "kind": "review"}
