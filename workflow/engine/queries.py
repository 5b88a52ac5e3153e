"""Read-side queries for the pages: my steps, the approval queue, progress, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.orm import joinedload, selectinload

from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.models import AuditEvent, Cycle, Evidence, Group, Measure, Round, Step, StepCoOwner, User
from workflow.vocabulary import due_status


def my_group_ids(user: User) -> list[int]:
    ids = set(directed_group_ids(user))
    if user.group_id:
        ids.add(user.group_id)
    return sorted(ids)


def directed_group_ids(user: User) -> list[int]:
    """Groups the user directs or acts for: as their director or acting director, and, while someone who directs
    one is away and names them to act (``workflow.engine.absences``; the user attached to the day), that one's too."""
    from workflow import acting

    people = [user.id, *acting.acted_for(user)]
    return list(db.session.execute(select(Group.id).where(
        or_(Group.director_id.in_(people), Group.acting_director_id.in_(people))).order_by(Group.id)).scalars())


def count_my_open_steps(user: User, groups: list[int] | None = None) -> int:
    """The count in the navigation: a UNION of the two index ranges (an OR would walk every open step)."""
    groups = my_group_ids(user) if groups is None else groups
    base = select(Step.id).where(Step.state == "open", Step.kind == "task")
    parts = [base.where(Step.owner_user_id == user.id)]
    if groups:
        parts.append(base.where(Step.owner_group_id.in_(groups)))
        parts.append(base.join(StepCoOwner, StepCoOwner.step_id == Step.id).where(StepCoOwner.group_id.in_(groups)))
    ids = union(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return db.session.scalar(select(func.count()).select_from(ids)) or 0


def count_approvals(user: User, directed: list[int] | None = None) -> int:
    directed = directed_group_ids(user) if directed is None else directed
    if not directed:
        return 0
    return db.session.scalar(select(func.count()).select_from(Step).where(
        Step.state == "open", Step.kind == "review", Step.reviewer_group_id.in_(directed))) or 0


def my_open_steps(user: User, limit: int = 100, groups: list[int] | None = None) -> list[Step]:
    """Open task steps of my groups and of me, by due date.

    Two queries, one per index (ix_step_owner_group_state_due, ix_step_owner_user_state_due), merged here:
    a single OR makes SQLite walk every open step in due order instead."""
    groups = my_group_ids(user) if groups is None else groups
    base = select(Step.id, Step.due_on).where(Step.state == "open", Step.kind == "task")
    found: dict[int, object] = {}
    parts = [base.where(Step.owner_user_id == user.id)]
    if groups:
        parts.append(base.where(Step.owner_group_id.in_(groups)))
        parts.append(base.join(StepCoOwner, StepCoOwner.step_id == Step.id).where(StepCoOwner.group_id.in_(groups)))
    for part in parts:
        for step_id, due in db.session.execute(part.order_by(Step.due_on, Step.id).limit(limit)):
            found[step_id] = due
    ids = sorted(found, key=lambda i: (found[i] is None, found[i] or date.max, i))[:limit]
    if not ids:
        return []
    steps = {s.id: s for s in db.session.execute(
        select(Step).where(Step.id.in_(ids))
        .options(joinedload(Step.measure), joinedload(Step.owner_group), joinedload(Step.owner_user))
    ).unique().scalars()}
    return [steps[i] for i in ids]


def approval_queue(user: User, limit: int = 200, directed: list[int] | None = None) -> list[Step]:
    """Open reviews of the groups I direct or act for, oldest first (ix_step_reviewer_state_opened)."""
    groups = directed_group_ids(user) if directed is None else directed
    if not groups:
        return []
    return list(db.session.execute(
        select(Step).where(Step.state == "open", Step.kind == "review", Step.reviewer_group_id.in_(groups))
        .order_by(Step.opened_at, Step.id).limit(limit)
        .options(selectinload(Step.measure), selectinload(Step.reviews_step).selectinload(Step.done_by))
    ).scalars())


def evidence_of(step_ids: list[int], *, withdrawn: bool = False) -> dict[int, list[Evidence]]:
    """The steps' evidence as it stands (or, with ``withdrawn``, what its owners withdrew)."""
    out: dict[int, list[Evidence]] = {}
    if not step_ids:
        return out
    state = Evidence.withdrawn_at.is_not(None) if withdrawn else Evidence.withdrawn_at.is_(None)
    for ev in db.session.execute(select(Evidence).where(Evidence.step_id.in_(step_ids), state)
                                 .order_by(Evidence.id)).scalars():
        out.setdefault(ev.step_id, []).append(ev)
    return out


def due_class(step: Step, today: date, calendar: WorkingCalendar | None = None) -> str:
    """The CSS class of a step's due date: "overdue" (red), "soon" (amber) or "" (workflow.vocabulary)."""
    return str(due_status(step.state, step.due_on, today, calendar))


def cycles_newest_first(agency_id: int | None = None):
    """The one order of cycles: the newest fiscal year first, then the latest loaded (of one agency, if
    given)."""
    query = select(Cycle).order_by(Cycle.fiscal_year_be.desc(), Cycle.id.desc())
    return query if agency_id is None else query.where(Cycle.agency_id == agency_id)


def has_units(agency_id: int) -> bool:
    """Whether an agency has units under it (a parent: its roll-up is worth a link)."""
    from workflow.models import Agency

    return db.session.execute(select(Agency.id).where(Agency.parent_id == agency_id).limit(1)).first() is not None


def current_cycle(agency_id: int | None = None) -> Cycle | None:
    """The agency's current cycle (its newest), or the deployment's newest when no agency is given."""
    return db.session.execute(cycles_newest_first(agency_id).limit(1)).scalars().first()



@dataclass
class MeasureProgress:
    measure: Measure
    done: int
    total: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(cycle: Cycle, today: date) -> list[MeasureProgress]:
    rows = db.session.execute(
        select(Step.measure_id, func.count(), func.sum(case((Step.state == "done", 1), else_=0)),
               func.sum(case((and_(Step.state != "done", Step.due_on < today), 1), else_=0)))
        .join(Measure).where(Measure.cycle_id == cycle.id).group_by(Step.measure_id)
    ).all()
    counts = {r[0]: (int(r[2] or 0), int(r[1]), int(r[3] or 0)) for r in rows}
    return [MeasureProgress(m, *counts.get(m.id, (0, 0, 0))) for m in cycle.measures]


def overdue_steps(cycle: Cycle, today: date, limit: int = 50) -> list[Step]:
    return list(db.session.execute(
        select(Step).join(Measure).where(Measure.cycle_id == cycle.id, Step.state != "done", Step.due_on < today)
        .order_by(Step.due_on, Step.id).limit(limit)
    ).scalars())


def next_deadlines(cycle: Cycle, today: date, limit: int = 10) -> list[Step]:
    return list(db.session.execute(
        select(Step).join(Measure).where(Measure.cycle_id == cycle.id, Step.state == "open", Step.due_on >= today)
        .order_by(Step.due_on, Step.id).limit(limit)
    ).scalars())


def next_round(cycle: Cycle, today: date) -> Round | None:
    return db.session.execute(select(Round).where(Round.cycle_id == cycle.id, Round.held_on >= today)
                              .order_by(Round.held_on)).scalars().first()


def is_deployment_admin(user) -> bool:
    """An admin of an agency at the top of the tree (no parent): they see the deployment's own audit chain."""
    from workflow.models import Agency

    return user.has_role("admin") and db.session.scalar(
        select(Agency.parent_id.is_(None)).where(Agency.id == user.agency_id)) is True


def audit_events(agency_id: int, *, measure: str | None = None, actor_id: int | None = None,
                 action: str | None = None, start: datetime | None = None, end: datetime | None = None,
                 limit: int = 200) -> list[AuditEvent]:
    """The newest events of one chain: an agency's, or the deployment's own (``audit.DEPLOYMENT``)."""
    query = (select(AuditEvent).where(AuditEvent.chain == agency_id).order_by(AuditEvent.seq.desc())
             .limit(limit))
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if start:
        query = query.where(AuditEvent.occurred_at >= start)
    if end:
        query = query.where(AuditEvent.occurred_at < end)
    events = list(db.session.execute(query).scalars())
    if measure:  # the measure code lives in the event's data
        events = [e for e in events if (e.data or {}).get("measure") == measure]
    return events


def step_history(step_id: int) -> list[tuple[AuditEvent, str | None]]:
    """The step's events in order, each with who did it (None: the system)."""
    from workflow.models import User

    return [(event, name) for event, name in db.session.execute(
        select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.target_type == "step", AuditEvent.target_id == step_id).order_by(AuditEvent.seq))]
