"""The shipped memo definitions, and every kind of bad file refused whole with its own message."""

from datetime import date

import pytest

from workflow.engine.definitions import parse_definitions, parse_item_code
from workflow.errors import DefinitionError
from workflow.onboarding.demo import SEED_FILE, seed_document


@pytest.fixture(scope="module")
def memo():
    return seed_document()


def test_memo_has_seven_measures_and_twenty_five_steps(memo):
    counts = {m["code"]: len(m["steps"]) for m in memo["measures"]}
    assert counts == {"1.1": 5, "1.2": 4, "1.3": 2, "1.4": 4, "1.5": 4, "1.6": 4, "1.7": 2}
    assert sum(counts.values()) == 25
    assert memo["fiscal_year"] == 2567
    assert memo["agency"] == "สำนักงานศึกษาธิการจังหวัดร้อยเอ็ด"


def test_memo_reviews_are_the_directors_accuracy_checks(memo):
    reviews = [(m["code"], s["number"], s["reviewer"], s["reviews"])
               for m in memo["measures"] for s in m["steps"] if s["kind"] == "review"]
    assert reviews == [("1.5", 3, "admin", 2), ("1.6", 3, "hr", 2)]
    assert memo["groups"]["admin"]["name"] == "กลุ่มอำนวยการ"
    assert memo["groups"]["hr"]["name"] == "กลุ่มบริหารงานบุคคล"


def test_memo_monitoring_rounds_and_special_deadline(memo):
    rounds = [date(2024, 5, 30), date(2024, 6, 15), date(2024, 6, 30), date(2024, 7, 15)]
    by_code = {m["code"]: m for m in memo["measures"]}
    for code in ("1.1", "1.2", "1.3", "1.5", "1.6", "1.7"):
        assert by_code[code]["monitoring"]["rounds"] == rounds
        assert by_code[code]["monitoring"]["every_days"] == 15
    assert by_code["1.4"]["monitoring"]["rounds"] == []
    assert by_code["1.4"]["monitoring"]["deadlines"] == [
        {"title": "กลุ่มงานที่รับผิดชอบกระบวนการรายงานผลการดำเนินงาน", "date": date(2024, 6, 10)}]
    for m in memo["measures"]:
        assert m["period"]["start"] == date(2024, 5, 1)
        assert m["period"]["end"] == date(2024, 7, 15)


def test_memo_named_officers_and_constraints(memo):
    by_code = {m["code"]: m for m in memo["measures"]}
    assert by_code["1.5"]["owners"]["people"] == ["pannee"]
    assert memo["people"]["pannee"]["name"] == "น.ส.พรรณี อินสำราญ"
    assert memo["people"]["pannee"]["group"] == "admin"
    assert by_code["1.6"]["owners"]["people"] == ["kamonnapa"]
    assert memo["people"]["kamonnapa"]["name"] == "น.ส.กมลนภา อุตธรรมา"
    assert memo["people"]["kamonnapa"]["group"] == "hr"
    assert [by_code[c]["constraints"] for c in ("1.1", "1.2", "1.3", "1.4", "1.5")] == [None] * 5
    assert by_code["1.6"]["constraints"] == "งบประมาณสนับสนุนการดำเนินงานไม่เพียงพอ"
    assert by_code["1.7"]["constraints"] == "งบประมาณสนับสนุนการดำเนินงานไม่เพียงพอ"


def test_memo_text_has_no_leftover_html(memo):
    text = SEED_FILE.read_text(encoding="utf-8")
    assert "<p>" not in text and "<ol" not in text and "</p>" not in text


def test_item_codes_are_kept_as_written_and_parsed(memo):
    by_code = {m["code"]: m for m in memo["measures"]}
    assert by_code["1.1"]["items"][4] == {"raw": "๐๑๔ คู่มือหรือมาตรฐานการปฏิบัติงาน", "code": "O14"}
    wrong = by_code["1.5"]["items"][3]
    assert wrong["code"] == "O14" and "O19" in wrong["note"]
    assert [i["code"] for i in by_code["1.7"]["items"]] == ["E10", "E15"]
    assert parse_item_code("๐๓๕ การดำเนินการ") == "O35"
    assert parse_item_code("E๑๕ หน่วยงาน") == "E15"
    assert parse_item_code("O4 แผน") == "O4"


GOOD = """\
agency: หน่วยงานทดสอบ
fiscal_year: 2567
groups:
  hr: {name: กลุ่มบริหารงานบุคคล}
people:
  a: {name: นายเอ, group: hr}
measures:
  - code: "1.1"
    title: ทดสอบ
    weakness: จุดอ่อน
    improvement: พัฒนา
    owners: {groups: [hr]}
    steps:
      - ขั้นแรก
      - title: ตรวจ
        kind: review
        reviewer: hr
    period: {start: พฤษภาคม 2567, end: 2567-07-15}
"""


def test_good_minimal_file_parses():
    doc = parse_definitions(GOOD, "good.yaml")
    assert doc["measures"][0]["steps"][1]["reviews"] == 1


def _problems(text):
    with pytest.raises(DefinitionError) as info:
        parse_definitions(text, "bad.yaml")
    return info.value.problems


