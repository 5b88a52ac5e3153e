"""Timer lateness in the live stack: a real redis-server, a Celery worker and beat as subprocesses and the
SMTP sink. Timers fall due at spread moments over a minute of real time; for each email we take the time
from its timer's fire_at to its arrival in the sink. Usage:

    .venv/bin/python bench/lateness.py [--tick 60] [--timers 60] [--spread 120]

Prints p50, p95 and max lateness in seconds, and the bound (one tick + 30 s). Every process reads the same
clock (bench.pin_clock): 09:00 on a working Wednesday, ticking on; lateness is in real seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench import OFFICE_MORNING, pin_clock  # noqa: E402
from tasks.sink import start_sink  # noqa: E402
from tests.test_live import Stack  # noqa: E402  (the same real-parts harness the tests use)
from web import create_app  # noqa: E402
from workflow import clock  # noqa: E402
from workflow.db import db  # noqa: E402
from workflow.models import OutboxMessage, Step, Timer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tick", type=int, default=60)
    parser.add_argument("--timers", type=int, default=60)
    parser.add_argument("--spread", type=int, default=120, help="seconds over which the timers fall due")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    stack = Stack(tmp)
    stack.env["ITAFLOW_SWEEP_SECONDS"] = str(args.tick)
    pinned = (OFFICE_MORNING + timedelta(minutes=30)).astimezone(UTC)  # in office hours: alerts go at once
    pin_clock(pinned, stack.clock)
    pinned_at = time.time()  # the real moment of ``pinned``: arrivals are measured in real time
    stack.start_redis()
    controller, sink = start_sink(port=stack.smtp_port)
    arrivals: dict[str, float] = {}
    original = sink.handle_DATA

    async def timed(server, session, envelope):
        reply = await original(server, session, envelope)
        text = envelope.content.decode("ascii", "replace")
        for line in text.splitlines():
            if line.startswith("X-Itaflow-Outbox:"):
                arrivals[line.split(":", 1)[1].strip()] = time.time()
                break
        return reply
    sink.handle_DATA = timed
    app = create_app(dict(stack.env))
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            from workflow.engine.instantiate import instantiate
            from workflow.onboarding.demo import demo_document

            now = clock.now()
            instantiate(demo_document(now.date(), as_written=False), actor_id=None, now=now, source_name="bench")
            db.session.execute(Timer.__table__.delete())
            db.session.execute(OutboxMessage.__table__.delete())
            steps = db.session.execute(select(Step).where(Step.state == "open")).scalars().all()
            start = clock.now() + timedelta(seconds=5)
            fire_at: dict[int, datetime] = {}
            for i in range(args.timers):
                s = steps[i % len(steps)]
                when = start + timedelta(seconds=args.spread * i / args.timers)
                t = Timer(kind="step_due_today", fire_at=when, target_type="step", target_id=s.id,
                          payload={"due": s.due_on.isoformat()})
                db.session.add(t)
                db.session.flush()
                fire_at[t.id] = when
            db.session.commit()
            stack.start("w1", "worker")
            stack.start("b1", "beat")
            deadline = time.time() + args.spread + 3 * args.tick + 60
            while time.time() < deadline:
                db.session.rollback()
                fired = db.session.execute(select(Timer).where(Timer.fired_at.is_(None))).first()
                pending = db.session.execute(select(OutboxMessage.id).where(OutboxMessage.status != "sent")).first()
                if fired is None and pending is None and arrivals:
                    break
                time.sleep(1)
            rows = db.session.execute(select(OutboxMessage)).scalars().all()
            lateness = []
            timers_by_step = {}
            for t in db.session.execute(select(Timer)).scalars():
                timers_by_step.setdefault(t.target_id, []).append(t)
            for row in rows:
                got = arrivals.get(str(row.id))
                if got is None:
                    continue
                # the timer that queued it fired at the sweep that created the row: the latest fire_at before it
                step_id = int(row.payload["items"][0]["link"].rsplit("/", 1)[1])
                candidates = [fire_at[t.id] for t in timers_by_step.get(step_id, []) if t.id in fire_at
                              and fire_at[t.id] <= row.created_at]
                if candidates:
                    lateness.append(got - pinned_at - (max(candidates) - pinned).total_seconds())
            db.drop_all()
        lateness.sort()
        p95 = lateness[max(0, int(len(lateness) * 0.95) - 1)] if lateness else None
        print(json.dumps({"tick_s": args.tick, "emails": len(lateness),
                          "p50_s": round(statistics.median(lateness), 1) if lateness else None,
                          "p95_s": round(p95, 1) if p95 is not None else None,
                          "max_s": round(max(lateness), 1) if lateness else None, "bound_s": args.tick + 30}))
    finally:
        stack.close()
        controller.stop()


if __name__ == "__main__":
    main()
