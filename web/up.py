"""``itaflow up``: the whole system on one machine, stopped by one Ctrl-C.

Starts the web server (gunicorn), a Celery worker, Celery beat and, when mail goes to this machine, the
local SMTP sink that keeps every message under the instance folder. Each runs as a child process (the
sink as a thread). A child that dies is started again, as a service manager would (a Celery worker can exit
on a broker connection lost mid-acknowledgement, a known kombu race); one that dies ``MAX_RESTARTS`` times
within ``RESTART_WINDOW`` seconds stops everything and the command exits non-zero.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

STOP_GRACE = 15.0
MAX_RESTARTS = 5
RESTART_WINDOW = 120.0


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    argv: list[str] = field(default_factory=list)
    deaths: list[float] = field(default_factory=list)

    def should_restart(self, now: float) -> bool:
        self.deaths = [t for t in self.deaths if now - t < RESTART_WINDOW] + [now]
        return len(self.deaths) <= MAX_RESTARTS

    def backoff(self) -> float:
        return min(30.0, 2.0 ** (len(self.deaths) - 1))


def _bin(name: str) -> str:
    here = Path(sys.executable).parent
    candidate = here / name
    return str(candidate) if candidate.exists() else name


def commands(host: str, port: int, instance: Path, workers: int) -> dict[str, list[str]]:
    return {
        "web": [_bin("gunicorn"), "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-",
                "--logger-class", "web.accesslog.MaskingLogger", "--graceful-timeout", "10", "web:create_app()"],
        "worker": [_bin("celery"), "-A", "tasks.worker", "worker", "--loglevel", "INFO", "--concurrency", "2",
                   "-Q", "itaflow", "--without-gossip", "--without-mingle", "--hostname", "itaflow@%h"],
        "beat": [_bin("celery"), "-A", "tasks.worker", "beat", "--loglevel", "INFO",
                 "--schedule", str(instance / "beat-schedule")],
    }


def run_up(settings, host: str, port: int, workers: int, sink: bool) -> int:
    env = dict(os.environ, ITAFLOW_INSTANCE=str(settings.instance_path))
    if "PROMETHEUS_MULTIPROC_DIR" not in env:  # /metrics: one view of the web and worker processes
        from web.metrics import prepare_folder

        env["PROMETHEUS_MULTIPROC_DIR"] = str(settings.instance_path / "metrics")
        prepare_folder(settings.instance_path / "metrics")
    controller = None
    if sink:
        from tasks.sink import start_sink

        controller, _handler = start_sink(settings.mail_server, settings.mail_port,
                                          settings.instance_path / "mail")
        click.echo(f"[up] SMTP sink on {settings.mail_server}:{settings.mail_port}, "
                   f"mail kept in {settings.instance_path / 'mail'}")
    children: list[Child] = []
    stopping = False

    def stop(signum=None, frame=None):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        for name, argv in commands(host, port, settings.instance_path, workers).items():
            # own process group: the terminal's Ctrl-C reaches us, and we stop the children in order
            process = subprocess.Popen(argv, env=env, start_new_session=True)
            children.append(Child(name, process, argv))
            click.echo(f"[up] {name} started (pid {process.pid})")
        click.echo(f"[up] itaflow is running: {settings.base_url}  (Ctrl-C stops everything)")
        while not stopping:
            for child in children:
                if child.process.poll() is None or stopping:
                    continue
                if not child.should_restart(time.monotonic()):
                    click.echo(f"[up] {child.name} exited with {child.process.returncode} "
                               f"{len(child.deaths)} times in {RESTART_WINDOW:.0f} s; stopping", err=True)
                    code = 1
                    stopping = True
                    break
                pause = child.backoff()
                click.echo(f"[up] {child.name} exited with {child.process.returncode}; "
                           f"starting it again in {pause:.0f} s", err=True)
                time.sleep(pause)
                if not stopping:
                    child.process = subprocess.Popen(child.argv, env=env, start_new_session=True)
                    click.echo(f"[up] {child.name} started again (pid {child.process.pid})")
            time.sleep(0.5)
    finally:
        click.echo("[up] stopping…")
        for child in reversed(children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in reversed(children):
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
        if controller is not None:
            controller.stop()
        click.echo("[up] stopped")
    return code
