"""The people of bench/stack.py, driven by Locust (headless, from Python) in a process of their own: Locust's
gevent patches the process it runs in, and the bench's own process (PostgreSQL, the kills, the SMTP server)
must stay as it is.

Officers sign in, open งานของฉัน, open a step and mark it done; directors open รายการรออนุมัติ and approve what
waits. Each person comes from their own loopback address (127.0.N.M), as people in their offices do, so
nginx and the sign-in throttle see them apart. Every request is recorded (when it started, how long it
took, its status, whether it failed) and written as JSON lines when the run is told to stop (a file
appearing) or its time is up.

    python -m bench.stack_load --host URL --accounts FILE --out FILE --stop FILE [--seconds N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment
from requests.adapters import HTTPAdapter

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
STEP_LINK = re.compile(r'href="/steps/(\d+)"')

ACCOUNTS: dict[str, list[dict]] = {"officer": [], "director": []}
_next = {"officer": itertools.count(), "director": itertools.count()}
PASSWORD = {"value": ""}
RECORDS: list[tuple] = []


class FromAddress(HTTPAdapter):
    """Connections from one loopback address (each person their own)."""

    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        return super().init_poolmanager(*args, **kwargs)


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        n = next(_next[self.role])
        account = ACCOUNTS[self.role][n % len(ACCOUNTS[self.role])]
        self.email = account["email"]
        self.client.mount("http://", FromAddress(account["source"]))
        self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/login", name="GET /login")
        self.client.post("/login", name="POST /login",
                         data={"email": self.email, "password": PASSWORD["value"], "csrf_token": _csrf(page.text)})

    def act(self, step_id: str, action: str) -> None:
        """Open the step; when its page offers ``action`` (its button is there), post it with the page's version."""
        page = self.client.get(f"/steps/{step_id}", name="GET /steps/[id]")
        button = {"done": 'id="mark-done"', "approve": 'id="approve"'}[action]
        if page.status_code == 200 and button in page.text:
            version = VERSION.search(page.text)
            self.client.post(f"/steps/{step_id}/{action}", name=f"POST /steps/[id]/{action}",
                             data={"version": version[1] if version else "", "csrf_token": _csrf(page.text)})


class Officer(Person):
    role = "officer"

    @task(5)
    def my_steps(self) -> None:
        self.client.get("/", name="GET / (งานของฉัน)")

    @task(3)
    def mark_a_step_done(self) -> None:
        page = self.client.get("/", name="GET / (งานของฉัน)")
        steps = STEP_LINK.findall(page.text) if page.status_code == 200 else []
        if steps:
            self.act(random.choice(steps), "done")

    @task(1)
    def sign_in_again(self) -> None:
        self.client.cookies.clear()
        self.sign_in()


class Director(Person):
    role = "director"

    @task(3)
    def queue(self) -> None:
        self.client.get("/approvals", name="GET /approvals")

    @task(2)
    def approve(self) -> None:
        page = self.client.get("/approvals", name="GET /approvals")
        steps = STEP_LINK.findall(page.text) if page.status_code == 200 else []
        if steps:
            self.act(steps[0], "approve")


def _csrf(page: str) -> str:
    found = CSRF.search(page)
    return found[1] if found else ""


def _record(request_type, name, response_time, response_length, response=None, exception=None, start_time=None,
            **_kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    RECORDS.append((start_time or time.time() - response_time / 1000, name, response_time, bool(exception), status,
                    type(exception).__name__ if exception else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--accounts", type=Path, required=True, help="JSON: officer and director accounts")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stop", type=Path, required=True, help="the run ends when this file appears")
    parser.add_argument("--seconds", type=float, default=1800, help="at most")
    args = parser.parse_args()
    accounts = json.loads(args.accounts.read_text())
    PASSWORD["value"] = accounts["password"]
    ACCOUNTS["officer"] = accounts["officers"]
    ACCOUNTS["director"] = accounts["directors"]
    Officer.fixed_count = len(ACCOUNTS["officer"])
    Director.fixed_count = len(ACCOUNTS["director"])
    events.request.add_listener(_record)
    env = Environment(user_classes=[Officer, Director], host=args.host, events=events)
    runner = env.create_local_runner()
    users = Officer.fixed_count + Director.fixed_count
    runner.start(users, spawn_rate=max(1, users / 5))
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline and not args.stop.exists():
        gevent.sleep(0.5)
    runner.quit()
    with args.out.open("w") as out:
        for row in RECORDS:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
