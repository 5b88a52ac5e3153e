"""LINE, the second channel, against a local server that follows the Messaging API's contract
(tests/lineserver.py): the webhook's signature, binding a group with the bot's one-time code, leaving, a push
per event through the outbox (never twice: the retry key), 429 storms, LINE down then up, a revoked token, the
daily digest and the round report, a person's own account; bad webhook bodies refused with nothing written."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, TEST_NOW, step, user
from tests.lineserver import BOT_USER_ID, LineApi
from tests.test_web import token
from workflow.channels import alerts, linebind, lineout
from workflow.channels.lineapi import signature
from workflow.clock import set_fake_now
from workflow.db import db
from workflow.engine import transitions
from workflow.models import AuditEvent, LineChannel, LineTarget, LineWebhookEvent, OutboxMessage, Step, Timer

SECRET = "0123456789abcdef0123456789abcdef"
NOW = TEST_NOW  # the demo's day (its dates are moved around it)
LATER = NOW + timedelta(hours=1)


def sendable():
    """When an alert queued at LATER may leave: LATER itself in alert hours, else the next working day's office
    hour (alerts.send_moment). The suite runs pinned to 23:30 on 31 December and to Songkran as well."""
    return alerts.next_alert_moment(LATER)


def working_morning(days: int):
    """The office hour of the working day ``days`` working days after the pinned day (a digest is never sent on
    a weekend or a Thai holiday, and the suite runs pinned to some)."""
    from workflow.calendar import WorkingCalendar
    from workflow.channels.alerts import office_time
    from workflow.thaidate import bangkok_moment, bangkok_today

    return bangkok_moment(WorkingCalendar().add_working_days(bangkok_today(NOW), days), office_time())


def _to_review():
    """The demo's accuracy check of 1.5 waits for กลุ่มอำนวยการ's director (its steps 1 and 2 done)."""
    review = step("1.5", 3)
    assert review.state == "open" and review.kind == "review"
    return review


@pytest.fixture
def line(app):
    api = LineApi()
    settings = app.config["ITAFLOW"]
    app.config["ITAFLOW"] = dataclasses.replace(settings, line_api_url=api.url, line_timeout=2.0)
    yield api
    api.down()
    app.config["ITAFLOW"] = settings


def sign_in(app, email: str):
    client = app.test_client()
    r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token(client)})
    assert r.status_code == 302
    return client


@pytest.fixture
def office(demo, line, app):
    """The demo agency with its LINE channel saved by its admin (the token tried against LINE)."""
    linebind.save_channel(actor_id=user("admin").id, now=NOW, token="test-token", secret=SECRET,
                          immediate=["sent_back", "escalation", "round_report"])
    db.session.commit()
    return demo


_counter = iter(range(1, 10**6))


def event(kind: str, source: dict, *, at=None, reply: bool = True, **extra) -> dict:
    n = next(_counter)
    body = {"type": kind, "mode": "active", "timestamp": int(((at or NOW).timestamp()) * 1000),
            "source": source, "webhookEventId": f"01HTEST{n:019d}", "deliveryContext": {"isRedelivery": False},
            **extra}
    if reply:
        body["replyToken"] = f"reply-{n}"
    return body


def post_webhook(app, events: list[dict], *, secret: str = SECRET, sign: bool = True, raw: bytes | None = None,
                 destination: str = BOT_USER_ID):
    body = raw if raw is not None else json.dumps({"destination": destination, "events": events}).encode()
    headers = {"Content-Type": "application/json"}
    if sign:
        headers["x-line-signature"] = signature(secret, body)
    response = app.test_client().post("/line/webhook", data=body, headers=headers)
    response.close()  # the server's part after the answer: replies go out once the request committed
    return response


def counts() -> tuple[int, int, int, int]:
    return (db.session.scalar(select(func.count()).select_from(LineTarget)),
            db.session.scalar(select(func.count()).select_from(LineWebhookEvent)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


GROUP = {"type": "group", "groupId": "C" + "a" * 32, "userId": "U" + "b" * 32}


def join_and_bind(app, line, scope: str = "agency", group: dict = GROUP) -> LineTarget:
    assert post_webhook(app, [event("join", group)]).status_code == 200
    code = re.search(r"รหัสผูกบัญชี (\S+)", line.state.replies[-1][1])[1]
    admin = sign_in(app, user("admin").email)
    r = admin.post("/admin/line/bind", data={"csrf_token": token(admin), "code": code, "scope": scope})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    db.session.expire_all()
    return db.session.execute(select(LineTarget).where(LineTarget.line_id == group["groupId"])).scalar_one()


def test_the_admin_saves_the_channel_and_the_secrets_stay_secret(demo, line, app):
    admin = sign_in(app, user("admin").email)
    before = counts()
    bad = admin.post("/admin/line", data={"csrf_token": token(admin), "token": "revoked-token", "secret": SECRET})
    assert bad.status_code == 422 and "LINE ไม่รับ Channel access token" in bad.get_data(as_text=True)
    short = admin.post("/admin/line", data={"csrf_token": token(admin), "token": "test-token", "secret": "abc"})
    assert short.status_code == 422 and "Channel secret" in short.get_data(as_text=True)
    assert counts() == before and db.session.scalar(select(func.count()).select_from(LineChannel)) == 0
    r = admin.post("/admin/line", data={"csrf_token": token(admin), "token": "test-token", "secret": SECRET,
                                        "immediate": ["sent_back"]})
    assert r.status_code == 303
    channel = db.session.execute(select(LineChannel)).scalar_one()
    assert channel.bot_user_id == BOT_USER_ID and channel.immediate == ["sent_back"]
    page = admin.get("/admin/line").get_data(as_text=True)
    assert "ITA ศธจ.ร้อยเอ็ด" in page and "/line/webhook" in page
    assert SECRET not in page and "test-token" not in page and "cdef" in page  # masked: the last four
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "line_channel_saved")).scalars().all()
    assert len(events) == 1 and SECRET not in json.dumps(events[0].data) and "test-token" not in json.dumps(
        events[0].data)
    # a blank field keeps what is stored
    assert admin.post("/admin/line", data={"csrf_token": token(admin), "immediate": ["escalation"]}
                      ).status_code == 303
    db.session.expire_all()
    assert channel.channel_secret == SECRET and channel.immediate == ["escalation"]
    assert db.session.scalar(select(func.count()).select_from(Timer).where(Timer.kind == lineout.DIGEST)) == 1


def test_a_group_is_bound_with_the_bots_code_and_unbound_when_the_bot_leaves(office, line, app):
    target = join_and_bind(app, line, scope="agency")
    assert target.state == "bound" and target.group_id is None and target.code_hash is None
    code = re.search(r"รหัสผูกบัญชี (\S+)", line.state.replies[-1][1])[1]
    admin = sign_in(app, user("admin").email)
    again = admin.post("/admin/line/bind", data={"csrf_token": token(admin), "code": code, "scope": "agency"})
    assert again.status_code == 422 and "รหัสไม่ถูกต้องหรือหมดอายุ" in again.get_data(as_text=True)  # used once
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "line_group_bound")).scalar_one()
    assert post_webhook(app, [event("leave", GROUP, reply=False)]).status_code == 200
    db.session.expire_all()
    assert target.state == "left"


def test_a_guessed_code_is_refused_and_guesses_run_out(office, line, app):
    assert post_webhook(app, [event("join", GROUP)]).status_code == 200
    real = re.search(r"รหัสผูกบัญชี (\S+)", line.state.replies[-1][1])[1]
    admin = sign_in(app, user("admin").email)
    for guess in ("AAAA-AAAA", "", "x" * 30, "'; drop table line_target; --"):
        r = admin.post("/admin/line/bind", data={"csrf_token": token(admin), "code": guess, "scope": "agency"})
        assert r.status_code == 422
    r = admin.post("/admin/line/bind", data={"csrf_token": token(admin), "code": real, "scope": "group:999999"})
    assert r.status_code == 422 and "เลือกว่าจะผูก" in r.get_data(as_text=True)
    db.session.expire_all()
    target = db.session.execute(select(LineTarget)).scalar_one()
    assert target.state == "pending" and target.attempts == 4
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "line_code_refused")) == 4
    target.attempts = linebind.MAX_CODE_ATTEMPTS
    db.session.commit()
    r = admin.post("/admin/line/bind", data={"csrf_token": token(admin), "code": real, "scope": "agency"})
    assert r.status_code == 422  # the right code after too many guesses: void, invite the bot again


def test_bad_webhook_bodies_are_refused_with_nothing_written(office, line, app):
    good = [event("join", GROUP)]
    before = counts()
    body = json.dumps({"destination": BOT_USER_ID, "events": good}).encode()
    cases = [
        (post_webhook(app, good, sign=False), 401),
        (post_webhook(app, good, secret="f" * 32), 403),
        (post_webhook(app, good, destination="U" + "9" * 32), 403),
        (post_webhook(app, [], raw=b"not json"), 400),
        (post_webhook(app, [], raw=json.dumps([1, 2]).encode()), 400),
        (post_webhook(app, [{"type": "join"}]), 400),
        (post_webhook(app, [event("somethingNew", GROUP)]), 400),
        (post_webhook(app, [{**event("join", GROUP), "timestamp": 10**30}]), 400),
        (post_webhook(app, [{**event("join", GROUP), "source": "group"}]), 400),
        (post_webhook(app, [], raw=b"{" + b" " * (linebind.MAX_BODY + 10) + b"}"), 413),
        (post_webhook(app, [event("join", GROUP, at=NOW - timedelta(days=3))]), 409),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.status_code, status, response.get_data(as_text=True))
        assert SECRET not in response.get_data(as_text=True) and "test-token" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert counts() == before and line.state.replies == []
    # the real body once, then the same body again (a replay): acted on once
    headers = {"Content-Type": "application/json", "x-line-signature": signature(SECRET, body)}
    assert app.test_client().post("/line/webhook", data=body, headers=headers).status_code == 200
    after = counts()
    assert app.test_client().post("/line/webhook", data=body, headers=headers).status_code == 409
    assert counts() == after
    # LINE's "Verify" button: a signed body with no event
    assert post_webhook(app, []).status_code == 200


def _send_back(reason: str = "ตัวเลขไม่ตรงกับระบบ e-GP"):
    review = _to_review()
    transitions.send_back(review.id, actor_id=user("dir-admin").id, now=LATER, expected_version=review.version,
                          reason=reason)
    db.session.commit()
    return review


def line_rows(status: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.channel == "line").order_by(OutboxMessage.id)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.execute(query).scalars())


def test_a_send_back_is_pushed_once_with_its_link(office, line, app):
    join_and_bind(app, line, scope="agency")
    _send_back()
    rows = line_rows()
    assert len(rows) == 1 and rows[0].status == "pending"
    result = lineout.deliver_line(sendable())
    assert result.sent == 1 and line_rows("sent")
    (to, text, key), = line.state.pushes
    assert to == GROUP["groupId"] and key == rows[0].message_id
    assert "ส่งกลับแก้ไข" in text and "e-GP" in text and f"/steps/{step('1.5', 2).id}" in text
    # the link is made from the base URL when the message is sent, as an e-mail's is (issue 26)
    assert f"http://itaflow.test/steps/{step('1.5', 2).id}" in text and "site:" not in text
    assert "itaflow.test" not in rows[0].payload["text"]
    assert lineout.deliver_line(sendable() + timedelta(minutes=5)).claimed == 0  # nothing twice
    assert len(line.state.pushes) == 1
    # e-mail's deliverer leaves LINE rows alone, and LINE's leaves e-mail
    assert all(r.channel == "email" for r in db.session.execute(select(OutboxMessage).where(
        OutboxMessage.status == "pending")).scalars())
    admin = sign_in(app, user("admin").email)
    assert "ส่งข้อความแล้วเดือนนี้ ๑ ข้อความ" in admin.get("/admin/line").get_data(as_text=True)
    assert "LINE #" in admin.get("/admin/outbox").get_data(as_text=True)


def test_an_event_switched_off_waits_for_the_digest(office, line, app):
    join_and_bind(app, line, scope="agency")
    channel = db.session.execute(select(LineChannel)).scalar_one()
    channel.immediate = ["round_report"]
    db.session.commit()
    _send_back()
    assert line_rows() == []


def test_a_push_lost_after_line_took_it_is_not_posted_twice(office, line, app):
    """LINE accepts the push and the answer never arrives (a timeout; a worker killed while waiting): the row
    is tried again with the same retry key, LINE answers 409, the row is sent, and the group saw it once."""
    join_and_bind(app, line)
    _send_back()
    line.state.hang_up_after_accept = 1
    first = lineout.deliver_line(sendable())
    assert first.retried == 1 and len(line.state.pushes) == 1
    row = line_rows()[0]
    assert row.status == "pending" and row.next_attempt_at > sendable()
    assert lineout.deliver_line(sendable() + timedelta(seconds=10)).claimed == 0  # backing off
    second = lineout.deliver_line(row.next_attempt_at)
    assert second.sent == 1 and len(line.state.pushes) == 1 and line_rows("sent")


def test_a_worker_killed_mid_push_leaves_the_row_to_its_lease(office, line, app, tmp_path):
    """A sender process is killed while LINE holds its push: the row stays claimed until its lease runs out,
    then the next sender pushes it with the same key; LINE's 409 settles it; the group saw one message."""
    import os
    import signal
    import subprocess
    import sys
    import threading

    join_and_bind(app, line)
    _send_back()
    line.state.hold = threading.Event()
    settings = app.config["ITAFLOW"]
    env = {**os.environ, "DATABASE_URL": settings.database_url, "ITAFLOW_INSTANCE": str(settings.instance_path),
           "ITAFLOW_SECRET_KEY": settings.secret_key, "ITAFLOW_LINE_API": line.url,
           "ITAFLOW_BASE_URL": settings.base_url, "ITAFLOW_PLAIN_HTTP": "1"}
    script = ("import sys; from datetime import datetime; from web import create_app; "
              "from workflow.channels.lineout import deliver_line; app = create_app()\n"
              "with app.app_context(): deliver_line(datetime.fromisoformat(sys.argv[1]))")
    worker = subprocess.Popen([sys.executable, "-c", script, sendable().isoformat()], env=env, cwd=os.getcwd())
    try:
        deadline = time.monotonic() + 30
        while not line.state.pushes and time.monotonic() < deadline:
            time.sleep(0.05)
        assert line.state.pushes, "the worker never reached LINE"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        line.state.hold.set()
        if worker.poll() is None:
            worker.kill()
    line.state.hold = None
    db.session.expire_all()
    row = line_rows()[0]
    assert row.status == "sending" and row.lease_until is not None
    assert lineout.deliver_line(sendable() + timedelta(seconds=30)).claimed == 0  # its lease still holds
    result = lineout.deliver_line(row.lease_until + timedelta(seconds=1))
    assert result.sent == 1 and len(line.state.pushes) == 1 and line_rows("sent")


