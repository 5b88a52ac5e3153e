"""National scale: a ministry over offices over units, each unit with its people and three years of steps,
then the queries people wait on. Usage:

    .venv/bin/python bench/national.py --database-url postgresql+psycopg://... [--units 8300] [--offices 80]

Defaults are the issue's tree: 1 ministry, 80 offices, 8,300 units, 20 people a unit (166,000), 30 step rows a
unit a year for 3 years (about 750,000). ``--units`` scales it down for a quick run. Prints one JSON line:
rows made, setup seconds, and per query p50/p95 in milliseconds: งานของฉัน (the two queries of
``queries.my_open_steps``) and the approval queue for 200 people drawn at random, and the roll-up
(``rollup.units``) for one office and for the ministry; then the roll-up's pages through HTTP under gunicorn,
signed in as the ministry's supervisor (``pages_over_http``: p50/p95 to the last byte and the page's size, the
first view of each process, the first view after 5% of the units changed, with their tallies counted again by
the sweep in between (as every tick does) and without, the whole list as XLSX) and the API's roll-up with a
token (a page of 100 units, page 50, 1,000 units a page, the offices). On SQLite
without ``--database-url``. ``--pages-only`` measures the pages again on a database populated before.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, insert, select, text  # noqa: E402

from bench import pin_clock  # noqa: E402
from web import create_app  # noqa: E402
from workflow.db import db  # noqa: E402
from workflow.engine import queries  # noqa: E402
from workflow.models import User  # noqa: E402
from workflow.oversight import rollup  # noqa: E402

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)
PEOPLE, GROUPS, MEASURES, STEPS, YEARS = 20, 4, 5, 6, 3


def _chunks(rows: list[dict], size: int = 5000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _insert(table: str, rows: list[dict]) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(db.metadata.tables[table]), chunk)


def populate(units: int, offices: int) -> dict:
    """Rows by Core inserts with explicit ids (no round trips for ids): what the services would have made."""
    t = {name: 0 for name in ("agency", "work_group", "app_user", "cycle", "measure", "step", "round")}

    def next_id(table: str) -> int:
        t[table] += 1
        return t[table]

    agencies = [{"id": next_id("agency"), "code": "moe", "name": "กระทรวงตัวอย่าง", "kind": "ministry",
                 "parent_id": None, "created_at": NOW}]
    office_ids = []
    for o in range(offices):
        office_ids.append(next_id("agency"))
        agencies.append({"id": office_ids[-1], "code": f"o{o:03d}", "name": f"สำนักงานตัวอย่าง {o}", "kind": "office",
                         "parent_id": 1, "created_at": NOW})
    unit_ids = []
    for u in range(units):
        unit_ids.append(next_id("agency"))
        agencies.append({"id": unit_ids[-1], "code": f"u{u:05d}", "name": f"โรงเรียนตัวอย่าง {u}", "kind": "school",
                         "parent_id": office_ids[u % offices], "created_at": NOW})
    _insert("agency", agencies)
    groups, users, roles, cycles, measures, steps, rounds = [], [], [], [], [], [], []
    directors: list[dict] = []
    rng = random.Random(2569)
    for unit in unit_ids:
        gids = [next_id("work_group") for _ in range(GROUPS)]
        groups += [{"id": g, "agency_id": unit, "key": f"g{i}", "name": f"กลุ่ม {i}", "director_id": None,
                    "acting_director_id": None} for i, g in enumerate(gids)]
        uids = [next_id("app_user") for _ in range(PEOPLE)]
        for i, uid in enumerate(uids):
            users.append({"id": uid, "agency_id": unit, "key": f"p{i}", "name": f"บุคคล {uid}",
                          "email": f"p{uid}@example.org", "group_id": gids[i % GROUPS], "active": True,
                          "session_version": 1, "notify_mode": "instant", "digest_hour": 8, "digit_style": "thai",
                          "language": "th", "created_at": NOW, "password_hash": None, "position": None})
            roles.append({"user_id": uid, "role": "director" if i < GROUPS else "staff"})
        directors += [{"gid": g, "uid": uids[i]} for i, g in enumerate(gids)]
        for year in range(YEARS):
            cid = next_id("cycle")
            current = year == YEARS - 1
            cycles.append({"id": cid, "agency_id": unit, "agency": f"หน่วยงาน {unit}", "fiscal_year_be": 2567 + year,
                           "title": "bench", "memo": {}, "round_policy": "previous", "deadline_policy": "next",
                           "reminder_days": [3, 1], "definition": {}, "source_name": None, "created_at": NOW,
                           "published_at": None})
            for r in range(4 if current else 0):
                rounds.append({"id": next_id("round"), "cycle_id": cid, "number": r + 1,
                               "planned_on": TODAY + timedelta(days=15 * r), "held_on": TODAY + timedelta(days=15 * r),
                               "moved_reason": None, "status": "planned", "report": None, "minutes": None,
                               "attendance": []})
            progress = rng.randint(0, STEPS) if current else STEPS
            for m in range(MEASURES):
                mid = next_id("measure")
                measures.append({"id": mid, "cycle_id": cid, "code": f"1.{m + 1}", "title": f"มาตรการ {m + 1}",
                                 "weakness": "-", "improvement": "-", "position": m, "state": "active",
                                 "period_start": TODAY - timedelta(days=60), "period_end": TODAY + timedelta(days=60),
                                 "monitoring": {}, "owners_text": "-", "related_items": [],
                                 "constraints": None})
                for n in range(1, STEPS + 1):
                    state = "done" if n <= progress else ("open" if n == progress + 1 else "blocked")
                    review = n == STEPS
                    steps.append({"id": next_id("step"), "measure_id": mid, "number": n, "occurrence": 1,
                                  "title": f"ขั้นตอน {n}", "kind": "review" if review else "task", "parallel": False,
                                  "owner_group_id": None if review else gids[n % GROUPS],
                                  "owner_user_id": None, "reviewer_group_id": gids[0] if review else None,
                                  "reviews_step_id": None, "due_on": TODAY + timedelta(days=10 * (n - 3)),
                                  "due_explicit": True, "evidence_wanted": None, "recurrence": None, "state": state,
                                  "sent_back_reason": None, "opened_at": NOW if state == "open" else None,
                                  "done_at": NOW if state == "done" else None, "done_by_id": None, "version": 1})
    for table, rows in (("work_group", groups), ("app_user", users), ("user_role", roles), ("cycle", cycles),
                        ("measure", measures), ("step", steps), ("monitoring_round", rounds)):
        _insert(table, rows)
    group = db.metadata.tables["work_group"]
    # each agency's audit chain has a head (its first event made it): the roll-up reads it beside each tally
    _insert("audit_head", [{"id": a["id"], "last_seq": 1, "last_hash": "0" * 64} for a in agencies])
    for chunk in _chunks(directors):  # a group's director is one of its people: named once both exist
        db.session.execute(group.update().where(group.c.id == bindparam("gid")).values(director_id=bindparam("uid")),
                           chunk)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"agencies": len(agencies), "people": len(users), "steps": len(steps), "office_ids": office_ids}


def timed(call, repeats: int) -> dict:
    spent = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        spent.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    spent.sort()
    return {"p50_ms": round(statistics.median(spent), 2), "p95_ms": round(spent[int(0.95 * (len(spent) - 1))], 2)}


def _kept(call):
    """Run a roll-up and commit what it counted and kept (as the request that showed it would)."""
    def run():
        call()
        db.session.commit()
    return run


def rollups(office_id: int, repeats: int) -> dict:
    """The roll-up of an office and of the ministry: the first read, which counts every unit's cycle and keeps
    its tally; then reads with nothing changed; then reads after 5% of the units changed something (their
    audit chain moved: those are counted again)."""
    db.session.expunge_all()  # the 166,000 people loaded to draw a sample: a request's session holds none
    ministry = _kept(lambda: rollup.units(1, TODAY))
    first = timed(ministry, 1)["p50_ms"]
    units = [a for a in db.session.execute(text("SELECT id FROM agency WHERE kind = 'school'")).scalars()]
    rng = random.Random(5)

    def some_changed():
        head = db.metadata.tables["audit_head"]
        for agency_id in rng.sample(units, len(units) // 20):
            db.session.execute(head.update().where(head.c.id == agency_id).values(last_seq=head.c.last_seq + 1))
        db.session.commit()

    changed = []
    for _ in range(max(3, repeats // 4)):
        some_changed()
        changed.append(timed(ministry, 1)["p50_ms"])
    changed.sort()
    return {"rollup_office": timed(_kept(lambda: rollup.units(office_id, TODAY)), repeats),
            "rollup_ministry_first_read_ms": first,
            "rollup_ministry": timed(ministry, max(3, repeats // 4)),
            "rollup_ministry_5pct_changed": {"p50_ms": round(statistics.median(changed), 2),
                                             "max_ms": round(changed[-1], 2)}}


SUPERVISOR = "supervisor@moe.example.org"
PASSWORD = "bench-national-supervisor-pass"


def _supervisor() -> None:
    """The ministry's supervisor (ผู้กำกับติดตาม), who signs in to /rollup."""
    from workflow.models import UserRole
    from workflow.people.users import hash_password

    if db.session.execute(select(User.id).where(User.email == SUPERVISOR)).first() is None:
        from sqlalchemy import func

        next_id = (db.session.scalar(select(func.max(User.id))) or 0) + 1  # populate wrote ids itself
        person = User(id=next_id, agency_id=1, key="supervisor", name="ผู้กำกับติดตามระดับกระทรวง", email=SUPERVISOR,
                      password_hash=hash_password(PASSWORD), created_at=NOW)
        db.session.add(person)
        db.session.flush()
        db.session.add(UserRole(user_id=person.id, role="supervisor"))
        db.session.commit()


