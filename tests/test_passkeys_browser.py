"""Passkeys in Debian's Chromium with its virtual authenticator (DevTools protocol: WebAuthn.enable,
WebAuthn.addVirtualAuthenticator): added on ความปลอดภัยของบัญชี, then the second step of a sign-in, and set
up at sign-in when the agency requires one. The site is served as http://localhost (a secure context: WebAuthn
refuses an IP address as the relying party's id)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, require_tool, user
from tests.test_browser import ARTIFACTS, DESKTOP
from tests.test_live import free_port
from web import create_app
from workflow import clock
from workflow.db import db
from workflow.models import AuditEvent, Passkey

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path):
    import os

    from web.security import limiter
    from workflow.onboarding.demo import run_demo

    port = free_port()
    app = create_app({
        "ITAFLOW_INSTANCE": str(tmp_path / "instance"),
        "ITAFLOW_SECRET_KEY": "test-secret-key-not-for-production",
        "ITAFLOW_BASE_URL": f"http://localhost:{port}",
        "DATABASE_URL": os.environ.get("ITAFLOW_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite'}",
    })
    app.config["TESTING"] = True
    with app.app_context():
        db.drop_all()
        db.create_all()
        run_demo(now=clock.now(), password=PASSWORD)
        db.session.commit()
        limiter.reset()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://localhost:{port}"
        server.shutdown()
        thread.join(5)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=require_tool("chromium", "chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chromium
        chromium.close()


def with_authenticator(browser):
    """A page in a fresh context whose Chromium has a platform authenticator (fingerprint-like: resident keys,
    user verification that passes)."""
    context = browser.new_context(viewport=DESKTOP, locale="th-TH")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return page, cdp, added["authenticatorId"]


def type_password(page, site: str, email: str) -> None:
    page.goto(f"{site}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def test_a_passkey_added_then_the_second_step_of_a_sign_in(browser, site):
    page, cdp, authenticator = with_authenticator(browser)
    type_password(page, site, "pannee@demo.itaflow.test")
    page.wait_for_url(f"{site}/")
    page.goto(f"{site}/security")
    page.fill("#passkey-name", "โน้ตบุ๊กที่ทำงาน")
    page.fill("#passkey-password", PASSWORD)  # adding a factor asks for the password again
    page.click("#passkey-button")
    page.wait_for_url(f"{site}/security/codes")  # a first factor: ten recovery codes, shown once
    assert len(page.locator("#recovery-codes li").all()) == 10
    page.screenshot(path=ARTIFACTS / "passkey-1-recovery-codes.png", full_page=True)
    page.click("#codes-kept")
    page.wait_for_url(f"{site}/security")
    assert "โน้ตบุ๊กที่ทำงาน" in page.inner_text("main")
    db.session.expire_all()
    key = db.session.scalar(select(Passkey))
    assert key is not None and key.user_id == user("pannee").id
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1

    # a new browser session on the same device: the password, then the passkey
    page.context.clear_cookies()
    type_password(page, site, "pannee@demo.itaflow.test")
    page.wait_for_url(f"{site}/login/second-factor")
    page.goto(f"{site}/")  # not signed in between the two
    assert "/login" in page.url
    page.goto(f"{site}/login/second-factor")
    page.screenshot(path=ARTIFACTS / "passkey-2-second-step.png", full_page=True)
    page.click("#passkey-button")
    page.wait_for_url(f"{site}/")
    assert "งานของฉัน" in page.inner_text("h1")
    db.session.expire_all()
    assert db.session.scalar(select(Passkey.last_used_at)) is not None
    passed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "second_factor_passed"))
    assert passed.data == {"method": "passkey"}


def test_another_device_without_the_passkey_gets_nowhere(browser, site):
    page, _cdp, _authenticator = with_authenticator(browser)
    type_password(page, site, "pannee@demo.itaflow.test")
    page.wait_for_url(f"{site}/")
    page.goto(f"{site}/security")
    page.fill("#passkey-password", PASSWORD)
    page.click("#passkey-button")
    page.wait_for_url(f"{site}/security/codes")
    # the thief's browser has the password and an authenticator of its own, not the person's passkey
    thief, _cdp2, _other = with_authenticator(browser)
    type_password(thief, site, "pannee@demo.itaflow.test")
    thief.wait_for_url(f"{site}/login/second-factor")
    thief.click("#passkey-button")
    thief.wait_for_selector("#passkey-error:not([hidden])")
    assert thief.url == f"{site}/login/second-factor"
    thief.goto(f"{site}/")
    assert "/login" in thief.url


def test_set_up_at_sign_in_when_the_agency_requires_it(browser, site):
    from workflow.models import Agency

    agency = db.session.get(Agency, user("admin").agency_id)
    agency.second_factor = "everyone"
    db.session.commit()
    page, _cdp, _authenticator = with_authenticator(browser)
    type_password(page, site, "hr-staff@demo.itaflow.test")
    page.wait_for_url(f"{site}/login/second-factor/setup")
    assert "หน่วยงานของท่านกำหนด" in page.inner_text("main")
    page.screenshot(path=ARTIFACTS / "passkey-3-required-setup.png", full_page=True)
    page.click("#passkey-button")
    page.wait_for_url(f"{site}/security/codes")
    page.click("#codes-kept")
    page.wait_for_url(f"{site}/")
    assert "งานของฉัน" in page.inner_text("h1")