@pytest.fixture
def line_senders(office, line, app, tmp_path):
    """Real sender processes (tests/senders.py) pushing to the local LINE server, "now" from a clock file."""
    from tests.senders import Senders

    settings = app.config["ITAFLOW"]
    clock_file = tmp_path / "clock"
    env = {**os.environ, "DATABASE_URL": settings.database_url, "ITAFLOW_INSTANCE": str(settings.instance_path),
           "ITAFLOW_SECRET_KEY": settings.secret_key, "ITAFLOW_LINE_API": line.url, "ITAFLOW_LINE_TIMEOUT": "5",
           "ITAFLOW_BASE_URL": settings.base_url, "ITAFLOW_PLAIN_HTTP": "1", "ITAFLOW_MAIL_MAX_ATTEMPTS": "4",
           "ITAFLOW_CLOCK_FILE": str(clock_file)}
    senders = Senders(env, tmp_path / "senders.log")
    killed: list[int] = []
    current: dict[str, int | None] = {"pid": None}

    def kill() -> None:
        if current["pid"] is not None:
            os.kill(current["pid"], signal.SIGKILL)
            killed.append(current["pid"])
            current["pid"] = None

    def run(moment) -> int:
        set_fake_now(clock_file, moment)
        child = senders.start("line")
        current["pid"] = child.pid
        status = child.wait(120)
        current["pid"] = None
        return status

    yield SimpleNamespace(run=run, kill=kill, killed=killed)
    senders.close()


