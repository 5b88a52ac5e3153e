"""Issue 28 in Debian's Chromium at desktop and phone width, axe-core clean on every page it changed: a director
records an absence with who acts for them, the acting director approves from their queue (and it says so), the
secretariat sees who is away; the roll-up of a parent with offices (the level below first, who is behind, search,
pages, a unit's years); a monthly step's month on the pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import step, user
from tests.test_accessibility import _axe_source, _check
from tests.test_browser import ARTIFACTS, DESKTOP, PHONE, browser, sign_in, site  # noqa: F401 (fixtures)
from workflow import clock
from workflow.db import db
from workflow.people import agencies
from workflow.thaidate import bangkok_today, format_be, to_thai_digits

pytestmark = pytest.mark.slow


def _axe(browser, site: str, email: str, viewport: dict, paths: list[str]) -> list[str]:  # noqa: F811
    """axe-core on these pages, signed in as someone, at a width: the violations, one line each."""
    from tests.test_browser import PASSWORD

    context = browser.new_context(viewport=viewport, locale="th-TH", bypass_csp=True)  # to inject axe
    page = context.new_page()
    page.goto(f"{site}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/")
    found: list[str] = []
    for path in paths:
        found += _check(page, site + path, _axe_source())
    context.close()
    return found


def _fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_director_away_another_acts_and_everything_says_so(browser, site, viewport, label):  # noqa: F811
    today = bangkok_today(clock.now())
    first = format_be(today, style="numeric", digit_style="arabic")
    last = format_be(today + timedelta(days=3), style="numeric", digit_style="arabic")
    away = sign_in(browser, site, "dir-admin@demo.itaflow.test", viewport)
    away.click("#nav-profile")
    away.click("#absences-link")
    away.fill("#starts-on", last)  # the days the wrong way round: refused, said, and kept to correct
    away.fill("#ends-on", first)
    away.fill("#absence-reason", "ไปราชการ")
    away.click("#record-absence")
    assert "วันสุดท้ายต้องไม่ก่อนวันเริ่ม" in away.inner_text("#absence-error")
    assert away.input_value("#starts-on") == last and away.input_value("#absence-reason") == "ไปราชการ"
    _fits(away, viewport)
    away.fill("#starts-on", first)
    away.fill("#ends-on", last)
    away.fill("#absence-reason", "ไปราชการ")
    away.select_option("#acting-person", str(user("dir-hr").id))
    away.click("#record-absence")
    text = away.inner_text("main")
    assert "บันทึกการไม่อยู่แล้ว" in text and "ผู้รักษาราชการแทน: นายสมชาย ใจดี" in text
    away.screenshot(path=ARTIFACTS / f"{label}-28-1-absence.png", full_page=True)
    _fits(away, viewport)

    review = step("1.5", 3)
    acting = sign_in(browser, site, "dir-hr@demo.itaflow.test", viewport)
    acting.click("#nav-approvals")
    assert acting.locator(f"#review-{review.id}").count() == 1  # the absent director's review, in their queue
    acting.goto(f"{site}/steps/{review.id}")
    assert "รักษาราชการแทน ผู้อำนวยการกลุ่มอำนวยการ" in acting.inner_text("#acting-as")
    assert "นางสาววิไล ศรีสุข ไม่อยู่" in acting.inner_text("#owner-away")
    acting.screenshot(path=ARTIFACTS / f"{label}-28-2-acting.png", full_page=True)
    acting.click("#approve")
    assert "อนุมัติแล้ว" in acting.inner_text("main")
    assert "(รักษาราชการแทน ผู้อำนวยการกลุ่มอำนวยการ (นางสาววิไล ศรีสุข))" in acting.inner_text("ol.history")
    _fits(acting, viewport)

    secretariat = sign_in(browser, site, "juthamas@demo.itaflow.test", viewport)
    secretariat.click("#nav-dashboard")
    assert "นางสาววิไล ศรีสุข" in secretariat.inner_text("#away")
    secretariat.click("#away a")
    assert "ไม่อยู่ขณะนี้" in secretariat.inner_text("#absences")
    secretariat.screenshot(path=ARTIFACTS / f"{label}-28-3-away.png", full_page=True)
    _fits(secretariat, viewport)

    problems = _axe(browser, site, "dir-hr@demo.itaflow.test", viewport,
                    ["/absences", "/approvals", f"/steps/{review.id}", f"/steps/{step('1.5', 2).id}"])
    problems += _axe(browser, site, "juthamas@demo.itaflow.test", viewport, ["/absences", "/dashboard", "/audit"])
    problems += _axe(browser, site, "admin@demo.itaflow.test", viewport, ["/absences", "/admin/"])
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_roll_up_shows_the_level_below_first_and_pages_through_units(browser, site, viewport, label):  # noqa: F811
    from workflow.models import Cycle
    from workflow.onboarding.demo import add_units
    from workflow.onboarding.nextyear import clone_cycle

    now = clock.now()
    agencies.add("area-a", "เขตพื้นที่การศึกษา ก", kind="area", parent_code="main", actor_id=None, now=now)
    agencies.add("area-b", "เขตพื้นที่การศึกษา ข", kind="area", parent_code="main", actor_id=None, now=now)
    add_units(agencies.get("area-a").id, 2, now=now)
    for n in range(55):
        agencies.add(f"area-b-s{n:02d}", f"โรงเรียนบ้านตัวอย่าง {n}", kind="school", parent_code="area-b",
                     actor_id=None, now=now)
    unit = agencies.get("area-a-u001")
    first = db.session.scalar(select(Cycle).where(Cycle.agency_id == unit.id))
    clone_cycle(first.id, actor_id=None, now=now)
    db.session.commit()

    page = sign_in(browser, site, "amporn@demo.itaflow.test", viewport)
    page.click("text=หน่วยงานในสังกัด")
    assert page.locator("#offices tbody tr").count() == 2
    assert page.locator("table.rollup tbody tr").count() == 50 and page.locator("#page-next").count() == 1
    page.screenshot(path=ARTIFACTS / f"{label}-28-4-rollup.png", full_page=True)
    _fits(page, viewport)
    page.click("#page-next")
    assert "แสดง ๕๑–๕๙ จาก ๕๙ แห่ง" in page.inner_text("#units-shown")
    page.click("#offices tbody tr:has-text('เขตพื้นที่การศึกษา ข') td >> nth=1 >> a")  # who is behind there
    assert "/rollup?under=area-b" in page.url and page.locator("table.rollup tbody tr").count() == 50
    page.fill("#rollup-q", "ตัวอย่าง 5")
    page.click("form.filters button[type=submit]")
    assert page.locator("table.rollup tbody tr").count() == 6  # 5 and 50-54
    page.goto(f"{site}/units/{unit.code}")
    assert page.locator("nav.years li").count() == 2
    page.click("nav.years a:not([aria-current])")
    assert page.locator("nav.years a[aria-current=page]").count() == 1 and "?cycle=" in page.url
    page.screenshot(path=ARTIFACTS / f"{label}-28-5-unit-years.png", full_page=True)
    _fits(page, viewport)
    problems = _axe(browser, site, "amporn@demo.itaflow.test", viewport,
                    ["/rollup", "/rollup?page=2", "/rollup?under=area-b&behind=1&sort=late_days&desc=1",
                     "/rollup?q=%E0%B9%84%E0%B8%A1%E0%B9%88%E0%B8%A1%E0%B8%B5", f"/units/{unit.code}",
                     f"/units/{unit.code}?cycle={first.id}"])
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_monthly_step_says_its_month(browser, site, viewport, label):  # noqa: F811
    from workflow.models import Step
    from workflow.vocabulary import month_words

    meetings = db.session.execute(select(Step).where(Step.recurrence == "monthly", Step.state == "open")
                                  .order_by(Step.occurrence)).scalars().all()
    page = sign_in(browser, site, "hr-staff@demo.itaflow.test", viewport)
    mine = page.inner_text("main")
    for m in meetings:
        assert f"การประชุมประจำเดือนของหน่วยงาน ({month_words(m.month)})" in mine
    page.goto(f"{site}/steps/{meetings[-1].id}")
    assert month_words(meetings[-1].month) in page.inner_text("h1")
    _fits(page, viewport)
    problems = _axe(browser, site, "hr-staff@demo.itaflow.test", viewport, ["/", f"/steps/{meetings[-1].id}"])
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_round_opened_after_its_day_counts_as_of_it_and_says_so(browser, site, viewport, label):  # noqa: F811
    """The next round's day passes with no report kept (the beat was down): ten days later its page counts as the
    day ended and says so in its heading; a step due between the round and that day is not overdue in it."""
    import time_machine

    from workflow.models import Round, Step
    from workflow.thaidate import end_of_day_utc

    today = bangkok_today(clock.now())
    rnd = next(r for r in db.session.execute(select(Round).where(Round.held_on > today).order_by(Round.held_on))
               .scalars() if r.report is None)
    held_on, round_id = rnd.held_on, rnd.id
    later = held_on + timedelta(days=10)
    due_between = [s.id for s in db.session.execute(select(Step).where(
        Step.state != "done", Step.due_on >= held_on, Step.due_on < later)).scalars()]
    assert due_between, "a step falls due between the round and the day its page is opened"
    overdue_then = db.session.scalar(select(db.func.count()).select_from(Step).where(
        Step.state != "done", Step.due_on < held_on))
    db.session.commit()
    with time_machine.travel(end_of_day_utc(later) - timedelta(hours=12), tick=True):
        from web.security import limiter

        limiter.reset()
        page = sign_in(browser, site, "juthamas@demo.itaflow.test", viewport)
        page.goto(f"{site}/rounds/{round_id}")
        heading = page.inner_text("#built-late")
        assert "จัดทำภายหลังวันติดตาม" in heading and format_be(held_on) in heading
        counted = re.search(r"ขั้นตอน \([^)]*\) · เลยกำหนด (\S+)", page.inner_text("main"))
        assert counted and counted.group(1) == to_thai_digits(str(overdue_then))
        html = page.content()
        for step_id in due_between:  # not overdue on the round's day
            assert f"· {format_be(db.session.get(Step, step_id).due_on)}</li>" not in html
        page.screenshot(path=ARTIFACTS / f"{label}-28-6-round-late.png", full_page=True)
        _fits(page, viewport)
        problems = _axe(browser, site, "juthamas@demo.itaflow.test", viewport, [f"/rounds/{round_id}"])
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_send_back_from_the_queue_e_mails_who_and_their_position(
        browser, site, app, tmp_path, viewport, label):  # noqa: F811
    """A director sends a review back from their queue in the browser; the officer's e-mail, through an SMTP
    server, names the director and their position."""
    import dataclasses
    from email.header import decode_header, make_header

    from tasks.sink import start_sink
    from tests.test_mailer import free_port
    from workflow.channels import alerts
    from workflow.channels.mailer import deliver_pending

    port = free_port()
    controller, sink = start_sink(port=port, maildir=tmp_path / "maildir")
    app.config["ITAFLOW"] = dataclasses.replace(app.config["ITAFLOW"], mail_port=port)
    try:
        review = step("1.5", 3)
        page = sign_in(browser, site, "dir-admin@demo.itaflow.test", viewport)
        page.click("#nav-approvals")
        item = page.locator(f"#review-{review.id}")
        item.locator("summary").click()
        item.locator("textarea").fill("ตัวเลขไตรมาส ๒ ไม่ตรงกับระบบ e-GP")
        item.locator("details.send-back button[type=submit]").click()
        assert page.locator(f"#review-{review.id}").count() == 0
        _fits(page, viewport)
        db.session.commit()
        moment = alerts.send_moment("sent_back", clock.now()) + timedelta(minutes=1)
        while deliver_pending(moment).claimed:
            pass
        mails = [m for m in sink.messages if m["To"] == "pannee@demo.itaflow.test"
                 and str(make_header(decode_header(m["Subject"]))).startswith("[ITA] ส่งกลับแก้ไข: มาตรการ ๑.๕")]
        assert len(mails) == 1
        text = mails[0].get_body(("plain",)).get_content()
        assert "นางสาววิไล ศรีสุข ผู้อำนวยการกลุ่มอำนวยการ ส่งกลับให้แก้ไข เหตุผล: ตัวเลขไตรมาส ๒ ไม่ตรงกับระบบ e-GP" in text
        problems = _axe(browser, site, "dir-admin@demo.itaflow.test", viewport, ["/approvals"])
    finally:
        controller.stop()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_an_officers_absence_offers_their_steps_for_reassignment(browser, site, viewport, label):  # noqa: F811
    """The admin records an officer's leave with a colleague acting; the secretariat sees her steps due meanwhile
    on the absences page and hands one to the acting colleague (proposed) from there."""
    from workflow.engine import absences as absence_service
    from workflow.models import Step

    today = bangkok_today(clock.now())
    admin = sign_in(browser, site, "admin@demo.itaflow.test", viewport)
    admin.goto(f"{site}/absences")
    admin.select_option("#absent-person", str(user("pannee").id))
    admin.fill("#starts-on", format_be(today, style="numeric", digit_style="arabic"))
    admin.fill("#ends-on", format_be(today + timedelta(days=120), style="numeric", digit_style="arabic"))
    admin.fill("#absence-reason", "อบรมหลักสูตรนักบริหาร")
    admin.select_option("#acting-person", str(user("kamonnapa").id))
    admin.click("#record-absence")
    assert "บันทึกการไม่อยู่แล้ว" in admin.inner_text("main")
    _fits(admin, viewport)

    mine = [s for s in absence_service.steps_to_cover(user("pannee").id, today + timedelta(days=120))
            if s.kind == "task"]
    assert mine
    target = mine[0].id
    secretariat = sign_in(browser, site, "juthamas@demo.itaflow.test", viewport)
    secretariat.goto(f"{site}/absences")
    assert secretariat.locator(f"#reassign-{target}").count() == 1
    proposed = secretariat.locator(f"#reassign-{target} option:checked").inner_text()
    assert proposed == f"{user('kamonnapa').name} (ผู้รักษาราชการแทน)"  # the acting colleague, proposed
    secretariat.screenshot(path=ARTIFACTS / f"{label}-28-7-reassign.png", full_page=True)
    _fits(secretariat, viewport)
    secretariat.locator(f"form:has(#reassign-{target}) button[type=submit]").click()
    secretariat.wait_for_url(f"{site}/absences")
    db.session.expire_all()
    assert db.session.get(Step, target).owner_user_id == user("kamonnapa").id
    assert secretariat.locator(f"#reassign-{target}").count() == 0
    problems = _axe(browser, site, "juthamas@demo.itaflow.test", viewport, ["/absences", f"/steps/{target}"])
    assert problems == [], "\n".join(problems)
