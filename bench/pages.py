"""Page benchmark with 300,000 steps: the queries behind งานของฉัน and the approval queue (p95 and the plan),
each page's median and p95 through Flask, and requests per second under gunicorn (2 workers) as a ratio to a
hello-world Flask app served the same way, in the same run. Usage:

    .venv/bin/python bench/pages.py [--steps 300000] [--database-url URL] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from bench import pin_clock  # noqa: E402
from web import create_app  # noqa: E402
from workflow.db import db  # noqa: E402
from workflow.engine import queries  # noqa: E402
from workflow.models import Cycle, Group, Measure, Step, User, UserRole  # noqa: E402
from workflow.people import agencies  # noqa: E402
from workflow.people.users import hash_password  # noqa: E402

NOW = datetime(2024, 6, 10, 2, 0, tzinfo=UTC)
PASSWORD = "bench-password-2567"
GROUPS, MEMBERS, PER_MEASURE = 200, 10, 25
#: most of 300,000 steps are history: measures of past cycles, all done; the newest tenth are under way
CURRENT_SHARE = 10


def populate(total: int) -> None:
    db.create_all()
    unit = agencies.first(actor_id=None, now=NOW).id
    groups = [Group(agency_id=unit, key=f"g{i}", name=f"กลุ่มงานที่ {i}") for i in range(GROUPS)]
    db.session.add_all(groups)
    db.session.flush()
    pw = hash_password(PASSWORD)
    for g in groups:
        members = [User(agency_id=unit, key=f"{g.key}-u{j}", name=f"เจ้าหน้าที่ {g.key}-{j}",
                        email=f"{g.key}.u{j}@example.org",
                        group_id=g.id, password_hash=pw, created_at=NOW) for j in range(MEMBERS)]
        db.session.add_all(members)
        db.session.flush()
        g.director_id = members[0].id
        db.session.add_all([UserRole(user_id=u.id, role="staff") for u in members])
        db.session.add(UserRole(user_id=members[0].id, role="director"))
    cycle = Cycle(agency_id=unit, agency="หน่วยงานทดสอบ", fiscal_year_be=2567, title="bench", memo={},
                  round_policy="previous",
                  deadline_policy="next", reminder_days=[3, 1], definition={}, created_at=NOW)
    db.session.add(cycle)
    db.session.flush()
    n_measures = total // PER_MEASURE
    db.session.execute(insert(Measure), [
        {"cycle_id": cycle.id, "code": str(i), "position": i, "title": f"มาตรการ {i}", "related_items": [],
         "weakness": "-", "improvement": "-", "owners_text": "-", "monitoring": {},
         "period_start": date(2024, 5, 1), "period_end": date(2024, 7, 15), "state": "active"}
        for i in range(1, n_measures + 1)])
    first = db.session.scalar(text("SELECT min(id) FROM measure"))
    rows = []
    for n in range(total):
        m, k = divmod(n, PER_MEASURE)
        group = groups[m % GROUPS].id
        review = k % 5 == 4
        current = (m // GROUPS) % CURRENT_SHARE == 0
        state = "done" if (k < 10 or not current) else ("open" if k in (10, 11, 14) else "blocked")
        rows.append({"measure_id": first + m, "number": k + 1, "occurrence": 1, "title": f"ขั้นตอน {k + 1}",
                     "kind": "review" if review else "task", "parallel": False,
                     "owner_group_id": None if review else group, "reviewer_group_id": group if review else None,
                     "due_on": date(2024, 5, 1) + timedelta(days=k * 3), "due_explicit": True, "state": state,
                     "opened_at": NOW if state != "blocked" else None, "version": 1})
        if len(rows) == 20000:
            db.session.execute(insert(Step), rows)
            rows = []
    if rows:
        db.session.execute(insert(Step), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * 0.95) - 1)]


def timed(fn, repeats: int) -> dict:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(runs), 2), "p95_ms": round(p95(runs), 2)}


def plan(sql_query) -> list[str]:
    compiled = sql_query.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    return [" ".join(str(c) for c in row) for row in db.session.execute(text(prefix + str(compiled)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(port: int, path: str, cookie: str | None, seconds: float, threads: int = 8) -> float:
    """Requests per second: wrk (Debian's package) when installed, else a few keep-alive Python threads."""
    import shutil

    if shutil.which("wrk"):
        argv = ["wrk", "-t2", "-c16", f"-d{max(1, int(seconds))}s", f"http://127.0.0.1:{port}{path}"]
        if cookie:
            argv[1:1] = ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in output:
            raise RuntimeError(output)
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    stop = time.monotonic() + seconds
    done = [0] * threads

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            done[i] += 1
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.monotonic() - started)