def _queue_line_rows(app, line, count: int) -> list[OutboxMessage]:
    """``count`` immediate messages to one bound group, due at once."""
    target = join_and_bind(app, line)
    rows = [lineout._row(f"kill-test:{i}", "sent_back", target, f"ข้อความที่ {i}", LATER) for i in range(count)]
    from workflow.channels.notify import _insert_rows

    _insert_rows(rows)
    db.session.commit()
    return line_rows()


@pytest.mark.slow
def test_line_senders_killed_again_and_again_push_everything_once(line_senders, line, app):
    """Sender processes SIGKILLed while LINE holds every third push, more times than a row may be tried: every
    row is pushed and settled, none failed (only the push in hand at a death is a try), each seen once by the
    group (the retry key)."""
    rows = _queue_line_rows(app, line, 20)
    arrivals = {"n": 0}

    def every_third(_to, _key):
        arrivals["n"] += 1
        if arrivals["n"] % 3 == 0:
            line_senders.kill()

    line.state.on_push = every_third
    moment = max(r.next_attempt_at for r in rows) + timedelta(seconds=1)
    statuses = []
    for _ in range(20):
        statuses.append(line_senders.run(moment))
        db.session.expire_all()
        if all(r.status == "sent" for r in line_rows()):
            break
        moment += timedelta(minutes=6)  # past the dead sender's lease
    assert statuses.count(-signal.SIGKILL) >= 6, statuses  # more deaths than the 4 tries a row has
    after = line_rows()
    assert [r.status for r in after] == ["sent"] * 20, [(r.id, r.status, r.attempts, r.last_error) for r in after]
    assert max(r.attempts for r in after) <= 2
    assert sorted(key for _to, _text, key in line.state.pushes) == sorted(r.message_id for r in rows)


