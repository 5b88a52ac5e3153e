"""The year's OIT work owned like steps: each item of the cycle's framework given to a work group with a due
date (the OIT collection window), so the whole year's ITA work lives in itaflow with the same reminders,
escalations, evidence and dashboard as the measures. The items become one workflow of the cycle (code ``OIT``)
whose steps all open at once; evidence attached to an item's step answers that item on the answer sheet. The
memo's documents (the measures and their report) leave it out: it is not one of the memo's measures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from workflow import audit
from workflow.db import db
from workflow.engine import frameworks, transitions
from workflow.errors import NotFound, ValidationError
from workflow.models import Cycle, Group, Measure, Step, User
from workflow.people import permissions
from workflow.thaidate import ThaiDateError, bangkok_today, fiscal_year_bounds, parse_thai_date
from workflow.vocabulary import StepKind, StepState

OIT_CODE = "OIT"


def item_of(step: Step) -> str | None:
    """The OIT item a step of the OIT workflow is for (None for a measure's step)."""
    if step.measure.code != OIT_CODE:
        return None
    items = step.measure.related_items or []
    return items[step.number - 1].get("code") if 0 < step.number <= len(items) else None


def existing(cycle_id: int) -> Measure | None:
    return db.session.execute(select(Measure).where(Measure.cycle_id == cycle_id, Measure.code == OIT_CODE)
                              ).scalar_one_or_none()


def plan(cycle_id: int, *, actor_id: int, now: datetime, assignments: list[tuple[str, int | None, str]]) -> Measure:
    """The secretariat gives items to groups with due dates (``(code, group_id, due as typed)``; items with
    neither are left out): one workflow whose steps open at once, their owners told and reminded. Refused
    whole, saying which item to fix."""
    actor = db.session.get(User, actor_id)
    cycle = db.session.get(Cycle, cycle_id)
    if actor is None or cycle is None or not permissions.acts_in_agency(actor, cycle.agency_id):
        raise NotFound(f"ไม่พบรอบปีเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    permissions.require_secretariat(actor)
    measure = existing(cycle.id)
    planned = {i.get("code") for i in (measure.related_items if measure is not None else [])}
    framework = frameworks.for_cycle(cycle)
    titles = frameworks.titles(framework)
    first, last = fiscal_year_bounds(cycle.fiscal_year_be)
    today = bangkok_today(now)
    chosen: list[tuple[str, Group, date]] = []
    for code, group_id, due_text in assignments:
        if not group_id and not (due_text or "").strip():
            continue
        if code not in titles:
            raise ValidationError(f"ไม่มีรายการ {code} ในเกณฑ์ของปีนี้", f"{code} is not an item of this year")
        if code in planned:
            raise ValidationError(f"{code} มอบหมายแล้ว แก้ผู้รับผิดชอบหรือกำหนดได้ที่หน้าของขั้นตอนนั้น",
                                  f"{code} is assigned already: change its owner or date on its step's page")
        group = db.session.get(Group, group_id) if group_id else None
        if group is None or group.agency_id != cycle.agency_id:
            raise ValidationError(f"{code}: เลือกกลุ่มผู้รับผิดชอบ", f"{code}: choose the owner group")
        try:
            due = parse_thai_date((due_text or "").strip())
        except ThaiDateError:
            raise ValidationError(f"{code}: ใส่กำหนดเสร็จ เช่น ๓๐/๐๔/{cycle.fiscal_year_be}",
                                  f"{code}: give the due date, e.g. 30/04/{cycle.fiscal_year_be}") from None
        if not first <= due <= last or due < today:
            raise ValidationError(f"{code}: กำหนดต้องอยู่ในปีงบประมาณ {cycle.fiscal_year_be} และไม่ก่อนวันนี้",
                                  f"{code}: the due date must lie in fiscal year {cycle.fiscal_year_be}, not past")
        chosen.append((code, group, due))
    if not chosen:
        raise ValidationError("ยังไม่ได้มอบหมายรายการใด เลือกกลุ่มและกำหนดอย่างน้อยหนึ่งรายการ",
                              "no item assigned: choose a group and a date for at least one")
    added = [{"code": code, "title": titles[code], "raw": f"{code} {titles[code]}"} for code, _g, _d in chosen]
    if measure is None:
        position = (db.session.scalar(select(func.max(Measure.position)).where(Measure.cycle_id == cycle.id))
                    or 0) + 1
        measure = Measure(
            cycle_id=cycle.id, code=OIT_CODE, position=position,
            title=f"การเผยแพร่ข้อมูลต่อสาธารณะ (OIT) ตาม{framework.name}", related_items=added,
            weakness="-", improvement="เผยแพร่ข้อมูลครบทุกรายการที่มอบหมายก่อนการประเมิน",
            owners_text=" ".join(dict.fromkeys(g.name for _c, g, _d in chosen)), monitoring={},
            period_start=today, period_end=max(d for _c, _g, d in chosen), constraints=None, state="active")
        db.session.add(measure)
        db.session.flush()
        first_number = 1
    else:  # items added later: more steps of the same workflow (a finished one opens again)
        first_number = len(measure.related_items) + 1
        measure.related_items = [*measure.related_items, *added]
        groups = [g.name for _c, g, _d in chosen if g.name not in measure.owners_text]
        measure.owners_text = " ".join(dict.fromkeys([measure.owners_text, *groups]))
        measure.period_end = max([measure.period_end, *(d for _c, _g, d in chosen)])
        measure.state = "active"
    for number, (code, group, due) in enumerate(chosen, start=first_number):
        db.session.add(Step(measure_id=measure.id, number=number, occurrence=1, title=f"{code} {titles[code]}",
                            kind=StepKind.TASK, parallel=number > 1, owner_group_id=group.id, due_on=due,
                            due_explicit=True, state=StepState.BLOCKED))
    db.session.flush()
    audit.record("oit_work_planned", agency_id=cycle.agency_id, actor_id=actor.id, now=now, target_type="measure",
                 target_id=measure.id, data={"items": [c for c, _g, _d in chosen], "framework": framework.key,
                                             "added_to": first_number > 1})
    transitions.open_ready_steps(measure.id, actor_id=actor.id, now=now)
    db.session.flush()
    return measure
