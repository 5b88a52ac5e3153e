"""The review page and the approval queue say who submitted the work, when, and by when it is to be checked;
a director sends back from the queue; an owner withdraws or replaces evidence while the step is open, and the
old piece stays in the history."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from tests.conftest import step, user
from tests.test_web import counts, login, token
from workflow import clock
from workflow.db import db
from workflow.models import AuditEvent, Evidence
from workflow.publishing import evidence as evidence_service


def test_the_queue_says_who_submitted_and_when_and_sends_back(demo):
    review, work = step("1.5", 3), step("1.5", 2)
    director = login(demo, "director")
    page = director.get("/approvals").get_data(as_text=True)
    item = page[page.index(f'id="review-{review.id}"'):]
    assert f"ส่งงานโดย {work.done_by.name}" in item and "ต้องตรวจภายใน" in item
    assert 'form="bulk"' in item and 'name="from" value="queue"' in item
    assert "<form" not in page[page.index('<form method="post" action="/approvals/bulk"'):][10:page.index("</form>")]
    r = director.post(f"/steps/{review.id}/send-back", data={"csrf_token": token(director), "version": review.version,
                                                            "reason": "แนบฉบับที่ลงนามแล้ว", "from": "queue"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/approvals")
    assert step("1.5", 2).state == "open" and step("1.5", 2).sent_back_reason == "แนบฉบับที่ลงนามแล้ว"


def test_the_review_page_names_the_work_and_shows_no_empty_evidence_box(demo):
    review, work = step("1.5", 3), step("1.5", 2)
    page = login(demo, "director").get(f"/steps/{review.id}").get_data(as_text=True)
    facts = re.search(r'<p id="review-facts">(.*?)</p>', page, re.S).group(1)
    assert work.done_by.name in facts and "ต้องตรวจภายใน" in facts
    assert page.count("<h2>หลักฐาน</h2>") == 0 and "งานที่ตรวจ" in page  # only the reviewed work's evidence
    owner_line = re.search(r'<p id="owner-line">(.*?)</p>', login(demo, "staff").get(
        f"/steps/{step('1.1', 2).id}").get_data(as_text=True), re.S).group(1)
    assert "กลุ่ม" in owner_line


def test_an_owner_withdraws_and_replaces_evidence_while_the_step_is_open(demo):
    target = step("1.1", 2)
    unsigned = evidence_service.add_file(target.id, actor_id=user("hr-staff").id, now=clock.now(),
                                         filename="คำสั่ง-ยังไม่ลงนาม.pdf", data=b"%PDF-1.4 unsigned")
    note = evidence_service.add_note(target.id, actor_id=user("hr-staff").id, now=clock.now(), text="ร่าง")
    db.session.commit()
    owner = login(demo, "staff")
    page = owner.get(f"/steps/{target.id}").get_data(as_text=True)
    assert f"/evidence/{unsigned.id}/withdraw" in page and f"/evidence/{unsigned.id}/replace" in page
    r = owner.post(f"/evidence/{unsigned.id}/replace", data={
        "csrf_token": token(owner), "file": (io.BytesIO(b"%PDF-1.4 signed"), "คำสั่ง-ลงนามแล้ว.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Evidence, unsigned.id).withdrawn_at is not None
    current = [e.filename for e in db.session.execute(select(Evidence).where(
        Evidence.step_id == target.id, Evidence.withdrawn_at.is_(None))).scalars() if e.kind == "file"]
    assert current == ["คำสั่ง-ลงนามแล้ว.pdf"]
    assert owner.post(f"/evidence/{note.id}/withdraw", data={"csrf_token": token(owner)}).status_code == 303
    page = owner.get(f"/steps/{target.id}").get_data(as_text=True)
    withdrawn = page[page.index('id="withdrawn"'):]
    assert "คำสั่ง-ยังไม่ลงนาม.pdf" in withdrawn and "ร่าง" in withdrawn  # still in the history
    old = owner.get(f"/evidence/{unsigned.id}")
    old.close()
    assert old.status_code == 200  # the old file can still be read
    actions = [a for a in db.session.execute(select(AuditEvent.action).where(
        AuditEvent.target_id == target.id, AuditEvent.target_type == "step")).scalars()]
    assert actions.count("evidence_withdrawn") == 2


def test_others_cannot_withdraw_and_a_done_step_keeps_its_evidence(demo):
    target = step("1.1", 2)
    ev = evidence_service.add_note(target.id, actor_id=user("hr-staff").id, now=clock.now(), text="ร่าง")
    db.session.commit()
    before = counts()
    stranger = login(demo, "other_staff")
    assert stranger.post(f"/evidence/{ev.id}/withdraw", data={"csrf_token": token(stranger)}).status_code == 403
    assert db.session.get(Evidence, ev.id).withdrawn_at is None and counts()[1] == before[1]
    # refused replacements withdraw nothing
    owner = login(demo, "staff")
    r = owner.post(f"/evidence/{ev.id}/replace", data={"csrf_token": token(owner),
                                                       "file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
                   content_type="multipart/form-data", follow_redirects=True)
    assert r.status_code == 200 and db.session.get(Evidence, ev.id).withdrawn_at is None


def test_a_done_step_keeps_its_evidence(demo):
    import pytest

    from workflow.engine import transitions
    from workflow.errors import ValidationError

    target = step("1.1", 2)
    ev = evidence_service.add_note(target.id, actor_id=user("hr-staff").id, now=clock.now(), text="คำสั่ง")
    transitions.complete(target.id, actor_id=user("hr-staff").id, now=clock.now(), expected_version=None)
    db.session.commit()
    with pytest.raises(ValidationError, match="เสร็จแล้ว"):
        evidence_service.withdraw(ev.id, actor_id=user("hr-staff").id, now=clock.now())


def test_an_admin_changes_a_person_s_email_and_group(demo):
    from workflow.models import Group, User

    admin = login(demo, "admin")
    person = user("kamonnapa")
    hr = db.session.execute(select(Group).where(Group.key == "hr")).scalar_one()
    page = admin.get("/admin/").get_data(as_text=True)
    assert f'id="email-{person.id}"' in page and f'id="group-{person.id}"' in page
    data = {"csrf_token": token(admin), "roles": list(person.roles), "active": "1"}
    bad = admin.post(f"/admin/users/{person.id}", data={**data, "email": "not-an-email", "group": "hr"},
                     follow_redirects=True)
    assert "ไม่ถูกต้อง" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).email == "kamonnapa@demo.itaflow.test"
    taken = admin.post(f"/admin/users/{person.id}", data={**data, "email": "pannee@demo.itaflow.test", "group": ""},
                       follow_redirects=True)
    assert "มีผู้ใช้อื่นใช้แล้ว" in taken.get_data(as_text=True)
    ok = admin.post(f"/admin/users/{person.id}", data={**data, "email": "Kamonnapa.New@Demo.itaflow.test",
                                                      "group": "hr"})
    assert ok.status_code == 303
    db.session.expire_all()
    changed = db.session.get(User, person.id)
    assert changed.email == "kamonnapa.new@demo.itaflow.test" and changed.group_id == hr.id
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user_updated")
                               .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.data["before"]["email"] == "kamonnapa@demo.itaflow.test"
    assert event.data["after"]["email"] == "kamonnapa.new@demo.itaflow.test"


def _png(width: int = 300, height: int = 320) -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(picture).ellipse((10, 10, width - 10, height - 10), fill=(0, 0, 0, 255))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def test_the_emblem_heads_the_memos_and_bad_pictures_are_refused(demo, tmp_path):
    import subprocess

    from workflow.models import Agency, Cycle
    from workflow.publishing import documents

    admin = login(demo, "admin")
    for data, name, says in ((b"%PDF-1.4 not a picture", "garuda.png", "อ่านไฟล์ภาพตราไม่ได้"),
                             (b"\x89PNG" + b"0" * (3 * 2**20), "big.png", "ใหญ่เกิน")):
        r = admin.post("/admin/emblem", data={"csrf_token": token(admin), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)
        assert says in r.get_data(as_text=True)
        db.session.expire_all()
        assert all(a.emblem is None for a in db.session.execute(select(Agency)).scalars())
    r = admin.post("/admin/emblem", data={"csrf_token": token(admin), "file": (io.BytesIO(_png()), "garuda.png")},
                   content_type="multipart/form-data")
    assert r.status_code == 303
    cycle = db.session.execute(select(Cycle)).scalar_one()
    html_text = documents.render_html(documents.measures_document(cycle.id, clock.now()))
    assert '<img class="garuda" src="data:image/png;base64,' in html_text
    path = tmp_path / "m.pdf"
    path.write_bytes(documents.render_pdf(documents.measures_document(cycle.id, clock.now())))
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) >= 3  # header, rule, and the emblem
    assert admin.post("/admin/emblem", data={"csrf_token": token(admin), "remove": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Agency, cycle.agency_id).emblem is None
    staff = login(demo, "staff")
    assert staff.post("/admin/emblem", data={"csrf_token": token(staff), "remove": "1"}).status_code == 403
