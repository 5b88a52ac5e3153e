"""The ITAS answer sheet: an address per OIT item (a stable public page listing what answers it), XLSX and CSV,
an executive's sign-off that a later change voids, and the link check of every address on it."""

from __future__ import annotations

import csv
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from tests.conftest import step, user
from tests.test_live import free_port
from tests.test_web import login, token
from workflow import clock
from workflow.db import db
from workflow.engine import frameworks
from workflow.errors import PermissionDenied
from workflow.models import AuditEvent, Cycle
from workflow.publishing import answersheet, publication
from workflow.publishing import evidence as evidence_service
from workflow.thaidate import to_thai_digits


@pytest.fixture
def published(demo):
    cycle = db.session.execute(select(Cycle)).scalar_one()
    publication.set_published(cycle.id, True, actor_id=user("admin").id, now=clock.now())
    target = step("1.1", 2)
    report = evidence_service.add_file(target.id, actor_id=user("hr-staff").id, now=clock.now(),
                                       filename="สรุปผลจัดซื้อจัดจ้าง.pdf", data=b"%PDF-1.4 summary")
    hidden = evidence_service.add_note(target.id, actor_id=user("hr-staff").id, now=clock.now(), text="ร่างภายใน")
    secretary = user("juthamas").id
    publication.set_evidence_public(report.id, True, actor_id=secretary, now=clock.now())
    answersheet.mark_item(report.id, "O11", actor_id=secretary, now=clock.now())
    answersheet.mark_item(hidden.id, "O12", actor_id=secretary, now=clock.now())  # marked, never published
    db.session.commit()
    return cycle, report, hidden


def test_each_item_has_one_address_listing_what_answers_it(published):
    cycle, report, _hidden = published
    framework = frameworks.for_cycle(cycle)
    sheet = {r.code: r for r in answersheet.rows(cycle, "http://itaflow.test")}
    assert set(sheet) == {i["code"] for i in framework.items}
    measures, report_item = framework.roles["measures"], framework.roles["report"]
    year = cycle.fiscal_year_be
    assert sheet[measures].url == f"http://itaflow.test/p/a/main/{year}/{measures}"
    assert sheet[report_item].url and sheet["O11"].url == f"http://itaflow.test/p/a/main/{year}/O11"
    assert sheet["O12"].url is None  # only unpublished evidence: no address to give the consultants
    assert sheet["O1"].url is None


def test_the_item_page_is_public_and_shows_only_published_evidence(demo, published):
    cycle, report, hidden = published
    anonymous = login(demo, None)
    year = cycle.fiscal_year_be
    page = anonymous.get(f"/p/a/main/{year}/O11")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "สรุปผลจัดซื้อจัดจ้าง.pdf" in text and f"/p/evidence/{report.id}" in text
    measures = frameworks.for_cycle(cycle).roles["measures"]
    assert "measures.pdf" in anonymous.get(f"/p/a/main/{year}/{measures}").get_data(as_text=True)
    assert anonymous.get(f"/p/a/main/{year}/O12").status_code == 404  # its evidence is not public
    assert anonymous.get(f"/p/a/main/{year - 1}/O11").status_code == 404
    evidence_service.withdraw(report.id, actor_id=user("hr-staff").id, now=clock.now())
    db.session.commit()
    assert anonymous.get(f"/p/a/main/{year}/O11").status_code == 404  # withdrawn: no longer an answer


