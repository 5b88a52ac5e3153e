"""Every state change writes an audit event, whatever route makes it: the page cache (a page is kept per
data version, the audit head) and the audit log's completeness both rest on it. The test walks every POST
route of the web and the API with valid input, in an order in which each succeeds, and compares a
fingerprint of every table but the audit log before and after each request."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from sqlalchemy import select

from tests.conftest import PASSWORD, step, user
from tests.test_editor import form_data
from tests.test_importer import SEED
from tests.test_review_and_evidence import _png
from tests.test_web import login, token
from workflow import clock
from workflow.db import db
from workflow.models import AuditHead, Cycle, Group, Round, Step, User
from workflow.people import tokens

SEED_YAML = (Path(__file__).resolve().parent.parent / "workflow" / "data" / "roiet-2567.yaml").read_text()


def fingerprint() -> str:
    db.session.rollback()
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in ("audit_event", "audit_head"):
            continue
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def head() -> int:
    """The demo agency's data version: its audit chain's head (what its kept pages are keyed by)."""
    db.session.rollback()
    agency = db.session.scalar(select(User.agency_id).where(User.key == "admin"))
    return db.session.scalar(select(AuditHead.last_seq).where(AuditHead.id == agency)) or 0


def version(step_id: int) -> str:
    db.session.rollback()
    return str(db.session.get(Step, step_id).version)


def test_every_post_route_that_changes_data_writes_an_audit_event(demo):
    task, review = step("1.5", 2), step("1.5", 3)
    _, api_secret = tokens.create(user("dir-admin").id, "api", "walk", now=clock.now())
    admin_token, _ = tokens.create(user("admin").id, "api", "to revoke", now=clock.now())
    db.session.commit()
    task_id, review_id, admin_token_id = task.id, review.id, admin_token.id
    group_id = db.session.scalar(select(Group.id).where(Group.key == "hr"))
    round_id = db.session.scalar(select(Round.id).order_by(Round.number))
    added_to, removable = step("1.1", 1).measure_id, step("1.2", 4).id
    first_evidence = 2  # the link the walk adds to 1.5/2 (the note, 1, is published later)
    clients = {}

    def as_(role):
        if role not in clients:
            clients[role] = login(demo, role)
        return clients[role]

    def last_day() -> str:
        from workflow.thaidate import fiscal_year_bounds

        db.session.rollback()
        end = fiscal_year_bounds(db.session.execute(select(Cycle.fiscal_year_be)).scalars().first())[1]
        return f"{end.day}/{end.month}/{end.year + 543}"

    def today() -> str:
        from workflow.thaidate import bangkok_today

        day = bangkok_today(clock.now())
        return f"{day.day}/{day.month}/{day.year + 543}"

    def own_framework() -> int:
        from workflow.models import Framework

        db.session.rollback()
        return db.session.execute(select(Framework.id).where(Framework.key == "own")).scalar_one()

    def form(role, **data):
        return {"csrf_token": token(as_(role)), **data}

    # (role, path, form or a function giving it; "json:" paths go to the API with a bearer token)
    walk = [
        ("director", f"/steps/{review_id}/send-back", lambda: form("director", version=version(review_id),
                                                                     reason="แก้ไขเอกสารก่อน")),
        ("other_staff", f"/steps/{task_id}/evidence", lambda: form("other_staff", kind="note", text="บันทึก")),
        ("other_staff", f"/steps/{task_id}/evidence", lambda: form("other_staff", kind="link",
                                                                     url="https://example.go.th/ita")),
        ("other_staff", f"/steps/{task_id}/evidence", lambda: {**form("other_staff", kind="file"),
                                                                 "file": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")}),
        ("other_staff", f"/evidence/{first_evidence}/withdraw", lambda: form("other_staff")),
        ("other_staff", f"/steps/{task_id}/done", lambda: form("other_staff", version=version(task_id))),
        ("director", f"/steps/{review_id}/approve", lambda: form("director", version=version(review_id))),
        ("secretariat", f"/steps/{review_id}/reopen", lambda: form("secretariat", version=version(review_id),
                                                                     reason="ตรวจซ้ำ")),
        ("director", "/approvals/bulk", lambda: {**form("director", step=str(review_id)),
                                                 f"version-{review_id}": version(review_id)}),
        ("secretariat", f"/steps/{task_id}/reassign", lambda: form("secretariat", version=version(task_id),
                                                                     group_id=str(group_id))),
        ("secretariat", f"/measures/{added_to}/steps", lambda: form("secretariat", after="1", title="ขั้นตอนใหม่",
                                                                    owner=f"group:{group_id}", kind="task")),
        ("secretariat", f"/steps/{removable}/remove", lambda: form("secretariat", version=version(removable),
                                                                   reason="ไม่ต้องทำแล้ว")),
        ("secretariat", f"/rounds/{round_id}", lambda: form("secretariat", minutes="ประชุมแล้ว",
                                                            attendance="น.ส.จุฑามาศ\nนายสมชาย")),
        ("secretariat", "/evidence/1/public", lambda: form("secretariat", public="1")),
        ("secretariat", "/evidence/1/item", lambda: form("secretariat", code="O11")),
        ("secretariat", "/cycles/1/answer-sheet/check", lambda: form("secretariat")),
        ("secretariat", "/cycles/1/oit-work", lambda: form("secretariat", **{"group-O11": str(group_id),
                                                                             "due-O11": last_day()})),
        ("admin", "/admin/users", lambda: form("admin", name="นายทดสอบ ระบบ", email="new@demo.itaflow.test",
                                               roles="staff")),
        ("admin", f"/admin/users/{user('kamonnapa').id}", lambda: form("admin", roles="staff", active="")),
        ("admin", "/admin/frameworks", lambda: {**form("admin"), "file": (io.BytesIO(
            "# itaflow framework: key=own; measures=O1\ncode\ttitle\nO1\tมาตรการ\n".encode()), "own.tsv")}),
        ("admin", "/admin/frameworks/use/1", lambda: form("admin", framework=f"id:{own_framework()}")),
        ("admin", "/admin/emblem", lambda: {**form("admin"), "file": (io.BytesIO(_png()), "garuda.png")}),
        ("admin", f"/admin/groups/{group_id}", lambda: form("admin", director_id=str(user("admin").id))),
        ("director", "/absences", lambda: form("director", starts_on=today(), ends_on=today(), reason="อบรม",
                                               acting_user_id=str(user("dir-hr").id))),
        ("director", "/absences/1/cancel", lambda: form("director")),
        ("admin", "/cycles/1/publish", lambda: form("admin", published="1")),
        ("executive", "/cycles/1/answer-sheet/sign", lambda: form("executive")),
        ("secretariat", "/drafts/import", lambda: {**form("secretariat"), "file": (io.BytesIO(SEED.read_bytes()),
                                                                                    "memo.txt")}),
        ("secretariat", "/drafts/1/groups", lambda: form("secretariat", group_name="กลุ่มใหม่")),
        ("secretariat", "/drafts/1/heading", lambda: form("secretariat", fiscal_year="2567",
                                                          title="มาตรการ", secretariat="")),
        ("secretariat", "/drafts/1/measures/1", lambda: form_data(as_("secretariat"), 1, 0, action="save",
                                                                  title="มาตรการที่แก้ในแบบฟอร์ม")),
        ("admin", "/drafts/", lambda: form("admin", fiscal_year="2568")),
        ("admin", "/drafts/2/discard", lambda: form("admin", confirmed="1")),
        ("secretariat", "/drafts/next-year", lambda: form("secretariat", cycle_id="1")),
        ("secretariat", "/drafts/1/confirm", lambda: form("secretariat", past_ok="1")),
        ("admin", "/admin/definitions", lambda: {**form("admin", confirm="1", past_ok="1"), "file": (io.BytesIO(
            SEED_YAML.replace("2567", "2566").replace("๒๕๖๗", "๒๕๖๖").encode()), "d.yaml")}),
        ("staff", "/tokens", lambda: form("staff", kind="api", name="ของฉัน")),
        ("admin", f"/tokens/{admin_token_id}/revoke", lambda: form("admin")),
        ("staff", "/language", lambda: form("staff", lang="en")),
        ("staff", "/password", lambda: form("staff", current=PASSWORD, new="a-new-long-passphrase-9",
                                            again="a-new-long-passphrase-9")),
        ("executive", "/logout", lambda: form("executive")),
        ("secretariat", f"/steps/{review_id}/reopen", lambda: form("secretariat", version=version(review_id),
                                                                     reason="ตรวจอีกครั้งผ่าน API")),
        ("json:director", f"/api/v1/steps/{review_id}/approve", lambda: {"version": int(version(review_id))}),
    ]
    changed = []
    for index, (role, path, data) in enumerate(walk):
        before, seq = fingerprint(), head()
        if role.startswith("json:"):
            response = demo.test_client().post(path, json=data(),
                                               headers={"Authorization": f"Bearer {api_secret}"})
        else:
            response = as_(role).post(path, data=data(), content_type="multipart/form-data")
        body = response.get_data(as_text=True)
        assert response.status_code < 400, (path, response.status_code, body[body.find("<main"):][:3000])
        after = fingerprint()
        assert after == before or head() > seq, f"{path} changed data without an audit event"
        if after != before:
            changed.append(index)
    # the walk proves something only if its requests really changed data: every one of them does
    missing = [path for index, (_, path, _) in enumerate(walk) if index not in changed]
    assert missing == [], missing
