"""Documents (PDF via WeasyPrint, read back with pdftotext and rendered with pdftoppm), spreadsheets, calendar
feeds, the public page and secret-address tokens."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, require_tool, step, user
from workflow.db import db
from workflow.engine import rounds, transitions
from workflow.errors import PermissionDenied
from workflow.models import AccessToken, Agency, AuditEvent, Cycle, Round
from workflow.people import tokens
from workflow.publishing import documents, evidence, exports, feeds, publication

#: where screenshots and PDFs are kept (each concurrent run of scripts/test its own)
ARTIFACTS = Path(os.environ.get("ITAFLOW_TEST_ARTIFACTS")
                 or Path(__file__).resolve().parent.parent / "test-artifacts")
LATER = NOW + timedelta(hours=1)


def flat(text: str) -> str:
    """The text without white space (pdftotext breaks lines where the layout did), not normalised: what was
    typed must come back as typed (workflow/publishing/pdffonts.py)."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes, tmp_path: Path, name: str) -> str:
    """The text of a PDF, and its first page as a PNG kept as a test artifact."""
    require_tool("pdftotext", "poppler-utils")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    # -raw: content-stream order; pdftotext's layout guess puts a raised tone mark on a line of its own
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path),
                    str(ARTIFACTS / f"pdf-{name}")], check=True)
    shutil.copy(path, ARTIFACTS / f"{name}.pdf")
    assert (ARTIFACTS / f"pdf-{name}.png").stat().st_size > 5000
    return text


def _fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def _work_on_1_5(now):
    """pannee does 1.5 steps 1 and 2 with evidence; the director sends 1.5/3 back once, then approves."""
    for number in (1, 2):
        s = step("1.5", number)
        if number == 2:
            evidence.add_link(s.id, actor_id=user("pannee").id, now=now, url="https://roiet.example.go.th/report",
                              text="รายงานผลจัดซื้อจัดจ้างประจำปี")
        transitions.complete(s.id, actor_id=user("pannee").id, now=now, expected_version=s.version)
        db.session.commit()
    review = step("1.5", 3)
    transitions.send_back(review.id, actor_id=user("dir-admin").id, now=now, expected_version=review.version,
                          reason="ยังไม่ครบตามประเด็นที่กำหนด")
    db.session.commit()
    s = step("1.5", 2)
    transitions.complete(s.id, actor_id=user("pannee").id, now=now, expected_version=s.version)
    db.session.commit()
    review = step("1.5", 3)
    transitions.approve(review.id, actor_id=user("dir-admin").id, now=now, expected_version=review.version)
    db.session.commit()


def test_measures_document_is_the_memo_in_its_table_form(seed, tmp_path):
    pdf = documents.render_pdf(documents.measures_document(seed.id, NOW))
    assert pdf.startswith(b"%PDF-")
    text = flat(pdf_text(pdf, tmp_path, "measures"))
    for expected in ("บันทึกข้อความ", "ส่วนราชการสำนักงานศึกษาธิการจังหวัดร้อยเอ็ดกลุ่มบริหารงานบุคคล",
                     "วันที่๗มิถุนายน๒๕๖๗", "เรื่องมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
                     "เรียนศึกษาธิการจังหวัดร้อยเอ็ด", "(นายอัมพรภาระพันธ์)",
                     "ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อน", "การกำหนดขั้นตอนหรือวิธีการปฏิบัติ",
                     "๑.แต่งตั้งคณะทำงานฯผู้รับผิดชอบการจัดทำคู่มือหรือมาตรฐานการปฏิบัติงาน",
                     "ระยะเวลาดำเนินการพฤษภาคม๒๕๖๗-๑๕กรกฎาคม๒๕๖๗", "ข้อจำกัดของหน่วยงาน-ไม่มี-",
                     "ครั้งที่๒๑๕มิ.ย.๒๕๖๗"):
        assert flat(expected) in text, expected
    for m in seed.measures:  # every measure, its code in Thai digits
        assert flat(f"ประเด็นที่ {documents.digits(m.code, 'thai')} {m.title}") in text, m.code
    assert "Sarabun" in _fonts(pdf, tmp_path)  # the official documents' design, embedded


def test_arabic_digits_on_request(seed, tmp_path):
    text = flat(pdf_text(documents.render_pdf(documents.measures_document(seed.id, NOW, "arabic")), tmp_path,
                         "measures-arabic"))
    assert "วันที่7มิถุนายน2567" in text and "ประเด็นที่1.1" in text
    assert not re.search("[๐-๙]", text.replace(flat("ศธ ๐๒๑๐๒"), ""))  # digits written in the memo convert too


