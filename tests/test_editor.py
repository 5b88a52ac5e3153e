"""The measures editor: a memo imported into a draft, each measure edited with a form (steps added, moved,
removed; owners, due dates, monitoring), bad input refused next to its field with nothing written, and the
draft confirmed into a cycle."""

from __future__ import annotations

import copy
import html
import io
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.test_importer import SEED
from tests.test_web import token
from workflow import clock
from workflow.db import db
from workflow.models import AuditEvent, Cycle, Draft, Group, Step
from workflow.onboarding import drafts
from workflow.people.users import add_user


@pytest.fixture
def office(app):
    """An agency with an admin and a secretariat officer, and no cycle yet."""
    add_user(name="ผู้ดูแล", email="admin@office.test", roles=["admin"], password=PASSWORD, actor_id=None,
             now=clock.now())
    add_user(name="จุฑามาศ เลขา", email="sec@office.test", roles=["secretariat"], password=PASSWORD, actor_id=None,
             now=clock.now())
    add_user(name="สมชาย ทั่วไป", email="staff@office.test", roles=["staff"], password=PASSWORD, actor_id=None,
             now=clock.now())
    db.session.commit()
    return app


def sign_in(app, email: str):
    client = app.test_client()
    r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token(client)})
    assert r.status_code == 302
    return client


def imported_draft(client) -> int:
    r = client.post("/drafts/import", data={"csrf_token": token(client),
                                            "file": (io.BytesIO(SEED.read_bytes()), "memo.txt")},
                    content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    return int(re.search(r"/drafts/(\d+)$", r.headers["Location"]).group(1))


def form_data(client, draft_id: int, index: int, **changes) -> dict:
    """What the measure's form posts as the browser shows it, with some fields changed."""
    db.session.expire_all()
    form = drafts.form_of(db.session.get(Draft, draft_id), index)
    data: dict = {"csrf_token": token(client), "version": str(db.session.get(Draft, draft_id).version),
                  "steps": str(len(form.steps)), "owners": form.owners, **form.values}
    for i, row in enumerate(form.steps):
        data.update({f"step-{i}-{k}": v for k, v in row.items()})
    data.update(changes)
    return data


def snapshot(draft_id: int):
    db.session.expire_all()
    d = db.session.get(Draft, draft_id)
    return d.version, repr(d.document), db.session.scalar(select(func.count()).select_from(Cycle))


def test_import_lands_in_the_editor_and_loads_on_confirm(office):
    client = sign_in(office, "admin@office.test")
    draft_id = imported_draft(client)
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0  # nothing loaded yet
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert page.count('class="card side draft-measure') == 7
    assert page.count('<div class="source">') == 7 and "ประเด็นที่ ๑.๕" in page  # beside the memo's own text
    # what the importer was unsure of is flagged in its measure, with its line
    m15 = page[page.index('id="m4"'):page.index('id="m5"')]
    assert re.search(r"ควรตรวจ: \(บรรทัด \d+\) มาตรการ 1.5: รหัส", m15)
    assert "ครั้งที่" in page and "ตรงกับ" in page  # the rounds as held, those moved say why
    assert f"/drafts/{draft_id}/measures/1" in page
    asked = client.post(f"/drafts/{draft_id}/confirm", data={"csrf_token": token(client)})
    assert asked.status_code == 422 and 'id="past-warning"' in asked.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0
    ok = client.post(f"/drafts/{draft_id}/confirm", data={"csrf_token": token(client), "past_ok": "1"})
    assert ok.status_code == 303
    cycle = db.session.execute(select(Cycle)).scalar_one()
    assert cycle.fiscal_year_be == 2567 and len(cycle.measures) == 7
    assert db.session.get(Draft, draft_id) is None
    actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert {"draft_created", "draft_confirmed", "cycle_loaded"} <= actions


def test_steps_added_moved_and_removed_with_forms(office):
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    before = snapshot(draft_id)
    url = f"/drafts/{draft_id}/measures/1"
    page = client.get(url).get_data(as_text=True)
    assert page.count('class="step-row"') == 5 and "be-date" in page and "bedate.js" in page
    # adding a row only redraws the form
    added = client.post(url, data=form_data(client, draft_id, 0, action="add"))
    text = added.get_data(as_text=True)
    assert added.status_code == 200 and text.count('class="step-row"') == 6 and 'id="unsaved"' in text
    assert snapshot(draft_id) == before
    # saved with the new row empty: refused next to the field, nothing written
    data = form_data(client, draft_id, 0, action="save", steps="6")
    empty = client.post(url, data=data)
    text = empty.get_data(as_text=True)
    assert empty.status_code == 422 and 'id="e-step-5-title"' in text and 'aria-invalid="true"' in text
    assert snapshot(draft_id) == before
    # filled in, with a BE date as people type it (Thai digits too): written
    data.update({"step-5-title": "รายงานผลต่อศึกษาธิการจังหวัด", "step-5-due": "๓๑/๐๗/๒๕๖๗",
                 "step-5-owner": "person:p1"})
    saved = client.post(url, data=data)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:3000]
    db.session.expire_all()
    steps = db.session.get(Draft, draft_id).document["measures"][0]["steps"]
    assert len(steps) == 6 and steps[5]["due"] == "2567-07-31" and steps[5]["owner"] == {"person": "p1"}
    # moved up, then saved: the order is the form's
    moved = client.post(url, data=form_data(client, draft_id, 0, action="up:5"))
    assert moved.status_code == 200
    form = re.findall(r'name="step-(\d)-title"[^>]*>([^<]*)</textarea>', moved.get_data(as_text=True))
    assert form[4][1] == "รายงานผลต่อศึกษาธิการจังหวัด"
    data = form_data(client, draft_id, 0, action="save")
    data["step-4-title"], data["step-5-title"] = data["step-5-title"], data["step-4-title"]
    data["step-4-due"], data["step-5-due"] = data["step-5-due"], data["step-4-due"]
    assert client.post(url, data=data).status_code == 303
    db.session.expire_all()
    steps = db.session.get(Draft, draft_id).document["measures"][0]["steps"]
    assert steps[4]["title"] == "รายงานผลต่อศึกษาธิการจังหวัด"
    removed = client.post(url, data=form_data(client, draft_id, 0, action="remove:4"))
    assert removed.get_data(as_text=True).count('class="step-row"') == 5


