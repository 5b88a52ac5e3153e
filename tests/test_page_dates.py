"""Dates on the pages an officer reads are Buddhist Era, in the viewer's digits (web/filters.py), never ISO."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.test_web import login
from workflow.db import db
from workflow.models import Measure
from workflow.thaidate import format_be

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _shown(html: str) -> str:
    """What a reader sees of a page: attributes (addresses, form values) left out."""
    return re.sub(r'\s[\w-]+="[^"]*"', "", html)


def test_a_measures_deadline_reads_in_be_like_the_rest_of_the_page(demo):
    """1.4's monitoring deadline (results by 10 June) was printed as 2026-01-20 (issue 23)."""
    client = login(demo, "secretariat")
    measure = db.session.execute(select(Measure).where(Measure.code == "1.4")).scalar_one()
    deadline = measure.monitoring["deadlines"][0]
    page = client.get(f"/measures/{measure.id}").get_data(as_text=True)
    assert f"{deadline['title']} {format_be(date.fromisoformat(deadline['date']))}</li>" in page
    assert not ISO.search(_shown(page))


def test_no_page_of_the_year_prints_an_iso_date(demo):
    client = login(demo, "secretariat")
    paths = ["/", "/measures", "/dashboard", "/rounds", "/reports", "/audit", "/approvals",
             *(f"/measures/{m.id}" for m in db.session.execute(select(Measure)).scalars())]
    for path in paths:
        shown = _shown(client.get(path).get_data(as_text=True))
        found = ISO.search(shown)
        assert found is None, (path, shown[max(0, found.start() - 60):found.end() + 20] if found else "")
