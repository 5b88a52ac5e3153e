"""WCAG 2.1 A and AA, as Thai government sites must meet them (DGA's Government Website Standard, TIS 2565):
axe-core (npm) injected by Playwright into Debian's Chromium, on every page each role can open, signed in as
each role and anonymous, in Thai on desktop and phone and in English on desktop. Zero violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_browser import DESKTOP, PASSWORD, PHONE, browser, site  # noqa: F401 (fixtures)
from tests.test_web import GET_MATRIX, ROLE_USERS, _ids, _url

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: not pages: files, feeds and redirects (their targets are pages of the list)
SKIP = {"healthz", "readyz", "metrics", "tasks.download", "reports.cycle_pdf", "reports.round_pdf", "reports.export",
        "public.cycle_pdf", "public.evidence_file", "public.ics_feed", "editor.download", "admin.import_memo",
        "rollup.export", "reports.answer_sheet_file"}


def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (./scripts/test does)")
    return AXE.read_text(encoding="utf-8")


def _check(page, url: str, source: str) -> list[str]:
    """The violations on the page at ``url``, one line each: rule, impact, where."""
    page.goto(url)
    page.add_script_tag(content=source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    found = []
    for v in result["violations"]:
        targets = [", ".join(node["target"]) for node in v["nodes"][:3]]
        found.append(f"{url}: {v['id']} ({v['impact']}): {v['help']} at {json.dumps(targets, ensure_ascii=False)}")
    return found


def _pages(role: str | None, ids: dict, origin: str) -> list[str]:
    from flask import current_app

    app = current_app._get_current_object()
    return [origin + _url(app, endpoint, ids) for endpoint, expected in GET_MATRIX.items()
            if endpoint not in SKIP and expected[role] == 200]


@pytest.mark.parametrize("role", [None, *ROLE_USERS])
def test_every_page_passes_axe_in_thai_and_english_on_desktop_and_phone(browser, site, role):  # noqa: F811
    source = _axe_source()
    ids = _ids()
    context = browser.new_context(viewport=DESKTOP, locale="th-TH", bypass_csp=True)  # to inject axe
    page = context.new_page()
    if role is not None:
        page.goto(f"{site}/login")
        page.fill("input[name=email]", ROLE_USERS[role])
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/")
    extra = [f"{site}/login", f"{site}/no-such-page"] if role is None else [
        f"{site}/steps/{ids['review']}", f"{site}/drafts/{ids['draft']}"]
    urls = _pages(role, ids, site) + [u for u in extra if role is None or role in ("secretariat", "admin")
                                        or "/steps/" in u]
    violations: list[str] = []
    for lang in ("th", "en"):
        page.goto(f"{site}/login" if role is None else f"{site}/")
        if page.locator("#lang-switch").get_attribute("value") == lang:
            page.click("#lang-switch")
        assert page.locator("html").get_attribute("lang") == lang
        # the phone's layout is the same in both languages: checked in Thai, the language of the office
        for viewport in ((DESKTOP, PHONE) if lang == "th" else (DESKTOP,)):
            page.set_viewport_size(viewport)
            for url in urls:
                violations += [f"[{lang} {viewport['width']}px] {v}" for v in _check(page, url, source)]
    context.close()
    assert violations == [], "\n".join(violations)


def test_the_check_finds_what_it_is_for(browser):  # noqa: F811
    """A page with an unlabelled field, text too pale to read and no language: axe says so (the test above
    can fail)."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.set_content('<html><body><main><input type="text" name="x">'
                     '<p style="color:#ccc;background:#fff">จาง</p></main></body></html>')
    page.add_script_tag(content=_axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    assert {"label", "color-contrast", "html-has-lang"} <= {v["id"] for v in result["violations"]}