@pytest.mark.parametrize("changes, field, says", [
    ({"step-1-due": "31/02/2567"}, "step-1-due", "อ่านวันที่ไม่ได้"),
    ({"step-1-due": "15/11/2568"}, "step-1-due", "นอกปีงบประมาณ 2567"),
    ({"period_end": "01/04/2567"}, "period_end", "วันสิ้นสุดอยู่ก่อนวันเริ่ม"),
    ({"step-0-kind": "review", "step-0-reviewer": "admin"}, "step-0-kind", "ขั้นตอนแรกเป็นการตรวจสอบไม่ได้"),
    ({"step-2-kind": "review", "step-2-reviewer": ""}, "step-2-reviewer", "เลือกกลุ่มที่ผู้อำนวยการกลุ่มเป็นผู้ตรวจ"),
    ({"step-1-owner": "group:nope"}, "step-1-owner", "เลือกผู้รับผิดชอบจากรายการ"),
    ({"owners": []}, "owners", "อย่างน้อยหนึ่ง"),
    ({"title": "  "}, "title", "ใส่ชื่อมาตรการ"),
    ({"code": "หนึ่ง"}, "code", "รหัสมาตรการเป็นตัวเลข"),
    ({"code": "1.2"}, "code", "มีแล้วในร่าง"),
    ({"monitoring_mode": "dates", "rounds": "30/05/2567\nสามสิบ"}, "rounds", "บรรทัดที่ 2"),
    ({"monitoring_mode": "every", "every_days": "0"}, "every_days", "๑–๓๖๖"),
    ({"deadlines": "10/06/2567"}, "deadlines", "ตามด้วยชื่องาน"),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(office, changes, field, says):
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    before = snapshot(draft_id)
    r = client.post(f"/drafts/{draft_id}/measures/1", data=form_data(client, draft_id, 0, action="save", **changes))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    error = re.search(rf'<p class="field-error" id="e-{field}">([^<]*)</p>', page)
    assert error and says in error.group(1), page[page.find("field-error") - 200:page.find("field-error") + 300]
    assert snapshot(draft_id) == before


def test_a_stale_form_is_refused(office):
    """Saved twice from the same page (or from two windows): the second is refused and loses nothing."""
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    data = form_data(client, draft_id, 0, action="save", title="มาตรการแก้ไขครั้งแรก")
    assert client.post(f"/drafts/{draft_id}/measures/1", data=data).status_code == 303
    again = dict(data, title="มาตรการแก้ไขครั้งที่สอง")
    before = snapshot(draft_id)
    r = client.post(f"/drafts/{draft_id}/measures/1", data=again)
    assert r.status_code == 409 and "โหลดหน้าใหม่" in r.get_data(as_text=True)
    assert snapshot(draft_id) == before


def test_monitoring_by_frequency_previews_the_days_held(office):
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    url = f"/drafts/{draft_id}/measures/1"
    r = client.post(url, data=form_data(client, draft_id, 0, action="preview", monitoring_mode="monthly",
                                        period_start="01/05/2567", period_end="31/08/2567"))
    page = r.get_data(as_text=True)
    preview = page[page.index('id="rounds-preview"'):]
    preview = preview[:preview.index("</ol>")]
    # month ends May-August 2567; 30 June and 31 August fall on weekends: held the Friday before, and said so
    assert preview.count("<li>") == 4 and "๒๘ มิ.ย. ๒๕๖๗" in preview and "วันอาทิตย์" in preview
    assert client.post(url, data=form_data(client, draft_id, 0, action="save", monitoring_mode="monthly",
                                           period_start="01/05/2567", period_end="31/08/2567")).status_code == 303
    db.session.expire_all()
    mon = db.session.get(Draft, draft_id).document["measures"][0]["monitoring"]
    assert mon["rounds"] == ["2567-05-31", "2567-06-30", "2567-07-31", "2567-08-31"]


def test_a_blank_draft_with_groups_and_people_added_on_the_spot(office):
    client = sign_in(office, "admin@office.test")
    refused = client.post("/drafts/", data={"csrf_token": token(client), "fiscal_year": "67"})
    assert refused.status_code == 422 and 'id="e-fiscal_year"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    r = client.post("/drafts/", data={"csrf_token": token(client), "fiscal_year": "๒๕๖๗"})
    draft_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/drafts/{draft_id}/heading", data={
        "csrf_token": token(client), "fiscal_year": "2567",
        "title": "มาตรการส่งเสริมคุณธรรม", "secretariat": ""}).status_code == 303
    assert client.post(f"/drafts/{draft_id}/groups", data={"csrf_token": token(client),
                                                           "group_name": "กลุ่มบริหารวิชาการ"}).status_code == 303
    dup = client.post(f"/drafts/{draft_id}/groups", data={"csrf_token": token(client),
                                                          "group_name": "กลุ่มบริหารวิชาการ"})
    assert dup.status_code == 422 and "มีกลุ่มชื่อนี้แล้ว" in dup.get_data(as_text=True)
    bad = client.post(f"/drafts/{draft_id}/people", data={"csrf_token": token(client), "person_name": "ครูสมศรี ใจดี",
                                                          "person_group": "g1", "person_email": "not-an-email"})
    assert bad.status_code == 422 and 'id="e-person_email"' in bad.get_data(as_text=True)
    assert client.post(f"/drafts/{draft_id}/people", data={
        "csrf_token": token(client), "person_name": "ครูสมศรี ใจดี", "person_group": "g1",
        "person_email": "somsri@school.test"}).status_code == 303
    url = f"/drafts/{draft_id}/measures/1"
    data = form_data(client, draft_id, 0, action="save", title="เปิดเผยข้อมูลการจัดซื้อจัดจ้าง",
                     weakness="ยังไม่เผยแพร่", improvement="เผยแพร่ทุกเดือน", owners=["group:g1"],
                     period_start="01/01/2567", period_end="30/09/2567", monitoring_mode="quarterly",
                     monitoring_by="g1", steps="2",
                     **{"step-0-title": "จัดทำสรุปผล", "step-0-kind": "task", "step-0-owner": "person:p1",
                        "step-0-due": "15/03/2567", "step-1-title": "ผู้อำนวยการตรวจสอบ", "step-1-kind": "review",
                        "step-1-reviewer": "g1"})
    for k in ("repeat", "parallel", "evidence", "reviewer"):
        data.setdefault(f"step-0-{k}", "")
        data.setdefault(f"step-1-{k}", "")
    r = client.post(url, data=data)
    assert r.status_code == 303, re.findall(r'field-error[^>]*>([^<]*)', r.get_data(as_text=True))
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "ต้องแก้ก่อนยืนยัน" not in page
    yaml_text = client.get(f"/drafts/{draft_id}/yaml").get_data(as_text=True)
    assert "rounds:\n    - '2567-03-31'" in yaml_text.replace("  - ", "- ") or "2567-03-31" in yaml_text
    ok = client.post(f"/drafts/{draft_id}/confirm", data={"csrf_token": token(client), "past_ok": "1"})
    assert ok.status_code == 303
    cycle = db.session.execute(select(Cycle)).scalar_one()
    from workflow.models import Agency

    assert cycle.agency == db.session.get(Agency, cycle.agency_id).name
    assert [s.kind for s in cycle.measures[0].steps] == ["task", "review"]
    assert db.session.execute(select(Group).where(Group.name == "กลุ่มบริหารวิชาการ")).scalar_one()
    assert {r.planned_on.isoformat() for r in cycle.rounds} == {"2024-03-31", "2024-06-30", "2024-09-30"}
    assert db.session.scalar(select(func.count()).select_from(Step)) == 2