def serve(app_spec: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                                "--workers", "2", "--worker-class", "gthread", "--threads", "4", app_spec],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{app_spec} did not start")


def session_cookie(port: int, email: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    r = conn.getresponse()
    page = r.read().decode()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    from urllib.parse import urlencode

    conn.request("POST", "/login", body=urlencode({"email": email, "password": PASSWORD, "csrf_token": token}),
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    assert r.status == 302, r.status
    cookie = r.getheader("Set-Cookie").split(";")[0]
    # a browser keeps the cookie of its first page (the session's CSRF secret is made there); wrk replays one
    conn.request("GET", "/", headers={"Cookie": cookie})
    r = conn.getresponse()
    r.read()
    return (r.getheader("Set-Cookie") or cookie).split(";")[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300_000)
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    pin_clock(NOW)  # this run's "now", in this process and every one it starts
    tmp = Path(tempfile.mkdtemp())
    env = {**os.environ, "ITAFLOW_INSTANCE": str(tmp), "ITAFLOW_SECRET_KEY": "bench-secret",
           "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'pages.sqlite'}"}
    app = create_app(env)
    out: dict = {"steps": args.steps, "database": env["DATABASE_URL"].split(":")[0]}
    with app.app_context():
        if args.database_url:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        populate(args.steps)
        staff = db.session.execute(select(User).where(User.key == "g3-u4")).scalar_one()
        director = db.session.execute(select(User).where(User.key == "g3-u0")).scalar_one()
        out["my_steps_rows"] = len(queries.my_open_steps(staff))
        out["queue_rows"] = len(queries.approval_queue(director))
        out["my_steps_query"] = timed(lambda: (queries.my_open_steps(staff), db.session.rollback()), 200)
        out["queue_query"] = timed(lambda: (queries.approval_queue(director), db.session.rollback()), 200)
        groups = queries.my_group_ids(staff)
        base = select(Step.id, Step.due_on).where(Step.state == "open", Step.kind == "task")
        out["my_steps_plan"] = plan(base.where(Step.owner_group_id.in_(groups)).order_by(Step.due_on).limit(100)) \
            + plan(base.where(Step.owner_user_id == staff.id).order_by(Step.due_on).limit(100))
        out["queue_plan"] = plan(select(Step).where(Step.state == "open", Step.kind == "review",
                                                    Step.reviewer_group_id.in_(groups)).order_by(Step.opened_at))
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": "g3.u0@example.org", "password": PASSWORD, "csrf_token": token})
    client.get("/")  # the session's CSRF secret is made on the first page
    pages = app.extensions["itaflow_pages"]
    # built afresh every time (the page cache emptied first), then a reload of an unchanged page
    out["page_my_steps_built"] = timed(lambda: (pages.clear(), client.get("/")), 100)
    out["page_approvals_built"] = timed(lambda: (pages.clear(), client.get("/approvals")), 100)
    out["page_my_steps_reload"] = timed(lambda: client.get("/"), 100)
    out["page_approvals_reload"] = timed(lambda: client.get("/approvals"), 100)
    hello, hello_port = serve("bench.hello_app:app", env)
    itaflow, app_port = serve("web:create_app()", env)
    uncached, uncached_port = serve("web:create_app()", {**env, "ITAFLOW_PAGE_CACHE": "0"})
    try:
        cookie = session_cookie(app_port, "g3.u0@example.org")
        cookie_uncached = session_cookie(uncached_port, "g3.u0@example.org")
        load(hello_port, "/", None, 2)
        load(app_port, "/", cookie, 2)  # warm up
        load(uncached_port, "/", cookie_uncached, 2)
        rps: dict[str, list[float]] = {}
        for _ in range(2):  # alternate, so drift on a shared machine hits every server alike
            rps.setdefault("hello", []).append(load(hello_port, "/", None, args.seconds))
            rps.setdefault("my_steps", []).append(load(app_port, "/", cookie, args.seconds))
            rps.setdefault("approvals", []).append(load(app_port, "/approvals", cookie, args.seconds))
            rps.setdefault("my_steps_uncached", []).append(load(uncached_port, "/", cookie_uncached, args.seconds))
            rps.setdefault("approvals_uncached", []).append(
                load(uncached_port, "/approvals", cookie_uncached, args.seconds))
        best = {name: max(values) for name, values in rps.items()}
        for name, value in best.items():
            out[f"rps_{name}"] = round(value)
            if name != "hello":
                out[f"ratio_{name}"] = round(value / best["hello"], 2)
    finally:
        for process in (hello, itaflow, uncached):
            process.terminate()
            process.wait(10)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
