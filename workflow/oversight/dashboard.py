"""The dashboard's figures for the secretariat and executives: per work group as well as per measure, the
overdue steps with their group and how many working days late, the totals, and progress over time against
the plan and the monitoring rounds (drawn as charts by web/templates/_charts.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.models import Cycle, Group, Measure, Round, Step, User
from workflow.thaidate import bangkok_today


@dataclass
class Tally:
    """Steps by state: done, open (and of those, overdue), waiting for the steps before them."""

    name: str
    done: int = 0
    open: int = 0
    overdue: int = 0
    waiting: int = 0
    group_id: int | None = None

    @property
    def total(self) -> int:
        return self.done + self.open + self.waiting

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def add(self, step: Step, today: date) -> None:
        if step.state == "done":
            self.done += 1
        elif step.state == "open":
            self.open += 1
            if step.due_on is not None and step.due_on < today:
                self.overdue += 1
        else:
            self.waiting += 1
            if step.due_on is not None and step.due_on < today:
                self.overdue += 1


@dataclass
class Late:
    step: Step
    group: str
    working_days: int


@dataclass
class Series:
    """Progress over time: per day, the share of steps done and the share planned done by then (due)."""

    days: list[date] = field(default_factory=list)
    done: list[int] = field(default_factory=list)
    planned: list[int] = field(default_factory=list)
    rounds: list[tuple[date, int]] = field(default_factory=list)
    today: date | None = None


@dataclass
class Dashboard:
    totals: Tally
    groups: list[Tally]
    late: list[Late]
    series: Series


def _steps(cycle_id: int) -> list[Step]:
    return list(db.session.execute(
        select(Step).join(Measure).where(Measure.cycle_id == cycle_id)
        .options(selectinload(Step.owner_group), selectinload(Step.owner_user).selectinload(User.group),
                 selectinload(Step.reviewer_group), selectinload(Step.measure))
        .order_by(Measure.position, Step.number, Step.occurrence)).scalars())


def group_of(step: Step) -> Group | None:
    """The work group a step counts for: its owner group, its owner's group, or (a review) its reviewers'."""
    if step.owner_group is not None:
        return step.owner_group
    if step.owner_user is not None and step.owner_user.group is not None:
        return step.owner_user.group
    return step.reviewer_group


def build(cycle: Cycle, now, calendar: WorkingCalendar | None = None) -> Dashboard:
    calendar = calendar or WorkingCalendar()
    today = bangkok_today(now)
    steps = _steps(cycle.id)
    totals = Tally("รวม")
    groups: dict[int | None, Tally] = {}
    late: list[Late] = []
    for s in steps:
        group = group_of(s)
        key = group.id if group is not None else None
        tally = groups.setdefault(key, Tally(group.name if group is not None else "ไม่ระบุกลุ่ม", group_id=key))
        tally.add(s, today)
        totals.add(s, today)
        if s.state != "done" and s.due_on is not None and s.due_on < today:
            late.append(Late(s, tally.name, calendar.working_days_between(s.due_on, today)))
    late.sort(key=lambda x: (-x.working_days, x.step.measure.position, x.step.number))
    ordered = sorted(groups.values(), key=lambda t: (-t.overdue, -t.total, t.name))
    return Dashboard(totals, ordered, late, _series(cycle, steps, today))


def _series(cycle: Cycle, steps: list[Step], today: date) -> Series:
    if not steps:
        return Series(today=today)
    start = min(m.period_start for m in cycle.measures)
    end = max(m.period_end for m in cycle.measures)
    dues = sorted(s.due_on for s in steps if s.due_on is not None)
    done_days = sorted(s.done_at.date() for s in steps if s.done_at is not None)
    total = len(steps)
    # one point a week from the start, the last at the end, and today
    days, day = [], start
    while day < end:
        days.append(day)
        day += timedelta(days=7)
    days.append(end)
    if start <= today <= end and today not in days:
        days = sorted({*days, today})
    series = Series(days=days, today=today)
    for d in days:
        series.planned.append(round(100 * sum(1 for x in dues if x <= d) / total))
        series.done.append(round(100 * sum(1 for x in done_days if x <= d) / total) if d <= today else -1)
    series.rounds = [(r.held_on, r.number) for r in db.session.execute(
        select(Round).where(Round.cycle_id == cycle.id).order_by(Round.held_on)).scalars()]
    return series
