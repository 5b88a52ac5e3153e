"""Backups and restores (issue 25) on the suite's database (SQLite, or PostgreSQL in its PostgreSQL run): an
instance made by the migrations, with the demo's people, an evidence file and an emblem, backed up while a
writer goes on committing, restored into an empty instance (a second SQLite file, or a second PostgreSQL
database), every chain verified against the manifest's heads; damaged archives and non-empty instances refused
with nothing written; the daily schedule as a timer the sweep fires, keeping N archives."""

from __future__ import annotations

import contextlib
import io
import tarfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tests.conftest import PASSWORD, PG_URL, TEST_NOW, step, user
from web import create_app
from workflow import clock
from workflow.db import db
from workflow.models import AuditEvent, AuditHead, Evidence
from workflow.operations import backups, restore

SECRET = "backup-test-secret-key"


@contextlib.contextmanager
def _database(tmp_path: Path, name: str):
    """A database of its own: a SQLite file, or a new database on the suite's PostgreSQL server."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / (name + '.sqlite')}"
        return
    server = make_url(PG_URL)
    database = f"itaflow_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
    try:
        yield server.set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       f"WHERE datname = '{database}' AND pid <> pg_backend_pid()")
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}"')
        admin.dispose()


#: the key of the secrets the database holds, the same for every instance of a test (like the audit key)
DATA_KEY = "bGl0dGxlLWtleS1vZi10aGUtYmFja3VwLXRlc3RzLTA="


def _app(instance: Path, url: str, **extra: str):
    app = create_app({"ITAFLOW_INSTANCE": str(instance), "ITAFLOW_SECRET_KEY": SECRET, "DATABASE_URL": url,
                      "ITAFLOW_BASE_URL": "http://itaflow.test", "ITAFLOW_PLAIN_HTTP": "1",
                      "ITAFLOW_DATA_KEYS": DATA_KEY, **extra})
    app.config["TESTING"] = True
    return app


def _close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def source(tmp_path):
    """A running instance as `itaflow init` makes it, with the demo, an evidence file and an emblem."""
    from flask_migrate import upgrade

    from workflow.onboarding.demo import run_demo
    from workflow.operations.schema import MIGRATIONS
    from workflow.people import agencies
    from workflow.publishing import evidence

    with _database(tmp_path, "source") as url:
        app = _app(tmp_path / "source", url)
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            now = clock.now()
            run_demo(now=now, password=PASSWORD)
            db.session.commit()
            s = step("1.1", 3) if step("1.1", 2).state != "open" else step("1.1", 2)
            evidence.add_file(s.id, actor_id=user("hr-staff").id, now=now, filename="รายงาน.pdf",
                              data=b"%PDF-1.4 the signed report\n" * 100)
            agencies.set_emblem(actor_id=user("admin").id, now=now, data=_png())
            db.session.commit()
        yield app
        _close(app)


@pytest.fixture
def target(tmp_path):
    """An empty instance with the same keys (its database not even created)."""
    with _database(tmp_path, "target") as url:
        app = _app(tmp_path / "target", url)
        yield app
        _close(app)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _heads(app) -> dict[str, tuple[int, str]]:
    with app.app_context():
        return {str(h.id): (h.last_seq, h.last_hash) for h in db.session.execute(select(AuditHead)).scalars()}


def _nothing_written(app) -> None:
    """The target is as it was: no table with data, no evidence, nothing half-written left about."""
    instance = Path(app.config["ITAFLOW"].instance_path)
    with app.app_context():
        assert not restore.has_data()
    leftovers = [p.name for p in instance.rglob("*") if ".restor" in p.name or "before-restore" in p.name]
    assert leftovers == []


def test_backup_then_restore_into_an_empty_instance(source, target, tmp_path):
    archive = tmp_path / "backup.tar"
    with source.app_context():
        made = backups.create(clock.now(), archive)
        stored = db.session.execute(select(Evidence.stored_name).where(Evidence.kind == "file")).scalar_one()
        emblem = db.session.execute(text("SELECT emblem FROM agency WHERE emblem IS NOT NULL")).scalar_one()
    manifest = made.manifest
    assert manifest["evidence"] == {"files": 1, "missing": []} and manifest["emblems"] == 1
    assert {c: (h["seq"], h["hash"]) for c, h in manifest["audit"]["heads"].items()} == _heads(source)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        settings = tar.extractfile("settings.json").read().decode()
    assert names[-1] == "SHA256SUMS" and f"files/uploads/{stored}" in names
    assert SECRET not in settings and '"secret_key": "***"' in settings  # no secret in the archive

    result = CliRunner().invoke(args=["restore", str(archive)], cli=_cli(),
                                obj=_script_info(target), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "every audit chain verifies" in result.output
    assert _heads(target) == _heads(source)
    with target.app_context():
        from workflow.audit import verify

        assert verify() == []
        assert db.session.execute(text("SELECT emblem FROM agency WHERE emblem IS NOT NULL")).scalar_one() == emblem
        upload = Path(target.config["ITAFLOW"].instance_path) / "uploads" / stored
        assert upload.read_bytes() == b"%PDF-1.4 the signed report\n" * 100
        for table in ("app_user", "step", "audit_event", "outbox_message", "timer"):
            assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == \
                manifest["database"]["rows"][table]
    # the restored instance serves its people: sign in, open the step with its evidence
    client = target.test_client()
    page = client.get("/login").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert client.post("/login", data={"email": "hr-staff@demo.itaflow.test", "password": PASSWORD,
                                       "csrf_token": csrf}).status_code == 302
    with target.app_context():
        evidence_id = db.session.scalar(select(Evidence.id).where(Evidence.kind == "file"))
        step_id = db.session.get(Evidence, evidence_id).step_id
    assert "รายงาน.pdf" in client.get(f"/steps/{step_id}").get_data(as_text=True)


def _cli():
    from web.cli import main

    return main


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


@pytest.mark.slow  # no date in it: not run again at the suite's other instants
def test_writes_go_on_during_the_backup_and_nothing_committed_before_it_is_missing(source, target, tmp_path):
    """A writer commits audit events (each one a state change's trace) as fast as it can while the backup runs:
    it is never held up for long, and everything committed before the backup began is in the restored
    instance, its chain intact."""
    from workflow import audit

    with source.app_context():
        agency_id = user("admin").agency_id
        for n in range(300):  # evidence files to copy: the backup takes a while
            (Path(source.config["ITAFLOW"].instance_path) / "uploads" / f"bulk{n:04d}.txt").write_bytes(
                b"x" * 20_000)
    stop, commits, errors = threading.Event(), [], []

    def writer():
        with source.app_context():
            while not stop.is_set():
                started = time.monotonic()
                try:
                    audit.record("backup_test_write", agency_id=agency_id, actor_id=None, now=clock.now(),
                                 note=f"write {len(commits)}")
                    db.session.commit()
                except Exception as exc:  # noqa: BLE001 - any failure fails the test below
                    db.session.rollback()
                    errors.append(repr(exc))
                commits.append((started, time.monotonic()))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.5)
        with source.app_context():
            before = db.session.execute(select(AuditHead.last_seq).where(AuditHead.id == agency_id)).scalar_one()
            began = time.monotonic()
            made = backups.create(clock.now(), tmp_path / "live.tar")
            ended = time.monotonic()
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join(30)
    assert errors == []
    during = [c for c in commits if began <= c[0] and c[1] <= ended]
    assert len(during) >= 3, "no write went through while the backup ran"
    assert max(end - start for start, end in commits) < 5  # never held up for long
    snapshot_seq = made.manifest["audit"]["heads"][str(agency_id)]["seq"]
    assert snapshot_seq >= before
    with target.app_context():
        restored = restore.restore(tmp_path / "live.tar")
        assert restored.files == 301
        seqs = set(db.session.execute(select(AuditEvent.seq).where(AuditEvent.chain == agency_id)).scalars())
        assert set(range(1, before + 1)) <= seqs  # nothing committed before the backup began is missing
        assert max(seqs) == snapshot_seq


def _damaged_copies(archive: Path, tmp_path: Path) -> dict[str, Path]:
    data = archive.read_bytes()
    with tarfile.open(archive) as tar:
        database = next(m for m in tar.getmembers() if m.name.startswith("database."))
        manifest = tar.getmember("manifest.json")
        sums = tar.getmember("SHA256SUMS")
    out = {}

    def write(name: str, content: bytes) -> None:
        out[name] = tmp_path / f"{name}.tar"
        out[name].write_bytes(content)

    write("half", data[:len(data) // 2])
    write("no_sums", data[:sums.offset])  # cut before the last member (SHA256SUMS)
    write("sums_cut", data[:sums.offset_data + 20])  # cut inside it
    flipped = bytearray(data)
    flipped[database.offset_data + database.size // 2] ^= 0x01
    write("database_bit", bytes(flipped))
    flipped = bytearray(data)
    at = data.index(b'"emblems"', manifest.offset_data)
    flipped[at + 12] = ord("7") if data[at + 12] != ord("7") else ord("8")
    write("manifest_edit", bytes(flipped))
    buffer = io.BytesIO(data)
    with tarfile.open(fileobj=buffer, mode="a") as tar:
        extra = tarfile.TarInfo("files/uploads/planted.php")
        extra.size = 4
        tar.addfile(extra, io.BytesIO(b"evil"))
    write("extra_member", buffer.getvalue())
    write("not_a_tar", b"PK\x03\x04 this is a zip, not a backup" * 100)
    write("empty", b"")
    return out


@pytest.mark.slow  # no date in it: not run again at the suite's other instants
def test_a_damaged_or_truncated_archive_is_refused_and_nothing_is_written(source, target, tmp_path):
    with source.app_context():
        archive = backups.create(clock.now(), tmp_path / "good.tar").path
    for name, path in _damaged_copies(archive, tmp_path).items():
        result = CliRunner().invoke(args=["restore", str(path)], cli=_cli(), obj=_script_info(target))
        assert result.exit_code == 1, (name, result.output)
        assert "เสียหายหรือไม่ครบ" in result.output and "damaged or incomplete" in result.output, (name, result.output)
        assert "nothing was written" in result.output
        _nothing_written(target)
    with target.app_context():  # and the good one still restores
        restore.restore(archive)


@pytest.mark.slow  # no date in it: not run again at the suite's other instants
def test_a_non_empty_instance_is_refused_unless_forced(source, tmp_path):
    with source.app_context():
        archive = backups.create(clock.now(), tmp_path / "b.tar").path
        heads = _heads(source)
        from workflow import audit

        audit.record("after_the_backup", agency_id=user("admin").agency_id, actor_id=None, now=clock.now())
        db.session.commit()
        changed = _heads(source)
        with pytest.raises(backups.BackupRefused, match="already holds data"):
            restore.restore(archive)
        assert _heads(source) == changed  # nothing written
        result = restore.restore(archive, force=True)
    assert _heads(source) == heads
    if not PG_URL:
        assert any(p.name.startswith("source.sqlite.before-restore-") for p in result.set_aside)
        assert any(p.name.startswith("uploads.before-restore-") for p in result.set_aside)


@pytest.mark.slow  # no date in it: not run again at the suite's other instants
def test_an_archive_made_under_another_audit_key_is_refused(source, tmp_path):
    with source.app_context():
        archive = backups.create(clock.now(), tmp_path / "k.tar").path
    with _database(tmp_path, "other") as url:
        other = _app(tmp_path / "other", url, ITAFLOW_AUDIT_KEY="a-different-audit-key")
        with other.app_context(), pytest.raises(backups.BackupRefused, match="ITAFLOW_AUDIT_KEY"):
            restore.restore(archive)
        _nothing_written(other)
        _close(other)


@pytest.mark.slow  # no date in it: not run again at the suite's other instants
def test_an_archive_whose_secrets_key_is_not_given_is_refused(source, tmp_path):
    """LINE's token and the authenticator seeds are sealed under ITAFLOW_DATA_KEYS, which no archive holds: a
    restore where no key is the one they were sealed under is refused before anything is written (an older key
    kept among the others is enough)."""
    from cryptography.fernet import Fernet

    with source.app_context():
        archive = backups.create(clock.now(), tmp_path / "d.tar").path
    newer = Fernet.generate_key().decode()
    with _database(tmp_path, "other") as url:
        other = _app(tmp_path / "other", url, ITAFLOW_DATA_KEYS=newer)
        with other.app_context(), pytest.raises(backups.BackupRefused, match="ITAFLOW_DATA_KEYS"):
            restore.restore(archive)
        _nothing_written(other)
        _close(other)
    with _database(tmp_path, "rotated") as url:
        rotated = _app(tmp_path / "rotated", url, ITAFLOW_DATA_KEYS=f"{newer},{DATA_KEY}")
        with rotated.app_context():
            restore.restore(archive)
        _close(rotated)


def test_the_daily_backup_is_a_timer_fired_by_the_sweep_keeping_n(tmp_path, monkeypatch):
    """At 02:00 Bangkok (no office hour: it fires anyway) the sweep fires the backup's timer and plans the next
    day's; the sweep's task starts the backup task, which makes the archive and keeps the newest two; the
    admin page says when the last one succeeded."""
    import time_machine

    from tasks import jobs
    from workflow.models import Timer
    from workflow.onboarding.demo import run_demo
    from workflow.operations import backupplan
    from workflow.thaidate import BANGKOK

    started: list[int] = []
    run_backup = jobs.run_backup
    # the broker is not what is tested here: what the sweep's task starts is recorded
    monkeypatch.setattr(jobs, "run_backup", SimpleNamespace(delay=started.append))
    monkeypatch.setattr(jobs, "send_outbox", SimpleNamespace(delay=lambda: None))
    monkeypatch.setattr(jobs, "send_line", SimpleNamespace(delay=lambda: None))
    with _database(tmp_path, "daily") as url:
        app = _app(tmp_path / "daily", url, ITAFLOW_BACKUP_KEEP="2", ITAFLOW_BACKUP_AT="02:00")
        with app.app_context():
            db.create_all()
            run_demo(now=clock.now(), password=PASSWORD)
            first = backupplan.plan(clock.now())
            db.session.commit()
            fire_at = first.fire_at.astimezone(BANGKOK)
            assert (fire_at.hour, fire_at.minute) == (2, 0) and first.fire_at > TEST_NOW
            moment = first.fire_at + timedelta(seconds=30)
            for _ in range(3):
                with time_machine.travel(moment, tick=True):
                    jobs.sweep()
                    assert len(started) == 1, "the sweep did not start the backup"
                    timer_id = started.pop()
                    assert run_backup(timer_id)["status"] == "done"
                    assert run_backup(timer_id)["status"] == "taken"  # a redelivered task makes none
                    jobs.sweep()
                    assert started == []  # started once
                moment += timedelta(days=1)
            folder = Path(app.config["ITAFLOW"].instance_path) / "backups"
            assert len(list(folder.glob("itaflow-daily-*.tar"))) == 2
            planned = db.session.execute(select(Timer.fire_at).where(
                Timer.kind == "backup", Timer.fired_at.is_(None))).scalars().all()
            assert len(planned) == 1 and planned[0] > moment - timedelta(days=1)
            state = backupplan.status(moment - timedelta(days=1) + timedelta(hours=1))
            assert state["last"]["status"] == "done" and not state["problem"]
            db.session.remove()
            db.drop_all()
        _close(app)
