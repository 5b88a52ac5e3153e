"""Absences and acting for (รักษาราชการแทน).

A person (or their agency's admin) records that they are away from one day to another and, for those days,
who acts for them. While it is in force:

- the acting person stands in for the absent one: they decide the reviews of the groups the absent one directs
  (the director keeps them in their queue as well), may do the absent one's steps, and sign what the absent one
  would have presented (a round report's signature block says "... รักษาราชการแทน ...");
- the alerts and escalations meant for the absent person go to who acts (``resolve``);
- the absent person's own steps show the absence to the secretariat and are offered for reassignment.

An absence is in force on its days only (``in_force``): it ends by itself after its last day, with nothing to
fire. Every action taken by someone acting says so: the audit event's ``data["acting"]``, the step's history,
a review decision's ``acting`` and a step's ``done_acting``, and the documents built from them.

Rules, checked when an absence is recorded: nobody acts for themself; the acting person must be of the same
agency, active, and not away on any of those days, which also means acting never chains into a loop (a person
already away cannot be named; a later absence of the acting person may name a third person, whose chain the
resolution follows, each person once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from workflow import audit
from workflow.acting import ActedFor, forget
from workflow.db import db
from workflow.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from workflow.models import Absence, Group, Measure, Step, User, UserRole
from workflow.thaidate import ThaiDateError, bangkok_today, format_be, parse_thai_date

#: the longest absence recorded at once (a year; a longer one is a vacancy: name an acting director on the group)
MAX_DAYS = 366
MAX_REASON = 255


def _parse(value: date | str | None, what_th: str, what_en: str) -> date:
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"กรุณาระบุ{what_th}", f"give the {what_en}")
    try:
        return parse_thai_date(text)
    except ThaiDateError as exc:
        raise ValidationError(f"{what_th}: {exc.message_th}", f"{what_en}: {exc.message_en}") from None


def _may_record(actor: User, person: User) -> None:
    if not actor.active:
        raise PermissionDenied("บัญชีนี้ถูกระงับ", "this account is disabled")
    if actor.agency_id != person.agency_id:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {person.id}", f"no user {person.id}")
    if actor.id != person.id and not actor.has_role("admin"):
        raise PermissionDenied("บันทึกการไม่อยู่ได้เฉพาะของตนเอง หรือโดยผู้ดูแลระบบของหน่วยงาน",
                               "only the person themself or their agency's admin records an absence")


def _away_between(person_id: int, first: date, last: date, *, but: int | None = None) -> Absence | None:
    """An absence of the person in force on any day from ``first`` to ``last``."""
    query = select(Absence).where(Absence.user_id == person_id, Absence.cancelled_at.is_(None),
                                  Absence.starts_on <= last, Absence.ends_on >= first).order_by(Absence.starts_on)
    if but is not None:
        query = query.where(Absence.id != but)
    return db.session.execute(query.limit(1)).scalars().first()


def record(*, actor_id: int, user_id: int, starts_on: date | str | None, ends_on: date | str | None,
           reason: str | None = None, acting_user_id: int | None = None, now: datetime) -> Absence:
    """Record an absence (the person themself, or their admin); audited; the acting person and the secretariat
    are told (the secretariat with the absent person's open steps, to reassign)."""
    actor = db.session.get(User, actor_id)
    person = db.session.get(User, user_id)
    if actor is None:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {actor_id}", f"no user {actor_id}")
    if person is None:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    _may_record(actor, person)
    first = _parse(starts_on, "วันเริ่ม", "first day")
    last = _parse(ends_on, "วันสุดท้าย", "last day")
    today = bangkok_today(now)
    if last < first:
        raise ValidationError("วันสุดท้ายต้องไม่ก่อนวันเริ่ม", "the last day cannot be before the first")
    if last < today:
        raise ValidationError("วันสุดท้ายผ่านไปแล้ว: บันทึกได้เฉพาะการไม่อยู่ที่ยังไม่สิ้นสุด",
                              "the last day has passed: record an absence that has not ended")
    if (last - first).days >= MAX_DAYS:
        raise ValidationError(f"บันทึกได้ไม่เกิน {MAX_DAYS} วันต่อครั้ง", f"at most {MAX_DAYS} days at a time")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationError(f"เหตุผลยาวเกิน {MAX_REASON} ตัวอักษร", f"the reason is longer than {MAX_REASON} characters")
    clash = _away_between(person.id, first, last)
    if clash is not None:
        raise ValidationError(
            f"{person.name} มีบันทึกไม่อยู่ {format_be(clash.starts_on)} – {format_be(clash.ends_on)} ซ้อนกับช่วงนี้แล้ว",
            f"{person.name} is already recorded away {clash.starts_on.isoformat()} to {clash.ends_on.isoformat()}")
    acting = None
    if acting_user_id is not None:
        if acting_user_id == person.id:
            raise ValidationError("ผู้รักษาราชการแทนต้องเป็นผู้อื่น ไม่ใช่ผู้ที่ไม่อยู่เอง",
                                  "nobody acts for themself: choose someone else")
        acting = db.session.get(User, acting_user_id)
        if acting is None or acting.agency_id != person.agency_id or not acting.active:
            raise ValidationError("ไม่พบผู้รักษาราชการแทนที่เลือกในหน่วยงานนี้",
                                  "the acting person chosen is not an active person of this agency")
        busy = _away_between(acting.id, first, last)
        if busy is not None:  # also what keeps acting from ever looping back
            raise ValidationError(
                f"{acting.name} ไม่อยู่ {format_be(busy.starts_on)} – {format_be(busy.ends_on)} "
                f"จึงรักษาราชการแทนในช่วงนี้ไม่ได้ เลือกผู้อื่น",
                f"{acting.name} is away {busy.starts_on.isoformat()} to {busy.ends_on.isoformat()} and cannot act "
                f"for these days: choose someone else")
        if _would_loop(person.id, acting.id, first, last):
            raise ValidationError("การรักษาราชการแทนนี้จะวนกลับมาที่ผู้ที่ไม่อยู่เอง เลือกผู้อื่น",
                                  "this acting would loop back to the absent person: choose someone else")
    absence = Absence(agency_id=person.agency_id, user_id=person.id, starts_on=first, ends_on=last, reason=reason,
                      acting_user_id=acting.id if acting else None, created_by_id=actor.id, created_at=now)
    db.session.add(absence)
    db.session.flush()
    forget()
    event_ = audit.record("absence_recorded", agency_id=person.agency_id, actor_id=actor.id, now=now,
                          target_type="user", target_id=person.id,
                          data={"absence": absence.id, "name": person.name, "starts_on": first.isoformat(),
                                "ends_on": last.isoformat(), "reason": reason,
                                "acting": ActedFor(acting.id, acting.name, acting.position, acting.group_id).record()
                                if acting else None})
    _tell(absence, person, acting, f"e{event_.seq}", now)
    return absence


def _would_loop(absent_id: int, acting_id: int, first: date, last: date) -> bool:
    """Whether, on any of the days, following who acts for whom from the acting person reaches the absent one."""
    rows = db.session.execute(select(Absence.user_id, Absence.acting_user_id, Absence.starts_on, Absence.ends_on)
                              .where(Absence.cancelled_at.is_(None), Absence.acting_user_id.is_not(None),
                                     Absence.starts_on <= last, Absence.ends_on >= first)).all()
    if not rows:
        return False
    day = first
    while day <= last:
        away = {r.user_id: r.acting_user_id for r in rows if r.starts_on <= day <= r.ends_on}
        current, seen = acting_id, {acting_id}
        while current in away:
            current = away[current]
            if current == absent_id:
                return True
            if current in seen:
                break
            seen.add(current)
        day += timedelta(days=1)
    return False


def cancel(absence_id: int, *, actor_id: int, now: datetime) -> Absence:
    """Back early, or recorded by mistake: the absence is over from now on (audited)."""
    absence = db.session.get(Absence, absence_id)
    actor = db.session.get(User, actor_id)
    if absence is None or actor is None or actor.agency_id != absence.agency_id:
        raise NotFound(f"ไม่พบบันทึกการไม่อยู่เลขที่ {absence_id}", f"no absence {absence_id}")
    person = db.session.get(User, absence.user_id)
    assert person is not None
    _may_record(actor, person)
    if absence.cancelled_at is not None:
        raise InvalidTransition("บันทึกนี้ยกเลิกไปแล้ว", "this absence is already cancelled")
    absence.cancelled_at, absence.cancelled_by_id = now, actor.id
    db.session.flush()
    forget()
    audit.record("absence_cancelled", agency_id=absence.agency_id, actor_id=actor.id, now=now, target_type="user",
                 target_id=absence.user_id, data={"absence": absence.id, "name": person.name,
                                                  "starts_on": absence.starts_on.isoformat(),
                                                  "ends_on": absence.ends_on.isoformat()})
    return absence


@dataclass
class Listed:
    """An absence as the absences page lists it, with the absent person's steps the secretariat may reassign."""

    absence: Absence
    person: User
    acting: User | None
    in_force: bool
    steps: list[Step]


def listing(agency_id: int, today: date) -> list[Listed]:
    """The agency's absences not yet over (in force first, then coming), each with the absent person's open
    steps (named to them) that fall due by its last day or are already late."""
    absences = db.session.execute(
        select(Absence).where(Absence.agency_id == agency_id, Absence.cancelled_at.is_(None),
                              Absence.ends_on >= today).order_by(Absence.starts_on, Absence.id)).scalars().all()
    people = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(
        {a.user_id for a in absences} | {a.acting_user_id for a in absences if a.acting_user_id}))).scalars()}
    out = []
    for a in absences:
        out.append(Listed(a, people[a.user_id], people.get(a.acting_user_id) if a.acting_user_id else None,
                          a.starts_on <= today, steps_to_cover(a.user_id, a.ends_on)))
    out.sort(key=lambda x: (not x.in_force, x.absence.starts_on))
    return out


