"""The year on screen: the dashboard, measures, rounds and reports show one fiscal year, the current one unless
``?cycle=`` chooses another of the agency's, with a switcher listing the agency's years (BE, the viewer's digits)
once it has more than one. Another agency's cycle is not found."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.test_browser import browser, site  # noqa: F401 (fixtures)
from tests.test_web import login
from workflow import clock
from workflow.db import db
from workflow.engine.instantiate import instantiate
from workflow.models import Cycle
from workflow.onboarding.demo import demo_document
from workflow.people import agencies
from workflow.thaidate import bangkok_today, to_thai_digits

PAGES = ("/dashboard", "/measures", "/rounds", "/reports")


@pytest.fixture
def two_years(demo):
    """The demo's current year, and the memo's own year (BE 2567) loaded beside it, as an import of a past
    year's memo would."""
    current = db.session.execute(select(Cycle)).scalar_one()
    doc = demo_document(bangkok_today(clock.now()), as_written=True)
    doc["measures"] = doc["measures"][:2]  # a smaller past year: its measures are told apart by their count
    past = instantiate(doc, actor_id=None, now=clock.now(), source_name="past year",
                       agency_id=current.agency_id).cycle
    db.session.commit()
    assert past.fiscal_year_be == 2567 and current.fiscal_year_be > 2567
    return current, past


def _switcher(page: str) -> str:
    found = re.search(r'<nav class="years[^"]*"[^>]*>.*?</nav>', page, re.S)
    assert found, "no year switcher"
    return found.group(0)


def _measure_links(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/measures/(\d+)"', page)}


def test_the_switcher_lists_both_years_after_a_second_is_loaded(demo, two_years):
    current, past = two_years
    client = login(demo, "secretariat")
    for path in PAGES:
        page = client.get(path).get_data(as_text=True)
        switcher = _switcher(page)
        years = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', switcher)
        assert [y for _href, y in years] == [to_thai_digits(str(current.fiscal_year_be)), "๒๕๖๗"], path
        assert [href for href, _y in years] == [f"{path}?cycle={current.id}", f"{path}?cycle={past.id}"], path
        shown = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', switcher)
        assert shown == [to_thai_digits(str(current.fiscal_year_be))], path  # the current year by default
        assert 'id="years-label"' in switcher and 'aria-labelledby="years-label"' in switcher


def test_one_year_only_shows_no_switcher(demo):
    client = login(demo, "secretariat")
    for path in PAGES:
        assert 'class="years' not in client.get(path).get_data(as_text=True), path


def test_choosing_the_other_year_shows_its_measures_rounds_and_reports(demo, two_years):
    current, past = two_years
    client = login(demo, "secretariat")
    theirs = {m.id for m in past.measures}
    ours = {m.id for m in current.measures}
    default = client.get("/measures").get_data(as_text=True)
    assert _measure_links(default) == ours
    page = client.get(f"/measures?cycle={past.id}").get_data(as_text=True)
    assert _measure_links(page) == theirs and "ปีงบประมาณ ๒๕๖๗" in page
    assert re.findall(r'aria-current="page"[^>]*>([^<]+)<', _switcher(page)) == ["๒๕๖๗"]
    dashboard = client.get(f"/dashboard?cycle={past.id}").get_data(as_text=True)
    assert "ปีงบประมาณ ๒๕๖๗" in dashboard
    rounds = client.get(f"/rounds?cycle={past.id}").get_data(as_text=True)
    linked = {int(n) for n in re.findall(r'href="/rounds/(\d+)"', rounds)}
    assert linked == {r.id for r in past.rounds}
    reports = client.get(f"/reports?cycle={past.id}").get_data(as_text=True)
    assert f"/cycles/{past.id}/measures.pdf" in reports and f"/cycles/{current.id}/" not in reports
    assert f"/cycles/{current.id}/measures.pdf" in client.get("/reports").get_data(as_text=True)


def test_another_agencys_cycle_or_no_cycle_is_not_found(demo):
    now = clock.now()
    agencies.add("other", "หน่วยงานข้างเคียง", actor_id=None, now=now)
    doc = demo_document(bangkok_today(now), as_written=False)
    doc["agency"] = "หน่วยงานข้างเคียง"
    for person in doc["people"].values():
        person["email"] = f"other-{person['email']}" if person.get("email") else None
    theirs = instantiate(doc, actor_id=None, now=now, source_name="sibling", agency_code="other").cycle
    db.session.commit()
    client = login(demo, "secretariat")
    for path in PAGES:
        for value in (str(theirs.id), "999999", "abc", ""):
            response = client.get(f"{path}?cycle={value}")
            assert response.status_code == 404, (path, value)
            assert f"/measures/{theirs.measures[0].id}" not in response.get_data(as_text=True)


@pytest.mark.slow
def test_the_switcher_passes_axe_on_desktop_and_phone(browser, site):  # noqa: F811
    """The four pages with two years, in Thai on desktop and phone and in English: no axe-core violation, and
    the switcher is reached and followed by keyboard."""
    from tests.conftest import PASSWORD
    from tests.test_accessibility import _axe_source, _check
    from tests.test_browser import DESKTOP, PHONE
    from tests.test_web import ROLE_USERS

    current = db.session.execute(select(Cycle)).scalar_one()
    doc = demo_document(bangkok_today(clock.now()), as_written=True)
    past = instantiate(doc, actor_id=None, now=clock.now(), source_name="past year",
                       agency_id=current.agency_id).cycle
    db.session.commit()
    source = _axe_source()
    page = browser.new_context(viewport=DESKTOP, locale="th-TH", bypass_csp=True).new_page()  # to inject axe
    page.goto(f"{site}/login")
    page.fill("input[name=email]", ROLE_USERS["secretariat"])
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/")
    violations: list[str] = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in PAGES:
            violations += _check(page, f"{site}{path}?cycle={past.id}", source)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/")
    page.click("#lang-switch")
    for path in PAGES:
        violations += _check(page, f"{site}{path}", source)
    assert violations == [], "\n".join(violations)
    page.goto(f"{site}/measures")
    link = page.locator("nav.years a", has_text="2567")  # English pages: Arabic digits
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/measures?cycle={past.id}")
    assert page.locator("nav.years a[aria-current=page]").inner_text() == "2567"
    page.context.close()
