"""Step transitions per second, side by side in one run on the same SQLite settings (WAL, synchronous=NORMAL),
in two cases:

- **sequential**: measures of 25 sequential steps of one named officer, each marked done
  (``transitions.complete``);
- **seed mix**: copies of the seed memo's own measures (workflow.onboarding.demo: steps owned by groups, reviews
  the group directors approve, the monthly step's occurrences that open together), every step done the way its people do
  it: a task step marked done by an owner (``transitions.complete``), a review approved by its group's director
  (``transitions.approve``).

Each case runs on:

- itaflow: the services (load, check the right and the version, change, audit, outbox, open the next step),
  one commit per transition;
- SpiffWorkflow 3: a BPMN process per measure with one user task per step (a review is a user task followed by
  an exclusive gateway on its decision, back to the step it checks when sent back); per task: load the
  workflow's JSON from SQLite, deserialise, run the ready user task and the engine steps, serialise, write,
  commit;
- a raw sqlite3 floor doing itaflow's writes by hand (update the step, insert the audit event, the outbox
  row, open the next step), one commit per completion.

Usage: ``.venv/bin/python bench/transitions.py [--measures 40] [--copies 6] [--rounds 3] [--profile]`` (needs
``pip install 'spiffworkflow>=3,<4'``, a bench-only dependency). Prints one JSON line: transitions per second
of each, the ratios itaflow/SpiffWorkflow of both cases (best of the rounds, each round runs all of them in
turn) and the SQL statements per itaflow transition. ``--profile`` prints where itaflow's time goes in the
seed mix instead (cProfile, the top functions by their own time and cumulative time).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select  # noqa: E402

from bench import pin_clock  # noqa: E402
from web import create_app  # noqa: E402
from workflow.db import db  # noqa: E402
from workflow.engine import transitions  # noqa: E402
from workflow.engine.instantiate import instantiate  # noqa: E402
from workflow.models import Cycle, Measure, Step, User  # noqa: E402

STEPS = 25
NOW = datetime(2024, 5, 20, 3, 0, tzinfo=UTC)
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


def definitions(measures: int) -> dict:
    """A cycle of ``measures`` measures of STEPS sequential steps, each owned by one named officer."""
    return {
        "format": 1, "agency": "หน่วยงานทดสอบ", "fiscal_year": 2567, "title": "bench",
        "groups": {"hr": {"name": "กลุ่มบริหารงานบุคคล"}}, "secretariat": "hr",
        "people": {"officer": {"name": "เจ้าหน้าที่ ทดสอบ", "email": "officer@example.org", "group": "hr",
                               "roles": ["staff"]}},
        "measures": [{
            "code": f"{m}", "title": f"มาตรการ {m}", "weakness": "-", "improvement": "-",
            "owners": {"text": "เจ้าหน้าที่ ทดสอบ", "groups": [], "people": ["officer"]},
            "period": {"start": "2567-05-01", "end": "2567-09-30"},
            "steps": [{"title": f"ขั้นตอน {n}", "owner": {"person": "officer"}} for n in range(1, STEPS + 1)],
        } for m in range(1, measures + 1)],
    }


def run_itaflow(tmp: Path, measures: int, *, count: bool = False) -> tuple[float, float]:
    """Completions per second and, with ``count``, SQL statements per completion (counted in a run of its
    own: the listener that counts them costs time)."""
    app = create_app({"ITAFLOW_INSTANCE": str(tmp / "instance"), "ITAFLOW_SECRET_KEY": "bench-secret-key-0123",
                      "DATABASE_URL": f"sqlite:///{tmp / 'itaflow.sqlite'}"})
    with app.app_context():
        db.create_all()
        import yaml

        from workflow.engine.definitions import parse_definitions

        doc = parse_definitions(yaml.safe_dump(definitions(measures), allow_unicode=True), "bench.yaml")
        instantiate(doc, actor_id=None, now=NOW, source_name="bench")
        db.session.commit()
        officer = db.session.execute(select(User.id).where(User.key == "officer")).scalar_one()
        order = [(s.id, s.version) for s in db.session.execute(
            select(Step).join(Measure).order_by(Measure.position, Step.number)).scalars()]
        db.session.expunge_all()
        statements = 0

        def counter(*_args):
            nonlocal statements
            statements += 1

        elapsed = 0.0
        for step_id, _version in order:
            # the version the officer saw on the step's page (a request of its own, not timed)
            version = db.session.scalar(select(Step.version).where(Step.id == step_id))
            db.session.remove()
            if count:
                event.listen(db.engine, "before_cursor_execute", counter)
            start = time.perf_counter()
            transitions.complete(step_id, actor_id=officer, now=NOW, expected_version=version)
            db.session.commit()
            db.session.remove()  # as at the end of a request
            elapsed += time.perf_counter() - start
            if count:
                event.remove(db.engine, "before_cursor_execute", counter)
        done = db.session.scalar(select(Step.id).where(Step.state != "done").limit(1))
        assert done is None, "not every step was completed"
        db.session.remove()
        db.engine.dispose()
    return len(order) / elapsed, statements / len(order)


def seed_documents(copies: int) -> list[dict]:
    """The seed memo's measures as the demo loads them (dates around NOW), once per agency of its own."""
    import copy

    from workflow.onboarding.demo import demo_document
    from workflow.thaidate import bangkok_today

    base = demo_document(bangkok_today(NOW), as_written=False)
    docs = []
    for n in range(1, copies + 1):
        doc = copy.deepcopy(base)
        doc["agency"] = f"{base['agency']} สาขาทดสอบ {n}"
        for person in doc["people"].values():
            if person.get("email"):
                person["email"] = person["email"].replace("@", f".{n}@")
        docs.append(doc)
    return docs


