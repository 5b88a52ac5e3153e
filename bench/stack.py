"""The production stack broken on purpose, under load.

The native stack of tests/nativestack.py (nginx from the compose template before two gunicorn replicas, two
Celery workers, beat, PostgreSQL, Redis, an SMTP relay that takes its time), its clock pinned to an
office-hour morning (alerts leave only in office hours), a deadline morning's mail going out (the opening
alerts and 3-day reminders of every officer's steps, and a batch for the units' people before each fault),
and Locust (bench/stack_load.py) driving officers who sign in, open งานของฉัน and mark steps done and
directors who approve. Then, one after the other: one web replica killed, PostgreSQL restarted, the worker
that is sending killed, Redis stopped for a minute. Usage:

    .venv/bin/pip install -e '.[bench]'     # Locust
    .venv/bin/python -m bench.stack [--officers 40] [--redis-down 60] [--json FILE]

Prints a Markdown table (the README's) and one JSON line: for each fault the requests that failed (and what
they were), how many nginx sent to another replica, p95 through nginx before, during and after, and the
seconds until the piece was back and nothing failed any more; then mail: queued, received, lost (0) and
repeated (at most the one in flight at each kill).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pin_clock  # noqa: E402
from tests.nativestack import NativeStack, _healthy  # noqa: E402
from workflow.thaidate import BANGKOK  # noqa: E402

#: 08:29 on a Wednesday: the morning's alerts wait for 08:30, a minute after the stack starts
MORNING = datetime(2026, 11, 25, 8, 29, tzinfo=BANGKOK)
PASSWORD = "correct-horse-battery"


def definitions(groups: int, officers: int, measures_each: int, due: date) -> str:
    """A year of measures for ``officers`` people in ``groups`` groups: each officer owns ``measures_each``
    measures of two steps, their task due on ``due`` and its review by the group's director."""
    from workflow.thaidate import fiscal_year_be

    def be(day: date) -> str:
        return f"{day.year + 543}-{day.month:02d}-{day.day:02d}"

    year = fiscal_year_be(due)
    start, end = date(year - 544, 10, 1), date(year - 543, 9, 30)
    lines = ["format: 1", "agency: สำนักงานเขตพื้นที่การศึกษาตัวอย่าง", f"fiscal_year: {year}",
             "title: มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "reminders: [3, 1]", "groups:"]
    lines += [f"  g{g}: {{name: กลุ่มงานที่ {g}, director: d{g}}}" for g in range(groups)]
    lines += ["secretariat: g0", "people:"]
    lines += [f"  d{g}: {{name: ผู้อำนวยการกลุ่มที่ {g}, group: g{g}, roles: [staff, director], "
              f"email: d{g}@bench.itaflow.test}}" for g in range(groups)]
    lines += [f"  o{n}: {{name: เจ้าหน้าที่คนที่ {n}, group: g{n % groups}, email: o{n}@bench.itaflow.test}}"
              for n in range(officers)]
    lines.append("measures:")
    for n in range(officers):
        for m in range(measures_each):
            lines += [f'  - code: "{n + 1}.{m + 1}"', f"    title: มาตรการที่ {n + 1}.{m + 1}",
                      "    weakness: ยังไม่ครบถ้วน", "    improvement: จัดทำให้ครบถ้วน",
                      f"    owners: {{text: เจ้าหน้าที่คนที่ {n}, people: [o{n}]}}",
                      f"    period: {{start: {be(start)}, end: {be(end)}}}", "    steps:",
                      f"      - {{title: จัดทำรายงานผล, owner: {{person: o{n}}}, due: {be(due)}}}",
                      f"      - {{title: ผู้อำนวยการกลุ่มตรวจสอบความถูกต้อง, kind: review, reviewer: g{n % groups}}}"]
    return "\n".join(lines) + "\n"


def populate(stack: NativeStack, *, groups: int, officers: int, measures_each: int, unit_people: int) -> dict:
    """The year loaded at 08:29 (its opening alerts wait for 08:30), every account's password, and the units'
    people who receive the batches of mail. Returns the accounts for Locust."""
    from sqlalchemy import update

    from workflow.calendar import WorkingCalendar
    from workflow.db import db
    from workflow.engine.definitions import parse_definitions
    from workflow.engine.instantiate import instantiate
    from workflow.models import User
    from workflow.people.users import hash_password

    now = stack.now()
    due = WorkingCalendar().add_working_days(now.astimezone(BANGKOK).date(), 3)  # its reminder: this morning
    with stack.app().app_context():
        doc = parse_definitions(definitions(groups, officers, measures_each, due), "bench")
        result = instantiate(doc, actor_id=None, now=now, source_name="bench/stack.py")
        db.session.execute(update(User).values(password_hash=hash_password(PASSWORD)))
        unit = result.cycle.agency_id
        db.session.add_all(User(agency_id=unit, key=f"u{i}", name=f"บุคลากรหน่วยงาน {i}",
                                email=f"u{i}@units.bench.itaflow.test", created_at=now) for i in range(unit_people))
        db.session.commit()
        db.engine.dispose()

    def source(n: int) -> str:
        return f"127.0.{1 + n // 250}.{1 + n % 250}"

    return {"password": PASSWORD,
            "officers": [{"email": f"o{n}@bench.itaflow.test", "source": source(n)} for n in range(officers)],
            "directors": [{"email": f"d{g}@bench.itaflow.test", "source": source(officers + g)}
                          for g in range(groups)]}


def queue_batch(stack: NativeStack, cause: str) -> int:
    """One e-mail for each of the units' people, due now (the next unit's deadline morning)."""
    from sqlalchemy import select

    from workflow.channels.notify import collecting, queue
    from workflow.db import db
    from workflow.models import User

    with stack.app().app_context():
        people = db.session.execute(select(User).where(User.key.like("u%"))).scalars().all()
        with collecting() as rows:
            for person in people:
                queue("step_opened", cause, person, [], stack.now(), params={"code": "1.1", "number": 1})
        db.session.commit()
        db.engine.dispose()
        return len(rows)


def sending_worker(stack: NativeStack) -> str:
    """A worker in the middle of a send_outbox task, else the first."""
    for name in ("worker1", "worker2"):
        log = stack.log(name)
        taken = set(re.findall(r"itaflow\.send_outbox\[([^\]]+)\] received", log))
        ended = set(re.findall(r"itaflow\.send_outbox\[([^\]]+)\] (?:succeeded|raised|failed)", log))
        if taken - ended:
            return name
    return "worker1"


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)])


