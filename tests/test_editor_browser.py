"""The measures editor in Debian's Chromium at desktop and phone width (issue 23): the import from the menu,
people corrected and removed, steps pasted and added without losing the place, the weekend flagged in the BE
picker, a measure deleted and a draft discarded only when asked twice; axe-core clean on the changed pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.test_accessibility import _axe_source, _check
from tests.test_browser import ARTIFACTS, DESKTOP, PASSWORD, PHONE, browser, site  # noqa: F401 (fixtures)
from tests.test_importer import SEED
from workflow.db import db
from workflow.models import Draft

pytestmark = pytest.mark.slow


def _sign_in(browser, site, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="th-TH", bypass_csp=True)  # bypass: to inject axe
    page = context.new_page()
    page.goto(f"{site}/login")
    page.fill("input[name=email]", "juthamas@demo.itaflow.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/")
    return page


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_an_officer_corrects_an_imported_draft(browser, site, viewport, label):  # noqa: F811
    page = _sign_in(browser, site, viewport)
    if viewport is PHONE and not page.locator("#nav-import").is_visible():
        pytest.fail("the import is not reachable from the menu on a phone")
    page.click("#nav-import")
    page.set_input_files("input[name=file]", str(SEED))
    page.click("main button[type=submit]")
    page.wait_for_url("**/drafts/*")
    draft_url = page.url
    # a weekend due day is flagged where the step is listed, and the past-dates question is by the button
    assert "ตรงกับวันเสาร์ เมื่อยืนยันจะเป็น ๑๗ มิ.ย. ๒๕๖๗" in page.locator("#m0").inner_text()
    assert page.locator("#confirm #past-warning").is_visible() and page.locator("#confirm input[name=past_ok]").count()
    assert "weakness" not in page.inner_text("main") and "due " not in page.inner_text("main")

    # a person corrected, another removed with who takes over
    person = page.locator("#person-p2")
    person.locator("summary", has_text="แก้ไข").click()
    person.locator("input[name=position]").fill("ครูชำนาญการ")
    person.locator("button[value=save]").click()
    page.wait_for_url("**#person-p2")
    assert "ครูชำนาญการ" in page.locator("#person-p2").inner_text()
    person = page.locator("#person-p1")
    person.locator("summary", has_text="ลบออกจากร่าง").click()
    person.locator("button[value=remove]").click()  # owns 1.5: refused, naming it
    assert "มาตรการ 1.5" in page.locator("#pte-p1").inner_text()
    page.locator("#person-p1 select[name=takeover]").select_option("group:admin")
    page.locator("#person-p1 button[value=remove]").click()
    page.wait_for_url("**#people")
    assert page.locator("#person-p1").count() == 0
    page.screenshot(path=ARTIFACTS / f"{label}-editor-1-people.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

    # steps: added at the row, with the focus; pasted as a list, numbering gone
    page.click("text=แก้ไขมาตรการ ๑.๑")
    page.click("#add-step")
    page.wait_for_selector("#f-step-5-title")
    assert page.evaluate("document.activeElement.id") == "f-step-5-title"
    assert page.evaluate("window.scrollY") > 300  # not back at the top
    page.fill("#f-step-5-title", "รายงานผลต่อศึกษาธิการจังหวัด")
    page.click("summary:has-text('วางขั้นตอนหลายขั้นตอนพร้อมกัน')")
    page.fill("#f-paste", "1. ประชุมชี้แจง\n(๒) แจ้งเวียนหนังสือ\n- สรุปผล")
    page.click("#paste-steps")
    page.wait_for_selector("#f-step-8-title")
    assert page.evaluate("document.activeElement.id") == "f-step-6-title"
    assert [page.input_value(f"#f-step-{i}-title") for i in (5, 6, 7, 8)] == [
        "รายงานผลต่อศึกษาธิการจังหวัด", "ประชุมชี้แจง", "แจ้งเวียนหนังสือ", "สรุปผล"]
    # the picker marks weekends and holidays; a day chosen on one is said beside the field
    assert "ตรงกับวันเสาร์" in page.inner_text("#off-step-2-due")
    page.fill("#f-step-6-due", "01/07/2567")
    page.click("#step-6 button.be-date-open")
    panel = page.locator("#step-6 .be-date-panel")
    saturday = panel.locator("button[data-day='6']")
    assert saturday.get_attribute("class") == "off" and "วันเสาร์" in saturday.get_attribute("aria-label")
    assert panel.locator("button[data-day='22']").get_attribute("class") == "off"  # a substitute holiday
    assert panel.locator("button[data-day='8']").get_attribute("class") in (None, "")
    saturday.click()
    assert "ตรงกับวันเสาร์" in page.inner_text("#off-step-6-due")
    page.screenshot(path=ARTIFACTS / f"{label}-editor-2-steps.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    page.click("#save-measure")
    page.wait_for_url("**/drafts/*#m0")
    assert "สรุปผล" in page.locator("#m0").inner_text()

    # a measure is deleted only when asked twice (details, then the confirming button)
    page.click("text=แก้ไขมาตรการ ๑.๗")
    assert not page.locator("#remove-measure-confirm").is_visible()
    page.click("#remove-measure")
    page.click("#remove-measure-confirm")
    page.wait_for_url(draft_url)
    assert page.locator("section.draft-measure").count() == 6

    source = _axe_source()
    violations = []
    for url in (draft_url, draft_url + "/measures/1"):
        violations += _check(page, url, source)
    assert violations == [], "\n".join(violations)

    # discarding asks first too
    page.goto(draft_url)
    assert not page.locator("#discard-confirm").is_visible()
    page.click("#discard-draft")
    page.click("#discard-confirm")
    page.wait_for_url("**/drafts/")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Draft).where(Draft.name == SEED.name)) == 0


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_confirming_names_a_director_and_lands_on_the_years_measures(browser, site, viewport, label):  # noqa: F811
    page = _sign_in(browser, site, viewport)
    page.click("#nav-import")
    page.set_input_files("input[name=file]", str(SEED))
    page.click("main button[type=submit]")
    page.wait_for_url("**/drafts/*")
    draft_url = page.url
    source = _axe_source()
    assert _check(page, draft_url, source) == []
    if page.locator("#confirm .directorless").count():
        select_ = page.locator("#confirm .director-form select").first
        select_.select_option(index=1)
        page.locator("#confirm .director-form button").first.click()
        page.wait_for_url("**#confirm")
        assert "บันทึกผู้อำนวยการกลุ่มแล้ว" in page.inner_text("main")
    page.check("#confirm input[name=past_ok]")
    page.click("#confirm-draft")
    page.wait_for_url("**/measures?cycle=*")
    assert "ปีงบประมาณ ๒๕๖๗" in page.inner_text("main")
    page.screenshot(path=ARTIFACTS / f"{label}-editor-3-confirmed.png", full_page=True)
