"""Pages kept in memory (web/pagecache.py): served again only while nothing changed, never across people or
sessions, never with someone else's flash message, and never to a session that has ended."""

from __future__ import annotations

from tests.conftest import step, user
from tests.test_web import login, token
from workflow import clock
from workflow.db import db
from workflow.engine import transitions


def pages(app):
    return app.extensions["itaflow_pages"]


def test_a_reload_is_served_from_memory_until_anything_changes(demo):
    cache = pages(demo)
    staff = login(demo, "staff")
    first = staff.get("/").get_data(as_text=True)   # may set the CSRF secret: not kept
    staff.get("/")
    hits = cache.hits
    again = staff.get("/")
    assert cache.hits == hits + 1 and again.get_data(as_text=True) == first
    assert again.headers["Cache-Control"] == "private, no-store"
    assert again.headers["Content-Security-Policy"]
    s = step("1.1", 2) if step("1.1", 2).state == "open" else step("1.1", 3)
    assert f"/steps/{s.id}" in first
    # someone else finishes the step: the next reload is built afresh and no longer lists it
    transitions.complete(s.id, actor_id=user("kamonnapa").id, now=clock.now(), expected_version=s.version)
    db.session.commit()
    after = staff.get("/").get_data(as_text=True)
    assert f'href="/steps/{s.id}"' not in after


def test_people_and_sessions_never_share_a_page(demo):
    staff, other = login(demo, "staff"), login(demo, "other_staff")
    for client in (staff, other):
        client.get("/")
        client.get("/")
    mine, theirs = staff.get("/").get_data(as_text=True), other.get("/").get_data(as_text=True)
    assert mine != theirs
    assert token(staff) != token(other)
    # a second browser of the same person has its own CSRF secret, so its own page
    second = login(demo, "staff")
    second.get("/")
    page = second.get("/").get_data(as_text=True)
    assert page.split('name="csrf_token" value="')[1][:20] != mine.split('name="csrf_token" value="')[1][:20]


def test_a_flash_message_is_shown_once_and_never_kept(demo):
    staff = login(demo, "staff")
    staff.get("/")
    s = step("1.1", 2) if step("1.1", 2).state == "open" else step("1.1", 3)
    response = staff.post(f"/steps/{s.id}/done", data={"csrf_token": token(staff), "version": s.version})
    assert response.status_code == 303
    shown = staff.get("/").get_data(as_text=True)
    assert "บันทึกว่าเสร็จแล้ว" in shown
    assert "บันทึกว่าเสร็จแล้ว" not in staff.get("/").get_data(as_text=True)


def test_an_ended_session_gets_no_kept_page(demo):
    staff = login(demo, "staff")
    staff.get("/")
    staff.get("/")
    assert staff.get("/").status_code == 200
    u = user("hr-staff")
    u.active = False  # disabled by an admin (the admin page also writes the audit log; here it does not)
    db.session.commit()
    assert staff.get("/").status_code == 302
