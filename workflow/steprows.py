"""Steps read as light rows, for the hot path of a transition (one statement, no ORM objects).

Marking a step done is what every officer does all year; ``workflow.engine.transitions`` reads the step, its
measure, the measure's cycle and the owner group's directors here in one statement, and writes with
statements of its own. The rows carry the same attribute names as the models, so the permission rules,
the alert timers and the email items read either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm.util import identity_key

from workflow.db import db
from workflow.models import Group


@dataclass(slots=True)
class CycleRow:
    id: int
    agency_id: int
    agency: str
    reminder_days: list[int]


@dataclass(slots=True)
class MeasureRow:
    id: int
    code: str
    title: str
    state: str
    cycle: CycleRow


@dataclass(slots=True)
class GroupRow:
    id: int
    director_id: int | None
    acting_director_id: int | None

    def directed_by(self, user_id: int) -> bool:
        return Group.directed_by(self, user_id)  # type: ignore[arg-type]  # the model's rule, on a row


@dataclass(slots=True)
class StepRow:
    id: int
    measure_id: int
    number: int
    occurrence: int
    title: str
    kind: str
    parallel: bool
    owner_group_id: int | None
    owner_user_id: int | None
    reviewer_group_id: int | None
    due_on: date | None
    state: str
    version: int
    measure: MeasureRow
    owner_group: GroupRow | None
    #: a monthly step's month (its alerts say it)
    month: date | None = None


@dataclass(slots=True)
class ActorRow:
    id: int
    active: bool
    group_id: int | None
    agency_id: int
    #: the day the actor acts on, and whom they act for then (``workflow.acting.attach``, read lazily)
    _acting_day: date | None = None
    _acting_for: dict | None = None


_step = db.metadata.tables["step"]
_measure = db.metadata.tables["measure"]
_cycle = db.metadata.tables["cycle"]
_owner_group = db.metadata.tables["work_group"].alias("owner_group")
_actor = db.metadata.tables["app_user"].alias("actor")
#: statements are built once (with bind parameters): SQLAlchemy caches their compiled form and result shape
_STEP_COLUMNS = (_step.c.id, _step.c.measure_id, _step.c.number, _step.c.occurrence, _step.c.title, _step.c.kind,
                 _step.c.parallel, _step.c.owner_group_id, _step.c.owner_user_id, _step.c.reviewer_group_id,
                 _step.c.due_on, _step.c.state, _step.c.version, _step.c.month, _owner_group.c.director_id,
                 _owner_group.c.acting_director_id)
_MEASURE_COLUMNS = (_measure.c.code, _measure.c.title.label("measure_title"), _measure.c.state.label("measure_state"),
                    _cycle.c.id.label("cycle_id"), _cycle.c.agency_id, _cycle.c.agency, _cycle.c.reminder_days)
_WITH_OWNER_GROUP = _step.outerjoin(_owner_group, _owner_group.c.id == _step.c.owner_group_id)
#: a step with its measure, cycle and owner group, and the person about to act on it
_STEP_AND_ACTOR = (
    select(*_STEP_COLUMNS, *_MEASURE_COLUMNS, _actor.c.id.label("actor_id"),
           _actor.c.active.label("actor_active"), _actor.c.group_id.label("actor_group_id"),
           _actor.c.agency_id.label("actor_agency_id"))
    .select_from(_WITH_OWNER_GROUP.join(_measure, _measure.c.id == _step.c.measure_id)
                 .join(_cycle, _cycle.c.id == _measure.c.cycle_id)
                 .outerjoin(_actor, _actor.c.id == bindparam("actor")))
    .where(_step.c.id == bindparam("step"))
)
#: every step of a measure, in order
_MEASURE_STEPS = (select(*_STEP_COLUMNS).select_from(_WITH_OWNER_GROUP)
                  .where(_step.c.measure_id == bindparam("measure")).order_by(_step.c.number, _step.c.occurrence))
_MEASURE = (select(_measure.c.id.label("measure_id"), *_MEASURE_COLUMNS)
            .join(_cycle, _cycle.c.id == _measure.c.cycle_id).where(_measure.c.id == bindparam("measure")))


def _measure_row(r: Row) -> MeasureRow:
    return MeasureRow(r.measure_id, r.code, r.measure_title, r.measure_state,
                      CycleRow(r.cycle_id, r.agency_id, r.agency, list(r.reminder_days or [])))


def as_step(r: Row, measure: MeasureRow) -> StepRow:
    """A row of ``measure_steps`` (or of the step statement) as a StepRow of that measure."""
    group = GroupRow(r.owner_group_id, r.director_id, r.acting_director_id) if r.owner_group_id is not None else None
    return StepRow(r.id, r.measure_id, r.number, r.occurrence, r.title, r.kind, r.parallel, r.owner_group_id,
                   r.owner_user_id, r.reviewer_group_id, r.due_on, r.state, r.version, measure, group, r.month)


def step_and_actor(step_id: int, actor_id: int) -> tuple[StepRow | None, ActorRow | None]:
    """The step with its measure, and the actor, in one statement (None for what does not exist)."""
    r = db.session.connection().execute(_STEP_AND_ACTOR, {"step": step_id, "actor": actor_id}).one_or_none()
    if r is None:
        return None, None
    actor = (ActorRow(r.actor_id, r.actor_active, r.actor_group_id, r.actor_agency_id)
             if r.actor_id is not None else None)
    return as_step(r, _measure_row(r)), actor


def measure(measure_id: int) -> MeasureRow:
    return _measure_row(db.session.connection().execute(_MEASURE, {"measure": measure_id}).one())


def measure_steps(measure_id: int) -> Sequence[Row]:
    """Every step of a measure as rows, in order (number, then month)."""
    return db.session.connection().execute(_MEASURE_STEPS, {"measure": measure_id}).all()


def expire(model: type, ids: Iterable[int]) -> None:
    """Objects of the session's identity map that a statement changed behind the ORM's back reload on their
    next use (their version too, so a later ORM change of them is not taken for a conflict)."""
    identity_map = db.session.identity_map
    if not identity_map:
        return
    for key in ids:
        found = identity_map.get(identity_key(model, key))
        if found is not None:
            db.session.expire(found)
