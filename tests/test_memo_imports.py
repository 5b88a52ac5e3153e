"""The web import of PDFs and scans (issue 24): a scan is kept and read by a background job whose page shows the
progress, listed on the drafts page until read; the draft from OCR shows its page images (to its agency's
editors only) beside the text with the doubtful lines marked; bad files are refused with a Thai message and
nothing written, on the web path too."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from sqlalchemy import func, select

from tests.test_editor import office, sign_in  # noqa: F401  (the fixture)
from tests.test_pdfmemo import _minimal_pdf, memo_docx, scan_of, to_pdf
from tests.test_web import token
from workflow import clock
from workflow.db import db
from workflow.models import Draft, MemoImport
from workflow.onboarding import memoimports, pdfmemo

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


def upload(client, data: bytes, name: str):
    """The form posted as a browser does (the body built in memory: no temporary file left open)."""
    boundary = "----itaflow-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token(client)}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/drafts/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def nothing_written(app) -> None:
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    assert db.session.scalar(select(func.count()).select_from(MemoImport)) == 0
    folder = app.config["ITAFLOW"].instance_path / "imports"
    assert not folder.exists() or not any(folder.iterdir())


def _encrypted() -> bytes:
    encrypt = (b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
               + b"> /P -44 >> /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ")
    return _minimal_pdf(extra_trailer=encrypt)


def _bomb() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (30000, 30000), 1).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("make, name, status, says", [
    (_encrypted, "memo.pdf", 422, "เข้ารหัส"),
    (lambda: _minimal_pdf(pages=pdfmemo.MAX_PAGES + 1), "memo.pdf", 422, "รับได้ไม่เกิน"),
    (lambda: _minimal_pdf(b"0 0 m 100 100 l S"), "memo.pdf", 422, "ไม่มีทั้งข้อความและภาพ"),
    (_bomb, "scan.png", 422, "ล้านพิกเซล"),
    (lambda: b"%PDF-1.7 " + b"0" * (pdfmemo.MAX_BYTES + 10), "memo.pdf", 413, "ไฟล์ใหญ่เกิน"),  # (bound made small)
    (lambda: b"\x89PNG\r\n\x1a\n" + b"0" * 100, "scan.png", 422, "อ่านไฟล์ภาพไม่ได้"),
])
def test_bad_files_are_refused_on_the_web_with_a_thai_message_and_nothing_written(office, make, name,  # noqa: F811
                                                                                    status, says, monkeypatch):
    monkeypatch.setattr(pdfmemo, "MAX_BYTES", 200_000)  # small bodies stay in memory (no temporary files)
    client = sign_in(office, "sec@office.test")
    r = upload(client, make(), name)
    assert r.status_code == status, r.status_code
    assert says in r.get_data(as_text=True)
    nothing_written(office)


def test_a_file_over_the_request_bound_is_413_with_the_import_page(office, monkeypatch):  # noqa: F811
    monkeypatch.setattr(pdfmemo, "MAX_BYTES", 2**20 // 8)
    client = sign_in(office, "sec@office.test")
    r = upload(client, b"%PDF-1.7 " + b"0" * (pdfmemo.MAX_BYTES + 2**20), "memo.pdf")
    assert r.status_code == 413 and "ไฟล์ใหญ่เกิน 0 MB" in r.get_data(as_text=True)
    nothing_written(office)


@needs_soffice
def test_a_long_read_is_a_job_with_progress_the_officer_can_leave_and_come_back_to(office, monkeypatch,  # noqa: F811
                                                                                   tmp_path):
    """The background path, driven by a typed PDF (its reading stands for OCR's, without tesseract): the upload
    answers at once, the job's row shows the pages read, the drafts page lists it, the job makes the draft."""
    pdf = to_pdf(memo_docx(), tmp_path)
    monkeypatch.setattr(memoimports, "needs_background", lambda data: pdfmemo.Checked(2, 2))
    client = sign_in(office, "sec@office.test")
    r = upload(client, pdf, "memo.pdf")
    assert r.status_code == 303
    import_id = int(re.search(r"/drafts/imports/(\d+)$", r.headers["Location"]).group(1))
    row = db.session.get(MemoImport, import_id)
    assert row.state == "queued" and row.name == "memo.pdf"
    kept = office.config["ITAFLOW"].instance_path / "imports" / str(import_id) / "memo"
    assert kept.read_bytes() == pdf
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "รอคิวอ่าน" in page and 'role="status"' in page and "<progress" in page and "importpoll.js" in page
    assert "<noscript><meta http-equiv=\"refresh\"" in page
    listed = client.get("/drafts/").get_data(as_text=True)
    assert "บันทึกที่กำลังอ่าน" in listed and f"/drafts/imports/{import_id}" in listed
    assert client.get(f"/drafts/imports/{import_id}/status").get_json()["state"] == "queued"
    # the job: each page read is committed for the page to show
    seen = []

    def commit():
        db.session.commit()
        seen.append((row.state, row.pages_done, row.pages_total))

    memoimports.run(import_id, clock.now(), commit=commit)
    assert ("reading", 0, 2) in seen and any(done == 1 for _s, done, _t in seen)
    db.session.expire_all()
    row = db.session.get(MemoImport, import_id)
    assert row.state == "done" and row.draft_id is not None and not kept.exists()
    status = client.get(f"/drafts/imports/{import_id}/status").get_json()
    assert status["state"] == "done" and status["percent"] == 100
    landed = client.get(f"/drafts/imports/{import_id}")
    assert landed.status_code == 303 and landed.headers["Location"].endswith(
        (f"/drafts/{row.draft_id}", f"/drafts/{row.draft_id}/mapping"))
    assert f"/drafts/imports/{import_id}" not in client.get("/drafts/").get_data(as_text=True)
    # a job delivered twice changes nothing
    assert memoimports.run(import_id, clock.now()).draft_id == row.draft_id
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 1


def test_a_failed_read_says_why_and_is_dismissed(office, monkeypatch):  # noqa: F811
    monkeypatch.setattr(memoimports, "needs_background", lambda data: pdfmemo.Checked(1, 1))
    client = sign_in(office, "sec@office.test")
    r = upload(client, _minimal_pdf(b"0 0 m 100 100 l S"), "scan.pdf")
    import_id = int(r.headers["Location"].rsplit("/", 1)[1])
    memoimports.run(import_id, clock.now())
    page = client.get(f"/drafts/imports/{import_id}").get_data(as_text=True)
    assert "อ่านบันทึกนี้ไม่สำเร็จ" in page and "ไม่มีทั้งข้อความและภาพ" in page and 'role="alert"' in page
    assert "อ่านไม่สำเร็จ" in client.get("/drafts/").get_data(as_text=True)
    r = client.post(f"/drafts/imports/{import_id}/dismiss", data={"csrf_token": token(client)})
    assert r.status_code == 303
    nothing_written(office)


@pytest.mark.slow
@needs_soffice
@needs_tesseract
def test_a_scan_imported_on_the_web_shows_its_pages_beside_the_text_to_its_editors_only(office, tmp_path):  # noqa: F811
    from tests.conftest import PASSWORD
    from workflow.people.units import add_unit
    from workflow.people.users import add_user

    scan = scan_of(to_pdf(memo_docx(), tmp_path), pages=1, dpi=300)
    client = sign_in(office, "sec@office.test")
    r = upload(client, scan, "scan.pdf")
    assert r.status_code == 303 and "/drafts/imports/" in r.headers["Location"]
    import_id = int(r.headers["Location"].rsplit("/", 1)[1])
    row = memoimports.run(import_id, clock.now())
    assert row is not None and row.state == "done", (row.error_th if row else None)
    draft = db.session.get(Draft, row.draft_id)
    assert draft.source["kind"] == "ocr" and draft.source["page_images"] == 1
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "ข้อความที่อ่านจากภาพสแกน (OCR)" in page and f"/drafts/{draft.id}/pages/1.png" in page
    assert "อ่านด้วย OCR" in page or "OCR" in page
    image = client.get(f"/drafts/{draft.id}/pages/1.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG") and "no-store" in image.headers[
        "Cache-Control"]
    image.close()  # send_file's open file
    assert client.get(f"/drafts/{draft.id}/pages/2.png").status_code == 404
    staff = sign_in(office, "staff@office.test")
    assert staff.get(f"/drafts/{draft.id}/pages/1.png").status_code == 403
    admin = db.session.execute(select(memoimports.drafts.User).where(
        memoimports.drafts.User.email == "admin@office.test")).scalar_one()
    unit, _ = add_unit(admin.agency_id, "school-1", "โรงเรียนบ้านหนองแวง", "school", admin_name="ผอ.โรงเรียน",
                       admin_email="head@school.test", actor_id=admin.id, now=clock.now())
    add_user(name="เลขาโรงเรียน", email="sec@school.test", roles=["secretariat"], password=PASSWORD, actor_id=None,
             now=clock.now(), agency_id=unit.id)
    db.session.commit()
    other = sign_in(office, "sec@school.test")
    assert other.get(f"/drafts/{draft.id}/pages/1.png").status_code == 404
    assert other.get(f"/drafts/imports/{import_id}").status_code == 404