def retried_by_nginx(stack: NativeStack, since: float, until: float) -> int:
    """Access-log lines within [since, until] (epoch seconds) that nginx sent to more than one replica."""
    count = 0
    for line in stack.access_log():
        when = re.search(r"\[([^\]]+)\]", line)
        if when and since - 1 <= datetime.fromisoformat(when[1]).timestamp() <= until + 1 and \
                re.search(r'upstream="[^"]*, ', line):
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=40)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--measures", type=int, default=5, help="measures of each officer")
    parser.add_argument("--unit-people", type=int, default=1500, help="mail of each batch")
    parser.add_argument("--relay-delay", type=float, default=0.04, help="seconds the SMTP relay takes a message")
    parser.add_argument("--window", type=float, default=15, help="seconds before and after each fault")
    parser.add_argument("--redis-down", type=float, default=60)
    parser.add_argument("--sweep", type=int, default=5, help="ITAFLOW_SWEEP_SECONDS (production: 60)")
    parser.add_argument("--lease", type=int, default=30, help="ITAFLOW_MAIL_LEASE_SECONDS (production: 300)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the stack's folder (logs, nginx's access log)")
    args = parser.parse_args()

    stack = NativeStack(replicas=2, workers=2, web_concurrency=3, sweep_seconds=args.sweep,
                        lease_seconds=args.lease, clock_start=MORNING, relay_delay=args.relay_delay)
    # every process of the stack and this one read the stack's clock file, from 08:29 on a Wednesday, ticking
    pin_clock(MORNING, stack.clock_file)
    accounts: dict = {}
    load = None
    try:
        stack.start(lambda s: accounts.update(populate(s, groups=args.groups, officers=args.officers,
                                                       measures_each=args.measures, unit_people=args.unit_people)))
        print(f"stack up: {json.dumps({k: round(v, 1) for k, v in stack.timings.items()}, ensure_ascii=False)}",
              file=sys.stderr)
        (stack.folder / "accounts.json").write_text(json.dumps(accounts))
        records_file, stop_file = stack.folder / "requests.jsonl", stack.folder / "stop-load"
        load = subprocess.Popen([sys.executable, "-m", "bench.stack_load", "--host", stack.url,
                                 "--accounts", str(stack.folder / "accounts.json"), "--out", str(records_file),
                                 "--stop", str(stop_file)], cwd=ROOT,
                                stdout=open(stack.logs / "locust.log", "ab"),  # noqa: SIM115 - the child's
                                stderr=subprocess.STDOUT)
        time.sleep(args.window)  # everyone signed in, the morning's first mail under way
        faults = []
        mail_seen: list[tuple[float, int]] = []  # (when, messages the relay had): when mail stalled and resumed

        def watch_mail() -> None:
            while not stop_file.exists():
                mail_seen.append((time.time(), len(stack.sink.messages)))
                time.sleep(0.5)
        threading.Thread(target=watch_mail, daemon=True).start()
        in_flight: dict[str, int] = {}

        def fault(name: str, act) -> None:
            queued = queue_batch(stack, name)
            time.sleep(args.window)
            started = time.time()
            detail = act()
            back = time.time()
            print(f"{name}: back after {back - started:.1f} s {detail or ''}", file=sys.stderr)
            time.sleep(args.window)
            faults.append({"fault": name, "at": started, "back": back, "mail_queued": queued, **(detail or {})})

        def kill_web():
            stack.kill("web1")
            time.sleep(0.5)
            while not (stack.services["web1"].restarts and _healthy(f"http://127.0.0.1:{stack.web_ports[0]}/healthz")):
                time.sleep(0.2)
            return {}

        def restart_postgres():
            stack.restart_postgres()
            return {}

        def kill_worker():
            name = sending_worker(stack)
            in_flight["at_kill"] = len(stack.sink.messages)
            stack.kill(name)
            time.sleep(0.5)
            while not (stack.services[name].restarts and "ready." in stack.log(name).rsplit("celery@", 1)[-1]):
                time.sleep(0.2)
            return {"killed": name, "mail_received_at_kill": in_flight["at_kill"]}

        def stop_redis():
            stack.stop_redis()
            time.sleep(args.redis_down)
            stack.start_redis()
            return {}

        fault("web replica killed", kill_web)
        fault("PostgreSQL restarted", restart_postgres)
        fault("worker killed mid-batch", kill_worker)
        fault(f"Redis stopped for {args.redis_down:.0f} s", stop_redis)
        stop_file.write_text("stop")
        load.wait(120)
        mail = settle_mail(stack, timeout=args.lease + 240)
        records = [json.loads(line) for line in records_file.read_text().splitlines()]
        (stack.folder / "run.json").write_text(json.dumps({"faults": faults, "mail": mail, "mail_seen": mail_seen}))
        report = figures(stack, records, faults, mail, mail_seen, args)
        print(table(report))
        print(json.dumps(report, ensure_ascii=False))
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        if load is not None and load.poll() is None:
            load.kill()
        stack.close(keep=args.keep)
        if args.keep:
            print(f"kept: {stack.folder}", file=sys.stderr)


