"""The gaps an attacker's run found against a fresh instance (issue 26), each with the test that would have
caught it: a burst of uploads, files other local users could read, plain HTTP by default, e-mail links fixed
when queued, LINE's secrets stored as given, guesses counted per web worker."""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
import threading

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from tests.conftest import PASSWORD, step, user
from tests.test_web import ROLE_USERS, login, token
from web import create_app
from workflow import clock
from workflow.db import db
from workflow.models import Evidence, LineChannel, OutboxMessage


def _open_step():
    return step("1.1", 3) if step("1.1", 2).state != "open" else step("1.1", 2)


def test_a_burst_of_uploads_is_limited(demo):
    from workflow.errors import RateLimited
    from workflow.publishing import evidence as evidence_service

    s, owner = _open_step(), user("hr-staff").id
    for i in range(evidence_service.MAX_FILES_PER_MINUTE):
        evidence_service.add_file(s.id, actor_id=owner, now=clock.now(), filename=f"{i}.pdf", data=b"%PDF-1.4 x")
    with pytest.raises(RateLimited) as burst:
        evidence_service.add_file(s.id, actor_id=owner, now=clock.now(), filename="more.pdf", data=b"%PDF-1.4 x")
    assert "ต่อนาที" in burst.value.message_th and burst.value.http_status == 429
    db.session.rollback()


def test_a_burst_sent_at_once_cannot_slip_past_the_limit(demo):
    """Fifteen uploads at the same moment, each in its own thread and transaction (as web workers would)."""
    from workflow.errors import RateLimited
    from workflow.publishing import evidence as evidence_service

    step_id, owner = _open_step().id, user("hr-staff").id  # ids: the test's objects stay in its own thread
    db.session.commit()
    outcomes: list[str] = []

    def upload(i: int) -> None:
        with demo.app_context():
            try:
                evidence_service.add_file(step_id, actor_id=owner, now=clock.now(), filename=f"{i}.pdf",
                                          data=b"%PDF-1.4 " + b"x" * 1024)
                db.session.commit()
                outcomes.append("stored")
            except RateLimited:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(15)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.session.expire_all()
    stored = db.session.scalar(select(func.count()).select_from(Evidence).where(Evidence.kind == "file"))
    assert sorted(outcomes) == ["refused"] * 5 + ["stored"] * 10 and stored == 10


def test_every_file_and_folder_is_private_to_the_service(tmp_path, caplog):
    instance = tmp_path / "instance"
    (instance / "uploads").mkdir(parents=True)
    old = instance / "uploads" / "old.pdf"
    old.write_bytes(b"%PDF-1.4")
    old.chmod(0o644)
    (instance / "uploads").chmod(0o755)
    database = tmp_path / "elsewhere.sqlite"
    database.write_bytes(b"")
    database.chmod(0o644)
    previous = os.umask(0o022)
    try:
        with caplog.at_level(logging.WARNING, logger="itaflow"):
            app = create_app({"ITAFLOW_INSTANCE": str(instance), "ITAFLOW_SECRET_KEY": "k",
                              "DATABASE_URL": f"sqlite:///{database}"})
        mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
        assert mode(old) == 0o600 and mode(instance / "uploads") == 0o700 and mode(instance) == 0o700
        assert mode(database) == 0o600
        assert any("readable by other local users" in r.getMessage() for r in caplog.records)
        # what the service writes from now on is private from the start
        with app.app_context():
            db.create_all()
            from workflow.publishing import evidence as evidence_service

            new = evidence_service.upload_folder() / "new.pdf"
            new.write_bytes(b"%PDF-1.4")
            assert mode(new) == 0o600
            assert mode(instance / "data_key") == 0o600
            db.engine.dispose()
    finally:
        os.umask(previous)


def test_plain_http_to_another_machine_is_a_choice_made_explicitly(tmp_path, caplog):
    from web.security import PlainHttpRefused

    base = {"ITAFLOW_INSTANCE": str(tmp_path / "i"), "ITAFLOW_SECRET_KEY": "k",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "ITAFLOW_BASE_URL": "http://ita.school.local"}
    with pytest.raises(PlainHttpRefused, match="ITAFLOW_PLAIN_HTTP=1"):
        create_app(base)
    with caplog.at_level(logging.WARNING, logger="itaflow"):
        app = create_app({**base, "ITAFLOW_PLAIN_HTTP": "1"})
    assert any("plain HTTP" in r.getMessage() for r in caplog.records)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    # this machine alone (the embedded default, docker-compose's localhost) needs no choice
    for local in ("http://127.0.0.1:5000", "http://localhost:8000", "http://[::1]:5000"):
        create_app({**base, "ITAFLOW_BASE_URL": local})
    assert create_app({**base, "ITAFLOW_BASE_URL": "https://ita.school.local"}).config["SESSION_COOKIE_SECURE"]


def test_the_admin_page_warns_of_plain_http(demo):
    page = login(demo, "admin").get("/admin/").get_data(as_text=True)
    assert 'id="plain-http-warning"' in page  # the suite's app chose plain HTTP (conftest)
    demo.config["ITAFLOW"] = dataclasses.replace(demo.config["ITAFLOW"], base_url="https://ita.example.go.th")
    assert 'id="plain-http-warning"' not in login(demo, "admin").get("/admin/").get_data(as_text=True)


