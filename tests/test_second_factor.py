"""The second factor through Flask's test client, with pyotp as the person's phone: setting up the app, the
sign-in's second step, recovery codes, the agency's rule, an admin's reset, and what a stolen password gets."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select, text

from tests.conftest import PASSWORD, user
from tests.test_web import GET_MATRIX, ROLE_USERS, _ids, _url, login, token
from workflow import clock
from workflow.db import db
from workflow.models import Agency, AuditEvent, OutboxMessage, TotpCredential


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def set_up_app(client) -> tuple[str, list[str]]:
    """The person opens ความปลอดภัยของบัญชี, shows the QR code, types the app's code: (seed, recovery codes)."""
    page = client.get("/security").get_data(as_text=True)
    shown = client.post("/security/totp", data={"csrf_token": _csrf(page)}).get_data(as_text=True)
    assert "<svg" in shown and "แอปยืนยันตัวตน" in shown  # the QR code inline, on a Thai page that explains it
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', shown).group(1)
    done = client.post("/security/totp", data={"csrf_token": _csrf(shown), "code": pyotp.TOTP(secret).now(),
                                               "password": PASSWORD})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def password_only(app, role: str):
    """A client that typed the right password and nothing else."""
    client = app.test_client()
    response = client.post("/login", data={"email": ROLE_USERS[role], "password": PASSWORD,
                                           "csrf_token": token(client)})
    assert response.status_code == 302
    return client, response.location


def second_step(client, code: str) -> int:
    page = client.get("/login/second-factor").get_data(as_text=True)
    return client.post("/login/second-factor", data={"csrf_token": _csrf(page), "code": code}).status_code


def next_code(secret: str) -> str:
    """The app's code 30 seconds on (the present one was spent setting up: a code is never taken twice)."""
    totp = pyotp.TOTP(secret)
    return totp.at(clock.now() + timedelta(seconds=30))


def test_the_app_set_up_then_password_and_code_sign_in(demo):
    staff = login(demo, "staff")
    secret, _codes = set_up_app(staff)
    person = user("hr-staff")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "second_factor_added",
                                                      AuditEvent.target_id == person.id)) is not None
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == person.id,
                                                          OutboxMessage.event == "second_factor_added")).all()
    assert len(told) == 1  # the person hears of it: a factor they did not add is how a stolen password shows

    client, where = password_only(demo, "staff")
    assert where == "/login/second-factor"
    page = client.get(where).get_data(as_text=True)
    assert "ยืนยันตัวตนขั้นที่สอง" in page and "รหัส 6 หลัก" in page
    assert second_step(client, "000000") == 401
    with time_machine.travel(clock.now() + timedelta(seconds=30), tick=False):
        code = pyotp.TOTP(secret).now()
        assert second_step(client, code) == 302
        assert client.get("/").status_code == 200  # signed in now
        again, _ = password_only(demo, "staff")
        assert second_step(again, code) == 401  # the same code twice: refused (a code seen is a code spent)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"second_factor_passed", "second_factor_failed"} <= actions


def test_between_the_two_factors_no_route_is_reachable(demo):
    """A stolen password alone: every page answers as to a visitor, every change is refused."""
    secret, _ = set_up_app(login(demo, "admin"))
    ids = _ids()
    client, _where = password_only(demo, "admin")
    for endpoint, expected in GET_MATRIX.items():
        if endpoint in ("twofactor.verify", "twofactor.setup"):
            continue  # the second step itself (and, there, setting one up is not offered: they have one)
        response = client.get(_url(demo, endpoint, ids))
        response.close()
        assert response.status_code == expected[None], (endpoint, response.status_code)
    page = client.get("/login/second-factor").get_data(as_text=True)
    csrf = _csrf(page)
    for path in ("/admin/users", f"/steps/{ids['step']}/done", "/security/totp", "/profile", "/logout"):
        response = client.post(path, data={"csrf_token": csrf, "name": "x", "email": "x@example.org"})
        assert response.status_code == 302 and "/login" in response.location, path
    # the API takes no cookie, and the session is not signed in anyway
    assert client.get("/api/v1/me").status_code == 401
    # the pending step lapses: after ten minutes the password is asked again
    with time_machine.travel(clock.now() + timedelta(minutes=11), tick=False):
        lapsed = client.get("/login/second-factor")
        assert lapsed.status_code == 302 and lapsed.location == "/login"
        assert client.get("/").status_code == 302
    assert secret