def settle_mail(stack: NativeStack, timeout: float) -> dict:
    """Wait until every queued e-mail is settled (sent or failed), then count what the relay got."""
    from sqlalchemy import func, select

    from workflow.db import db
    from workflow.models import OutboxMessage

    started = time.monotonic()
    with stack.app().app_context():
        while True:
            db.session.rollback()
            waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                        .where(OutboxMessage.status.in_(("pending", "sending"))))
            if not waiting or time.monotonic() - started > timeout:
                break
            time.sleep(1)
        rows = db.session.execute(select(OutboxMessage.message_id, OutboxMessage.status)).all()
        db.engine.dispose()
    received = set(stack.sink.message_ids())
    statuses = Counter(status for _id, status in rows)
    return {"queued": len(rows), "received": len(received & {m for m, _s in rows}),
            "lost": sum(1 for m, _s in rows if m not in received), "repeated": stack.sink.duplicates,
            "statuses": dict(statuses), "seconds_to_settle": round(time.monotonic() - started)}


def mail_stalled(seen: list[tuple[float, int]], at: float, until: float) -> float | None:
    """The longest wait, from the fault to the end of its window, between two messages reaching the relay
    (from the fault itself to the first one after it): mail held up by the fault. None when no message arrived
    in the window (the batch was over)."""
    arrivals = [t for (t, n), (_t0, n0) in zip(seen[1:], seen, strict=False) if n > n0 and at < t <= until]
    if not arrivals:
        return None
    return round(max(b - a for a, b in zip([at, *arrivals], arrivals, strict=False)), 1)


