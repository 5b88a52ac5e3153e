"""The mapping page (การจับคู่โครงสร้างบันทึก): a column the importer cannot tell is asked, not guessed away; the
officer's answer re-reads the whole memo at once; the answers are kept for the agency and offered to its units;
the same answers given to ``itaflow import --mapping`` as a file; bad answers change nothing."""

from __future__ import annotations

import io
import re

import yaml
from sqlalchemy import func, select

from tests.test_editor import office as editor_office
from tests.test_editor import sign_in
from tests.test_web import token
from workflow import clock
from workflow.db import db
from workflow.models import Agency, AuditEvent, Draft, MemoMapping
from workflow.onboarding import mappings
from workflow.onboarding.memolayout import Mapping, assign_roles

HEADER = ["ที่", "มาตรการ", "ปัญหาที่พบ", "แนวทางการพัฒนา", "สิ่งที่ต้องทำ", "ผู้รับผิดชอบ", "ระยะเวลา", "การติดตาม"]
ROWS = [
    ["1", "O11 การเปิดเผยข้อมูลข่าวสาร", "ข้อมูลบนเว็บไซต์ไม่เป็นปัจจุบัน", "ปรับปรุงข้อมูลทุกเดือน",
     ["1. จัดทำข้อมูลให้เป็นปัจจุบัน", "2. เผยแพร่บนเว็บไซต์"], "กลุ่มอำนวยการ",
     "ตุลาคม ๒๕๖๗ – มีนาคม ๒๕๖๘", "กลุ่มอำนวยการ ติดตามทุกเดือน"],
    ["2", "O19 การจัดซื้อจัดจ้างอย่างโปร่งใส", "ไม่ได้เผยแพร่สรุปผลการจัดซื้อจัดจ้าง", "เผยแพร่สรุปผลทุกเดือน",
     ["1. สรุปผลการจัดซื้อจัดจ้าง", "2. เสนอผู้บริหาร", "3. เผยแพร่"],
     "กลุ่มบริหารการเงินและสินทรัพย์", "ตุลาคม ๒๕๖๗ – กันยายน ๒๕๖๘", "กลุ่มอำนวยการ ติดตามรายไตรมาส"],
]


office = editor_office  # the fixture: an agency with an admin, a secretariat officer and a staff member


