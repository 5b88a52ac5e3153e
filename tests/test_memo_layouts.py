"""Memos of other kinds of agency, in the layouts they are written in (tests/data/memos/): each reads into the
definitions a person would write by hand from it, so the cycle needs no correction (the README's table), and
what the importer did not place is reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.engine.definitions import parse_definitions
from workflow.onboarding.importer import import_memo_text, to_yaml

MEMOS = Path(__file__).resolve().parent / "data" / "memos"


def read(name: str):
    report = import_memo_text((MEMOS / name).read_text(encoding="utf-8"))
    doc = parse_definitions(to_yaml(report, name), name)  # loads as written: no hand edit needed
    return report, doc


def summary(doc: dict) -> list[dict]:
    """What a person checks against the memo, with keys replaced by names."""
    groups = {k: g["name"] for k, g in doc["groups"].items()}
    people = {k: p["name"] for k, p in doc["people"].items()}
    out = []
    for m in doc["measures"]:
        mon = m["monitoring"]
        out.append({
            "code": m["code"], "title": m["title"], "items": [i["code"] for i in m["items"]],
            "owners": [groups[g] for g in m["owners"]["groups"]] + [people[p] for p in m["owners"]["people"]],
            "steps": [(s["title"], s["kind"], s["repeat"]) for s in m["steps"]],
            "period": (m["period"]["start"].isoformat(), m["period"]["end"].isoformat()),
            "rounds": [d.isoformat() for d in mon["rounds"]] or mon["every_days"],
            "deadlines": [d["date"].isoformat() for d in mon["deadlines"]],
        })
    return out


def warnings_of(report, text: str) -> list[int | None]:
    return [line for line, message in report.warnings if text in message]


def test_a_sub_district_administration_s_one_table_for_every_measure():
    """อบต.: one table, a row a measure, with ที่ and columns of its own words; steps as "-" bullets or
    numbered; owners กอง/สำนัก/งาน joined by ร่วมกับ; periods across the fiscal year or ภายในวันที่."""
    report, doc = read("sao_one_table.txt")
    assert doc["agency"] == "องค์การบริหารส่วนตำบลหนองแวง" and doc["fiscal_year"] == 2568
    assert summary(doc) == [
        {"code": "1", "title": "การเปิดเผยแผนการดำเนินงานประจำปี", "items": ["O11"], "owners": ["กองยุทธศาสตร์และงบประมาณ"],
         "steps": [("จัดทำแผนการดำเนินงานประจำปี", "task", None),
                   ("เสนอนายกองค์การบริหารส่วนตำบลอนุมัติ", "task", None),
                   ("เผยแพร่บนเว็บไซต์ขององค์การบริหารส่วนตำบล", "task", None)],
         "period": ("2024-10-01", "2024-12-31"), "rounds": ["2024-12-31"], "deadlines": []},
        {"code": "2", "title": "การจัดซื้อจัดจ้างอย่างโปร่งใส", "items": ["O19"], "owners": ["กองคลัง", "งานพัสดุ"],
         "steps": [("จัดทำสรุปผลการจัดซื้อจัดจ้างประจำเดือน", "task", "monthly"), ("เสนอผู้บริหารลงนาม", "task", None),
                   ("เผยแพร่บนเว็บไซต์", "task", None)],
         "period": ("2024-10-01", "2025-09-30"),
         "rounds": ["2024-10-31", "2024-11-30", "2024-12-31", "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30",
                    "2025-05-31", "2025-06-30", "2025-07-31", "2025-08-31", "2025-09-30"], "deadlines": []},
        {"code": "3", "title": "การส่งเสริมคุณธรรมของบุคลากร", "items": ["O36"], "owners": ["นางสาวมณีรัตน์ ศรีสุข"],
         "steps": [("จัดทำโครงการอบรม", "task", None), ("อบรมบุคลากรทุกคน", "task", None),
                   ("สรุปผลการอบรมเสนอผู้บริหาร", "task", None)],
         "period": ("2024-11-20", "2025-03-31"), "rounds": ["2025-03-31"], "deadlines": []},
    ]
    assert doc["people"]["p1"]["group"] and doc["groups"][doc["people"]["p1"]["group"]]["name"] == "สำนักปลัด"
    # the memo's closing and signature are not a measure's, and are listed, each with its line
    assert warnings_of(report, "ข้อความนอกตารางมาตรการ") == [15, 17, 18]


def test_a_school_s_label_value_tables_under_headings():
    """โรงเรียน: a two-column table per measure (label | value), steps one a paragraph numbered (๑), a learning
    area's full name, ว่าที่ร้อยตรี, a step held at the monthly meeting (not a monthly step), no fiscal year."""
    report, doc = read("school_label_tables.txt")
    assert doc["fiscal_year"] == 2568 and warnings_of(report, "อนุมานเป็น 2568")
    got = summary(doc)
    assert [m["title"] for m in got] == ["การเปิดเผยข้อมูลการจัดซื้อจัดจ้าง", "การส่งเสริมการเรียนรู้ด้านคุณธรรม",
                                         "การรับฟังความคิดเห็นของผู้ปกครอง"]
    assert [m["items"] for m in got] == [["O19"], ["O36"], ["O30"]]
    assert got[0]["owners"] == ["นางสาวสมศรี ใจดี"] and got[2]["owners"] == ["ว่าที่ร้อยตรีสมชาย ใจกล้า"]
    assert got[1]["owners"] == ["กลุ่มสาระการเรียนรู้สังคมศึกษา ศาสนาและวัฒนธรรม", "กลุ่มบริหารงานทั่วไป"]
    assert [s[0] for s in got[0]["steps"]] == ["รวบรวมข้อมูลการจัดซื้อจัดจ้าง", "จัดทำรายงานสรุปผล",
                                              "รองผู้อำนวยการกลุ่มบริหารงานงบประมาณตรวจสอบ", "เผยแพร่บนเว็บไซต์โรงเรียน"]
    assert got[1]["steps"][1] == ("จัดกิจกรรมส่งเสริมคุณธรรมในการประชุมประจำเดือน", "task", None)
    assert got[0]["period"] == ("2025-05-01", "2025-07-15") and got[0]["rounds"] == 14  # ทุก ๒ สัปดาห์
    assert got[1]["period"] == ("2025-06-01", "2025-08-31")
    assert got[1]["rounds"] == ["2025-06-30", "2025-07-31", "2025-08-31"]
    assert got[2]["rounds"] == ["2025-06-30", "2025-07-31", "2025-08-29"]
    assert doc["measures"][1]["constraints"] is None  # "ไม่มี"
    assert warnings_of(report, "ส่วนลงนามท้ายบันทึก") == [40]


