"""The one place a step changes state.

Every change checks the actor's right, compares the version the actor saw (optimistic concurrency),
records an audit event and queues its emails, all in the caller's transaction. Services only flush;
the entry point commits: a request in web/transaction.py, a CLI command in web.cli.service_command, a
task in tasks/jobs.py; and only then enqueues work.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar

from sqlalchemy import bindparam, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit, steprows
from workflow.channels import alerts, lineout, notify
from workflow.db import db
from workflow.errors import ConflictError, InvalidTransition, NotFound, ValidationError
from workflow.models import Cycle, Group, Measure, ReviewDecision, Step, User
from workflow.people import permissions
from workflow.steprows import StepRow
from workflow.vocabulary import StepState, label

MAX_REASON = 2000


#: what the rarer transitions read of a step, in one statement: the step with its measure and the measure's
#: cycle (without the memo and the definitions document, which only documents need); ``complete`` and
#: ``open_ready_steps`` read light rows instead (workflow.steprows)
_STEP_LOAD = (
    joinedload(Step.measure).load_only(Measure.id, Measure.cycle_id, Measure.code, Measure.title, Measure.state)
    .joinedload(Measure.cycle).load_only(Cycle.id, Cycle.agency_id, Cycle.agency, Cycle.reminder_days),
)


def _load(step_id: int, actor_id: int, expected_version: int | None, now: datetime | None = None,
          options: Sequence = _STEP_LOAD) -> tuple[Step, User]:
    step = db.session.get(Step, step_id, options=options)
    if step is None:
        raise NotFound(f"ไม่พบขั้นตอนเลขที่ {step_id}", f"no step {step_id}")
    actor = db.session.get(User, actor_id, options=(joinedload(User.role_rows),))
    if actor is None:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {actor_id}", f"no user {actor_id}")
    if now is not None:
        from workflow.acting import attach
        from workflow.thaidate import bangkok_today

        attach(actor, bangkok_today(now))  # whom they act for today, should their own right not do
    permissions.require_agency(actor, step, "ขั้นตอน", "step", step_id)  # another agency's step: not found
    return step, actor


def _acting_data(acting: dict | None) -> dict:
    """What an audit event adds when its actor acts for someone (รักษาราชการแทน): every record says so."""
    return {"acting": acting} if acting else {}


def _check_version(step: Step | StepRow, expected_version: int | None) -> None:
    """After the right is checked: someone without it learns nothing about the step's changes."""
    if expected_version is not None and step.version != expected_version:
        raise ConflictError(
            "ขั้นตอนนี้ถูกเปลี่ยนโดยผู้อื่นหลังจากที่ท่านเปิดดู กรุณาโหลดหน้าใหม่แล้วตรวจสอบอีกครั้ง",
            "someone else changed this step after you opened it; reload and check again",
            current_version=step.version, state=step.state,
        )


def _flush() -> None:
    """Once, at the end of a transition: its updates, audit events and rows in one unit of work (a row
    changed meanwhile by someone else fails here, as a conflict)."""
    db.session.flush()


