"""Who acts for whom on a day (รักษาราชการแทน): the rule every layer asks (alerts go to who acts, the rights of
an acting person, the approval queue), read from the absences recorded by ``workflow.engine.absences``, the service
that records and cancels them. Below every package: it reads, it never writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from workflow.db import db
from workflow.models import Absence, User


@dataclass(frozen=True)
class ActedFor:
    """Someone a person acts for on a day: what the rules and the records need of them."""

    id: int
    name: str
    position: str | None
    group_id: int | None

    def record(self) -> dict:
        """As an audit event, a decision and a step keep it (``data["acting"]``)."""
        return {"id": self.id, "name": self.name, "position": self.position}


def in_force(day: date):
    """The SQL condition of an absence in force on a Bangkok day."""
    return (Absence.starts_on <= day) & (Absence.ends_on >= day) & Absence.cancelled_at.is_(None)


_CACHE = "absences"


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    """What was read of absences holds for one transaction (another may record one meanwhile)."""
    session.info.pop(_CACHE, None)


def edges(day: date, agency_id: int) -> dict[int, int | None]:
    """Everyone of an agency away on ``day`` -> who acts for them (None: nobody); acting stays within an agency.
    Read once per transaction, day and agency (a sweep asks for every timer of its batch)."""
    cache = db.session.info.setdefault(_CACHE, {})
    key = (day, agency_id)
    if key not in cache:
        cache[key] = {user_id: acting for user_id, acting in db.session.execute(
            select(Absence.user_id, Absence.acting_user_id).where(Absence.agency_id == agency_id, in_force(day)))}
    return cache[key]


def forget() -> None:
    """Read the absences again in this transaction (one was just recorded or cancelled)."""
    db.session.info.pop(_CACHE, None)


def resolve(person_id: int, day: date, agency_id: int) -> int:
    """Who hears what is meant for a person (of an agency) on a day: themself, or, while they are away with
    someone acting for them, that person (and on along the chain if they are away too; each person once, so no
    loop)."""
    away = edges(day, agency_id)
    seen = {person_id}
    current = person_id
    while current in away and away[current] is not None:
        nxt = away[current]
        assert nxt is not None
        if nxt in seen:  # a loop the rules refuse; should one exist, the alert stays with the last one
            break
        seen.add(nxt)
        current = nxt
    return current


def resolve_all(people: list, day: date) -> list:
    """The people an alert goes to, each replaced by who acts for them while they are away (read as ``User``s
    or rows with ``id`` and ``agency_id``); each once, in order; the acting ones active only."""
    agencies = {p.agency_id for p in people}
    if not any(p.id in edges(day, agency_id) for agency_id in agencies for p in people):
        return people
    out: dict[int, object] = {}
    for person in people:
        target = resolve(person.id, day, person.agency_id)
        if target == person.id:
            out.setdefault(person.id, person)
            continue
        stand_in = db.session.get(User, target)
        if stand_in is not None and stand_in.active:
            out.setdefault(stand_in.id, stand_in)
        else:  # the one who acts cannot be reached: the absent person keeps it
            out.setdefault(person.id, person)
    return list(out.values())


def acting_for(user_id: int, day: date, agency_id: int) -> dict[int, ActedFor]:
    """The people ``user_id`` (of an agency) acts for on a day: those whose absence names them, and on along the
    chain (they act for whom those act for). Empty for nearly everyone: one statement over the agency's
    absences of the day."""
    away = edges(day, agency_id)
    named = {absent for absent, acting in away.items() if acting is not None}
    if not named:
        return {}
    acting_of: dict[int, list[int]] = {}
    for absent, acting in away.items():
        if acting is not None:
            acting_of.setdefault(acting, []).append(absent)
    found: list[int] = []
    queue = list(acting_of.get(user_id, []))
    while queue:
        person = queue.pop(0)
        if person == user_id or person in found:
            continue
        found.append(person)
        queue.extend(acting_of.get(person, []))
    if not found:
        return {}
    people = db.session.execute(select(User.id, User.name, User.position, User.group_id)
                                .where(User.id.in_(found))).all()
    return {r.id: ActedFor(r.id, r.name, r.position, r.group_id) for r in people}


def attach(user, day: date):
    """Tell a person's object the day it acts on, so the rules (``workflow.people.permissions``) can find whom they
    act for (asked only when their own right does not suffice). Returns the person."""
    if user is not None:
        user._acting_day = day
        user._acting_for = None
    return user


def acted_for(user) -> dict[int, ActedFor]:
    """Whom an attached person acts for today (``attach``); nobody for one not attached."""
    day = getattr(user, "_acting_day", None)
    if day is None:
        return {}
    found = getattr(user, "_acting_for", None)
    if found is None:
        found = acting_for(user.id, day, user.agency_id)
        user._acting_for = found
    return found


def away_today(person_ids: set[int], day: date) -> dict[int, Absence]:
    """Which of these people are away on ``day``, with their absence (for a step page's owner line)."""
    if not person_ids:
        return {}
    return {a.user_id: a for a in db.session.execute(
        select(Absence).where(Absence.user_id.in_(person_ids), in_force(day))).scalars()}
