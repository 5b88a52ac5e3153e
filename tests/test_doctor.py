"""`itaflow doctor` (issue 25): a sound deployment passes; settings, an old schema, an unreachable relay or
Redis, open instance files, a test clock and a failed backup are each named with what to fix, in Thai and
English, and the command exits 1. On PostgreSQL the database's clock is compared with ours."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from tasks.sink import start_sink
from tests.conftest import PG_URL
from tests.test_live import free_port
from web import create_app
from web.cli import main
from workflow import clock
from workflow.db import db
from workflow.operations import doctor

KEY = "a-sound-secret-key-of-48-characters-0123456789ab"


def _doctor(app) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["doctor"], obj=ScriptInfo(create_app=lambda: app))
    return result.exit_code, result.output


@pytest.fixture
def relay():
    port = free_port()
    controller, _handler = start_sink(port=port)
    yield port
    controller.stop()


def _app(tmp_path: Path, **env: str):
    return create_app({"ITAFLOW_INSTANCE": str(tmp_path / "instance"), "ITAFLOW_SECRET_KEY": KEY,
                       "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'doctor.sqlite'}", **env})


def test_a_sound_deployment_passes(tmp_path, relay, monkeypatch):
    from flask_migrate import upgrade

    from workflow.operations.schema import MIGRATIONS

    monkeypatch.delenv("ITAFLOW_CLOCK_FILE", raising=False)
    app = _app(tmp_path, MAIL_PORT=str(relay), ITAFLOW_BASE_URL="https://ita.example.go.th")
    with app.app_context():
        db.drop_all()
        upgrade(directory=str(MIGRATIONS))
        code, output = _doctor(app)
        findings = {f.check: f for f in doctor.run(clock.now())}
        for name in ("settings", "database", "redis", "smtp", "line", "disk", "files", "backups"):
            assert findings[name].level == doctor.OK, (name, findings[name])
        if PG_URL:  # the suite pins our clock days away from the server's: said, with the fix
            assert findings["clock"].level == doctor.PROBLEM and "NTP" in findings["clock"].fix_en
            assert code == 1
        else:
            assert findings["clock"].level == doctor.OK
            assert code == 0, output
        assert "✓ [database]" in output and "the database schema is at this release's head" in output
        _drop(app)


def test_what_is_wrong_is_named_with_its_fix(tmp_path, monkeypatch):
    from workflow.models import Timer

    clock_file = tmp_path / "clock"
    clock.set_fake_now(clock_file, clock.now())
    monkeypatch.setenv("ITAFLOW_CLOCK_FILE", str(clock_file))
    app = _app(tmp_path, MAIL_PORT=str(free_port()), REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
               ITAFLOW_BASE_URL="http://ita.example.go.th", ITAFLOW_PLAIN_HTTP="1")
    instance = Path(app.config["ITAFLOW"].instance_path)
    instance.chmod(0o755)
    with app.app_context():
        db.drop_all()
        db.create_all()  # tables, but no migration: the schema's revision is unknown
        db.session.add(Timer(kind="backup", fire_at=clock.now(), fired_at=clock.now(), target_type="deployment",
                             target_id=0, payload={"status": "failed", "error": "disk full"}))
        db.session.commit()
        code, output = _doctor(app)
        _drop(app)
    assert code == 1
    expected = [
        ("✗ [settings]", "ITAFLOW_CLOCK_FILE is set", "remove ITAFLOW_CLOCK_FILE"),
        ("! [settings]", "ITAFLOW_BASE_URL is not https", "terminate TLS at the proxy"),
        ("✗ [database]", "the database is behind this release", "run itaflow init"),
        ("✗ [redis]", "cannot reach Redis", "check REDIS_URL"),
        ("✗ [smtp]", "cannot reach the SMTP relay", "check MAIL_SERVER"),
        ("✗ [files]", "open to other users", f"chmod -R go-rwx {instance}"),
        ("✗ [backups]", "the last backup failed: disk full", "try itaflow backup"),
    ]
    for mark, said, fix in expected:
        line = next((x for x in output.splitlines() if x.startswith(mark) and said in x), None)
        assert line is not None, (mark, said, output)
        following = output.splitlines()[output.splitlines().index(line) + 1]
        assert "แก้ไข / fix:" in following and fix in following, (line, following)
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in line), line  # in Thai as well
    assert KEY not in output


def _drop(app) -> None:
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.engine.dispose()
