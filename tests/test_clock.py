"""One clock: every process reads workflow.clock, which follows ITAFLOW_CLOCK_FILE; nothing else in the
application reads the system clock, so no result depends on the day it runs."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from tests.test_web import login
from workflow import clock
from workflow.clock import set_fake_now
from workflow.db import db
from workflow.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
               ("time", "time"), ("time", "time_ns")}


def test_only_the_clock_module_reads_the_system_clock():
    found = []
    for package in ("workflow", "web", "tasks", "config"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "workflow" / "clock.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name)
                        and (node.func.value.id, node.func.attr) in CLOCK_CALLS):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "read workflow.clock.now() at the entry point and pass it as now="


def test_the_clock_file_moves_every_reader(tmp_path, monkeypatch):
    moment = datetime(2024, 6, 15, 1, 30, tzinfo=UTC)
    path = tmp_path / "clock"
    set_fake_now(path, moment)
    monkeypatch.setenv("ITAFLOW_CLOCK_FILE", str(path))
    assert clock.now() == moment
    path.write_text("2024-06-15T08:30:00")  # a naive timestamp is UTC
    assert clock.now() == datetime(2024, 6, 15, 8, 30, tzinfo=UTC)
    path.write_text("")  # an empty file: the system clock (pinned by the suite)
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_the_web_follows_the_clock_file(demo, tmp_path, monkeypatch):
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    set_fake_now(tmp_path / "clock", moment)
    monkeypatch.setenv("ITAFLOW_CLOCK_FILE", str(tmp_path / "clock"))
    login(demo, "staff")
    signed_in = db.session.execute(select(AuditEvent).where(AuditEvent.action == "login")).scalars().all()
    assert [e.occurred_at for e in signed_in] == [moment]


def test_a_ticking_clock_file_moves_on_with_real_time(tmp_path, monkeypatch):
    """What the benchmarks use: every process at the same chosen instant, moving on as real time does."""
    import time

    moment = datetime(2026, 6, 10, 1, 29, 40, tzinfo=UTC)
    set_fake_now(tmp_path / "clock", moment, ticking=True)
    monkeypatch.setenv("ITAFLOW_CLOCK_FILE", str(tmp_path / "clock"))
    first = clock.now()
    time.sleep(0.3)
    second = clock.now()
    assert abs((first - moment).total_seconds()) < 5 and 0.25 <= (second - first).total_seconds() < 5


def test_every_benchmark_pins_its_own_clock():
    """bench/*.py: each script's main() pins "now" (bench.pin_clock) before it measures anything, so a figure
    never depends on the hour the benchmark is run at (alerts fire only in office hours, issue 25)."""
    unpinned = []
    for path in sorted((ROOT / "bench").glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        mains = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main"]
        if not mains:
            continue  # a module the scripts use (bench/hello_app.py), not a script
        called = {node.func.id for node in ast.walk(mains[0])
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        if "pin_clock" in called:
            continue
        # a pure load driver (bench/stack_load.py: Locust's people, speaking HTTP only) reads no itaflow clock:
        # exempt only while it imports nothing of itaflow (the stack it drives is pinned by its caller)
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        if path.name in HTTP_ONLY and not imported & {"workflow", "web", "tasks", "config", "tests", "bench"}:
            continue
        unpinned.append(path.name)
    assert unpinned == [], "call bench.pin_clock(moment) at the start of main()"


#: benchmark scripts that only speak HTTP to a stack another script started and pinned (bench/stack.py)
HTTP_ONLY = {"stack_load.py"}