def test_email_links_are_made_from_the_base_url_when_sent(demo):
    """An alert queued while the base URL was the embedded default still leads to the site once it is set."""
    from workflow.channels import notify
    from workflow.people import invitations

    s = _open_step()
    notify.step_opened(s, "links-test", clock.now())
    invitations.invite(user("pannee").id, actor_id=user("admin").id, now=clock.now())
    db.session.commit()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event.in_(("step_opened", "invitation")))
                              .order_by(OutboxMessage.id)).all()
    assert rows and all("http://itaflow.test" not in str(r.payload) for r in rows)  # nothing absolute is kept
    demo.config["ITAFLOW"] = dataclasses.replace(demo.config["ITAFLOW"], base_url="https://ita.example.go.th")
    for row in rows:
        body, html = notify.render_message(row)
        assert "https://ita.example.go.th/" in body and "http://itaflow.test" not in body + html
        assert "site:" not in body + html


def _raw(column: str) -> str:
    return db.session.execute(text(f"SELECT {column} FROM line_channel")).scalar_one()


def test_line_secrets_are_encrypted_at_rest_and_re_encrypted_under_a_new_key(demo):
    from workflow import secretbox

    agency_id = user("admin").agency_id
    db.session.add(LineChannel(agency_id=agency_id, access_token="the-channel-access-token", channel_secret="s" * 32,
                               bot_user_id="U" + "a" * 32, immediate=[], updated_at=clock.now()))
    db.session.commit()
    assert _raw("access_token").startswith("enc1:") and "the-channel-access-token" not in _raw("access_token")
    assert _raw("channel_secret").startswith("enc1:") and "s" * 32 not in _raw("channel_secret")
    db.session.expire_all()
    assert db.session.scalar(select(LineChannel.access_token)) == "the-channel-access-token"

    old = demo.config["ITAFLOW"].data_keys
    new = Fernet.generate_key().decode()
    demo.config["ITAFLOW"] = dataclasses.replace(demo.config["ITAFLOW"], data_keys=(new, *old))
    before = _raw("access_token")
    assert secretbox.rotate()["line_channel.access_token"] == 1
    db.session.commit()
    assert _raw("access_token") != before
    demo.config["ITAFLOW"] = dataclasses.replace(demo.config["ITAFLOW"], data_keys=(new,))  # the old key dropped
    db.session.expire_all()
    assert db.session.scalar(select(LineChannel.channel_secret)) == "s" * 32
    demo.config["ITAFLOW"] = dataclasses.replace(demo.config["ITAFLOW"], data_keys=old)  # only the old one
    db.session.expire_all()
    with pytest.raises(secretbox.SecretKeyError):
        db.session.scalar(select(LineChannel.channel_secret))
    db.session.rollback()


def test_a_secret_stored_before_encryption_is_sealed_by_init(demo):
    from click.testing import CliRunner

    from web.cli import main

    agency_id = user("admin").agency_id
    db.session.execute(text("INSERT INTO line_channel (agency_id, access_token, channel_secret, bot_user_id, "
                            "immediate, updated_at) VALUES (:a, 'plain-token', 'plain-secret', 'Ubot', '[]', :t)"),
                       {"a": agency_id, "t": clock.now()})
    db.session.commit()
    assert db.session.scalar(select(LineChannel.access_token)) == "plain-token"  # still read as it was
    from workflow import secretbox

    assert secretbox.rotate(only_plain=True) == {"line_channel.access_token": 1, "line_channel.channel_secret": 1,
                                                 "totp_credential.secret": 0}
    db.session.commit()
    assert _raw("access_token").startswith("enc1:")
    db.session.expire_all()
    assert db.session.scalar(select(LineChannel.access_token)) == "plain-token"
    result = CliRunner().invoke(main, ["secrets", "new-key"])
    assert result.exit_code == 0 and len(result.output.strip()) == 44


def test_guesses_at_one_account_are_counted_whatever_the_number_of_workers(demo, tmp_path):
    """Two web workers (two apps, each with its own memory) and sixteen guesses sent at once from sixteen
    addresses: ten are answered, the rest held back."""
    settings = demo.config["ITAFLOW"]
    other = create_app({"ITAFLOW_INSTANCE": str(settings.instance_path), "ITAFLOW_SECRET_KEY": settings.secret_key,
                        "ITAFLOW_BASE_URL": settings.base_url, "ITAFLOW_PLAIN_HTTP": "1",
                        "DATABASE_URL": settings.database_url})
    other.config["TESTING"] = True
    other.test_client_class = demo.test_client_class
    clients = []
    for i in range(16):
        client = (demo if i % 2 else other).test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.9.{i}.1"
        clients.append((client, token(client)))
    statuses: list[int] = []

    def guess(client, csrf: str) -> None:
        statuses.append(client.post("/login", data={"email": ROLE_USERS["director"], "password": "a-wrong-guess",
                                                    "csrf_token": csrf}).status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [401] * 10 + [429] * 6
    # the account's owner is held back too until the window ends, from either worker
    client = other.test_client()
    assert client.post("/login", data={"email": ROLE_USERS["director"], "password": PASSWORD,
                                       "csrf_token": token(client)}).status_code == 429
    with other.app_context():
        db.engine.dispose()