def test_only_editors_of_the_agency_reach_a_draft(office):
    from workflow.people.units import add_unit

    client = sign_in(office, "admin@office.test")
    draft_id = imported_draft(client)
    staff = sign_in(office, "staff@office.test")
    assert staff.get(f"/drafts/{draft_id}").status_code == 403
    assert staff.post(f"/drafts/{draft_id}/discard", data={"csrf_token": token(staff)}).status_code == 403
    # another agency's secretariat: as if the draft did not exist
    admin = db.session.execute(select(drafts.User).where(drafts.User.email == "admin@office.test")).scalar_one()
    unit, _ = add_unit(admin.agency_id, "school-1", "โรงเรียนบ้านหนองแวง", "school", admin_name="ผอ.โรงเรียน",
                       admin_email="head@school.test", actor_id=admin.id, now=clock.now())
    add_user(name="เลขาโรงเรียน", email="sec@school.test", roles=["secretariat"], password=PASSWORD, actor_id=None,
             now=clock.now(), agency_id=unit.id)
    db.session.commit()
    other = sign_in(office, "sec@school.test")
    before = snapshot(draft_id)
    assert other.get(f"/drafts/{draft_id}").status_code == 404
    assert other.get(f"/drafts/{draft_id}/yaml").status_code == 404
    assert other.post(f"/drafts/{draft_id}/measures/1",
                      data=form_data(other, draft_id, 0, action="save")).status_code == 404
    assert other.post(f"/drafts/{draft_id}/confirm", data={"csrf_token": token(other), "past_ok": "1"}
                      ).status_code == 404
    assert snapshot(draft_id) == before


