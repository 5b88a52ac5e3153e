"""The parent's roll-up: its units' figures as the units' own data says, filters and sorting, the spreadsheet,
the API, a read-only look into a unit, and nothing a parent may change there."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.test_web import counts, login, token
from workflow import clock
from workflow.db import db
from workflow.models import Cycle, Measure, Round, Step
from workflow.oversight import rollup
from workflow.people import agencies
from workflow.thaidate import BANGKOK, bangkok_today

UNITS = 6


@pytest.fixture
def office(demo):
    """The demo office with six schools under it, each at a different stage; one more under a child office."""
    from workflow.onboarding.demo import add_units

    main = agencies.get("main")
    add_units(main.id, UNITS, now=clock.now())
    agencies.add("area-1", "เขตพื้นที่ตัวอย่าง", kind="area", parent_code="main", actor_id=None, now=clock.now())
    agencies.add("area-1-s1", "โรงเรียนในเขต", kind="school", parent_code="area-1", actor_id=None, now=clock.now())
    db.session.commit()
    return main


def _expected(code: str, today):
    unit = agencies.get(code)
    cycle = db.session.scalar(select(Cycle).where(Cycle.agency_id == unit.id))
    steps = db.session.execute(select(Step).join(Measure).where(Measure.cycle_id == cycle.id)).scalars().all()
    overdue = [s for s in steps if s.state != "done" and s.due_on is not None and s.due_on < today]
    nxt = db.session.scalar(select(func.min(Round.held_on)).where(Round.cycle_id == cycle.id, Round.held_on >= today))
    return (len(steps), sum(s.state == "done" for s in steps), len(overdue),
            sum(s.state == "open" and s.kind == "review" for s in steps), nxt, cycle.published_at is not None)


def test_each_units_figures_are_its_own_data(office):
    today = bangkok_today(clock.now())
    rows = rollup.units(office.id, today)
    assert [r.agency.code for r in rows] == sorted([*(f"main-u{n:03d}" for n in range(1, UNITS + 1)), "area-1",
                                                     "area-1-s1"])
    by_code = {r.agency.code: r for r in rows}
    for n in range(1, UNITS + 1):
        r = by_code[f"main-u{n:03d}"]
        assert (r.total, r.done, r.overdue, r.waiting, r.next_round, r.published) == _expected(r.agency.code, today)
    assert len({by_code[f"main-u{n:03d}"].done for n in range(1, UNITS + 1)}) > 1  # different stages
    assert by_code["area-1"].cycle_id is None and by_code["area-1"].behind  # nothing loaded yet
    assert by_code["area-1-s1"].parent.code == "area-1"  # its child office
    assert all(r.late_days > 0 for r in rows if r.overdue)


def test_filters_and_sorting(office):
    today = bangkok_today(clock.now())
    assert [r.agency.code for r in rollup.units(office.id, today, kind="area")] == ["area-1"]
    assert [r.agency.code for r in rollup.units(office.id, today, under="area-1")] == ["area-1-s1"]
    by_progress = rollup.units(office.id, today, sort="percent", descending=True)
    assert [r.percent for r in by_progress] == sorted((r.percent for r in by_progress), reverse=True)
    # a unit's roll-up holds its own units only, not its parent's or siblings'
    assert rollup.units(agencies.get("area-1").id, today)[0].agency.code == "area-1-s1"
    assert rollup.units(agencies.get("main-u001").id, today) == []


def test_the_page_the_spreadsheet_and_the_api(demo, office):
    from openpyxl import load_workbook

    from workflow.models import User
    from workflow.people import tokens

    executive = login(demo, "executive")
    page = executive.get("/rollup?sort=overdue&desc=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "โรงเรียนตัวอย่างที่ 1" in html and 'aria-sort="descending"' in html and "<caption>" in html
    assert 'href="/rollup"' in executive.get("/").get_data(as_text=True)  # in the navigation of a parent
    book = load_workbook(io.BytesIO(executive.get("/rollup.xlsx?kind=school").data))
    sheet = book.active
    assert sheet.max_row == 1 + UNITS + 1 and sheet["A1"].value == "รหัส"
    assert login(demo, "staff").get("/rollup").status_code == 403
    person = db.session.execute(select(User).where(User.key == "amporn")).scalars().first()
    _token, secret = tokens.create(person.id, "api", "rollup", now=clock.now())
    db.session.commit()
    api = demo.test_client()
    items = api.get("/api/v1/rollup?kind=school", headers={"Authorization": f"Bearer {secret}"}).get_json()["items"]
    assert len(items) == UNITS + 1 and {"code", "percent", "overdue", "late_days", "behind"} <= set(items[0])
    assert api.get("/api/v1/rollup?kind=castle", headers={"Authorization": f"Bearer {secret}"}).status_code == 422


def test_a_parent_reads_a_unit_but_changes_nothing_there(demo, office):
    unit = agencies.get("main-u002")
    cycle = db.session.scalar(select(Cycle).where(Cycle.agency_id == unit.id))
    measure = cycle.measures[0]
    open_step = db.session.execute(select(Step).join(Measure).where(
        Measure.cycle_id == cycle.id, Step.state == "open", Step.kind == "task")).scalars().first()
    executive, staff = login(demo, "executive"), login(demo, "staff")
    assert executive.get("/units/main-u002").status_code == 200
    assert "ดูได้อย่างเดียว" in executive.get("/units/main-u002").get_data(as_text=True)
    assert executive.get(f"/measures/{measure.id}").status_code == 200
    assert executive.get(f"/steps/{open_step.id}").status_code == 200
    # the office's staff read only their own office
    assert staff.get(f"/measures/{measure.id}").status_code == 404
    assert staff.get("/units/main-u002").status_code == 403
    before = counts()
    for path in (f"/steps/{open_step.id}/done", f"/steps/{open_step.id}/reopen"):
        response = executive.post(path, data={"csrf_token": token(executive), "version": str(open_step.version),
                                              "reason": "x"})
        assert response.status_code in (403, 404), (path, response.status_code)
    assert counts() == before


def test_the_parent_hears_weekly_which_units_fell_behind(demo, office):
    from tasks.jobs import run_sweep
    from workflow.channels.notify import render_message
    from workflow.models import OutboxMessage, Timer

    timer = db.session.execute(select(Timer).where(Timer.kind == rollup.WEEKLY, Timer.target_id == office.id)
                               ).scalar_one()
    fire_at = timer.fire_at
    assert fire_at.astimezone(BANGKOK).weekday() < 5  # Monday, or the working day after a Monday holiday
    run_sweep(fire_at)
    run_sweep(fire_at)  # again: nothing twice
    db.session.commit()
    mails = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == rollup.WEEKLY)).scalars().all()
    assert [m.to_email for m in mails] == ["amporn@demo.itaflow.test"]  # the office's executive
    text = render_message(mails[0])[0]
    assert "โรงเรียนในเขต" in text and "ยังไม่ได้นำเข้ามาตรการ" in text  # behind: no measures yet
    assert "/rollup?sort=late_days&desc=1" in text
    following = db.session.execute(select(Timer).where(Timer.kind == rollup.WEEKLY, Timer.fired_at.is_(None),
                                                       Timer.target_id == office.id)).scalar_one()
    assert following.fire_at - fire_at >= timedelta(days=6)


def test_kept_tallies_follow_every_change_and_the_day(demo, office, monkeypatch):
    """The roll-up keeps each cycle's figures while its agency's audit chain stands still: read again unchanged,
    nothing is counted; after a step done, a review approved or sent back, or the page published, that unit
    alone is counted again; and a later day moves the overdue figures without counting anything."""
    from workflow.engine import transitions
    from workflow.models import CycleTally, User, UserRole
    from workflow.publishing import publication

    counted: list[list[int]] = []
    real = rollup.count
    monkeypatch.setattr(rollup, "count", lambda seqs: counted.append(sorted(seqs)) or real(seqs))
    today = bangkok_today(clock.now())

    def check(day=today):
        db.session.commit()
        by_code = {r.agency.code: r for r in rollup.units(office.id, day)}
        db.session.commit()
        for n in range(1, UNITS + 1):
            r = by_code[f"main-u{n:03d}"]
            expected = _expected(r.agency.code, day)
            assert (r.total, r.done, r.overdue, r.waiting, r.next_round, r.published) == expected, r.agency.code

    check()
    assert len(counted[-1]) == UNITS and db.session.scalar(select(func.count()).select_from(CycleTally)) == UNITS
    check()
    assert len(counted) == 1  # unchanged: nothing counted again
    unit = agencies.get("main-u002")
    cycle = db.session.scalar(select(Cycle).where(Cycle.agency_id == unit.id))

    def a_step(kind: str) -> Step:
        return db.session.execute(select(Step).join(Measure).where(
            Measure.cycle_id == cycle.id, Step.state == "open", Step.kind == kind).order_by(Step.id)).scalars().first()

    task = a_step("task")
    owner = task.owner_user_id or db.session.execute(select(User.id).where(
        User.agency_id == unit.id, User.group_id == task.owner_group_id)).scalars().first()
    transitions.complete(task.id, actor_id=owner, now=clock.now(), expected_version=task.version)
    check()
    assert counted[-1] == [cycle.id]
    review = a_step("review")
    assert review is not None  # the demo's second unit has one waiting
    if review is not None:
        director = (review.reviewer_group.acting_director_id or review.reviewer_group.director_id)
        transitions.send_back(review.id, actor_id=director, now=clock.now(), expected_version=review.version,
                              reason="ขาดเอกสารแนบ")
        check()
        assert counted[-1] == [cycle.id]
    admin = db.session.execute(select(User).join(UserRole).where(User.agency_id == unit.id, UserRole.role == "admin")
                               ).scalars().first()
    publication.set_published(cycle.id, not cycle.published_at, actor_id=admin.id, now=clock.now())
    check()
    assert counted[-1] == [cycle.id]
    calls = len(counted)
    for later in (today + timedelta(days=20), today + timedelta(days=90)):
        check(later)
    assert len(counted) == calls  # another day: the same tallies, other overdue figures


@pytest.fixture
def tree(demo):
    """The demo office over two areas: one with two schools at different stages, one with 60 schools that have
    loaded nothing yet (a list longer than a page); and one school of its own."""
    from workflow.onboarding.demo import add_units

    main = agencies.get("main")
    now = clock.now()
    agencies.add("area-a", "เขตพื้นที่ ก", kind="area", parent_code="main", actor_id=None, now=now)
    agencies.add("area-b", "เขตพื้นที่ ข", kind="area", parent_code="main", actor_id=None, now=now)
    add_units(agencies.get("area-a").id, 2, now=now)
    for n in range(60):
        agencies.add(f"area-b-s{n:02d}", f"โรงเรียนบ้านตัวอย่าง {n}", kind="school", parent_code="area-b",
                     actor_id=None, now=now)
    add_units(main.id, 1, now=now)
    db.session.commit()
    return main


def test_the_level_below_first_with_its_units_totals_and_who_is_behind(tree):
    today = bangkok_today(clock.now())
    seen = rollup.overview(tree.id, today)
    assert [o.agency.code for o in seen.offices] == ["area-b", "area-a"]  # the most behind first
    b, a = seen.offices
    assert (b.units, b.behind, b.no_cycle, b.total) == (60, 60, 60, 0)
    assert len(b.worst) == rollup.WORST and all(r.cycle_id is None for r in b.worst)
    units_a = [r for r in rollup.units(tree.id, today) if r.parent and r.parent.code == "area-a"]
    assert a.units == 2 and a.total == sum(r.total for r in units_a) and a.done == sum(r.done for r in units_a)
    assert a.overdue == sum(r.overdue for r in units_a) and a.behind == sum(r.behind for r in units_a)
    assert seen.all_units == 65 and seen.matched == 65 and seen.pages == 2 and len(seen.units) == rollup.PER_PAGE
    assert len(rollup.overview(tree.id, today, page=2).units) == 15
    assert rollup.overview(tree.id, today, page=99).page == 2  # past the end: the last page
    # filters and search
    assert [r.agency.code for r in rollup.overview(tree.id, today, q="ตัวอย่าง 5").units] == [
        "area-b-s05", *(f"area-b-s{n}" for n in range(50, 60))]
    assert rollup.overview(tree.id, today, q="AREA-A").matched == 3  # codes too, any case
    assert rollup.overview(tree.id, today, kind="area").matched == 2
    assert rollup.overview(tree.id, today, behind=True).matched == seen.all_behind
    below = rollup.overview(tree.id, today, under="area-b")
    assert below.offices == [] and below.matched == 60 and [c.code for c in below.chain] == ["area-b"]
    with pytest.raises(rollup.NotFound):
        rollup.overview(tree.id, today, under="main")  # not one of its own units
    # the spreadsheet: the whole list the filters keep, not a page
    assert len(rollup.matching(tree.id, today)) == 65


def test_an_unchanged_roll_up_is_read_with_one_statement(tree):
    """The mirror: a view with nothing changed anywhere asks the database one small question; a change in one
    unit reads that unit again, not the others."""
    from sqlalchemy import event

    today = bangkok_today(clock.now())
    top = tree.id
    rollup.overview(top, today)
    db.session.commit()
    unit = agencies.get("main-u001")
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        rollup.overview(top, today, q="ตัวอย่าง", sort="late_days", descending=True)
        db.session.commit()
        assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1, statements
        agencies._rename(unit, "โรงเรียนตัวอย่างที่ ๑ (ชื่อใหม่)", actor_id=None, now=clock.now())
        db.session.commit()
        statements.clear()
        after = rollup.overview(top, today, q="ชื่อใหม่")
        assert [r.agency.code for r in after.units] == ["main-u001"]
        assert sum(1 for s in statements if "IN (" in s.upper() or "= ANY" in s.upper()) <= 4  # that unit alone
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def test_the_roll_up_page_pages_and_its_api(demo, tree):
    from openpyxl import load_workbook

    from workflow.models import User
    from workflow.people import tokens

    executive = login(demo, "executive")
    html = executive.get("/rollup").get_data(as_text=True)
    assert 'id="offices"' in html and html.count('<tr class="behind">') >= 2
    assert "เขตพื้นที่ ข" in html and 'rel="next"' in html and "แสดง ๑–๕๐ จาก ๖๕ แห่ง" in html
    second = executive.get("/rollup?page=2").get_data(as_text=True)
    assert "แสดง ๕๑–๖๕ จาก ๖๕ แห่ง" in second and 'rel="prev"' in second
    below = executive.get("/rollup?under=area-b&behind=1&sort=late_days&desc=1").get_data(as_text=True)
    assert 'aria-current="page">เขตพื้นที่ ข</span>' in below and 'id="offices"' not in below
    assert executive.get("/rollup?under=no-such-unit").status_code == 404
    found = executive.get("/rollup?q=%E0%B8%95%E0%B8%B1%E0%B8%A7%E0%B8%AD%E0%B8%A2%E0%B9%88%E0%B8%B2%E0%B8%87+5")
    assert "แสดง ๑–๑๑ จาก ๑๑ แห่ง" in found.get_data(as_text=True)
    book = load_workbook(io.BytesIO(executive.get("/rollup.xlsx").data))
    assert book.active.max_row == 1 + 65  # every unit, every page
    person = db.session.execute(select(User).where(User.key == "amporn")).scalars().first()
    _token, secret = tokens.create(person.id, "api", "rollup", now=clock.now())
    db.session.commit()
    api = demo.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    page = api.get("/api/v1/rollup?per_page=20&page=2&sort=code", headers=auth).get_json()
    assert (page["page"], page["per_page"], page["pages"], page["total"], page["units"]) == (2, 20, 4, 65, 65)
    assert len(page["items"]) == 20 and page["items"][0]["code"] == sorted(
        r.agency.code for r in rollup.units(tree.id, bangkok_today(clock.now())))[20]
    assert api.get("/api/v1/rollup?behind=maybe", headers=auth).status_code == 422
    assert api.get("/api/v1/rollup?page=9", headers=auth).get_json()["items"] == []
    offices = api.get("/api/v1/rollup/offices", headers=auth).get_json()["items"]
    assert [o["code"] for o in offices] == ["area-b", "area-a"] and offices[0]["behind"] == 60
    assert api.get("/api/v1/rollup/offices?under=nowhere", headers=auth).status_code == 404


def test_a_units_page_has_its_own_year_switcher(demo, tree):
    from workflow.onboarding.nextyear import clone_cycle

    unit = agencies.get("main-u001")
    first = db.session.scalar(select(Cycle).where(Cycle.agency_id == unit.id))
    own = db.session.execute(select(Cycle).where(Cycle.agency_id == agencies.get("main").id)).scalars().first()
    clone_cycle(first.id, actor_id=None, now=clock.now())
    db.session.commit()
    newer = db.session.execute(select(Cycle).where(Cycle.agency_id == unit.id, Cycle.id != first.id)).scalar_one()
    executive = login(demo, "executive")
    page = executive.get("/units/main-u001").get_data(as_text=True)
    assert 'class="years' in page and f'href="/units/main-u001?cycle={first.id}"' in page
    assert f"{newer.fiscal_year_be}".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")) in page
    older = executive.get(f"/units/main-u001?cycle={first.id}").get_data(as_text=True)
    assert f'href="/units/main-u001?cycle={first.id}" aria-current="page"' in older
    assert executive.get(f"/units/main-u001?cycle={own.id}").status_code == 404  # not the unit's own year


def test_a_view_patched_with_what_changed_is_the_view_worked_out_afresh(tree):
    """The page keeps what it worked out and patches only the units that changed: the figures are those of a
    process that starts from nothing."""
    from flask import current_app

    from workflow.engine import transitions
    from workflow.models import User

    today = bangkok_today(clock.now())

    def figures():
        seen = rollup.overview(tree.id, today, sort="late_days", descending=True, per_page=100)
        db.session.commit()
        return ([(o.agency.code, o.units, o.behind, o.total, o.done, o.overdue, o.late_days, o.waiting,
                  [w.agency.code for w in o.worst]) for o in seen.offices],
                [(r.agency.code, r.total, r.done, r.overdue, r.waiting) for r in seen.units], seen.all_behind)

    figures()
    unit = agencies.get("area-a-u001")
    cycle = db.session.scalar(select(Cycle).where(Cycle.agency_id == unit.id))
    task = db.session.execute(select(Step).join(Measure).where(
        Measure.cycle_id == cycle.id, Step.state == "open", Step.kind == "task").order_by(Step.id)).scalars().first()
    owner = task.owner_user_id or db.session.execute(select(User.id).where(
        User.agency_id == unit.id, User.group_id == task.owner_group_id)).scalars().first()
    transitions.complete(task.id, actor_id=owner, now=clock.now(), expected_version=task.version)
    db.session.commit()
    mirror = current_app.extensions["itaflow_rollup"]
    shape, kept = mirror.shape, next(iter(mirror.views.values()))
    patched = figures()
    assert mirror.shape == shape and next(iter(mirror.views.values())) is kept  # patched, not worked out again
    current_app.extensions.pop("itaflow_rollup")
    assert patched == figures()
    agencies.add("area-b-new", "โรงเรียนใหม่", kind="school", parent_code="area-b", actor_id=None, now=clock.now())
    db.session.commit()
    grown = figures()
    assert grown != patched and grown[0][0][1] == 61  # area-b has one more unit
    current_app.extensions.pop("itaflow_rollup")
    assert grown == figures()
