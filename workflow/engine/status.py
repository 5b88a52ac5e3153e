"""The ``itaflow status`` table: measures, steps, owners, BE due dates and overdue marks."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.models import Cycle, Measure, Step
from workflow.thaidate import bangkok_today, digits, format_be
from workflow.vocabulary import DueStatus, StepKind, StepState, due_status, is_overdue, label


@dataclass(frozen=True)
class StatusLine:
    measure: str
    number: int
    title: str
    owner: str
    due: str
    kind: str  # StepKind
    state: str  # StepState
    overdue: bool
    due_soon: bool


def owner_label(step: Step) -> str:
    if step.kind == "review" and step.reviewer_group is not None:
        return f"ผอ.{step.reviewer_group.name}"
    parts = [p for p in (step.owner_user.name if step.owner_user else None,
                         step.owner_group.name if step.owner_group else None) if p]
    if step.owner_group is not None and step.co_owner_groups:  # owned by the measure's groups together
        parts[-1] = " และ".join([step.owner_group.name, *(g.name for g in step.co_owner_groups)])
    return " / ".join(parts) or "-"


def is_due_soon(step: Step, today: date, calendar: WorkingCalendar | None = None) -> bool:
    return due_status(step.state, step.due_on, today, calendar) == DueStatus.SOON


def rows(cycle_id: int | None, now: datetime, digit_style: str = "thai", *,
         agency_id: int | None = None) -> tuple[Cycle | None, list[StatusLine]]:
    from workflow.engine.queries import current_cycle

    cycle = db.session.get(Cycle, cycle_id) if cycle_id else current_cycle(agency_id)
    if cycle is not None and agency_id is not None and cycle.agency_id != agency_id:
        return None, []
    if cycle is None:
        return None, []
    today = bangkok_today(now)
    measures = db.session.execute(
        select(Measure).where(Measure.cycle_id == cycle.id).order_by(Measure.position)
        .options(selectinload(Measure.steps))
    ).scalars()
    out = []
    calendar = WorkingCalendar()
    for measure in measures:
        for step in measure.steps:
            out.append(StatusLine(
                measure=measure.code, number=step.number, title=step.title, owner=owner_label(step),
                due=format_be(step.due_on, digit_style=digit_style) if step.due_on else "-",
                kind=step.kind, state=step.state,
                overdue=is_overdue(step, today),
                due_soon=is_due_soon(step, today, calendar),
            ))
    return cycle, out


def display_width(text: str) -> int:
    """Terminal columns of Thai text: above and below vowels and tone marks take none."""
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me") else 1 for ch in text)


def clip(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            return out + "…"
        out, used = out + ch, used + w
    return out


def render(cycle: Cycle, table: list[StatusLine], digit_style: str = "thai") -> str:
    header = ("มาตรการ", "ขั้น", "ขั้นตอน", "ผู้รับผิดชอบ", "กำหนด", "สถานะ", "")
    def num(n: object) -> str:
        return digits(str(n), digit_style)

    body = [(num(r.measure), num(r.number), clip(r.title, 44), clip(r.owner, 28), r.due,
             label(r.state) + (f" ({label(StepKind.REVIEW)})" if r.kind == StepKind.REVIEW else ""),
             label(DueStatus.OVERDUE) + "!" if r.overdue else (label(DueStatus.SOON) if r.due_soon else ""))
            for r in table]
    widths = [max(display_width(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [f"{cycle.agency} ปีงบประมาณ {num(cycle.fiscal_year_be)}: {cycle.title}"]
    for row in [header, *body]:
        lines.append("  ".join(cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)).rstrip())
    done = sum(1 for r in table if r.state == StepState.DONE)
    overdue = sum(1 for r in table if r.overdue)
    lines.append(f"รวม {num(len(table))} ขั้นตอน {label(StepState.DONE)} {num(done)} "
                 f"{label(DueStatus.OVERDUE)} {num(overdue)}")
    return "\n".join(lines)
