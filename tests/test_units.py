"""A parent's admin adds a unit with its first admin, who sets their own password with the link e-mailed to
them; what may go wrong with that says so and writes nothing; a link works once, for a week, for its person."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.test_web import login, token
from workflow import clock
from workflow.db import db
from workflow.models import Agency, AuditEvent, OutboxMessage, User
from workflow.people import agencies, invitations

NEW = {"name": "โรงเรียนบ้านหนองแวง", "code": "nongwaeng", "kind": "school",
       "admin_name": "ครูสมศรี ใจดี", "admin_email": "somsri@school.example"}


def _written() -> tuple[int, int, int, int]:
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(t))  # type: ignore[return-value]
                 for t in (Agency, User, OutboxMessage, AuditEvent))


def _link(email: str) -> str:
    from workflow.channels.notify import render_message

    row = db.session.execute(select(OutboxMessage).where(OutboxMessage.to_email == email,
                                                         OutboxMessage.event == "invitation")
                             .order_by(OutboxMessage.id.desc())).scalars().first()
    assert row is not None, email
    text, html = render_message(row)
    link = re.search(r"https?://\S+/welcome/\S+", text).group(0)
    assert link in html and "ตั้งรหัสผ่าน" in row.subject + text
    return link.split("://", 1)[1].split("/", 1)[1]  # the path


def test_a_parent_admin_adds_a_unit_whose_admin_sets_a_password_and_signs_in(demo):
    admin = login(demo, "admin")
    assert admin.get("/units/new").status_code == 200
    response = admin.post("/units/new", data={**NEW, "csrf_token": token(admin)})
    assert response.status_code == 303, response.get_data(as_text=True)
    unit = agencies.get("nongwaeng")
    assert unit.parent.code == "main" and unit.kind == "school"
    first = db.session.execute(select(User).where(User.email == NEW["admin_email"])).scalar_one()
    assert first.agency_id == unit.id and first.roles == {"admin"} and first.password_hash is None
    actions = set(db.session.execute(select(AuditEvent.action).where(AuditEvent.chain == unit.id)).scalars())
    assert {"agency_added", "user_created", "invitation_sent"} <= actions

    path = "/" + _link(NEW["admin_email"])
    newcomer = demo.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and NEW["admin_name"] in page.get_data(as_text=True)
    differ = newcomer.post(path, data={"new": "ทุ่งกุลาร้องไห้2569", "again": "ทุ่งกุลาร้องไห้2568",
                                       "csrf_token": token(newcomer)})
    assert differ.status_code == 422 and "ไม่ตรงกัน" in differ.get_data(as_text=True)
    weak = newcomer.post(path, data={"new": "12345678", "again": "12345678", "csrf_token": token(newcomer)})
    assert weak.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, first.id).password_hash is None  # nothing written by either
    done = newcomer.post(path, data={"new": "ทุ่งกุลาร้องไห้2569", "again": "ทุ่งกุลาร้องไห้2569",
                                     "csrf_token": token(newcomer)})
    assert done.status_code == 303
    assert newcomer.get("/admin/").status_code == 200  # signed in, as the unit's admin
    assert newcomer.get(path).status_code == 410  # the link worked once
    again = demo.test_client()
    signed = again.post("/login", data={"email": NEW["admin_email"], "password": "ทุ่งกุลาร้องไห้2569",
                                        "csrf_token": token(again)})
    assert signed.status_code == 302
    # the unit's admin adds a unit of their own (a school's branch) but nothing above or beside it
    assert agencies.get("main").id not in {a.id for a, _ in _choices(again)}
    # the parent's admin may send the unit's admin a new link (the first expired), not its other people
    from workflow.people.users import add_user

    teacher = add_user(name="ครูสมชาย", email="somchai@school.example", roles=["staff"], actor_id=first.id,
                       now=clock.now(), agency_id=unit.id)
    db.session.commit()
    assert admin.post(f"/admin/users/{first.id}/invite", data={"csrf_token": token(admin)}).status_code == 303
    assert admin.post(f"/admin/users/{teacher.id}/invite", data={"csrf_token": token(admin)}).status_code == 404


def _choices(client):
    page = client.get("/units/new").get_data(as_text=True)
    ids = {int(n) for n in re.findall(r'<option value="(\d+)"', page)}
    return [(a, 0) for a in db.session.execute(select(Agency).where(Agency.id.in_(ids))).scalars()]


@pytest.mark.parametrize("change, words", [
    ({"code": "main"}, "มีหน่วยงานรหัส"),
    ({"code": "ไทย"}, "ไม่ถูกต้อง"),
    ({"name": "  "}, "ชื่อหน่วยงาน"),
    ({"kind": "castle"}, "ประเภท"),
    ({"admin_email": "admin@demo.itaflow.test"}, "มีผู้ใช้แล้ว"),  # someone's already, in this agency
    ({"admin_email": "not-an-address"}, "ไม่ถูกต้อง"),
    ({"admin_name": ""}, "ผู้ดูแลระบบคนแรก"),
])
def test_bad_input_says_what_to_fix_keeps_the_form_and_writes_nothing(demo, change, words):
    admin = login(demo, "admin")
    before = _written()
    response = admin.post("/units/new", data={**NEW, **change, "csrf_token": token(admin)})
    page = response.get_data(as_text=True)
    alert = re.search(r'role="alert">([^<]*)<', page)
    assert response.status_code == 422 and alert and words in alert.group(1), page[:2000]
    assert NEW["admin_name"] in page or not change.get("admin_name", True)  # what was typed is kept
    assert _written() == before


def test_no_one_adds_a_unit_under_an_agency_they_do_not_govern(demo):
    now = clock.now()
    agencies.add("other", "หน่วยงานข้างเคียง", actor_id=None, now=now)
    db.session.commit()
    sibling = agencies.get("other")
    admin = login(demo, "admin")
    before = _written()  # after the sign-in, which is audited
    response = admin.post("/units/new", data={**NEW, "parent_id": str(sibling.id), "csrf_token": token(admin)})
    assert response.status_code == 404 and _written() == before
    for role in ("staff", "secretariat", "executive"):
        client = login(demo, role)
        assert client.post("/units/new", data={**NEW, "csrf_token": token(client)}).status_code == 403
    assert _written()[:3] == before[:3]


def test_a_link_stops_working_after_a_week_when_tampered_with_or_when_the_account_is_disabled(demo):
    from workflow.errors import ValidationError

    person = db.session.execute(select(User).where(User.email == "admin@demo.itaflow.test")).scalar_one()
    now = clock.now()
    secret = invitations.make_link(person, now).rsplit("/", 1)[1]
    assert invitations.holder(secret, now + timedelta(days=6, hours=23)).id == person.id
    for when, text in ((now + timedelta(days=7, seconds=1), secret), (now - timedelta(minutes=1), secret),
                       (now, secret[:-2] + ("A" if secret[-2] != "A" else "B") + secret[-1]), (now, "x")):
        with pytest.raises(ValidationError):
            invitations.holder(text, when)
    person.active = False
    db.session.flush()
    with pytest.raises(ValidationError):
        invitations.holder(secret, now)
    db.session.rollback()


def test_an_admin_sends_a_link_to_their_own_people_only(demo):
    admin = login(demo, "admin")
    mine = db.session.execute(select(User).where(User.email == "hr-staff@demo.itaflow.test")).scalar_one()
    response = admin.post(f"/admin/users/{mine.id}/invite", data={"csrf_token": token(admin)})
    assert response.status_code == 303
    assert _link(mine.email)
    now = clock.now()
    agencies.add("other", "หน่วยงานข้างเคียง", actor_id=None, now=now)
    from workflow.people.users import add_user

    theirs = add_user(name="คนของที่อื่น", email="them@other.example", roles=["staff"], actor_id=None, now=now,
                      agency_id=agencies.get("other").id)
    db.session.commit()
    before = _written()
    assert admin.post(f"/admin/users/{theirs.id}/invite", data={"csrf_token": token(admin)}).status_code == 404
    assert _written() == before
    # nor does this admin's outbox page list the other agency's mail
    invitations.invite(theirs.id, actor_id=None, now=now)
    db.session.commit()
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "them@other.example" not in page and mine.email in page
