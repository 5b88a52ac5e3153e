"""A PostgreSQL restart in the middle of a delivery batch (#11): the sender settles what the server took and
gives back what it claimed as soon as the database is back, so nothing is sent twice and nothing waits out
its lease. Runs on a throwaway PostgreSQL cluster of its own (it is restarted), on either suite's run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tasks.sink import start_sink
from tests.conftest import agency_id
from tests.test_live import free_port, wait_for
from web import create_app
from workflow.db import db

pytestmark = pytest.mark.slow

T0 = datetime(2024, 6, 10, 1, 30, tzinfo=UTC)


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert found or shutil.which("initdb"), "PostgreSQL is missing: install Debian's postgresql (./scripts/test does)"
    return found[-1].parent if found else Path(shutil.which("initdb")).parent


class Cluster:
    def __init__(self, folder: Path):
        self.bin, self.folder, self.port = _pg_bin(), folder, free_port()
        self.root = os.geteuid() == 0
        if self.root:
            shutil.chown(folder, "postgres")
        self.run(f"{self.bin}/initdb -D {folder}/data -A trust -U postgres -E UTF8 --locale=C.UTF-8")
        self.run(f"{self.bin}/pg_ctl -D {folder}/data -o '-p {self.port} -k {folder} -c fsync=off' "
                 f"-l {folder}/log -w start")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, command: str) -> None:
        argv = ["su", "postgres", "-c", command] if self.root else ["sh", "-c", command]
        # no pipes: a postmaster started by pg_ctl would hold them open, and run() would wait for it
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def restart(self) -> None:
        self.run(f"{self.bin}/pg_ctl -D {self.folder}/data -l {self.folder}/log -m fast -w restart")

    def stop(self) -> None:
        self.run(f"{self.bin}/pg_ctl -D {self.folder}/data -m fast -w stop")


def test_a_database_restart_mid_batch_repeats_nothing_and_strands_nothing(tmp_path):
    from workflow.channels.mailer import deliver_pending
    from workflow.channels.notify import queue
    from workflow.models import OutboxMessage, User

    folder = Path(tempfile.mkdtemp(prefix="itaflow-pg-"))  # pytest's own folders are root's alone
    cluster = Cluster(folder)
    smtp_port = free_port()
    controller, sink = start_sink(port=smtp_port, maildir=tmp_path / "maildir")
    sink.delay = 0.1  # a batch of 30 takes about 3 s: the restart lands in its middle
    app = create_app({"ITAFLOW_INSTANCE": str(tmp_path / "instance"), "ITAFLOW_SECRET_KEY": "restart-test",
                      "DATABASE_URL": cluster.url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
                      "MAIL_TIMEOUT": "5", "ITAFLOW_MAIL_LEASE_SECONDS": "300"})
    try:
        with app.app_context():
            db.create_all()
            unit = agency_id()
            people = [User(agency_id=unit, key=f"p{i}", name=f"บุคคล {i}", email=f"p{i}@example.org", created_at=T0)
                      for i in range(30)]
            db.session.add_all(people)
            db.session.flush()
            for person in people:
                queue("step_opened", "restart", person, [], T0, params={"code": "1.1", "number": 1})
            db.session.commit()
            outcome = {}

            def sender():
                with app.app_context():
                    outcome["first"] = deliver_pending(T0)

            thread = threading.Thread(target=sender)
            thread.start()
            wait_for(lambda: len(sink.messages) >= 8, 30, "the first messages")
            cluster.restart()
            thread.join(60)
            assert not thread.is_alive() and "first" in outcome  # the sender came back, it did not crash
            assert outcome["first"].sent >= 8
            db.session.remove()
            db.engine.dispose()
            rows = db.session.execute(select(OutboxMessage)).scalars().all()
            assert not [r.id for r in rows if r.status == "sending"], "rows left to wait out their lease"
            # what the first batch did not send goes out on the next run, at once (no lease to wait out)
            second = deliver_pending(T0)
            assert second.claimed == second.sent == 30 - outcome["first"].sent
            assert deliver_pending(T0).claimed == 0
            db.session.expire_all()
            statuses = {r.status for r in db.session.execute(select(OutboxMessage)).scalars()}
            assert statuses == {"sent"}
            assert len(sink.messages) == 30 and sink.duplicates == 0
            db.session.remove()
            db.engine.dispose()
    finally:
        controller.stop()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
