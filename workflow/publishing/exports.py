"""Spreadsheets of a cycle: measures and steps with states, owners, dates and evidence links (XLSX, CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from workflow.db import db
from workflow.engine.status import is_overdue, owner_label
from workflow.models import Evidence
from workflow.people import permissions
from workflow.publishing.documents import cycle_measures, get_cycle
from workflow.thaidate import bangkok_today, format_be, format_be_datetime
from workflow.vocabulary import acting_words, label, step_title

STEP_COLUMNS = ["ประเด็น", "ชื่อประเด็น", "ขั้นตอนที่", "ครั้งที่", "ขั้นตอน", "ชนิด", "ผู้รับผิดชอบ", "สถานะ",
                "กำหนด (พ.ศ.)", "กำหนด (ISO)", "เลยกำหนด", "เริ่มเมื่อ", "เสร็จเมื่อ", "ผู้ดำเนินการ",
                "ผลการตรวจสอบ", "หลักฐาน"]
MEASURE_COLUMNS = ["ประเด็น", "ชื่อประเด็น", "จุดอ่อน", "การพัฒนา", "ผู้รับผิดชอบ", "เริ่ม", "สิ้นสุด",
                   "ข้อจำกัด", "ขั้นตอนทั้งหมด", "เสร็จแล้ว", "ร้อยละ"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Text that a spreadsheet would run as a formula is kept as text (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def rows(cycle_id: int, now: datetime, viewer_id: int | None) -> tuple[list[list], list[list]]:
    """(measure rows, step rows), Arabic digits, dates in BE and ISO. Evidence only where the viewer may see
    it (workflow.people.permissions): the same rule as the step page and the API."""
    today = bangkok_today(now)
    may_see = permissions.evidence_reader(viewer_id, today)
    get_cycle(cycle_id)
    base = current_app.config["ITAFLOW"].base_url
    measures = cycle_measures(cycle_id)
    step_ids = [s.id for m in measures for s in m.steps]
    evidence: dict[int, list[str]] = {}
    for ev in db.session.execute(select(Evidence).where(Evidence.step_id.in_(step_ids), Evidence.withdrawn_at.is_(None))
                                 .order_by(Evidence.id)
                                 ).scalars() if step_ids else ():
        text = {"link": ev.url, "file": f"{base}/evidence/{ev.id}"}.get(ev.kind) or (ev.text or "")
        evidence.setdefault(ev.step_id, []).append(text)
    measure_rows, step_rows = [], []
    for m in measures:
        done = sum(1 for s in m.steps if s.state == "done")
        measure_rows.append([m.code, m.title, m.weakness, m.improvement, m.owners_text,
                             format_be(m.period_start, style="numeric", digit_style="arabic"),
                             format_be(m.period_end, style="numeric", digit_style="arabic"),
                             m.constraints or "ไม่มี", len(m.steps), done,
                             round(100 * done / len(m.steps)) if m.steps else 100])
        for s in m.steps:
            decisions = "; ".join(
                f"{'อนุมัติ' if d.decision == 'approved' else 'ส่งกลับ'} {acting_words(d.decided_by, d.acting)}"
                f"{': ' + d.reason if d.reason else ''}" for d in s.decisions)
            step_rows.append([
                m.code, m.title, s.number, s.occurrence, step_title(s, "th", "arabic"),
                "ตรวจสอบ" if s.kind == "review" else "งาน",
                owner_label(s), label(s.state),
                format_be(s.due_on, style="numeric", digit_style="arabic") if s.due_on else "",
                s.due_on.isoformat() if s.due_on else "", "ใช่" if is_overdue(s, today) else "",
                format_be_datetime(s.opened_at, digit_style="arabic") if s.opened_at else "",
                format_be_datetime(s.done_at, digit_style="arabic") if s.done_at else "",
                acting_words(s.done_by, s.done_acting) if s.done_by else "", decisions,
                "\n".join(evidence.get(s.id, [])) if may_see(s) else ""])
    return measure_rows, step_rows


def to_csv(cycle_id: int, now: datetime, viewer_id: int | None) -> bytes:
    """The steps, UTF-8 with a byte-order mark so that Excel opens the Thai text as Thai."""
    _, step_rows = rows(cycle_id, now, viewer_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STEP_COLUMNS)
    writer.writerows([[_cell(v) for v in row] for row in step_rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(cycle_id: int, now: datetime, viewer_id: int | None) -> bytes:
    from openpyxl import Workbook

    cycle = get_cycle(cycle_id)
    measure_rows, step_rows = rows(cycle_id, now, viewer_id)
    book = Workbook()
    write_sheet(book.active, "ขั้นตอน", STEP_COLUMNS, step_rows)
    write_sheet(book.create_sheet(), "มาตรการ", MEASURE_COLUMNS, measure_rows)
    book.properties.title = f"มาตรการ ITA {cycle.agency} ปีงบประมาณ {cycle.fiscal_year_be}"
    return workbook_bytes(book)


def write_sheet(sheet, title: str, columns: Sequence[str], data: Sequence[Sequence]) -> None:
    """A sheet as officials read it: bold frozen header, a filter, widths to fit, wrapped text; text that
    starts with "=" stays text, never a formula."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.title = title
    sheet.append(list(columns))
    for row in data:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for i, column in enumerate(columns, start=1):
        longest = max([len(str(column))] + [len(str(r[i - 1]).split("\n")[0]) for r in data])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