def figures(stack: NativeStack, records: list, faults: list, mail: dict, seen: list, args) -> dict:
    window = args.window
    out = {"requests": len(records), "failed": sum(1 for r in records if r[3]),
           "people": args.officers + args.groups, "faults": [], "mail": mail}
    for f in faults:
        at, back = f["at"], f["back"]
        failed = [r for r in records if r[3] and at - window <= r[0] <= back + window]
        last_failure = max((r[0] + r[2] / 1000 for r in failed), default=at)
        out["faults"].append({
            "fault": f["fault"],
            "failed": len(failed),
            "failed_what": dict(Counter(f"{r[1]} {r[4] or r[5]}" for r in failed)),
            "retried_by_nginx": retried_by_nginx(stack, at, back + window),
            "p95_ms_before": p95([r[2] for r in records if at - window <= r[0] < at]),
            "p95_ms_during": p95([r[2] for r in records if at <= r[0] < max(back, at + 1)]),
            "p95_ms_after": p95([r[2] for r in records if back <= r[0] < back + window]),
            "recovered_s": round(max(back, last_failure) - at, 1),
            "mail_stalled_s": mail_stalled(seen, at, back + window),
            **({"killed": f["killed"]} if "killed" in f else {}),
        })
    return out


def table(report: dict) -> str:
    rows = ["| fault | requests failed (what) | retried by nginx | p95 before / during / after (ms) | recovered "
            "| mail held up |", "| --- | --- | --- | --- | --- | --- |"]
    for f in report["faults"]:
        what = ", ".join(f"{k}: {v}" for k, v in f["failed_what"].items()) or "-"
        rows.append(f"| {f['fault']} | {f['failed']} ({what}) | {f['retried_by_nginx']} | "
                    f"{f['p95_ms_before']} / {f['p95_ms_during']} / {f['p95_ms_after']} | {f['recovered_s']} s | "
                    f"{f['mail_stalled_s']} s |")
    m = report["mail"]
    rows.append("")
    rows.append(f"{report['requests']} requests by {report['people']} people, {report['failed']} failed. "
                f"Mail: {m['queued']} queued, {m['received']} received, {m['lost']} lost, {m['repeated']} repeated "
                f"({m['statuses']}).")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