def _typed_words(cycle) -> list[str]:
    """Every word of the memo as typed in the cycle: its titles, weaknesses, improvements, owners, steps."""
    words = set()
    for m in cycle.measures:
        for text in (m.title, m.weakness, m.improvement, m.owners_text,
                     *(s.title for s in m.steps if s.occurrence == 1)):  # the document lists a month once
            words.update(w for w in text.split() if re.search("[ก-๙]", w))
    return sorted(words)


def _pdftotext(path: Path, *mode: str) -> str:
    return subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_text_is_the_thai_that_was_written(seed, tmp_path):
    """Copy and search give back what was typed, sara am (ำ), tone marks over lower vowels and all, in
    pdftotext's default (layout) and raw modes, compared unnormalised (workflow/publishing/pdffonts.py)."""
    pdf_text(documents.render_pdf(documents.measures_document(seed.id, NOW)), tmp_path, "thai-text")
    path = tmp_path / "thai-text.pdf"
    words = _typed_words(seed)
    assert len(words) > 90 and any("ำ" in w for w in words) and any("ู้" in w for w in words)
    raw = flat(_pdftotext(path, "-raw"))  # content order: every word as typed
    missing = [w for w in words if flat(w) not in raw]
    assert missing == [], missing[:10]
    # layout mode reads a table row across its cells, and a word wrapped in its cell is in two pieces; but
    # every piece it gives is text that was typed, unchanged
    typed = flat(html.unescape(re.sub(r"<[^>]+>", " ", documents.render_html(documents.measures_document(seed.id,
                                                                                                         NOW)))))
    layout = _pdftotext(path)
    strange = [t for t in layout.split() if re.search("[ก-๙]", t) and flat(t) not in typed]
    assert strange == [], strange[:10]
    for text in (raw, flat(layout)):
        assert "ํา" not in text and "สำนักงำน" not in text and "บ่คคล" not in text


def test_progress_report_shows_states_people_evidence_decisions_and_lateness(seed, tmp_path):
    _work_on_1_5(LATER)
    late = NOW.replace(year=2024, month=7, day=20)  # after the period: everything still open is overdue
    pdf = documents.render_pdf(documents.progress_document(seed.id, late, viewer_id=user("juthamas").id))
    text = flat(pdf_text(pdf, tmp_path, "progress"))
    for expected in ("รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
                     "ข้อมูลณวันที่๒๐กรกฎาคม๒๕๖๗", "ดำเนินการแล้ว", "น.ส.พรรณีอินสำราญ",
                     "รายงานผลจัดซื้อจัดจ้างประจำปี", "ส่งกลับแก้ไขโดย", "ยังไม่ครบตามประเด็นที่กำหนด",
                     "อนุมัติโดย", "เลยกำหนดมาแล้ว"):
        assert flat(expected) in text, expected
    # the public version leaves out evidence not marked public
    public_text = flat(pdf_text(documents.render_pdf(documents.progress_document(seed.id, late, public=True)),
                                tmp_path, "progress-public"))
    assert flat("รายงานผลจัดซื้อจัดจ้างประจำปี") not in public_text
    assert flat("ยังไม่ครบตามประเด็นที่กำหนด") in public_text  # decisions are part of the record


def test_round_report_as_stored_and_a_draft_before_its_day(seed, tmp_path):
    first = db.session.execute(select(Round).where(Round.cycle_id == seed.id, Round.number == 1)).scalar_one()
    draft = flat(pdf_text(documents.render_pdf(documents.round_document(first.id, NOW)), tmp_path, "round-draft"))
    assert "ฉบับร่าง" in draft
    _work_on_1_5(LATER)
    rounds.report_round(first.id, LATER)
    db.session.commit()
    text = flat(pdf_text(documents.render_pdf(documents.round_document(first.id, LATER + timedelta(days=30))),
                         tmp_path, "round-1"))
    assert "ฉบับร่าง" not in text
    for expected in ("รายงานการติดตามมาตรการครั้งที่๑", "ผลการตรวจสอบของผู้อำนวยการกลุ่ม", "อนุมัติ",
                     "ยังไม่ครบตามประเด็นที่กำหนด"):
        assert flat(expected) in text, expected