@pytest.mark.parametrize("data, says", [
    (b"", "ไฟล์ว่าง"),
    (b"%PDF-1.7 not a memo", "อ่านไฟล์ PDF ไม่ได้"),  # read as a PDF now, and refused as a damaged one
    ("บันทึกข้อความ เรื่อง ประชุมประจำเดือน".encode(), "ไม่พบมาตรการ"),
])
def test_a_file_that_is_not_a_memo_makes_no_draft(office, data, says):
    client = sign_in(office, "sec@office.test")
    r = client.post("/drafts/import", data={"csrf_token": token(client), "file": (io.BytesIO(data), "memo.docx")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and says in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


# -- issue 23: the editor, where an officer spends the next hour -----------------------------------------------


def _doc(draft_id: int) -> dict:
    db.session.expire_all()
    return db.session.get(Draft, draft_id).document


def test_people_are_edited_and_removed_and_a_removed_one_never_becomes_an_account(office):
    from workflow.models import User

    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert 'id="person-p1"' in page and "รับผิดชอบมาตรการ" in page
    # a job title read as a name is corrected, with the position and the unit
    ok = client.post(f"/drafts/{draft_id}/person", data={
        "csrf_token": token(client), "key": "p2", "action": "save", "name": "น.ส.กมลนภา อุตธรรมา",
        "position": "ครูชำนาญการ", "group": "plan", "email": "kamonnapa@office.test"})
    assert ok.status_code == 303
    assert _doc(draft_id)["people"]["p2"] == {"name": "น.ส.กมลนภา อุตธรรมา", "group": "plan",
                                              "position": "ครูชำนาญการ", "email": "kamonnapa@office.test"}
    bad = client.post(f"/drafts/{draft_id}/person", data={"csrf_token": token(client), "key": "p2", "action": "save",
                                                          "name": " ", "group": "nope"})
    assert bad.status_code == 422 and 'id="pne-p2"' in bad.get_data(as_text=True)
    # p1 owns measure 1.5: removing asks who takes over, naming the measure, and writes nothing
    before = snapshot(draft_id)
    refused = client.post(f"/drafts/{draft_id}/person", data={"csrf_token": token(client), "key": "p1",
                                                              "action": "remove"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "เป็นผู้รับผิดชอบในมาตรการ 1.5" in text and 'id="pte-p1"' in text
    assert snapshot(draft_id) == before
    # given a group to take over: gone from the draft, the group owns what the person owned
    data = form_data(client, draft_id, 4, action="save", **{"step-1-owner": "person:p1"})
    assert client.post(f"/drafts/{draft_id}/measures/5", data=data).status_code == 303
    gone = client.post(f"/drafts/{draft_id}/person", data={"csrf_token": token(client), "key": "p1",
                                                           "action": "remove", "takeover": "group:admin"})
    assert gone.status_code == 303
    doc = _doc(draft_id)
    assert "p1" not in doc["people"]
    m15 = doc["measures"][4]
    assert m15["owners"]["people"] == [] and m15["owners"]["groups"] == ["admin"]
    assert m15["steps"][1]["owner"] == {"group": "admin"}
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "draft_edited")).scalars().all()
    assert any((e.data or {}).get("person_removed") == "น.ส.พรรณี อินสำราญ" for e in events)
    ok = client.post(f"/drafts/{draft_id}/confirm", data={"csrf_token": token(client), "past_ok": "1"})
    assert ok.status_code == 303
    names = set(db.session.execute(select(User.name)).scalars())
    assert "น.ส.พรรณี อินสำราญ" not in names and "น.ส.กมลนภา อุตธรรมา" in names


def test_two_owner_groups_of_a_measure_are_said_to_own_its_steps_together(office):
    """A measure of two groups: the draft says its steps without an owner belong to both (tests/test_co_owners.py
    proves they do, once loaded)."""
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    page = html.unescape(client.get(f"/drafts/{draft_id}").get_data(as_text=True))
    m12 = page[page.index('id="m1"'):page.index('id="m2"')]
    assert "ร่วมกัน" in m12 and "'กลุ่มอำนวยการ'" in m12
    form = html.unescape(client.get(f"/drafts/{draft_id}/measures/2").get_data(as_text=True))
    assert "ร่วมกัน" in form
    # each step given its owner: nothing more to say
    steps = {f"step-{i}-owner": ("group:hr" if i % 2 else "group:admin") for i in range(4)}
    assert client.post(f"/drafts/{draft_id}/measures/2",
                       data=form_data(client, draft_id, 1, action="save", **steps)).status_code == 303
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "ร่วมกัน" not in page[page.index('id="m1"'):page.index('id="m2"')]


def test_steps_pasted_as_a_list_lose_their_numbering_and_the_new_row_has_the_focus(office):
    assert drafts.pasted_steps("1. จัดทำแผน\n(๒) ประชุมชี้แจง\n - ส่งรายงาน\n๓) สรุปผล\n1.1 ย่อย\n\n• แจ้งเวียน") == [
        "จัดทำแผน", "ประชุมชี้แจง", "ส่งรายงาน", "สรุปผล", "ย่อย", "แจ้งเวียน"]
    assert drafts.pasted_steps("15 มิ.ย. ประชุม") == ["15 มิ.ย. ประชุม"]  # a date is not a number
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    before = snapshot(draft_id)
    url = f"/drafts/{draft_id}/measures/1"
    r = client.post(url, data=form_data(client, draft_id, 0, action="paste", paste="1. ก\n2. ข\n(๓) ค"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and page.count('class="step-row"') == 8 and snapshot(draft_id) == before
    assert re.search(r'name="step-5-title"[^>]* autofocus[^>]*>ก</textarea>', page)
    added = client.post(url, data=form_data(client, draft_id, 0, action="add")).get_data(as_text=True)
    assert re.search(r'name="step-5-title"[^>]* autofocus', added)
    empty = client.post(url, data=form_data(client, draft_id, 0, action="paste", paste=" \n- \n"))
    assert 'id="e-paste"' in empty.get_data(as_text=True)


def test_deleting_a_measure_and_discarding_a_draft_ask_first(office):
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    page = client.get(f"/drafts/{draft_id}/measures/1").get_data(as_text=True)
    assert 'id="remove-measure"' in page and '<details class="card confirm-step">' in page
    before = snapshot(draft_id)
    unasked = {"csrf_token": token(client), "version": str(before[0]), "action": "remove_measure"}
    assert client.post(f"/drafts/{draft_id}/measures/1", data=unasked).status_code == 400
    assert client.post(f"/drafts/{draft_id}/discard", data={"csrf_token": token(client)}).status_code == 400
    assert snapshot(draft_id) == before
    asked = client.post(f"/drafts/{draft_id}/measures/1", data={**unasked, "confirmed": "1"})
    assert asked.status_code == 303 and len(_doc(draft_id)["measures"]) == 6
    assert client.post(f"/drafts/{draft_id}/discard", data={"csrf_token": token(client), "confirmed": "1"}
                       ).status_code == 303
    assert db.session.get(Draft, draft_id) is None


def test_a_due_day_on_a_weekend_is_flagged_and_loading_keeps_it_within_the_period(office):
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    m11 = page[page.index('id="m0"'):page.index('id="m1"')]
    assert "ตรงกับวันเสาร์ เมื่อยืนยันจะเป็น ๑๗ มิ.ย. ๒๕๖๗" in m11
    form = client.get(f"/drafts/{draft_id}/measures/1").get_data(as_text=True)
    assert re.search(r'id="off-step-2-due"[^>]*>ตรงกับวันเสาร์', form) and 'id="be-holidays"' in form
    assert '"2024-07-22"' in form  # a holiday of the year for the picker (วันหยุดชดเชยวันอาสาฬหบูชา)
    # the last step is due on the period's end, a Sunday: held the Friday before, not past the end
    data = form_data(client, draft_id, 0, action="save", period_end="14/07/2567", monitoring_mode="dates",
                     rounds="30/05/2567\n15/06/2567\n30/06/2567", every_days="", **{"step-4-due": ""})
    assert client.post(f"/drafts/{draft_id}/measures/1", data=data).status_code == 303
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "ครบกำหนดวันสิ้นสุด ๑๔ ก.ค. ๒๕๖๗ ซึ่งตรงกับวันอาทิตย์ เมื่อยืนยันจะเป็น ๑๒ ก.ค. ๒๕๖๗" in page
    ok = client.post(f"/drafts/{draft_id}/confirm", data={"csrf_token": token(client), "past_ok": "1"})
    assert ok.status_code == 303
    cycle = db.session.execute(select(Cycle)).scalar_one()
    m11 = next(m for m in cycle.measures if m.code == "1.1")
    assert [s.due_on.isoformat() for s in m11.steps][2:] == ["2024-06-17", "2024-07-01", "2024-07-12"]
    assert all(s.due_on <= m.period_end for m in cycle.measures for s in m.steps)


def test_a_note_goes_when_its_field_is_fixed_and_messages_name_fields_in_thai(office):
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    m12 = page[page.index('id="m1"'):page.index('id="m2"')]
    assert "มีข้อความแบบข้อบกพร่อง" in m12 and "แก้ due" not in page and "แก้ กำหนดเสร็จ" in page
    # saved untouched: every note stays
    assert client.post(f"/drafts/{draft_id}/measures/2",
                       data=form_data(client, draft_id, 1, action="save")).status_code == 303
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "มีข้อความแบบข้อบกพร่อง" in page[page.index('id="m1"'):page.index('id="m2"')]
    # the improvement fixed: its note goes; the steps' note stays until the steps change
    assert client.post(f"/drafts/{draft_id}/measures/2", data=form_data(
        client, draft_id, 1, action="save", improvement="เจ้าหน้าที่เข้าใจและปฏิบัติตามประมวลจริยธรรม")
    ).status_code == 303
    m12 = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    m12 = m12[m12.index('id="m1"'):m12.index('id="m2"')]
    assert "มีข้อความแบบข้อบกพร่อง" not in m12 and "เสนอวันกระจาย" in m12
    assert client.post(f"/drafts/{draft_id}/measures/2", data=form_data(
        client, draft_id, 1, action="save", **{"step-0-due": "20/05/2567"})).status_code == 303
    m12 = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "เสนอวันกระจาย" not in m12[m12.index('id="m1"'):m12.index('id="m2"')]
    # the file's checks, as a Thai page says them: the form's labels, never 'weakness' or 'period'
    d = db.session.get(Draft, draft_id)
    doc = copy.deepcopy(d.document)
    doc["measures"][0]["weakness"] = ""
    doc["measures"][0]["period"] = None
    d.document = doc
    db.session.commit()
    found = [th for code, th, en in drafts.problems(db.session.get(Draft, draft_id))]
    assert "มาตรการ 1.1: ยังไม่ได้กรอกประเด็นที่เป็นข้อบกพร่อง" in found
    assert any(th.startswith("มาตรการ 1.1: ระยะเวลาดำเนินการ ยังไม่ได้กรอก") for th in found)
    assert not any(re.search(r"weakness|period|due|steps|owners", th) for th in found), found


def test_the_past_dates_question_sits_beside_the_confirm_button_and_the_import_is_in_the_menu(office):
    client = sign_in(office, "sec@office.test")
    page = client.get("/drafts/").get_data(as_text=True)
    nav = page[page.index("<nav>"):page.index("</nav>")]
    assert 'href="/drafts/import"' in nav
    staff = sign_in(office, "staff@office.test")
    assert "/drafts/" not in staff.get("/").get_data(as_text=True).split("</nav>")[0]
    draft_id = imported_draft(client)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    confirm = page[page.index(f'action="/drafts/{draft_id}/confirm#confirm"'):]
    confirm = confirm[:confirm.index("</form>")]
    assert 'id="past-warning"' in confirm and 'name="past_ok"' in confirm and 'id="confirm-draft"' in confirm


def test_a_reviewing_group_with_no_director_is_said_and_one_is_named(office):
    from workflow.models import User

    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    confirm = page[page.index('id="confirm"'):]
    assert "ยังไม่มีผู้อำนวยการกลุ่ม" in confirm and 'id="dir-admin"' in confirm and 'id="dir-hr"' in confirm
    director = db.session.execute(select(User).where(User.email == "staff@office.test")).scalar_one()
    ok = client.post(f"/drafts/{draft_id}/directors", data={"csrf_token": token(client), "group": "admin",
                                                             "user_id": str(director.id)})
    assert ok.status_code == 303
    assert _doc(draft_id)["groups"]["admin"]["director"] == director.key
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert 'id="dir-admin"' not in page and 'id="dir-hr"' in page
    other = client.post(f"/drafts/{draft_id}/directors", data={"csrf_token": token(client), "group": "hr",
                                                                "user_id": "99999"})
    assert other.status_code == 422
    assert client.post(f"/drafts/{draft_id}/confirm", data={"csrf_token": token(client), "past_ok": "1"}
                       ).status_code == 303
    group = db.session.execute(select(Group).where(Group.key == "admin")).scalar_one()
    assert group.director_id == director.id


def test_confirming_another_year_says_it_in_thai_digits_and_lands_on_that_year(office):
    client = sign_in(office, "sec@office.test")
    draft_id = imported_draft(client)
    ok = client.post(f"/drafts/{draft_id}/confirm", data={"csrf_token": token(client), "past_ok": "1"})
    cycle = db.session.execute(select(Cycle)).scalar_one()
    assert ok.status_code == 303 and ok.headers["Location"] == f"/measures?cycle={cycle.id}"
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "ปีงบประมาณ ๒๕๖๗" in page and "ปีงบประมาณ 2567" not in page
    assert "เลื่อนกำหนด" in page  # the dates moved off weekends are said, not moved silently
