"""The public page of a cycle (O42/O43 on the agency's website): switched on by an admin, off by default;
evidence shows there only when marked public."""

from __future__ import annotations

from datetime import datetime

from workflow import audit
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied
from workflow.models import Cycle, Evidence, Step, User
from workflow.people.permissions import acts_in_agency, agency_of


def _actor(actor_id: int, *roles: str) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role(*roles):
        raise PermissionDenied("ท่านไม่มีสิทธิ์ทำรายการนี้", "you may not do this")
    return actor


def set_published(cycle_id: int, published: bool, *, actor_id: int, now: datetime) -> Cycle:
    actor = _actor(actor_id, "admin")
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบรอบการประเมินเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    if (cycle.published_at is not None) != published:
        cycle.published_at = now if published else None
        audit.record("cycle_published" if published else "cycle_unpublished", agency_id=cycle.agency_id,
                     actor_id=actor_id, now=now,
                     target_type="cycle", target_id=cycle.id, data={"fiscal_year": cycle.fiscal_year_be})
        if published:  # its answer sheet's links are checked every day while it stays published
            from workflow.publishing.answersheet import schedule_check
            from workflow.thaidate import bangkok_today

            schedule_check(cycle.id, bangkok_today(now))
    return cycle


def set_evidence_public(evidence_id: int, public: bool, *, actor_id: int, now: datetime) -> Evidence:
    """Only the secretariat (who answers for what is published) or an admin marks evidence public."""
    actor = _actor(actor_id, "secretariat", "admin")
    ev = db.session.get(Evidence, evidence_id)
    step = db.session.get(Step, ev.step_id) if ev is not None else None
    if ev is None or step is None or not acts_in_agency(actor, agency_of(step)):
        raise NotFound(f"ไม่พบหลักฐานเลขที่ {evidence_id}", f"no evidence {evidence_id}")
    if public and ev.withdrawn_at is not None:
        from workflow.errors import ValidationError

        raise ValidationError("หลักฐานนี้ถูกถอนแล้ว เผยแพร่ไม่ได้", "this evidence was withdrawn: it cannot be published")
    if ev.public != public:
        ev.public = public
        audit.record("evidence_public" if public else "evidence_private", agency_id=actor.agency_id,
                     actor_id=actor_id, now=now,
                     target_type="evidence", target_id=ev.id, data={"step": ev.step_id})
    return ev


def published_cycle(cycle_id: int) -> Cycle:
    """The cycle if it is published; NotFound otherwise (a hidden cycle looks like no cycle)."""
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.published_at is None:
        raise NotFound("ไม่พบหน้าที่ต้องการ", "not found")
    return cycle
