"""Outbox delivery over smtplib to a real SMTP server on localhost (aiosmtpd): refusals, outages, silence,
dead senders, slow relays."""

import os
import signal
import socket
import threading
import time
from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from tasks.sink import SinkHandler, start_sink
from tests.conftest import agency_id
from web import create_app
from workflow.channels.mailer import deliver_pending
from workflow.channels.notify import queue
from workflow.clock import set_fake_now
from workflow.db import db
from workflow.models import OutboxMessage

T0 = datetime(2024, 6, 10, 1, 30, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def mail_app(tmp_path, smtp_port):
    from tests.conftest import PG_URL

    app = create_app({
        "ITAFLOW_INSTANCE": str(tmp_path / "instance"), "ITAFLOW_SECRET_KEY": "test",
        "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'mail.sqlite'}",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_TIMEOUT": "1",
        "ITAFLOW_MAIL_MAX_ATTEMPTS": "4",
    })
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def sink(smtp_port, tmp_path):
    controller, handler = start_sink(port=smtp_port, maildir=tmp_path / "maildir")
    yield handler
    controller.stop()


LONG_TITLE = ("รายงานผลจัดซื้อจัดจ้างหรือการจัดหาพัสดุประจำปีตามประเด็นที่กำหนด ศธจ.ร้อยเอ็ด"
              " เจ้าหน้าที่ที่รับผิดชอบดำเนินการจัดทำ")
LONG_SUBJECT = f"กำหนดส่งในอีก ๓ วันทำการ: มาตรการ ๑.๕ {LONG_TITLE}"


def _queue(n: int) -> list[OutboxMessage]:
    from workflow.models import User

    users = []
    for i in range(n):
        u = User(agency_id=agency_id(), key=f"u{i}", name=f"ผู้ใช้ {i}", email=f"u{i}@example.org", created_at=T0)
        db.session.add(u)
        users.append(u)
    db.session.flush()
    for u in users:
        assert queue("special_deadline", "c1", u, [], T0, wording_key="special_deadline_soon",
                     params={"code": "1.5", "title": LONG_TITLE, "days": 3, "day": date(2024, 6, 10)})
    db.session.commit()
    return db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def _statuses():
    db.session.rollback()
    return [r.status for r in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]


def test_delivers_each_row_once_with_its_message_id_and_thai_subject(mail_app, sink):
    rows = _queue(5)
    result = deliver_pending(T0)
    assert (result.claimed, result.sent) == (5, 5)
    assert _statuses() == ["sent"] * 5
    assert sorted(sink.message_ids()) == sorted(r.message_id for r in rows)
    got = sink.messages[0]
    assert str(make_header(decode_header(got["Subject"]))) == "[ITA] " + LONG_SUBJECT
    assert got.get_content_type() == "multipart/alternative" or got.is_multipart()
    text = got.get_body(("plain",)).get_content()
    assert f"{LONG_TITLE} ครบกำหนดในอีก ๓ วันทำการ (๑๐ มิ.ย. ๒๕๖๗)" in text
    assert deliver_pending(T0 + timedelta(minutes=1)).claimed == 0  # nothing twice


def test_refusing_server_then_recovery_delivers_all_once(mail_app, sink):
    rows = _queue(3)
    sink.refuse = "451 4.3.0 Try again later"
    result = deliver_pending(T0)
    assert (result.sent, result.retried) == (0, 3)
    row = db.session.get(OutboxMessage, rows[0].id)
    assert row.status == "pending" and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > T0
    assert deliver_pending(T0 + timedelta(seconds=5)).claimed == 0  # backoff: not yet
    sink.refuse = None
    assert deliver_pending(T0 + timedelta(minutes=5)).sent == 3
    assert sorted(sink.message_ids()) == sorted(r.message_id for r in rows)


def test_server_down_for_a_while(mail_app, smtp_port, tmp_path):
    rows = _queue(4)
    result = deliver_pending(T0)  # nothing listens on the port
    assert (result.sent, result.retried) == (0, 4)
    controller, handler = start_sink(port=smtp_port)
    try:
        later = T0 + timedelta(minutes=2)
        assert deliver_pending(later).sent == 4
        assert deliver_pending(later + timedelta(hours=3)).claimed == 0
        assert sorted(handler.message_ids()) == sorted(r.message_id for r in rows)
    finally:
        controller.stop()


def test_server_that_never_answers_times_out_and_is_retried(mail_app, smtp_port):
    _queue(2)
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", smtp_port))
    silent.listen(5)
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    started = time.monotonic()
    result = deliver_pending(T0)
    elapsed = time.monotonic() - started
    silent.close()
    for conn, _addr in accepted:
        conn.close()
    assert result.retried == 2 and result.sent == 0
    assert elapsed < 10  # MAIL_TIMEOUT=1, not forever
    assert all("timed out" in (r.last_error or "").lower() or "timeout" in (r.last_error or "").lower()
               for r in db.session.execute(select(OutboxMessage)).scalars())


def test_row_fails_after_the_last_attempt(mail_app, sink):
    _queue(1)
    sink.refuse = "451 4.3.0 Try again later"
    moment = T0
    for _ in range(4):
        deliver_pending(moment)
        moment += timedelta(hours=3)
    row = db.session.execute(select(OutboxMessage)).scalar_one()
    assert row.status == "failed" and row.attempts == 4
    sink.refuse = None
    assert deliver_pending(moment).claimed == 0


def test_a_worker_killed_mid_batch_leaves_a_lease_that_expires(mail_app, sink):
    rows = _queue(3)
    from workflow.channels.mailer import claim

    ids = claim(T0, 10)  # claimed by a worker that then died before sending
    assert len(ids) == 3
    assert deliver_pending(T0 + timedelta(minutes=1)).claimed == 0  # leased
    assert deliver_pending(T0 + timedelta(minutes=6)).sent == 3  # lease expired: sent, once
    assert sorted(sink.message_ids()) == sorted(r.message_id for r in rows)


def test_long_thai_lines_fit_smtp_line_limits(mail_app, sink):
    from workflow.models import User

    u = User(agency_id=agency_id(), key="long", name="ผู้ใช้", email="long@example.org", created_at=T0)
    db.session.add(u)
    db.session.flush()
    lead = "รายงานความคืบหน้า" * 120  # one line of ~6,000 bytes in UTF-8
    assert queue("sent_back", "r1", u, [], T0, params={"code": "1.1", "number": 2, "reason": lead,
                                                       "by": "นางสาววิไล ศรีสุข ผู้อำนวยการกลุ่มอำนวยการ"})
    db.session.commit()
    assert deliver_pending(T0).sent == 1
    assert lead in sink.messages[0].get_body(("plain",)).get_content()


def test_subject_encoding_round_trips_and_keeps_lines_short():
    from workflow.channels.mailer import encode_header_value

    assert encode_header_value("Plain  ASCII\nsubject") == "Plain ASCII subject"
    encoded = encode_header_value("[ITA] " + LONG_SUBJECT)
    assert all(len(line) <= 78 for line in encoded.split("\r\n"))
    assert str(make_header(decode_header(encoded))) == "[ITA] " + LONG_SUBJECT


def test_a_slow_relay_keeps_its_claim_so_no_other_sender_takes_the_same_rows(tmp_path, smtp_port, sink):
    """Leases of 2 s, a relay that takes 0.5 s a message: a batch of 8 outlives its first lease twice over, and a
    second sender that comes while it works finds nothing to claim (#11). (1.5 s of slack for the first
    message's rendering on a loaded machine.)"""
    from tests.conftest import PG_URL
    from workflow.channels.mailer import claim

    app = create_app({
        "ITAFLOW_INSTANCE": str(tmp_path / "slow"), "ITAFLOW_SECRET_KEY": "test",
        "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'slow.sqlite'}",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_TIMEOUT": "5",
        "ITAFLOW_MAIL_LEASE_SECONDS": "2",
    })
    sink.delay = 0.5
    with app.app_context():
        db.drop_all()
        db.create_all()
        rows = _queue(8)
        results = []

        def first_sender():
            with app.app_context():
                results.append(deliver_pending(T0))

        worker = threading.Thread(target=first_sender)
        worker.start()
        taken = []
        started = time.monotonic()
        while worker.is_alive():
            time.sleep(0.2)
            elapsed = time.monotonic() - started
            taken += claim(T0 + timedelta(seconds=elapsed + 0.2), 10)  # the other sender, a little later
        worker.join()
        assert taken == [] and results[0].sent == 8
        assert sorted(sink.message_ids()) == sorted(r.message_id for r in rows) and sink.duplicates == 0
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


class KillingRelay(SinkHandler):
    """A real SMTP server that SIGKILLs the process sending to it: after every ``every``-th message it accepts
    in a run (the sender dies waiting for the answer, so that message is taken but never settled), or on
    the RCPT of the ``poison`` address (a message that kills its sender every time it is handed over)."""

    def __init__(self):
        super().__init__()
        self.pid: int | None = None
        self.every: int | None = None
        self.poison: str | None = None
        self.this_run = 0
        self.kills = 0

    def _kill(self) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            self.kills += 1
            self.pid = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's
        if address == self.poison:
            self._kill()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        reply = await super().handle_DATA(server, session, envelope)
        self.this_run += 1
        if self.every and self.this_run % self.every == 0:
            self._kill()
        return reply


@pytest.fixture
def killing_relay(mail_app, smtp_port, tmp_path):
    """The relay above and a parent of real sender processes (tests/senders.py) sharing the test's database;
    each run reads "now" from a clock file the test moves past the dead sender's leases."""
    from aiosmtpd.controller import Controller

    from tests.senders import Senders

    relay = KillingRelay()
    controller = Controller(relay, hostname="127.0.0.1", port=smtp_port, ready_timeout=10)
    controller.start()
    settings = mail_app.config["ITAFLOW"]
    clock_file = tmp_path / "clock"
    env = {**os.environ, "DATABASE_URL": settings.database_url, "ITAFLOW_INSTANCE": str(settings.instance_path),
           "ITAFLOW_SECRET_KEY": "test", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
           "MAIL_TIMEOUT": "5", "ITAFLOW_MAIL_MAX_ATTEMPTS": "4", "ITAFLOW_CLOCK_FILE": str(clock_file)}
    senders = Senders(env, tmp_path / "senders.log")

    def run(moment: datetime) -> int:
        """One sender process at ``moment``, until it ends or the relay kills it: its exit status."""
        set_fake_now(clock_file, moment)
        relay.this_run = 0
        child = senders.start("email")
        relay.pid = child.pid
        status = child.wait(120)
        relay.pid = None
        return status

    relay.run = run
    yield relay
    senders.close()
    controller.stop()


def _rows() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


@pytest.mark.slow
def test_senders_killed_again_and_again_fail_nothing_that_was_never_handed_over(killing_relay):
    """A sender killed while the relay holds every third message, run after run (each run one batch of
    everything left): more deaths than a row may be tried, yet every row arrives and none is failed, since only
    the message in the sender's hands at each death is counted. The one in hand is repeated (same Message-ID)."""
    rows = _queue(30)
    killing_relay.every = 3
    moment, statuses = T0, []
    for _ in range(20):
        statuses.append(killing_relay.run(moment))
        if all(r.status == "sent" for r in _rows()):
            break
        moment += timedelta(minutes=6)  # past the dead sender's lease (5 minutes)
    kills = statuses.count(-signal.SIGKILL)
    assert kills >= 10, statuses  # more deaths than the 4 tries a row has
    after = _rows()
    assert [r.status for r in after] == ["sent"] * 30, [(r.id, r.status, r.attempts, r.last_error) for r in after]
    assert max(r.attempts for r in after) <= 2  # the message in hand at a death, then its repeat
    assert sorted(killing_relay.message_ids()) == sorted(r.message_id for r in rows)
    assert killing_relay.duplicates <= kills


@pytest.mark.slow
def test_a_message_that_kills_its_sender_every_time_is_failed_and_the_rest_arrive_once(killing_relay):
    """The poison-row rule, with real deaths: the relay kills the sender each time one message is handed to it.
    After 4 deaths (ITAFLOW_MAIL_MAX_ATTEMPTS) that row is failed, saying why; every other row arrives once."""
    rows = _queue(6)
    killing_relay.poison = rows[2].to_email
    moment, statuses = T0, []
    for _ in range(6):
        statuses.append(killing_relay.run(moment))
        moment += timedelta(minutes=6)
    assert statuses[:4] == [-signal.SIGKILL] * 4 and statuses[4:] == [0, 0], statuses
    after = {r.id: r for r in _rows()}
    poison = after[rows[2].id]
    assert poison.status == "failed" and poison.attempts == 4 and "stopped 4 times" in poison.last_error
    assert all(r.status == "sent" and r.attempts == 1 for r in after.values() if r.id != poison.id)
    assert sorted(killing_relay.message_ids()) == sorted(r.message_id for r in rows if r.id != poison.id)
    assert killing_relay.duplicates == 0
