"""The morning of a shared deadline: every unit's reminders fall due at the same moment (08:30), one email for
each of 166,000 people. The live stack on this machine: PostgreSQL, a real redis-server, two web processes
(gunicorn), two Celery workers of two processes each (four worker processes), two beats (one too many, on
purpose: claims must make the second harmless) and a local SMTP server in a process of its own that counts
what it receives. Usage:

    .venv/bin/python bench/morning.py --database-url postgresql+psycopg://... [--units 8300] [--tick 10]

Prints one JSON line: the seconds from the moment the reminders fell due until the sweep had claimed every
timer and queued every email, and until the last email was in the SMTP server; the sending rate; and the
exactly-once check: emails received per outbox row and per person (each must be exactly one), duplicates
and missing. The web processes answer /healthz throughout (their p95 is printed too).

Every process reads the same clock (bench.pin_clock): a few seconds before 08:30 on a working Wednesday
(bench.OFFICE_MORNING), ticking on, whatever the hour the benchmark is run at. Figures are in real seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEOPLE = 20


def sink_main(port: int, out: Path) -> None:
    """The SMTP server of the bench, in its own process: counts messages per outbox row and per recipient,
    and writes its figures to ``out`` every half second and when told to stop."""
    from aiosmtpd.controller import Controller

    per_row: dict[str, int] = {}
    per_person: dict[str, int] = {}
    times = {"first": None, "last": None}

    class Counting:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            head = envelope.content[:4000]
            start = head.find(b"X-Itaflow-Outbox:")
            key = head[start + 17:head.find(b"\r\n", start)].strip().decode() if start >= 0 else "?"
            per_row[key] = per_row.get(key, 0) + 1
            for rcpt in envelope.rcpt_tos:
                per_person[rcpt] = per_person.get(rcpt, 0) + 1
            now = time.time()
            times["first"] = times["first"] or now
            times["last"] = now
            return "250 OK"

    def write(final: bool = False) -> None:
        figures = {"received": sum(per_row.values()), "rows": len(per_row), "people": len(per_person),
                   "first": times["first"], "last": times["last"]}
        if final:
            figures["rows_more_than_once"] = sum(1 for n in per_row.values() if n > 1)
            figures["people_more_than_once"] = sum(1 for n in per_person.values() if n > 1)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(figures))
        tmp.replace(out)

    controller = Controller(Counting(), hostname="127.0.0.1", port=port, data_size_limit=1_000_000)
    controller.start()
    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    while not stopping["now"]:
        write()
        time.sleep(0.5)
    controller.stop()
    write(final=True)


def populate(units: int, offices: int, due_at: datetime, due_on: date) -> int:
    """Units with their people, one open step per person due in three working days, and that step's
    reminder timer at ``due_at``: Core inserts, explicit ids. Returns the number of people."""
    from sqlalchemy import insert, text

    from workflow.db import db

    now = due_at - timedelta(days=30)
    rows: dict[str, list[dict]] = {t: [] for t in ("agency", "audit_head", "work_group", "app_user", "user_role",
                                                   "cycle", "measure", "step", "timer")}
    rows["agency"].append({"id": 1, "code": "moe", "name": "กระทรวงตัวอย่าง", "kind": "ministry", "parent_id": None,
                           "created_at": now})
    for o in range(offices):
        rows["agency"].append({"id": 2 + o, "code": f"o{o:03d}", "name": f"สำนักงานตัวอย่าง {o}", "kind": "office",
                               "parent_id": 1, "created_at": now})
    person = 0
    for u in range(units):
        unit = 2 + offices + u
        rows["agency"].append({"id": unit, "code": f"u{u:05d}", "name": f"โรงเรียนตัวอย่าง {u}", "kind": "school",
                               "parent_id": 2 + u % offices, "created_at": now})
        rows["work_group"].append({"id": unit, "agency_id": unit, "key": "admin", "name": "กลุ่มอำนวยการ",
                                   "director_id": None, "acting_director_id": None})
        rows["cycle"].append({"id": unit, "agency_id": unit, "agency": f"โรงเรียนตัวอย่าง {u}", "fiscal_year_be": 2569,
                              "title": "bench", "memo": {}, "round_policy": "previous", "deadline_policy": "next",
                              "reminder_days": [3, 1], "definition": {}, "source_name": None, "created_at": now,
                              "published_at": None})
        rows["measure"].append({"id": unit, "cycle_id": unit, "code": "1", "title": "จัดทำรายงานผลการบริหารความเสี่ยง",
                                "weakness": "-", "improvement": "-", "position": 1, "state": "active",
                                "period_start": due_on - timedelta(days=60), "period_end": due_on + timedelta(days=30),
                                "monitoring": {}, "owners_text": "-", "related_items": [], "constraints": None})
        for n in range(1, PEOPLE + 1):
            person += 1
            rows["app_user"].append({"id": person, "agency_id": unit, "key": f"p{n}", "name": f"บุคคล {person}",
                                     "email": f"p{person}@u{u:05d}.example", "group_id": unit, "active": True,
                                     "session_version": 1, "notify_mode": "instant", "digest_hour": 8,
                                     "digit_style": "thai", "language": "th", "created_at": now,
                                     "password_hash": None, "position": None})
            rows["user_role"].append({"user_id": person, "role": "staff"})
            rows["step"].append({"id": person, "measure_id": unit, "number": n, "occurrence": 1,
                                 "title": f"รายงานผลของบุคคลที่ {n}", "kind": "task", "parallel": True,
                                 "owner_group_id": unit, "owner_user_id": person, "reviewer_group_id": None,
                                 "reviews_step_id": None, "due_on": due_on, "due_explicit": True,
                                 "evidence_wanted": None, "recurrence": None, "state": "open",
                                 "sent_back_reason": None, "opened_at": now, "done_at": None, "done_by_id": None,
                                 "version": 1})
            rows["timer"].append({"id": person, "kind": "step_reminder", "fire_at": due_at, "fired_at": None,
                                  "target_type": "step", "target_id": person,
                                  "payload": {"due": due_on.isoformat(), "days_before": 3}})
    rows["audit_head"] = [{"id": a["id"], "last_seq": 0, "last_hash": "0" * 64} for a in rows["agency"]]
    for table, values in rows.items():
        for start in range(0, len(values), 5000):
            db.session.execute(insert(db.metadata.tables[table]), values[start:start + 5000])
    if db.engine.dialect.name == "postgresql":
        for table in ("agency", "work_group", "app_user", "cycle", "measure", "step", "timer"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return person


def _web(port: int, env: dict, logs: Path) -> subprocess.Popen:
    log = open(logs / f"web-{port}.log", "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                                "--workers", "1", "web:create_app()"], env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL (required)")
    parser.add_argument("--units", type=int, default=8300)
    parser.add_argument("--offices", type=int, default=80)
    parser.add_argument("--tick", type=int, default=10, help="the beat's sweep period (production: 60)")
    parser.add_argument("--senders", type=int, default=4, help="ITAFLOW_MAIL_SENDERS")
    parser.add_argument("--lead", type=int, default=20, help="seconds from the stack's start to 08:30")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--sink", nargs=2, metavar=("PORT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        sink_main(int(args.sink[0]), Path(args.sink[1]))
        return
    if not args.database_url:
        parser.error("--database-url is required (PostgreSQL)")

    from sqlalchemy import func, select

    from bench import OFFICE_MORNING, pin_clock
    from tests.test_live import Stack, free_port
    from web import create_app
    from workflow.calendar import WorkingCalendar
    from workflow.db import db
    from workflow.models import OutboxMessage, Timer
    from workflow.thaidate import bangkok_today

    tmp = Path(tempfile.mkdtemp())
    stack = Stack(tmp)
    due_at = OFFICE_MORNING.astimezone(UTC)  # "08:30", when every reminder falls due
    pin_clock(due_at - timedelta(hours=1), stack.clock)  # while the rows are written and the stack starts
    stack.env.update({"DATABASE_URL": args.database_url, "ITAFLOW_SWEEP_SECONDS": str(args.tick),
                      "ITAFLOW_MAIL_LEASE_SECONDS": "60", "ITAFLOW_MAIL_SENDERS": str(args.senders),
                      "MAIL_TIMEOUT": "30"})
    figures_file = tmp / "sink.json"
    sink = subprocess.Popen([sys.executable, __file__, "--sink", str(stack.smtp_port), str(figures_file)],
                            cwd=ROOT, start_new_session=True)
    webs: list[subprocess.Popen] = []
    app = create_app(dict(stack.env))
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            start = time.perf_counter()
            due_on = WorkingCalendar().add_working_days(bangkok_today(due_at), 3)
            people = populate(args.units, args.offices, due_at, due_on)
            setup = time.perf_counter() - start
            stack.start_redis()
            ports = [free_port(), free_port()]
            webs = [_web(port, stack.env, stack.logs) for port in ports]
            for name in ("w1", "w2"):
                stack.start(name, "worker")
            for name in ("b1", "b2"):
                stack.start(name, "beat")
            # every process has started: the clock to a few seconds before 08:30, and 08:30 in real time
            pin_clock(due_at - timedelta(seconds=args.lead), stack.clock)
            fell_due = time.time() + args.lead
            claimed_at = queued_at = delivered_at = None
            health: list[float] = []
            health_failed = 0  # /healthz not answered within 5 s (or refused) during the morning
            deadline = time.time() + args.timeout
            while time.time() < deadline:
                for port in ports:
                    began = time.perf_counter()
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                            answer.read()
                        if time.time() >= fell_due:
                            health.append((time.perf_counter() - began) * 1000)
                    except OSError:
                        if time.time() >= fell_due:
                            health_failed += 1
                db.session.rollback()
                if claimed_at is None:
                    left = db.session.scalar(select(func.count()).select_from(Timer).where(Timer.fired_at.is_(None)))
                    if left == 0:
                        claimed_at = time.time()
                if claimed_at is not None and queued_at is None:
                    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
                    if queued >= people:
                        queued_at = claimed_at  # the sweep queues a batch's mail in the batch's transaction
                sunk = json.loads(figures_file.read_text()) if figures_file.exists() else {}
                if sunk.get("received", 0) >= people:
                    delivered_at = sunk["last"]
                    break
                time.sleep(1)
            time.sleep(3)  # anything sent twice would arrive now
            statuses = dict(db.session.execute(select(OutboxMessage.status, func.count())
                                               .group_by(OutboxMessage.status)).all())
    finally:
        for process in webs:
            os.killpg(process.pid, signal.SIGTERM)
        stack.close()
        if sink.poll() is None:
            sink.send_signal(signal.SIGTERM)
            sink.wait(30)
    sunk = json.loads(figures_file.read_text())
    health.sort()
    print(json.dumps({
        "units": args.units, "people": people, "setup_s": round(setup, 1), "tick_s": args.tick,
        "worker_processes": 4, "senders": args.senders, "beats": 2, "web_processes": 2,
        "claimed_and_queued_s": round(queued_at - fell_due, 1) if queued_at else None,
        "delivered_s": round(delivered_at - fell_due, 1) if delivered_at else None,
        "first_email_s": round(sunk["first"] - fell_due, 1) if sunk.get("first") else None,
        "rate_per_s": round(sunk["received"] / (sunk["last"] - sunk["first"]), 1) if sunk.get("first") else None,
        "received": sunk["received"], "distinct_rows": sunk["rows"], "distinct_people": sunk["people"],
        "rows_more_than_once": sunk.get("rows_more_than_once"),
        "people_more_than_once": sunk.get("people_more_than_once"),
        "missing": people - sunk["rows"], "outbox": statuses,
        "healthz_p95_ms": round(health[int(0.95 * (len(health) - 1))], 1) if health else None,
        "healthz_median_ms": round(statistics.median(health), 1) if health else None,
        "healthz_failed": health_failed,
    }))


if __name__ == "__main__":
    main()
