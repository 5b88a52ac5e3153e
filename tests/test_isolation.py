"""No one reads or changes another agency's data: every route × role, signed in at a sibling agency that has
the same memo, the same roles and the same keys, asking for this agency's step, measure, round, evidence,
cycle, person and group. What would be allowed at home answers 404 there, lists show only the sibling's own
rows, and nothing is written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.test_web import GET_MATRIX, POST_ALLOWED, ROLE_USERS, _ids, _url, counts, token
from web.security import limiter
from workflow import clock
from workflow.db import db
from workflow.models import Cycle, Measure, Round, Step, User
from workflow.people import agencies
from workflow.people.users import hash_password
from workflow.thaidate import bangkok_today

#: the ids a route carries that belong to an agency (the token is the person's own, the secret is public)
OWNED = ("<int:step_id>", "<int:measure_id>", "<int:round_id>", "<int:evidence_id>", "<int:cycle_id>",
         "<int:user_id>", "<int:group_id>", "<int:target_id>", "<int:absence_id>")


def _sibling_email(email: str) -> str:
    return email.replace("@", ".other@")


@pytest.fixture
def two_agencies(demo):
    """The demo agency (``main``) with its ids, and a sibling (``other``) loaded from the same memo."""
    from workflow.engine.instantiate import instantiate
    from workflow.onboarding.demo import demo_document

    ids = _ids()
    home = {"steps": set(db.session.execute(select(Step.id)).scalars()),
            "measures": set(db.session.execute(select(Measure.id)).scalars()),
            "rounds": set(db.session.execute(select(Round.id)).scalars())}
    now = clock.now()
    agencies.add("other", "หน่วยงานข้างเคียง", actor_id=None, now=now)
    doc = demo_document(bangkok_today(now), as_written=False)
    doc["agency"] = "หน่วยงานข้างเคียง"
    for person in doc["people"].values():
        person["email"] = _sibling_email(person["email"]) if person.get("email") else None
    instantiate(doc, actor_id=None, now=now, source_name="sibling", agency_code="other")
    other = agencies.get("other")
    for person in db.session.execute(select(User).where(User.agency_id == other.id)).scalars():
        person.password_hash = hash_password(PASSWORD)
    db.session.commit()
    limiter.reset()
    return ids, home, other


@pytest.fixture(params=["sibling", "child", "parent"])
def relative(request, two_agencies):
    """The other agency as this one's sibling, as one of its units (child), or as its parent."""
    if request.param == "child":
        agencies.move("other", "main", actor_id=None, now=clock.now())
    elif request.param == "parent":
        agencies.move("main", "other", actor_id=None, now=clock.now())
    db.session.commit()
    return (*two_agencies, request.param)


def _reads_here(relation: str, role: str) -> bool:
    """Who of the other agency reads this one's rows: a parent's executives (and supervisors), read-only."""
    return relation == "parent" and role == "executive"


def _sibling(app, role: str):
    client = app.test_client()
    response = client.post("/login", data={"email": _sibling_email(ROLE_USERS[role]), "password": PASSWORD,
                                           "csrf_token": token(client)})
    assert response.status_code == 302, role
    return client


def _rule(app, endpoint: str):
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)


def test_another_agency_reads_none_of_this_agencys_objects(demo, relative):
    """A sibling or a unit reads nothing of this agency; its parent's executives read, and only read."""
    ids, home, _other, relation = relative
    checked = 0
    for role in ROLE_USERS:
        client = _sibling(demo, role)
        for endpoint, expected in GET_MATRIX.items():
            rule = _rule(demo, endpoint)
            if expected[role] != 200 or not any(part in rule.rule for part in OWNED):
                continue
            response = client.get(_url(demo, endpoint, ids))
            response.close()
            wanted = 200 if _reads_here(relation, role) else 404
            assert response.status_code == wanted, (relation, endpoint, role, response.status_code)
            checked += 1
    assert checked >= 40


@pytest.mark.parametrize("path, kind", [("/", "steps"), ("/measures", "measures"), ("/rounds", "rounds"),
                                        ("/approvals", "steps"), ("/dashboard", "steps"), ("/reports", "cycles")])