def test_the_sheet_as_files_and_its_sign_off(demo, published):
    cycle, report, _hidden = published
    executive = login(demo, "executive")
    data = executive.get(f"/cycles/{cycle.id}/answer-sheet.csv").get_data()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["รหัส", "รายการ", "ที่อยู่ (URL) ที่กรอกใน ITAS"]
    assert any(r[0] == "O11" and r[2].endswith("/O11") for r in rows)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(executive.get(f"/cycles/{cycle.id}/answer-sheet.xlsx").get_data()))
    assert book.active["A1"].value == "รหัส" and book.active.max_row == len(rows)
    page = executive.get(f"/cycles/{cycle.id}/answer-sheet").get_data(as_text=True)
    assert 'id="sign-sheet"' in page and "ยังไม่ได้ลงนามรับรอง" in page
    assert executive.post(f"/cycles/{cycle.id}/answer-sheet/sign", data={"csrf_token": token(executive)}
                          ).status_code == 303
    assert "ลงนามรับรองแล้ว" in executive.get(f"/cycles/{cycle.id}/answer-sheet").get_data(as_text=True)
    # a change after the sign-off: a new sign-off is needed
    answersheet.mark_item(report.id, "O12", actor_id=user("juthamas").id, now=clock.now())
    db.session.commit()
    assert "ต้องลงนามใหม่" in executive.get(f"/cycles/{cycle.id}/answer-sheet").get_data(as_text=True)
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "answer_sheet_signed")).scalar_one()
    with pytest.raises(PermissionDenied):
        answersheet.sign(cycle.id, actor_id=user("juthamas").id, now=clock.now(), base_url="http://itaflow.test")


def test_the_sheet_prints_as_a_pdf_whose_addresses_copy_as_typed(demo, published, tmp_path):
    """The printable sheet: every item, the addresses in Latin letters and Arabic digits (what is keyed into
    ITAS) while the rest is in Thai digits, and the executive's sign-off, voided on the page by a later change."""
    from tests.test_reports import flat, pdf_text

    cycle, report, _hidden = published
    executive = login(demo, "executive")
    response = executive.get(f"/cycles/{cycle.id}/answer-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = flat(pdf_text(response.get_data(), tmp_path, "answer-sheet-unsigned"))
    year = cycle.fiscal_year_be
    assert f"itaflow.test/p/a/main/{year}/O11" in text  # copies as typed: the address, not ๒๕๗๐
    assert "ยังไม่ได้ลงนามรับรอง" in text and "ยังไม่มีหลักฐาน" in text
    assert flat(f"ปีงบประมาณ พ.ศ. {to_thai_digits(str(year))}") in text
    assert all(i["code"] in text for i in frameworks.for_cycle(cycle).items)
    executive.post(f"/cycles/{cycle.id}/answer-sheet/sign", data={"csrf_token": token(executive)})
    signed = flat(pdf_text(executive.get(f"/cycles/{cycle.id}/answer-sheet.pdf").get_data(), tmp_path, "signed"))
    assert "ลงนามรับรองในระบบitaflowเมื่อ" in signed and "ยังไม่ได้ลงนามรับรอง" not in signed
    db.session.refresh(cycle)
    assert flat(f"({cycle.sheet_signoff['name']})") in signed
    answersheet.mark_item(report.id, "O12", actor_id=user("juthamas").id, now=clock.now())
    db.session.commit()
    changed = flat(pdf_text(executive.get(f"/cycles/{cycle.id}/answer-sheet.pdf").get_data(), tmp_path, "changed"))
    assert "ต้องลงนามใหม่" in changed
    assert login(demo, "staff").get(f"/cycles/{cycle.id}/answer-sheet.pdf").status_code == 403


def test_marking_an_item_not_in_the_year_s_list_is_refused(published):
    from workflow.errors import ValidationError

    _cycle, report, _hidden = published
    with pytest.raises(ValidationError, match="O99"):
        answersheet.mark_item(report.id, "O99", actor_id=user("juthamas").id, now=clock.now())


class Agency(BaseHTTPRequestHandler):
    """The agency's site as consultants reach it: item pages open; one of them is behind a sign-in."""

    def log_message(self, *args) -> None:
        """Quiet: what the checker saw is asserted, not printed."""

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if self.path.endswith("/O11"):
            self.send_response(302)
            self.send_header("Location", "/login")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = "<html><body>รายการ</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)


def test_the_link_check_reports_each_address(demo, published):
    cycle, report, _hidden = published
    evidence_service.add_link(step("1.1", 2).id, actor_id=user("hr-staff").id, now=clock.now(),
                              url="http://10.0.0.9/complaints.xlsx")
    link = db.session.execute(select(answersheet.Evidence).where(answersheet.Evidence.kind == "link")).scalar_one()
    publication.set_evidence_public(link.id, True, actor_id=user("juthamas").id, now=clock.now())
    answersheet.mark_item(link.id, "O18", actor_id=user("juthamas").id, now=clock.now())
    db.session.commit()
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Agency)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://agency.example:{port}"
        answersheet.check_links(cycle.id, actor_id=user("juthamas").id, now=clock.now(), base_url=base, timeout=3,
                                resolver=lambda host, p: ["127.0.0.1"] if host == "agency.example" else [host])
        db.session.commit()
    finally:
        server.shutdown()
        server.server_close()
    results = {(r["code"], r["url"].rsplit("/", 1)[-1]): r for r in cycle.link_check["results"]}
    measures = frameworks.for_cycle(cycle).roles["measures"]
    assert results[(measures, measures)]["ok"]
    assert not results[("O11", "O11")]["ok"] and "เข้าสู่ระบบ" in results[("O11", "O11")]["reason_th"]
    assert not results[("O18", "complaints.xlsx")]["ok"]
    assert "ภายในเครือข่าย" in results[("O18", "complaints.xlsx")]["reason_th"]
    page = login(demo, "secretariat").get(
        f"/cycles/{cycle.id}/answer-sheet").get_data(as_text=True)
    assert 'id="broken-links"' in page and "complaints.xlsx" in page
    dashboard = login(demo, "executive").get("/dashboard").get_data(as_text=True)
    assert 'id="broken-links"' in dashboard and "ใช้ไม่ได้ ๒ ลิงก์" in dashboard


