"""The production stack started for real (tests/nativestack.py): Debian's nginx from the same template as the
official image, two gunicorn replicas, two Celery workers, beat, PostgreSQL, Redis and an SMTP server, the
migrate step once, every process with config/stack.py's command and variables. Pages are checked through
nginx; then a web replica is killed under light load (no GET fails: nginx sends it to the other) and a worker
is killed in the middle of a batch of mail (nothing is lost, at most the ones in flight are repeated).
bench/stack.py breaks it more (PostgreSQL restarted, Redis stopped for a minute) under Locust."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select

from config.stack import COMMANDS, ENV, IMAGE_ENV, TEST_ONLY_ENV
from tests.nativestack import Browser as _Browser
from tests.nativestack import NativeStack, _healthy
from tests.test_live import wait_for
from workflow.thaidate import BANGKOK

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery"
#: an office-hour morning (a Wednesday): alerts leave only in office hours, so the stack's clock is pinned here
MORNING = datetime(2026, 11, 25, 9, 0, tzinfo=BANGKOK)


def Browser(stack: NativeStack, n: int) -> _Browser:  # noqa: N802 - reads as the class it makes
    """Person ``n``'s browser, from their own loopback address (the sign-in throttle counts per address)."""
    return _Browser(stack.url, source=f"127.0.1.{n}")


@pytest.fixture(scope="module")
def stack():
    from workflow.db import db
    from workflow.onboarding.demo import run_demo

    def demo(s: NativeStack) -> None:
        with s.app().app_context():
            run_demo(now=s.now(), password=PASSWORD)
            db.session.commit()
            db.engine.dispose()

    s = NativeStack(replicas=2, workers=2, web_concurrency=2, clock_start=MORNING, lease_seconds=5)
    try:
        s.start(demo)
        yield s
    finally:
        s.close()


def test_every_process_runs_the_listed_command_with_exactly_the_listed_variables(stack):
    kinds = {"web1": "web", "web2": "web", "worker1": "worker", "worker2": "worker", "beat": "beat"}
    for name, kind in kinds.items():
        service = stack.services[name]
        assert service.argv[0].endswith("/" + COMMANDS[kind][0]) and service.argv[1:] == COMMANDS[kind][1:]
        ours = {k for k in service.env
                if k.startswith(("ITAFLOW_", "MAIL_", "DATABASE_", "REDIS_", "WEB_", "PROMETHEUS_"))}
        assert ours == set(ENV[kind]) | set(IMAGE_ENV) | set(TEST_ONLY_ENV)
    assert "itaflow init" in " ".join(COMMANDS["migrate"]) and "database is up to date" in stack.log("migrate")
    assert set(stack.env_for("proxy")) >= set(ENV["proxy"])


def test_pages_through_nginx(stack):
    from workflow.db import db
    from workflow.models import OutboxMessage

    director = Browser(stack, 1)
    assert director.sign_in("dir-admin@demo.itaflow.test", PASSWORD) == 200
    status, page = director.get("/approvals")
    assert status == 200 and "รายการรออนุมัติ" in page
    review = re.search(r'href="/steps/(\d+)"', page)
    assert review, "the demo leaves a review waiting for กลุ่มอำนวยการ's director"
    director.get(f"/steps/{review[1]}")
    status, page = director.post(f"/steps/{review[1]}/approve", {"version": director.version()})
    assert status == 200 and "อนุมัติแล้ว" in page

    officer = Browser(stack, 2)
    assert officer.sign_in("pannee@demo.itaflow.test", PASSWORD) == 200
    status, page = officer.get("/")
    assert status == 200 and "งานของฉัน" in page
    for step_id in re.findall(r'href="/steps/(\d+)"', page):
        status, page = officer.get(f"/steps/{step_id}")
        if 'id="mark-done"' in page:
            status, page = officer.post(f"/steps/{step_id}/done", {"version": officer.version()})
            assert status == 200 and "บันทึกว่าเสร็จแล้ว" in page
            break
    else:
        raise AssertionError("no step of pannee's could be marked done")
    status, page = officer.get("/static/style.css")
    assert status == 200 and "{" in page
    # nginx spread the requests over both replicas
    upstreams = {m for line in stack.access_log() for m in re.findall(r"127\.0\.0\.1:(\d+)", line)}
    assert {str(p) for p in stack.web_ports} <= upstreams
    # and every e-mail the demo and these steps queued left through Redis, a worker and the SMTP server
    with stack.app().app_context():
        def all_sent():
            db.session.rollback()
            return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.status != "sent")) == 0
        wait_for(all_sent, 60, "every queued e-mail to be sent")
        sent = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.engine.dispose()
    assert sent > 0 and len(stack.sink.messages) == sent and stack.sink.duplicates == 0


