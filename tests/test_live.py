"""The live stack: a real redis-server, a real SMTP server (aiosmtpd), a Celery worker and beat as
subprocesses, and a shared clock file instead of waiting days."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tasks.sink import start_sink
from tests.conftest import PG_URL, agency_id, require_tool
from web import create_app
from workflow.clock import set_fake_now
from workflow.db import db
from workflow.thaidate import BANGKOK

pytestmark = pytest.mark.slow  # the fast part (-m 'not slow') leaves this file out

BIN = Path(sys.executable).parent
BEFORE_MAY = datetime(2024, 4, 30, 3, 0, tzinfo=UTC)


def bkk(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=BANGKOK).astimezone(UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Stack:
    """Redis, the sink and the environment shared by the test process, the worker and beat."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.redis_port = free_port()
        self.smtp_port = free_port()
        self.clock = tmp / "clock"
        set_fake_now(self.clock, datetime.now(UTC))  # the suite's pinned "now", until a test moves it
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.env = {
            **os.environ,
            "ITAFLOW_INSTANCE": str(tmp / "instance"),
            "ITAFLOW_SECRET_KEY": "live-test-secret",
            "DATABASE_URL": PG_URL or f"sqlite:///{tmp / 'live.sqlite'}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp_port),
            "MAIL_TIMEOUT": "5",
            "ITAFLOW_SWEEP_SECONDS": "1",
            "ITAFLOW_MAIL_LEASE_SECONDS": "3",
            "ITAFLOW_CLOCK_FILE": str(self.clock),
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.kinds: dict[str, str] = {}
        self.restarts: dict[str, int] = {}
        self.redis: subprocess.Popen | None = None
        self._closing = threading.Event()

    def start_redis(self):
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=self.redis_port)
        wait_for(lambda: _pings(client), 10, "redis")

    def stop_redis(self):
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)

    def start(self, name: str, kind: str):
        argv = [str(BIN / "celery"), "-A", "tasks.worker", kind, "--loglevel", "INFO"]
        if kind == "worker":
            argv += ["--concurrency", "2", "-Q", "itaflow", "--without-gossip", "--without-mingle",
                     "--hostname", f"{name}@%h"]
        else:
            argv += ["--schedule", str(self.tmp / f"{name}-schedule")]
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)
        self.kinds[name] = kind
        log.close()

    def supervise(self, name: str) -> None:
        """Start the process again whenever it exits on its own, as docker-compose's restart policy and
        ``itaflow up`` do in production (a worker can exit when Redis drops mid-acknowledgement)."""

        def watch():
            while not self._closing.wait(0.5):
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    self.start(name, self.kinds[name])

        threading.Thread(target=watch, daemon=True).start()

    def stop(self, name: str, sig=signal.SIGTERM):
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, sig)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def close(self):
        self._closing.set()
        for name in list(self.processes):
            self.stop(name)
        self.stop_redis()

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


@pytest.fixture
def stack(tmp_path):
    require_tool("redis-server", "redis-server")
    s = Stack(tmp_path)
    s.start_redis()
    controller, handler = start_sink(port=s.smtp_port)
    s.sink = handler
    app = create_app({k: v for k, v in s.env.items()})
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            yield s
        finally:
            s.close()
            controller.stop()
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def _load_memo():
    from workflow.engine.instantiate import instantiate
    from workflow.onboarding.demo import demo_document

    instantiate(demo_document(BEFORE_MAY.date(), as_written=True), actor_id=None, now=BEFORE_MAY, source_name="t")
    db.session.commit()


def _subjects(sink, text: str) -> list[tuple[str, str]]:
    from email.header import decode_header, make_header

    out = []
    for m in list(sink.messages):
        subject = str(make_header(decode_header(m["Subject"])))
        if text in subject:
            out.append((str(m["To"]), subject))
    return out