@pytest.mark.slow
def test_a_line_push_that_kills_its_sender_every_time_is_failed(line_senders, line, app):
    """The poison-row rule for LINE, with real deaths: after 4 (ITAFLOW_MAIL_MAX_ATTEMPTS) the row is failed
    and the admins are told; every other row is pushed once."""
    rows = _queue_line_rows(app, line, 5)
    poison = rows[2]
    line.state.on_push = lambda _to, key: line_senders.kill() if key == poison.message_id else None
    moment = max(r.next_attempt_at for r in rows) + timedelta(seconds=1)
    statuses = []
    for _ in range(6):
        statuses.append(line_senders.run(moment))
        moment += timedelta(minutes=6)
    assert statuses[:4] == [-signal.SIGKILL] * 4 and statuses[4:] == [0, 0], statuses
    db.session.expire_all()
    after = {r.id: r for r in line_rows()}
    assert after[poison.id].status == "failed" and after[poison.id].attempts == 4
    assert "stopped 4 times" in after[poison.id].last_error
    assert all(r.status == "sent" and r.attempts == 1 for r in after.values() if r.id != poison.id)
    others = sorted(r.message_id for r in rows if r.id != poison.id)
    assert sorted(key for _to, _text, key in line.state.pushes if key != poison.message_id) == others


