"""Email benchmark: 10,000 outbox rows delivered to a local SMTP sink, in messages per second, as a ratio
to a plain smtplib loop sending the same messages over one connection, in the same run. Usage:

    .venv/bin/python bench/mail_delivery.py [--count 10000] [--database-url URL]

The sink is aiosmtpd's discarding handler in its own process. Prints a JSON line.
"""

from __future__ import annotations

import argparse
import json
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from bench import pin_clock  # noqa: E402
from web import create_app  # noqa: E402
from workflow import clock  # noqa: E402
from workflow.channels.mailer import deliver_pending, message_bytes  # noqa: E402
from workflow.db import db  # noqa: E402
from workflow.models import OutboxMessage, User  # noqa: E402
from workflow.people import agencies  # noqa: E402

NOW = datetime(2024, 6, 10, 2, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("sink did not start")


def queue_rows(count: int) -> None:
    db.session.execute(text("DELETE FROM outbox_message"))
    user = db.session.execute(select(User)).scalars().first()
    item = {"measure_code": "1.5", "measure_title": "กระบวนการสร้างความโปร่งใสในการใช้งบประมาณและการจัดซื้อจัดจ้าง",
            "step_number": 2, "step_title": "เจ้าหน้าที่ที่รับผิดชอบดำเนินการจัดทำรายงานผลจัดซื้อจัดจ้างหรือการจัดหาพัสดุประจำปี",
            "due": "๑๕ ก.ค. ๒๕๖๗", "overdue_days": None, "note": None, "link": "http://127.0.0.1:5000/steps/1",
            "agency": "สำนักงานศึกษาธิการจังหวัดร้อยเอ็ด"}
    rows = [{"dedupe_key": f"bench:{i}", "event": "reminder", "recipient_id": user.id,
             "to_email": f"u{i % 50}@example.org", "subject": "[ITA] ใกล้ครบกำหนด (3 วันทำการ): มาตรการ 1.5 ขั้นตอนที่ 2",
             "status": "pending", "attempts": 0, "next_attempt_at": NOW, "message_id": f"<bench{i}@itaflow.local>",
             "created_at": NOW, "payload": {"template": "alert", "recipient_name": user.name,
                                            "lead": "ขั้นตอนนี้จะครบกำหนดในอีก 3 วันทำการ", "items": [item],
                                            "closing": "", "context": {}}}
            for i in range(count)]
    for start in range(0, count, 5000):
        db.session.execute(insert(OutboxMessage), rows[start:start + 5000])
    db.session.commit()


def run_ours(count: int) -> float:
    queue_rows(count)
    started = time.perf_counter()
    sent = 0
    while True:
        result = deliver_pending(NOW)
        sent += result.sent
        if result.claimed == 0:
            break
    elapsed = time.perf_counter() - started
    assert sent == count, sent
    return count / elapsed


def app_settings():
    from flask import current_app

    return current_app.config["ITAFLOW"]


def run_plain(count: int, port: int) -> float:
    queue_rows(count)
    rows = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    sender = app_settings().mail_sender
    payloads = [(r.to_email, message_bytes(r, clock.now(), sender)) for r in rows]  # built beforehand: not timed
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        for to, data in payloads:
            smtp.sendmail("itaflow@localhost", [to], data)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    pin_clock(NOW)  # this run's "now", in this process and every one it starts
    tmp = Path(tempfile.mkdtemp())
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                             "-l", f"127.0.0.1:{port}"])
    try:
        wait_port(port)
        app = create_app({"ITAFLOW_INSTANCE": str(tmp), "ITAFLOW_SECRET_KEY": "bench", "MAIL_PORT": str(port),
                          "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'email.sqlite'}"})
        with app.app_context():
            db.drop_all()
            db.create_all()
            unit = agencies.first(actor_id=None, now=NOW).id
            db.session.add(User(agency_id=unit, key="u", name="นางสาวทดสอบ ส่งเมล", email="u@example.org",
                                created_at=NOW))
            db.session.commit()
            plain, ours = [], []
            for _ in range(2):  # alternate, so drift on a shared machine hits both
                plain.append(run_plain(args.count, port))
                ours.append(run_ours(args.count))
            db.drop_all()
        best_plain, best_ours = max(plain), max(ours)
        print(json.dumps({"count": args.count, "plain_smtplib_per_s": round(best_plain),
                          "itaflow_per_s": round(best_ours), "ratio": round(best_ours / best_plain, 2),
                          "database": (args.database_url or "sqlite").split(":")[0]}))
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    main()