def memo_docx() -> bytes:
    """A memo whose steps column is headed with words no memo of ours used ("สิ่งที่ต้องทำ")."""
    from docx import Document

    document = Document()
    for line in ("บันทึกข้อความ", "ส่วนราชการ สำนักงานทดสอบ", "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใส "
                 "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘"):
        document.add_paragraph(line)
    table = document.add_table(rows=len(ROWS) + 1, cols=len(HEADER))
    for c, text in enumerate(HEADER):
        table.cell(0, c).text = text
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            if isinstance(value, list):
                cell.text = value[0]
                for more in value[1:]:
                    cell.add_paragraph(more)
            else:
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "memo.docx"):
    return client.post("/drafts/import", data={"csrf_token": token(client), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_headers_are_read_part_by_part_and_the_clearest_claim_wins():
    """The school memo of the issue: the real steps column keeps the steps (not "มาตรการ/แนวทางการดำเนินการ",
    which names การดำเนินการ); beside a topic column (ประเด็น) that column says what will be done, the topic
    names the measure (memolayout._topic_column); without a topic, one header naming two roles holds both; a
    column nobody can tell is asked (empty), never given a taken role."""
    roles = assign_roles(["ที่", "ประเด็น", "มาตรการ/แนวทางการดำเนินการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ",
                          "การติดตาม"])
    assert roles == [("no",), ("measure",), ("improvement",), ("steps",), ("period",), ("owners",),
                     ("monitoring",)]
    assert assign_roles(["ที่", "ชื่อมาตรการและแนวทางการพัฒนา", "ขั้นตอน", "ผู้รับผิดชอบ"])[1] == (
        "measure", "improvement")
    assert assign_roles(["มาตรการ", "สิ่งที่ต้องทำ", "ผู้รับผิดชอบ"])[1] == ()
    assert assign_roles(["ลำดับ", "มาตรการ", "ขั้นตอน", "กำหนดแล้วเสร็จ", "งบประมาณ"])[3:] == [("due",), ("ignore",)]


def test_an_unknown_column_is_asked_and_the_answer_rereads_the_memo_and_is_kept(office):
    client = sign_in(office, "sec@office.test")
    r = upload(client, memo_docx())
    assert r.status_code == 303 and r.headers["Location"].endswith("/mapping")  # something to ask first
    draft_id = int(re.search(r"/drafts/(\d+)/mapping", r.headers["Location"])[1])
    page = client.get(f"/drafts/{draft_id}/mapping").get_data(as_text=True)
    assert "สิ่งที่ต้องทำ" in page and "ระบบบอกไม่ได้ว่าคอลัมน์นี้เก็บอะไร" in page
    assert "จัดทำข้อมูลให้เป็นปัจจุบัน" in page  # the column's sample, and in the list of what was not placed
    draft = db.session.get(Draft, draft_id)
    assert [len(m["steps"]) for m in draft.document["measures"]] == [0, 0]
    assert any("จัดทำข้อมูลให้เป็นปัจจุบัน" in text for _l, _w, text in draft.source["unplaced"])

    r = client.post(f"/drafts/{draft_id}/mapping", data={
        "csrf_token": token(client), "version": str(draft.version), "col:สิ่งที่ต้องทำ": "steps", "keep": "1",
        "fiscal_year": "๒๕๖๘", "then": "draft"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/drafts/{draft_id}")
    db.session.expire_all()
    draft = db.session.get(Draft, draft_id)
    steps = [[s if isinstance(s, str) else s["title"] for s in m["steps"]] for m in draft.document["measures"]]
    assert steps == [["จัดทำข้อมูลให้เป็นปัจจุบัน", "เผยแพร่บนเว็บไซต์"],
                     ["สรุปผลการจัดซื้อจัดจ้าง", "เสนอผู้บริหาร", "เผยแพร่"]]
    assert not any("จัดทำข้อมูล" in text for _l, _w, text in draft.source["unplaced"])
    assert draft.document["fiscal_year"] == 2568
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.in_(["draft_remapped", "memo_mapping_kept"]))) == 2

    # the agency's next memo in that layout is read with the answer: nothing asked, straight to the draft
    r = upload(client, memo_docx())
    assert r.status_code == 303 and re.search(r"/drafts/\d+$", r.headers["Location"])
    newer = db.session.get(Draft, int(re.search(r"/drafts/(\d+)$", r.headers["Location"])[1]))
    assert [len(m["steps"]) for m in newer.document["measures"]] == [2, 3]
    assert {c["how"] for c in newer.source["layout"]["columns"] if c["header"] == "สิ่งที่ต้องทำ"} == {"mapping"}


def test_bad_answers_change_nothing(office):
    client = sign_in(office, "sec@office.test")
    r = upload(client, memo_docx())
    draft_id = int(re.search(r"/drafts/(\d+)/mapping", r.headers["Location"])[1])
    before = db.session.get(Draft, draft_id)
    document, version = before.document, before.version
    for bad in ({"col:สิ่งที่ต้องทำ": "owner_of_the_world"}, {"col:ไม่มีคอลัมน์นี้": "steps"},
                {"fiscal_year": "68"}, {"label:ไม่มีหัวข้อนี้": "steps"}):
        r = client.post(f"/drafts/{draft_id}/mapping", data={"csrf_token": token(client), "version": str(version),
                                                             **bad})
        assert r.status_code == 422, bad
        assert "ไม่ได้บันทึกอะไร" in r.get_data(as_text=True)
    r = client.post(f"/drafts/{draft_id}/mapping", data={"csrf_token": token(client), "version": str(version + 1),
                                                         "col:สิ่งที่ต้องทำ": "steps"})
    assert r.status_code == 409
    r = client.post(f"/drafts/{draft_id}/mapping", data={"col:สิ่งที่ต้องทำ": "steps"})  # no CSRF token
    assert r.status_code == 400
    db.session.expire_all()
    after = db.session.get(Draft, draft_id)
    assert after.document == document and after.version == version
    assert db.session.scalar(select(func.count()).select_from(MemoMapping)) == 0
    staff = sign_in(office, "staff@office.test")
    assert staff.get(f"/drafts/{draft_id}/mapping").status_code in (403, 404)


def test_a_unit_reads_its_memo_with_its_parent_s_answers_under_its_own(office):
    parent = db.session.execute(select(Agency)).scalars().first()
    unit = Agency(code="unit1", name="โรงเรียนทดสอบ", kind="school", parent_id=parent.id, created_at=clock.now())
    db.session.add(unit)
    db.session.flush()
    mappings.keep(parent.id, Mapping(columns={"สิ่งที่ต้องทำ": ["steps"], "หมายเหตุ": ["ignore"]}),
                  actor_id=None, now=clock.now())  # type: ignore[arg-type]
    mappings.keep(unit.id, Mapping(columns={"หมายเหตุ": ["monitoring"]}), actor_id=None,  # type: ignore[arg-type]
                  now=clock.now())
    got = mappings.for_agency(unit.id)
    assert got.columns == {"สิ่งที่ต้องทำ": ["steps"], "หมายเหตุ": ["monitoring"]}
    assert mappings.for_agency(parent.id).columns["หมายเหตุ"] == ["ignore"]


def test_cli_import_takes_the_answers_as_a_file_and_fails_when_the_draft_would_not_load(app, tmp_path):
    from web.cli import main

    memo = tmp_path / "memo.docx"
    memo.write_bytes(memo_docx())
    guessed = tmp_path / "mapping.yaml"
    result = app.test_cli_runner().invoke(main, ["import", str(memo), "-o", str(tmp_path / "a.yaml"),
                                                 "--write-mapping", str(guessed)])
    assert result.exit_code != 0  # no steps: the file written would not load
    written = yaml.safe_load(guessed.read_text(encoding="utf-8"))
    assert written["columns"]["สิ่งที่ต้องทำ"] == []  # asked: the officer fills it in
    written["columns"]["สิ่งที่ต้องทำ"] = ["steps"]
    guessed.write_text(yaml.safe_dump(written, allow_unicode=True), encoding="utf-8")
    result = app.test_cli_runner().invoke(main, ["import", str(memo), "-o", str(tmp_path / "b.yaml"),
                                                 "--mapping", str(guessed)])
    assert result.exit_code == 0, result.output
    assert "2 มาตรการ, 5 ขั้นตอน" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns: {สิ่งที่ต้องทำ: [flying]}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(main, ["import", str(memo), "--mapping", str(bad)])
    assert result.exit_code != 0 and "flying" in result.output


def test_text_not_placed_is_one_click_from_a_field(office):
    client = sign_in(office, "sec@office.test")
    r = upload(client, memo_docx())
    draft_id = int(re.search(r"/drafts/(\d+)/mapping", r.headers["Location"])[1])
    draft = db.session.get(Draft, draft_id)
    position = next(i for i, (_l, _w, text) in enumerate(draft.source["unplaced"]) if "จัดทำข้อมูล" in text)
    text = draft.source["unplaced"][position][2]
    before = len(draft.source["unplaced"])
    bad = client.post(f"/drafts/{draft_id}/unplaced/{position + 1}", data={
        "csrf_token": token(client), "version": str(draft.version), "measure": "1", "target": "budget"})
    assert bad.status_code == 422
    r = client.post(f"/drafts/{draft_id}/unplaced/{position + 1}", data={
        "csrf_token": token(client), "version": str(draft.version), "measure": "1", "target": "step"})
    assert r.status_code == 303
    db.session.expire_all()
    draft = db.session.get(Draft, draft_id)
    assert draft.document["measures"][0]["steps"][-1] == text
    assert len(draft.source["unplaced"]) == before - 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "draft_edited")) == 1
