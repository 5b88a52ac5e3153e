"""`itaflow up` on the embedded default: SQLite database, SQLite-backed broker, local SMTP sink.
One SIGINT (Ctrl-C) stops the web server, the worker, beat and the sink."""

import contextlib
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
        maildir = tmp_path / "instance" / "mail" / "new"
        # the demo queued alerts; the worker delivers them to the sink through the SQLite broker
        wait_for(lambda: maildir.exists() and len(list(maildir.iterdir())) >= 10, 90, "mail in the sink")
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
    time.sleep(1)
    alive = [pid for pid in children if subprocess.run(["kill", "-0", pid], capture_output=True).returncode == 0]
    assert alive == [], output[-2000:]