def test_a_district_office_s_pdf_text_with_numbered_clauses_and_bullets():
    """อำเภอ: text copied from a PDF: headings ข้อ N, ``label: value`` paragraphs, • bullets, CE-style digits in
    one period, ตลอดปีงบประมาณ, quarterly monitoring with a report deadline, ลงชื่อ at the end."""
    report, doc = read("district_pdf_labels.txt")
    got = summary(doc)
    assert got[0] == {"code": "1", "title": "การเผยแพร่ข้อมูลข่าวสารของหน่วยงาน", "items": ["O1", "O2"],
                      "owners": ["ฝ่ายบริหารทั่วไป", "งานธุรการ"],
                      "steps": [("ตรวจสอบข้อมูลบนเว็บไซต์", "task", None), ("ปรับปรุงข้อมูลให้เป็นปัจจุบัน", "task", None),
                                ("รายงานนายอำเภอ", "task", None)],
                      "period": ("2025-01-01", "2025-03-31"), "rounds": ["2025-02-28", "2025-03-31"], "deadlines": []}
    assert got[1]["owners"] == ["ว่าที่ร้อยตรีหญิงกนกวรรณ ทองดี"] and got[1]["period"] == ("2024-10-01", "2025-09-30")
    assert got[1]["rounds"] == ["2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30"]
    assert got[1]["deadlines"] == ["2025-09-15"]
    assert [i["raw"] for i in doc["measures"][0]["items"]] == ["O1 โครงสร้าง", "O2 ข้อมูลผู้บริหาร"]
    assert warnings_of(report, "ส่วนลงนามท้ายบันทึก") == [32]