def test_unknown_ids_and_digit_styles_are_errors(seed):
    from workflow.errors import NotFound, ValidationError

    with pytest.raises(NotFound):
        documents.measures_document(999, NOW)
    with pytest.raises(NotFound):
        documents.round_document(999, NOW)
    with pytest.raises(ValidationError):
        documents.measures_document(seed.id, NOW, "roman")


def test_spreadsheets_hold_every_step_and_neutralise_formulas(seed):
    from openpyxl import load_workbook

    s = step("1.1", 1)
    evidence.add_note(s.id, actor_id=user("hr-staff").id, now=LATER, text="=1+1")
    evidence.add_link(s.id, actor_id=user("hr-staff").id, now=LATER, url="https://example.go.th/a",
                      text="=HYPERLINK(\"http://evil\")")
    db.session.commit()
    book = load_workbook(io.BytesIO(exports.to_xlsx(seed.id, NOW, user("juthamas").id)))
    steps_sheet, measures_sheet = book["ขั้นตอน"], book["มาตรการ"]
    rows = list(steps_sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(exports.STEP_COLUMNS)
    assert len(rows) == 1 + 27  # the memo's 25 steps, 1.7's meeting once a month
    first = rows[1]
    assert first[:3] == ("1.1", "กระบวนการปฏิบัติงานที่โปร่งใสและมีประสิทธิภาพ", 1)
    assert first[8] and first[9] == "2024-07-15"
    assert first[15] == "=1+1\nhttps://example.go.th/a"
    assert steps_sheet.cell(row=2, column=16).data_type == "s"  # text, not a formula
    assert len(list(measures_sheet.iter_rows())) == 1 + 7
    data = exports.to_csv(seed.id, NOW, user("juthamas").id)
    assert data.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == exports.STEP_COLUMNS and len(parsed) == 28
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in parsed[1:] for cell in row if cell), \
        "a cell would run as a formula"
    assert parsed[1][15] == "'=1+1\nhttps://example.go.th/a"


def test_calendar_feeds_parse_back_as_rfc5545(seed):
    from icalendar import Calendar

    cal = Calendar.from_ical(feeds.cycle_feed(seed.id, NOW))
    events = cal.walk("VEVENT")
    rounds_ = [e for e in events if str(e["uid"]).startswith("round-")]
    steps_ = [e for e in events if str(e["uid"]).startswith("step-")]
    assert len(rounds_) == 4 and len(steps_) == 27
    assert {e.decoded("dtstart") for e in rounds_} == {date(2024, 5, 30), date(2024, 6, 14), date(2024, 6, 28),
                                                      date(2024, 7, 15)}
    assert all(type(e.decoded("dtstart")) is date for e in events)  # all-day
    assert all(e.decoded("dtend") - e.decoded("dtstart") == timedelta(days=1) for e in events)
    second = next(e for e in rounds_ if e.decoded("dtstart") == date(2024, 6, 14))
    assert "ครั้งที่ 2" in str(second["summary"]) and "14 มิ.ย. 2567" in str(second["summary"])
    assert "15 มิถุนายน 2567" in str(second["description"])  # the planned date, a Saturday
    assert len({str(e["uid"]) for e in events}) == len(events)
    assert "VERSION:2.0" in feeds.cycle_feed(seed.id, NOW).decode()
    # a person's feed: pannee's own steps with due dates, and the rounds
    mine = Calendar.from_ical(feeds.person_feed(user("pannee").id, NOW)).walk("VEVENT")
    assert any("1.5/1" in str(e["summary"]) for e in mine)
    assert not any("1.1/" in str(e["summary"]) for e in mine)  # กลุ่มบริหารงานบุคคล's, not hers
    # the director of กลุ่มอำนวยการ sees the review waiting once it opens
    _work_on_1_5(LATER)
    director = Calendar.from_ical(feeds.person_feed(user("dir-admin").id, LATER)).walk("VEVENT")
    assert not any("รอตรวจสอบ" in str(e["summary"]) for e in director)  # approved already


def test_feed_token_lifecycle_over_http(app, seed):
    t, secret = tokens.create(user("pannee").id, "ics", "โทรศัพท์", now=NOW)
    db.session.commit()
    assert db.session.get(AccessToken, t.id).token_hash != secret and secret not in repr(t.__dict__)
    client = app.test_client()
    status, mimetype, data = fetch(client, f"/ics/{secret}.ics")
    assert status == 200 and mimetype == "text/calendar" and b"BEGIN:VCALENDAR" in data
    assert fetch(client, f"/ics/{secret[:-1]}x.ics")[0] == 404
    assert fetch(client, "/ics/nothing.ics")[0] == 404
    tokens.revoke(t.id, user("pannee").id, now=LATER)
    db.session.commit()
    assert fetch(client, f"/ics/{secret}.ics")[0] == 404
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "token")
                                 .order_by(AuditEvent.id)).all()
    # each address that matched no live calendar is on record too (#11), the revoked one included
    assert actions == ["token_created", "token_refused", "token_refused", "token_revoked", "token_refused"]