def _guarded(func):
    """A row changed by someone else between our read and our write (any flush, autoflush included)
    is a conflict for the actor, never a lost update or a server error."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except StaleDataError:
            raise _concurrent() from None

    return wrapper


def _concurrent() -> ConflictError:
    return ConflictError("ขั้นตอนนี้ถูกเปลี่ยนโดยผู้อื่นพร้อมกัน กรุณาโหลดหน้าใหม่",
                         "someone else changed this step at the same moment; reload")


def _set_state(step: Step, to_state: str, *, actor_id: int | None, now: datetime, action: str,
               note: str | None = None, data: dict | None = None) -> audit.Recorded:
    from_state = step.state
    step.state = to_state
    if to_state == "open":
        step.opened_at = now
        step.done_at = None
    event = audit.record(
        action, agency_id=step.measure.cycle.agency_id, actor_id=actor_id, now=now, target_type="step",
        target_id=step.id,
        from_state=from_state, to_state=to_state, note=note,
        data={"measure": step.measure.code, "number": step.number, **(data or {})},
    )
    if to_state == "open":
        notify.step_opened(step, f"e{event.seq}", now)
        alerts.schedule_step_alerts(step, now)
    return event


class _Placed(Protocol):
    """What the order of steps needs: a Step, or a light row of its columns."""

    id: int
    number: int
    occurrence: int
    parallel: bool
    state: str


_P = TypeVar("_P", bound=_Placed)


def blocks(steps: Sequence[_P]) -> list[list[_P]]:
    """Steps grouped into blocks that open together: a parallel step joins the block before it, and the
    monthly occurrences of one step open together."""
    result: list[list[_P]] = []
    previous: _P | None = None
    for step in sorted(steps, key=lambda s: (s.number, s.occurrence)):
        if result and (step.parallel or (previous is not None and previous.number == step.number)):
            result[-1].append(step)
        else:
            result.append([step])
        previous = step
    return result


_STEP = db.metadata.tables["step"]
_MEASURE = db.metadata.tables["measure"]
_OPEN = (update(_STEP).values(state=StepState.OPEN, opened_at=bindparam("now"), done_at=None,
                              version=_STEP.c.version + 1)
         .where(_STEP.c.id == bindparam("step")))
_DONE = (update(_STEP).values(state=StepState.DONE, done_at=bindparam("now"), done_by_id=bindparam("actor"),
                              done_acting=bindparam("acting"), sent_back_reason=None, version=_STEP.c.version + 1)
         .where(_STEP.c.id == bindparam("step"), _STEP.c.version == bindparam("seen"),
                _STEP.c.state == StepState.OPEN))
_MEASURE_DONE = (update(_MEASURE).values(state="done")
                 .where(_MEASURE.c.id == bindparam("measure"), _MEASURE.c.state != "done"))


def open_ready_steps(measure_id: int, *, actor_id: int | None, now: datetime,
                     measure: steprows.MeasureRow | None = None, loading: bool = False) -> list[int]:
    """Open the blocked steps of the first unfinished block; mark the measure done when all are. The ids of
    the steps opened. Reads and writes with statements of its own: the caller flushes its changes first.
    ``loading``: the cycle is being loaded, and a step already past its due day is not announced
    (``alerts.announce_opening``)."""
    connection = db.session.connection()
    opened: list[int] = []
    for block in blocks(steprows.measure_steps(measure_id)):
        if all(p.state == StepState.DONE for p in block):
            continue
        waiting = [p for p in block if p.state == StepState.BLOCKED]
        if waiting:
            measure = measure or steprows.measure(measure_id)
            opened = [p.id for p in waiting]
            connection.execute(_OPEN, [{"now": now, "step": step_id} for step_id in opened])
            for row in waiting:
                s = steprows.as_step(row, measure)
                event = audit.record("step_opened", agency_id=measure.cycle.agency_id,
                                     actor_id=actor_id, now=now, target_type="step",
                                     target_id=s.id, from_state=s.state, to_state=StepState.OPEN,
                                     data={"measure": measure.code, "number": s.number})
                notify.step_opened(s, f"e{event.seq}", now, loading=loading)
                alerts.schedule_step_alerts(s, now)
            steprows.expire(Step, opened)
        break
    else:
        if connection.execute(_MEASURE_DONE, {"measure": measure_id}).rowcount:
            measure = measure or steprows.measure(measure_id)
            audit.record("measure_done", agency_id=measure.cycle.agency_id,
                         actor_id=actor_id, now=now, target_type="measure",
                         target_id=measure_id, from_state="active", to_state="done", data={"measure": measure.code})
            steprows.expire(Measure, [measure_id])
    return opened


def complete(step_id: int, *, actor_id: int, now: datetime, expected_version: int | None,
             note: str | None = None) -> None:
    """The owner marks a task step done; the next step opens. What every officer does all year, so it reads
    light rows and writes with statements (workflow.steprows): a step changed meanwhile by someone else
    matches no row of the version-checked update, and that is a conflict."""
    _flush()  # what the caller changed before, for the statements below to see
    step, actor = steprows.step_and_actor(step_id, actor_id)
    if step is None:
        raise NotFound(f"ไม่พบขั้นตอนเลขที่ {step_id}", f"no step {step_id}")
    if actor is None:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {actor_id}", f"no user {actor_id}")
    if not permissions.acts_in_agency(actor, step.measure.cycle.agency_id):  # another agency's step: not found
        raise NotFound(f"ไม่พบขั้นตอนเลขที่ {step_id}", f"no step {step_id}")
    from workflow.acting import attach
    from workflow.thaidate import bangkok_today

    attach(actor, bangkok_today(now))  # read only if their own right does not suffice
    permissions.require_complete(actor, step)
    acting = permissions.standing_in(actor, step)
    _check_version(step, expected_version)
    if step.state != StepState.OPEN:
        raise InvalidTransition(_state_message_th(step), _state_message_en(step), state=step.state)
    note = _clean(note)
    changed = db.session.connection().execute(_DONE, {"now": now, "actor": actor.id, "step": step.id,
                                                      "seen": step.version, "acting": acting})
    if changed.rowcount != 1:
        raise _concurrent()
    steprows.expire(Step, [step.id])
    with audit.batch():  # the events of this change in one insert
        audit.record("step_completed", agency_id=step.measure.cycle.agency_id,
                     actor_id=actor.id, now=now, target_type="step", target_id=step.id,
                     from_state=step.state, to_state=StepState.DONE, note=note,
                     data={"measure": step.measure.code, "number": step.number, **_acting_data(acting)})
        open_ready_steps(step.measure_id, actor_id=actor.id, now=now, measure=step.measure)


#: what deciding a review reads beside the step: the group that decides it and the step it checks (in the
#: same statement, not one lazy load each)
_REVIEW_LOAD = (*_STEP_LOAD, joinedload(Step.reviewer_group), joinedload(Step.reviews_step))


@_guarded
def approve(step_id: int, *, actor_id: int, now: datetime, expected_version: int | None,
            note: str | None = None) -> Step:
    """The reviewer group's director (or who acts for them) approves a review step. Its events are written
    together with those of the steps it opens (``audit.batch``); the decision is added without reading the
    step's earlier ones."""
    step, actor = _load(step_id, actor_id, expected_version, now, options=_REVIEW_LOAD)
    permissions.require_decide(actor, step)
    _check_version(step, expected_version)
    if step.state != "open":
        raise InvalidTransition(_state_message_th(step), _state_message_en(step), state=step.state)
    note = _clean(note)
    acting = permissions.standing_in(actor, step, decide=True)
    db.session.add(ReviewDecision(step_id=step.id, decided_by_id=actor.id, decision="approved", reason=note,
                                  decided_at=now, acting=acting))
    step.done_at = now
    step.done_by_id = actor.id
    step.done_acting = acting
    with audit.batch():
        event = _set_state(step, "done", actor_id=actor.id, now=now, action="review_approved", note=note,
                           data=_acting_data(acting))
        if step.reviews_step is not None:
            notify.approved(step, step.reviews_step, f"e{event.seq}", now)
        _flush()
        open_ready_steps(step.measure_id, actor_id=actor.id, now=now)
    steprows.expire(Step, [step.id])  # ``decisions`` was not read: whoever reads it next reads it whole
    return step