def _actor(step: Step, users: list[User]) -> int:
    """Who does a step as its people would: an owner marks a task done, the reviewer group's director
    decides a review (never the person whose work it checks)."""
    from workflow.people import permissions

    for user in users:
        if step.kind == "review":
            reviewed = step.reviews_step
            if permissions.may_decide(user, step) and (
                    reviewed is None or user.id not in (reviewed.done_by_id, reviewed.owner_user_id)):
                return user.id
        elif permissions.is_owner(user, step):
            return user.id
    raise AssertionError(f"nobody may act on step {step.id}")


def seed_mix_shape(copies: int) -> list[list[str]]:
    """Each measure's steps in order, as the BPMN of the same work: "task" or "review:<index of the step it
    checks>" (read from an itaflow load of the same documents)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        with app.app_context():
            db.create_all()
            for doc in seed_documents(copies):
                instantiate(doc, actor_id=None, now=NOW, source_name="bench")
            db.session.flush()
            shapes = []
            for measure in db.session.execute(select(Measure).order_by(Measure.id)).scalars():
                ordered = sorted(measure.steps, key=lambda st: (st.number, st.occurrence))
                index = {st.id: i for i, st in enumerate(ordered)}
                shapes.append([f"review:{index[st.reviews_step_id]}" if st.kind == "review" and
                               st.reviews_step_id in index else "task" for st in ordered])
            db.session.rollback()
            db.engine.dispose()
    return shapes


def _app(tmp: Path):
    return create_app({"ITAFLOW_INSTANCE": str(tmp / "instance"), "ITAFLOW_SECRET_KEY": "bench-secret-key-0123",
                       "DATABASE_URL": f"sqlite:///{tmp / 'itaflow.sqlite'}"})


def _transition(step_id: int, version: int, kind: str, actor: int) -> None:
    """One transition as a request makes it: the service, one commit, the session closed."""
    if kind == "review":
        transitions.approve(step_id, actor_id=actor, now=NOW, expected_version=version)
    else:
        transitions.complete(step_id, actor_id=actor, now=NOW, expected_version=version)
    db.session.commit()
    db.session.remove()


def run_itaflow_seed(tmp: Path, copies: int, *, count: bool = False, profile: bool = False) -> tuple[float, float]:
    """Transitions per second over the seed mix and, with ``count``, SQL statements per transition."""
    app = _app(tmp)
    with app.app_context():
        db.create_all()
        for doc in seed_documents(copies):
            instantiate(doc, actor_id=None, now=NOW, source_name="bench")
        db.session.commit()
        statements, done, elapsed = 0, 0, 0.0

        def counter(*_args):
            nonlocal statements
            statements += 1

        # the first agency's steps are done untimed: a server that has run a while has its statements compiled
        # and cached (SpiffWorkflow's run leaves out its first copy too)
        warm = set(db.session.execute(select(Measure.id).join(Measure.cycle)
                                      .where(Cycle.agency_id == db.session.scalar(select(func.min(Cycle.agency_id)))))
                   .scalars())
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        while True:
            ready = db.session.execute(select(Step).where(Step.state == "open")
                                       .order_by(Step.measure_id, Step.number, Step.occurrence)).scalars().all()
            if not ready:
                break
            users = db.session.execute(select(User).order_by(User.id)).scalars().all()
            plan = [(st.id, st.version, st.kind, _actor(st, [u for u in users
                                                             if u.agency_id == st.measure.cycle.agency_id]),
                     st.measure_id in warm) for st in ready]
            db.session.remove()
            for step_id, version, kind, actor, warming in plan:
                if warming:
                    _transition(step_id, version, kind, actor)
                    continue
                if count:
                    event.listen(db.engine, "before_cursor_execute", counter)
                if profiler is not None:
                    profiler.enable()
                start = time.perf_counter()
                _transition(step_id, version, kind, actor)
                elapsed += time.perf_counter() - start
                if profiler is not None:
                    profiler.disable()
                if count:
                    event.remove(db.engine, "before_cursor_execute", counter)
                done += 1
        left = db.session.scalar(select(Step.id).where(Step.state != "done").limit(1))
        assert left is None, "not every step was done"
        db.session.remove()
        db.engine.dispose()
    if profiler is not None:
        import pstats

        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler).sort_stats(order).print_stats(25)
    return done / elapsed, statements / max(done, 1)


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="bench">
  <bpmn:process id="measure" isExecutable="true">
    <bpmn:startEvent id="start"/>
    {tasks}
    <bpmn:endEvent id="end"/>
    {flows}
  </bpmn:process>
</bpmn:definitions>"""


