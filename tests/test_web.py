"""The web app through Flask's test client: every route for every role, sign-in and sessions, CSRF,
uploads, bad input and double submissions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, step, user
from workflow.db import db
from workflow.models import AuditEvent, Evidence, OutboxMessage, Step

ROLE_USERS = {"staff": "hr-staff@demo.itaflow.test", "other_staff": "pannee@demo.itaflow.test",
              "director": "dir-admin@demo.itaflow.test", "secretariat": "juthamas@demo.itaflow.test",
              "executive": "amporn@demo.itaflow.test", "admin": "admin@demo.itaflow.test"}


def token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(app, role: str | None):
    client = app.test_client()
    if role is None:
        return client
    response = client.post("/login", data={"email": ROLE_USERS[role], "password": PASSWORD,
                                           "csrf_token": token(client)})
    assert response.status_code == 302, (role, response.status_code)
    return client


def counts():
    db.session.rollback()
    return {t.__tablename__: db.session.scalar(select(func.count()).select_from(t))
            for t in (Step, AuditEvent, OutboxMessage, Evidence)}, \
        [(s.id, s.state, s.version) for s in db.session.execute(select(Step).order_by(Step.id)).scalars()]


# expected GET status by endpoint and role; "*" is every signed-in role
ALL = {"staff": 200, "other_staff": 200, "director": 200, "secretariat": 200, "executive": 200, "admin": 200}
READERS = {"staff": 403, "other_staff": 403, "director": 403, "secretariat": 200, "executive": 200, "admin": 200}
EDITORS = {"staff": 403, "other_staff": 403, "director": 403, "secretariat": 200, "executive": 403, "admin": 200}
ADMIN = {"staff": 403, "other_staff": 403, "director": 403, "secretariat": 403, "executive": 403, "admin": 200}
GET_MATRIX = {
    "auth.login": ({None: 200} | ALL),
    "healthz": ({None: 200} | ALL),
    # the suite's database is made by create_all, not the migrations: never at the head (tests/test_metrics.py)
    "readyz": ({None: 503} | {r: 503 for r in ALL}),
    "metrics": ({None: 200} | ALL),  # the test client comes from 127.0.0.1, on the default allow list
    "auth.password": ({None: 302} | ALL),
    "auth.profile": ({None: 302} | ALL),
    # the second step of a sign-in, and setting one up at sign-in: nothing there without a password just typed
    "twofactor.verify": ({None: 302} | {r: 302 for r in ALL}),
    "twofactor.setup": ({None: 302} | {r: 302 for r in ALL}),
    "twofactor.settings": ({None: 302} | ALL),
    "twofactor.totp": ({None: 302} | ALL),
    "twofactor.show_codes": ({None: 302} | {r: 302 for r in ALL}),  # the codes were shown once already
    "tasks.my_steps": ({None: 302} | ALL),
    "tasks.step_page": ({None: 302} | ALL),
    "tasks.download": ({None: 302} | {"staff": 200, "other_staff": 403, "director": 403, "secretariat": 200,
                                      "executive": 200, "admin": 200}),
    "approvals.queue": ({None: 302} | ALL),
    "measures.measures": ({None: 302} | ALL),
    "measures.measure": ({None: 302} | ALL),
    "measures.rounds": ({None: 302} | ALL),
    "measures.round_page": ({None: 302} | ALL),
    "measures.dashboard": ({None: 302} | READERS),
    "measures.audit_log": ({None: 302} | READERS),
    "absences.index": ({None: 302} | ALL),
    "admin.index": ({None: 302} | ADMIN),
    "admin.definitions": ({None: 302} | ADMIN),
    "admin.mail": ({None: 302} | ADMIN),
    "admin.frameworks_page": ({None: 302} | ADMIN),
    "admin.system": ({None: 302} | ADMIN),  # the demo office is at the top of its tree
    "admin.import_memo": ({None: 302} | ADMIN | {"admin": 301}),  # moved to the measures editor
    "editor.index": ({None: 302} | EDITORS),
    "editor.import_memo": ({None: 302} | EDITORS),
    "editor.draft": ({None: 302} | EDITORS),
    "editor.download": ({None: 302} | EDITORS),
    "editor.measure": ({None: 302} | EDITORS),
    "mapping.show": ({None: 302} | EDITORS),
    # a memo being read: the matrix's import id is made up (not found), a blank draft has no page images
    "memoimports.show": ({None: 302} | EDITORS | {"secretariat": 404, "admin": 404}),
    "memoimports.status": ({None: 302} | EDITORS | {"secretariat": 404, "admin": 404}),
    "memoimports.page_image": ({None: 302} | EDITORS | {"secretariat": 404, "admin": 404}),
    "admin.outbox": ({None: 302} | ADMIN | {"secretariat": 200}),
    "line.settings": ({None: 302} | ADMIN),
    "reports.index": ({None: 302} | ALL),
    # a parent's roll-up: for its supervisors, executives and admins; the demo office has no units of its own,
    # and its own code is not one of its units (404)
    "rollup.index": ({None: 302} | ADMIN | {"executive": 200}),
    "rollup.export": ({None: 302} | ADMIN | {"executive": 200}),
    "rollup.unit": ({None: 302} | ADMIN | {"executive": 404, "admin": 404}),
    "rollup.new_unit": ({None: 302} | ADMIN),
    # a link that is not one (the matrix's secret is made up): gone, for anyone
    "auth.welcome": ({None: 410} | {r: 410 for r in ALL}),
    "reports.cycle_pdf": ({None: 302} | ALL),
    "reports.round_pdf": ({None: 302} | ALL),
    "reports.export": ({None: 302} | ALL),
    "reports.answer_sheet": ({None: 302} | READERS),
    "reports.answer_sheet_file": ({None: 302} | READERS),
    "reports.token_list": ({None: 302} | ALL),
    # the cycle is not published (the default), and the feed's secret is wrong: nothing there for anyone
    "public.cycle_page": ({None: 404} | {r: 404 for r in ALL}),
    "public.cycle_pdf": ({None: 404} | {r: 404 for r in ALL}),
    "public.evidence_file": ({None: 404} | {r: 404 for r in ALL}),
    "public.published_list": ({None: 404} | {r: 404 for r in ALL}),
    "public.agency_list": ({None: 404} | {r: 404 for r in ALL}),
    "public.agency_latest": ({None: 404} | {r: 404 for r in ALL}),
    "public.ics_feed": ({None: 404} | {r: 404 for r in ALL}),
    "public.item_page": ({None: 404} | {r: 404 for r in ALL}),
    # an agency's own sign-in page; a provider the deployment does not have (none here): not found
    "sso.agency_login": ({None: 200} | ALL),
    "sso.start": ({None: 404} | {r: 404 for r in ALL}),
    "sso.callback": ({None: 404} | {r: 404 for r in ALL}),
    "sso.admin_page": ({None: 302} | ADMIN),
}
# POST endpoints: who may act (others get 403 or, for a step they may not touch, 403), never a 500
POST_ALLOWED = {
    "auth.login": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "auth.logout": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "auth.password": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "auth.profile": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    # public: they answer only between a password and its second factor (tests/test_second_factor.py)
    "twofactor.verify": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.passkey_options": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.passkey_verify": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.setup": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.setup_passkey_options": {None, "staff", "other_staff", "director", "secretariat", "executive",
                                        "admin"},
    "twofactor.setup_passkey": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.totp": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.remove_totp": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.renew_codes": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.passkey_register_options": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.passkey_register": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.remove_passkey": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "twofactor.policy": {"admin"},
    "twofactor.reset": {"admin"},
    "tasks.complete": {"staff", "secretariat"},  # the step is กลุ่มบริหารงานบุคคล's; the secretariat is a member
    "tasks.add_evidence": {"staff", "secretariat"},
    "tasks.approve": {"director"},
    "tasks.send_back": {"director"},
    "tasks.reopen": {"secretariat"},
    "tasks.reassign": {"secretariat"},
    "tasks.move_due": {"secretariat"},
    "tasks.remove_step": {"secretariat"},
    "tasks.replace_evidence": {"staff", "secretariat"},
    "tasks.withdraw_evidence": {"staff", "secretariat"},
    "measures.add_step": {"secretariat"},
    "approvals.bulk_approve": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "measures.round_page": {"secretariat"},
    "absences.record": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},  # one's own
    "absences.cancel": {"admin"},  # kamonnapa's: she or her admin
    "admin.create_user": {"admin"},
    "admin.update_user": {"admin"},
    "admin.invite_user": {"admin"},
    "rollup.new_unit": {"admin"},
    "auth.welcome": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "admin.update_group": {"admin"},
    "admin.emblem": {"admin"},
    "admin.frameworks_page": {"admin"},
    "admin.use_framework": {"admin"},
    "admin.definitions": {"admin"},
    "editor.create": {"secretariat", "admin"},
    "editor.next_year": {"secretariat", "admin"},
    "editor.import_memo": {"secretariat", "admin"},
    "editor.heading": {"secretariat", "admin"},
    "editor.add_group": {"secretariat", "admin"},
    "editor.add_person": {"secretariat", "admin"},
    "editor.save_measure": {"secretariat", "admin"},
    "editor.confirm": {"secretariat", "admin"},
    "editor.discard": {"secretariat", "admin"},
    "editor.person": {"secretariat", "admin"},
    "editor.director": {"secretariat", "admin"},
    "mapping.answer": {"secretariat", "admin"},
    "mapping.place": {"secretariat", "admin"},
    "memoimports.dismiss": {"secretariat", "admin"},
    "reports.publish": {"admin"},
    "reports.sign_answer_sheet": {"executive"},
    "reports.plan_oit_work": {"secretariat"},
    "reports.check_answer_sheet": {"secretariat", "admin"},
    "reports.evidence_item": {"secretariat", "admin"},
    "reports.evidence_public": {"secretariat", "admin"},
    "reports.token_list": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "reports.revoke_token": {"admin"},  # the token is the admin's: for anyone else it does not exist (404)
    "i18n.switch": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "line.save": {"admin"},
    "line.bind": {"admin"},
    "line.link": {"staff", "other_staff", "director", "secretariat", "executive", "admin"},  # a wrong code: 422
    "line.unbind": {"admin"},  # a group bound to the agency: only its admin unbinds it
    # LINE's webhook: no session, no CSRF token, a signature instead (tests/test_line.py)
    "line.webhook": {None, "staff", "other_staff", "director", "secretariat", "executive", "admin"},
    "sso.admin_providers": {"admin"},
    "sso.admin_required": {"admin"},
    "sso.admin_person": {"admin"},
}
DENIED_STATUS = {"reports.revoke_token": 404}
#: the sign-in's second step: with no password just typed they send one back to sign in (302, or 401 to a script)
PENDING_ONLY = {"twofactor.verify", "twofactor.passkey_options", "twofactor.passkey_verify", "twofactor.setup",
                "twofactor.setup_passkey_options", "twofactor.setup_passkey"}


def _url(app, endpoint: str, ids: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    path = re.sub(r"<any\(([a-z]+)[^>]*>", r"\1", rule.rule)  # <any(measures, progress):kind> -> measures
    path = path.replace("<int:cycle_id>", str(ids["cycle"])).replace("<int:token_id>", str(ids["token"])) \
        .replace("<secret>", "cal_not-a-real-secret").replace("<code>", ids.get("unit", "main")) \
        .replace("<int:year>", "2569").replace("<item>", "O25")
    return path.replace("<int:step_id>", str(ids["step"])).replace("<int:measure_id>", str(ids["measure"])) \
        .replace("<int:round_id>", str(ids["round"])).replace("<int:evidence_id>", str(ids["evidence"])) \
        .replace("<int:user_id>", str(ids["user"])).replace("<int:group_id>", str(ids["group"])) \
        .replace("<int:draft_id>", str(ids["draft"])).replace("<int:position>", "1").replace("<int:target_id>", "1") \
        .replace("<int:import_id>", "999999").replace("<int:number>", "1").replace("<int:passkey_id>", "1") \
        .replace("<provider>", "none").replace("<int:absence_id>", str(ids.get("absence", 1)))


def test_every_route_declares_its_access_and_is_in_the_matrix(demo):
    for rule in demo.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = demo.view_functions[rule.endpoint]
        assert getattr(view, "public", False) or getattr(view, "login_required", False) \
            or getattr(view, "api_token_required", False), f"{rule.endpoint} has no access check"
        if rule.endpoint.startswith("api."):
            continue  # the API has its own matrix (tests/test_api.py)
        if "GET" in rule.methods:
            assert rule.endpoint in GET_MATRIX, f"{rule.endpoint} (GET) is missing from the route matrix"
        if "POST" in rule.methods:
            assert rule.endpoint in POST_ALLOWED, f"{rule.endpoint} (POST) is missing from the route matrix"


def _ids():
    from workflow import clock
    from workflow.models import Group, Measure, Round
    from workflow.publishing import evidence as evidence_service

    s = step("1.1", 3) if step("1.1", 2).state != "open" else step("1.1", 2)
    ev = evidence_service.add_file(s.id, actor_id=user("hr-staff").id, now=clock.now(), filename="แผน.pdf",
                                   data=b"%PDF-1.4 test")
    db.session.commit()
    from workflow.models import Cycle
    from workflow.people import tokens

    admin_token, _ = tokens.create(user("admin").id, "api", "matrix", now=clock.now())
    from workflow.onboarding import drafts

    draft = drafts.blank(actor_id=user("admin").id, now=clock.now(), fiscal_year=2569)
    _line_rows(user("admin").agency_id, clock.now())
    from workflow.engine import absences
    from workflow.thaidate import bangkok_today

    away = absences.record(actor_id=user("admin").id, user_id=user("kamonnapa").id,
                           starts_on=bangkok_today(clock.now()), ends_on=bangkok_today(clock.now()),
                           acting_user_id=user("juthamas").id, now=clock.now())
    db.session.commit()
    return {"step": s.id, "measure": db.session.scalar(select(Measure.id).limit(1)),
            "cycle": db.session.scalar(select(Cycle.id).limit(1)), "token": admin_token.id,
            "round": db.session.scalar(select(Round.id).limit(1)), "evidence": ev.id,
            "user": user("kamonnapa").id, "group": db.session.scalar(select(Group.id).limit(1)),
            "review": step("1.5", 3).id, "draft": draft.id, "absence": away.id}


def _line_rows(agency_id: int, now) -> None:
    """A LINE channel with a group bound and one waiting for its code, written as rows (no call to LINE), so
    the LINE page shows all it can."""
    from workflow.models import LineChannel, LineTarget

    db.session.add(LineChannel(agency_id=agency_id, access_token="matrix-token", channel_secret="s" * 32,
                               bot_user_id="U" + "f" * 32, bot_name="ITA", immediate=["round_report"],
                               updated_at=now))
    db.session.add_all([LineTarget(agency_id=agency_id, kind="group", line_id="C" + "1" * 32, state="bound",
                                   created_at=now, bound_at=now),
                        LineTarget(agency_id=agency_id, kind="group", line_id="C" + "2" * 32, state="pending",
                                   created_at=now, code_hash="0" * 64, code_expires_at=now)])


def test_get_routes_for_every_role(demo):
    ids = _ids()
    for role in [None, *ROLE_USERS]:
        client = login(demo, role)
        for endpoint, expected in GET_MATRIX.items():
            response = client.get(_url(demo, endpoint, ids))
            response.close()  # file downloads stream: close them
            assert response.status_code == expected[role], (endpoint, role, response.status_code)


def test_post_routes_for_every_role(demo):
    ids = _ids()
    clients = {role: login(demo, role) for role in [None, *ROLE_USERS]}
    for endpoint, allowed in POST_ALLOWED.items():
        if endpoint in ("auth.login", "auth.logout", "line.webhook", "memoimports.dismiss") or endpoint in PENDING_ONLY:
            continue  # (a memo import's dismissal: tests/test_memo_imports.py, on a real import)
        for role, client in clients.items():
            target = {**ids, "step": ids["review"]} if endpoint in ("tasks.approve", "tasks.send_back") else ids
            url = _url(demo, endpoint, target)
            # no token: refused before anything runs
            assert client.post(url, data={}).status_code == 400, (endpoint, role)
            response = client.post(url, data={"csrf_token": token(client), "version": "999"})
            if role is None and role not in allowed:
                assert response.status_code == 302, (endpoint, role)
            elif role in allowed:
                assert response.status_code in (200, 303, 400, 409, 410, 422), (endpoint, role, response.status_code)
                db.session.rollback()
            else:
                assert response.status_code == DENIED_STATUS.get(endpoint, 403), \
                    (endpoint, role, response.status_code)


def test_login_session_and_logout(demo):
    client = demo.test_client()
    tok = token(client)
    bad = client.post("/login", data={"email": ROLE_USERS["staff"], "password": "wrong-password", "csrf_token": tok})
    assert bad.status_code == 401 and "ไม่ถูกต้อง" in bad.get_data(as_text=True)
    before = client.get_cookie("itaflow_session").value
    ok = client.post("/login?next=//evil.example/x", data={"email": ROLE_USERS["staff"], "password": PASSWORD,
                                                           "csrf_token": token(client)})
    assert ok.status_code == 302 and ok.location == "/"  # no open redirect
    cookie = client.get_cookie("itaflow_session")
    assert cookie.value != before and cookie.http_only and cookie.same_site == "Lax"
    other = login(demo, "staff")
    assert other.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                         client.get("/").get_data(as_text=True)).group(1)})
    assert client.get("/").status_code == 302
    assert other.get("/").status_code == 302  # logout ended the user's other sessions
    actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert {"login", "login_failed", "logout"} <= set(actions)


def test_sign_in_rehashes_a_password_stored_with_other_parameters(demo, monkeypatch):
    from argon2 import PasswordHasher

    from workflow.people import users

    stored = user("admin").password_hash  # made by the suite's cheap hasher (conftest)
    monkeypatch.setattr(users, "hasher", PasswordHasher())  # the production parameters
    login(demo, "admin")
    db.session.expire_all()
    rehashed = user("admin").password_hash
    assert rehashed != stored and rehashed.startswith("$argon2id$") and not users.hasher.check_needs_rehash(rehashed)


def test_disabled_account_loses_its_sessions(demo):
    client = login(demo, "staff")
    u = user("hr-staff")
    u.active = False
    u.session_version += 1
    db.session.commit()
    assert client.get("/").status_code == 302


def test_login_is_throttled(demo):
    client = demo.test_client()
    statuses = [client.post("/login", data={"email": "x@example.org", "password": "nope-nope",
                                            "csrf_token": token(client)}).status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429


def test_security_headers(demo):
    response = demo.test_client().get("/login")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_complete_with_evidence_and_double_submission(demo):
    client = login(demo, "staff")
    s = step("1.1", 2)
    page = client.get(f"/steps/{s.id}").get_data(as_text=True)
    assert "ทำเครื่องหมายว่าเสร็จ" in page
    tok = token(client)
    r = client.post(f"/steps/{s.id}/evidence", data={"csrf_token": tok, "kind": "note", "text": "แต่งตั้งแล้ว"})
    assert r.status_code == 303
    form = {"csrf_token": tok, "version": str(step("1.1", 2).version)}
    assert client.post(f"/steps/{s.id}/done", data=form).status_code == 303
    state, _ = counts()
    again = client.post(f"/steps/{s.id}/done", data=form, follow_redirects=True)
    assert again.status_code == 200 and "ถูกเปลี่ยนโดยผู้อื่น" in again.get_data(as_text=True)
    assert counts()[0] == state  # the second submission changed nothing
    assert step("1.1", 2).state == "done" and step("1.1", 3).state == "open"


def test_send_back_shows_the_reason_to_the_owner(demo):
    director = login(demo, "director")
    review = step("1.5", 3)
    tok = token(director)
    empty = director.post(f"/steps/{review.id}/send-back", data={"csrf_token": tok, "version": review.version,
                                                                "reason": "  "}, follow_redirects=True)
    assert "กรุณาระบุเหตุผล" in empty.get_data(as_text=True) and step("1.5", 3).state == "open"
    director.post(f"/steps/{review.id}/send-back", data={"csrf_token": tok, "version": review.version,
                                                        "reason": "ยอดรวมไตรมาส ๒ ไม่ตรง"})
    owner = login(demo, "other_staff")  # pannee, the named officer of 1.5
    mine = owner.get("/").get_data(as_text=True)
    assert "ยอดรวมไตรมาส ๒ ไม่ตรง" in mine


def test_bulk_approve(demo):
    director = login(demo, "director")
    review = step("1.5", 3)
    page = director.get("/approvals").get_data(as_text=True)
    assert "ขั้นตอนที่ ๓" in page
    r = director.post("/approvals/bulk", data={"csrf_token": token(director), "step": [str(review.id)],
                                               f"version-{review.id}": str(review.version)}, follow_redirects=True)
    assert "อนุมัติแล้ว 1 รายการ" in r.get_data(as_text=True)
    assert step("1.5", 3).state == "done"


@pytest.mark.parametrize("filename, data, message", [
    ("virus.exe", b"MZ\x90\x00", "ไฟล์ชนิดนี้แนบไม่ได้"),
    ("fake.pdf", b"<html>not a pdf</html>", "เนื้อหาไฟล์ไม่ใช่ .pdf จริง"),
    ("empty.pdf", b"", "ไฟล์ว่าง"),
])
def test_bad_uploads_change_nothing(demo, filename, data, message):
    import io

    client = login(demo, "staff")
    s = step("1.1", 2)
    before = counts()
    r = client.post(f"/steps/{s.id}/evidence", data={"csrf_token": token(client), "kind": "file",
                                                      "file": (io.BytesIO(data), filename)},
                    content_type="multipart/form-data", follow_redirects=True)
    assert r.status_code == 200 and message in r.get_data(as_text=True)
    assert counts() == before


def test_oversized_upload_is_413(demo):
    client = login(demo, "staff")
    s = step("1.1", 2)
    before = counts()
    body = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\r\n%PDF-" + \
        b"0" * (13 * 1024 * 1024) + b"\r\n--x--\r\n"
    r = client.post(f"/steps/{s.id}/evidence", data=body, content_type="multipart/form-data; boundary=x")
    r.close()
    assert r.status_code == 413 and "ไฟล์ใหญ่เกินกำหนด" in r.get_data(as_text=True)
    assert counts() == before


def test_upload_is_stored_outside_static_and_served_as_attachment(demo):
    import io

    client = login(demo, "staff")
    s = step("1.1", 2)
    client.post(f"/steps/{s.id}/evidence", data={"csrf_token": token(client), "kind": "file",
                                                  "file": (io.BytesIO(b"%PDF-1.7 report"), "../../รายงาน.pdf")},
                content_type="multipart/form-data")
    ev = db.session.execute(select(Evidence)).scalar_one()
    assert ev.filename == "รายงาน.pdf" and ev.stored_name != ev.filename and "/" not in ev.stored_name
    r = client.get(f"/evidence/{ev.id}")
    assert r.status_code == 200 and r.data == b"%PDF-1.7 report"
    assert r.headers["Content-Disposition"].startswith("attachment")
    r.close()
    assert login(demo, "other_staff").get(f"/evidence/{ev.id}").status_code == 403


@pytest.mark.parametrize("path", ["/steps/999999", "/steps/abc", "/measures/0", "/rounds/999", "/evidence/5",
                                  "/cycles/999/measures.pdf", "/cycles/1/other.pdf", "/rounds/999/report.pdf",
                                  "/cycles/999/export.xlsx", "/cycles/1/export.ods", "/p/999", "/ics/x.ics",
                                  # beyond what the database holds: no route, not an overflow (500)
                                  "/p/99999999999999999999", "/steps/99999999999999999999", "/measures/2147483648",
                                  "/rounds/99999999999999999999", "/evidence/99999999999999999999",
                                  "/p/evidence/99999999999999999999"])
def test_unknown_ids_are_404(demo, path):
    assert login(demo, "secretariat").get(path).status_code == 404


def test_definitions_upload_shows_errors_by_line_and_writes_nothing(demo):
    import io

    client = login(demo, "admin")
    before = counts()
    r = client.post("/admin/definitions", data={"csrf_token": token(client), "confirm": "1",
                                                "file": (io.BytesIO(b"agency: x\nfiscal_year: 2567\nmeasures:\n"
                                                                    b"  - code: '9.9'\n    title: [broken\n"),
                                                         "bad.yaml")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "บรรทัด" in r.get_data(as_text=True)
    assert counts() == before


def test_round_minutes_by_the_secretariat(demo):
    from workflow.models import Round

    rnd = db.session.execute(select(Round).order_by(Round.number)).scalars().first()
    client = login(demo, "secretariat")
    r = client.post(f"/rounds/{rnd.id}", data={"csrf_token": token(client), "minutes": "ที่ประชุมรับทราบ",
                                               "attendance": "นางจุฑามาศ ช่อคง\nนายสมชาย ใจดี"})
    assert r.status_code == 303
    db.session.refresh(rnd)
    assert rnd.status == "held" and rnd.attendance == ["นางจุฑามาศ ช่อคง", "นายสมชาย ใจดี"]
    empty = client.post(f"/rounds/{rnd.id}", data={"csrf_token": token(client), "minutes": ""})
    assert empty.status_code == 400


def test_secretariat_reassigns_a_step(demo):
    client = login(demo, "secretariat")
    s = step("1.1", 2)
    page = client.get(f"/steps/{s.id}").get_data(as_text=True)
    assert "มอบหมายใหม่" in page
    r = client.post(f"/steps/{s.id}/reassign", data={"csrf_token": token(client), "version": s.version,
                                                     "owner": f"user:{user('kamonnapa').id}"},
                    follow_redirects=True)
    assert "มอบหมายผู้รับผิดชอบใหม่แล้ว" in r.get_data(as_text=True)
    moved = step("1.1", 2)
    assert moved.owner_user_id == user("kamonnapa").id and moved.owner_group_id is None  # saved as chosen
    # the page now offers the person chosen, not the group as well
    page = client.get(f"/steps/{s.id}").get_data(as_text=True)
    assert re.findall(r'<option value="(\w+:\d+)" selected', page) == [f"user:{user('kamonnapa').id}"]
    both = client.post(f"/steps/{s.id}/reassign", data={"csrf_token": token(client), "version": moved.version,
                                                        "user_id": user("pannee").id,
                                                        "group_id": user("pannee").group_id})
    assert both.status_code == 303 and step("1.1", 2).owner_user_id == user("kamonnapa").id  # refused
    staff = login(demo, "staff")
    assert "มอบหมายใหม่ (ฝ่ายเลขานุการ)" not in staff.get(f"/steps/{s.id}").get_data(as_text=True)


def test_password_change_policy(demo):
    client = login(demo, "staff")
    r = client.post("/password", data={"csrf_token": token(client), "current": PASSWORD, "new": "password",
                                       "again": "password"})
    assert r.status_code == 400 and "รหัสผ่าน" in r.get_data(as_text=True)
    long_phrase = "ฝนตกที่ร้อยเอ็ด แต่งานไม่เคยเลยกำหนด " * 3
    ok = client.post("/password", data={"csrf_token": token(client), "current": PASSWORD, "new": long_phrase,
                                        "again": long_phrase})
    assert ok.status_code == 302


def test_the_old_import_address_leads_to_the_measures_editor(demo):
    """Importing lands in the editor now (tests/test_editor.py); a bookmark of the old page still works."""
    r = login(demo, "admin").get("/admin/import")
    assert r.status_code == 301 and r.headers["Location"].endswith("/drafts/import")


def test_navigation_count_matches_my_steps(demo):
    """The count is a UNION of two index ranges; it must equal the list it counts (named and group steps)."""
    from workflow.engine import queries
    from workflow.models import User

    for person in db.session.execute(select(User)).scalars():
        assert queries.count_my_open_steps(person) == len(queries.my_open_steps(person, limit=1000)), person.key
    assert queries.count_my_open_steps(user("pannee")) > 0


def test_digits_follow_one_setting_on_a_page(demo):
    page = login(demo, "secretariat").get("/").get_data(as_text=True)
    pairs = re.findall(r"มาตรการ (\S+) · ขั้นตอนที่ ([^\s<]+)\s", page)
    assert pairs, page[:2000]
    assert all(not re.search(r"[0-9]", code + number) for code, number in pairs), pairs


def test_refusals_leave_one_audit_event_and_change_nothing_else(demo):
    client = login(demo, "staff")
    before = counts()
    wrong = client.post("/password", data={"csrf_token": token(client), "current": "not-my-password",
                                           "new": "a-new-long-passphrase-9", "again": "a-new-long-passphrase-9"})
    assert wrong.status_code == 400 and "รหัสผ่านเดิมไม่ถูกต้อง" in wrong.get_data(as_text=True)
    denied = client.post(f"/rounds/{db.session.scalar(select(func.min(Step.id)))}",
                         data={"csrf_token": token(client), "minutes": "x"})
    assert denied.status_code in (403, 404)
    after = counts()
    assert after[0]["audit_event"] == before[0]["audit_event"] + 2
    assert {k: v for k, v in after[0].items() if k != "audit_event"} == \
        {k: v for k, v in before[0].items() if k != "audit_event"} and after[1] == before[1]
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2)).scalars().all()
    assert set(actions) <= {"password_change_failed", "access_denied"} and "password_change_failed" in actions



@pytest.mark.parametrize("target", ["/%09/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example",
                                    "https://evil.example/", "/\n/evil.example", "/%0A/x", "javascript:alert(1)",
                                    "/ok\r\nSet-Cookie: x=1"])
def test_no_redirect_leaves_the_site(demo, target):
    from web.security import safe_next

    with demo.test_request_context():
        checked = safe_next(target)
    assert checked is None or (checked.startswith("/") and not checked.startswith("//")), checked
    for login_url in (f"/login?next={target}", "/login"):  # raw in the URL (decoded once), then as a value
        client = demo.test_client()
        signed_in = client.post(login_url, query_string=None if "?" in login_url else {"next": target},
                                data={"email": ROLE_USERS["staff"], "password": PASSWORD,
                                      "csrf_token": token(client)})
        assert signed_in.status_code == 302
        _same_site(signed_in.headers["Location"])
    switched = client.post("/language", data={"lang": "en", "next": target, "csrf_token": token(client)})
    assert switched.status_code == 303
    _same_site(switched.headers["Location"])


def _same_site(location: str) -> None:
    """What a browser makes of it (it drops TABs and line breaks) is a path on this site."""
    from urllib.parse import urlsplit

    seen = "".join(ch for ch in location if ch not in "\t\r\n").replace("\\", "/")
    assert seen.startswith("/") and not seen.startswith("//") and not urlsplit(seen).netloc, location


def test_a_path_on_the_site_is_kept_after_sign_in(demo):
    client = demo.test_client()
    response = client.post("/login", query_string={"next": "/measures?x=ไทย"},
                           data={"email": ROLE_USERS["staff"], "password": PASSWORD, "csrf_token": token(client)})
    assert response.headers["Location"].startswith("/measures?x=")


def test_a_session_ends_after_idle_time_and_after_a_working_day_whatever_it_does(demo):
    from datetime import timedelta

    import time_machine

    from tests.conftest import TEST_NOW

    def at(minutes: int):
        return time_machine.travel(TEST_NOW + timedelta(minutes=minutes), tick=False)

    with at(0):
        idle = login(demo, "staff")
        busy = login(demo, "staff")
    with at(59):
        assert busy.get("/").status_code == 200
    with at(61):  # the other one: no request for an hour (ITAFLOW_IDLE_MINUTES)
        assert idle.get("/").status_code == 302
    for minute in range(110, 8 * 60, 50):  # a request every 50 minutes keeps it, and a flash re-signs it
        with at(minute):
            assert busy.get("/").status_code == 200, minute
            busy.post("/language", data={"lang": "th", "csrf_token": token(busy)})
    with at(8 * 60):
        assert busy.get("/").status_code == 302  # eight hours after sign-in: over, activity or not


def test_downloads_of_a_signed_in_person_are_never_stored(demo):
    from workflow.models import Cycle

    client = login(demo, "secretariat")
    response = client.get(f"/cycles/{db.session.scalar(select(Cycle.id))}/export.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_under_https_the_session_cookie_is_host_bound_and_secure(tmp_path):
    from web import create_app
    from workflow.onboarding.demo import run_demo

    app = create_app({"ITAFLOW_INSTANCE": str(tmp_path / "i"), "ITAFLOW_SECRET_KEY": "test-secret-key-https",
                      "ITAFLOW_BASE_URL": "https://ita.example.go.th",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'h.sqlite'}"})
    with app.app_context():
        db.create_all()
        from workflow import clock

        run_demo(now=clock.now(), password=PASSWORD)
        db.session.commit()
        client = app.test_client()
        page = client.get("/login", base_url="https://ita.example.go.th").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/login", base_url="https://ita.example.go.th",
                               headers={"Referer": "https://ita.example.go.th/login"},  # CSRF's HTTPS check
                               data={"email": ROLE_USERS["staff"], "password": PASSWORD, "csrf_token": csrf})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("__Host-itaflow_session=") and "Secure" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie
        db.session.remove()
        db.engine.dispose()
    assert (tmp_path / "i").stat().st_mode & 0o777 == 0o700  # the instance folder is the service's alone


def test_an_unknown_address_costs_a_password_check_too(demo, monkeypatch):
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    from workflow.people import users

    checked = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
            checked.append(password)
            return super().verify(hash, password)

    monkeypatch.setattr(users, "hasher", Counting.from_parameters(CHEAPEST))
    client = demo.test_client()
    client.post("/login", data={"email": "nobody@example.org", "password": "a-guess-123",
                                "csrf_token": token(client)})
    assert checked == ["a-guess-123"]


@pytest.mark.parametrize("weak", ["abcd1234", "aa123456", "starwars", "trustno1", "1q2w3e4r5t", "qwerty12345",
                                  "รหัสผ่าน", "isylzjko", "ยฟหหไนพก", "01012530", "25300101", "๒๔๐๖๒๕๒๙",
                                  "15081985", "Password1"])
def test_common_and_guessable_passwords_are_refused(weak):
    from workflow.errors import ValidationError
    from workflow.people.users import check_password_policy, common_passwords

    assert len(common_passwords()) >= 10_000
    with pytest.raises(ValidationError) as refused:
        check_password_policy(weak)
    assert "รหัสผ่าน" in refused.value.message_th


@pytest.mark.parametrize("fine", ["correct-horse-battery", "ฝนตกที่ร้อยเอ็ดแต่งานไม่เลยกำหนด", "12345679-ok-go",
                                  "32132025", "99999998x"])
def test_uncommon_passwords_pass(fine):
    from workflow.people.users import check_password_policy

    check_password_policy(fine)


def test_guesses_at_one_account_are_limited_from_every_address(demo):
    from datetime import timedelta

    import time_machine

    from tests.conftest import TEST_NOW

    def attempt(address: str, email: str, password: str = "wrong-guess-1") -> int:
        client = demo.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token(client)}).status_code

    with time_machine.travel(TEST_NOW, tick=False):
        assert [attempt(f"10.0.0.{i}", ROLE_USERS["director"]) for i in range(10)] == [401] * 10
        assert attempt("10.0.1.1", ROLE_USERS["director"]) == 429  # a new address, the same account
        assert attempt("10.0.1.1", ROLE_USERS["director"], PASSWORD) == 429  # held back, even the right one
        assert attempt("10.0.1.2", ROLE_USERS["staff"], PASSWORD) == 302  # other accounts are not
    with time_machine.travel(TEST_NOW + timedelta(minutes=16), tick=False):
        assert attempt("10.0.2.1", ROLE_USERS["director"], PASSWORD) == 302


def test_uploads_have_a_quota_per_step_per_person_and_a_rate(demo, monkeypatch):
    from workflow import clock
    from workflow.errors import ValidationError
    from workflow.publishing import evidence as evidence_service

    s = step("1.1", 3) if step("1.1", 2).state != "open" else step("1.1", 2)
    owner = user("hr-staff").id
    monkeypatch.setattr(evidence_service, "MAX_FILES_PER_MINUTE", 1000)  # the burst limit: tests/test_security_gaps.py
    for i in range(evidence_service.MAX_FILES_PER_STEP):
        evidence_service.add_file(s.id, actor_id=owner, now=clock.now(), filename=f"{i}.pdf", data=b"%PDF-1.4 x")
    with pytest.raises(ValidationError) as full:
        evidence_service.add_file(s.id, actor_id=owner, now=clock.now(), filename="more.pdf", data=b"%PDF-1.4 x")
    assert "รวมเป็นไฟล์เดียว" in full.value.message_th
    db.session.rollback()
    monkeypatch.setattr(evidence_service, "MAX_FILES_PER_DAY", 3)
    for i in range(3):
        evidence_service.add_file(s.id, actor_id=owner, now=clock.now(), filename=f"{i}.pdf", data=b"%PDF-1.4 x")
    with pytest.raises(ValidationError) as quota:
        evidence_service.add_file(s.id, actor_id=owner, now=clock.now(), filename="4.pdf", data=b"%PDF-1.4 x")
    assert "โควตา" in quota.value.message_th
    db.session.rollback()
    client = login(demo, "staff")
    statuses = [client.post(f"/steps/{s.id}/evidence", data={"csrf_token": token(client), "kind": "note",
                                                             "text": f"บันทึก {i}"}).status_code for i in range(61)]
    assert statuses[:60] == [303] * 60 and statuses[60] == 429


EVIDENCE_SEEN = {"staff": True, "other_staff": False, "director": False, "secretariat": True, "executive": True,
                 "admin": True}


def test_evidence_visibility_matrix_every_place_every_role(demo):
    """One rule wherever evidence appears (#11): the step page, the API, the CSV and XLSX exports and the
    progress PDF, for each role (own group, another group, above them), and the public page (only what the
    secretariat marked public)."""
    import io

    from openpyxl import load_workbook

    from workflow import clock
    from workflow.models import Cycle
    from workflow.people import tokens
    from workflow.publishing import evidence as evidence_service

    s = step("1.1", 3) if step("1.1", 2).state != "open" else step("1.1", 2)  # กลุ่มบริหารงานบุคคล's
    evidence_service.add_link(s.id, actor_id=user("hr-staff").id, now=clock.now(),
                              url="https://example.go.th/hr-evidence", text="หลักฐานภายในกลุ่ม")
    db.session.commit()
    cycle_id = db.session.scalar(select(Cycle.id))
    for role, sees in EVIDENCE_SEEN.items():
        client = login(demo, role)
        key = {"staff": "hr-staff", "other_staff": "pannee", "director": "dir-admin", "secretariat": "juthamas",
               "executive": "amporn", "admin": "admin"}[role]
        _, secret = tokens.create(user(key).id, "api", "matrix", now=clock.now())
        db.session.commit()
        places = {
            "step page": client.get(f"/steps/{s.id}").get_data(as_text=True),
            "api": str(demo.test_client().get(f"/api/v1/steps/{s.id}",
                                              headers={"Authorization": f"Bearer {secret}"}).get_json()),
            "csv": client.get(f"/cycles/{cycle_id}/export.csv").get_data().decode("utf-8-sig"),
            "xlsx": " ".join(str(c) for row in load_workbook(io.BytesIO(client.get(
                f"/cycles/{cycle_id}/export.xlsx").get_data()))["ขั้นตอน"].iter_rows(values_only=True) for c in row),
        }
        for place, text in places.items():
            assert ("hr-evidence" in text) is sees, (role, place)
    public = demo.test_client()
    admin = login(demo, "admin")
    admin.post(f"/cycles/{cycle_id}/publish", data={"csrf_token": token(admin), "published": "1"})
    assert "hr-evidence" not in public.get(f"/p/{cycle_id}").get_data(as_text=True)


def test_each_request_has_its_own_context_as_in_production(demo):
    """The suite's requests run in an application context of their own (tests/conftest.py), so nothing a
    test or an earlier request left in ``g`` (Flask-WTF's CSRF token, the locale, a kept page's key) reaches
    the next request, and the code needs no clean-up for tests' sake."""
    from flask import g

    g.csrf_token = "left-by-the-test"
    g.user = "left-by-the-test"
    client = demo.test_client()
    first = client.get("/login").get_data(as_text=True)
    assert "left-by-the-test" not in first
    token = re.search(r'name="csrf_token" value="([^"]+)"', first)
    assert token is not None
    second = demo.test_client().get("/login").get_data(as_text=True)  # another browser: another token
    assert re.search(r'name="csrf_token" value="([^"]+)"', second)[1] != token[1]
    assert g.csrf_token == "left-by-the-test"  # and the requests left the test's own context alone


def test_the_admin_page_names_roles_in_thai_and_shows_each_persons_group(demo):
    page = login(demo, "admin").get("/admin/").get_data(as_text=True)
    assert "ผู้อำนวยการกลุ่ม</label>" in page and "ฝ่ายเลขานุการ</label>" in page and ">secretariat</label>" not in page
    assert "hr-staff@demo.itaflow.test · กลุ่มบริหารงานบุคคล" in page


def test_a_steps_history_names_who_did_each_thing(demo):
    s = step("1.1", 1)
    page = login(demo, "secretariat").get(f"/steps/{s.id}").get_data(as_text=True)
    history = re.search(r'<ol class="history">(.*?)</ol>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", history, re.S)
    assert items and all(" · " in i for i in items)
    from workflow.models import User

    done_by = db.session.get(User, s.done_by_id) if s.done_by_id else None
    assert done_by is not None and any(done_by.name in i for i in items)  # the demo marked 1.1 step 1 done


def test_the_mail_page_shows_be_dates_in_bangkok_time_and_only_this_agencys_mail(demo):
    import mailbox
    from email.message import EmailMessage

    box = mailbox.Maildir(str(demo.config["ITAFLOW"].instance_path / "mail"), create=True)
    for to in ("hr-staff@demo.itaflow.test", "someone@elsewhere.example"):
        message = EmailMessage()
        message["To"], message["Subject"] = to, f"[ITA] ทดสอบ {to}"
        message["Date"] = "Sat, 28 Nov 2026 13:27:58 +0000"
        message.set_content("เนื้อความ")
        box.add(message)
    page = login(demo, "admin").get("/admin/mail").get_data(as_text=True)
    assert "28 พ.ย. 2569 20:27" in page.replace("๒๘", "28").replace("๒๕๖๙", "2569").replace("๒๐:๒๗", "20:27")
    assert "+0000" not in page and "someone@elsewhere.example" not in page


def test_my_steps_says_which_are_mine_by_name_and_which_my_groups(demo):
    from workflow.engine import queries

    person = user("hr-staff")
    steps = queries.my_open_steps(person)
    page = login(demo, "staff").get("/").get_data(as_text=True)
    named = sum(1 for s in steps if s.owner_user_id == person.id)
    assert page.count("มอบหมายให้ท่าน") == named and page.count("งานของกลุ่ม") == len(steps) - named


def test_a_round_whose_day_passed_without_a_report_says_so_and_builds_one(demo):
    from workflow import clock
    from workflow.models import Round
    from workflow.thaidate import bangkok_today

    today = bangkok_today(clock.now())
    rounds = db.session.execute(select(Round).order_by(Round.number)).scalars().all()
    past = [r for r in rounds if r.held_on < today and r.report is None]
    ahead = [r for r in rounds if r.held_on > today]
    assert past and ahead  # the demo lies inside its period
    client = login(demo, "secretariat")
    listing = client.get("/rounds").get_data(as_text=True)
    assert listing.count("ถึงวันแล้ว ไม่มีรายงานที่บันทึกไว้") == len(past)
    page = client.get(f"/rounds/{past[0].id}").get_data(as_text=True)
    assert "ไม่พบรายงานที่บันทึกไว้ในวันติดตาม" in page and "ยังไม่ถึงวันสร้างรายงาน" not in page
    assert "ยังไม่ถึงวันสร้างรายงาน" in client.get(f"/rounds/{ahead[0].id}").get_data(as_text=True)
    reports = client.get("/reports").get_data(as_text=True)
    drafts = re.findall(r"รายงานการติดตามครั้งที่ (\S+) \(([^)]*)\) ฉบับร่าง", reports)
    assert len(drafts) == len(ahead)  # only rounds still to come are drafts


def test_everyone_sets_their_alerts_language_and_digits_on_their_profile(demo):
    from workflow.models import AuditEvent as Event

    client = login(demo, "other_staff")
    assert 'id="nav-profile"' in client.get("/").get_data(as_text=True)
    before = counts()
    bad = client.post("/profile", data={"csrf_token": token(client), "notify_mode": "digest", "digest_hour": "",
                                        "language": "th", "digit_style": "thai"})
    assert bad.status_code == 422 and "เวลาส่งสรุปรายวัน" in bad.get_data(as_text=True) and counts() == before
    ok = client.post("/profile", data={"csrf_token": token(client), "notify_mode": "digest", "digest_hour": "16",
                                       "language": "en", "digit_style": "arabic"})
    assert ok.status_code == 303
    db.session.expire_all()
    person = user("pannee")
    assert (person.notify_mode, person.digest_hour, person.language, person.digit_style) == \
        ("digest", 16, "en", "arabic")
    event = db.session.execute(select(Event).where(Event.action == "profile_changed")).scalar_one()
    assert event.actor_id == person.id and event.data["after"]["hour"] == 16
    page = client.get("/profile").get_data(as_text=True)
    assert 'lang="en"' in page and 'value="digest" checked' in page