def test_overdue_alert_and_escalation_exactly_once(stack):
    from tests.conftest import step
    from workflow.channels.alerts import schedule_step_alerts
    from workflow.models import Timer

    _load_memo()
    s = step("1.3", 1)
    s.due_on = date(2024, 5, 10)
    db.session.execute(Timer.__table__.delete().where(Timer.target_type == "step", Timer.target_id == s.id))
    schedule_step_alerts(s, BEFORE_MAY)
    db.session.commit()
    set_fake_now(stack.clock, bkk(2024, 5, 13))
    stack.start("w1", "worker")
    stack.start("b1", "beat")
    # 1.3 is owned by กลุ่มอำนวยการ and กลุ่มนโยบายและแผน together: both groups hear, both directors escalate
    overdue = wait_for(lambda: len(_subjects(stack.sink, "เลยกำหนด: มาตรการ ๑.๓")) >= 3 and
                       _subjects(stack.sink, "เลยกำหนด: มาตรการ ๑.๓"), 60, "the overdue alerts")
    assert sorted(to for to, _ in overdue) == ["dir-admin@demo.itaflow.test", "dir-plan@demo.itaflow.test",
                                               "pannee@demo.itaflow.test"]
    set_fake_now(stack.clock, bkk(2024, 5, 15))
    wait_for(lambda: len(_subjects(stack.sink, "ค้างเกินกำหนด")) >= 2, 30, "the escalations")
    time.sleep(3)  # three more ticks: nothing new may arrive
    assert len(_subjects(stack.sink, "เลยกำหนด: มาตรการ ๑.๓")) == 3
    assert sorted(to for to, _ in _subjects(stack.sink, "ค้างเกินกำหนด")) == ["dir-admin@demo.itaflow.test",
                                                                                 "dir-plan@demo.itaflow.test"]
    assert stack.sink.duplicates == 0


def _queue_many(n: int):
    from workflow.channels.notify import queue
    from workflow.models import User

    unit = agency_id()
    users = [User(agency_id=unit, key=f"p{i}", name=f"บุคคล {i}", email=f"p{i}@example.org", created_at=BEFORE_MAY)
             for i in range(n)]
    db.session.add_all(users)
    db.session.flush()
    for u in users:
        queue("step_opened", "bulk", u, [], BEFORE_MAY, params={"code": "1.1", "number": 1})
    db.session.commit()


def test_worker_killed_mid_batch_every_message_arrives_once(stack):
    """A Celery worker SIGKILLed mid-batch twice, a row allowed two tries: every message still arrives,
    none is failed (a death costs a try only to the message in hand, not to the batch claimed behind it)."""
    from workflow.models import OutboxMessage

    n = 400
    stack.env["ITAFLOW_MAIL_MAX_ATTEMPTS"] = "2"
    _queue_many(n)
    stack.start("b1", "beat")
    kills = 0
    for round_ in range(2):
        set_fake_now(stack.clock, datetime.now(UTC))  # on: the dead worker's leases expire
        name = f"w{round_ + 1}"
        stack.start(name, "worker")
        before = len(stack.sink.messages)
        wait_for(lambda b=before: len(stack.sink.messages) >= b + 40, 60, "messages after a start")
        stack.stop(name, signal.SIGKILL)
        kills += 1
        assert len(stack.sink.messages) < n, "the batch finished before the kill; nothing was tested"
        time.sleep(1)
    stack.start("w3", "worker")

    def all_in():
        set_fake_now(stack.clock, datetime.now(UTC))  # the clock moves on, so the dead worker's leases expire
        return len(stack.sink.messages) >= n
    wait_for(all_in, 120, "every message after the restarts")
    time.sleep(2)
    expected = set(db.session.execute(select(OutboxMessage.message_id)).scalars())
    ids = stack.sink.message_ids()
    assert len(ids) == n and set(ids) == expected
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status != "sent")) == 0
    # SMTP cannot hand over and mark sent atomically: a kill between the two repeats that one message with
    # the same Message-ID, which the receiving side recognises (at most one per pool process per kill)
    assert stack.sink.duplicates <= 2 * kills


