"""``itaflow demo``: the memo's measures plus one demo account per role.

By default every date of the memo moves by the same number of days so that today lies inside the
period, steps without a due date get interim ones spread across it, and the first steps are done: a
newcomer sees done, due-soon and overdue steps. ``as_written`` keeps the memo's BE 2567 dates.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from workflow import audit
from workflow.db import db
from workflow.engine import transitions
from workflow.engine.definitions import load_definitions_file
from workflow.engine.instantiate import LoadResult, instantiate, shift_document
from workflow.models import Step, User
from workflow.people.users import hash_password
from workflow.thaidate import bangkok_today, to_thai_digits

EMAIL_DOMAIN = "demo.itaflow.test"
SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "roiet-2567.yaml"

#: extra people the memo does not name: group directors, an admin, an HR officer
DEMO_PEOPLE: dict[str, dict[str, Any]] = {
    "dir-hr": {"name": "นายสมชาย ใจดี", "position": "ผู้อำนวยการกลุ่มบริหารงานบุคคล", "group": "hr",
               "roles": ["staff", "director"]},
    "dir-admin": {"name": "นางสาววิไล ศรีสุข", "position": "ผู้อำนวยการกลุ่มอำนวยการ", "group": "admin",
                  "roles": ["staff", "director"]},
    "dir-plan": {"name": "นายประเสริฐ มั่นคง", "position": "ผู้อำนวยการกลุ่มนโยบายและแผน", "group": "plan",
                 "roles": ["staff", "director"]},
    "hr-staff": {"name": "นายวีระ ทองดี", "position": "นักทรัพยากรบุคคล", "group": "hr", "roles": ["staff"]},
    "admin": {"name": "ผู้ดูแลระบบ", "position": "ผู้ดูแลระบบ", "group": None, "roles": ["admin"]},
}
DIRECTORS = {"hr": "dir-hr", "admin": "dir-admin", "plan": "dir-plan"}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str
    password: str


def seed_document() -> dict:
    return load_definitions_file(SEED_FILE)


def demo_document(today: date, as_written: bool) -> dict:
    doc = copy.deepcopy(seed_document())
    for key, person in DEMO_PEOPLE.items():
        doc["people"][key] = {**person, "email": None}
    for key, person in doc["people"].items():
        person["email"] = f"{key}@{EMAIL_DOMAIN}"
    for group, director in DIRECTORS.items():
        doc["groups"][group]["director"] = director
    if as_written:
        return doc
    start = min(m["period"]["start"] for m in doc["measures"])
    end = max(m["period"]["end"] for m in doc["measures"])
    offset = today - (start + (end - start) * 55 // 100)
    doc = shift_document(doc, lambda d: d + offset)
    written_year = doc["fiscal_year"]
    doc["fiscal_year"] = _fiscal_year(end + offset)
    for key in ("subject",):  # "... ประจำปีงบประมาณ พ.ศ. ๒๕๖๗" follows the year too
        if doc["memo"].get(key):
            doc["memo"][key] = doc["memo"][key].replace(to_thai_digits(str(written_year)),
                                                        to_thai_digits(str(doc["fiscal_year"])))
    for m in doc["measures"]:
        length = (m["period"]["end"] - m["period"]["start"]).days
        n = len(m["steps"])
        for i, s in enumerate(m["steps"], start=1):
            if s["due"] is None:
                s["due"] = m["period"]["start"] + timedelta(days=length * i // n)
    return doc


def _fiscal_year(day: date) -> int:
    from workflow.thaidate import fiscal_year_be
    return fiscal_year_be(day)


def run_demo(*, now: datetime, as_written: bool = False, password: str | None = None) -> tuple[LoadResult,
                                                                                               list[DemoLogin]]:
    doc = demo_document(bangkok_today(now), as_written)
    result = instantiate(doc, actor_id=None, now=now, source_name="itaflow demo")
    logins: list[DemoLogin] = []
    chosen = {"secretariat": "juthamas", "executive": "amporn", "director": "dir-admin", "staff": "pannee",
              "admin": "admin"}
    users = {u.key: u for u in db.session.query(User).filter(User.agency_id == result.cycle.agency_id,
                                                              User.key.in_(list(doc["people"])))}
    for key, user in users.items():
        secret = password or secrets.token_urlsafe(9)
        user.password_hash = hash_password(secret)
        role = next((r for r, k in chosen.items() if k == key), None) or sorted(user.roles)[0]
        logins.append(DemoLogin(role=role, name=user.name, email=user.email or "", password=secret))
    db.session.flush()
    if not as_written:
        _finish_first_steps(result, now)
        _make_one_due_soon(result, now)
    order = ["admin", "secretariat", "executive", "director", "staff"]
    logins.sort(key=lambda login: (order.index(login.role) if login.role in order else 9, login.email))
    return result, logins


def _finish_first_steps(result: LoadResult, now: datetime) -> None:
    """Step 1 of every measure done by its owner; 1.5's officer also finishes step 2 so the director of
    กลุ่มอำนวยการ has a review waiting."""
    for measure in result.cycle.measures:
        targets = [1, 2] if measure.code == "1.5" else [1]
        for number in targets:
            step = next(s for s in measure.steps if s.number == number)
            actor = _an_owner(step)
            if actor is not None and step.state == "open":
                transitions.complete(step.id, actor_id=actor.id, now=now, expected_version=step.version,
                                     note="ตัวอย่างข้อมูล (demo)")


def _make_one_due_soon(result: LoadResult, now: datetime) -> None:
    """Spread dates leave due-soon steps to chance; make sure the demo shows one (1.2 step 2)."""
    from workflow.calendar import WorkingCalendar

    measure = next(m for m in result.cycle.measures if m.code == "1.2")
    step = next(s for s in measure.steps if s.number == 2)
    step.due_on = WorkingCalendar().add_working_days(bangkok_today(now), 2)
    db.session.flush()


def _an_owner(step: Step) -> User | None:
    if step.owner_user is not None:
        return step.owner_user
    if step.owner_group is not None:
        members = sorted((u for u in step.owner_group.members if "director" not in u.roles), key=lambda u: u.id)
        return members[0] if members else step.owner_group.director
    return None


def add_units(parent_id: int, count: int, *, now: datetime) -> list[int]:
    """``count`` schools under the demo office, each with the memo's measures at a different stage (some
    steps done, some overdue, some published), so its roll-up has something to show. Their people have no
    password and no e-mail address (nothing is sent to them): the units are seen from the office, read-only."""
    from workflow.models import Agency, Cycle
    from workflow.people import agencies

    parent = db.session.get(Agency, parent_id)
    if parent is None:
        raise ValueError(f"no agency {parent_id}")
    made: list[int] = []
    for n in range(1, count + 1):
        unit = agencies.add(f"{parent.code}-u{n:03d}", f"โรงเรียนตัวอย่างที่ {n}", kind="school",
                            parent_code=parent.code, actor_id=None, now=now)
        doc = demo_document(bangkok_today(now), as_written=False)
        doc["agency"] = unit.name
        for person in doc["people"].values():  # made-up people: no address, so no mail for them
            person["email"] = None
        result = instantiate(doc, actor_id=None, now=now, source_name="itaflow demo --units", agency_id=unit.id)
        for _ in range(n % 4):  # a different stage for each: 0 to 3 more rounds of open steps done
            _finish_open_steps(result.cycle.id, now)
        if n % 3 == 0:  # every third unit has published its page (its admin would, in real life)
            db.session.execute(update(Cycle).where(Cycle.id == result.cycle.id).values(published_at=now))
            audit.record("cycle_published", agency_id=unit.id, actor_id=None, now=now, target_type="cycle",
                         target_id=result.cycle.id, data={"fiscal_year": result.cycle.fiscal_year_be})
        made.append(unit.id)
    return made


def _finish_open_steps(cycle_id: int, now: datetime) -> None:
    from workflow.models import Measure

    for step in db.session.execute(select(Step).join(Measure).where(
            Measure.cycle_id == cycle_id, Step.state == "open", Step.kind == "task").order_by(Step.id)
            ).scalars().all():
        actor = _an_owner(step)
        if actor is not None:
            transitions.complete(step.id, actor_id=actor.id, now=now, expected_version=step.version,
                                 note="ตัวอย่างข้อมูล (demo)")
