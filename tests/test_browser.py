"""Real headless Chromium (Debian's) driven by Playwright against the app served on localhost.
Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import require_tool, step, user
from tests.test_live import free_port
from workflow import clock
from workflow.db import db
from workflow.engine import transitions

pytestmark = pytest.mark.slow  # the fast part (-m 'not slow') leaves this file out

#: where screenshots and PDFs are kept (each concurrent run of scripts/test its own)
ARTIFACTS = Path(os.environ.get("ITAFLOW_TEST_ARTIFACTS")
                 or Path(__file__).resolve().parent.parent / "test-artifacts")
PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site(app):
    from web.security import limiter
    from workflow.onboarding.demo import run_demo

    run_demo(now=clock.now(), password=PASSWORD)
    db.session.commit()
    limiter.reset()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        # Debian's chromium: playwright's own browser download fails on this network
        chromium = p.chromium.launch(executable_path=require_tool("chromium", "chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chromium
        chromium.close()


def sign_in(browser, site: str, email: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="th-TH")
    page = context.new_page()
    page.goto(f"{site}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")  # the header has the language button
    page.wait_for_url(f"{site}/")
    return page


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_officer_attaches_evidence_and_marks_done_then_director_approves(browser, site, tmp_path, viewport, label):
    # 1.5: the officer (น.ส.พรรณี) finishes step 2, then the director of กลุ่มอำนวยการ approves step 3
    officer = sign_in(browser, site, "pannee@demo.itaflow.test", viewport)
    officer.screenshot(path=ARTIFACTS / f"{label}-1-my-steps.png", full_page=True)
    assert "งานของฉัน" in officer.inner_text("h1")
    target = step("1.5", 4) if step("1.5", 3).state == "open" else None
    assert target is not None  # the demo leaves 1.5's review waiting; step 4 opens after it
    # reset 1.5 to "step 2 open" through the services, so the officer has real work to do
    review = step("1.5", 3)
    transitions.send_back(review.id, actor_id=user("dir-admin").id, now=clock.now(), expected_version=review.version,
                          reason="แนบไฟล์รายงานด้วย")
    db.session.commit()
    officer.reload()
    officer.click("text=เจ้าหน้าที่ที่รับผิดชอบดำเนินการจัดทำรายงาน")
    assert "แนบไฟล์รายงานด้วย" in officer.inner_text("#sent-back-reason")
    officer.fill("#note-text", "ส่งรายงานฉบับแก้ไขแล้ว")
    officer.click("#add-note")
    assert "บันทึกหลักฐานแล้ว" in officer.inner_text("main")
    report = tmp_path / "รายงานผลจัดซื้อจัดจ้าง.pdf"
    report.write_bytes(b"%PDF-1.4\n% itaflow test report\n")
    officer.set_input_files("#file-input", str(report))
    officer.click("#upload")
    assert "แนบไฟล์แล้ว" in officer.inner_text("main")
    assert "รายงานผลจัดซื้อจัดจ้าง.pdf" in officer.inner_text("main")
    officer.click("#mark-done")
    assert "บันทึกว่าเสร็จแล้ว" in officer.inner_text("main")
    assert officer.inner_text("#step-state") == "เสร็จแล้ว"
    officer.screenshot(path=ARTIFACTS / f"{label}-2-step-done.png", full_page=True)

    director = sign_in(browser, site, "dir-admin@demo.itaflow.test", viewport)
    director.click("#nav-approvals")
    assert "รายงานผลจัดซื้อจัดจ้าง.pdf" in director.inner_text("main")  # the evidence, inline
    director.screenshot(path=ARTIFACTS / f"{label}-3-approval-queue.png", full_page=True)
    director.check("input[name=step]")
    director.click("#approve-selected")
    assert "อนุมัติแล้ว 1 รายการ" in director.inner_text("main")
    db.session.expire_all()
    assert step("1.5", 3).state == "done" and step("1.5", 4).state == "open"


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_director_sends_back_and_officer_sees_the_reason(browser, site, viewport, label):
    review = step("1.5", 3)
    director = sign_in(browser, site, "dir-admin@demo.itaflow.test", viewport)
    director.goto(f"{site}/steps/{review.id}")
    director.fill("#reason", "ตัวเลขไตรมาส ๒ ไม่ตรงกับระบบ e-GP")
    director.click("#send-back")
    assert "ส่งกลับให้แก้ไขแล้ว" in director.inner_text("main")
    officer = sign_in(browser, site, "pannee@demo.itaflow.test", viewport)
    assert "ตัวเลขไตรมาส ๒ ไม่ตรงกับระบบ e-GP" in officer.inner_text("main")
    officer.screenshot(path=ARTIFACTS / f"{label}-4-sent-back.png", full_page=True)


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_executive_opens_the_dashboard(browser, site, viewport, label):
    executive = sign_in(browser, site, "amporn@demo.itaflow.test", viewport)
    executive.click("#nav-dashboard")
    text = executive.inner_text("main")
    assert "ความคืบหน้ารายมาตรการ" in text and "ขั้นตอนที่เลยกำหนด" in text
    assert executive.locator("progress").count() == 7
    assert "การติดตามครั้งถัดไป" in text
    assert executive.locator("svg.chart").count() == 2 and executive.locator("#groups-table tbody tr").count() >= 2
    executive.screenshot(path=ARTIFACTS / f"{label}-5-dashboard.png", full_page=True)
    # the layout fits the viewport: no sideways scrolling on a phone
    width = executive.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1
    if viewport is DESKTOP:  # the header keeps to one line at 1280 px, for the role with the most links too
        for who in ("amporn@demo.itaflow.test", "juthamas@demo.itaflow.test", "admin@demo.itaflow.test"):
            page = sign_in(browser, site, who, viewport)
            heights = page.evaluate("""() => [...document.querySelectorAll('header.top > *, header.top nav > *')]
                .map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))""")
            assert max(heights) - min(heights) <= 4, (who, heights)
        executive.emulate_media(media="print")
        assert executive.locator("header.top").is_hidden() and executive.locator("svg.chart").first.is_visible()


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_secretariat_downloads_the_progress_report_and_switches_to_english(browser, site, viewport, label):
    from sqlalchemy import select

    from workflow.engine import frameworks
    from workflow.models import Cycle

    # the report's OIT item is the year's: O43 in the 2566 list, O26 in 2569's (the demo's year follows today)
    item = frameworks.code_for(db.session.execute(select(Cycle)).scalar_one(), "report")
    secretariat = sign_in(browser, site, "juthamas@demo.itaflow.test", viewport)
    secretariat.click("#nav-reports")
    assert f"รายงานผลการดำเนินการ ({item})" in secretariat.inner_text("main")
    with secretariat.expect_download() as download:
        secretariat.click(f"text=รายงานผลการดำเนินการ ({item})")
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-") and download.value.suggested_filename.startswith("progress-")
    secretariat.screenshot(path=ARTIFACTS / f"{label}-6-reports.png", full_page=True)
    secretariat.click("#lang-switch")
    secretariat.click("#nav-reports")
    text = secretariat.inner_text("main")
    assert "Reports and publication" in text and f"Progress report ({item})" in text
    assert "My steps" in secretariat.inner_text("header")
    secretariat.screenshot(path=ARTIFACTS / f"{label}-7-english.png", full_page=True)
    width = secretariat.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1
    secretariat.click("#lang-switch")
    assert "งานของฉัน" in secretariat.inner_text("header")


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_parent_adds_a_unit_whose_admin_sets_a_password_and_the_executive_follows_the_units(
        browser, site, viewport, label):
    import re

    from sqlalchemy import select

    from workflow.channels.notify import render_message
    from workflow.models import Agency, OutboxMessage
    from workflow.onboarding.demo import add_units

    main = db.session.execute(select(Agency).where(Agency.code == "main")).scalar_one()
    add_units(main.id, 4, now=clock.now())
    db.session.commit()
    admin = sign_in(browser, site, "admin@demo.itaflow.test", viewport)
    admin.goto(f"{site}/units/new")
    admin.fill("input[name=name]", "โรงเรียนบ้านหนองแวง")
    admin.fill("input[name=code]", "nongwaeng")
    admin.select_option("select[name=kind]", "school")
    admin.fill("input[name=admin_name]", "ครูสมศรี ใจดี")
    admin.fill("input[name=admin_email]", "somsri@school.example")
    admin.click("main button[type=submit]")
    admin.wait_for_url(f"{site}/rollup")
    assert "somsri@school.example" in admin.inner_text("main") and "โรงเรียนบ้านหนองแวง" in admin.inner_text("main")

    db.session.expire_all()
    row = db.session.execute(select(OutboxMessage).where(OutboxMessage.to_email == "somsri@school.example")
                             ).scalar_one()
    link = re.search(r"/welcome/\S+", render_message(row)[0]).group(0)
    newcomer = browser.new_context(viewport=viewport, locale="th-TH").new_page()
    newcomer.goto(site + link)
    newcomer.fill("input[name=new]", "ทุ่งกุลาร้องไห้2569")
    newcomer.fill("input[name=again]", "ทุ่งกุลาร้องไห้2569")
    newcomer.click("main button[type=submit]")
    newcomer.wait_for_url(f"{site}/")
    assert "ตั้งรหัสผ่านแล้ว" in newcomer.inner_text("main")
    newcomer.screenshot(path=ARTIFACTS / f"{label}-7-welcome.png", full_page=True)

    executive = sign_in(browser, site, "amporn@demo.itaflow.test", viewport)
    executive.click("text=หน่วยงานในสังกัด")
    assert executive.locator("table.rollup tbody tr").count() == 5
    executive.screenshot(path=ARTIFACTS / f"{label}-8-rollup.png", full_page=True)
    assert executive.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    executive.click("table.rollup tbody tr >> nth=0 >> a")
    assert "/units/" in executive.url and executive.locator("progress").count() >= 1


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_secretariat_imports_a_memo_edits_a_measure_with_the_be_date_picker_and_confirms(
        browser, site, viewport, label):
    from sqlalchemy import func, select

    from tests.test_importer import SEED
    from workflow.models import Cycle

    cycles = db.session.scalar(select(func.count()).select_from(Cycle))
    page = sign_in(browser, site, "juthamas@demo.itaflow.test", viewport)
    page.goto(f"{site}/measures")
    page.click("text=นำเข้าบันทึกมาตรการ")
    page.set_input_files("input[name=file]", str(SEED))
    page.click("main button[type=submit]")
    page.wait_for_url("**/drafts/*")
    assert page.locator("section.draft-measure").count() == 7
    assert page.locator("section.draft-measure .source pre").first.is_visible()
    page.screenshot(path=ARTIFACTS / f"{label}-9-draft.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

    page.click("text=แก้ไขมาตรการ ๑.๑")
    page.click("#add-step")
    assert page.locator("#unsaved").is_visible() and page.locator("li.step-row").count() == 6
    page.fill("#f-step-5-title", "รายงานผลต่อศึกษาธิการจังหวัด")
    page.fill("#f-step-5-due", "01/07/2567")
    # the picker opens at the month typed, in BE; the arrow keys move the day; a day chosen fills the field
    page.click("#step-5 button.be-date-open")
    panel = page.locator("#step-5 .be-date-panel")
    assert "กรกฎาคม 2567" in panel.inner_text()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.day") == "2"
    panel.locator("button[data-day='31']").click()
    assert page.input_value("#f-step-5-due") == "31/07/2567" and panel.count() == 0
    page.screenshot(path=ARTIFACTS / f"{label}-10-measure-form.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    page.click("#save-measure")
    page.wait_for_url("**/drafts/*#m0")
    assert "บันทึกมาตรการแล้ว" in page.inner_text("main")
    assert "๓๑ ก.ค. ๒๕๖๗" in page.locator("#m0").inner_text()

    page.click("#confirm-draft")  # the memo's dates are past: asked first
    page.check("input[name=past_ok]")
    page.click("#confirm-draft")
    page.wait_for_url(f"{site}/measures?cycle=*")  # the confirmed year's measures
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == cycles + 1


def test_pdf_text_in_chromiums_pdf_js_is_what_was_typed(browser, app, tmp_path):
    """Ctrl+F in a browser's PDF viewer: pdf.js (npm) in Chromium reads the measures document's text layer, and
    every word of the memo is there as typed (sara am and all), unnormalised."""
    import http.server
    import re
    import shutil
    from functools import partial

    from tests.conftest import NOW
    from tests.test_reports import _typed_words, flat
    from workflow.engine.instantiate import instantiate
    from workflow.onboarding.demo import demo_document
    from workflow.publishing import documents

    pdfjs = Path(__file__).resolve().parent.parent / "node_modules" / "pdfjs-dist" / "build"
    if not (pdfjs / "pdf.mjs").exists():
        pytest.fail("pdf.js is missing: run `npm ci` (./scripts/test does)")
    cycle = instantiate(demo_document(NOW.date(), as_written=True), actor_id=None, now=NOW, source_name="t").cycle
    db.session.commit()
    for name in ("pdf.mjs", "pdf.worker.mjs"):
        shutil.copy(pdfjs / name, tmp_path / name)
    (tmp_path / "doc.pdf").write_bytes(documents.render_pdf(documents.measures_document(cycle.id, NOW)))
    (tmp_path / "index.html").write_text("<!doctype html><title>pdf.js</title>", encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_context().new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        text = page.evaluate("""async () => {
            const pdfjs = await import('/pdf.mjs');
            pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
            const doc = await pdfjs.getDocument('/doc.pdf').promise;
            let out = '';
            for (let n = 1; n <= doc.numPages; n++) {
                const content = await (await doc.getPage(n)).getTextContent();
                out += content.items.map(item => item.str + (item.hasEOL ? '\\n' : '')).join('');
            }
            return out;
        }""")
    finally:
        server.shutdown()
        server.server_close()
    found = flat(text)
    missing = [w for w in _typed_words(cycle) if flat(w) not in found]
    assert len(found) > 5000 and missing == [], missing[:10]
    assert "ํา" not in found and re.search("สำนักงานศึกษาธิการจังหวัดร้อยเอ็ด", found)


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_by_keyboard_alone_an_officer_replaces_a_file_and_a_director_sends_back_from_the_queue(
        browser, site, tmp_path, viewport, label):
    """No mouse: Tab and Enter reach every action, and the focused one is outlined. The officer replaces an
    unsigned file with the signed one (the old one kept in the history) and marks the step done; the director
    opens the send-back form in the queue and sends it back with the reason."""
    review = step("1.5", 3)
    transitions.send_back(review.id, actor_id=user("dir-admin").id, now=clock.now(), expected_version=review.version,
                          reason="แนบฉบับลงนาม")
    db.session.commit()
    work = step("1.5", 2)
    officer = sign_in(browser, site, "pannee@demo.itaflow.test", viewport)
    officer.goto(f"{site}/steps/{work.id}")
    unsigned = tmp_path / "ยังไม่ลงนาม.pdf"
    unsigned.write_bytes(b"%PDF-1.4\n% unsigned\n")
    officer.set_input_files("#file-input", str(unsigned))  # a file chooser is the one thing a test cannot type
    officer.focus("#upload")
    with officer.expect_navigation():
        officer.keyboard.press("Enter")
    assert "ยังไม่ลงนาม.pdf" in officer.inner_text("main")
    summary = officer.locator("details.replace summary").first
    summary.focus()
    outline = officer.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focused action is visible
    officer.keyboard.press("Enter")
    signed = tmp_path / "ลงนามแล้ว.pdf"
    signed.write_bytes(b"%PDF-1.4\n% signed\n")
    officer.locator("details.replace input[type=file]").first.set_input_files(str(signed))
    officer.locator("details.replace button[type=submit]").first.focus()
    with officer.expect_navigation():
        officer.keyboard.press("Enter")
    assert "แทนที่ไฟล์แล้ว" in officer.inner_text("main")
    current = officer.inner_text("ul.evidence")
    assert "ลงนามแล้ว.pdf" in current and "ยังไม่ลงนาม.pdf" not in current
    assert "ยังไม่ลงนาม.pdf" in officer.locator("#withdrawn").text_content()  # kept, folded away
    officer.focus("#mark-done")
    with officer.expect_navigation():
        officer.keyboard.press("Enter")
    assert officer.inner_text("#step-state") == "เสร็จแล้ว"
    officer.screenshot(path=ARTIFACTS / f"{label}-11-replaced.png", full_page=True)

    director = sign_in(browser, site, "dir-admin@demo.itaflow.test", viewport)
    director.goto(f"{site}/approvals")
    item = director.locator(f"#review-{review.id}")
    assert "ส่งงานโดย" in item.inner_text() and "ต้องตรวจภายใน" in item.inner_text()
    item.locator("details.send-back summary").focus()
    director.keyboard.press("Enter")
    item.locator("textarea").focus()
    director.keyboard.type("ไฟล์ยังเป็นฉบับเดิม")
    director.keyboard.press("Tab")
    with director.expect_navigation():
        director.keyboard.press("Enter")
    assert "ส่งกลับให้แก้ไขแล้ว" in director.inner_text("main")
    director.screenshot(path=ARTIFACTS / f"{label}-12-queue-sent-back.png", full_page=True)
    db.session.expire_all()
    assert step("1.5", 2).state == "open" and step("1.5", 2).sent_back_reason == "ไฟล์ยังเป็นฉบับเดิม"