def test_a_published_cycle_s_links_are_checked_daily_by_the_sweep(demo, published):
    """Publishing plans the check (a timer, as every deadline) at 07:00 the next day; the sweep fires it, by the
    system; the secretariat hears of broken links once a day; the next day's check is planned; unpublished, the
    checks stop."""
    from datetime import timedelta

    from workflow.channels.notify import render_message
    from workflow.models import OutboxMessage, Timer
    from workflow.operations.sweep import HANDLERS
    from workflow.thaidate import bangkok_moment, bangkok_today

    cycle, _report, _hidden = published
    assert "link_check" in HANDLERS
    timer = db.session.execute(select(Timer).where(Timer.kind == "link_check")).scalar_one()
    tomorrow = bangkok_today(clock.now()) + timedelta(days=1)
    assert timer.target_id == cycle.id and timer.fire_at == bangkok_moment(tomorrow, answersheet.CHECK_AT)
    timer.fired_at = timer.fire_at  # the sweep claims a timer before its handler runs
    told = answersheet.run_scheduled(cycle.id, timer.fire_at, "http://agency.example:1",
                                     resolver=lambda host, p: ["127.0.0.1"])
    db.session.commit()
    assert told == 1 and cycle.link_check and all(not r["ok"] for r in cycle.link_check["results"])
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "links_checked")).scalar_one()
    assert event.actor_id is None
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == "links_broken")).scalar_one()
    text, _html = render_message(mail)
    assert mail.to_email == "juthamas@demo.itaflow.test" and f"/cycles/{cycle.id}/answer-sheet" in text
    assert "O11" in text and "ใช้ไม่ได้" in mail.subject
    following = db.session.execute(select(Timer).where(Timer.kind == "link_check", Timer.fired_at.is_(None))
                                   ).scalar_one()
    assert following.fire_at == bangkok_moment(tomorrow + timedelta(days=1), answersheet.CHECK_AT)
    publication.set_published(cycle.id, False, actor_id=user("admin").id, now=clock.now())
    assert answersheet.run_scheduled(cycle.id, following.fire_at, "http://agency.example:1") == 0
    db.session.commit()
    assert db.session.execute(select(Timer).where(Timer.kind == "link_check", Timer.fired_at.is_(None))
                              ).scalar_one() == following  # nothing planned after it: the checks stop