def steps_to_cover(person_id: int, last: date) -> list[Step]:
    """A person's steps of their agency's current year not done, named to them, due by ``last`` (or with no due
    day): what someone must do while they are away."""
    from workflow.engine.queries import current_cycle

    person = db.session.get(User, person_id)
    cycle = current_cycle(person.agency_id) if person is not None else None
    if cycle is None:
        return []
    return list(db.session.execute(
        select(Step).join(Measure).where(Measure.cycle_id == cycle.id, Step.owner_user_id == person_id,
                                         Step.state != "done", or_(Step.due_on.is_(None), Step.due_on <= last))
        .order_by(Step.due_on, Step.id)).scalars())


def _tell(absence: Absence, person: User, acting: User | None, cause: str, now: datetime) -> None:
    """The acting person hears they act, for which days and what waits (reviews of the groups the absent
    person directs); the secretariat hears who is away and which of their steps may need another owner."""
    from workflow.channels import notify

    first, last = absence.starts_on, absence.ends_on
    steps = steps_to_cover(person.id, last)
    items = [notify.step_item(s) for s in steps]
    if acting is not None:
        directed = [g.id for g in db.session.execute(select(Group).where(
            or_(Group.director_id == person.id, Group.acting_director_id == person.id))).scalars()]
        reviews = list(db.session.execute(
            select(Step).where(Step.state == "open", Step.kind == "review", Step.reviewer_group_id.in_(directed))
            .order_by(Step.opened_at, Step.id)).scalars()) if directed else []
        notify.queue("acting_assigned", cause, acting, [notify.step_item(s) for s in reviews] + items, now,
                     params={"name": person.name, "position": person.position or person.name,
                             "first": first, "last": last, "count": len(reviews)})
    if not steps and acting is None:  # nothing to reassign and nobody to name: the page says it, no e-mail
        return
    secretariat = db.session.execute(
        select(User).join(UserRole).where(UserRole.role == "secretariat", User.active.is_(True),
                                          User.agency_id == person.agency_id).order_by(User.id)
    ).scalars().unique().all()
    wording_key = "absence_recorded_acting" if acting is not None else "absence_recorded"
    for reader in secretariat:
        if reader.id == person.id:
            continue
        notify.queue("absence_recorded", cause, reader, items, now, wording_key=wording_key,
                     params={"name": person.name, "first": first, "last": last, "count": len(steps),
                             "acting": acting.name if acting else ""})