def test_guesses_at_the_code_are_limited_in_the_database(demo):
    secret, _ = set_up_app(login(demo, "staff"))
    client, _ = password_only(demo, "staff")
    assert [second_step(client, f"{n:06d}") for n in range(10)] == [401] * 10
    assert second_step(client, next_code(secret)) == 429  # held back, even the right code
    with time_machine.travel(clock.now() + timedelta(minutes=16), tick=False):
        fresh, _ = password_only(demo, "staff")
        assert second_step(fresh, pyotp.TOTP(secret).now()) == 302


def test_a_recovery_code_works_once(demo):
    _secret, codes = set_up_app(login(demo, "staff"))
    first, _ = password_only(demo, "staff")
    assert second_step(first, codes[3].upper().replace("-", " ")) == 302  # typed loosely: still the code
    assert first.get("/").status_code == 200
    second, _ = password_only(demo, "staff")
    assert second_step(second, codes[3]) == 401  # used: never again
    assert second_step(second, codes[4]) == 302
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "recovery_code_used")).all()
    assert len(told) == 2
    from workflow.channels.notify import render_message

    body = render_message(told[-1])[0]
    assert "รหัสกู้คืนที่ยังใช้ได้: ๘ รหัส" in body and "http://itaflow.test/security" in body


def test_the_agency_requires_a_second_factor_of_admins_executives_and_the_secretariat(demo):
    admin = login(demo, "admin")
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'id="second-factor"' in page
    assert admin.post("/admin/second-factor", data={"csrf_token": _csrf(page), "policy": "privileged"}
                      ).status_code == 303
    assert db.session.scalar(select(Agency.second_factor).where(Agency.id == user("admin").agency_id)) == "privileged"
    # staff are not asked
    assert password_only(demo, "staff")[1] == "/"
    # the secretariat sets one up before anything else, and is not signed in until it is done
    client, where = password_only(demo, "secretariat")
    assert where == "/login/second-factor/setup"
    assert client.get("/").status_code == 302
    page = client.get(where).get_data(as_text=True)
    assert "หน่วยงานของท่านกำหนด" in page and "พาสคีย์" in page
    shown = client.post(where, data={"csrf_token": _csrf(page)}).get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', shown).group(1)
    done = client.post(where, data={"csrf_token": _csrf(shown), "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and len(re.findall(r"<code>", done.get_data(as_text=True))) == 10
    assert client.get("/").status_code == 200
    # everyone, then
    page = admin.get("/admin/").get_data(as_text=True)
    admin.post("/admin/second-factor", data={"csrf_token": _csrf(page), "policy": "everyone"})
    assert password_only(demo, "staff")[1] == "/login/second-factor/setup"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "second_factor_policy_set")).all()
    assert [(e.from_state, e.to_state) for e in events] == [("none", "privileged"), ("privileged", "everyone")]


