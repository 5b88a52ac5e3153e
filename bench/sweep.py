"""Sweep benchmark: seconds to claim and queue 1,000 due alerts among 1,000,000 open steps, and the same
among 10,000 open steps, in one run on one database. Usage:

    .venv/bin/python bench/sweep.py [--database-url URL] [--big 1000000] [--small 10000] [--due 1000]

Without --database-url it uses a SQLite file in a temporary folder. Prints a JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bench import pin_clock  # noqa: E402
from tasks.jobs import run_sweep  # noqa: E402
from web import create_app  # noqa: E402
from workflow.db import db  # noqa: E402
from workflow.models import Cycle, Group, Measure, Step, Timer, User  # noqa: E402
from workflow.people import agencies  # noqa: E402

NOW = datetime(2024, 6, 10, 2, 0, tzinfo=UTC)
CHUNK = 20_000
MEMBERS = 5  # people in the owner group, each gets the alert


def populate(open_steps: int, due: int) -> None:
    """One cycle, one group of MEMBERS people, measures of 50 steps each; every open step has one future timer,
    and ``due`` of them also have a timer that is due now."""
    db.create_all()
    unit = agencies.first(actor_id=None, now=NOW).id
    group = Group(agency_id=unit, key="hr", name="กลุ่มบริหารงานบุคคล")
    db.session.add(group)
    db.session.flush()
    users = [User(agency_id=unit, key=f"u{i}", name=f"เจ้าหน้าที่ {i}", email=f"u{i}@example.org", group_id=group.id,
                  created_at=NOW) for i in range(MEMBERS)]
    db.session.add_all(users)
    cycle = Cycle(agency_id=unit, agency="หน่วยงานทดสอบ", fiscal_year_be=2567, title="bench", memo={},
                  round_policy="previous",
                  deadline_policy="next", reminder_days=[3, 1], definition={}, created_at=NOW)
    db.session.add(cycle)
    db.session.flush()
    per_measure = 50
    measures = [{"cycle_id": cycle.id, "code": f"{i}", "position": i, "title": f"มาตรการ {i}",
                 "related_items": [], "weakness": "-", "improvement": "-", "owners_text": "-", "monitoring": {},
                 "period_start": date(2024, 5, 1), "period_end": date(2024, 7, 15), "state": "active"}
                for i in range(1, open_steps // per_measure + 1)]
    for start in range(0, len(measures), CHUNK):
        db.session.execute(insert(Measure), measures[start:start + CHUNK])
    first_measure = db.session.execute(text("SELECT min(id) FROM measure")).scalar()
    rows = []
    for n in range(open_steps):
        rows.append({"measure_id": first_measure + n // per_measure, "number": n % per_measure + 1,
                     "title": f"ขั้นตอน {n}", "kind": "task", "parallel": False, "owner_group_id": group.id,
                     "due_on": date(2024, 7, 15), "due_explicit": False, "state": "open", "version": 1})
        if len(rows) == CHUNK:
            db.session.execute(insert(Step), rows)
            rows = []
    if rows:
        db.session.execute(insert(Step), rows)
    first_step = db.session.execute(text("SELECT min(id) FROM step")).scalar()
    future = NOW + timedelta(days=20)
    timers = []
    for n in range(open_steps):
        timers.append({"kind": "step_overdue", "fire_at": future, "target_type": "step",
                       "target_id": first_step + n, "payload": {"due": "2024-07-15", "count": 1}})
        if len(timers) == CHUNK:
            db.session.execute(insert(Timer), timers)
            timers = []
    stride = max(1, open_steps // due)
    for k in range(due):
        timers.append({"kind": "step_due_today", "fire_at": NOW - timedelta(minutes=1), "target_type": "step",
                       "target_id": first_step + k * stride, "payload": {"due": "2024-07-15"}})
    db.session.execute(insert(Timer), timers)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def one_sweep(due: int) -> float:
    # re-arm the due timers and clear the outbox so every repetition does the same work
    db.session.execute(text("DELETE FROM outbox_message"))
    db.session.execute(text("UPDATE timer SET fired_at = NULL WHERE kind = 'step_due_today'"))
    db.session.commit()
    db.session.expire_all()
    started = time.perf_counter()
    result = run_sweep(NOW)
    elapsed = time.perf_counter() - started
    assert result.claimed == due, result
    queued = db.session.execute(text("SELECT count(*) FROM outbox_message")).scalar()
    assert queued == due * MEMBERS, queued  # one email per group member
    return elapsed


def measure(open_steps: int, due: int, repeats: int) -> dict:
    t0 = time.perf_counter()
    populate(open_steps, due)
    setup = time.perf_counter() - t0
    times = [one_sweep(due) for _ in range(repeats)]
    return {"open_steps": open_steps, "due": due, "setup_s": round(setup, 1),
            "median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pin_clock(NOW)  # this run's "now", in this process and every one it starts
    tmp = Path(tempfile.mkdtemp())
    figures = {}
    for label, size in (("small", args.small), ("big", args.big)):
        # a fresh database per size (SQLite: a new file; dropping a million rows with foreign keys is slow)
        url = args.database_url or f"sqlite:///{tmp / f'bench-{label}.sqlite'}"
        app = create_app({"ITAFLOW_INSTANCE": str(tmp), "DATABASE_URL": url, "ITAFLOW_SECRET_KEY": "bench"})
        with app.app_context():
            if args.database_url:
                db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                db.session.commit()
            figures[label] = measure(size, args.due, args.repeats)
            db.session.remove()
            db.engine.dispose()
    small, big = figures["small"], figures["big"]
    print(json.dumps({"database": (args.database_url or "sqlite").split(":")[0],
                      "small": small, "big": big, "ratio_big_small": round(big["median_s"] / small["median_s"], 2)},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