def test_a_siblings_lists_hold_only_its_own_rows(demo, two_agencies, path, kind):
    _ids, home, other = two_agencies
    role = "secretariat"
    page = _sibling(demo, role).get(path).get_data(as_text=True)
    linked = {int(n) for n in re.findall(r'href="/(?:steps|measures|rounds|cycles)/(\d+)', page)}
    mine = {s for s in db.session.execute(select(Step.id).join(Measure).join(Cycle)
                                          .where(Cycle.agency_id == other.id)).scalars()}
    mine |= set(db.session.execute(select(Measure.id).join(Cycle).where(Cycle.agency_id == other.id)).scalars())
    mine |= set(db.session.execute(select(Round.id).join(Cycle).where(Cycle.agency_id == other.id)).scalars())
    mine |= set(db.session.execute(select(Cycle.id).where(Cycle.agency_id == other.id)).scalars())
    assert linked <= mine, (path, sorted(linked - mine))
    if kind in ("steps", "measures", "rounds") and path != "/approvals":
        assert linked, path  # the sibling sees its own


def test_another_agency_changes_nothing_here(demo, relative):
    """Not a sibling, not a unit, not the parent (which reads its units but never acts for them)."""
    ids, _home, _other, relation = relative
    clients = {role: _sibling(demo, role) for role in ROLE_USERS}
    before = counts()  # after the sign-ins, which are audited
    checked = 0
    for endpoint, allowed in POST_ALLOWED.items():
        rule = _rule(demo, endpoint)
        if not any(part in rule.rule for part in OWNED) or endpoint == "reports.revoke_token":
            continue
        for role in sorted(r for r in allowed if r is not None):
            client = clients[role]
            checked += 1
            target = {**ids, "step": ids["review"]} if endpoint in ("tasks.approve", "tasks.send_back") else ids
            response = client.post(_url(demo, endpoint, target),
                                   data={"csrf_token": token(client), "version": "1", "reason": "ลองแก้ของคนอื่น",
                                         "note": "x", "kind": "note", "text": "x", "minutes": "x",
                                         "roles": "admin", "active": "1", "published": "1", "public": "1",
                                         "group_id": str(ids["group"]), "director_id": str(ids["user"])})
            assert response.status_code == 404, (relation, endpoint, role, response.status_code)
    assert checked >= 14 and counts() == before


def test_the_api_of_a_sibling_sees_and_changes_nothing_here(demo, two_agencies):
    from workflow.people import tokens

    ids, home, other = two_agencies
    person = db.session.execute(select(User).where(User.agency_id == other.id, User.key == "juthamas")).scalar_one()
    _token, secret = tokens.create(person.id, "api", "sibling", now=clock.now())
    db.session.commit()
    api = demo.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    for path in (f"/api/v1/steps/{ids['step']}", f"/api/v1/measures/{ids['measure']}"):
        assert api.get(path, headers=headers).status_code == 404, path
    listed = {s["id"] for s in api.get("/api/v1/steps?limit=500", headers=headers).get_json()["items"]}
    assert listed and not listed & home["steps"]
    home_cycle = db.session.scalar(select(Cycle.id).where(Cycle.agency_id != other.id))
    assert api.get(f"/api/v1/measures?cycle_id={home_cycle}", headers=headers).get_json()["items"] == []
    assert api.get(f"/api/v1/rounds?cycle_id={home_cycle}", headers=headers).get_json()["items"] == []
    assert {c["id"] for c in api.get("/api/v1/cycles", headers=headers).get_json()["items"]} == {
        c for c in db.session.execute(select(Cycle.id).where(Cycle.agency_id == other.id)).scalars()}
    before = counts()
    for action, body in (("complete", {"version": 1}), ("approve", {"version": 1}),
                         ("send-back", {"version": 1, "reason": "x"})):
        step_id = ids["review"] if action != "complete" else ids["step"]
        response = api.post(f"/api/v1/steps/{step_id}/{action}", json=body, headers=headers)
        assert response.status_code == 404, (action, response.status_code)
    assert counts() == before


