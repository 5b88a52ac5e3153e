"""The mapping page in Debian's Chromium at desktop and phone width (issue 23): an import with a column nobody
can tell lands on it, the question is answered with the keyboard's select, the memo is read again and the draft
has its steps; axe-core clean; nothing wider than a phone."""

from __future__ import annotations

import pytest

from tests.test_accessibility import _axe_source, _check
from tests.test_browser import ARTIFACTS, DESKTOP, PHONE, browser, site  # noqa: F401 (fixtures)
from tests.test_editor_browser import _sign_in
from tests.test_mapping import memo_docx

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_an_officer_answers_what_a_column_holds(browser, site, viewport, label, tmp_path):  # noqa: F811
    memo = tmp_path / "memo.docx"
    memo.write_bytes(memo_docx())
    page = _sign_in(browser, site, viewport)
    page.click("#nav-import")
    page.set_input_files("input[name=file]", str(memo))
    page.click("main button[type=submit]")
    page.wait_for_url("**/drafts/*/mapping")
    mapping_url = page.url
    asked = page.locator("tr.ask")
    assert asked.count() == 1 and "สิ่งที่ต้องทำ" in asked.inner_text()
    assert "จัดทำข้อมูลให้เป็นปัจจุบัน" in page.locator("#unplaced-h + p + ul").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    page.screenshot(path=ARTIFACTS / f"{label}-mapping-1-asked.png", full_page=True)
    violations = _check(page, mapping_url, _axe_source())
    assert violations == [], "\n".join(violations)

    page.get_by_label("คอลัมน์ “สิ่งที่ต้องทำ” เก็บ").select_option("steps")
    page.click("button[name=then][value=draft]")
    page.wait_for_url("**/drafts/*")
    text = page.inner_text("main")
    assert "จัดทำข้อมูลให้เป็นปัจจุบัน" in text and "สรุปผลการจัดซื้อจัดจ้าง" in text
    page.goto(mapping_url)
    assert page.locator("tr.ask").count() == 0
    assert "ข้อความทุกส่วนของบันทึกอยู่ในช่องของร่างแล้ว" in page.inner_text("main") \
        or "จัดทำข้อมูล" not in page.locator("main section.card").last.inner_text()
    page.screenshot(path=ARTIFACTS / f"{label}-mapping-2-answered.png", full_page=True)