@_guarded
def send_back(step_id: int, *, actor_id: int, now: datetime, expected_version: int | None, reason: str) -> Step:
    """The director (or who acts for them) sends a review back with a required reason; the reviewed step
    reopens, and its people hear who sent it back (name, position, whom they acted for) and why."""
    step, actor = _load(step_id, actor_id, expected_version, now)
    permissions.require_decide(actor, step)
    reason = _clean(reason) or ""
    if not reason:
        raise ValidationError("กรุณาระบุเหตุผลที่ส่งกลับ", "a reason is required to send back")
    _check_version(step, expected_version)
    if step.state != "open":
        raise InvalidTransition(_state_message_th(step), _state_message_en(step), state=step.state)
    reviewed = step.reviews_step
    if reviewed is None:
        raise InvalidTransition("ขั้นตอนตรวจสอบนี้ไม่ได้ผูกกับขั้นตอนใด", "this review checks no step")
    acting = permissions.standing_in(actor, step, decide=True)
    step.decisions.append(ReviewDecision(decided_by_id=actor.id, decision="sent_back", reason=reason,
                                         decided_at=now, acting=acting))
    _set_state(step, "blocked", actor_id=actor.id, now=now, action="review_sent_back", note=reason,
               data=_acting_data(acting))
    # steps between the reviewed one and the review wait again too
    for other in step.measure.steps:
        if reviewed.number < other.number < step.number and other.state == "open":
            _set_state(other, "blocked", actor_id=actor.id, now=now, action="step_blocked", note=reason)
    reviewed.sent_back_reason = reason
    reviewed.done_at = None
    reviewed.done_acting = None
    event = _set_state(reviewed, "open", actor_id=actor.id, now=now, action="step_reopened", note=reason,
                       data={"by_review": step.number, **_acting_data(acting)})
    notify.sent_back(reviewed, reason, f"e{event.seq}", now, by=actor, acting=acting)
    from workflow.thaidate import bangkok_today

    lineout.step_event("sent_back", f"e{event.seq}", reviewed,
                       notify.sent_back_params(reviewed, reason, actor, acting), now,
                       notify.step_recipients(reviewed, bangkok_today(now)))
    _flush()
    return step