def _serve(env: dict) -> tuple[subprocess.Popen, int]:
    """The app under gunicorn as production runs it (2 processes, 4 threads each), on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                                "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--timeout", "120",
                                "web:create_app()"], env=env, cwd=str(Path(__file__).resolve().parent.parent),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def _sign_in(port: int) -> str:
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    r = conn.getresponse()
    page = r.read().decode()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    conn.request("POST", "/login", body=urlencode({"email": SUPERVISOR, "password": PASSWORD, "csrf_token": token}),
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    assert r.status == 302, r.status
    return r.getheader("Set-Cookie").split(";")[0]


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[float, int, int]:
    """One page through HTTP: milliseconds to its last byte, status, bytes. ``cookie`` is a session's cookie, or
    an API token's secret (``itf_...``), sent as the API takes it."""
    start = time.perf_counter()
    who = {"Authorization": f"Bearer {cookie}"} if cookie.startswith("itf_") else {"Cookie": cookie}
    conn.request("GET", path, headers={**who, "Accept-Encoding": "identity"})
    r = conn.getresponse()
    body = r.read()
    return (time.perf_counter() - start) * 1000, r.status, len(body)


def pages_over_http(database_url: str, instance: str, repeats: int) -> dict:
    """/rollup as the ministry's supervisor opens it, through HTTP at full size, and the pages it leads to: an
    office's units, a search, a later page of the list, the units behind. Each request timed to its last byte;
    p50/p95 over ``repeats`` requests each (both processes warmed first: each keeps its own mirror of the tree);
    then the first view after 5% of the units changed something. The body's size in KB."""
    _supervisor()
    from workflow.people import tokens

    supervisor_id = db.session.scalar(select(User.id).where(User.email == SUPERVISOR))
    _token, api_secret = tokens.create(supervisor_id, "api", f"bench {time.time_ns()}", now=NOW)
    db.session.commit()
    clock_file = Path(instance) / "clock"
    clock_file.write_text(NOW.isoformat())
    env = {**os.environ, "ITAFLOW_INSTANCE": instance, "ITAFLOW_SECRET_KEY": "bench-secret-key-0123",
           "DATABASE_URL": database_url, "ITAFLOW_CLOCK_FILE": str(clock_file), "ITAFLOW_IDLE_MINUTES": "600"}
    server, port = _serve(env)
    out: dict = {}
    try:
        cookie = _sign_in(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        first = [_get(conn, "/rollup", cookie) for _ in range(4)]  # each process's first view builds its mirror
        out["rollup_page_first_ms"] = round(max(t for t, _s, _b in first), 1)
        paths = {"rollup_page": "/rollup", "rollup_office_units": "/rollup?under=o001",
                 "rollup_search": "/rollup?q=%E0%B9%82%E0%B8%A3%E0%B8%87%E0%B9%80%E0%B8%A3%E0%B8%B5%E0%B8%A2%E0%B8%99"
                                  "%E0%B8%95%E0%B8%B1%E0%B8%A7%E0%B8%AD%E0%B8%A2%E0%B9%88%E0%B8%B2%E0%B8%87+12",
                 "rollup_page_100": "/rollup?page=100", "rollup_behind_by_lateness":
                     "/rollup?behind=1&sort=late_days&desc=1"}
        for name, path in paths.items():
            spent, sizes = [], []
            for _ in range(repeats):
                ms, status, size = _get(conn, path, cookie)
                assert status == 200, (path, status)
                spent.append(ms)
                sizes.append(size)
            spent.sort()
            out[name] = {"p50_ms": round(statistics.median(spent), 1),
                         "p95_ms": round(spent[int(0.95 * (len(spent) - 1))], 1), "kb": round(max(sizes) / 1024, 1)}
        # the API's roll-up, a page at a time (100 units by default, up to 1,000), and the level below
        api = {"api_rollup": "/api/v1/rollup", "api_rollup_page_50": "/api/v1/rollup?page=50",
               "api_rollup_1000": "/api/v1/rollup?per_page=1000&page=3", "api_rollup_offices": "/api/v1/rollup/offices"}
        for name, path in api.items():
            spent, sizes = [], []
            for _ in range(repeats):
                ms, status, size = _get(conn, path, api_secret)
                assert status == 200, (path, status)
                spent.append(ms)
                sizes.append(size)
            spent.sort()
            out[name] = {"p50_ms": round(statistics.median(spent), 1),
                         "p95_ms": round(spent[int(0.95 * (len(spent) - 1))], 1), "kb": round(max(sizes) / 1024, 1)}
        units = list(db.session.execute(text("SELECT id FROM agency WHERE kind = 'school'")).scalars())
        rng = random.Random(7)
        head = db.metadata.tables["audit_head"]

        def some_changed() -> None:
            for agency_id in rng.sample(units, len(units) // 20):
                db.session.execute(head.update().where(head.c.id == agency_id).values(last_seq=head.c.last_seq + 1))
            db.session.commit()

        for name, recounted in (("rollup_page_5pct_changed_recounted", True), ("rollup_page_5pct_changed", False)):
            after, recount = [], []
            for _ in range(max(3, repeats // 10)):
                some_changed()
                if recounted:  # the sweep's tick in between (a minute at most): the stale tallies counted again
                    start = time.perf_counter()
                    rollup.recount_stale()
                    db.session.commit()
                    recount.append((time.perf_counter() - start) * 1000)
                for _ in range(2):  # both processes see the change once
                    after.append(_get(conn, "/rollup", cookie)[0])
            after.sort()
            out[name] = {"p50_ms": round(statistics.median(after), 1), "max_ms": round(after[-1], 1)}
            if recount:
                out[name]["sweep_recount_ms"] = round(statistics.median(recount), 1)
        status, size = 0, 0
        ms, status, size = _get(conn, "/rollup.xlsx", cookie)
        out["rollup_xlsx_all"] = {"ms": round(ms, 1), "kb": round(size / 1024, 1), "status": status}
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--units", type=int, default=8300)
    parser.add_argument("--offices", type=int, default=80)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--pages-only", action="store_true",
                        help="measure the pages over HTTP on a database this bench populated before (kept)")
    args = parser.parse_args()
    pin_clock(NOW)  # this run's "now", in this process and every one it starts
    if args.pages_only:
        if not args.database_url:
            parser.error("--pages-only needs --database-url")
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app({"ITAFLOW_INSTANCE": tmp, "ITAFLOW_SECRET_KEY": "bench-secret-key-0123",
                              "DATABASE_URL": args.database_url})
            with app.app_context():
                print(json.dumps(pages_over_http(args.database_url, tmp, args.repeats)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"ITAFLOW_INSTANCE": tmp, "ITAFLOW_SECRET_KEY": "bench-secret-key-0123",
                          "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/national.sqlite"})
        with app.app_context():
            db.drop_all()
            db.create_all()
            start = time.perf_counter()
            made = populate(args.units, args.offices)
            setup = time.perf_counter() - start
            rng = random.Random(1)
            people = db.session.execute(select(User).order_by(User.id)).scalars().all()
            sample = rng.sample(people, min(200, len(people)))
            directors = [p for p in sample if p.has_role("director")] or sample
            del people  # a server process does not hold 166,000 people: neither does the bench's
            picks = iter(sample * args.repeats)
            dpicks = iter(directors * (args.repeats * 200))
            result = {
                "database": db.engine.dialect.name, "setup_s": round(setup, 1),
                **{k: v for k, v in made.items() if k != "office_ids"},
                "my_steps": timed(lambda: queries.my_open_steps(next(picks)), len(sample)),
                "approval_queue": timed(lambda: queries.approval_queue(next(dpicks)), len(sample)),
                **rollups(made["office_ids"][0], args.repeats),
            }
            if db.engine.dialect.name == "postgresql" or args.database_url is None:
                db.session.remove()
                result.update(pages_over_http(str(db.engine.url.render_as_string(hide_password=False)), tmp,
                                              args.repeats))
            db.session.remove()
            db.drop_all()
        print(json.dumps(result))


if __name__ == "__main__":
    main()