def test_bad_token_requests_change_nothing(seed):
    from workflow.errors import NotFound, ValidationError

    before = db.session.scalar(select(func.count()).select_from(AccessToken))
    for kind, name in (("api", ""), ("api", "x" * 101), ("bogus", "a")):
        with pytest.raises(ValidationError):
            tokens.create(user("pannee").id, kind, name, now=NOW)
        db.session.rollback()
    t, _ = tokens.create(user("pannee").id, "api", "mine", now=NOW)
    db.session.commit()
    with pytest.raises(NotFound):  # someone else's token does not exist for them
        tokens.revoke(t.id, user("hr-staff").id, now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AccessToken)) == before + 1


def fetch(client, url: str) -> tuple[int, str, bytes]:
    """GET, read and close (a file download streams until closed)."""
    response = client.get(url)
    try:
        return response.status_code, response.mimetype, response.data
    finally:
        response.close()


def test_publication_is_off_by_default_and_shows_nothing_private(app, seed, tmp_path):
    client = app.test_client()
    assert client.get(f"/p/{seed.id}").status_code == 404
    assert fetch(client, f"/p/{seed.id}/measures.pdf")[0] == 404
    s = step("1.1", 1)
    hidden = evidence.add_file(s.id, actor_id=user("hr-staff").id, now=LATER, filename="ภายใน.pdf",
                               data=b"%PDF-1.4 internal")
    shown = evidence.add_file(s.id, actor_id=user("hr-staff").id, now=LATER, filename="คู่มือ.pdf",
                              data=b"%PDF-1.4 manual")
    db.session.commit()
    with pytest.raises(PermissionDenied):  # staff may not publish
        publication.set_published(seed.id, True, actor_id=user("hr-staff").id, now=LATER)
    db.session.rollback()
    publication.set_published(seed.id, True, actor_id=user("admin").id, now=LATER)
    publication.set_evidence_public(shown.id, True, actor_id=user("juthamas").id, now=LATER)
    db.session.commit()
    page = client.get(f"/p/{seed.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "กระบวนการปฏิบัติงานที่โปร่งใสและมีประสิทธิภาพ" in html and "คู่มือ.pdf" in html
    assert "ภายใน.pdf" not in html and "@" not in html  # no emails, no private evidence
    assert fetch(client, f"/p/evidence/{shown.id}")[0] == 200
    assert fetch(client, f"/p/evidence/{hidden.id}")[0] == 404
    status, mimetype, pdf = fetch(client, f"/p/{seed.id}/progress.pdf")
    assert status == 200 and mimetype == "application/pdf"
    assert fetch(client, f"/p/{seed.id}/progress.pdf")[2] == pdf  # served from the cache: the same bytes
    # the agency's own addresses: its years, and its newest published one for its website's link
    code = db.session.get(Agency, seed.agency_id).code
    assert client.get(f"/p/a/{code}/latest").location.endswith(f"/p/{seed.id}")
    assert f"/p/{seed.id}" in client.get(f"/p/a/{code}").get_data(as_text=True)
    assert f"/p/a/{code}" in client.get("/p").get_data(as_text=True)
    assert client.get("/p/a/no-such-agency").status_code == 404
    publication.set_published(seed.id, False, actor_id=user("admin").id, now=LATER)
    db.session.commit()
    assert client.get(f"/p/{seed.id}").status_code == 404
    assert client.get(f"/p/a/{code}/latest").status_code == 404 and client.get("/p").status_code == 404
    assert fetch(client, f"/p/evidence/{shown.id}")[0] == 404
    assert db.session.get(Cycle, seed.id).published_at is None


def test_document_cache_keeps_only_the_newest(tmp_path):
    import os

    from web.views.reports import KEEP_DOCUMENTS, _prune

    for i in range(KEEP_DOCUMENTS + 5):
        f = tmp_path / f"{i:04d}.pdf"
        f.write_bytes(b"%PDF-")
        os.utime(f, (1_700_000_000 + i, 1_700_000_000 + i))
    _prune(tmp_path)
    left = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert len(left) == KEEP_DOCUMENTS and left[0] == "0005.pdf"


def test_exports_and_the_progress_report_show_evidence_only_to_who_may_see_it(seed, tmp_path):
    """One rule for evidence wherever it is shown (#11): the step page, the API, the spreadsheets, the PDF."""
    from openpyxl import load_workbook

    s = step("1.1", 1)
    evidence.add_link(s.id, actor_id=user("hr-staff").id, now=LATER, url="https://example.go.th/hr-only",
                      text="ไฟล์ของกลุ่มบริหารงานบุคคล")
    db.session.commit()
    for viewer, sees in (("hr-staff", True), ("juthamas", True), ("amporn", True), ("pannee", False), (None, False)):
        viewer_id = user(viewer).id if viewer else None
        csv_text = exports.to_csv(seed.id, NOW, viewer_id).decode("utf-8-sig")
        book = load_workbook(io.BytesIO(exports.to_xlsx(seed.id, NOW, viewer_id)))
        cells = " ".join(str(c) for row in book["ขั้นตอน"].iter_rows(values_only=True) for c in row if c)
        document = documents.progress_document(seed.id, NOW, viewer_id=viewer_id)
        labels = [link["label"] for m in document.data["rows"] for st in m["steps"] for link in st["evidence"]]
        for shown in (csv_text, cells, " ".join(labels)):
            assert ("hr-only" in shown or "ไฟล์ของกลุ่มบริหารงานบุคคล" in shown) is sees, (viewer, shown[:200])


def test_official_look_page_numbers_own_dates_and_presenter(seed, tmp_path):
    """ระเบียบงานสารบรรณ: "- ๒ -" at the top from the second page (none on the first); a report is dated the day
    it describes and carries a signature block for who presents it, not the measures memo's number and date;
    the period as the memo wrote it; "ครั้งที่ ๒" is never split over two lines."""
    pdf = documents.render_pdf(documents.measures_document(seed.id, NOW))
    path = tmp_path / "look.pdf"
    path.write_bytes(pdf)
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", str(path), "-"], check=True,
                           capture_output=True, text=True).stdout
    second = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-enc", "UTF-8", str(path), "-"], check=True,
                            capture_output=True, text=True).stdout
    assert "- ๑ -" not in first and second.lstrip().startswith("- ๒ -")
    html_text = documents.render_html(documents.measures_document(seed.id, NOW))
    assert '<span class="nowrap">ครั้งที่ ๒</span>' in html_text
    assert "ระยะเวลาดำเนินการ</b> พฤษภาคม ๒๕๖๗ - ๑๕ กรกฎาคม ๒๕๖๗" in html_text
    later = NOW.replace(month=6, day=20)
    progress = flat(pdf_text(documents.render_pdf(documents.progress_document(seed.id, later)), tmp_path,
                             "progress-look"))
    assert "วันที่๒๐มิถุนายน๒๕๖๗" in progress and flat("ศธ ๐๒๑๐๒/") not in progress.split("เรื่อง")[0]
    assert "ผู้รายงาน" in progress and flat("(นางจุฑามาศ ช่อคง)") in progress
    first_round = db.session.execute(select(Round).where(Round.cycle_id == seed.id, Round.number == 1)).scalar_one()
    rounds.report_round(first_round.id, NOW.replace(month=5, day=30))
    text = flat(pdf_text(documents.render_pdf(documents.round_document(first_round.id, NOW.replace(month=6))),
                         tmp_path, "round-look"))
    assert "ผู้รายงาน" in text and flat("ศธ ๐๒๑๐๒/") not in text.split("เรื่อง")[0]


def test_the_demo_s_documents_carry_its_shifted_dates(app):
    """A demo cycle moved to this year shows no memo dated ๗ มิ.ย. ๒๕๖๗, and its monitoring text names the
    moved round dates."""
    from workflow.onboarding.demo import demo_document

    today = date(2026, 11, 25)
    doc = demo_document(today, as_written=False)
    assert doc["memo"]["date"] != "2567-06-07" and not doc["memo"]["date"].startswith("2567")
    texts = " ".join(m["monitoring"]["text"] or "" for m in doc["measures"])
    assert "๒๕๖๗" not in texts and "ครั้งที่ ๑" in texts
    assert str(doc["fiscal_year"]) in to_arabic(doc["memo"]["subject"]) or "ปีงบประมาณ" not in doc["memo"]["subject"]


def to_arabic(text: str) -> str:
    from workflow.thaidate import to_arabic_digits

    return to_arabic_digits(text)