@_guarded
def reopen(step_id: int, *, actor_id: int, now: datetime, expected_version: int | None, reason: str) -> Step:
    """The secretariat reopens a done step; later open steps wait for it again."""
    step, actor = _load(step_id, actor_id, expected_version)
    permissions.require_secretariat(actor)
    reason = _clean(reason) or ""
    if not reason:
        raise ValidationError("กรุณาระบุเหตุผลที่เปิดใหม่", "a reason is required to reopen")
    _check_version(step, expected_version)
    if step.state != "done":
        raise InvalidTransition("เปิดใหม่ได้เฉพาะขั้นตอนที่เสร็จแล้ว", "only a done step can be reopened",
                                state=step.state)
    step.done_by_id = None
    step.done_acting = None
    _set_state(step, "open", actor_id=actor.id, now=now, action="step_reopened", note=reason)
    my_block = next(b for b in blocks(step.measure.steps) if step in b)  # reopen is rare: ORM steps
    for other in step.measure.steps:
        if other.number > max(s.number for s in my_block) and other.state == "open":
            _set_state(other, "blocked", actor_id=actor.id, now=now, action="step_blocked", note=reason)
    if step.measure.state == "done":
        step.measure.state = "active"
    _flush()
    return step


@_guarded
def reassign(step_id: int, *, actor_id: int, now: datetime, expected_version: int | None,
             group_id: int | None, user_id: int | None) -> Step:
    """The secretariat gives a step to another group or officer."""
    step, actor = _load(step_id, actor_id, expected_version)
    permissions.require_secretariat(actor)
    _check_version(step, expected_version)
    if group_id is None and user_id is None:
        raise ValidationError("เลือกกลุ่มหรือบุคคลผู้รับผิดชอบ", "choose a group or a person")
    if group_id is not None and user_id is not None:  # one owner: else the group's members still see it
        raise ValidationError("เลือกกลุ่มหรือบุคคลอย่างใดอย่างหนึ่ง", "choose a group or a person, not both")
    agency_id = step.measure.cycle.agency_id  # only a group or a person of the step's own agency
    group = db.session.get(Group, group_id) if group_id is not None else None
    if group_id is not None and (group is None or group.agency_id != agency_id):
        raise NotFound(f"ไม่พบกลุ่มเลขที่ {group_id}", f"no group {group_id}")
    person = db.session.get(User, user_id) if user_id is not None else None
    if user_id is not None and (person is None or person.agency_id != agency_id):
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    before = {"group": step.owner_group_id, "user": step.owner_user_id,
              **({"also": [g.id for g in step.co_owner_groups]} if step.co_owner_groups else {})}
    step.owner_group_id, step.owner_user_id = group_id, user_id
    step.co_owner_groups = []  # reassigned: the one owner the secretariat chose
    db.session.flush()
    db.session.refresh(step)
    event = audit.record("step_reassigned", agency_id=agency_id,
                         actor_id=actor.id, now=now, target_type="step", target_id=step.id,
                         from_state=step.state, to_state=step.state,
                         data={"before": before, "after": {"group": group_id, "user": user_id},
                               "measure": step.measure.code, "number": step.number})
    if step.state == "open":
        notify.step_opened(step, f"e{event.seq}", now)
    _flush()
    return step


