"""Step transitions per second, side by side in one run on the same SQLite settings (WAL, synchronous=NORMAL):

- itaflow: ``transitions.complete`` through the services (load, check the right and the version, change,
  audit, outbox, open the next step), one commit per completion, measures of 25 sequential steps;
- SpiffWorkflow 3: a BPMN process of 25 sequential user tasks; per task: load the workflow's JSON from SQLite,
  deserialise, run the ready user task and the engine steps, serialise, write, commit;
- a raw sqlite3 floor doing itaflow's writes by hand (update the step, insert the audit event, the outbox
  row, open the next step), one commit per completion.

Usage: ``.venv/bin/python bench/transitions.py [--measures 40] [--rounds 3]`` (needs ``pip install
'spiffworkflow>=3,<4'``, a bench-only dependency). Prints one JSON line: completions per second of each,
the ratio itaflow/SpiffWorkflow (best of the rounds, each round runs all three in turn) and the SQL
statements per itaflow completion.
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

from sqlalchemy import event, select  # noqa: E402

from bench import pin_clock  # noqa: E402
from web import create_app  # noqa: E402
from workflow import transitions  # noqa: E402
from workflow.db import db  # noqa: E402
from workflow.instantiate import instantiate  # noqa: E402
from workflow.models import Measure, Step, User  # noqa: E402

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

        from workflow.definitions import parse_definitions

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


def run_spiff(tmp: Path, measures: int) -> float:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

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
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pin_clock(NOW)  # this run's "now", in this process and every one it starts
    best = {"itaflow": 0.0, "spiffworkflow": 0.0, "sqlite3_floor": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        _, statements = run_itaflow(Path(tmp), 4, count=True)
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            rate, _ = run_itaflow(Path(tmp), args.measures)
            best["itaflow"] = max(best["itaflow"], rate)
            best["spiffworkflow"] = max(best["spiffworkflow"], run_spiff(Path(tmp), args.measures))
            best["sqlite3_floor"] = max(best["sqlite3_floor"], run_floor(Path(tmp), args.measures))
    print(json.dumps({"completions_per_second": {k: round(v) for k, v in best.items()},
                      "itaflow_over_spiffworkflow": round(best["itaflow"] / best["spiffworkflow"], 2),
                      "sql_statements_per_itaflow_completion": round(statements, 1),
                      "completions": args.measures * STEPS}))


if __name__ == "__main__":
    main()