def test_a_web_replica_killed_under_light_load_fails_no_get(stack):
    people = ["kamonnapa", "hr-staff", "dir-hr", "juthamas"]
    browsers = [Browser(stack, 10 + n) for n in range(len(people))]
    for browser, key in zip(browsers, people, strict=True):
        assert browser.sign_in(f"{key}@demo.itaflow.test", PASSWORD) == 200
    statuses: list[tuple[str, int]] = []
    stop = threading.Event()

    def load(browser: _Browser) -> None:
        while not stop.is_set():
            for path in ("/", "/healthz"):
                try:
                    statuses.append((path, browser.get(path)[0]))
                except OSError as exc:  # nginx closed on us: a failure too
                    statuses.append((path, repr(exc)))  # type: ignore[arg-type]
            time.sleep(0.05)

    threads = [threading.Thread(target=load, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    time.sleep(2)
    before = len(statuses)
    killed_at = stack.kill("web1")
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert before > 10 and len(statuses) > before + 10
    assert [s for s in statuses if s[1] != 200] == []
    # compose's restart policy (here the supervisor) starts the replica again (it serves: the last test)
    assert stack.services["web1"].restarts[0] >= killed_at


def test_a_worker_killed_mid_batch_loses_no_mail(stack):
    from tests.conftest import agency_id
    from workflow.channels.notify import queue
    from workflow.db import db
    from workflow.models import OutboxMessage, User

    stack.sink.delay = 0.03  # a relay that takes its time: the batch is still going when a worker dies
    received_before = len(stack.sink.messages)
    n = 300
    with stack.app().app_context():
        unit = agency_id()
        people = [User(agency_id=unit, key=f"morning{i}", name=f"บุคคล {i}", email=f"morning{i}@example.org",
                       created_at=stack.now()) for i in range(n)]
        db.session.add_all(people)
        db.session.flush()
        for person in people:
            queue("step_opened", "morning", person, [], stack.now(), params={"code": "1.1", "number": 1})
        db.session.commit()
        wanted = set(db.session.execute(select(OutboxMessage.message_id)
                                        .where(OutboxMessage.dedupe_key.like("step_opened:morning:%"))).scalars())
        wait_for(lambda: len(stack.sink.messages) >= received_before + 40, 60, "the batch to be under way")
        sending = _the_sending_worker(stack)
        stack.kill(sending)
        assert len(stack.sink.messages) < received_before + n, "the batch ended before the kill: nothing tested"

        def all_in() -> bool:
            return wanted <= set(stack.sink.message_ids())
        wait_for(all_in, 90, "every message of the batch after the kill")
        time.sleep(1)
        db.session.rollback()
        statuses = dict(db.session.execute(select(OutboxMessage.status, func.count())
                                           .where(OutboxMessage.message_id.in_(wanted))
                                           .group_by(OutboxMessage.status)).all())
        db.engine.dispose()
    assert statuses == {"sent": n}
    # SMTP cannot hand a message over and mark it sent at once: the one in flight may come again, recognised
    # by its Message-ID; the worker has two pool processes (--concurrency 2), each may have had one in flight
    assert stack.sink.duplicates <= 2
    assert stack.services[sending].restarts


def _the_sending_worker(stack: NativeStack) -> str:
    """A worker in the middle of a send_outbox task (received, not yet finished)."""
    for name in ("worker1", "worker2"):
        log = stack.log(name)
        taken = set(re.findall(r"itaflow\.send_outbox\[([^\]]+)\] received", log))
        ended = set(re.findall(r"itaflow\.send_outbox\[([^\]]+)\] (?:succeeded|raised|failed)", log))
        if taken - ended:
            return name
    raise AssertionError("no worker is sending")


def test_the_killed_replica_serves_again(stack):
    wait_for(lambda: _healthy(f"http://127.0.0.1:{stack.web_ports[0]}/healthz"), 90, "web1 started again")
    assert len(stack.services["web1"].restarts) == 1


def test_one_replica_answers_metrics_for_every_process(stack):
    """config/stack.py's PROMETHEUS_MULTIPROC_DIR: one web replica's /metrics counts the workers' deliveries (the
    killed worker's included) and the sweeps, beside the requests it answered itself."""
    import urllib.request

    from tests.test_metrics import samples

    sent = ("itaflow_deliveries_total", (("channel", "email"), ("outcome", "sent")))

    def scraped() -> dict | None:
        with urllib.request.urlopen(f"http://127.0.0.1:{stack.web_ports[1]}/metrics", timeout=10) as answer:
            found = samples(answer.read().decode())
        return found if found.get(sent, 0) >= 300 else None
    found = wait_for(scraped, 30, "the workers' deliveries in a replica's /metrics")
    assert found[("itaflow_sweep_last_run_timestamp_seconds", ())] > 0
    assert sum(v for (name, _labels), v in found.items() if name == "itaflow_http_requests_total") > 0