def test_two_beats_then_a_stopped_beat(stack):
    from workflow.models import OutboxMessage, Round

    _load_memo()
    stack.start("w1", "worker")
    stack.start("b1", "beat")
    stack.start("b2", "beat")
    day = bkk(2024, 5, 27)
    for _ in range(10):  # ten ticks, a day further each, across round 1 (30 May)
        set_fake_now(stack.clock, day)
        time.sleep(1.2)
        day += timedelta(days=1)
    wait_for(lambda: _subjects(stack.sink, "รายงานการติดตามครั้งที่ ๑"), 30, "round 1's report")
    stack.stop("b1")
    stack.stop("b2")
    set_fake_now(stack.clock, bkk(2024, 6, 14))  # round 2, moved from Saturday 15 June, passes unseen
    time.sleep(3)
    assert not _subjects(stack.sink, "รายงานการติดตามครั้งที่ ๒")
    stack.start("b3", "beat")
    wait_for(lambda: len(_subjects(stack.sink, "รายงานการติดตามครั้งที่ ๒")) >= 2, 30, "round 2 after restart")
    time.sleep(3)
    assert len(_subjects(stack.sink, "รายงานการติดตามครั้งที่ ๑")) == 2  # secretariat and executive
    assert len(_subjects(stack.sink, "รายงานการติดตามครั้งที่ ๒")) == 2
    assert stack.sink.duplicates == 0
    ids = stack.sink.message_ids()
    assert len(ids) == len(set(ids))
    db.session.rollback()
    assert [r.status for r in db.session.execute(select(Round).order_by(Round.number)).scalars()][:2] == \
        ["reported", "reported"]
    keys = db.session.execute(select(OutboxMessage.dedupe_key)).scalars().all()
    assert len(keys) == len(set(keys))


def test_redis_restart_misses_no_deadline(stack):
    _load_memo()
    set_fake_now(stack.clock, bkk(2024, 5, 20))
    stack.start("w1", "worker")
    stack.start("b1", "beat")
    stack.supervise("w1")
    stack.supervise("b1")
    time.sleep(3)
    stack.stop_redis()
    set_fake_now(stack.clock, bkk(2024, 5, 30))  # round 1 falls due while Redis is down
    time.sleep(3)
    stack.start_redis()
    wait_for(lambda: len(_subjects(stack.sink, "รายงานการติดตามครั้งที่ ๑")) >= 2, 90, "round 1 after Redis")
    time.sleep(2)
    assert len(_subjects(stack.sink, "รายงานการติดตามครั้งที่ ๑")) == 2


def test_a_request_id_follows_the_request_into_the_worker(stack):
    """A request that queues an e-mail starts its delivery at once (no beat runs here): the worker's lines of
    that task carry the request's id, and no line of the worker holds a secret or a citizen id."""
    import json
    import re

    from tests.test_web import token
    from workflow import clock
    from workflow.people.users import add_user

    _load_memo()
    unit = agency_id()
    password = "an-admin-passphrase-4711"
    admin = add_user(name="ผู้ดูแลระบบ", email="ops@example.org", roles=["admin"], group_key=None, position=None,
                     password=password, actor_id=None, now=clock.now(), agency_id=unit)
    newcomer = add_user(name="คนใหม่ 1103700012345", email="newcomer@example.org", roles=["staff"], group_key=None,
                        position=None, password=None, actor_id=None, now=clock.now(), agency_id=unit)
    db.session.commit()
    set_fake_now(stack.clock, datetime.now(UTC) + timedelta(minutes=1))  # the worker is past the request's moment
    stack.start("w1", "worker")
    from flask import current_app

    from tests.conftest import RequestInItsOwnContext

    current_app.test_client_class = RequestInItsOwnContext  # each request in its own context, as in production
    client = current_app.test_client()
    assert client.post("/login", data={"email": admin.email, "password": password,
                                       "csrf_token": token(client)}).status_code == 302
    answer = client.post(f"/admin/users/{newcomer.id}/invite", data={"csrf_token": token(client)},
                         headers={"X-Request-ID": "trace-0123456789abcdef"})
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:3000]
    assert answer.headers["X-Request-ID"] == "trace-0123456789abcdef"
    wait_for(lambda: any("newcomer@example.org" in str(m["To"]) for m in stack.sink.messages), 60,
             "the invitation, sent by the task the request queued")
    time.sleep(1)
    log = stack.log("w1")
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    traced = [line for line in lines if line.get("request_id") == "trace-0123456789abcdef"]
    assert traced and any("send_outbox" in line["message"] for line in traced), log[-3000:]
    assert password not in log and "1103700012345" not in log and not re.search(r"/welcome/[A-Za-z0-9_-]{20}", log)