def move_due(step_id: int, *, actor_id: int, now: datetime, expected_version: int | None, due_on: date | str,
             reason: str) -> Step:
    """The secretariat moves a step's due date (a date, or as officials write one: ๓๑/๗/๒๕๖๗, ๓๑ ก.ค. ๒๕๖๗;
    with a reason, in the cycle's fiscal year, not into the past): audited; the step's alerts are planned
    again from the new date (those made for the old one ignore themselves); an open step's people are told."""
    from workflow.thaidate import ThaiDateError, bangkok_today, fiscal_year_bounds, parse_thai_date

    step, actor = _load(step_id, actor_id, expected_version)
    permissions.require_secretariat(actor)
    _check_version(step, expected_version)
    if isinstance(due_on, str):
        try:
            due_on = parse_thai_date(due_on)
        except ThaiDateError as exc:
            raise ValidationError(exc.message_th, exc.message_en) from None
    reason_text = _clean(reason)
    if not reason_text:
        raise ValidationError("กรุณาระบุเหตุผลที่เลื่อนกำหนด", "give the reason for moving the due date")
    if step.state == StepState.DONE:
        raise InvalidTransition(_state_message_th(step), _state_message_en(step))
    first, last = fiscal_year_bounds(step.measure.cycle.fiscal_year_be)
    if not first <= due_on <= last:
        raise ValidationError(
            f"กำหนดใหม่ต้องอยู่ในปีงบประมาณ {step.measure.cycle.fiscal_year_be} (1 ต.ค. – 30 ก.ย.)",
            f"the new due date must lie in fiscal year {step.measure.cycle.fiscal_year_be} (1 Oct to 30 Sep)")
    if due_on < bangkok_today(now):
        raise ValidationError("กำหนดใหม่ต้องไม่ก่อนวันนี้", "the new due date cannot be before today")
    if due_on == step.due_on:
        raise ValidationError("กำหนดใหม่เป็นวันเดิม", "that is the due date already")
    before = step.due_on
    step.due_on = due_on
    step.due_explicit = True
    db.session.flush()
    db.session.refresh(step)
    event = audit.record("step_due_moved", agency_id=step.measure.cycle.agency_id,
                         actor_id=actor.id, now=now, target_type="step", target_id=step.id,
                         from_state=step.state, to_state=step.state, note=reason_text,
                         data={"before": before.isoformat() if before else None, "after": due_on.isoformat(),
                               "measure": step.measure.code, "number": step.number})
    if step.state == StepState.OPEN:
        alerts.schedule_step_alerts(step, now)
        notify.due_moved(step, before, reason_text, f"e{event.seq}", now)
    _flush()
    return step


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if len(text) > MAX_REASON:
        raise ValidationError(f"ข้อความยาวเกิน {MAX_REASON} ตัวอักษร", f"the text is longer than {MAX_REASON} characters")
    return text or None


def _state_message_th(step: Step | StepRow) -> str:
    return f"ทำไม่ได้ เพราะขั้นตอนนี้อยู่ในสถานะ{label(step.state)}"


def _state_message_en(step: Step | StepRow) -> str:
    return f"not possible: this step is {label(step.state, 'en')}"
