"""Next year's measures from this year's: a draft (or the CLI's clone) with every date one year on and the OIT
item codes carried into next year's list, which renumbers; what has no successor is said, not guessed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, user
from tests.test_editor import sign_in
from tests.test_web import token
from workflow import clock
from workflow.db import db
from workflow.engine import frameworks
from workflow.errors import DefinitionError, NotFound
from workflow.models import AuditEvent, Cycle, Draft, Measure, User
from workflow.onboarding import drafts
from workflow.onboarding.nextyear import carried, carry_items, draft_from_cycle, to_source


def test_the_shipped_lists_carry_codes_year_to_year():
    y66, y68, y69 = (frameworks.shipped(k) for k in ("nacc-2566", "nacc-2568", "nacc-2569"))
    to68 = carried(y66, y68)
    assert to68["O36"] == ["O25"] and to68["O15"] == ["O9"] and to68["O31"] == to68["O32"] == ["O21"]
    assert "O42" not in to68 and "O43" not in to68  # 2568 has no measures item
    to69 = carried(y68, y69)
    assert to69["O25"] == ["O23"] and to69["O21"] == to69["O22"] == ["O20"]
    assert "O25" not in {c for codes in to69.values() for c in codes}  # 2569's O25 is new: nothing carries into it
    # two years at once goes through 2568's list: 2566's O34 (risk assessment) is 2569's O21
    through = carried(y66, y69)
    assert through["O34"] == ["O21"] and through["O36"] == ["O23"] and through["O15"] == ["O9"]
    assert "O42" not in through
    assert carried(y69, y69)["O26"] == ["O26"]


def test_a_list_that_names_a_bad_previous_code_is_refused_with_its_line():
    text = ("# itaflow framework: key=own-2570; fiscal_year=2570; follows=nacc-2569\n"
            "code\ttitle\tprevious\nO1\tโครงสร้าง\tO1\nO2\tข้อมูลผู้บริหาร\tX9\n")
    with pytest.raises(DefinitionError) as caught:
        frameworks.parse(text, "own.tsv")
    assert [p.line for p in caught.value.problems] == [4]
    no_follows = "# itaflow framework: key=own-2570\ncode\ttitle\tprevious\nO1\tโครงสร้าง\tO1\n"
    with pytest.raises(DefinitionError):
        frameworks.parse(no_follows, "own.tsv")
    ok = frameworks.parse(no_follows.replace("\tO1\n", "\tnacc-2569:O1\n"), "own.tsv")
    assert ok["items"][0]["previous"] == ["nacc-2569:O1"]


def test_carrying_rewrites_codes_and_says_what_has_no_successor():
    doc = {"measures": [{"code": "1.1", "items": [
        {"raw": "๐๓๖ แผนปฏิบัติการป้องกันการทุจริต", "code": "O36"},
        {"raw": "๐๔๒ มาตรการส่งเสริมคุณธรรม", "code": "O42"},
        {"raw": "ข้อความที่ไม่มีรหัส", "code": None},
        {"raw": "๐๒๓ นโยบาย", "code": "O23"}, {"raw": "๐๒๕ หลักเกณฑ์", "code": "O25"}]}]}
    notes = carry_items(doc, frameworks.shipped("nacc-2566"), frameworks.shipped("nacc-2568"))
    items = doc["measures"][0]["items"]
    assert [i["code"] for i in items] == ["O25", None, "O14"]  # O23 and O25 are both 2568's O14: once
    assert items[0]["raw"].startswith("O25 แผนปฏิบัติการป้องกันปราบปรามการทุจริต")
    assert any("O42" in n and "ไม่มีรายการที่ตรงกัน" in n for n in notes)
    assert any("O36 ของปีที่แล้วคือ O25" in n for n in notes)


def test_a_draft_for_next_year_from_the_seed_loads_with_the_next_lists_codes(seed):
    """The seed (2567, the 2566 numbering) gives a 2568 draft: dates one year on, codes in 2568's list (O34 ->
    O23), items 2568 dropped said on the draft, and it confirms into a cycle without an edit."""
    from workflow.people.users import add_user

    add_user(name="เลขา", email="sec@office.test", roles=["secretariat"], password=PASSWORD, actor_id=None,
             now=clock.now(), agency_id=seed.agency_id)
    db.session.commit()
    last_event = db.session.execute(select(func.max(AuditEvent.id))).scalar_one()
    actor = db.session.execute(select(User).where(User.email == "sec@office.test")).scalar_one()
    old_measure = next(m for m in seed.measures if m.code == "1.4")
    draft = draft_from_cycle(seed.id, actor_id=actor.id, now=clock.now())
    db.session.commit()
    assert draft.document["fiscal_year"] == 2568
    assert drafts.problems(draft) == []
    m14 = next(m for m in draft.document["measures"] if m["code"] == "1.4")
    assert [i["code"] for i in m14["items"]] == ["O23", "O24"]
    assert m14["period"]["end"] == "2568-07-15" and str(old_measure.period_end) == "2024-07-15"
    assert "date" not in draft.document["memo"]
    warned = " ".join(text for _line, text in draft.source["warnings"])
    assert "O10" in warned and "O42" not in warned  # 2566's privacy policy item has no 2568 successor
    assert db.session.execute(select(AuditEvent).where(AuditEvent.id > last_event,
                                                       AuditEvent.action == "draft_from_cycle")).scalar_one()
    result = drafts.confirm(draft.id, actor_id=actor.id, now=clock.now(), expected_version=draft.version,
                            past_ok=True)
    db.session.commit()
    codes = db.session.execute(select(Measure.related_items).where(Measure.cycle_id == result.cycle.id,
                                                           Measure.code == "1.4")).scalar_one()
    assert [i["code"] for i in codes] == ["O23", "O24"] and result.cycle.fiscal_year_be == 2568


def test_the_normalised_document_reads_back_as_it_was(seed):
    import yaml

    from workflow.engine.definitions import parse_definitions
    from workflow.engine.instantiate import stored_document

    doc = stored_document(seed)
    again = parse_definitions(yaml.safe_dump(to_source(doc), allow_unicode=True, sort_keys=False), "x")
    assert again["measures"] == doc["measures"] and again["groups"] == doc["groups"]


def test_an_agencys_own_list_carries_on_into_next_years_cycle(seed):
    from workflow.people.users import add_user

    admin = add_user(name="ผู้ดูแล", email="admin@office.test", roles=["admin", "secretariat"], password=PASSWORD,
                     actor_id=None, now=clock.now(), agency_id=seed.agency_id)
    own = frameworks.upload(actor_id=admin.id, now=clock.now(), name="own.tsv", text=(
        "# itaflow framework: key=own; fiscal_year=2567; measures=O1\ncode\ttitle\n"
        "O1\tมาตรการ\nO34\tการประเมินความเสี่ยงการทุจริต\n"))
    frameworks.use(seed.id, f"id:{own.id}", actor_id=admin.id, now=clock.now())
    db.session.commit()
    draft = draft_from_cycle(seed.id, actor_id=admin.id, now=clock.now())
    m14 = next(m for m in draft.document["measures"] if m["code"] == "1.4")
    assert [i["code"] for i in m14["items"]] == ["O34", "O35"]  # the same list: nothing renumbered
    result = drafts.confirm(draft.id, actor_id=admin.id, now=clock.now(), expected_version=draft.version,
                            past_ok=True)
    assert result.cycle.framework_id == own.id


def test_the_drafts_page_starts_next_year_and_refuses_a_cycle_not_ours(demo):
    client = sign_in(demo, user("juthamas").email)
    page = client.get("/drafts/").get_data(as_text=True)
    assert "เริ่มร่างปีถัดไป" in page
    cycle = db.session.execute(select(Cycle)).scalars().first()
    before = db.session.execute(select(func.count()).select_from(Draft)).scalar_one()
    for bad in ("", "999999", "abc"):
        r = client.post("/drafts/next-year", data={"csrf_token": token(client), "cycle_id": bad})
        assert r.status_code == 422 and "รอบ" in r.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(Draft)).scalar_one() == before
    r = client.post("/drafts/next-year", data={"csrf_token": token(client), "cycle_id": str(cycle.id)})
    assert r.status_code == 303
    draft = db.session.get(Draft, int(re.search(r"/drafts/(\d+)$", r.headers["Location"])[1]))
    assert draft.document["fiscal_year"] == cycle.fiscal_year_be + 1
    shown = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "วันที่ทุกวันเลื่อนไปหนึ่งปี" in shown


def test_a_cycle_of_another_agency_is_not_found(seed):
    from workflow.people import agencies
    from workflow.people.users import add_user

    other = agencies.add("other", "หน่วยงานอื่น", kind="office", parent_code=None, actor_id=None, now=clock.now())
    stranger = add_user(name="เลขาที่อื่น", email="sec@other.test", roles=["secretariat"], password=PASSWORD,
                        actor_id=None, now=clock.now(), agency_id=other.id)
    db.session.commit()
    with pytest.raises(NotFound):
        draft_from_cycle(seed.id, actor_id=stranger.id, now=clock.now())
