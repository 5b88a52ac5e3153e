"""The year's ITA framework as data: the shipped lists read and checked, a cycle shows its year's item codes
(O42/O43 in 2566-2567, O25/O26 in 2569, none in 2568), a list with duplicate codes or missing titles is refused
with its lines, and an admin's own list is stored, audited and chosen for a cycle."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.conftest import NOW
from tests.test_web import login, token
from workflow import clock
from workflow.db import db
from workflow.engine import frameworks
from workflow.errors import DefinitionError
from workflow.models import AuditEvent, Cycle, Framework
from workflow.publishing import documents


def test_the_shipped_lists():
    found = {p.stem: frameworks.parse(p.read_text(encoding="utf-8"), p.name) for p in frameworks.SHIPPED.glob("*.tsv")}
    assert {k: len(d["items"]) for k, d in found.items()} == {"nacc-2566": 43, "nacc-2568": 26, "nacc-2569": 26,
                                                              "ovec-college-2569": 23}
    assert found["nacc-2566"]["roles"] == {"measures": "O42", "report": "O43"}
    assert found["nacc-2569"]["roles"] == {"measures": "O25", "report": "O26"}
    assert found["nacc-2568"]["roles"] == {}  # 2568 has no measures item
    assert frameworks.key_for_year(2567) == "nacc-2566" and frameworks.key_for_year(2570) == "nacc-2569"


@pytest.mark.parametrize("text, line, says", [
    ("# itaflow framework: key=x-1\ncode\ttitle\nO1\tหนึ่ง\nO1\tซ้ำ\n", 4, "ซ้ำกับบรรทัด 3"),
    ("# itaflow framework: key=x-1\ncode\ttitle\nO1\t\n", 3, "ไม่มีชื่อ"),
    ("# itaflow framework: key=x-1\ncode\ttitle\nX9\tเก้า\n", 3, "ต้องเป็น O หรือ E"),
    ("# itaflow framework: key=x-1; measures=O9\ncode\ttitle\nO1\tหนึ่ง\n", 1, "measures=O9"),
    ("code\ttitle\nO1\tหนึ่ง\n", 1, "key="),
    ("# itaflow framework: key=x-1\nรหัส\tชื่อ\nO1\tหนึ่ง\n", 2, "code และ title"),
])
def test_a_bad_list_is_refused_with_its_line(text, line, says):
    with pytest.raises(DefinitionError) as refused:
        frameworks.parse(text, "list.tsv")
    assert any(p.line == line and says in p.message_th for p in refused.value.problems), refused.value.problems


@pytest.mark.parametrize("year, measures, report", [(2567, "O42", "O43"), (2568, None, None), (2569, "O25", "O26")])
def test_a_cycle_shows_its_year_s_item_codes(app, year, measures, report):
    from workflow.engine.instantiate import instantiate, shift_document
    from workflow.onboarding.demo import demo_document

    doc = demo_document(NOW.date(), as_written=True)
    shifted = shift_document(doc, lambda d: d.replace(year=d.year + year - 2567))
    shifted["fiscal_year"] = year
    cycle = instantiate(shifted, actor_id=None, now=NOW, source_name="t").cycle
    db.session.commit()
    assert frameworks.code_for(cycle, "measures") == measures and frameworks.code_for(cycle, "report") == report
    html_text = documents.render_html(documents.measures_document(cycle.id, NOW))
    if measures:
        assert f"ตอบตัวชี้วัด {measures} " in html_text
    else:
        assert 'id="oit-item"' not in html_text
    for other in {"O42", "O25"} - {measures}:
        assert f"ตอบตัวชี้วัด {other}" not in html_text


def test_an_admin_adds_a_parent_s_own_list_and_chooses_it_for_a_cycle(demo):
    admin = login(demo, "admin")
    bad = admin.post("/admin/frameworks", data={"csrf_token": token(admin), "file": (io.BytesIO(
        "# itaflow framework: key=ovec-own\ncode\ttitle\nO1\tหนึ่ง\nO1\tสอง\n".encode()), "own.tsv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "บรรทัด 4" in bad.get_data(as_text=True)
    assert db.session.execute(select(Framework).where(Framework.key == "ovec-own")).first() is None
    good = ("# itaflow framework: key=ovec-own; fiscal_year=2570; measures=O2; report=O3\n# name: รายการของ สอศ.\n"
            "code\ttitle\trequired\nO1\tโครงสร้าง\t\nO2\tมาตรการภายใน\t\nO3\tรายงานผลมาตรการ\t\n")
    r = admin.post("/admin/frameworks", data={"csrf_token": token(admin),
                                              "file": (io.BytesIO(good.encode()), "own.tsv")},
                   content_type="multipart/form-data")
    assert r.status_code == 303
    own = db.session.execute(select(Framework).where(Framework.key == "ovec-own")).scalar_one()
    cycle = db.session.execute(select(Cycle)).scalar_one()
    page = admin.get("/admin/frameworks").get_data(as_text=True)
    assert "รายการของ สอศ." in page and "nacc-2569" in page
    r = admin.post(f"/admin/frameworks/use/{cycle.id}", data={"csrf_token": token(admin),
                                                               "framework": f"id:{own.id}"})
    assert r.status_code == 303
    db.session.expire_all()
    assert frameworks.code_for(db.session.get(Cycle, cycle.id), "measures") == "O2"
    actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert {"framework_saved", "framework_chosen"} <= actions
    reports = admin.get("/reports").get_data(as_text=True)
    assert "(O2)" in reports and "(O3)" in reports
    staff = login(demo, "staff")
    assert staff.get("/admin/frameworks").status_code == 403


def test_reading_writes_nothing_and_a_shipped_list_is_stored_once_chosen(demo):
    """Documents and pages read the shipped lists from their files (a GET writes nothing); choosing one for a
    cycle stores it, once."""
    cycle = db.session.execute(select(Cycle)).scalar_one()
    documents.render_html(documents.measures_document(cycle.id, clock.now()))
    login(demo, "admin").get("/admin/frameworks")
    assert db.session.query(Framework).count() == 0
    for _ in range(2):
        frameworks.use(cycle.id, "key:nacc-2569", actor_id=_admin_id(), now=clock.now())
    assert db.session.query(Framework).count() == 1
    with pytest.raises(Exception, match="เลือกเกณฑ์"):
        frameworks.use(cycle.id, "key:no-such-list", actor_id=_admin_id(), now=clock.now())


def _admin_id() -> int:
    from tests.conftest import user

    return user("admin").id
