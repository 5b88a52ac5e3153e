"""Deadline alerts as timer rows.

Due dates are Bangkok days as officials write them: a step due 10 June is overdue once 10 June has ended.
Alerts fire at the office hour on working days only. When a step opens we write its timers (reminders N
working days before, due today, overdue); an overdue alert writes the next repeat and, once, the
escalation to the director. Each timer carries the due date it was made for, so a step whose date moved
or that is done meanwhile simply ignores it.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import insert

from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.models import Step
from workflow.steprows import StepRow
from workflow.thaidate import bangkok_moment, bangkok_today


def office_time() -> time:
    hour, minute = current_app.config["ITAFLOW"].office_hour.split(":")
    return time(int(hour), int(minute))


def alert_day(day: date, calendar: WorkingCalendar) -> date:
    """Alerts never go out on a weekend or holiday: the working day before."""
    return calendar.adjust(day, "previous").day


def _timer(kind: str, day: date, step: Step | StepRow, **payload) -> dict:
    """A timer row's values (written with one INSERT for all of a step's timers: no ids are needed back)."""
    return {"kind": kind, "fire_at": bangkok_moment(day, office_time()), "fired_at": None, "target_type": "step",
            "target_id": step.id, "payload": {"due": step.due_on.isoformat() if step.due_on else None, **payload}}


_INSERT_TIMERS = insert(db.metadata.tables["timer"])  # built once: its compiled form is cached


def _write(timers: list[dict]) -> None:
    if timers:
        db.session.connection().execute(_INSERT_TIMERS, timers)


def schedule_step_alerts(step: Step | StepRow, now: datetime, calendar: WorkingCalendar | None = None) -> list[dict]:
    """Timers for a step that just opened. Reminders already in the past are skipped; an overdue alert in
    the past is kept, so a step that opens late is still reported once."""
    if step.due_on is None:
        return []
    calendar = calendar or WorkingCalendar()
    today = bangkok_today(now)
    timers: list[dict] = []
    for days in sorted(set(step.measure.cycle.reminder_days or []), reverse=True):
        day = calendar.add_working_days(step.due_on, -days)
        if day >= today:
            timers.append(_timer("step_reminder", day, step, days_before=days))
    due_day = alert_day(step.due_on, calendar)
    if due_day >= today:
        timers.append(_timer("step_due_today", due_day, step))
    first_overdue = calendar.add_working_days(step.due_on, 1)
    timers.append(_timer("step_overdue", first_overdue, step, count=1))
    _write(timers)
    return timers


def schedule_next_overdue(step: Step, fired_on: date, count: int, calendar: WorkingCalendar) -> None:
    settings = current_app.config["ITAFLOW"]
    day = calendar.add_working_days(fired_on, settings.overdue_repeat_days)
    timers = [_timer("step_overdue", day, step, count=count + 1)]
    if count == 1 and step.due_on is not None:
        first = calendar.add_working_days(step.due_on, 1)
        escalate = calendar.add_working_days(first, settings.escalate_after_days - 1) \
            if settings.escalate_after_days > 1 else first
        timers.append(_timer("step_escalation", max(escalate, fired_on), step))
    _write(timers)