BAD_CASES = {
    "yaml syntax": (GOOD.replace("title: ทดสอบ", "title: [ทดสอบ"), "YAML", None),
    "unknown group": (GOOD.replace("groups: [hr]}", "groups: [finance]}"), "unknown group 'finance'", 12),
    "unknown person": (GOOD.replace("owners: {groups: [hr]}", "owners: {people: [zed]}"),
                       "unknown person 'zed'", 12),
    "duplicate step numbers": (GOOD.replace("      - ขั้นแรก\n", "      - {number: 2, title: ขั้นแรก}\n")
                               .replace("kind: review\n", "kind: review\n        number: 2\n"),
                               "step number 2 repeats", 17),
    "review without reviewer": (GOOD.replace("        reviewer: hr\n", ""), "review with no reviewer", 15),
    "end before start": (GOOD.replace("end: 2567-07-15", "end: 2567-04-15"), "end (2024-04-15) is before", 18),
    "impossible date": (GOOD.replace("end: 2567-07-15", "end: 2567-02-30"), "no such date", 18),
    "duplicate key": (GOOD.replace("    title: ทดสอบ\n", "    title: ทดสอบ\n    title: ซ้ำ\n"),
                      "key 'title' repeats", 10),
    "unknown field": (GOOD.replace("    title: ทดสอบ\n", "    titel: ทดสอบ\n"), "unknown field 'titel'", 9),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_each_bad_file_gives_its_own_error_with_a_line(case):
    text, english, line = BAD_CASES[case]
    problems = _problems(text)
    messages = " | ".join(p.message_en for p in problems)
    assert english in messages, messages
    match = next(p for p in problems if english in p.message_en)
    assert match.file == "bad.yaml"
    assert match.message_th and match.message_th != match.message_en
    if line is not None:
        assert match.line == line, (match.line, str(match))
    else:
        assert match.line is not None


def test_empty_file_is_refused():
    assert "empty" in _problems("")[0].message_en
    assert "empty" in _problems("just text")[0].message_en


def test_aliases_that_expand_beyond_reason_are_refused_before_they_are_built():
    from workflow.engine.definitions import parse_definitions
    from workflow.errors import DefinitionError

    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    with pytest.raises(DefinitionError) as refused:  # 10^9 values if built
        parse_definitions(laughs, "laughs.yaml")
    assert "anchor/alias" in refused.value.problems[0].message_th
    assert "expand to too much" in refused.value.problems[0].message_en


def test_a_definitions_file_cannot_grant_admin():
    text = SEED_FILE.read_text().replace("    roles: [staff, secretariat]", "    roles: [staff, secretariat, admin]", 1)
    with pytest.raises(DefinitionError) as refused:
        parse_definitions(text, "grab.yaml")
    assert any("admin" in p.message_en and "ผู้ดูแลระบบ" in p.message_th for p in refused.value.problems)


def test_a_load_that_gives_people_roles_or_groups_directors_audits_each_change(app):
    from sqlalchemy import select

    from tests.conftest import NOW, user
    from workflow.db import db
    from workflow.engine.instantiate import instantiate
    from workflow.models import AuditEvent

    instantiate(parse_definitions(SEED_FILE.read_text(), "2567.yaml"), actor_id=None, now=NOW, source_name="2567")
    db.session.commit()
    next_year = SEED_FILE.read_text().replace("2567", "2568").replace("๒๕๖๗", "๒๕๖๘").replace(  # a year on
        "  kamonnapa:\n    name: น.ส.กมลนภา อุตธรรมา\n    group: hr",
        "  kamonnapa:\n    name: น.ส.กมลนภา อุตธรรมา\n    group: hr\n    roles: [staff, director]").replace(
        "  hr: {name: กลุ่มบริหารงานบุคคล}", "  hr: {name: กลุ่มบริหารงานบุคคล, director: kamonnapa}")
    instantiate(parse_definitions(next_year, "2568.yaml"), actor_id=None, now=NOW, source_name="2568")
    db.session.commit()
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action.in_(("user_updated", "group_updated")))
                                ).scalars().all()
    role_change = [e for e in events if e.action == "user_updated"]
    assert [(e.target_id, e.data["after"]["roles"]) for e in role_change] == [(user("kamonnapa").id,
                                                                              ["director", "staff"])]
    director_change = [e for e in events if e.action == "group_updated" and e.data["source"] == "2568"]
    assert [e.data["after"]["director"] for e in director_change] == [user("kamonnapa").id]


def test_dates_outside_the_fiscal_year_are_refused_with_their_line():
    """A cycle is one fiscal year (1 October to 30 September): a period, round or deadline typed with the wrong
    year is refused where it is written."""
    text = SEED_FILE.read_text().replace("start: พฤษภาคม 2567", "start: พฤษภาคม 2566", 1).replace(
        "rounds: [2567-05-30,", "rounds: [2568-05-30,", 1)
    with pytest.raises(DefinitionError) as refused:
        parse_definitions(text, "typo.yaml")
    problems = [p for p in refused.value.problems if "นอกปีงบประมาณ 2567" in p.message_th]
    assert len(problems) >= 2 and all(p.line for p in problems)
    assert any("ระยะเวลา" in p.message_th and "1/5/2566" in p.message_th for p in problems)
    assert any("การติดตาม" in p.message_th and "30/5/2568" in p.message_th for p in problems)
