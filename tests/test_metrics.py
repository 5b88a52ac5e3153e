"""Seeing it run (issue 25): /readyz, /metrics and who may read it, JSON-line logs with request ids, and no
secret or personal number in any line. The multi-process view is tested with `itaflow up` (tests/test_up.py),
a request id followed into a real Celery worker with the live stack (tests/test_live.py)."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import PASSWORD, user
from tests.test_web import login, token
from web import create_app
from web.logs import configure, redact
from workflow.db import db

CITIZEN_ID = "1103700012345"  # the shape of a Thai citizen id (13 digits)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Prometheus's text format as {(sample name, sorted labels): value}."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_readyz_names_what_is_not_ready(app, tmp_path):
    answer = app.test_client().get("/readyz")  # the suite's database is made by create_all: no revision
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["checks"]["database"]["ok"] and not body["checks"]["migrations"]["ok"]
    assert "redis" not in body["checks"]  # not configured: not asked
    from flask_migrate import upgrade

    from workflow.operations.schema import MIGRATIONS

    migrated = create_app({"ITAFLOW_INSTANCE": str(tmp_path / "m"), "ITAFLOW_SECRET_KEY": "k",
                           "DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with migrated.app_context():
        upgrade(directory=str(MIGRATIONS))
    assert migrated.test_client().get("/readyz").status_code == 200
    from tests.test_live import free_port

    with_redis = create_app({"ITAFLOW_INSTANCE": str(tmp_path / "m"), "ITAFLOW_SECRET_KEY": "k",
                             "DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite'}",
                             "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    answer = with_redis.test_client().get("/readyz")
    assert answer.status_code == 503 and not answer.get_json()["checks"]["redis"]["ok"]
    for made in (migrated, with_redis):
        with made.app_context():
            db.engine.dispose()


def test_metrics_count_requests_by_route_refused_sign_ins_and_read_the_outbox(demo):
    client = login(demo, "staff")
    from tests.conftest import step

    assert client.get(f"/steps/{step('1.1', 1).id}").status_code == 200
    stranger = demo.test_client()
    for _ in range(2):
        assert stranger.post("/login", data={"email": "hr-staff@demo.itaflow.test", "password": "wrong-one",
                                             "csrf_token": token(stranger)}).status_code == 401
    found = samples(demo.test_client().get("/metrics").get_data(as_text=True))
    assert found[("itaflow_http_requests_total", (("method", "GET"), ("route", "/steps/<int:step_id>"),
                                                   ("status", "200")))] >= 1
    assert found[("itaflow_http_request_duration_seconds_count", (("method", "GET"),
                                                                   ("route", "/steps/<int:step_id>")))] >= 1
    assert found[("itaflow_logins_refused_total", (("reason", "wrong_password"),))] >= 2
    # the demo queued its alerts: the outbox by channel and state, and how long the oldest due one waited
    assert found[("itaflow_outbox_rows", (("channel", "email"), ("status", "pending")))] > 0
    assert ("itaflow_outbox_oldest_due_seconds", (("channel", "line"),)) in found
    assert ("itaflow_timers_due", ()) in found and ("itaflow_timers_late", ()) in found
    # label values are routes: no id, address or person
    page = demo.test_client().get("/metrics").get_data(as_text=True)
    assert "hr-staff" not in page and not re.search(r'route="/steps/\d', page)


def test_metrics_are_for_the_token_or_the_allowed_addresses(tmp_path):
    from tests.conftest import PG_URL

    app = create_app({"ITAFLOW_INSTANCE": str(tmp_path / "i"), "ITAFLOW_SECRET_KEY": "k",
                      "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 't.sqlite'}",
                      "ITAFLOW_METRICS_TOKEN": "a-long-scrape-token-0123456789",
                      "ITAFLOW_METRICS_ALLOW": "10.1.0.0/16"})
    with app.app_context():
        db.create_all()
        client = app.test_client()
        assert client.get("/metrics").status_code == 403  # 127.0.0.1 is not on this list
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert client.get("/metrics", headers={"Authorization": "Bearer a-long-scrape-token-0123456789"}
                          ).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.4.2"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.4.2"}).status_code == 403
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def log_lines():
    """The root logger's lines as JSON objects (our handler, on a buffer of the test's own)."""
    buffer = io.StringIO()
    handler = configure("json", stream=buffer, kind="web", force=True)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def _logger() -> logging.Logger:
    """A logger of the test's own: Alembic's logging setup (a migration run by an earlier test) disables the
    loggers that existed then."""
    log = logging.getLogger(f"itaflow.test.{uuid.uuid4().hex}")
    log.disabled = False
    return log


def test_a_request_has_an_id_in_its_answer_and_in_its_lines(demo, log_lines):
    client = login(demo, "staff")
    answer = client.get("/", headers={"X-Request-ID": "nginx-4f2a9c1e7b"})
    assert answer.headers["X-Request-ID"] == "nginx-4f2a9c1e7b"  # nginx's $request_id is kept
    made_up = client.get("/", headers={"X-Request-ID": "bad id; with spaces"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made_up)  # not one: a new one
    from web.logs import REQUEST_ID

    REQUEST_ID.set("req-0123456789")
    _logger().warning("something to look at", extra={"step": 12})
    REQUEST_ID.set(None)
    (line,) = [x for x in log_lines() if x["message"] == "something to look at"]
    assert line["request_id"] == "req-0123456789" and line["level"] == "warning" and line["step"] == 12
    assert line["process"] == "web" and line["ts"].endswith("+00:00")


def test_no_secret_or_personal_number_in_any_line(demo, log_lines, caplog):
    """What people type and what the deployment keeps secret, in the places it could leak from: a failed
    statement's parameters, an exception's message, request addresses, settings."""
    from sqlalchemy import text

    settings = demo.config["ITAFLOW"]
    secrets = [PASSWORD, settings.secret_key, "itf_abcdefghijklmnop0123", "cal_0123456789abcdefghij",
               "s3cret-smtp-pass", CITIZEN_ID, "1-1037-00012-34-5", "081-234-5678", "0812345678"]
    log = _logger()
    log.warning("sign-in with password=%s for %s", PASSWORD, CITIZEN_ID)
    log.warning("GET /ics/cal_0123456789abcdefghij.ics and Authorization: Bearer itf_abcdefghijklmnop0123")
    log.warning("relay smtp://itaflow:s3cret-smtp-pass@mail.example:587 refused")
    log.warning("citizen 1-1037-00012-34-5 phoned from 081-234-5678 and 0812345678")
    try:
        with demo.app_context():
            db.session.execute(text("INSERT INTO agency (id, code, name, kind, created_at) VALUES "
                                    "(:id, :code, :name, 'office', '2024-01-01')"),
                               {"id": 1, "code": CITIZEN_ID, "name": PASSWORD})
    except Exception:
        log.exception("a failed statement")  # SQLAlchemy prints its parameters
    with demo.app_context():
        db.session.rollback()
    client = login(demo, "staff")
    client.get(f"/measures?q={CITIZEN_ID}&token=itf_abcdefghijklmnop0123")
    client.get("/ics/cal_0123456789abcdefghij.ics")
    written = "\n".join(json.dumps(line, ensure_ascii=False) for line in log_lines())
    assert "a failed statement" in written and "[parameters: ***]" in written
    for secret in secrets:
        assert secret not in written, secret


def test_redaction_leaves_the_ordinary_alone():
    ordinary = ("step 1.5 of cycle 12 done at 2026-11-25T03:00:00+00:00 in 12.5 ms; 404 on /steps/123; "
                "uuid 2f0c8a1e9b7d4c3a8e6f5d4c3b2a1908; 166000 rows")
    assert redact(ordinary) == ordinary
    assert redact("the user 1103700012345 at 08:30") == "the user ************* at 08:30"


def test_the_system_page_shows_the_doctor_and_the_backups(demo, tmp_path):
    from workflow import clock
    from workflow.people import agencies

    admin = login(demo, "admin")
    page = admin.get("/admin/system").get_data(as_text=True)
    assert "สำรองข้อมูล" in page and "ตรวจสุขภาพระบบ" in page and "ยังไม่มีการสำรองข้อมูลที่สำเร็จ" in page
    assert "smtp" in page and "127.0.0.1:8025" in page  # nothing listens there in the suite: said, with the fix
    with demo.app_context():
        from workflow.models import Agency

        parent = db.session.get(Agency, user("admin").agency_id).code
        agencies.add("u1", "โรงเรียนตัวอย่าง", kind="school", parent_code=parent, actor_id=None, now=clock.now())
        from workflow.people.users import add_user

        add_user(name="ผู้ดูแลโรงเรียน", email="unit-admin@demo.itaflow.test", roles=["admin"], group_key=None,
                 position=None, password=PASSWORD, actor_id=None, now=clock.now(),
                 agency_id=agencies.get("u1").id)
        db.session.commit()
    client = demo.test_client()
    client.post("/login", data={"email": "unit-admin@demo.itaflow.test", "password": PASSWORD,
                                "csrf_token": token(client)})
    assert client.get("/admin/system").status_code == 403  # a unit's admin runs the unit, not the deployment
