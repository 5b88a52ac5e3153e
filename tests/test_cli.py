"""The itaflow command: init, load, status, demo, users, audit verify and clone, against a real database."""

import os
import re
from datetime import date

import pytest
from sqlalchemy import func, inspect, select, text

from web.cli import main
from workflow.db import db
from workflow.models import AuditEvent, Cycle, Group, Measure, OutboxMessage, Round, Step, Timer, User
from workflow.onboarding.demo import SEED_FILE

TABLES = (Cycle, Measure, Step, Round, Timer, User, Group, AuditEvent, OutboxMessage)


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args, **kw: runner.invoke(main, list(args), **kw)


def _counts():
    db.session.rollback()
    return {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def test_init_builds_the_schema_by_migration_and_it_matches_the_models(app, cli):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db.drop_all()
    try:
        result = cli("init")
        assert result.exit_code == 0, result.output
        assert "database is up to date" in result.output
        assert {"step", "timer", "audit_event", "outbox_message"} <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
        # autogenerate does not compare check constraints: the migrated database must hold them too
        checks = {c["name"] for t in ("step", "review_decision") for c in inspect(db.engine).get_check_constraints(t)}
        assert {"ck_step_state", "ck_step_kind", "ck_review_decision_decision"} <= checks
        assert cli("init").exit_code == 0  # again: nothing to do
    finally:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()


def test_load_then_status(cli):
    before = _counts()
    asked = cli("load", str(SEED_FILE))  # the memo's dates are long past: not without --yes (no terminal)
    assert asked.exit_code == 1 and "--yes" in asked.output and "ขั้นตอนเลยกำหนด 25 ขั้นตอน" in asked.output
    assert _counts() == before
    result = cli("load", str(SEED_FILE), "--yes")
    assert result.exit_code == 0, result.output
    assert "7 มาตรการ, 25 ขั้นตอน" in result.output
    assert "การติดตามครั้งที่ ๒: ๑๕ มิ.ย. ๒๕๖๗ ตรงกับวันเสาร์ จัดวันที่ ๑๔ มิ.ย. ๒๕๖๗" in result.output
    assert "การติดตามครั้งที่ ๓: ๓๐ มิ.ย. ๒๕๖๗ ตรงกับวันอาทิตย์ จัดวันที่ ๒๘ มิ.ย. ๒๕๖๗" in result.output
    status = cli("status")
    assert status.exit_code == 0
    assert "๑๕ ก.ค. ๒๕๖๗" in status.output
    assert "รวม ๒๗ ขั้นตอน" in status.output  # 25 in the memo; 1.7 meets monthly: May, June, July
    assert "เลยกำหนด!" in status.output  # it is long after July 2567 now
    assert "15 ก.ค. 2567" in cli("status", "--arabic").output
    rounds = db.session.execute(select(Round).order_by(Round.number)).scalars().all()
    assert [(r.planned_on, r.held_on) for r in rounds] == [
        (date(2024, 5, 30), date(2024, 5, 30)), (date(2024, 6, 15), date(2024, 6, 14)),
        (date(2024, 6, 30), date(2024, 6, 28)), (date(2024, 7, 15), date(2024, 7, 15))]
    assert len(rounds[0].measure_links) == 6  # every measure but 1.4
    m14 = db.session.execute(select(Measure).where(Measure.code == "1.4")).scalar_one()
    assert m14.monitoring["deadlines"][0]["date"] == "2024-06-10"
    # loaded long after the memo's dates: no stale reminders, but every open step's overdue alert is due
    kinds = {t.kind for t in db.session.execute(select(Timer).where(Timer.fired_at.is_(None))).scalars()}
    assert kinds == {"step_overdue"}


def test_loading_the_same_cycle_twice_is_refused(cli):
    assert cli("load", str(SEED_FILE), "--yes").exit_code == 0
    before = _counts()
    again = cli("load", str(SEED_FILE), "--yes")
    assert again.exit_code == 1
    assert "already has a cycle" in again.output
    assert _counts() == before


@pytest.mark.parametrize("mutate, expect", [
    (lambda t: t.replace("reviewer: admin", "reviewer: finance"), "unknown reviewer group 'finance'"),
    (lambda t: t.replace("end: 2567-07-15", "end: 2567-02-30"), "no such date"),
    (lambda t: t.replace("อินสำราญ\n    group: admin", "อินสำราญ\n    group: nowhere"), "unknown group 'nowhere'"),
    (lambda t: t.replace("measures:\n", "measures\n", 1), "YAML"),
])
def test_bad_file_writes_nothing(cli, tmp_path, mutate, expect):
    assert cli("load", str(SEED_FILE), "--yes").exit_code == 0  # an existing cycle must stay exactly as it was
    before = _counts()
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutate(SEED_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli("load", str(bad))
    assert result.exit_code == 1
    assert expect in result.output
    assert f"{bad}:" in result.output  # file and line
    assert "nothing was written" in result.output
    assert _counts() == before


def test_missing_file_is_one_line(cli, tmp_path):
    result = cli("load", str(tmp_path / "none.yaml"))
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_demo_shows_done_due_soon_and_overdue(cli):
    result = cli("demo", "--password", "correct-horse-battery")
    assert result.exit_code == 0, result.output
    for role in ("admin", "secretariat", "executive", "director", "staff"):
        assert f"  {role} " in result.output
    status = cli("status").output
    assert "เสร็จ" in status and "กำลังดำเนินการ" in status and "เลยกำหนด!" in status and "ใกล้ครบกำหนด" in status
    assert cli("audit", "verify").exit_code == 0
    from workflow.people.users import verify_password
    juthamas = db.session.execute(select(User).where(User.key == "juthamas")).scalar_one()
    assert verify_password(juthamas, "correct-horse-battery")
    assert juthamas.password_hash.startswith("$argon2id$")


def test_demo_as_written_keeps_the_memo_dates(cli):
    assert cli("demo", "--as-written").exit_code == 0
    cycle = db.session.execute(select(Cycle)).scalar_one()
    assert cycle.fiscal_year_be == 2567
    assert {m.period_end for m in cycle.measures} == {date(2024, 7, 15)}


def test_users_add_and_import(cli, tmp_path):
    assert cli("load", str(SEED_FILE), "--yes").exit_code == 0
    ok = cli("users", "add", "--name", "นายทดสอบ ระบบ", "--email", "Test@Example.org", "--role", "director",
             "--group", "hr", input="a-long-passphrase\na-long-passphrase\n")
    assert ok.exit_code == 0, ok.output
    hr = db.session.execute(select(Group).where(Group.key == "hr")).scalar_one()
    assert hr.director.email == "test@example.org"
    weak = cli("users", "add", "--name", "x", "--email", "x@example.org", input="password\npassword\n")
    assert weak.exit_code == 1 and "at least 8" not in weak.output and "too common" in weak.output
    before = _counts()
    csv = tmp_path / "users.csv"
    csv.write_text("name,email,roles,group\nนางหนึ่ง,one@example.org,staff,hr\nนายสอง,bad-email,staff,hr\n",
                   encoding="utf-8")
    bad = cli("users", "import", str(csv))
    assert bad.exit_code == 1 and "line 3" in bad.output
    assert _counts() == before
    csv.write_text("name,email,roles,group\nนางหนึ่ง,one@example.org,staff,hr\nนายสอง,two@example.org,"
                   "staff;secretariat,กลุ่มอำนวยการ\n", encoding="utf-8")
    good = cli("users", "import", str(csv))
    assert good.exit_code == 0, good.output
    two = db.session.execute(select(User).where(User.email == "two@example.org")).scalar_one()
    assert two.roles == {"staff", "secretariat"} and two.group.key == "admin"


def test_audit_verify_fails_on_tampering(cli):
    assert cli("load", str(SEED_FILE), "--yes").exit_code == 0
    assert "intact" in cli("audit", "verify").output
    db.session.execute(text("UPDATE audit_event SET actor_id = NULL, note = 'x' WHERE seq = 2"))
    db.session.commit()
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "event 2" in result.output and "edited" in result.output


def test_clone_to_next_year(cli):
    assert cli("load", str(SEED_FILE), "--yes").exit_code == 0
    result = cli("clone", "1")
    assert result.exit_code == 0, result.output
    new = db.session.execute(select(Cycle).where(Cycle.fiscal_year_be == 2568)).scalar_one()
    assert len(new.measures) == 7 and sum(len(m.steps) for m in new.measures) == 27  # with 3 monthly meetings
    assert {m.period_start for m in new.measures} == {date(2025, 5, 1)}
    assert {m.period_end for m in new.measures} == {date(2025, 7, 15)}
    held = [(r.planned_on, r.held_on) for r in new.rounds]
    # 15 June 2568 is a Sunday: held on Friday 13 June; the others are working days
    assert held == [(date(2025, 5, 30), date(2025, 5, 30)), (date(2025, 6, 15), date(2025, 6, 13)),
                    (date(2025, 6, 30), date(2025, 6, 30)), (date(2025, 7, 15), date(2025, 7, 15))]
    assert "๑๕ มิ.ย. ๒๕๖๘ ตรงกับวันอาทิตย์" in result.output
    assert cli("clone", "99").exit_code == 1


def test_outbox_and_mail_listings(cli, app):
    import dataclasses
    from datetime import UTC, datetime

    from tasks.sink import start_sink
    from tests.test_mailer import free_port
    from workflow.channels.mailer import deliver_pending

    # the demo inside its period: the memo as written (BE 2567) would queue nothing in a later year (no alert
    # for steps already due when loaded)
    assert cli("demo", "--password", "a-long-passphrase").exit_code == 0
    listing = cli("outbox", "--limit", "5")
    assert listing.exit_code == 0 and "pending:" in listing.output
    assert "@demo.itaflow.test" in listing.output
    port = free_port()
    controller, _handler = start_sink(port=port, maildir=app.config["ITAFLOW"].instance_path / "mail")
    try:
        app.config["ITAFLOW"] = dataclasses.replace(app.config["ITAFLOW"], mail_port=port)
        # alerts queued outside alert hours (the suite also runs pinned to 23:30 on 31 December) wait for the
        # next working day's office hour: deliver when the last of them may leave
        leave = db.session.execute(select(func.max(OutboxMessage.next_attempt_at))).scalar_one()
        assert deliver_pending(max(datetime.now(UTC), leave)).sent > 0
    finally:
        controller.stop()
    shown = cli("mail", "--limit", "3")
    assert shown.exit_code == 0 and "[ITA]" in shown.output
    assert "และอีก" in shown.output and "--limit" in shown.output  # says how many it left out
    assert re.search(r"\d{1,2} \S+ 25\d\d \d\d:\d\d", shown.output) and "+0000" not in shown.output  # BE, Bangkok
    assert "sent:" in cli("outbox").output


def test_users_choose_digest_or_instant(cli):
    assert cli("demo", "--as-written", "--password", "a-long-passphrase").exit_code == 0
    result = cli("users", "notify", "pannee@demo.itaflow.test", "--digest", "--hour", "16")
    assert result.exit_code == 0 and "digest 16:00" in result.output
    pannee = db.session.execute(select(User).where(User.key == "pannee")).scalar_one()
    assert (pannee.notify_mode, pannee.digest_hour) == ("digest", 16)
    assert cli("users", "notify", "pannee@demo.itaflow.test", "--instant").exit_code == 0
    db.session.refresh(pannee)
    assert pannee.notify_mode == "instant"
    assert cli("users", "notify", "nobody@example.org", "--digest").exit_code == 1
    assert cli("users", "notify", "pannee@demo.itaflow.test", "--digest", "--hour", "25").exit_code != 0


def test_a_fresh_checkout_says_to_initialise_instead_of_a_traceback(tmp_path):
    from web import create_app
    from web.cli import main

    fresh = create_app({"ITAFLOW_INSTANCE": str(tmp_path / "fresh"), "ITAFLOW_SECRET_KEY": "fresh-secret-key",
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}"})
    result = fresh.test_cli_runner().invoke(main, ["status"])
    assert result.exit_code == 1 and "itaflow init" in result.output and "Traceback" not in result.output


def test_up_on_another_port_links_to_that_port(tmp_path, monkeypatch):
    import web.up
    from web import create_app
    from web.cli import main

    seen = {}

    def fake_run_up(settings, host, port, workers, sink):
        seen.update(base_url=settings.base_url, env=os.environ.get("ITAFLOW_BASE_URL"))
        return 0

    monkeypatch.setattr(web.up, "run_up", fake_run_up)
    monkeypatch.delenv("ITAFLOW_BASE_URL", raising=False)
    fresh = create_app({"ITAFLOW_INSTANCE": str(tmp_path / "up"), "ITAFLOW_SECRET_KEY": "up-secret-key-0123",
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'up.sqlite'}"})
    result = fresh.test_cli_runner().invoke(main, ["up", "--port", "5077"])
    monkeypatch.delenv("ITAFLOW_BASE_URL", raising=False)
    assert result.exit_code == 0, result.output
    assert seen == {"base_url": "http://127.0.0.1:5077", "env": "http://127.0.0.1:5077"}  # the children's too