def test_a_429_storm_backs_off_and_then_sends_once(office, line, app):
    join_and_bind(app, line)
    _send_back()
    line.state.fail_next = [429, 429, 500]
    moment, waits = sendable(), []
    for _ in range(3):
        assert lineout.deliver_line(moment).retried == 1
        row = line_rows()[0]
        waits.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at
    assert waits[0] < waits[1] < waits[2]  # exponential
    assert lineout.deliver_line(moment).sent == 1 and len(line.state.pushes) == 1


def test_line_down_for_a_while_then_up_everything_arrives_once(office, line, app):
    """A send-back, a round's report and the morning digest queued while LINE cannot be reached: each is tried,
    backs off, and once LINE is back every one arrives exactly once."""
    from workflow.engine import rounds
    from workflow.models import Round

    join_and_bind(app, line)
    _send_back()
    rnd = db.session.execute(select(Round).order_by(Round.held_on)).scalars().first()
    rounds.report_round(rnd.id, LATER)
    moment = working_morning(20)
    lineout.send_digest(seed_agency(), moment)
    db.session.commit()
    queued = line_rows()
    assert {r.event for r in queued} == {"sent_back", "round_report", "digest"}
    line.down()
    for _ in range(3):  # down for three tries: each row backs off further
        assert lineout.deliver_line(moment).retried == len(queued)
        moment = max(r.next_attempt_at for r in line_rows())
    assert all("no answer" in r.last_error for r in line_rows()) and line.state.pushes == []
    line.up()
    assert lineout.deliver_line(moment).sent == len(queued)
    assert sorted(key for _to, _text, key in line.state.pushes) == sorted(r.message_id for r in queued)
    assert lineout.deliver_line(moment + timedelta(hours=3)).claimed == 0