def spiff_spec():
    from SpiffWorkflow.bpmn.parser import BpmnParser

    tasks = "\n".join(f'<bpmn:userTask id="step{n}" name="ขั้นตอน {n}"/>' for n in range(1, STEPS + 1))
    chain = ["start", *[f"step{n}" for n in range(1, STEPS + 1)], "end"]
    flows = "\n".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                      for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False)))
    parser = BpmnParser()
    parser.add_bpmn_str(BPMN.format(tasks=tasks, flows=flows).encode())
    return parser.get_spec("measure")


def _quiet_spiff() -> None:
    """SpiffWorkflow logs every task's change of state at INFO; the app's JSON log handler (web/logs.py, on the
    root logger once an app is made) would write them all and bill SpiffWorkflow for our logging."""
    import logging

    for name in ("spiff", "spiff.workflow", "spiff.task", "spiff.metrics", "SpiffWorkflow"):
        logging.getLogger(name).setLevel(logging.WARNING)


def run_spiff(tmp: Path, measures: int) -> float:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    _quiet_spiff()
    spec = spiff_spec()
    serializer = BpmnWorkflowSerializer()
    conn = sqlite3.connect(tmp / "spiff.sqlite")
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute("CREATE TABLE workflow (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    for _ in range(measures):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        conn.execute("INSERT INTO workflow (state) VALUES (?)", (serializer.serialize_json(workflow),))
    conn.commit()
    completed = 0
    start = time.perf_counter()
    for workflow_id in range(1, measures + 1):
        while True:
            (state,) = conn.execute("SELECT state FROM workflow WHERE id = ?", (workflow_id,)).fetchone()
            workflow = serializer.deserialize_json(state)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            ready[0].run()
            workflow.do_engine_steps()
            conn.execute("UPDATE workflow SET state = ? WHERE id = ?",
                         (serializer.serialize_json(workflow), workflow_id))
            conn.commit()
            completed += 1
    elapsed = time.perf_counter() - start
    assert completed == measures * STEPS, completed
    conn.close()
    return completed / elapsed


SPIFF_REVIEW = """<bpmn:userTask id="step{n}" name="ตรวจสอบ {n}"/>
    <bpmn:exclusiveGateway id="decide{n}" default="ok{n}"/>"""


def spiff_seed_spec(shape: list[str], name: str):
    """One measure of the seed mix in BPMN: a user task per step; a review's gateway goes on when approved and
    back to the step it checks when sent back."""
    from SpiffWorkflow.bpmn.parser import BpmnParser

    tasks, flows, previous = [], [], "start"
    for n, kind in enumerate(shape):
        if kind == "task":
            tasks.append(f'<bpmn:userTask id="step{n}" name="ขั้นตอน {n}"/>')
            flows.append((previous, f"step{n}", None))
            previous = f"step{n}"
        else:
            checked = int(kind.split(":")[1])
            tasks.append(SPIFF_REVIEW.format(n=n))
            flows.append((previous, f"step{n}", None))
            flows.append((f"step{n}", f"decide{n}", None))
            flows.append((f"decide{n}", f"step{checked}", "decision == 'sent_back'"))
            previous = f"decide{n}"
    flows.append((previous, "end", None))
    xml = []
    for i, (a, b, condition) in enumerate(flows):
        fid = f"ok{a[6:]}" if a.startswith("decide") and condition is None else f"f{i}"
        body = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
                "</bpmn:conditionExpression>" if condition else "")
        xml.append(f'<bpmn:sequenceFlow id="{fid}" sourceRef="{a}" targetRef="{b}">{body}</bpmn:sequenceFlow>')
    document = BPMN.format(tasks="\n".join(tasks), flows="\n".join(xml)).replace(
        'id="measure"', f'id="{name}"').replace(
        "<bpmn:definitions ", '<bpmn:definitions xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ')
    parser = BpmnParser()
    parser.add_bpmn_str(document.encode())
    return parser.get_spec(name)


