"""`itaflow up` on the embedded default: SQLite database, SQLite-backed broker, local SMTP sink.
One SIGINT (Ctrl-C) stops the web server, the worker, beat and the sink."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_live import free_port, wait_for
from workflow import clock
from workflow.clock import set_fake_now

pytestmark = pytest.mark.slow  # the fast part (-m 'not slow') leaves this file out

BIN = Path(sys.executable).parent


def test_up_runs_everything_and_one_ctrl_c_stops_it(tmp_path):
    web_port, smtp_port = free_port(), free_port()
    clock_file = tmp_path / "clock"  # every process of the system reads the suite's pinned "now"
    set_fake_now(clock_file, clock.now())
    env = {**os.environ, "ITAFLOW_INSTANCE": str(tmp_path / "instance"), "MAIL_PORT": str(smtp_port),
           "ITAFLOW_SWEEP_SECONDS": "1", "ITAFLOW_BASE_URL": f"http://127.0.0.1:{web_port}",
           "ITAFLOW_CLOCK_FILE": str(clock_file)}
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([str(BIN / "itaflow"), "init"], env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "itaflow"), "demo", "--password", "a-long-passphrase"], env=env, check=True,
                   capture_output=True)
    log = open(tmp_path / "up.log", "wb")  # noqa: SIM115
    up = subprocess.Popen([str(BIN / "itaflow"), "up", "--port", str(web_port), "--workers", "1"], env=env,
                          stdout=log, stderr=subprocess.STDOUT)
    try:
        def healthy():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{web_port}/healthz", timeout=1).status == 200
            except OSError:
                return False
        wait_for(healthy, 60, "the web server")
        # a calendar address is a credential: the access log must not keep it (404 here: no such feed)
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{web_port}/ics/cal_NOT-IN-THE-LOG.ics", timeout=5)
        with contextlib.suppress(OSError):  # nor a citizen id or a token typed into an address
            urllib.request.urlopen(f"http://127.0.0.1:{web_port}/measures?q=1103700012345&token=itf_NOT-LOGGED-0123",
                                   timeout=5)
        maildir = tmp_path / "instance" / "mail" / "new"
        # the demo queued alerts; the worker delivers them to the sink through the SQLite broker
        wait_for(lambda: maildir.exists() and len(list(maildir.iterdir())) >= 10, 90, "mail in the sink")
        # ready, and /metrics is one view of the web and the worker processes (PROMETHEUS_MULTIPROC_DIR)
        assert urllib.request.urlopen(f"http://127.0.0.1:{web_port}/readyz", timeout=5).status == 200

        def scraped():
            from tests.test_metrics import samples

            with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/metrics", timeout=5) as answer:
                found = samples(answer.read().decode())
            return found.get(("itaflow_deliveries_total", (("channel", "email"), ("outcome", "sent"))), 0) >= 10 \
                and found
        metrics = wait_for(scraped, 30, "the worker's deliveries in /metrics")
        assert metrics[("itaflow_http_requests_total", (("method", "GET"), ("route", "/healthz"),
                                                        ("status", "200")))] >= 1  # from the web process
        assert metrics[("itaflow_sweep_last_run_timestamp_seconds", ())] > 0  # from the worker
        assert ("itaflow_timers_due", ()) in metrics  # read from the database
        # a worker that dies is started again (a service manager's job; kombu can drop a worker on a broker
        # connection lost mid-acknowledgement)
        first = re.search(r"\[up\] worker started \(pid (\d+)\)", (tmp_path / "up.log").read_text()).group(1)
        os.killpg(int(first), signal.SIGKILL)
        wait_for(lambda: "[up] worker started again" in (tmp_path / "up.log").read_text(errors="replace"), 30,
                 "the worker started again")
        children = subprocess.run(["pgrep", "-f", f"--port {web_port}|tasks.worker"], capture_output=True,
                                  text=True).stdout.split()
        up.send_signal(signal.SIGINT)
        assert up.wait(60) == 0
    finally:
        if up.poll() is None:
            up.kill()
        log.close()
    output = (tmp_path / "up.log").read_text(errors="replace")
    assert "[up] stopped" in output
    assert "/ics/***.ics" in output and "NOT-IN-THE-LOG" not in output
    assert "1103700012345" not in output and "NOT-LOGGED" not in output
    # JSON lines: the access log's line of a request carries the id the app answered with
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "gunicorn.access" and line["path"] == "/readyz"]
    assert access and re.fullmatch(r"[0-9a-f]{32}", access[0]["request_id"])
    assert {line["process"] for line in lines} >= {"web", "worker"}
    time.sleep(1)
    alive = [pid for pid in children if subprocess.run(["kill", "-0", pid], capture_output=True).returncode == 0]
    assert alive == [], output[-2000:]
