"""Editing a live cycle's steps (the secretariat): a step added to a measure under way, or one not started
removed. Audited; the steps after are renumbered; what is ready opens (and its people are told, its alerts
planned); a removed step's alerts go with it. Moving a due date and changing an owner are transitions'."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select, update

from workflow import audit
from workflow.db import db
from workflow.engine import transitions
from workflow.errors import InvalidTransition, NotFound, ValidationError
from workflow.models import Evidence, Group, Measure, Step, Timer, User
from workflow.people import permissions
from workflow.thaidate import ThaiDateError, bangkok_today, fiscal_year_bounds, parse_thai_date
from workflow.vocabulary import StepKind, StepState

MAX_TITLE = 2000


def _actor(actor_id: int) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {actor_id}", f"no user {actor_id}")
    return actor


def _shift(measure_id: int, after: int, by: int) -> None:
    """Renumber the steps after ``after`` by ``by`` (+1 or -1) without a moment where two share a number."""
    table = db.metadata.tables["step"]
    moved = (table.c.measure_id == measure_id) & (table.c.number > after)
    db.session.execute(update(table).where(moved).values(number=table.c.number + 100000,
                                                         version=table.c.version + 1))
    db.session.execute(update(table).where(table.c.measure_id == measure_id, table.c.number > 100000)
                       .values(number=table.c.number - 100000 + by))
    db.session.expire_all()


def _due(value: date | str | None, measure: Measure, now: datetime) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = parse_thai_date(value)
        except ThaiDateError as exc:
            raise ValidationError(exc.message_th, exc.message_en) from None
    first, last = fiscal_year_bounds(measure.cycle.fiscal_year_be)
    if not first <= value <= last:
        raise ValidationError(f"กำหนดต้องอยู่ในปีงบประมาณ {measure.cycle.fiscal_year_be} (1 ต.ค. – 30 ก.ย.)",
                              f"the due date must lie in fiscal year {measure.cycle.fiscal_year_be}")
    if value < bangkok_today(now):
        raise ValidationError("กำหนดต้องไม่ก่อนวันนี้", "the due date cannot be before today")
    return value


def add_step(measure_id: int, *, actor_id: int, now: datetime, after: int, title: str,
             group_id: int | None = None, user_id: int | None = None, due_on: date | str | None = None,
             kind: str = StepKind.TASK, reviewer_group_id: int | None = None) -> Step:
    """A step added after step ``after`` (0: first) of a measure under way, owned by a group or a person of the
    agency (or, for a review, decided by a group's director). It opens at once when the steps before it are
    done, and waits otherwise."""
    actor = _actor(actor_id)
    measure = db.session.get(Measure, measure_id)
    if measure is None or not permissions.acts_in_agency(actor, measure.cycle.agency_id):
        raise NotFound(f"ไม่พบมาตรการเลขที่ {measure_id}", f"no measure {measure_id}")
    permissions.require_secretariat(actor)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("ใส่ชื่อขั้นตอน", "give the step's title")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"ชื่อขั้นตอนยาวเกิน {MAX_TITLE} ตัวอักษร", f"the title is longer than {MAX_TITLE}")
    last = db.session.scalar(select(func.max(Step.number)).where(Step.measure_id == measure_id)) or 0
    if not 0 <= after <= last:
        raise ValidationError(f"เลือกตำแหน่งระหว่างขั้นตอนที่ 0 ถึง {last}", f"choose a place between 0 and {last}")
    agency_id = measure.cycle.agency_id
    if kind not in (StepKind.TASK, StepKind.REVIEW):
        raise ValidationError("ประเภทต้องเป็นงานหรือการตรวจสอบ", "the kind must be task or review")
    reviewed = None
    if kind == StepKind.REVIEW:
        reviewer = db.session.get(Group, reviewer_group_id) if reviewer_group_id else None
        if reviewer is None or reviewer.agency_id != agency_id:
            raise ValidationError("เลือกกลุ่มที่ผู้อำนวยการกลุ่มเป็นผู้ตรวจ", "choose the group whose director checks")
        reviewed = db.session.scalar(select(Step).where(Step.measure_id == measure_id, Step.number == after)
                                     .order_by(Step.occurrence.desc()).limit(1))
        if reviewed is None or reviewed.kind != StepKind.TASK:
            raise ValidationError("การตรวจสอบต้องอยู่ต่อจากงานที่จะตรวจ", "a review must come right after the task it checks")
        group_id = user_id = None
    else:
        if (group_id is None) == (user_id is None):
            raise ValidationError("เลือกกลุ่มหรือบุคคลผู้รับผิดชอบอย่างใดอย่างหนึ่ง", "choose a group or a person")
        group = db.session.get(Group, group_id) if group_id is not None else None
        if group_id is not None and (group is None or group.agency_id != agency_id):
            raise NotFound(f"ไม่พบกลุ่มเลขที่ {group_id}", f"no group {group_id}")
        person = db.session.get(User, user_id) if user_id is not None else None
        if user_id is not None and (person is None or person.agency_id != agency_id):
            raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    due = _due(due_on, measure, now) or measure.period_end
    _shift(measure_id, after, +1)
    db.session.refresh(measure)
    step = Step(measure_id=measure_id, number=after + 1, occurrence=1, title=title, kind=kind,
                owner_group_id=group_id, owner_user_id=user_id,
                reviewer_group_id=reviewer_group_id if kind == StepKind.REVIEW else None,
                reviews_step_id=reviewed.id if reviewed is not None else None,
                due_on=due, due_explicit=due_on not in (None, ""), state=StepState.BLOCKED)
    db.session.add(step)
    reopened = measure.state == "done"
    if reopened:
        measure.state = "active"
    db.session.flush()
    audit.record("step_added", agency_id=agency_id, actor_id=actor.id, now=now, target_type="step",
                 target_id=step.id, to_state=StepState.BLOCKED,
                 data={"measure": measure.code, "number": step.number, "title": title, "kind": kind,
                       "group": group_id, "user": user_id, "due": due.isoformat(),
                       **({"measure_reopened": True} if reopened else {})})
    transitions.open_ready_steps(measure_id, actor_id=actor.id, now=now)
    db.session.flush()
    db.session.refresh(step)
    return step


def remove_step(step_id: int, *, actor_id: int, now: datetime, expected_version: int | None, reason: str) -> int:
    """Remove a step nobody has worked on (open or waiting, no evidence, not checked by a review): the steps
    after move up, its alerts are dropped, and what is then ready opens. Its measure's id."""
    actor = _actor(actor_id)
    step = db.session.get(Step, step_id)
    if step is None or not permissions.acts_in_agency(actor, step.measure.cycle.agency_id):
        raise NotFound(f"ไม่พบขั้นตอนเลขที่ {step_id}", f"no step {step_id}")
    permissions.require_secretariat(actor)
    if expected_version is not None and step.version != expected_version:
        from workflow.errors import ConflictError

        raise ConflictError("ขั้นตอนนี้ถูกแก้ไขไปแล้ว โหลดหน้าใหม่", "this step changed since you opened it: reload")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("ระบุเหตุผลที่ลบขั้นตอน", "give the reason for removing the step")
    if step.state == StepState.DONE or step.decisions:
        raise InvalidTransition("ขั้นตอนที่ดำเนินการแล้วลบไม่ได้ (ประวัติต้องอยู่ครบ)",
                                "a step worked on cannot be removed (its history stays)")
    if db.session.scalar(select(func.count()).select_from(Evidence).where(Evidence.step_id == step_id)):
        raise InvalidTransition("ขั้นตอนนี้มีหลักฐานแนบแล้ว ลบไม่ได้", "this step has evidence: it cannot be removed")
    if db.session.scalar(select(func.count()).select_from(Step).where(Step.reviews_step_id == step_id)):
        raise InvalidTransition("ขั้นตอนนี้มีขั้นตอนตรวจสอบตามหลัง ลบขั้นตอนตรวจสอบก่อน",
                                "a review checks this step: remove the review first")
    siblings = db.session.scalar(select(func.count()).select_from(Step).where(
        Step.measure_id == step.measure_id, Step.number == step.number, Step.id != step.id))
    if siblings:
        raise InvalidTransition("ขั้นตอนรายเดือนลบได้ทั้งชุดเท่านั้น ติดต่อผู้ดูแลระบบ",
                                "a monthly step's months are removed together only: ask an admin")
    measure_id, number, agency_id = step.measure_id, step.number, step.measure.cycle.agency_id
    code, title, state = step.measure.code, step.title, step.state
    db.session.execute(delete(Timer).where(Timer.target_type == "step", Timer.target_id == step_id,
                                           Timer.fired_at.is_(None)))
    db.session.delete(step)
    db.session.flush()
    audit.record("step_removed", agency_id=agency_id, actor_id=actor.id, now=now, target_type="step",
                 target_id=step_id, from_state=state, note=reason,
                 data={"measure": code, "number": number, "title": title})
    _shift(measure_id, number, -1)
    transitions.open_ready_steps(measure_id, actor_id=actor.id, now=now)
    db.session.flush()
    return measure_id
