"""Real sender processes to kill: a parent that has imported itaflow once forks one child per run, and each child
builds the app and runs a delivery task's body (``tasks.jobs.send_outbox`` or ``send_line``) as a Celery worker
process would, reading "now" from ``ITAFLOW_CLOCK_FILE``. A test SIGKILLs a child at the moment it chooses (from
its SMTP or LINE server, while the message is in its hands): a real process dies holding real rows and a real
connection, and the next run is a new process. Forking from a parent that built the app (never connecting to the
database) makes a run cost nothing but its work (a fresh interpreter here takes seconds to import and build it).

    parent = Senders(env)            # the environment of every run
    run = parent.start("email")      # a child is sending; run.pid is the process to kill
    status = run.wait(60)            # its exit status: 0, or -9 when it was killed

Run as ``python -m tests.senders``: reads "email" or "line" lines, answers "started PID" then "ended PID STATUS".
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _child(app, kind: str) -> None:
    from tasks.jobs import send_line, send_outbox
    from workflow.db import db

    with app.app_context():
        db.engine.dispose(close=False)  # a connection the parent might hold stays the parent's
    (send_line if kind == "line" else send_outbox)()  # the task's body, in the app's context (a worker's way)


def _serve() -> None:
    from web import create_app

    app = create_app()  # built once, before any connection: each child runs with it

    for line in sys.stdin:
        kind = line.strip()
        if not kind:
            continue
        pid = os.fork()
        if pid == 0:  # the child: a sender process of its own
            code = 0
            try:
                _child(app, kind)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(f"started {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(f"ended {pid} {code}", flush=True)


@dataclass
class Run:
    pid: int
    _lines: queue.Queue

    def wait(self, timeout: float) -> int:
        """The child's exit status (negative: the signal that ended it)."""
        line = self._lines.get(timeout=timeout)
        _word, pid, code = line.split()
        assert int(pid) == self.pid, line
        return int(code)


class Senders:
    def __init__(self, env: dict[str, str], log: Path):
        self._log = open(log, "ab")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen([sys.executable, "-m", "tests.senders"], env=env, cwd=ROOT, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.log = log

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.strip())

    def start(self, kind: str = "email") -> Run:
        assert self.process.stdin is not None
        self.process.stdin.write(kind + "\n")
        self.process.stdin.flush()
        line = self._lines.get(timeout=60)
        assert line.startswith("started "), line
        return Run(int(line.split()[1]), self._lines)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


if __name__ == "__main__":
    _serve()
