"""Deadline alerts as timer rows.

Due dates are Bangkok days as officials write them: a step due 10 June is overdue once 10 June has ended.
Alerts fire at the office hour on working days only. When a step opens we write its timers (reminders N
working days before, due today, overdue); an overdue alert writes the next repeat and, once, the
escalation to the director. Each timer carries the due date it was made for, so a step whose date moved
or that is done meanwhile simply ignores it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import insert, select

from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.models import Step, Timer
from workflow.steprows import StepRow
from workflow.thaidate import bangkok_moment, bangkok_today


def office_time() -> time:
    hour, minute = current_app.config["ITAFLOW"].office_hour.split(":")
    return time(int(hour), int(minute))


#: alerts go out from the office hour until this time, on working days; a timer due outside (the system was
#: down, or a cycle was loaded on a Saturday evening) waits for the next working day's office hour
ALERTS_UNTIL = time(18, 0)


def in_alert_hours(now: datetime, calendar: WorkingCalendar | None = None) -> bool:
    """Whether alerts may go out now: a working day in Bangkok, from the office hour until ALERTS_UNTIL (or
    midnight, for an office hour set later than that)."""
    from workflow.thaidate import to_bangkok

    local = to_bangkok(now)
    start = office_time()
    end = ALERTS_UNTIL if start < ALERTS_UNTIL else time(23, 59, 59)
    return start <= local.time() < end and (calendar or WorkingCalendar()).is_working_day(local.date())


def next_alert_moment(now: datetime, calendar: WorkingCalendar | None = None) -> datetime:
    """Now, if alerts may go out now; else the next working day's office hour."""
    calendar = calendar or WorkingCalendar()
    if in_alert_hours(now, calendar):
        return now
    today = bangkok_today(now)
    if calendar.is_working_day(today) and now < bangkok_moment(today, office_time()):
        return bangkok_moment(today, office_time())
    return bangkok_moment(calendar.add_working_days(today, 1), office_time())


#: what leaves at once whatever the hour: not alerts about the work but a person's sign-in link, the daily digest
#: at the hour its reader chose, and the notices to admins that LINE refused messages
AT_ANY_HOUR = frozenset({"invitation", "digest", "line_failed", "line_token_refused", "second_factor_added",
                         "second_factor_removed", "recovery_code_used", "second_factor_reset"})


def send_moment(event: str, now: datetime, calendar: WorkingCalendar | None = None) -> datetime:
    """The office-hours rule of every alert, whatever queues it (a timer, a person's action, a cycle loaded at
    22:00) and on every channel: it may leave now in alert hours, else it waits for the next working day's
    office hour, as the timers do. ``notify.queue`` and ``lineout`` give every outbox row this moment."""
    return now if event in AT_ANY_HOUR else next_alert_moment(now, calendar)


def announce_opening(step: Step | StepRow, now: datetime, *, loading: bool,
                     calendar: WorkingCalendar | None = None) -> bool:
    """The past-date rule for a step's opening alert ("ถึงคิวของท่าน", "รอตรวจสอบ"): a step opened as its
    cycle is loaded whose due day has ended by the time the alert could leave gets none. Its history is not
    told: the overdue timer (``schedule_step_alerts``) tells its people once, at the next moment alerts may
    go out, as the load's warning promises. A step that opens later in the year, when the one before it is
    done, is announced however late it is: that is news."""
    if not loading or step.due_on is None:
        return True
    return step.due_on >= bangkok_today(next_alert_moment(now, calendar))


def upcoming(day: date, now: datetime) -> bool:
    """Whether an alert at the office hour of ``day`` is still ahead (one already past is history)."""
    return bangkok_moment(day, office_time()) >= now


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
    """Timers for a step that just opened. Reminders whose moment has passed are skipped (the opening alert
    says the due date); an overdue alert in the past is moved to the next moment alerts may go out, so a step
    that opens late is reported once, in office hours, and not for every day of its history."""
    if step.due_on is None:
        return []
    calendar = calendar or WorkingCalendar()
    timers: list[dict] = []
    for days in sorted(set(step.measure.cycle.reminder_days or []), reverse=True):
        day = calendar.add_working_days(step.due_on, -days)
        if upcoming(day, now):
            timers.append(_timer("step_reminder", day, step, days_before=days))
    due_day = alert_day(step.due_on, calendar)
    if upcoming(due_day, now):
        timers.append(_timer("step_due_today", due_day, step))
    first_overdue = calendar.add_working_days(step.due_on, 1)
    overdue = _timer("step_overdue", first_overdue, step, count=1)
    if overdue["fire_at"] < now:
        overdue["fire_at"] = next_alert_moment(now, calendar)
    timers.append(overdue)
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
        if escalate < fired_on:  # late before anyone was told (a cycle loaded late): the owner gets the days
            escalate = calendar.add_working_days(fired_on, settings.escalate_after_days)
        timers.append(_timer("step_escalation", escalate, step))
    _write(timers)


#: the weekly roll-up email (workflow.oversight.rollup) leaves on Monday (or the next working day) at the office hour
ROLLUP_WEEKLY = "rollup_weekly"


def schedule_weekly(agency_id: int, after: date) -> None:
    """The parent's next weekly email (a timer row, as every deadline): the first Monday after ``after``,
    moved to the next working day if it is a holiday. Once per agency: an existing unfired one stands."""
    pending = db.session.execute(select(Timer.id).where(Timer.kind == ROLLUP_WEEKLY, Timer.target_type == "agency",
                                                        Timer.target_id == agency_id, Timer.fired_at.is_(None)))
    if pending.first() is not None:
        return
    monday = after + timedelta(days=7 - after.weekday())
    day = WorkingCalendar().adjust(monday, "next").day
    db.session.add(Timer(kind=ROLLUP_WEEKLY, fire_at=bangkok_moment(day, office_time()), target_type="agency",
                         target_id=agency_id, payload={"week_of": monday.isoformat()}))
    db.session.flush()