def test_an_area_office_s_tables_with_columns_in_another_order():
    """สพป.: headings ด้านที่ N, the table's columns in another order with a period column, steps ``1)``, a
    review by a group director, monitoring every 15 days and เดือนละ ๑ ครั้ง."""
    report, doc = read("office_reordered_columns.txt")
    got = summary(doc)
    assert [m["code"] for m in got] == ["1", "2"] and [m["items"] for m in got] == [["O14"], ["O12"]]
    assert got[0]["steps"] == [("ทบทวนคู่มือการปฏิบัติงาน", "task", None), ("ปรับปรุงคู่มือให้ครบทุกกลุ่ม", "task", None),
                               ("ผู้อำนวยการกลุ่มอำนวยการตรวจสอบความถูกต้อง", "review", None),
                               ("เผยแพร่บนเว็บไซต์", "task", None)]
    assert got[0]["owners"] == ["กลุ่มอำนวยการ"] and got[0]["period"] == ("2025-03-01", "2025-05-31")
    assert got[0]["rounds"] == 15 and got[1]["rounds"] == ["2025-04-30", "2025-05-31", "2025-06-30"]
    assert doc["measures"][0]["weakness"] == "คู่มือการปฏิบัติงานยังไม่ครบทุกกลุ่ม"
    assert doc["measures"][0]["improvement"] == "คู่มือการปฏิบัติงานครบทุกกลุ่มและเผยแพร่"
    assert not warnings_of(report, "ไม่ได้นำเข้า")


@pytest.mark.parametrize("name", sorted(p.name for p in MEMOS.glob("*.txt")))
def test_every_layout_loads_into_a_cycle_without_a_hand_edit(app, name):
    from workflow import clock
    from workflow.engine.instantiate import instantiate

    _report, doc = read(name)
    result = instantiate(doc, actor_id=None, now=clock.now(), source_name=name)
    assert len(result.cycle.measures) == len(doc["measures"])


def test_the_one_table_layout_as_a_word_file_with_merged_cells():
    """The อบต.'s memo as Word writes it: a real table whose monitoring column is one cell merged down the rows
    (every measure monitored the same way), and paragraphs around it."""
    import io

    from docx import Document

    from workflow.onboarding.importer import read_memo

    lines = (MEMOS / "sao_one_table.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if "\t" in line]
    document = Document()
    for line in lines[:lines.index(next(line for line in lines if "\t" in line))]:
        document.add_paragraph(line)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if not (r >= 1 and c == len(cells) - 1):
                table.cell(r, c).text = text
    merged = table.cell(1, len(rows[0]) - 1).merge(table.cell(len(rows) - 1, len(rows[0]) - 1))
    merged.text = "สำนักปลัด ติดตามรายไตรมาส"
    document.add_paragraph("(นางสาวมณีรัตน์ ศรีสุข)")
    data = io.BytesIO()
    document.save(data)
    report, origins = read_memo(data.getvalue())
    doc = parse_definitions(to_yaml(report, "memo.docx", origins), "memo.yaml")
    assert [m["title"] for m in doc["measures"]] == ["การเปิดเผยแผนการดำเนินงานประจำปี", "การจัดซื้อจัดจ้างอย่างโปร่งใส",
                                                     "การส่งเสริมคุณธรรมของบุคลากร"]
    assert all(m["monitoring"]["text"] == "สำนักปลัด ติดตามรายไตรมาส" for m in doc["measures"])
    assert len(doc["measures"][1]["monitoring"]["rounds"]) == 4  # quarterly over the fiscal year
    signature = [line for line, message in report.warnings if "ข้อความนอกตาราง" in message]
    assert signature and origins[signature[0] - 1].startswith("ย่อหน้าที่")


def test_each_measure_numbers_its_own_rounds(app):
    """A year mixing monthly, quarterly and twice-yearly plans: the cycle meets at every month's end, but the
    twice-yearly measure's March round is its first, not the cycle's sixth ("ครั้งที่ 18" for nobody)."""
    from sqlalchemy import select

    from workflow import clock
    from workflow.engine import rounds
    from workflow.engine.instantiate import instantiate
    from workflow.models import Round

    _report, doc = read("sao_one_table.txt")
    cycle = instantiate(doc, actor_id=None, now=clock.now(), source_name="sao").cycle
    march = next(r for r in cycle.rounds if r.planned_on.isoformat() == "2025-03-31")
    assert march.number == 6
    report = rounds.build_report(march, clock.now())
    by_code = {m["code"]: m for m in report["measures"]}
    assert (by_code["2"]["round_of_measure"], by_code["2"]["rounds_of_measure"]) == (6, 12)
    assert (by_code["3"]["round_of_measure"], by_code["3"]["rounds_of_measure"]) == (1, 1)
    assert by_code["1"]["round_of_measure"] is None and not by_code["1"]["followed"]
    december = db_round(select(Round).where(Round.cycle_id == cycle.id, Round.number == 3))
    assert rounds.measure_ordinals(cycle.id)[(december.id, cycle.measures[0].id)] == 1  # quarterly: its first


def db_round(statement):
    from workflow.db import db

    return db.session.execute(statement).scalar_one()
