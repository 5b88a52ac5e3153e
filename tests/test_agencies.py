"""Agencies as a tree: units under parents, keys unique within an agency, bad input refused with nothing
written, and an in-place upgrade of a one-agency database (every row kept, its audit chain whole)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from tests.conftest import NOW
from workflow import audit
from workflow.db import db
from workflow.errors import NotFound, ValidationError
from workflow.models import Agency, AuditEvent, Cycle, Group, User
from workflow.people import agencies


def _snapshot():
    return (db.session.scalar(select(func.count()).select_from(Agency)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
            sorted((a.code, a.parent_id) for a in db.session.execute(select(Agency)).scalars()))


def test_a_tree_of_any_depth_listed_parents_first(app):
    agencies.add("moe", "สำนักงานปลัดกระทรวงศึกษาธิการ", kind="department", actor_id=None, now=NOW)
    agencies.add("roiet", "สำนักงานศึกษาธิการจังหวัดร้อยเอ็ด", parent_code="moe", actor_id=None, now=NOW)
    agencies.add("roiet-1", "โรงเรียนตัวอย่าง", kind="school", parent_code="roiet", actor_id=None, now=NOW)
    agencies.add("khonkaen", "สำนักงานศึกษาธิการจังหวัดขอนแก่น", parent_code="moe", actor_id=None, now=NOW)
    db.session.commit()
    assert [(a.code, depth) for a, depth in agencies.listing()] == [
        ("moe", 0), ("khonkaen", 1), ("roiet", 1), ("roiet-1", 2)]
    moe = agencies.get("moe")
    assert {db.session.get(Agency, i).code for i in agencies.subtree_ids(moe.id)} == {
        "moe", "roiet", "roiet-1", "khonkaen"}
    assert agencies.subtree_ids(agencies.get("khonkaen").id) == [agencies.get("khonkaen").id]  # not a sibling's
    agencies.move("roiet-1", "khonkaen", actor_id=None, now=NOW)
    db.session.commit()
    assert agencies.get("roiet-1").parent.code == "khonkaen"
    assert db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all() == [
        "agency_added"] * 4 + ["agency_moved"]
    assert audit.verify() == []


@pytest.mark.parametrize("call, words", [
    (lambda: agencies.add("Bad Code", "ชื่อ", actor_id=None, now=NOW), "รหัสหน่วยงาน"),
    (lambda: agencies.add("moe", "ซ้ำ", actor_id=None, now=NOW), "มีหน่วยงานรหัส 'moe' อยู่แล้ว"),
    (lambda: agencies.add("new", "  ", actor_id=None, now=NOW), "ชื่อหน่วยงาน"),
    (lambda: agencies.add("new", "ชื่อ", kind="castle", actor_id=None, now=NOW), "ประเภทหน่วยงาน"),
    (lambda: agencies.add("new", "ชื่อ", parent_code="nowhere", actor_id=None, now=NOW), "ไม่พบหน่วยงานรหัส"),
    (lambda: agencies.move("moe", "roiet", actor_id=None, now=NOW), "หน่วยงานในสังกัด"),  # under its own unit
    (lambda: agencies.move("roiet", "roiet", actor_id=None, now=NOW), "หน่วยงานเดียวกัน"),
    (lambda: agencies.move("nowhere", None, actor_id=None, now=NOW), "ไม่พบหน่วยงานรหัส"),
])
def test_bad_input_says_what_to_fix_and_writes_nothing(app, call, words):
    agencies.add("moe", "สำนักงานปลัดกระทรวงศึกษาธิการ", kind="department", actor_id=None, now=NOW)
    agencies.add("roiet", "สำนักงานศึกษาธิการจังหวัดร้อยเอ็ด", parent_code="moe", actor_id=None, now=NOW)
    db.session.commit()
    before = _snapshot()
    with pytest.raises((ValidationError, NotFound)) as refused:
        call()
    db.session.rollback()
    assert words in refused.value.message_th and refused.value.message_en
    assert _snapshot() == before


def test_two_agencies_may_use_the_same_keys_and_keep_their_own_people(seed):
    from workflow.engine.instantiate import instantiate
    from workflow.onboarding.demo import demo_document

    roiet = db.session.get(Agency, seed.agency_id)
    agencies.add("other", "หน่วยงานข้างเคียง", actor_id=None, now=NOW)
    db.session.commit()
    doc = demo_document(NOW.date(), as_written=True)
    with pytest.raises(ValidationError) as wrong:  # the file names the office: not this agency's measures
        instantiate(doc, actor_id=None, now=NOW, source_name="t", agency_code="other")
    assert "หน่วยงานข้างเคียง" in wrong.value.message_th and "agency:" in wrong.value.message_en
    db.session.rollback()
    doc["agency"] = "หน่วยงาน ข้างเคียง"  # spaced otherwise: the same name
    with pytest.raises(ValidationError) as theirs:  # the office's people cannot own this agency's steps
        instantiate(doc, actor_id=None, now=NOW, source_name="t", agency_code="other")
    assert "หน่วยงานอื่น" in theirs.value.message_th
    db.session.rollback()
    for person in doc["people"].values():  # e-mail stays the sign-in: unique in the deployment
        person["email"] = person["email"].replace("@", ".other@") if person.get("email") else None
    other = instantiate(doc, actor_id=None, now=NOW, source_name="t", agency_code="other").cycle
    db.session.commit()
    assert other.agency_id != roiet.id
    for key in ("hr", "admin"):
        assert db.session.scalar(select(func.count()).select_from(Group).where(Group.key == key)) in (0, 2)
    pannee = db.session.execute(select(User).where(User.key == "pannee")).scalars().all()
    assert sorted(u.agency_id for u in pannee) == sorted([roiet.id, other.agency_id])
    mine = {s.owner_user_id for m in other.measures for s in m.steps if s.owner_user_id}
    assert mine and {db.session.get(User, i).agency_id for i in mine} == {other.agency_id}
    with pytest.raises(ValidationError):  # the same year again, into the same agency
        instantiate(doc, actor_id=None, now=NOW, source_name="t", agency_code="other")
    db.session.rollback()


def test_a_one_agency_database_upgrades_in_place(app, tmp_path):
    """Built with the migrations of the release before agencies, filled, then upgraded: every row kept, each
    belonging to the agency its cycle named, and the audit chain still verifies."""
    from flask_migrate import downgrade, upgrade

    from web.cli import MIGRATIONS
    from workflow.engine.instantiate import instantiate
    from workflow.onboarding.demo import demo_document

    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    try:
        upgrade(directory=MIGRATIONS, revision="7c1e5a9b2f40")
        assert "agency" not in inspect(db.engine).get_table_names()
        # fill it as that release did: through today's services, with the columns that release had
        upgrade(directory=MIGRATIONS)
        instantiate(demo_document(NOW.date(), as_written=True), actor_id=None, now=NOW, source_name="t")
        db.session.commit()
        counts = {t: db.session.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in (
            "cycle", "measure", "step", "work_group", "app_user", "audit_event", "timer", "outbox_message")}
        name = db.session.scalar(select(Cycle.agency))
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="7c1e5a9b2f40")  # back to a one-agency database
        assert "agency" not in inspect(db.engine).get_table_names()
        upgrade(directory=MIGRATIONS)
        after = {t: db.session.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in counts}
        assert after == counts
        (agency,) = db.session.execute(select(Agency)).scalars().all()
        assert (agency.code, agency.name) == ("main", name)
        assert {u.agency_id for u in db.session.execute(select(User)).scalars()} == {agency.id}
        assert {g.agency_id for g in db.session.execute(select(Group)).scalars()} == {agency.id}
        assert db.session.scalar(select(Cycle.agency_id)) == agency.id
        assert audit.verify() == []
    finally:
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()


def test_the_cli_adds_lists_and_moves_agencies_and_loads_into_one(app, tmp_path):
    from tests.test_cli import SEED_FILE
    from web.cli import main

    runner = app.test_cli_runner()

    def cli(*args):
        return runner.invoke(main, list(args))

    assert cli("agencies", "add", "moe", "สำนักงานปลัดกระทรวงศึกษาธิการ", "--kind", "department").exit_code == 0
    added = cli("agencies", "add", "roiet", "สำนักงานศึกษาธิการจังหวัดร้อยเอ็ด", "--parent", "moe")
    assert added.exit_code == 0, added.output
    assert cli("agencies", "add", "khonkaen", "สำนักงานศึกษาธิการจังหวัดขอนแก่น", "--parent", "moe").exit_code == 0
    listed = cli("agencies", "list").output.splitlines()
    assert [line.split()[0] for line in listed] == ["moe", "khonkaen", "roiet"]
    assert listed[1].startswith("  khonkaen") and "สำนักงาน" in listed[1]
    before = _snapshot()
    for bad in (["agencies", "move", "moe", "--parent", "roiet"], ["agencies", "move", "roiet"],
                ["agencies", "add", "x", "ชื่อ", "--parent", "nowhere"], ["load", str(SEED_FILE), "--agency", "nowhere"],
                ["status", "--agency", "nowhere"]):
        refused = cli(*bad)
        assert refused.exit_code == 1 and "ผิดพลาด / error:" in refused.output, (bad, refused.output)
    assert _snapshot() == before
    loaded = cli("load", str(SEED_FILE), "--agency", "roiet", "--yes")
    assert loaded.exit_code == 0, loaded.output
    assert db.session.scalar(select(Cycle.agency_id)) == agencies.get("roiet").id
    assert "๑.๑" in cli("status", "--agency", "roiet").output
    verified = cli("audit", "verify", "--agency", "roiet")
    assert verified.exit_code == 0 and "intact" in verified.output
    assert re.search(r"roiet: \d+ events, head [0-9a-f]{64}", verified.output)  # the head an agency may publish
    assert "moe:" not in verified.output and cli("audit", "verify", "--agency", "nowhere").exit_code == 1
    assert cli("status", "--agency", "khonkaen").exit_code == 1  # no cycle of its own: not roiet's
    cycle_id = str(db.session.scalar(select(Cycle.id)))
    before = _snapshot()
    refused = cli("clone", cycle_id, "--agency", "khonkaen")  # a mistyped id: another agency's cycle
    assert refused.exit_code == 1 and "ไม่ใช่ของ khonkaen" in refused.output and _snapshot() == before
    memo = tmp_path / "memo.txt"
    memo.write_text((Path(__file__).parent / "data" / "seed_memo.txt").read_text(encoding="utf-8"), encoding="utf-8")
    written = cli("import", str(memo), "--agency", "khonkaen", "-o", str(tmp_path / "kk.yaml"))
    assert written.exit_code == 0, written.output
    assert "agency: สำนักงานศึกษาธิการจังหวัดขอนแก่น" in (tmp_path / "kk.yaml").read_text(encoding="utf-8")
    moved = cli("agencies", "move", "roiet", "--top")
    assert moved.exit_code == 0 and agencies.get("roiet").parent is None