def run_spiff_seed(tmp: Path, shapes: list[list[str]], copies: int) -> float:
    """The seed mix in SpiffWorkflow: every ready user task run (a review with its decision, approved), one
    load-run-save-commit each."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    _quiet_spiff()
    serializer = BpmnWorkflowSerializer()
    conn = sqlite3.connect(tmp / "spiff_seed.sqlite")
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute("CREATE TABLE workflow (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    specs = {}
    for shape in shapes:
        key = "|".join(shape)
        if key not in specs:
            specs[key] = spiff_seed_spec(shape, f"measure{len(specs)}")
        workflow = BpmnWorkflow(specs[key])
        workflow.do_engine_steps()
        conn.execute("INSERT INTO workflow (state) VALUES (?)", (serializer.serialize_json(workflow),))
    conn.commit()
    per_copy = len(shapes) // copies
    completed, elapsed = 0, 0.0
    for workflow_id in range(1, len(shapes) + 1):
        warming = workflow_id <= per_copy  # the first copy untimed, as itaflow's
        start = time.perf_counter()
        while True:
            (state,) = conn.execute("SELECT state FROM workflow WHERE id = ?", (workflow_id,)).fetchone()
            workflow = serializer.deserialize_json(state)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            task = ready[0]
            if task.task_spec.name.startswith("step") and task.task_spec.bpmn_name.startswith("ตรวจสอบ"):
                task.data["decision"] = "approved"
            task.run()
            workflow.do_engine_steps()
            conn.execute("UPDATE workflow SET state = ? WHERE id = ?",
                         (serializer.serialize_json(workflow), workflow_id))
            conn.commit()
            completed += 0 if warming else 1
        elapsed += 0 if warming else time.perf_counter() - start
    assert completed == sum(len(shape) for shape in shapes[per_copy:]), completed
    conn.close()
    return completed / elapsed


def run_floor(tmp: Path, measures: int) -> float:
    conn = sqlite3.connect(tmp / "floor.sqlite")
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.executescript("""
        CREATE TABLE step (id INTEGER PRIMARY KEY, measure INTEGER, number INTEGER, state TEXT, version INTEGER,
                           done_at TEXT, done_by INTEGER, opened_at TEXT);
        CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT, actor INTEGER, action TEXT, target INTEGER,
                            from_state TEXT, to_state TEXT, hash TEXT);
        CREATE TABLE outbox (id INTEGER PRIMARY KEY, dedupe TEXT UNIQUE, recipient INTEGER, subject TEXT,
                             payload TEXT, status TEXT);
    """)
    conn.executemany("INSERT INTO step (measure, number, state, version) VALUES (?, ?, ?, 1)",
                     [(m, n, "open" if n == 1 else "blocked") for m in range(measures) for n in range(1, STEPS + 1)])
    conn.commit()
    now = NOW.isoformat()
    start = time.perf_counter()
    for step_id in range(1, measures * STEPS + 1):
        (version, measure, number) = conn.execute("SELECT version, measure, number FROM step WHERE id = ?",
                                                  (step_id,)).fetchone()
        conn.execute("UPDATE step SET state = 'done', done_at = ?, done_by = 1, version = version + 1 "
                     "WHERE id = ? AND version = ?", (now, step_id, version))
        conn.execute("INSERT INTO audit (at, actor, action, target, from_state, to_state, hash) "
                     "VALUES (?, 1, 'step_completed', ?, 'open', 'done', 'x')", (now, step_id))
        nxt = conn.execute("SELECT id FROM step WHERE measure = ? AND number = ?", (measure, number + 1)).fetchone()
        if nxt:
            conn.execute("UPDATE step SET state = 'open', opened_at = ?, version = version + 1 WHERE id = ?",
                         (now, nxt[0]))
            conn.execute("INSERT INTO audit (at, actor, action, target, from_state, to_state, hash) "
                         "VALUES (?, 1, 'step_opened', ?, 'blocked', 'open', 'x')", (now, nxt[0]))
            conn.execute("INSERT INTO outbox (dedupe, recipient, subject, payload, status) "
                         "VALUES (?, 1, 'ถึงคิวของท่าน', '{}', 'pending') ON CONFLICT DO NOTHING", (f"o{nxt[0]}",))
        conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return measures * STEPS / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=40, help="workflows of 25 steps each (default 40)")
    parser.add_argument("--copies", type=int, default=6, help="copies of the seed's measures (default 6)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="where itaflow's time goes in the seed mix")
    args = parser.parse_args()
    pin_clock(NOW)  # this run's "now", in this process and every one it starts
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            run_itaflow_seed(Path(tmp), args.copies, profile=True)
        return
    best = dict.fromkeys(("itaflow", "spiffworkflow", "sqlite3_floor", "itaflow_seed", "spiffworkflow_seed"), 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        _, statements = run_itaflow(Path(tmp), 4, count=True)
    with tempfile.TemporaryDirectory() as tmp:
        _, seed_statements = run_itaflow_seed(Path(tmp), 2, count=True)
    shapes = seed_mix_shape(args.copies)
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            rate, _ = run_itaflow(Path(tmp), args.measures)
            best["itaflow"] = max(best["itaflow"], rate)
            best["spiffworkflow"] = max(best["spiffworkflow"], run_spiff(Path(tmp), args.measures))
            best["sqlite3_floor"] = max(best["sqlite3_floor"], run_floor(Path(tmp), args.measures))
        with tempfile.TemporaryDirectory() as tmp:
            rate, _ = run_itaflow_seed(Path(tmp), args.copies)
            best["itaflow_seed"] = max(best["itaflow_seed"], rate)
            best["spiffworkflow_seed"] = max(best["spiffworkflow_seed"], run_spiff_seed(Path(tmp), shapes, args.copies))
    print(json.dumps({"transitions_per_second": {k: round(v) for k, v in best.items()},
                      "sequential_itaflow_over_spiffworkflow": round(best["itaflow"] / best["spiffworkflow"], 2),
                      "seed_mix_itaflow_over_spiffworkflow": round(best["itaflow_seed"] / best["spiffworkflow_seed"],
                                                                   2),
                      "sql_statements_per_transition": {"sequential": round(statements, 1),
                                                        "seed_mix": round(seed_statements, 1)},
                      "transitions": {"sequential": args.measures * STEPS,
                                      "seed_mix": sum(len(shape) for shape in shapes) * (args.copies - 1)
                                      // args.copies}}))


if __name__ == "__main__":
    main()
