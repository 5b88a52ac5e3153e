"""Fixtures: a fresh app and database per test, on SQLite by default or on PostgreSQL when
ITAFLOW_TEST_DATABASE_URL is set (the README's test command runs the suite on both).

"Now" is pinned for every test (time-machine, ticking from a fixed instant): no result may depend on the
day the suite runs. ``ITAFLOW_TEST_NOW`` moves the pin; ``./scripts/test`` runs the fast part again at
dates that break calendar code (29 Feb, 31 Dec, the 30 Sep / 1 Oct fiscal turn, Songkran).
"""

from __future__ import annotations

import contextvars
import os
from datetime import UTC, datetime

import pytest
import time_machine
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import select

from web import create_app
from workflow.db import db
from workflow.models import Step, User

PG_URL = os.environ.get("ITAFLOW_TEST_DATABASE_URL")
NOW = datetime(2024, 5, 20, 3, 0, tzinfo=UTC)  # 20 May 2567, 10:00 in Bangkok, inside the memo's period
#: the instant every test starts at, unless the test passes its own ``now=`` to the services
TEST_NOW = datetime.fromisoformat(os.environ.get("ITAFLOW_TEST_NOW") or "2026-11-25T10:00:00+07:00")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """argon2id with the library's cheapest parameters: the demo hashes nine passwords per test, which at
    production cost is most of a test's time. The hashes stay argon2id, checked the same way; a hash of
    the production hasher needs re-hashing under it and the other way round (tests/test_web.py)."""
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    from workflow.people import users

    monkeypatch.setattr(users, "hasher", PasswordHasher.from_parameters(CHEAPEST))


@pytest.fixture(autouse=True)
def pinned_now():
    """The system clock of the test process starts at TEST_NOW for every test (and ticks, so timeouts and
    waits still work). Subprocesses get the same instant through ITAFLOW_CLOCK_FILE (workflow/clock.py)."""
    with time_machine.travel(TEST_NOW, tick=True):
        yield TEST_NOW


class RequestInItsOwnContext(FlaskClient):
    """Each request runs as in production: in an application context of its own (its own ``g``, locale and
    database session), not in the test's. The test's own session then reads what the request committed."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture
def app(tmp_path):
    env = {
        "ITAFLOW_INSTANCE": str(tmp_path / "instance"),
        "ITAFLOW_SECRET_KEY": "test-secret-key-not-for-production",
        "ITAFLOW_BASE_URL": "http://itaflow.test",
        "ITAFLOW_PLAIN_HTTP": "1",  # a made-up host on plain HTTP: chosen, as production must (tests/test_web.py)
        "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
    }
    app = create_app(env)
    app.config["TESTING"] = True
    app.test_client_class = RequestInItsOwnContext
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


#: every demo account's password in the web tests (the demo fixture)
PASSWORD = "correct-horse-battery"


@pytest.fixture
def demo(app):
    """The demo (dates moved so today lies inside the period) with one password for every account."""
    from web.security import limiter
    from workflow import clock
    from workflow.onboarding.demo import run_demo

    run_demo(now=clock.now(), password=PASSWORD)
    db.session.commit()
    limiter.reset()  # the login throttle's counts must not leak from one test into the next
    return app


@pytest.fixture
def seed(app):
    """The memo's measures as written (BE 2567), with the demo people, emails and directors."""
    from workflow.engine.instantiate import instantiate
    from workflow.onboarding.demo import demo_document

    result = instantiate(demo_document(NOW.date(), as_written=True), actor_id=None, now=NOW,
                         source_name="test")
    db.session.commit()
    return result.cycle


def require_tool(command: str, package: str) -> str:
    """The path of a program a test needs; a clear failure (never a skip) when it is missing."""
    import shutil

    path = shutil.which(command)
    assert path, f"{command} is missing: install Debian's {package} (./scripts/test does)"
    return path


def agency_id() -> int:
    """The deployment's agency (made at the top if there is none yet), for tests that add people by hand."""
    from workflow.people import agencies

    return agencies.first(actor_id=None, now=NOW).id


def user(key: str) -> User:
    return db.session.execute(select(User).where(User.key == key)).scalar_one()


def step(code: str, number: int, occurrence: int = 1) -> Step:
    from workflow.models import Measure

    return db.session.execute(
        select(Step).join(Measure).where(Measure.code == code, Step.number == number,
                                         Step.occurrence == occurrence)
    ).scalar_one()
