"""The periodic sweep: claim due timer rows atomically and turn each into outbox rows.

A claim is one statement, ``UPDATE timer SET fired_at = now WHERE id IN (due ids) AND fired_at IS NULL
RETURNING id``, committed together with the emails it queues (by the task, tasks/jobs.py). A second beat,
a restart or a redelivered task therefore never fires a timer twice, and a beat that was down fires
everything it missed on its next tick. The cost follows the number of due rows (a partial index on unfired
``fire_at``), not of steps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select, update

from workflow.calendar import WorkingCalendar
from workflow.channels import alerts, lineout, notify
from workflow.db import db
from workflow.engine import rounds
from workflow.models import Measure, Step, Timer, User, UserRole
from workflow.operations import backupplan
from workflow.oversight import rollup
from workflow.thaidate import bangkok_today, format_be

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class SweepResult:
    claimed: int = 0
    queued: int = 0
    failed: list[int] = field(default_factory=list)


#: timers that are no alert and fire at any hour (the others wait for office hours on a working day)
ANY_HOUR = (backupplan.KIND,)


def claim_due(now: datetime, limit: int = BATCH, kinds: tuple[str, ...] | None = None) -> list[int]:
    """Mark up to ``limit`` due timers (of ``kinds``, or any) fired, in one statement; only this transaction sees
    them as its own."""
    due = (select(Timer.id).where(Timer.fired_at.is_(None), Timer.fire_at <= now)
           .order_by(Timer.fire_at, Timer.id).limit(limit))
    if kinds is not None:
        due = due.where(Timer.kind.in_(kinds))
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)  # concurrent sweeps share the work instead of waiting
    result = db.session.execute(
        update(Timer).where(Timer.id.in_(due.scalar_subquery()), Timer.fired_at.is_(None))
        .values(fired_at=now).returning(Timer.id)
    )
    return list(result.scalars())


def sweep_batch(now: datetime, limit: int = BATCH) -> SweepResult:
    """Claim up to ``limit`` due timers and fire them, with their emails and the digests now due, in the
    caller's transaction (flushed, not committed: tasks/jobs.py commits each batch, and sweeps again while
    a batch comes back full).

    The batch runs under a savepoint. If a handler fails, the savepoint is rolled back (claims included)
    and the batch runs again with a savepoint per timer, so one bad timer is set aside and the others still
    fire."""
    result = SweepResult()
    calendar = WorkingCalendar()
    # alerts go in office hours on working days: due ones wait, and only what is no alert fires meanwhile
    kinds = None if alerts.in_alert_hours(now, calendar) else ANY_HOUR
    try:
        with db.session.begin_nested(), notify.collecting():
            ids = claim_due(now, limit, kinds)
            queued = _fire_batch(ids, now, calendar, careful=False, failed=result.failed)
    except Exception:
        log.exception("a timer failed; firing this batch one timer at a time")
        ids = claim_due(now, limit, kinds)
        queued = _fire_batch(ids, now, calendar, careful=True, failed=result.failed)
    queued += notify.build_digests(now)
    db.session.flush()
    result.claimed, result.queued = len(ids), queued
    return result


def _fire_batch(ids: list[int], now: datetime, calendar: WorkingCalendar, *, careful: bool,
                failed: list[int]) -> int:
    timers = db.session.execute(select(Timer).where(Timer.id.in_(ids)).order_by(Timer.fire_at, Timer.id)
                                ).scalars().all()
    # held for the batch: the session's identity map keeps objects only while something refers to them
    steps = _preload_steps([t.target_id for t in timers if t.target_type == "step"])  # noqa: F841
    queued = 0
    for timer in timers:
        if not careful:
            queued += fire(timer, now, calendar)
            continue
        try:
            with db.session.begin_nested():
                queued += fire(timer, now, calendar)
        except Exception:
            log.exception("timer %s (%s) failed", timer.id, timer.kind)
            timer.payload = {**(timer.payload or {}), "error": "failed; see the worker log"}
            failed.append(timer.id)
    return queued


def _preload_steps(step_ids: list[int]) -> list[Step]:
    """One query for the batch's steps, their measures, cycles, owners and the owners' groups."""
    from sqlalchemy.orm import selectinload

    from workflow.models import Group

    loaded: list[Step] = []
    for start in range(0, len(step_ids), 500):
        loaded += db.session.execute(
            select(Step).where(Step.id.in_(step_ids[start:start + 500])).options(
                selectinload(Step.measure).selectinload(Measure.cycle),
                selectinload(Step.owner_user),
                selectinload(Step.owner_group).selectinload(Group.members),
                selectinload(Step.co_owner_groups).selectinload(Group.members),
                selectinload(Step.reviewer_group),
            )
        ).scalars().all()
    return loaded


def fire(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    handler = HANDLERS.get(timer.kind)
    if handler is None:
        log.warning("timer %s has unknown kind %s", timer.id, timer.kind)
        return 0
    return handler(timer, now, calendar)


def _live_step(timer: Timer) -> Step | None:
    """The step, if it is still open and still due on the day the timer was made for."""
    step = db.session.get(Step, timer.target_id)
    if step is None or step.state != "open" or step.due_on is None:
        return None
    if step.due_on.isoformat() != (timer.payload or {}).get("due"):
        return None
    return step


def _step_reminder(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    step = _live_step(timer)
    if step is None:
        return 0
    days = timer.payload.get("days_before")
    count = 0
    for user in notify.step_recipients(step, bangkok_today(now)):
        count += notify.queue("reminder", f"s{step.id}:{step.due_on}:{days}", user, [notify.step_item(step)], now,
                              params={**notify.step_params(step), "days": days})
    return count


def _step_due_today(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    step = _live_step(timer)
    if step is None:
        return 0
    count = 0
    for user in notify.step_recipients(step, bangkok_today(now)):
        count += notify.queue("due_today", f"s{step.id}:{step.due_on}", user, [notify.step_item(step)], now,
                              params=notify.step_params(step))
    return count


def _overdue_days(step: Step, today: date, calendar: WorkingCalendar) -> int:
    return calendar.working_days_between(step.due_on, today) if step.due_on else 0


def _step_overdue(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    step = _live_step(timer)
    if step is None:
        return 0
    today = bangkok_today(now)
    n = int(timer.payload.get("count", 1))
    late = _overdue_days(step, today, calendar)
    count = 0
    for user in notify.step_recipients(step, today):
        count += notify.queue("overdue", f"s{step.id}:{step.due_on}:{n}", user,
                              [notify.step_item(step, overdue_days=late)], now,
                              params={**notify.step_params(step), "late": late})
    alerts.schedule_next_overdue(step, today, n, calendar)  # from today: a late sweep does not flood
    return count


def _step_escalation(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    step = _live_step(timer)
    if step is None:
        return 0
    today = bangkok_today(now)
    late = _overdue_days(step, today, calendar)
    count = 0
    owners = ", ".join(u.name for u in notify.owners_of(step)) or "-"
    params = {**notify.step_params(step), "late": late, "owners": owners}
    directors = notify.directors_of(step, today)  # or who acts for them while they are away
    lineout.step_event("escalation", f"s{step.id}:{step.due_on}", step, params, now, directors)
    for director in directors:
        count += notify.queue("escalation", f"s{step.id}:{step.due_on}", director,
                              [notify.step_item(step, overdue_days=late)], now, params=params)
    return count


def _measure_people(measure: Measure, day: date) -> list[User]:
    """The measure's owners (its groups' members and its named people), each replaced by who acts for them
    while they are away."""
    from workflow import acting

    people: dict[int, User] = {}
    for owner in measure.owners:
        members = [owner.user] if owner.user else (owner.group.members if owner.group else [])
        for u in members:
            if u is not None and u.active:
                people[u.id] = u
    return acting.resolve_all(list(people.values()), day)


def _special_deadline(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    measure = db.session.get(Measure, timer.target_id)
    if measure is None or measure.state == "done":
        return 0
    p = timer.payload
    day = date.fromisoformat(p["date"])
    before = int(p.get("days_before", 0))
    item = {"measure_code": measure.code, "measure_title": measure.title, "step_number": None,
            "step_title": None, "due": format_be(day, digit_style=current_app.config["ITAFLOW"].digits),
            "due_en": format_be(day, digit_style="arabic", lang="en"), "overdue_days": None, "note": p["title"],
            "link": None, "agency": measure.cycle.agency}
    count = 0
    for user in _measure_people(measure, bangkok_today(now)):
        count += notify.queue("special_deadline", f"m{measure.id}:{p['date']}:{before}", user, [item], now,
                              wording_key="special_deadline" if before == 0 else "special_deadline_soon",
                              params={"code": measure.code, "title": p["title"], "days": before, "day": day})
    return count


def _period_end(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    measure = db.session.get(Measure, timer.target_id)
    if measure is None or measure.state == "done":
        return 0
    open_steps = [s for s in measure.steps if s.state != "done"]
    items = [notify.step_item(s) for s in open_steps]
    secretariat = db.session.execute(
        select(User).join(UserRole).where(UserRole.role == "secretariat", User.active.is_(True),
                                          User.agency_id == measure.cycle.agency_id)
    ).scalars().unique().all()
    count = 0
    for user in {u.id: u for u in [*_measure_people(measure, bangkok_today(now)), *secretariat]}.values():
        count += notify.queue("period_end", f"m{measure.id}", user, items, now,
                              params={"code": measure.code, "day": measure.period_end, "open": len(open_steps)})
    return count


def _round(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    return rounds.report_round(timer.target_id, now)


def _rollup_weekly(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    return rollup.send_weekly(timer.target_id, now)


def _link_check(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    from flask import current_app

    from workflow.publishing import answersheet

    return answersheet.run_scheduled(timer.target_id, now, current_app.config["ITAFLOW"].base_url)


def _line_digest(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    return lineout.send_digest(timer.target_id, now)


def _backup(timer: Timer, now: datetime, calendar: WorkingCalendar) -> int:
    return backupplan.fire(timer, now)


HANDLERS = {
    "step_reminder": _step_reminder,
    "step_due_today": _step_due_today,
    "step_overdue": _step_overdue,
    "step_escalation": _step_escalation,
    "special_deadline": _special_deadline,
    "period_end": _period_end,
    "round": _round,
    rollup.WEEKLY: _rollup_weekly,
    "link_check": _link_check,
    lineout.DIGEST: _line_digest,
    backupplan.KIND: _backup,
}