def test_a_change_in_another_agency_leaves_this_ones_kept_pages_and_chain_alone(demo, two_agencies):
    """Each agency has its own audit chain, and its head is the version of that agency's data: a sibling's
    change neither moves this agency's head nor makes its kept pages stale, and each chain verifies alone."""
    from tests.test_web import login
    from workflow import audit
    from workflow.engine import transitions
    from workflow.models import AuditHead

    _ids_, _home, other = two_agencies
    home = agencies.get("main")
    cache = demo.extensions["itaflow_pages"]
    staff = login(demo, "staff")
    staff.get("/")
    staff.get("/")
    home_head = db.session.get(AuditHead, home.id).last_seq
    theirs = db.session.execute(select(Step).join(Measure).join(Cycle).where(
        Cycle.agency_id == other.id, Step.state == "open", Step.kind == "task", Step.owner_user_id.is_not(None))
        .order_by(Step.id)).scalars().first()
    transitions.complete(theirs.id, actor_id=theirs.owner_user_id, now=clock.now(), expected_version=theirs.version)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AuditHead, home.id).last_seq == home_head  # not this agency's change
    assert db.session.get(AuditHead, other.id).last_seq > 0
    hits = cache.hits
    staff.get("/")
    assert cache.hits == hits + 1  # the kept page is still this agency's current data
    assert audit.verify(home.id) == [] and audit.verify(other.id) == [] and audit.verify() == []


def test_verify_names_the_agency_whose_chain_was_tampered_with(demo, two_agencies):
    from sqlalchemy import text

    from workflow import audit
    from workflow.models import AuditEvent

    _ids_, _home, other = two_agencies
    home = agencies.get("main")
    victim = db.session.scalar(select(AuditEvent.id).where(AuditEvent.chain == other.id, AuditEvent.seq == 3))
    db.session.execute(text("UPDATE audit_event SET note = 'แก้ย้อนหลัง' WHERE id = :id"), {"id": victim})
    db.session.commit()
    assert audit.verify(home.id) == []
    problems = audit.verify()
    assert [(p.chain, p.kind, p.seq) for p in problems] == [(other.id, "edited", 3)]
    # a whole chain deleted, head and all, is missed too: the agency is there, its first event is not
    db.session.execute(text("DELETE FROM audit_event WHERE chain = :c"), {"c": home.id})
    db.session.execute(text("DELETE FROM audit_head WHERE id = :c"), {"c": home.id})
    db.session.commit()
    assert [(p.chain, p.kind) for p in audit.verify(home.id)] == [(home.id, "chain_missing")]


def test_the_step_pages_choices_name_only_this_agencys_groups_and_people(demo, two_agencies):
    """The secretariat's reassign form lists the groups and people it may choose: its own agency's only."""
    _ids_, _home, other = two_agencies
    client = _sibling(demo, "secretariat")
    theirs = db.session.execute(select(Step).join(Measure).join(Cycle).where(
        Cycle.agency_id == other.id, Step.state == "open", Step.kind == "task")).scalars().first()
    page = client.get(f"/steps/{theirs.id}").get_data(as_text=True)
    from workflow.models import Group

    for field, model in (("group", Group), ("user", User)):
        offered = {int(n) for n in re.findall(rf'<option value="{field}:(\d+)"', page)}
        mine = set(db.session.execute(select(model.id).where(model.agency_id == other.id)).scalars())
        assert offered and offered <= mine, field


def test_a_round_report_and_a_period_end_reach_only_this_agencys_people(demo, two_agencies):
    """The round's report goes to this agency's secretariat and executives, the end of a measure's period to
    its own secretariat: never to a sibling's (the readers were once picked by role alone)."""
    from workflow.calendar import WorkingCalendar
    from workflow.engine import rounds
    from workflow.models import OutboxMessage, Round, Timer
    from workflow.operations.sweep import HANDLERS

    _ids_, _home, other = two_agencies
    home = agencies.get("main")
    theirs = {u.id for u in db.session.execute(select(User).where(User.agency_id == other.id)).scalars()}
    rnd = db.session.execute(select(Round).join(Cycle).where(Cycle.agency_id == home.id)).scalars().first()
    rounds.report_round(rnd.id, clock.now())
    measure = db.session.execute(select(Measure).join(Cycle).where(Cycle.agency_id == home.id,
                                                                   Measure.state != "done")).scalars().first()
    timer = Timer(kind="period_end", fire_at=clock.now(), target_type="measure", target_id=measure.id, payload={})
    HANDLERS["period_end"](timer, clock.now(), WorkingCalendar())
    db.session.flush()
    sent = db.session.execute(select(OutboxMessage).where(OutboxMessage.event.in_(("round_report", "period_end")))
                              ).scalars().all()
    assert {m.event for m in sent} == {"round_report", "period_end"}
    assert not {m.recipient_id for m in sent} & theirs
