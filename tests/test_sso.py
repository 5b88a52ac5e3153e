"""Single sign-on against a real OpenID provider run locally: npm's oidc-provider (tests/oidc_provider.mjs), started
by the tests on a free port like redis-server is, and made to misbehave on purpose where a case needs it: a
token re-signed with a key it never published, another audience, a clock an hour behind, keys rotated, an
endpoint down. The app is the real one (web/sso.py with Authlib, workflow/people/signin.py) through Flask's test
client, and once in Chromium with axe-core on the sign-in page."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from sqlalchemy import select

from tests.conftest import PASSWORD, PG_URL, RequestInItsOwnContext, require_tool, user
from tests.test_live import free_port, wait_for
from tests.test_web import token
from web import create_app
from workflow import clock
from workflow.db import db
from workflow.models import AuditEvent, SignInIdentity
from workflow.people import signin, signinsettings

ROOT = Path(__file__).resolve().parent.parent
JS = Path(__file__).resolve().parent / "oidc_provider.mjs"
BASE = "http://itaflow.test"
IDENTITY_KEY = "identity-key-for-the-tests-only-0123456789"
#: provider id -> (client id, client secret): two registrations at one local provider, one matching by a verified
#: e-mail (kind google: its hd checked), one by citizen id (kind thaid)
CLIENTS = {"google": ("itaflow-google", "google-client-secret-never-logged-4821"),
           "thaid": ("itaflow-thaid", "thaid-client-secret-never-logged-7713")}
#: a citizen id with a right check digit (made up)
CITIZEN = "1101700203450"
STAFF = "hr-staff@demo.itaflow.test"


class LocalProvider:
    """The node process and its switches."""

    def __init__(self, app_port: int) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.app_port = app_port
        self.process: subprocess.Popen | None = None
        self.log = b""

    def start(self) -> None:
        bases = [BASE, f"http://127.0.0.1:{self.app_port}"]
        clients = [{"client_id": cid, "client_secret": secret,
                    "redirect_uris": [f"{b}/login/sso/{pid}/callback" for b in bases]}
                   for pid, (cid, secret) in CLIENTS.items()]
        env = {**os.environ, "PORT": str(self.port), "CLIENTS": json.dumps(clients),
               "NOW_MS": str(int(time.time() * 1000))}
        self.process = subprocess.Popen([require_tool("node", "nodejs"), str(JS)], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_for(self._discovered, 60, "the local OpenID provider's discovery")

    def _discovered(self) -> bool:
        assert self.process.poll() is None, self.process.stdout.read().decode(errors="replace")
        try:
            return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                self.process.wait(10)
            self.process.stdout.close()

    def set(self, **switches) -> dict:
        response = requests.post(f"{self.issuer}/__test", json=switches, timeout=5)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """No switches, no accounts, and the provider's clock at the test's pinned "now"."""
        self.set(reset=True, now_ms=int(time.time() * 1000))

    def authenticate(self, url: str, account: str) -> str:
        """Follow the authorization request as a browser would, sign in as ``account`` on the provider's page,
        and return the address it sends the browser back to (the app's callback, with code and state)."""
        browser = requests.Session()
        response = browser.get(url, allow_redirects=False, timeout=10)
        for _ in range(10):
            if response.status_code in (302, 303):
                location = urljoin(response.url, response.headers["Location"])
                if not location.startswith(self.issuer):
                    return location
                response = browser.get(location, allow_redirects=False, timeout=10)
            elif response.status_code == 200 and "/interaction/" in response.url:
                response = browser.post(response.url, data={"login": account}, allow_redirects=False, timeout=10)
            else:
                raise AssertionError((response.status_code, response.text[:500]))
        raise AssertionError("the provider never sent the browser back")


@pytest.fixture(scope="module")
def provider():
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").exists():
        pytest.fail("oidc-provider is missing: run `npm ci` (./scripts/test does)")
    local = LocalProvider(free_port())
    local.start()
    yield local
    local.stop()


@pytest.fixture
def op(provider):
    provider.reset()
    return provider


def sso_env(tmp_path, issuer: str, base: str = BASE) -> dict:
    env = {
        "ITAFLOW_INSTANCE": str(tmp_path / "instance"),
        "ITAFLOW_SECRET_KEY": "test-secret-key-not-for-production",
        "ITAFLOW_BASE_URL": base,
        "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "ITAFLOW_SSO_PROVIDERS": "google,thaid",
        "ITAFLOW_IDENTITY_KEY": IDENTITY_KEY,
        "ITAFLOW_SSO_TIMEOUT": "5",
    }
    if base == BASE:  # a made-up host on plain HTTP: chosen explicitly, as production must (this machine needs not)
        env["ITAFLOW_PLAIN_HTTP"] = "1"
    for pid, (cid, secret) in CLIENTS.items():
        env |= {f"ITAFLOW_SSO_{pid.upper()}_ISSUER": issuer, f"ITAFLOW_SSO_{pid.upper()}_CLIENT_ID": cid,
                f"ITAFLOW_SSO_{pid.upper()}_CLIENT_SECRET": secret}
    return env


def make_app(env: dict):
    from web.security import limiter
    from workflow.onboarding.demo import run_demo

    app = create_app(env)
    app.config["TESTING"] = True
    app.test_client_class = RequestInItsOwnContext
    ctx = app.app_context()
    ctx.push()
    db.drop_all()
    db.create_all()
    run_demo(now=clock.now(), password=PASSWORD)
    db.session.commit()
    limiter.reset()
    return app, ctx


def close_app(ctx) -> None:
    db.session.remove()
    db.drop_all()
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def site(tmp_path, op):
    """The demo with both providers configured, Google switched on for the demo office."""
    app, ctx = make_app(sso_env(tmp_path, op.issuer))
    switch(google=("on", False, None))
    yield app
    close_app(ctx)


def switch(**choices) -> None:
    """The demo office's admin switches providers: name=(on/off/inherit, for units, domain)."""
    signinsettings.set_providers(actor_id=user("admin").id, choices=choices, now=clock.now())
    db.session.commit()


def start(client, provider_id: str = "google", agency: str = "main", next_path: str | None = None):
    """The button on the agency's sign-in page (a link: a form's redirect to another origin is blocked by the
    pages' CSP form-action 'self')."""
    page = client.get(f"/login/a/{agency}").get_data(as_text=True)
    button = re.search(rf'id="sso-{provider_id}" href="([^"]+)"', page)
    assert button, page
    href = html.unescape(button.group(1))
    if next_path:
        href += "&next=" + next_path
    response = client.get(href)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def sign_in(client, op, account: str, provider_id: str = "google", **kwargs):
    """A whole sign-in: the app's button, the provider's page, back to the app's callback. The callback's answer."""
    back = op.authenticate(start(client, provider_id, **kwargs), account)
    return client.get(path_of(back))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    return f"{parts.path}?{parts.query}"


def signed_in_as(client) -> str | None:
    """Whose page / is (None: the sign-in page)."""
    response = client.get("/")
    if response.status_code != 200:
        return None
    with client.session_transaction() as s:
        uid = s.get("uid")
    return db.session.get(signin.User, uid).email if uid else None


def events(action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def person(email: str, **claims) -> dict:
    return {"email": email, "email_verified": True, "name": "ทดสอบ", **claims}


# --- the good path ---------------------------------------------------------------------------------------------

def test_a_good_sign_in_with_pkce_state_and_nonce_links_the_subject(site, op):
    op.set(accounts={"g-1001": person(STAFF)})
    client = site.test_client()
    page = client.get("/login/a/main").get_data(as_text=True)
    assert "เข้าสู่ระบบด้วย Google" in page and "เข้าสู่ระบบด้วย ThaID" not in page  # only what the agency allows
    url = start(client, next_path="/measures")
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 30 and len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == [f"{BASE}/login/sso/google/callback"]
    assert query["client_id"] == ["itaflow-google"] and "openid" in query["scope"][0].split()
    back = client.get(path_of(op.authenticate(url, "g-1001")))
    assert back.status_code == 303 and back.headers["Location"].endswith("/measures")
    assert signed_in_as(client) == STAFF
    [login] = [e for e in events("login") if e.data.get("via") == "google"]
    assert login.actor_id == user("hr-staff").id
    [linked] = events("sso_linked")
    assert linked.data == {"provider": "google", "by": "email"}
    [row] = db.session.execute(select(SignInIdentity)).scalars().all()
    assert row.kind == "subject" and row.provider == "google" and row.label == STAFF
    assert "g-1001" not in row.value_hash and len(row.value_hash) == 64  # the subject only as a keyed hash

    # the provider changes the address: the subject linked at the first sign-in still finds the person
    op.set(accounts={"g-1001": person("renamed@elsewhere.example")})
    other = site.test_client()
    assert sign_in(other, op, "g-1001").status_code == 303
    assert signed_in_as(other) == STAFF


@pytest.mark.parametrize("rule", ["has-an-app", "agency-requires-one"])
def test_the_provider_is_the_first_factor_the_second_is_still_asked(site, op, rule):
    """Someone with a second factor signs in through the provider: not signed in yet, the second step is asked
    (and, where the agency requires one they have not set up, setting it up)."""
    import pyotp
    import time_machine

    from tests.test_second_factor import second_step, set_up_app
    from tests.test_web import login

    secret = None
    if rule == "has-an-app":
        secret, _codes = set_up_app(login(site, "staff"))
    else:
        agency = db.session.get(signin.Agency, user("hr-staff").agency_id)
        agency.second_factor = "everyone"
        db.session.commit()
    op.set(accounts={"g-1001": person(STAFF)})
    client = site.test_client()
    back = client.get(path_of(op.authenticate(start(client, next_path="/measures"), "g-1001")))
    assert back.status_code == 303
    assert back.headers["Location"] == ("/login/second-factor" if secret else "/login/second-factor/setup")
    assert signed_in_as(client) is None  # the provider alone gets nowhere
    assert client.get("/measures").status_code == 302
    if secret:
        page = client.get("/login/second-factor")
        assert page.status_code == 200 and "ยืนยันตัวตนขั้นที่สอง" in page.get_data(as_text=True)
        assert second_step(client, "000000") == 401
        with time_machine.travel(clock.now() + timedelta(seconds=30), tick=False):  # the set-up's code is spent
            assert second_step(client, pyotp.TOTP(secret).now()) == 302
            assert signed_in_as(client) == STAFF


def test_the_state_must_be_this_browsers_and_used_once(site, op):
    op.set(accounts={"g-1001": person(STAFF)})
    client = site.test_client()
    back = op.authenticate(start(client), "g-1001")
    wrong = path_of(back).replace("state=", "state=x")
    answer = client.get(wrong)
    assert answer.status_code == 400
    assert "การเข้าสู่ระบบนี้ไม่ได้เริ่มจากเบราว์เซอร์นี้" in answer.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert [e.data for e in events("sso_failed")] == [{"provider": "google", "reason": "state"}]
    # someone else's answer (a login CSRF: an attacker's code pushed into this browser) is refused the same way
    stranger = site.test_client()
    stranger.get("/login")
    assert stranger.get(path_of(back)).status_code == 400 and signed_in_as(stranger) is None
    # the true state, once: the wrong one above already spent it in this browser
    assert client.get(path_of(back)).status_code == 400


def test_a_replayed_code_is_refused_by_the_provider(site, op):
    op.set(accounts={"g-1001": person(STAFF)})
    client = site.test_client()
    back = op.authenticate(start(client), "g-1001")
    with client.session_transaction() as s:  # what an attacker holding the old cookie would replay
        kept = {k: v for k, v in s.items() if k.startswith("_state_google_")}
    assert len(kept) == 1
    assert client.get(path_of(back)).status_code == 303 and signed_in_as(client) == STAFF
    replay = site.test_client()
    with replay.session_transaction() as s:
        s.update(kept)
    answer = replay.get(path_of(back))
    assert answer.status_code == 400 and signed_in_as(replay) is None
    assert "ตรวจสอบไม่ผ่าน" in answer.get_data(as_text=True)
    assert events("sso_failed")[-1].data == {"provider": "google", "reason": "code"}


@pytest.mark.parametrize("signed", [{"key": "x"}, {"key": "x", "kid": "key-a"}],
                         ids=["unknown-key", "another-key-under-the-providers-kid"])
def test_a_token_signed_by_another_key_is_refused(site, op, signed):
    op.set(accounts={"g-1001": person(STAFF)}, token=signed)
    client = site.test_client()
    answer = sign_in(client, op, "g-1001")
    assert answer.status_code == 400 and signed_in_as(client) is None
    assert events("sso_failed")[-1].data == {"provider": "google", "reason": "token"}
    assert events("login") == [] and db.session.execute(select(SignInIdentity)).first() is None


@pytest.mark.parametrize("offset, accepted", [(0, True), (30, True), (-30, True), (300, False)],
                         ids=["same-clock", "30s-ahead", "30s-behind", "5min-ahead"])
def test_clock_skew(site, op, offset, accepted):
    """The provider's clock off by ``offset`` seconds: skew within a minute is tolerated; a token issued in the
    future beyond it is not."""
    op.set(accounts={"g-1001": person(STAFF)}, offset_s=offset)
    client = site.test_client()
    answer = sign_in(client, op, "g-1001")
    assert (answer.status_code == 303) is accepted, answer.status_code
    assert (signed_in_as(client) == STAFF) is accepted


def test_an_expired_token_is_refused(site, op):
    op.set(accounts={"g-1001": person(STAFF)}, token={"shift": -700})  # exp 100 s ago: beyond the leeway
    client = site.test_client()
    assert sign_in(client, op, "g-1001").status_code == 400 and signed_in_as(client) is None
    assert events("sso_failed")[-1].data["reason"] == "token"


@pytest.mark.parametrize("claims", [{"aud": "someone-else"}, {"aud": ["someone-else", "itaflow-google"],
                                                             "azp": "someone-else"},
                                    {"iss": "http://evil.example"}, {"nonce": "not-the-one-sent"}],
                         ids=["audience", "audiences-for-another", "issuer", "nonce"])
def test_a_token_for_another_audience_issuer_or_request_is_refused(site, op, claims):
    op.set(accounts={"g-1001": person(STAFF)}, token={"claims": claims})
    client = site.test_client()
    assert sign_in(client, op, "g-1001").status_code == 400 and signed_in_as(client) is None
    assert events("sso_failed")[-1].data["reason"] == "token"


# --- who may come in -------------------------------------------------------------------------------------------

def test_an_unverified_email_signs_nobody_in(site, op):
    op.set(accounts={"g-1001": person(STAFF, email_verified=False)})
    client = site.test_client()
    answer = sign_in(client, op, "g-1001")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403 and "ยังไม่ได้ยืนยันอีเมล" in page
    assert signed_in_as(client) is None
    [refused] = events("sso_refused")
    assert refused.data == {"provider": "google", "reason": "email_unverified"}


def test_an_unknown_person_is_told_whom_to_ask_and_it_is_audited(site, op):
    op.set(accounts={"g-2002": person("somebody@gmail.example")})
    client = site.test_client()
    answer = sign_in(client, op, "g-2002")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "ยังไม่มีบัญชีของท่านในระบบนี้" in page and "somebody@gmail.example" in page
    assert "ผู้ดูแลระบบของ" in page and user("admin").name in page  # the agency's admins, by name
    assert signed_in_as(client) is None
    [refused] = events("sso_refused")
    assert refused.data == {"provider": "google", "reason": "unknown"} and refused.note == "somebody@gmail.example"
    assert refused.chain == user("admin").agency_id  # on the chain of the agency whose page it started from
    assert db.session.execute(select(SignInIdentity)).first() is None
    assert db.session.execute(select(signin.User).where(signin.User.email == "somebody@gmail.example")).first() is None


def test_the_agencys_google_domain_and_its_switch_decide(site, op):
    op.set(accounts={"g-1001": person(STAFF, hd="other.example"), "g-1002": person(STAFF, hd="demo.itaflow.test")})
    switch(google=("on", False, "demo.itaflow.test"))
    client = site.test_client()
    assert sign_in(client, op, "g-1001").status_code == 403
    assert events("sso_refused")[-1].data["reason"] == "domain"
    assert sign_in(client, op, "g-1002").status_code == 303 and signed_in_as(client) == STAFF
    switch(google=("off", False, None))  # switched off: the page shows no button, a sign-in is refused
    assert "เข้าสู่ระบบด้วย Google" not in site.test_client().get("/login/a/main").get_data(as_text=True)
    other = site.test_client()
    back = op.authenticate(start_anyway(other), "g-1002")
    assert other.get(path_of(back)).status_code == 403
    assert events("sso_refused")[-1].data["reason"] == "not_enabled"


def start_anyway(client, provider_id="google", agency=None):
    """The button's address opened though the page does not show it (the address is anyone's to open)."""
    response = client.get(f"/login/sso/{provider_id}" + (f"?agency={agency}" if agency else ""))
    assert response.status_code == 303
    return response.headers["Location"]


def test_an_address_given_to_another_account_at_the_provider_does_not_inherit_the_link(site, op):
    op.set(accounts={"g-1001": person(STAFF), "g-9009": person(STAFF)})
    assert sign_in(site.test_client(), op, "g-1001").status_code == 303
    newcomer = site.test_client()
    answer = sign_in(newcomer, op, "g-9009")  # the same verified address, another account (another subject)
    assert answer.status_code == 403 and "ผูกกับบัญชี Google อื่นไว้แล้ว" in answer.get_data(as_text=True)
    assert signed_in_as(newcomer) is None
    # the admin removes the old link (audited); the new account then links
    admin = site.test_client()
    admin.post("/login", data={"email": "admin@demo.itaflow.test", "password": PASSWORD, "csrf_token": token(admin)})
    staff_id = user("hr-staff").id
    done = admin.post(f"/admin/users/{staff_id}/sign-in", data={"csrf_token": token(admin), "action": "unlink",
                                                                "provider": "google"})
    assert done.status_code == 303 and events("sso_unlinked")[-1].target_id == staff_id
    assert sign_in(newcomer, op, "g-9009").status_code == 303 and signed_in_as(newcomer) == STAFF


def test_thaid_matches_the_citizen_id_an_admin_entered_kept_only_as_a_keyed_hash(site, op, caplog):
    caplog.set_level(logging.DEBUG)
    switch(thaid=("on", False, None))
    op.set(accounts={"t-1": {"pid": CITIZEN, "name": "ผู้ทดสอบ"}, "t-2": {"pid": "1101700203468"}})
    admin = site.test_client()
    admin.post("/login", data={"email": "admin@demo.itaflow.test", "password": PASSWORD, "csrf_token": token(admin)})
    page = admin.get("/admin/sign-in").get_data(as_text=True)
    assert "เลขประจำตัวประชาชน" in page and "/login/sso/thaid/callback" in page
    staff_id = user("hr-staff").id
    bad = admin.post(f"/admin/users/{staff_id}/sign-in", data={"csrf_token": token(admin), "action": "citizen",
                                                               "citizen_id": "1101700203451"})
    assert bad.status_code == 303 and events("citizen_id_set") == []  # a wrong check digit: refused
    written = admin.post(f"/admin/users/{staff_id}/sign-in", data={
        "csrf_token": token(admin), "action": "citizen", "citizen_id": "๑-๑๐๑๗-๐๐๒๐๓-๔๕-๐"})  # Thai digits, dashes
    assert written.status_code == 303
    assert [e.data for e in events("citizen_id_set")] == [{}]
    client = site.test_client()
    assert sign_in(client, op, "t-1", "thaid").status_code == 303 and signed_in_as(client) == STAFF
    assert events("sso_linked")[-1].data == {"provider": "thaid", "by": "citizen_id"}
    stranger = site.test_client()
    answer = sign_in(stranger, op, "t-2", "thaid")  # a valid citizen id no admin entered
    assert answer.status_code == 403 and "เลขประจำตัวประชาชน" in answer.get_data(as_text=True)
    assert events("sso_refused")[-1].note is None  # nothing of the person in the audit log
    # the number is nowhere in clear: not in any table, not in the audit log, not in a log line
    db.session.rollback()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            assert CITIZEN not in repr(tuple(row)) and "1101700203468" not in repr(tuple(row)), table.name
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (CITIZEN, "1101700203468", CLIENTS["thaid"][1], CLIENTS["google"][1]):
        assert secret not in logged


def test_a_parent_switches_a_provider_on_for_its_units(site, op):
    from workflow.people import units

    unit, unit_admin = units.add_unit(user("admin").agency_id, "school1", "โรงเรียนทดสอบ", "school",
                                      admin_name="ครูผู้ดูแล", admin_email="head@school1.example",
                                      actor_id=user("admin").id, now=clock.now())
    db.session.commit()
    op.set(accounts={"s-1": person("head@school1.example")})
    client = site.test_client()
    assert "เข้าสู่ระบบด้วย Google" not in client.get("/login/a/school1").get_data(as_text=True)
    back = op.authenticate(start_anyway(client, agency="school1"), "s-1")
    assert client.get(path_of(back)).status_code == 403  # the parent's switch is its own only
    assert events("sso_refused")[-1].data["reason"] == "not_enabled"
    switch(google=("on", True, None))  # for its units too
    page = site.test_client().get("/login/a/school1").get_data(as_text=True)
    assert "โรงเรียนทดสอบ" in page and "เข้าสู่ระบบด้วย Google" in page
    assert sign_in(client, op, "s-1", agency="school1").status_code == 303
    assert signed_in_as(client) == "head@school1.example"
    # the unit's own switch decides over its parent's
    signinsettings.set_providers(actor_id=unit_admin.id, choices={"google": ("off", False, None)}, now=clock.now())
    db.session.commit()
    other = site.test_client()
    assert other.get(path_of(op.authenticate(start_anyway(other, agency="school1"), "s-1"))).status_code == 403


def test_required_single_sign_on_refuses_passwords_except_the_break_glass_admin(site, op):
    admin = site.test_client()
    admin.post("/login", data={"email": "admin@demo.itaflow.test", "password": PASSWORD, "csrf_token": token(admin)})
    form = {"csrf_token": token(admin), "required": "1"}
    admin.post("/admin/sign-in/required", data=form)
    db.session.rollback()
    assert not db.session.get(signin.Agency, user("admin").agency_id).sso_required  # no break-glass admin named
    admin.post("/admin/sign-in/required", data=form | {"break_glass": str(user("admin").id)})
    db.session.rollback()
    assert db.session.get(signin.Agency, user("admin").agency_id).sso_required
    assert events("sso_required_changed")[-1].data["after"] == {"required": True, "break_glass": user("admin").id}
    staff = site.test_client()
    refused = staff.post("/login", data={"email": STAFF, "password": PASSWORD, "csrf_token": token(staff)})
    assert refused.status_code == 403 and "รหัสผ่านใช้ไม่ได้แล้ว" in refused.get_data(as_text=True)
    assert events("login_refused")[-1].data == {"reason": "sso_required"}
    wrong = staff.post("/login", data={"email": STAFF, "password": "not-the-password", "csrf_token": token(staff)})
    assert wrong.status_code == 401  # a wrong password is told nothing more
    glass = site.test_client()
    ok = glass.post("/login", data={"email": "admin@demo.itaflow.test", "password": PASSWORD,
                                    "csrf_token": token(glass)})
    assert ok.status_code == 302
    page = site.test_client().get("/login/a/main").get_data(as_text=True)
    assert "หน่วยงานนี้กำหนดให้เข้าสู่ระบบด้วยบัญชีข้างต้นเท่านั้น" in page and "<details" in page
    op.set(accounts={"g-1001": person(STAFF)})
    assert sign_in(staff, op, "g-1001").status_code == 303 and signed_in_as(staff) == STAFF
    # the last provider cannot be switched off while single sign-on is required
    refused = admin.post("/admin/sign-in/providers", data={"csrf_token": token(admin), "choice-google": "off"})
    assert refused.status_code == 303 and "ต้องเปิดผู้ให้บริการไว้อย่างน้อยหนึ่งราย" in admin.get("/admin/sign-in").get_data(
        as_text=True)
    assert signin.rules(db.session.get(signin.Agency, user("admin").agency_id))
    # nor does a link to set a password get round it (the break-glass admin's still works)
    from workflow.people import invitations

    def welcome(role: str) -> int:
        link = invitations.make_link(user(role), clock.now()).rsplit("/", 1)[1]
        client = site.test_client()
        response = client.post(f"/welcome/{link}", data={"csrf_token": token(client), "new": "a-new-long-phrase-42",
                                                         "again": "a-new-long-phrase-42"})
        assert (signed_in_as(client) is not None) is (response.status_code == 303)
        return response.status_code

    assert welcome("hr-staff") == 422
    assert welcome("admin") == 303


# --- the provider down, keys rotated ---------------------------------------------------------------------------

def test_provider_down_says_so_and_passwords_still_work(tmp_path, op):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    app, ctx = make_app(sso_env(tmp_path, dead))
    try:
        switch(google=("on", False, None))
        client = app.test_client()
        answer = client.get("/login/sso/google?agency=main")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 503
        assert "ติดต่อ Google ไม่ได้ในขณะนี้" in page and "หรือเข้าสู่ระบบด้วยอีเมลและรหัสผ่านด้านล่าง" in page
        ok = client.post("/login", data={"email": STAFF, "password": PASSWORD, "csrf_token": token(client)})
        assert ok.status_code == 302 and signed_in_as(client) == STAFF
    finally:
        close_app(ctx)


def test_provider_down_between_the_redirect_and_the_token(site, op):
    op.set(accounts={"g-1001": person(STAFF)})
    client = site.test_client()
    back = op.authenticate(start(client), "g-1001")
    op.set(down=["token"])
    answer = client.get(path_of(back))
    assert answer.status_code == 503 and "ติดต่อ Google ไม่ได้ในขณะนี้" in answer.get_data(as_text=True)
    assert signed_in_as(client) is None
    ok = client.post("/login", data={"email": STAFF, "password": PASSWORD, "csrf_token": token(client)})
    assert ok.status_code == 302


def test_rotated_keys_are_picked_up(site, op):
    op.set(accounts={"g-1001": person(STAFF)})
    assert sign_in(site.test_client(), op, "g-1001").status_code == 303  # the keys [a] are read and kept
    op.set(jwks=["b", "a"], token={"key": "b"})  # the provider rotates: signs with b, publishes b and a
    client = site.test_client()
    assert sign_in(client, op, "g-1001").status_code == 303 and signed_in_as(client) == STAFF
    op.set(jwks=["b"])  # a retired: tokens by b keep working from the keys read again
    assert sign_in(site.test_client(), op, "g-1001").status_code == 303


# --- settings, secrets, the admin page -------------------------------------------------------------------------

def test_settings_need_the_identity_key_and_never_show_secrets(tmp_path, op):
    from config import load_settings

    env = sso_env(tmp_path, op.issuer)
    with pytest.raises(ValueError, match="ITAFLOW_IDENTITY_KEY"):
        load_settings({k: v for k, v in env.items() if k != "ITAFLOW_IDENTITY_KEY"})
    with pytest.raises(ValueError, match="ITAFLOW_SSO_GOOGLE_CLIENT_SECRET"):
        load_settings({k: v for k, v in env.items() if k != "ITAFLOW_SSO_GOOGLE_CLIENT_SECRET"})
    settings = load_settings(env)
    shown = repr(settings) + repr(settings.as_dict())
    for secret in (CLIENTS["google"][1], CLIENTS["thaid"][1], IDENTITY_KEY):
        assert secret not in shown


def test_a_provider_on_plain_http_elsewhere_is_a_choice_made_explicitly(tmp_path):
    """The client secret and the tokens cross to the issuer: plain HTTP to it only on this machine, or chosen
    (ITAFLOW_PLAIN_HTTP=1, said at start); an https issuer needs nothing."""
    from config import load_settings

    env = chosen_nothing(sso_env(tmp_path, "http://sso.intranet.example"))
    with pytest.raises(ValueError, match="ITAFLOW_SSO_GOOGLE_ISSUER is plain HTTP"):
        load_settings(env)
    with pytest.raises(ValueError, match="ITAFLOW_SSO_THAID_DISCOVERY is plain HTTP"):
        load_settings(chosen_nothing(sso_env(tmp_path, "https://sso.example"))
                      | {"ITAFLOW_SSO_THAID_DISCOVERY": "http://x.example/d"})
    assert load_settings(env | {"ITAFLOW_PLAIN_HTTP": "1"}).sso_providers[0].issuer == "http://sso.intranet.example"
    for issuer in ("https://accounts.google.com", "http://127.0.0.1:8080", "http://localhost:8080"):
        assert load_settings(chosen_nothing(sso_env(tmp_path, issuer))).sso_providers[0].issuer == issuer


def chosen_nothing(env: dict) -> dict:
    return {k: v for k, v in env.items() if k != "ITAFLOW_PLAIN_HTTP"}


def test_the_access_log_masks_what_a_provider_sends_back():
    from web.accesslog import mask

    line = 'GET /login/sso/google/callback?code=abc123&state=s3cr3t&iss=http%3A%2F%2Fop HTTP/1.1'
    assert mask(line) == 'GET /login/sso/google/callback?code=***&state=***&iss=http%3A%2F%2Fop HTTP/1.1'
    assert mask("code=abc&state=xyz") == "code=***&state=***"


def test_the_admin_page_switches_providers_and_audits_each_change(site, op):
    admin = site.test_client()
    admin.post("/login", data={"email": "admin@demo.itaflow.test", "password": PASSWORD, "csrf_token": token(admin)})
    page = admin.get("/admin/sign-in").get_data(as_text=True)
    assert "/login/a/main" in page and f"{BASE}/login/sso/google/callback" in page
    bad = admin.post("/admin/sign-in/providers", data={"csrf_token": token(admin), "choice-google": "on",
                                                       "domain-google": "not a domain"})
    assert bad.status_code == 303
    assert "โดเมนของ Google ไม่ถูกต้อง" in admin.get("/admin/sign-in").get_data(as_text=True)
    before = len(events("sso_provider_changed"))
    admin.post("/admin/sign-in/providers", data={"csrf_token": token(admin), "choice-google": "on",
                                                 "domain-google": "demo.itaflow.test", "choice-thaid": "on"})
    changed = events("sso_provider_changed")[before:]
    assert [(e.data["provider"], e.data["after"]) for e in changed] == [
        ("google", {"enabled": True, "for_units": False, "domain": "demo.itaflow.test"}),
        ("thaid", {"enabled": True, "for_units": False, "domain": None})]
    page = site.test_client().get("/login/a/main").get_data(as_text=True)
    assert "เข้าสู่ระบบด้วย Google" in page and "เข้าสู่ระบบด้วย ThaID" in page
    # others may not: a secretariat officer is refused and the refusal audited
    other = site.test_client()
    other.post("/login", data={"email": "juthamas@demo.itaflow.test", "password": PASSWORD,
                               "csrf_token": token(other)})
    assert other.post("/admin/sign-in/providers", data={"csrf_token": token(other)}).status_code == 403


def test_an_unknown_agency_or_provider(site, op):
    client = site.test_client()
    assert client.get("/login/a/nowhere").status_code == 404
    assert client.get("/login/sso/nobody/callback").status_code == 404
    assert client.get("/login/sso/nobody").status_code == 404


# --- in Chromium ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_sign_in_with_a_provider_in_chromium_and_the_page_passes_axe(tmp_path, op):
    import time_machine

    # Chromium keeps cookies by the real clock, which has left the suite's pinned "now" behind: the app and the
    # provider run at the real time here (the provider's cookies would otherwise arrive already expired)
    real = time_machine.escape_hatch.time.time()
    with time_machine.travel(real, tick=True):
        op.set(now_ms=int(real * 1000))
        _browser_sign_in(tmp_path, op)


def _browser_sign_in(tmp_path, op):
    from werkzeug.serving import make_server

    from tests.test_accessibility import TAGS, _axe_source
    from tests.test_browser import ARTIFACTS, DESKTOP, PHONE

    base = f"http://127.0.0.1:{op.app_port}"
    app, ctx = make_app(sso_env(tmp_path, op.issuer, base))
    server = make_server("127.0.0.1", op.app_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        switch(google=("on", False, None), thaid=("on", False, None))
        op.set(accounts={"g-1001": person(STAFF)})
        from playwright.sync_api import sync_playwright

        ARTIFACTS.mkdir(exist_ok=True)
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=require_tool("chromium", "chromium"), args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"])
            context = chromium.new_context(viewport=DESKTOP, locale="th-TH", bypass_csp=True)
            page = context.new_page()
            source = _axe_source()
            violations = []
            for viewport in (DESKTOP, PHONE):
                page.set_viewport_size(viewport)
                page.goto(f"{base}/login/a/main")
                page.add_script_tag(content=source)
                result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
                violations += [f"{viewport['width']}px {v['id']}: {v['help']}" for v in result["violations"]]
            assert violations == [], violations
            page.set_viewport_size(DESKTOP)
            assert page.inner_text("#sso-google") == "เข้าสู่ระบบด้วย Google"
            assert page.inner_text("#sso-thaid") == "เข้าสู่ระบบด้วย ThaID"
            page.screenshot(path=ARTIFACTS / "sso-1-sign-in-page.png", full_page=True)
            page.click("#sso-google")
            page.wait_for_url(f"{op.issuer}/**")
            page.screenshot(path=ARTIFACTS / "sso-2-provider.png", full_page=True)
            assert "/interaction/" in page.url, page.content()[:3000]
            page.fill("#login", "g-1001")
            page.click("#provider-sign-in")
            page.wait_for_url(f"{base}/")
            assert "งานของฉัน" in page.inner_text("h1")
            page.screenshot(path=ARTIFACTS / "sso-3-signed-in.png", full_page=True)
            context.close()

            def axe(page) -> list[str]:
                page.add_script_tag(content=source)
                found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
                return [f"{page.url} {v['id']}: {v['help']}" for v in found["violations"]]

            # someone without an account: the page saying whom to ask
            op.set(accounts={"g-2002": person("stranger@gmail.example")})
            context = chromium.new_context(viewport=PHONE, locale="th-TH", bypass_csp=True)
            page = context.new_page()
            page.goto(f"{base}/login/a/main")
            page.click("#sso-google")
            page.wait_for_url(f"{op.issuer}/**")
            page.fill("#login", "g-2002")
            page.click("#provider-sign-in")
            page.wait_for_selector("#sso-refused")
            assert "ยังไม่มีบัญชีของท่านในระบบนี้" in page.inner_text("main")
            page.screenshot(path=ARTIFACTS / "sso-4-unknown-person.png", full_page=True)
            violations += axe(page)
            context.close()

            # the admin's page with both providers
            context = chromium.new_context(viewport=DESKTOP, locale="th-TH", bypass_csp=True)
            page = context.new_page()
            page.goto(f"{base}/login/a/main")
            page.fill("input[name=email]", "admin@demo.itaflow.test")
            page.fill("input[name=password]", PASSWORD)
            page.click("#password-sign-in")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/admin/sign-in")
            page.screenshot(path=ARTIFACTS / "sso-5-admin-page.png", full_page=True)
            for viewport in (DESKTOP, PHONE):
                page.set_viewport_size(viewport)
                page.goto(f"{base}/admin/sign-in")
                violations += axe(page)
            assert violations == [], violations
            context.close()
            chromium.close()
    finally:
        server.shutdown()
        thread.join(5)
        close_app(ctx)


def test_every_sign_in_setting_that_changes_data_writes_an_audit_event(site, op):
    """As tests/test_commit_boundary.py does for the other routes: each of this page's POSTs, with valid input,
    changes data and moves the agency's audit chain."""
    from tests.test_commit_boundary import fingerprint, head

    admin = site.test_client()
    admin.post("/login", data={"email": "admin@demo.itaflow.test", "password": PASSWORD, "csrf_token": token(admin)})
    staff_id, admin_id = user("hr-staff").id, user("admin").id
    op.set(accounts={"g-1001": person(STAFF)})
    assert sign_in(site.test_client(), op, "g-1001").status_code == 303  # a link to remove below
    walk = [
        ("/admin/sign-in/providers", {"choice-google": "on", "domain-google": "demo.itaflow.test",
                                      "choice-thaid": "on"}),
        ("/admin/sign-in/required", {"required": "1", "break_glass": str(admin_id)}),
        (f"/admin/users/{staff_id}/sign-in", {"action": "citizen", "citizen_id": CITIZEN}),
        (f"/admin/users/{staff_id}/sign-in", {"action": "citizen", "citizen_id": ""}),
        (f"/admin/users/{staff_id}/sign-in", {"action": "unlink", "provider": "google"}),
        ("/admin/sign-in/required", {"required": "", "break_glass": ""}),
        ("/admin/sign-in/providers", {"choice-google": "off", "choice-thaid": "off"}),
    ]
    for path, form in walk:
        before, seq = fingerprint(), head()
        response = admin.post(path, data={"csrf_token": token(admin), **form})
        assert response.status_code == 303, path
        assert "flash error" not in admin.get("/admin/sign-in").get_data(as_text=True), (path, form)
        assert fingerprint() != before and head() > seq, f"{path} {form} changed nothing or wrote no audit event"
