"""Calendar feeds (RFC 5545, built with icalendar): a person's due dates, reviews waiting and rounds, or a
whole cycle's. All-day events titled in Thai with BE dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlparse

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import or_, select

from workflow import acting
from workflow.db import db
from workflow.engine import queries
from workflow.engine.status import owner_label
from workflow.errors import NotFound
from workflow.models import Cycle, Measure, Round, Step, StepCoOwner, User
from workflow.thaidate import bangkok_today, format_be
from workflow.vocabulary import step_title


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//itaflow//ITA measures//TH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Bangkok")
    return cal


def _event(uid: str, day: date, summary: str, description: str, url: str, now: datetime) -> Event:
    host = urlparse(current_app.config["ITAFLOW"].base_url).hostname or "itaflow"
    event = Event()
    event.add("uid", f"{uid}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", day)  # a date: an all-day event
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def _step_event(step: Step, now: datetime, prefix: str = "ครบกำหนด") -> Event:
    assert step.due_on is not None  # the feeds select only steps with a due date
    base = current_app.config["ITAFLOW"].base_url
    m = step.measure
    due = format_be(step.due_on, style="full", digit_style="arabic")
    title = step_title(step, digit_style="arabic")
    summary = f"{prefix} {m.code}/{step.number}: {title} ({format_be(step.due_on, digit_style='arabic')})"
    description = (f"ประเด็นที่ {m.code} {m.title}\nขั้นตอนที่ {step.number}: {title}\n"
                   f"ผู้รับผิดชอบ: {owner_label(step)}\nกำหนด: {due}")
    return _event(f"step-{step.id}", step.due_on, summary, description, f"{base}/steps/{step.id}", now)


def _round_event(rnd: Round, now: datetime) -> Event:
    base = current_app.config["ITAFLOW"].base_url
    held = format_be(rnd.held_on, style="full", digit_style="arabic")
    description = f"การติดตามมาตรการ ITA ครั้งที่ {rnd.number} วันที่ {held}"
    if rnd.moved_reason:
        description += f"\n(กำหนดเดิม {format_be(rnd.planned_on, style='full', digit_style='arabic')} "\
                       f"{rnd.moved_reason})"
    return _event(f"round-{rnd.id}", rnd.held_on,
                  f"ประชุมติดตาม ITA ครั้งที่ {rnd.number} ({format_be(rnd.held_on, digit_style='arabic')})",
                  description, f"{base}/rounds/{rnd.id}", now)


def person_feed(user_id: int, now: datetime) -> bytes:
    """My open steps with a due date, the reviews waiting for me, and the rounds of the current cycle."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    acting.attach(user, bangkok_today(now))  # the reviews of whom they act for today are theirs too
    cal = _calendar(f"ITA: งานของ {user.name}")
    groups = queries.my_group_ids(user)
    mine = [Step.owner_user_id == user.id, *([Step.owner_group_id.in_(groups), Step.id.in_(
        select(StepCoOwner.step_id).where(StepCoOwner.group_id.in_(groups)))] if groups else [])]
    for step in db.session.execute(select(Step).where(
            Step.state != "done", Step.kind == "task", Step.due_on.is_not(None), or_(*mine))
            .order_by(Step.due_on, Step.id).limit(1000)).scalars():
        cal.add_component(_step_event(step, now))
    directed = queries.directed_group_ids(user)
    if directed:
        for step in db.session.execute(select(Step).where(
                Step.state == "open", Step.kind == "review", Step.reviewer_group_id.in_(directed),
                Step.due_on.is_not(None)).order_by(Step.due_on, Step.id).limit(1000)).scalars():
            cal.add_component(_step_event(step, now, prefix="รอตรวจสอบ"))
    cycle = queries.current_cycle(user.agency_id)
    for rnd in cycle.rounds if cycle else []:
        cal.add_component(_round_event(rnd, now))
    return cal.to_ical()


def cycle_feed(cycle_id: int, now: datetime) -> bytes:
    """Every step's due date and every round of one cycle."""
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(f"ไม่พบรอบการประเมินเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    cal = _calendar(f"ITA {cycle.agency} ปีงบประมาณ {cycle.fiscal_year_be}")
    for step in db.session.execute(select(Step).join(Measure).where(
            Measure.cycle_id == cycle_id, Step.due_on.is_not(None)).order_by(Step.due_on, Step.id)).scalars():
        cal.add_component(_step_event(step, now))
    for rnd in cycle.rounds:
        cal.add_component(_round_event(rnd, now))
    return cal.to_ical()
