"""The dashboard: per work group as well as per measure, the overdue steps with their group and working days
late, the totals, and charts drawn on the server (with their figures in words and in a table)."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import step
from tests.test_web import login
from workflow import clock
from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.models import Cycle, Step
from workflow.oversight import dashboard
from workflow.thaidate import bangkok_today


def test_figures_by_group_add_up_and_lateness_is_in_working_days(demo):
    cycle = db.session.execute(select(Cycle)).scalar_one()
    board = dashboard.build(cycle, clock.now())
    steps = list(db.session.execute(select(Step)).scalars())
    today = bangkok_today(clock.now())
    assert board.totals.total == len(steps) == sum(g.total for g in board.groups)
    assert board.totals.done == sum(1 for s in steps if s.state == "done") == sum(g.done for g in board.groups)
    overdue = [s for s in steps if s.state != "done" and s.due_on < today]
    assert board.totals.overdue == len(overdue) == len(board.late) > 0
    calendar = WorkingCalendar()
    for late in board.late:
        assert late.working_days == calendar.working_days_between(late.step.due_on, today)
        assert late.group == dashboard.group_of(late.step).name
    assert [x.working_days for x in board.late] == sorted((x.working_days for x in board.late), reverse=True)
    hr = next(g for g in board.groups if g.name == "กลุ่มบริหารงานบุคคล")
    assert hr.total == sum(1 for s in steps if dashboard.group_of(s) and dashboard.group_of(s).name == hr.name)
    assert board.series.days[0] == min(m.period_start for m in cycle.measures)
    assert all(0 <= p <= 100 for p in board.series.planned) and board.series.planned[-1] == 100
    assert board.series.rounds and all(n >= 1 for _d, n in board.series.rounds)


def test_the_page_shows_groups_charts_and_lateness_in_words(demo):
    page = login(demo, "executive").get("/dashboard").get_data(as_text=True)
    assert page.count('role="img"') == 2 and '<title id="chart-groups-t">' in page
    assert 'id="groups-table"' in page and "กลุ่มบริหารงานบุคคล" in page
    late = page[page.index('id="late-table"'):]
    assert re.search(r"[๐-๙]+ วันทำการ", late)  # overdue said in words, not by colour alone
    assert 'id="print-dashboard"' in page
    step_id = step("1.1", 2).id
    assert f"/steps/{step_id}" in page or "ไม่มี" in late
