"""Upgrades while serving (issue 25): the previous release keeps working while the new schema is applied.

The previous release is the code just before the newest migration was added (found in git, extracted with
``git archive``). Its own migrations make the database and its own demo fills it, as an agency's data would
be; then this release's migrations run (what the ``migrate`` step does while the old replicas still serve);
then the previous release's web, against that migrated database, signs people in, shows งานของฉัน, a step,
the approval queue and the measures, marks a step done and approves a review; then this release's does the
same. A migration that drops or renames what the old code reads, or adds a column the old code cannot fill,
fails here (add before use, remove after).

Each release runs in a process of its own (its own modules), on the suite's pinned clock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL, TEST_NOW
from workflow.clock import set_fake_now

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "workflow" / "migrations" / "versions"

pytestmark = pytest.mark.slow  # two releases' apps built in subprocesses; no date in it but the pinned one

#: run in either release's folder: ``seed`` (its migrations and its demo), ``migrate`` (its migrations), or
#: ``serve`` (the pages and actions people use, through its web app; prints what each answered, as JSON)
DRIVER = r'''
import json, re, sys
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from web import create_app
from workflow import clock
from workflow.db import db
from workflow.models import Step

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
app = create_app()
app.config["TESTING"] = True
mode = sys.argv[1]
if mode in ("seed", "migrate"):
    with app.app_context():
        upgrade(directory=str(Path("workflow/migrations").resolve()))
        if mode == "seed":
            try:
                from workflow.onboarding.demo import run_demo
            except ImportError:  # a release before workflow/ was cut into packages (issue 27)
                from workflow.demo import run_demo

            run_demo(now=clock.now(), password=PASSWORD)
        db.session.commit()
    print(json.dumps({mode: "ok"}))
    sys.exit(0)


def open_steps():
    """Open steps, those a waiting review follows first (done, they open something to approve). Asked in an
    application context of its own: each request below has its own too, as in production."""
    with app.app_context():
        reviewed = select(Step.reviews_step_id).where(Step.state == "blocked", Step.reviews_step_id.is_not(None))
        return list(db.session.execute(select(Step.id).where(Step.state == "open")
                                       .order_by(Step.id.in_(reviewed).desc(), Step.id)).scalars())


def signed_in(email):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, ("sign-in", email, answer.status_code)
    return client


def act(client, verb):
    """The first open step whose page offers ``verb`` to this person: its form posted."""
    for step_id in open_steps():
        page = client.get(f"/steps/{step_id}").get_data(as_text=True)
        form = re.search(rf'action="/steps/{step_id}/{verb}"[^>]*>\s*<input type="hidden" name="csrf_token" '
                         r'value="([^"]+)"><input type="hidden" name="version" value="(\d+)"', page)
        if form:
            answer = client.post(f"/steps/{step_id}/{verb}", data={"csrf_token": form[1], "version": form[2]})
            return [step_id, answer.status_code]
    return [None, None]


seen = {}
staff = signed_in("hr-staff@demo.itaflow.test")
for path in ("/", "/measures", "/rounds"):
    seen[path] = staff.get(path).status_code
seen["/steps/<id>"] = staff.get(f"/steps/{open_steps()[0]}").status_code
seen["done"] = act(staff, "done")
# a review waiting: the director's of the step just done, or another the demo left for its reviewers
for reviewer in ("dir-admin", "dir-hr", "dir-plan", "juthamas"):
    director = signed_in(f"{reviewer}@demo.itaflow.test")
    seen["/approvals"] = director.get("/approvals").status_code
    seen["approve"] = act(director, "approve")
    if seen["approve"][0] is not None:
        break
seen["/ after"] = staff.get("/").status_code
print(json.dumps(seen))
'''


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


def _previous_release() -> str:
    """The commit before the one that added the newest migration (the schema's head)."""
    from workflow.operations.schema import code_head

    head = code_head()
    (newest,) = [p for p in VERSIONS.glob("*.py") if p.name.startswith(f"{head}_")]
    added = _git("log", "--format=%H", "-1", "--diff-filter=A", "--", str(newest.relative_to(ROOT)))
    return _git("rev-parse", f"{added}^")


@pytest.fixture
def releases(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the previous release is taken from git history")
    try:
        previous = _previous_release()
    except (subprocess.CalledProcessError, ValueError) as exc:  # a shallow clone: the history is not there
        pytest.skip(f"the previous release is not in this clone's history ({exc}); fetch it with git fetch --unshallow")
    old = tmp_path / "previous"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", previous, "web", "workflow", "tasks", "config"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    return {"previous": old, "this": ROOT, "commit": previous}


@pytest.fixture
def database(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite'}"
        return
    from tests.test_backups import _database

    with _database(tmp_path, "upgrade") as url:
        yield url


def _run(tree: Path, mode: str, url: str, tmp_path: Path) -> dict:
    clock_file = tmp_path / "clock"
    set_fake_now(clock_file, TEST_NOW)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ITAFLOW_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"PYTHONPATH": str(tree), "DATABASE_URL": url, "ITAFLOW_INSTANCE": str(tmp_path / "instance"),
                "ITAFLOW_SECRET_KEY": "upgrade-test", "ITAFLOW_BASE_URL": "http://127.0.0.1:5000",
                "ITAFLOW_CLOCK_FILE": str(clock_file), "ITAFLOW_LOG_FORMAT": "text"})
    done = subprocess.run([sys.executable, "-c", DRIVER, mode], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, (tree, mode, done.stdout[-2000:], done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_previous_release_serves_the_migrated_database_then_this_one(releases, database, tmp_path):
    assert _run(releases["previous"], "seed", database, tmp_path) == {"seed": "ok"}
    assert _run(releases["this"], "migrate", database, tmp_path) == {"migrate": "ok"}
    for release in ("previous", "this"):
        seen = _run(releases[release], "serve", database, tmp_path)
        pages = {k: v for k, v in seen.items() if k.startswith("/")}
        assert set(pages.values()) == {200}, (release, releases["commit"], seen)
        assert seen["done"][1] == 303, (release, json.dumps(seen))  # a step marked done
        assert seen["approve"][1] == 303, (release, json.dumps(seen))  # a review approved