def test_the_sweep_fires_the_digest_and_the_line_task_sends_it(office, line, app):
    """The real path: the digest's timer is fired by the sweep, the Celery task pushes what it queued, and the
    next morning's digest is planned."""
    import time_machine

    from tasks.jobs import run_sweep, send_line
    from workflow import clock

    join_and_bind(app, line)
    timer = db.session.execute(select(Timer).where(Timer.kind == lineout.DIGEST)).scalar_one()
    morning = working_morning(20)  # overdue work by then, on a working day whatever day the suite is pinned to
    timer.fire_at = morning
    db.session.commit()
    with time_machine.travel(morning + timedelta(minutes=1), tick=False):
        run_sweep(clock.now())
        totals = send_line()
    # the morning's digest, and whatever else the sweep fired by then (escalations are switched on here)
    digests = [t for t in line.state.texts() if t.startswith("itaflow สรุปประจำวัน")]
    assert len(digests) == 1 and totals["sent"] == len(line.state.pushes) == len(line_rows("sent"))
    db.session.expire_all()
    (following,) = db.session.execute(select(Timer).where(Timer.kind == lineout.DIGEST,
                                                          Timer.fired_at.is_(None))).scalars().all()
    assert following.fire_at > morning


def test_a_message_line_refuses_fails_with_its_reason_and_the_admin_hears(office, line, app):
    join_and_bind(app, line)
    _send_back()
    row = line_rows()[0]
    row.to_email = ""  # LINE answers 400 for a request it will never take
    db.session.commit()
    assert lineout.deliver_line(sendable()).failed == 1
    db.session.expire_all()
    assert line_rows()[0].status == "failed" and "400" in line_rows()[0].last_error
    assert db.session.execute(select(LineChannel)).scalar_one().problem is None  # the token is fine: LINE goes on
    (mail,) = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == "line_failed")).scalars().all()
    assert mail.to_email == user("admin").email


def test_a_revoked_token_fails_the_rows_and_tells_the_admin(office, line, app):
    join_and_bind(app, line)
    _send_back()
    line.state.tokens.clear()  # revoked in LINE Developers
    result = lineout.deliver_line(sendable())
    db.session.expire_all()
    assert result.failed == 1 and "401" in line_rows()[0].last_error
    channel = db.session.execute(select(LineChannel)).scalar_one()
    assert channel.problem and "401" in channel.problem
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == "line_token_refused")
                              ).scalars().all()
    assert [m.to_email for m in mail] == [user("admin").email]
    from workflow.channels.notify import render_message

    text, html = render_message(mail[0])
    assert "/admin/line" in text and "401" in text and "token" in mail[0].subject and "/admin/line" in html
    admin = sign_in(app, user("admin").email)
    assert "หยุดส่งข้อความ LINE" in admin.get("/admin/line").get_data(as_text=True)
    # nothing more is queued for LINE until a new token is entered
    assert lineout.step_event("sent_back", "again", step("1.5", 2), {"code": "1.5", "number": 2, "reason": "x"},
                              LATER, [user("pannee")]) == 0
    line.state.tokens.add("new-token")
    assert admin.post("/admin/line", data={"csrf_token": token(admin), "token": "new-token",
                                           "immediate": ["sent_back"]}).status_code == 303
    db.session.expire_all()
    assert channel.problem is None and channel.access_token == "new-token"