def test_an_admin_resets_a_lost_phone_audited_and_the_person_is_told(demo):
    staff = login(demo, "staff")
    set_up_app(staff)
    admin = login(demo, "admin")
    page = admin.get("/admin/").get_data(as_text=True)
    person = user("hr-staff")
    assert f'id="reset-second-factor-{person.id}"' in page
    assert admin.post(f"/admin/users/{person.id}/second-factor/reset", data={"csrf_token": _csrf(page)}
                      ).status_code == 303
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "second_factor_reset"))
    assert event.actor_id == user("admin").id and event.target_id == person.id and event.data["totp"] is True
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.event == "second_factor_reset"))
    assert mail.to_email == ROLE_USERS["staff"]
    from workflow.channels.notify import render_message

    assert "ผู้ดำเนินการ:" in render_message(mail)[0]
    assert staff.get("/").status_code == 302  # their sessions ended
    assert password_only(demo, "staff")[1] == "/"  # the password alone again, until they set a new one up
    # another agency's admin cannot: it is not their person
    other = user("dir-admin")
    page = admin.get("/admin/").get_data(as_text=True)
    assert login(demo, "director").post(f"/admin/users/{other.id}/second-factor/reset",
                                        data={"csrf_token": _csrf(page)}).status_code in (400, 403)


def test_an_invitation_link_is_a_first_factor_only(demo):
    from workflow.people import invitations

    secret, _ = set_up_app(login(demo, "staff"))
    person = user("hr-staff")
    link = invitations.make_link(person, clock.now()).rsplit("/", 1)[1]
    db.session.commit()
    client = demo.test_client()
    page = client.get(f"/welcome/{link}").get_data(as_text=True)
    response = client.post(f"/welcome/{link}", data={"csrf_token": _csrf(page), "new": "a-new-long-passphrase-42",
                                                     "again": "a-new-long-passphrase-42"})
    assert response.status_code == 303 and response.location == "/login/second-factor"
    assert client.get("/").status_code == 302
    assert second_step(client, next_code(secret)) in (302, 401)


def test_removing_a_factor_asks_for_the_password(demo):
    staff = login(demo, "staff")
    set_up_app(staff)
    page = staff.get("/security").get_data(as_text=True)
    assert staff.post("/security/totp/remove", data={"csrf_token": _csrf(page), "password": "wrong"}
                      ).status_code == 303
    assert db.session.scalar(select(TotpCredential.id)) is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password_check_failed")) is not None
    staff.post("/security/totp/remove", data={"csrf_token": _csrf(page), "password": PASSWORD})
    assert db.session.scalar(select(TotpCredential.id)) is None
    assert password_only(demo, "staff")[1] == "/"


def test_the_seed_is_encrypted_at_rest(demo):
    secret, _ = set_up_app(login(demo, "staff"))
    stored = db.session.execute(text("SELECT secret FROM totp_credential")).scalar_one()
    assert stored.startswith("enc1:") and secret not in stored


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "x" * 200])
def test_malformed_codes_are_refused_not_errors(demo, code):
    set_up_app(login(demo, "staff"))
    client, _ = password_only(demo, "staff")
    assert second_step(client, code) == 401


def test_adding_a_factor_asks_for_the_password_and_ends_the_other_sessions(demo):
    staff, elsewhere = login(demo, "staff"), login(demo, "staff")
    page = staff.get("/security").get_data(as_text=True)
    shown = staff.post("/security/totp", data={"csrf_token": _csrf(page)}).get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', shown).group(1)
    refused = staff.post("/security/totp", data={"csrf_token": _csrf(shown), "code": pyotp.TOTP(secret).now(),
                                                 "password": "not-my-password"})
    assert refused.status_code == 422 and db.session.scalar(select(TotpCredential.confirmed_at)) is None
    assert elsewhere.get("/").status_code == 200
    done = staff.post("/security/totp", data={"csrf_token": _csrf(shown), "code": pyotp.TOTP(secret).now(),
                                              "password": PASSWORD})
    assert done.status_code == 200
    assert staff.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/").status_code == 302  # the others ended (ASVS 7.4.3)
    # a passkey's options are given only after the password
    assert staff.post("/security/passkeys/options", json={"password": "wrong"},
                      headers={"X-CSRFToken": _csrf(done.get_data(as_text=True))}).status_code == 422


def test_recovery_codes_are_stored_as_passwords_are(demo):
    from workflow.models import RecoveryCode

    _secret, codes = set_up_app(login(demo, "staff"))
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