def test_oit_items_are_owned_like_steps(demo):
    """Items given to groups with due dates become steps that open at once, their owners told and reminded;
    evidence attached to one answers its item; the memo's documents leave the OIT work out."""
    from workflow.models import Group, Measure, OutboxMessage, Timer
    from workflow.publishing import documents, oitwork
    from workflow.thaidate import fiscal_year_bounds

    cycle = db.session.execute(select(Cycle)).scalar_one()
    hr = db.session.execute(select(Group).where(Group.key == "hr")).scalar_one()
    _first, due = fiscal_year_bounds(cycle.fiscal_year_be)  # the year's last day: never past in the demo
    typed = f"{due.day}/{due.month}/{due.year + 543}"
    secretariat = login(demo, "secretariat")
    page = secretariat.get(f"/cycles/{cycle.id}/answer-sheet").get_data(as_text=True)
    assert 'id="oit-work"' in page
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    bad = secretariat.post(f"/cycles/{cycle.id}/oit-work", data={"csrf_token": token(secretariat),
                                                                 "group-O11": str(hr.id), "due-O11": "31/02/2500"},
                           follow_redirects=True)
    assert "O11: ใส่กำหนดเสร็จ" in bad.get_data(as_text=True) and oitwork.existing(cycle.id) is None
    r = secretariat.post(f"/cycles/{cycle.id}/oit-work", data={
        "csrf_token": token(secretariat), "group-O11": str(hr.id), "due-O11": typed,
        "group-O18": str(hr.id), "due-O18": typed})
    assert r.status_code == 303
    work = oitwork.existing(cycle.id)
    assert [s.state for s in work.steps] == ["open", "open"] and [s.title[:3] for s in work.steps] == ["O11", "O18"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) > before
    assert db.session.scalar(select(func.count()).select_from(Timer).where(
        Timer.target_type == "step", Timer.target_id == work.steps[0].id))
    ev = evidence_service.add_note(work.steps[1].id, actor_id=user("hr-staff").id, now=clock.now(),
                                   text="สถิติเรื่องร้องเรียน ไตรมาส ๑")
    assert ev.oit_code == "O18"
    html_text = documents.render_html(documents.measures_document(cycle.id, clock.now()))
    assert "การเผยแพร่ข้อมูลต่อสาธารณะ (OIT)" not in html_text
    assert db.session.execute(select(Measure).where(Measure.code == "OIT")).scalar_one()
    # an item given again is refused (its step's page changes it), with nothing written
    steps_before = len(work.steps)
    again = secretariat.post(f"/cycles/{cycle.id}/oit-work", data={"csrf_token": token(secretariat),
                                                                   "group-O11": str(hr.id), "due-O11": typed,
                                                                   "group-O1": str(hr.id), "due-O1": typed},
                             follow_redirects=True)
    assert "O11 มอบหมายแล้ว" in again.get_data(as_text=True)
    db.session.expire_all()
    assert len(oitwork.existing(cycle.id).steps) == steps_before
    # items added later join the same workflow as open steps; the form offers only the items not yet given
    page = secretariat.get(f"/cycles/{cycle.id}/answer-sheet").get_data(as_text=True)
    assert 'id="group-O1"' in page and 'id="group-O11"' not in page
    for s in work.steps:  # the first items done: the workflow is finished, and opens again with the new one
        s.state = "done"
    work.state = "done"
    db.session.commit()
    added = secretariat.post(f"/cycles/{cycle.id}/oit-work", data={"csrf_token": token(secretariat),
                                                                   "group-O1": str(hr.id), "due-O1": typed})
    assert added.status_code == 303
    db.session.expire_all()
    work = oitwork.existing(cycle.id)
    assert [i["code"] for i in work.related_items] == ["O11", "O18", "O1"] and work.state == "active"
    assert [(s.number, s.state) for s in work.steps][-1] == (3, "open")