def test_the_morning_digest_tells_each_group_its_own_work(office, line, app):
    from workflow.models import Group

    hr = db.session.execute(select(Group).where(Group.key == "hr")).scalar_one()
    agency_wide = join_and_bind(app, line, scope="agency")
    second = {"type": "group", "groupId": "C" + "c" * 32, "userId": "U" + "d" * 32}
    hr_group = join_and_bind(app, line, scope=f"group:{hr.id}", group=second)
    assert hr_group.group_id == hr.id and agency_wide.group_id is None
    late = working_morning(60)
    made = lineout.send_digest(seed_agency(), late)
    rows = {r.line_target_id: r for r in line_rows()}
    assert made == len(rows) >= 1
    text = rows[agency_wide.id].payload["text"]
    assert text.startswith("itaflow สรุปประจำวัน") and "เลยกำหนด" in text
    hr_text = rows[hr_group.id].payload["text"]
    assert "กลุ่มบริหารงานบุคคล" in hr_text.split("\n")[0]
    others = [s for s in db.session.execute(select(Step).where(Step.state == "open")).scalars()
              if s.owner_group_id not in (None, hr.id) and s.kind == "task"]
    assert others and all(f"ขั้นตอนที่ {s.number} {s.title}" not in hr_text for s in others)
    assert lineout.send_digest(seed_agency(), late + timedelta(minutes=5)) == 0  # once a day
    # the webhook's event ids are kept only while a replay could still be acted on
    assert db.session.scalar(select(func.count()).select_from(LineWebhookEvent)) == 0
    planned = db.session.execute(select(Timer).where(Timer.kind == lineout.DIGEST, Timer.fired_at.is_(None))
                                 ).scalars().all()
    assert len(planned) == 1


def seed_agency() -> int:
    return user("admin").agency_id


def test_the_round_report_goes_to_the_ita_group(office, line, app):
    from workflow.engine import rounds
    from workflow.models import Round

    join_and_bind(app, line, scope="agency")
    rnd = db.session.execute(select(Round).order_by(Round.held_on)).scalars().first()
    rounds.report_round(rnd.id, NOW)
    db.session.commit()
    (row,) = line_rows()
    assert row.event == "round_report" and "รายงานการติดตามครั้งที่" in row.payload["text"]
    assert f"/rounds/{rnd.id}" in row.payload["text"]


def test_a_person_links_their_own_line_and_hears_their_send_backs(office, line, app):
    person = {"type": "user", "userId": "U" + "e" * 32}
    assert post_webhook(app, [event("follow", person)]).status_code == 200
    code = re.search(r"รหัสผูกบัญชี (\S+)", line.state.replies[-1][1])[1]
    pannee = sign_in(app, user("pannee").email)
    wrong = pannee.post("/profile/line", data={"csrf_token": token(pannee), "code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 422
    assert pannee.post("/profile/line", data={"csrf_token": token(pannee), "code": code}).status_code == 303
    assert "เชื่อมบัญชี LINE แล้ว" in pannee.get("/profile").get_data(as_text=True)
    _send_back()
    (row,) = line_rows()
    assert row.to_email == person["userId"] and row.recipient_id == user("pannee").id
    assert lineout.deliver_line(sendable()).sent == 1
    assert post_webhook(app, [event("unfollow", person, reply=False)]).status_code == 200
    db.session.expire_all()
    assert db.session.execute(select(LineTarget)).scalar_one().state == "left"


def test_any_signed_body_is_answered_without_a_server_error(office, line, app):
    """Whatever JSON a holder of the secret signs (a confused proxy, LINE's future events): never a 500, and a
    body refused writes nothing."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=20)
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
    fields = st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["join", "leave", "follow", "message", "nope"]) | values,
        "webhookEventId": st.text(max_size=70) | values, "timestamp": st.integers(-2**64, 2**64) | values,
        "source": st.fixed_dictionaries({}, optional={"type": st.sampled_from(["group", "user", "room"]),
                                                      "groupId": st.text(max_size=70), "userId": values}) | values,
        "replyToken": st.text(max_size=10) | values})

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(fields, max_size=3) | values)
    def check(events):
        before = counts()
        response = post_webhook(app, events if isinstance(events, list) else [], raw=None if isinstance(
            events, list) else json.dumps({"destination": BOT_USER_ID, "events": events}).encode())
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            db.session.expire_all()
            assert counts() == before

    check()
