"""Writes the second held-out memo set (tests/data/memos/holdout2/).

Eleven ITA measures memos (มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน) in layouts real
agencies use, each with ``<name>.expected.yaml``: what a careful officer would type from the memo.
Written blind (without reading the importer or the other memo sets), for an honest final measurement.

Deterministic: fixed core properties and zip timestamps, so running it twice gives the same bytes.

    .venv/bin/python tests/data/memos/holdout2/make_holdout2.py
    .venv/bin/python -m bench.holdout --dir tests/data/memos/holdout2 -v
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
FONT = "TH SarabunPSK"
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
FY = {2568: ("2024-10-01", "2025-09-30"), 2569: ("2025-10-01", "2026-09-30")}


def th(text: str) -> str:
    """Arabic digits to Thai digits (the memo's own way of writing numbers)."""
    return text.translate(THAI)


# ---------------------------------------------------------------- docx helpers
def new_doc(size: int = 16) -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    szcs = rpr.makeelement(qn("w:szCs"), {qn("w:val"): str(size * 2)})
    rpr.append(szcs)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin, sec.right_margin = Cm(3.0), Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.0), Cm(2.0)
    cp = doc.core_properties
    cp.author = ""
    cp.last_modified_by = ""
    cp.created = dt.datetime(2024, 1, 1)
    cp.modified = dt.datetime(2024, 1, 1)
    cp.revision = 1
    return doc


def para(doc_or_cell, text: str = "", bold: bool = False, align=None, size=None, indent=None):
    p = doc_or_cell.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if indent is not None:
        p.paragraph_format.left_indent = Cm(indent)
    return p


def labelled(doc_or_cell, label: str, text: str, indent=None):
    """A paragraph with a bold label run and a plain text run."""
    p = doc_or_cell.add_paragraph()
    p.add_run(label).bold = True
    p.add_run(text)
    if indent is not None:
        p.paragraph_format.left_indent = Cm(indent)
    return p


def memo_header(doc, unit: str, number: str, date: str, subject: str, to: str):
    para(doc, "บันทึกข้อความ", bold=True, align="center", size=24)
    labelled(doc, "ส่วนราชการ ", unit)
    p = doc.add_paragraph()
    p.add_run("ที่ ").bold = True
    p.add_run(number + "\t\t\t")
    p.add_run("วันที่ ").bold = True
    p.add_run(date)
    labelled(doc, "เรื่อง ", subject)
    labelled(doc, "เรียน ", to)


def signature(doc, lines, indent=8.0):
    para(doc)
    for line in lines:
        para(doc, line, align=None, indent=indent)


def cell_lines(cell, lines, bold_first=False):
    """Write lines as separate paragraphs of a cell (the first reuses the cell's empty paragraph)."""
    if isinstance(lines, str):
        lines = [lines]
    first = True
    for i, line in enumerate(lines):
        if first:
            p = cell.paragraphs[0]
            first = False
        else:
            p = cell.add_paragraph()
        run = p.add_run(line)
        if bold_first and i == 0:
            run.bold = True


def grid(doc, rows: int, cols: int):
    t = doc.add_table(rows=rows, cols=cols)
    t.style = "Table Grid"
    return t


def landscape(doc):
    sec = doc.add_section()
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    sec.left_margin, sec.right_margin = Cm(1.5), Cm(1.5)
    return sec


def save(doc, path: Path):
    """Save with fixed zip timestamps so the bytes do not depend on when the script ran."""
    raw = io.BytesIO()
    doc.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    path.write_bytes(out.getvalue())


# ---------------------------------------------------------------- expected helpers
def step(title: str, kind: str = "task", repeat: str | None = None) -> dict:
    s = {"title": title, "kind": kind}
    if repeat:
        s["repeat"] = repeat
    return s


def review(title: str) -> dict:
    return step(title, "review")


def monthly(title: str) -> dict:
    return step(title, "task", "monthly")


def person(name: str, group: str) -> dict:
    return {"name": name, "group": group}


def measure(code, title, weakness, improvement, items, groups, people, steps, start, end, freq):
    return {
        "code": code,
        "title": title,
        "weakness": weakness,
        "improvement": improvement,
        "items": list(items),
        "owners": {"groups": list(groups), "people": list(people)},
        "steps": [s if isinstance(s, dict) else step(s) for s in steps],
        "period": {"start": start, "end": end},
        "monitoring": {"frequency": freq},
    }


def write_expected(name: str, memo: str, layout: str, hard: str, agency: str, fy: int, measures):
    data = {
        "memo": memo,
        "layout": layout,
        "hard": hard,
        "agency": agency,
        "fiscal_year": fy,
        "measures": measures,
    }
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    (HERE / f"{name}.expected.yaml").write_text(text, encoding="utf-8")


def steps_text(m) -> list[str]:
    return [s["title"] for s in m["steps"]]


# =============================================================================================
# 1. ตำรวจภูธรจังหวัด: measures in a table whose first column is มาตรการ/โครงการ, a ตัวชี้วัด column of KPIs
# =============================================================================================
def police_kpi_table():
    name = "police_measure_project_kpi"
    agency = "ตำรวจภูธรจังหวัดมหาสารคาม"
    fy = 2568
    m1 = measure(
        "1",
        "มาตรการเปิดเผยข้อมูลการใช้งบประมาณประจำปี",
        "รายงานการกำกับติดตามการใช้จ่ายงบประมาณรอบ 6 เดือน (O11) ไม่แสดงความก้าวหน้าเป็นร้อยละ และไม่ระบุปัญหาอุปสรรค",
        "จัดทำรายงานการกำกับติดตามการใช้จ่ายงบประมาณให้แสดงผลการเบิกจ่ายเป็นร้อยละ พร้อมปัญหาอุปสรรคและแนวทางแก้ไข",
        ["O11"],
        ["ฝ่ายอำนวยการ 3"],
        [person("ร.ต.อ.หญิง สุดารัตน์ พลเยี่ยม", "ฝ่ายอำนวยการ 3")],
        [
            monthly("งานงบประมาณรวบรวมผลการเบิกจ่ายจากระบบ GFMIS ทุกเดือน"),
            "จัดทำรายงานการกำกับติดตามรอบ 6 เดือนตามแบบที่ สตช. กำหนด",
            review("รอง ผบก.ภ.จว.มหาสารคาม (ด้านงานอำนวยการ) ตรวจสอบความถูกต้องของรายงาน"),
            "เผยแพร่รายงานบนเว็บไซต์ ภ.จว.มหาสารคาม",
        ],
        "2024-10-01", "2025-04-30", "quarterly",
    )
    m2 = measure(
        "2",
        "โครงการสถานีตำรวจโปร่งใส ไร้สินบน",
        "ผู้รับบริการบางส่วนยังเห็นว่ามีการเรียกรับผลประโยชน์ในการให้บริการ และไม่ทราบช่องทางการร้องเรียนของหน่วยงาน",
        "ประกาศเจตนารมณ์ไม่รับของขวัญ (No Gift Policy) และติดป้ายช่องทางร้องเรียนที่จุดบริการของทุกสถานีตำรวจในสังกัด",
        [],
        ["ฝ่ายอำนวยการ 1", "สถานีตำรวจทุกแห่งในสังกัด"],
        [],
        [
            "จัดทำประกาศ ภ.จว.มหาสารคาม เรื่อง นโยบายไม่รับของขวัญและของกำนัลทุกชนิดจากการปฏิบัติหน้าที่",
            "สถานีตำรวจทุกแห่งจัดทำป้ายช่องทางร้องเรียนพร้อม QR Code ติดที่จุดบริการประชาชน",
            "สุ่มตรวจการติดป้ายและการให้บริการของสถานีตำรวจในสังกัด",
            "สรุปผลการสุ่มตรวจเสนอ ผบก.ภ.จว.มหาสารคาม",
        ],
        "2024-12-01", "2025-03-31", "quarterly",
    )
    m3 = measure(
        "3",
        "มาตรการป้องกันการทุจริตในการจัดซื้อจัดจ้าง",
        "ยังไม่มีการรายงานผลการดำเนินการเพื่อจัดการความเสี่ยงการทุจริตในกระบวนการจัดซื้อจัดจ้าง (O33, O34)",
        "ประเมินความเสี่ยงการทุจริตในกระบวนการจัดซื้อจัดจ้าง และรายงานผลการจัดการความเสี่ยงรอบ 6 เดือนและรอบ 12 เดือน",
        ["O33", "O34"],
        [],
        [person("พ.ต.ท.ประเสริฐ คำมุงคุณ", "ฝ่ายอำนวยการ 4")],
        [
            "แต่งตั้งคณะทำงานประเมินความเสี่ยงการทุจริต",
            "วิเคราะห์และประเมินความเสี่ยงในกระบวนการจัดซื้อจัดจ้าง",
            "จัดทำแผนบริหารจัดการความเสี่ยงเสนอ ผบก.ภ.จว.มหาสารคาม เห็นชอบ",
            "รายงานผลการดำเนินการตามแผนรอบ 6 เดือนและรอบ 12 เดือน",
        ],
        "2024-10-01", "2025-09-30", "quarterly",
    )
    rows = [
        (m1, "เผยแพร่รายงานรอบ 6 เดือนภายใน 30 เม.ย. 2568 (ร้อยละ 100)", "ต.ค. 67 - เม.ย. 68",
         ["ฝ่ายอำนวยการ 3", "ร.ต.อ.หญิง สุดารัตน์ พลเยี่ยม (ฝ่ายอำนวยการ 3)"]),
        (m2, "สถานีตำรวจในสังกัด 17 แห่ง ติดป้ายครบร้อยละ 100 / เรื่องร้องเรียนการเรียกรับสินบนลดลง", "ธ.ค. 67 - มี.ค. 68",
         ["ฝ่ายอำนวยการ 1", "สถานีตำรวจทุกแห่งในสังกัด"]),
        (m3, "มีรายงานผลการจัดการความเสี่ยง 2 ครั้ง/ปี", "ตลอดปีงบประมาณ 2568",
         ["พ.ต.ท.ประเสริฐ คำมุงคุณ (ฝ่ายอำนวยการ 4)"]),
    ]

    doc = new_doc()
    memo_header(
        doc,
        th("ฝ่ายอำนวยการ 1 ตำรวจภูธรจังหวัดมหาสารคาม โทร. 0 4372 1191"),
        th("0029.(มค).11/3518"),
        th("28 พฤศจิกายน 2567"),
        th("ขออนุมัติมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568"),
        "ผบก.ภ.จว.มหาสารคาม",
    )
    para(doc, th("\tตามที่ สำนักงานตำรวจแห่งชาติ ได้กำหนดให้หน่วยในสังกัดเข้ารับการประเมินคุณธรรมและความโปร่งใส"
                  "ในการดำเนินงานของหน่วยงานภาครัฐ (Integrity and Transparency Assessment : ITA) ประจำปีงบประมาณ "
                  "พ.ศ. 2568 โดยให้หน่วยวิเคราะห์ผลการประเมินของปีที่ผ่านมา และกำหนดมาตรการส่งเสริมคุณธรรมและ"
                  "ความโปร่งใสภายในหน่วยงาน นั้น"))
    para(doc, th("\tฝ่ายอำนวยการ 1 ได้วิเคราะห์ผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2567 ของ ภ.จว.มหาสารคาม "
                  "ซึ่งได้คะแนน 84.27 คะแนน อยู่ในระดับ B และได้ยกร่างมาตรการ/โครงการ จำนวน 3 เรื่อง "
                  "พร้อมตัวชี้วัดและผู้รับผิดชอบ รายละเอียดตามตารางแนบท้ายบันทึกนี้"))
    para(doc, "\tจึงเรียนมาเพื่อโปรดพิจารณา หากเห็นชอบโปรดอนุมัติ และลงนามในหนังสือแจ้งหน่วยในสังกัดถือปฏิบัติต่อไป")
    signature(doc, ["พ.ต.ท.หญิง", "( กนกพร ศรีวงศ์ )", "สว.ฝอ.1 ภ.จว.มหาสารคาม"])
    para(doc, "- อนุมัติ -", align="center")
    signature(doc, ["พ.ต.อ.", "( ธนพล อินทรประเสริฐ )", "ผบก.ภ.จว.มหาสารคาม", th("29 พ.ย. 2567")], indent=6.0)

    landscape(doc)
    para(doc, "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", bold=True, align="center")
    para(doc, "ตำรวจภูธรจังหวัดมหาสารคาม ประจำปีงบประมาณ พ.ศ. 2568", bold=True, align="center")
    heads = ["มาตรการ/โครงการ", "ผลการประเมินที่ต้องปรับปรุง", "แนวทางการดำเนินการ", "ขั้นตอนการดำเนินการ",
             "ตัวชี้วัด", "ระยะเวลา", "ผู้รับผิดชอบ"]
    t = grid(doc, 1 + len(rows), len(heads))
    for c, h in enumerate(heads):
        cell_lines(t.cell(0, c), h, bold_first=True)
    for r, (m, kpi, period, owners) in enumerate(rows, start=1):
        cell_lines(t.cell(r, 0), f"{m['code']}. {m['title']}")
        cell_lines(t.cell(r, 1), m["weakness"])
        cell_lines(t.cell(r, 2), m["improvement"])
        cell_lines(t.cell(r, 3), [f"{i}) {s}" for i, s in enumerate(steps_text(m), start=1)])
        cell_lines(t.cell(r, 4), kpi)
        cell_lines(t.cell(r, 5), period)
        cell_lines(t.cell(r, 6), owners)
    para(doc)
    labelled(doc, "การติดตามประเมินผล : ",
             "ฝ่ายอำนวยการ 1 ติดตามความก้าวหน้าการดำเนินการตามมาตรการทุกไตรมาส "
             "และรายงานผลต่อที่ประชุมผู้บริหาร ภ.จว.มหาสารคาม")
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "ตำรวจภูธรจังหวัด: approved cover memo (police signature blocks), then a landscape 7-column table whose "
        "first column is มาตรการ/โครงการ and whose ตัวชี้วัด column holds KPIs",
        "the measure's code and title share the first column ('1. มาตรการ...'); the ตัวชี้วัด column holds KPIs "
        "(one with a date, 30 เม.ย. 2568, that is no period) and belongs to no field; OIT codes sit inside the "
        "weakness text; owners mix a unit and a ranked person with the unit in brackets; one period is "
        "'ตลอดปีงบประมาณ 2568'; the monitoring plan is one paragraph under the table",
        agency, fy, [m1, m2, m3],
    )


# =============================================================================================
# 2. สพป.: each measure a heading "มาตรการที่ ๑ ..." followed by labelled paragraphs, steps ๑) ๒) ...
# =============================================================================================
def esa_headings():
    name = "esa_measure_headings_thai_digits"
    agency = "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาชัยภูมิ เขต 3"
    fy = 2569
    data = [
        dict(
            code="1",
            title="มาตรการเผยแพร่ข้อมูลต่อสาธารณะ",
            finding="ข้อมูลข่าวประชาสัมพันธ์ (O6) และการเปิดโอกาสให้เกิดการมีส่วนร่วม (O13) ไม่เป็นปัจจุบัน "
                    "บางเดือนไม่มีการเผยแพร่ข้อมูลบนเว็บไซต์ของสำนักงาน",
            items=["O6", "O13"],
            objectives=["เพื่อให้ข้อมูลบนเว็บไซต์ของสำนักงานเป็นปัจจุบันและเผยแพร่ครบทุกเดือน"],
            steps=[
                "แต่งตั้งผู้รับผิดชอบดูแลข้อมูลบนเว็บไซต์ประจำแต่ละกลุ่ม",
                "กำหนดปฏิทินการเผยแพร่ข่าวประชาสัมพันธ์อย่างน้อยเดือนละ 4 ข่าว",
                "ผู้รับผิดชอบแต่ละกลุ่มส่งข่าวและกิจกรรมการมีส่วนร่วมให้ผู้ดูแลเว็บไซต์ทุกเดือน",
                "ผู้อำนวยการกลุ่มอำนวยการตรวจสอบความถูกต้องก่อนเผยแพร่",
                "สรุปจำนวนการเผยแพร่รายไตรมาสเสนอผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา",
            ],
            kinds=["task", "task", "monthly", "review", "task"],
            owners="กลุ่มอำนวยการ และกลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร",
            groups=["กลุ่มอำนวยการ", "กลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร"],
            people=[],
            period="1 พฤศจิกายน 2568 – 30 กันยายน 2569",
            start="2025-11-01", end="2026-09-30",
            follow="หน่วยตรวจสอบภายในติดตามผลการดำเนินงานทุกเดือน และรายงานในการประชุมผู้บริหารประจำเดือน",
            freq="monthly",
        ),
        dict(
            code="2",
            title="มาตรการส่งเสริมความโปร่งใสในการบริหารงานบุคคล",
            finding="ผู้มีส่วนได้ส่วนเสียภายในเห็นว่าการพิจารณาย้ายและเลื่อนเงินเดือนยังไม่เปิดเผยหลักเกณฑ์ให้ทราบล่วงหน้า",
            items=[],
            objectives=["เพื่อเปิดเผยหลักเกณฑ์การบริหารงานบุคคลให้บุคลากรทราบล่วงหน้า",
                        "เพื่อให้บุคลากรมีช่องทางสอบถามและโต้แย้งผลการพิจารณา"],
            steps=[
                "ประกาศหลักเกณฑ์การย้ายและการเลื่อนเงินเดือนบนเว็บไซต์และกลุ่มไลน์ของสำนักงาน",
                "จัดประชุมชี้แจงหลักเกณฑ์แก่ข้าราชการครูและบุคลากรทางการศึกษา",
                "เปิดช่องทางรับคำถามและข้อโต้แย้งผ่าน Google Form",
                "รายงานผลการพิจารณาและการตอบข้อโต้แย้งต่อ อ.ก.ค.ศ. เขตพื้นที่การศึกษา",
            ],
            kinds=["task", "task", "task", "task"],
            owners="กลุ่มบริหารงานบุคคล (นางสาวรัชนี ทองคำ นักทรัพยากรบุคคลชำนาญการ)",
            groups=["กลุ่มบริหารงานบุคคล"],
            people=[person("นางสาวรัชนี ทองคำ", "กลุ่มบริหารงานบุคคล")],
            period="ธันวาคม 2568 – มีนาคม 2569",
            start="2025-12-01", end="2026-03-31",
            follow="กลุ่มบริหารงานบุคคลรายงานความก้าวหน้าต่อผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาทุกเดือน",
            freq="monthly",
        ),
        dict(
            code="3",
            title="มาตรการป้องกันการขัดกันระหว่างประโยชน์ส่วนตนกับประโยชน์ส่วนรวม",
            finding="การประเมินความเสี่ยงการทุจริต (O24) ยังไม่ครอบคลุมกระบวนการอนุมัติงบประมาณอุดหนุนสถานศึกษา",
            items=["O24"],
            objectives=["เพื่อให้การประเมินความเสี่ยงการทุจริตครอบคลุมกระบวนการที่มีความเสี่ยงสูงของสำนักงาน"],
            steps=[
                "ทบทวนกระบวนงานที่มีความเสี่ยงร่วมกับทุกกลุ่ม",
                "ประเมินความเสี่ยงการทุจริตและจัดทำแผนบริหารความเสี่ยง",
                "ดำเนินการตามแผนและรายงานผลรอบ 6 เดือน",
            ],
            kinds=["task", "task", "task"],
            owners="หน่วยตรวจสอบภายใน",
            groups=["หน่วยตรวจสอบภายใน"],
            people=[],
            period="ตุลาคม 2568 – มิถุนายน 2569",
            start="2025-10-01", end="2026-06-30",
            follow="คณะทำงาน ITA ของสำนักงานติดตามผลทุกไตรมาส",
            freq="quarterly",
        ),
    ]
    measures = []
    for d in data:
        steps = []
        for title, kind in zip(d["steps"], d["kinds"]):
            t = th(title)
            steps.append(review(t) if kind == "review" else monthly(t) if kind == "monthly" else step(t))
        measures.append(measure(
            d["code"], th(d["title"]), th(d["finding"]), th(" ".join(d["objectives"])), d["items"],
            [th(g) for g in d["groups"]], [person(th(p["name"]), th(p["group"])) for p in d["people"]],
            steps, d["start"], d["end"], d["freq"],
        ))

    doc = new_doc()
    memo_header(
        doc,
        th("สำนักงานเขตพื้นที่การศึกษาประถมศึกษาชัยภูมิ เขต 3 กลุ่มอำนวยการ โทร. 0 4481 2345"),
        th("ศธ 04094/"),
        th("4 พฤศจิกายน 2568"),
        th("รายงานการกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ พ.ศ. 2569"),
        th("ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาประถมศึกษาชัยภูมิ เขต 3"),
    )
    para(doc, th("\tด้วยสำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน กำหนดให้สำนักงานเขตพื้นที่การศึกษาเข้ารับการประเมิน"
                  "คุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ ประจำปีงบประมาณ พ.ศ. 2569 "
                  "ซึ่งผลการประเมินปีงบประมาณ พ.ศ. 2568 ของสำนักงาน ได้คะแนน 91.36 คะแนน ระดับ A"))
    para(doc, th("\tกลุ่มอำนวยการ ในฐานะฝ่ายเลขานุการคณะทำงาน ITA ได้วิเคราะห์ผลการประเมินและกำหนดมาตรการส่งเสริม"
                  "คุณธรรมและความโปร่งใสภายในหน่วยงาน จำนวน 3 มาตรการ ดังรายละเอียดที่แนบ"))
    para(doc, "\tจึงเรียนมาเพื่อโปรดทราบ และพิจารณาลงนามในประกาศ")
    signature(doc, [th("(นางสุภาพร แก้วมณี)"), "ผู้อำนวยการกลุ่มอำนวยการ"])
    doc.add_page_break()
    para(doc, "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", bold=True, align="center")
    para(doc, th("สำนักงานเขตพื้นที่การศึกษาประถมศึกษาชัยภูมิ เขต 3 ประจำปีงบประมาณ พ.ศ. 2569"), bold=True,
         align="center")
    para(doc, th("\tจากผลการวิเคราะห์การประเมิน ITA ปี 2568 สำนักงานได้กำหนดมาตรการเพื่อแก้ไขจุดอ่อนและ"
                  "พัฒนาการดำเนินงาน ดังนี้"))
    for d, _m in zip(data, measures):
        h = doc.add_heading(level=2)
        h.add_run(th(f"มาตรการที่ {d['code']} {d['title']}"))
        para(doc, "ข้อค้นพบจากผลการประเมิน", bold=True)
        para(doc, th(d["finding"]), indent=1.0)
        para(doc, "วัตถุประสงค์", bold=True)
        if len(d["objectives"]) == 1:
            para(doc, th(d["objectives"][0]), indent=1.0)
        else:
            for i, o in enumerate(d["objectives"], start=1):
                para(doc, th(f"{i}) {o}"), indent=1.0)
        para(doc, "วิธีดำเนินการ", bold=True)
        for i, s in enumerate(d["steps"], start=1):
            para(doc, th(f"{i}) {s}"), indent=1.0)
        para(doc, "ผู้รับผิดชอบ", bold=True)
        para(doc, th(d["owners"]), indent=1.0)
        para(doc, "ระยะเวลาดำเนินการ", bold=True)
        para(doc, th(d["period"]), indent=1.0)
        para(doc, "การติดตามและรายงานผล", bold=True)
        para(doc, th(d["follow"]), indent=1.0)
    para(doc)
    para(doc, th("ประกาศ ณ วันที่ 10 พฤศจิกายน พ.ศ. 2568"), align="center")
    signature(doc, [th("(นายวิชัย ศรีสุวรรณ)"),
                    th("ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาประถมศึกษาชัยภูมิ เขต 3")], indent=5.0)
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "สพป.: cover memo, then each measure a Heading 2 'มาตรการที่ ๑ ...' followed by bold label paragraphs "
        "(ข้อค้นพบจากผลการประเมิน, วัตถุประสงค์, วิธีดำเนินการ, ผู้รับผิดชอบ, ระยะเวลาดำเนินการ, การติดตามและรายงานผล) "
        "and indented ๑) ๒) paragraphs; Thai digits throughout",
        "labels are whole paragraphs with the value in the next paragraph(s); measure 2's วัตถุประสงค์ is itself a "
        "๑) ๒) list (the improvement, not steps); OIT codes written Latin O + Thai digits (O๖, O๑๓) inside the "
        "finding; one step is monthly, one a director's check; one owner line is a group with a person and "
        "position in brackets; the signer of the announcement is not an owner",
        th(agency), fy, measures,
    )


# =============================================================================================
# 3. เทศบาล: ลำดับ | ประเด็นที่ต้องพัฒนา | แนวทาง/วิธีการ | ระยะเวลาดำเนินการ | ผู้รับผิดชอบ | หลักฐาน/ผลผลิต
# =============================================================================================
def municipality_table():
    name = "municipality_development_issues"
    agency = "เทศบาลตำบลท่าพระ"
    fy = 2569
    m1 = measure(
        "1",
        "การเปิดเผยข้อมูลการจัดซื้อจัดจ้าง",
        "ประกาศผลผู้ชนะการเสนอราคาไม่ครบทุกโครงการ และสรุปผลการจัดซื้อจัดจ้างรายเดือนเผยแพร่ล่าช้ากว่ากำหนด",
        "เผยแพร่ประกาศผู้ชนะการเสนอราคาและสรุปผลการจัดซื้อจัดจ้างรายเดือนบนเว็บไซต์เทศบาลภายใน 10 วันของเดือนถัดไป",
        ["O16", "O17"],
        [],
        [person("นางสาวอรอุมา ทองดี", "กองคลัง")],
        [
            "จัดทำทะเบียนคุมโครงการจัดซื้อจัดจ้างทุกโครงการ",
            monthly("จัดทำสรุปผลการจัดซื้อจัดจ้างรายเดือน (แบบ สขร.1) ทุกเดือน"),
            review("ผู้อำนวยการกองคลังตรวจสอบความถูกต้องก่อนเผยแพร่"),
            "ส่งข้อมูลให้งานประชาสัมพันธ์เผยแพร่บนเว็บไซต์เทศบาล",
        ],
        "2025-10-01", "2026-09-30", "quarterly",
    )
    m2 = measure(
        "2",
        "การบริหารจัดการเรื่องร้องเรียนการทุจริต",
        "ไม่มีการรายงานสถิติเรื่องร้องเรียนการทุจริตและผลการดำเนินการให้สาธารณชนทราบ",
        "จัดทำรายงานสถิติเรื่องร้องเรียนการทุจริตรายไตรมาส และเผยแพร่ผลการดำเนินการบนเว็บไซต์",
        ["O27"],
        ["งานนิติการ สำนักปลัดเทศบาล"],
        [],
        [
            "ทบทวนคู่มือการจัดการเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ",
            "จัดทำแบบรายงานสถิติเรื่องร้องเรียน",
            "รายงานสถิติและผลการดำเนินการต่อนายกเทศมนตรี",
            "เผยแพร่รายงานบนเว็บไซต์เทศบาล",
        ],
        "2025-11-01", "2026-09-30", "quarterly",
    )
    m3 = measure(
        "3",
        "การเสริมสร้างวัฒนธรรมองค์กรไม่ทนต่อการทุจริต",
        "บุคลากรบางส่วนยังไม่เข้าใจการแยกประโยชน์ส่วนตนกับประโยชน์ส่วนรวม และการรับของขวัญในเทศกาล",
        "จัดกิจกรรมส่งเสริมการรับรู้เรื่องผลประโยชน์ทับซ้อนและนโยบายไม่รับของขวัญแก่พนักงานเทศบาลทุกคน",
        [],
        ["สำนักปลัดเทศบาล", "กองการศึกษา"],
        [],
        [
            "ประกาศนโยบายไม่รับของขวัญ (No Gift Policy) ของเทศบาล",
            "จัดอบรมพนักงานเทศบาลและพนักงานจ้างเรื่องผลประโยชน์ทับซ้อน",
            "ประเมินการรับรู้ของบุคลากรหลังการอบรม",
        ],
        "2025-12-01", "2026-02-28", "quarterly",
    )
    m4 = measure(
        "4",
        "คู่มือการให้บริการประชาชน",
        "คู่มือการขออนุญาตก่อสร้างอาคารไม่ระบุระยะเวลาการให้บริการและค่าธรรมเนียม",
        "ปรับปรุงคู่มือการขออนุญาตก่อสร้างอาคารให้ระบุขั้นตอน ระยะเวลา ค่าธรรมเนียม และช่องทางร้องเรียน",
        ["O9"],
        ["กองช่าง"],
        [person("นายธีระพงษ์ มาลัยทอง", "กองช่าง")],
        [
            "รวบรวมขั้นตอนและระยะเวลาการให้บริการขออนุญาตก่อสร้างอาคาร",
            "ยกร่างคู่มือฉบับปรับปรุง",
            "เสนอคู่มือต่อปลัดเทศบาลพิจารณาเห็นชอบ",
            "เผยแพร่คู่มือที่จุดบริการและบนเว็บไซต์เทศบาล",
        ],
        "2026-01-01", "2026-03-31", "quarterly",
    )
    cells = [
        (m1, ["O16 , O17"], "ต.ค. 2568 - ก.ย. 2569",
         ["นางสาวอรอุมา ทองดี", "นักวิชาการพัสดุ กองคลัง"], "แบบ สขร.1 รายเดือน, ภาพหน้าจอเว็บไซต์"),
        (m2, ["O27"], "พ.ย. 2568 - ก.ย. 2569", ["งานนิติการ สำนักปลัดเทศบาล"],
         "รายงานสถิติเรื่องร้องเรียนรายไตรมาส"),
        (m3, [], "ธ.ค. 2568 - ก.พ. 2569", ["สำนักปลัดเทศบาล", "กองการศึกษา"],
         "ประกาศนโยบาย, รายชื่อผู้เข้าอบรม, ผลการประเมิน"),
        (m4, ["O9"], "ม.ค. - มี.ค. 2569", ["กองช่าง", "(นายธีระพงษ์ มาลัยทอง วิศวกรโยธา)"],
         "คู่มือการให้บริการฉบับปรับปรุง"),
    ]

    doc = new_doc()
    memo_header(
        doc,
        "สำนักปลัดเทศบาล งานบริหารทั่วไป เทศบาลตำบลท่าพระ",
        th("ขก 52105/"),
        th("15 ตุลาคม 2568"),
        th("การกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2569"),
        "นายกเทศมนตรีตำบลท่าพระ",
    )
    labelled(doc, "ต้นเรื่อง ", th("ตามที่สำนักงาน ป.ป.ช. ได้แจ้งผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของ"
                                    "หน่วยงานภาครัฐ (ITA) ประจำปีงบประมาณ พ.ศ. 2568 เทศบาลตำบลท่าพระได้คะแนน 78.52 คะแนน"))
    labelled(doc, "ข้อเท็จจริง ", th("สำนักปลัดเทศบาลได้วิเคราะห์ผลการประเมินรายตัวชี้วัด และกำหนดประเด็นที่ต้องพัฒนา "
                                      "จำนวน 4 ประเด็น พร้อมแนวทาง ระยะเวลา และผู้รับผิดชอบ ตามตารางท้ายบันทึกนี้"))
    labelled(doc, "ข้อเสนอ ", "เห็นควรให้ความเห็นชอบมาตรการดังกล่าว และแจ้งทุกกอง/สำนักถือปฏิบัติ")
    para(doc, "\tจึงเรียนมาเพื่อโปรดพิจารณา")
    signature(doc, [th("(นางวราภรณ์ สุขประเสริฐ)"), "หัวหน้าสำนักปลัดเทศบาล"])
    signature(doc, ["ความเห็นปลัดเทศบาล ....................................................",
                    th("(นายอนุชา พรหมวงศ์)"), "ปลัดเทศบาลตำบลท่าพระ"], indent=1.0)
    signature(doc, ["- เห็นชอบ -", th("(นายบุญเลิศ ศรีท่าพระ)"), "นายกเทศมนตรีตำบลท่าพระ"], indent=8.0)

    landscape(doc)
    para(doc, "ตารางประเด็นที่ต้องพัฒนาตามผลการประเมิน ITA และแนวทางการดำเนินการ ปีงบประมาณ พ.ศ. 2569",
         bold=True, align="center")
    heads = ["ลำดับ", "ประเด็นที่ต้องพัฒนา", "แนวทาง/วิธีการ", "ระยะเวลาดำเนินการ", "ผู้รับผิดชอบ", "หลักฐาน/ผลผลิต"]
    t = grid(doc, 1 + len(cells), len(heads))
    for c, h in enumerate(heads):
        cell_lines(t.cell(0, c), h, bold_first=True)
    for r, (m, codes, period, owners, evidence) in enumerate(cells, start=1):
        cell_lines(t.cell(r, 0), m["code"])
        title = m["title"] + (f" ({codes[0]})" if codes else "")
        cell_lines(t.cell(r, 1), [title, m["weakness"]], bold_first=True)
        cell_lines(t.cell(r, 2), [m["improvement"], "วิธีการ"]
                   + [f"({i}) {s}" for i, s in enumerate(steps_text(m), start=1)])
        cell_lines(t.cell(r, 3), period)
        cell_lines(t.cell(r, 4), owners)
        cell_lines(t.cell(r, 5), evidence)
    para(doc)
    para(doc, "การติดตามผล: คณะทำงานขับเคลื่อน ITA ของเทศบาลติดตามผลการดำเนินงานทุก 3 เดือน และรายงาน"
              "นายกเทศมนตรีทราบ")
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "เทศบาลตำบล: cover memo in ต้นเรื่อง/ข้อเท็จจริง/ข้อเสนอ form with three signatures, then a landscape table "
        "ลำดับ | ประเด็นที่ต้องพัฒนา | แนวทาง/วิธีการ | ระยะเวลาดำเนินการ | ผู้รับผิดชอบ | หลักฐาน/ผลผลิต",
        "ประเด็นที่ต้องพัฒนา holds the bold title with its OIT codes in brackets and then the weakness; แนวทาง/วิธีการ "
        "holds the improvement, a 'วิธีการ' sub-label and (1) (2) steps; หลักฐาน/ผลผลิต belongs to no field; a "
        "person's name and position/unit on two lines; 'ม.ค. - มี.ค. 2569' has the year only once; monitoring "
        "'ทุก 3 เดือน'",
        agency, fy, [m1, m2, m3, m4],
    )


# =============================================================================================
# 4. โรงพยาบาล: analysis paragraphs, then a Gantt-like table: steps in rows, ✓ in 12 month columns
# =============================================================================================
MONTHS_FY = ["ต.ค.", "พ.ย.", "ธ.ค.", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย."]


def hospital_ticks():
    name = "hospital_month_ticks"
    agency = "โรงพยาบาลพล"
    fy = 2569
    # (title, weakness, improvement, items, owner cell, groups, people, [(step, months, kind)])
    plan = [
        ("การจัดการเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ",
         "ไม่มีแผนผังขั้นตอนการจัดการเรื่องร้องเรียนการทุจริต และไม่มีการรายงานสถิติเรื่องร้องเรียน",
         "จัดทำแผนผังขั้นตอนการจัดการเรื่องร้องเรียนและรายงานสถิติเรื่องร้องเรียนทุกเดือน",
         ["O20"], ["กลุ่มงานบริหารทั่วไป"], ["กลุ่มงานบริหารทั่วไป"], [],
         [("ทบทวนคำสั่งแต่งตั้งคณะกรรมการจัดการเรื่องร้องเรียน", [0], "task"),
          ("จัดทำแผนผังขั้นตอนการจัดการเรื่องร้องเรียนและเผยแพร่บนเว็บไซต์", [1, 2], "task"),
          ("สรุปสถิติเรื่องร้องเรียนรายเดือน", list(range(12)), "monthly"),
          ("รายงานผลการจัดการเรื่องร้องเรียนต่อคณะกรรมการบริหารโรงพยาบาล", [5, 11], "task")]),
        ("การเปิดเผยข้อมูลการจัดซื้อจัดจ้าง",
         "รายงานผลการจัดซื้อจัดจ้างประจำปีไม่มีการวิเคราะห์ปัญหาอุปสรรคและข้อเสนอแนะ",
         "จัดทำรายงานผลการจัดซื้อจัดจ้างประจำปีให้มีการวิเคราะห์ผล ปัญหาอุปสรรค และแนวทางปรับปรุง",
         ["O12", "O13"], ["นายเกรียงไกร ศรีสมบัติ (งานพัสดุ)"], [], [person("นายเกรียงไกร ศรีสมบัติ", "งานพัสดุ")],
         [("จัดทำแผนการจัดซื้อจัดจ้างประจำปีและประกาศเผยแพร่", [0, 1], "task"),
          ("จัดทำสรุปผลการจัดซื้อจัดจ้างรายเดือน", list(range(1, 12)), "monthly"),
          ("จัดทำรายงานผลการจัดซื้อจัดจ้างประจำปีพร้อมการวิเคราะห์", [10], "task"),
          ("หัวหน้ากลุ่มงานบริหารทั่วไปตรวจสอบความถูกต้องของรายงาน", [10], "review"),
          ("เผยแพร่รายงานบนเว็บไซต์โรงพยาบาล", [11], "task")]),
        ("การส่งเสริมจริยธรรมและการป้องกันผลประโยชน์ทับซ้อน",
         "บุคลากรใหม่ยังไม่ได้รับการชี้แจงประมวลจริยธรรมและแนวปฏิบัติการรับของขวัญ",
         "ประกาศนโยบายไม่รับของขวัญและจัดอบรมประมวลจริยธรรมให้บุคลากรทุกคน",
         [], ["กลุ่มงานทรัพยากรบุคคล", "ศูนย์คุณธรรม รพ.พล"], ["กลุ่มงานทรัพยากรบุคคล", "ศูนย์คุณธรรม รพ.พล"], [],
         [("ประกาศนโยบายไม่รับของขวัญ (No Gift Policy) ของโรงพยาบาล", [2], "task"),
          ("จัดอบรมบุคลากรเรื่องประมวลจริยธรรมและการป้องกันผลประโยชน์ทับซ้อน", [3, 4], "task"),
          ("ประเมินการรับรู้ของบุคลากรด้วยแบบสอบถามออนไลน์", [8], "task")]),
    ]
    first_day = ["2025-10-01", "2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01",
                 "2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"]
    last_day = ["2025-10-31", "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31",
                "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30"]
    measures = []
    for i, (title, weak, impr, items, _cell, groups, people, steps) in enumerate(plan, start=1):
        months = [mo for _s, ms, _k in steps for mo in ms]
        ss = [review(s) if k == "review" else monthly(s) if k == "monthly" else step(s) for s, _m, k in steps]
        measures.append(measure(str(i), title, weak, impr, items, groups, people, ss,
                                first_day[min(months)], last_day[max(months)], "quarterly"))

    doc = new_doc()
    memo_header(
        doc,
        "กลุ่มงานบริหารทั่วไป โรงพยาบาลพล อำเภอพล จังหวัดขอนแก่น โทร. 0 4341 4444 ต่อ 101",
        "ขก 0032.301/",
        "20 ตุลาคม 2568",
        "ขออนุมัติมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ 2569",
        "ผู้อำนวยการโรงพยาบาลพล",
    )
    para(doc, "\tตามที่ กระทรวงสาธารณสุข กำหนดให้หน่วยงานในสังกัดดำเนินการตามเกณฑ์การประเมินคุณธรรมและความโปร่งใส"
              "ในการดำเนินงานของหน่วยงานภาครัฐ (ITA) ปีงบประมาณ 2569 โดยให้มีการวิเคราะห์ผลการประเมินปีที่ผ่านมา"
              "และกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใส นั้น")
    para(doc, "\tคณะกรรมการ ITA โรงพยาบาลพล ได้ประชุมวิเคราะห์ผลการประเมินเมื่อวันที่ 14 ตุลาคม 2568 "
              "และจัดทำแผนการดำเนินงานตามมาตรการ จำนวน 3 มาตรการ รายละเอียดดังแนบ")
    para(doc, "\tจึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ")
    signature(doc, ["(นางสาวปิยะนุช แสนสุข)", "นักจัดการงานทั่วไปชำนาญการ"])
    signature(doc, ["อนุมัติ", "(นายแพทย์สุรเชษฐ์ วงศ์ไชย)", "ผู้อำนวยการโรงพยาบาลพล"], indent=7.0)
    doc.add_page_break()
    para(doc, "ผลการวิเคราะห์การประเมิน ITA ปีงบประมาณ 2568", bold=True, align="center")
    for i, (title, weak, impr, items, *_rest) in enumerate(plan, start=1):
        codes = f" ({', '.join(items)})" if items else ""
        para(doc, f"ประเด็นที่ {i} : {title}{codes}", bold=True)
        labelled(doc, "จุดอ่อน : ", weak, indent=1.0)
        labelled(doc, "แนวทางพัฒนา : ", impr, indent=1.0)

    landscape(doc)
    para(doc, "แผนการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส โรงพยาบาลพล ปีงบประมาณ 2569",
         bold=True, align="center")
    n_rows = 2 + sum(1 + len(p[7]) for p in plan)
    t = grid(doc, n_rows, 15)
    t.cell(0, 0).merge(t.cell(1, 0))
    t.cell(0, 1).merge(t.cell(1, 1))
    t.cell(0, 2).merge(t.cell(1, 2))
    cell_lines(t.cell(0, 0), "ที่", bold_first=True)
    cell_lines(t.cell(0, 1), "มาตรการ / กิจกรรม", bold_first=True)
    cell_lines(t.cell(0, 2), "ผู้รับผิดชอบ", bold_first=True)
    yr = t.cell(0, 3).merge(t.cell(0, 14))
    cell_lines(yr, "ปีงบประมาณ 2569", bold_first=True)
    for k, mo in enumerate(MONTHS_FY):
        cell_lines(t.cell(1, 3 + k), f"{mo} {68 if k < 3 else 69}")
    r = 2
    for i, (title, _w, _i, _it, owner_cell, _g, _p, steps) in enumerate(plan, start=1):
        cell_lines(t.cell(r, 0), str(i))
        cell_lines(t.cell(r, 1), f"มาตรการที่ {i} {title}", bold_first=True)
        cell_lines(t.cell(r, 2), owner_cell)
        t.cell(r, 3).merge(t.cell(r, 14))
        r += 1
        for j, (s, months, _k) in enumerate(steps, start=1):
            cell_lines(t.cell(r, 1), f"{i}.{j} {s}")
            for mo in months:
                cell_lines(t.cell(r, 3 + mo), "✓")
            r += 1
    para(doc)
    para(doc, "หมายเหตุ ✓ หมายถึง เดือนที่ดำเนินการ")
    labelled(doc, "การกำกับติดตาม : ", "คณะกรรมการ ITA โรงพยาบาลพล ติดตามความก้าวหน้าทุกไตรมาส "
                                        "และรายงานในที่ประชุมคณะกรรมการบริหารโรงพยาบาล")
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "โรงพยาบาลชุมชน: approved cover memo, an analysis section (ประเด็นที่ n : title (codes) / จุดอ่อน : / "
        "แนวทางพัฒนา :), then a landscape Gantt table: ที่ | มาตรการ / กิจกรรม | ผู้รับผิดชอบ | 12 month columns "
        "(ต.ค. 68 ... ก.ย. 69) under a merged 'ปีงบประมาณ 2569' header, a measure row then one row per step with ✓ marks",
        "each measure is written twice (analysis paragraphs and table row) and must be joined by its number/title; "
        "weakness and improvement come only from the analysis section; the period is the span of the ✓ months "
        "(two-digit BE years in the month headers); step numbers 1.1/1.2 are steps, not measures; the "
        "'หมายเหตุ ✓' legend belongs to no measure",
        agency, fy, measures,
    )


# =============================================================================================
# 5. มหาวิทยาลัย: English/Thai two-line headers, measures named in English and Thai, • steps
# =============================================================================================
def university_bilingual():
    name = "university_bilingual_headers"
    agency = "มหาวิทยาลัยราชภัฏบุรีรัมย์"
    fy = 2568
    m1 = measure(
        "M1",
        "Open Data – การเปิดเผยข้อมูลสาธารณะบนเว็บไซต์มหาวิทยาลัย",
        "ข้อมูลผู้บริหาร โครงสร้าง และอำนาจหน้าที่บนเว็บไซต์ไม่เป็นปัจจุบัน (O1, O2, O3)",
        "Update all public-information pages within 30 days of any change / ปรับปรุงข้อมูลพื้นฐานบนเว็บไซต์ให้เป็นปัจจุบันภายใน 30 วัน",
        ["O1", "O2", "O3"],
        ["สำนักงานอธิการบดี", "สำนักวิทยบริการและเทคโนโลยีสารสนเทศ"],
        [],
        [
            "Appoint a web content team (แต่งตั้งคณะทำงานดูแลเนื้อหาเว็บไซต์)",
            "ตรวจสอบข้อมูลพื้นฐานทุกหน้าเทียบกับคำสั่งและโครงสร้างปัจจุบัน",
            "ปรับปรุงข้อมูลบนเว็บไซต์ให้เป็นปัจจุบัน",
            review("ผู้อำนวยการสำนักงานอธิการบดีตรวจสอบความถูกต้องก่อนเผยแพร่"),
        ],
        "2024-11-01", "2025-01-31", "quarterly",
    )
    m2 = measure(
        "M2",
        "Integrity in Procurement – ความโปร่งใสในการจัดซื้อจัดจ้าง",
        "สรุปผลการจัดซื้อจัดจ้างรายเดือนของคณะและหน่วยงานภายในรวบรวมไม่ครบทุกหน่วย (O13)",
        "รวบรวมสรุปผลการจัดซื้อจัดจ้างรายเดือนจากทุกคณะผ่านระบบ e-Document และเผยแพร่ภาพรวมของมหาวิทยาลัย",
        ["O13"],
        ["กองคลัง"],
        [person("Mr. Anan Phromma", "กองคลัง")],
        [
            "แจ้งแบบฟอร์มสรุปผลรายเดือนให้ทุกคณะ/หน่วยงาน",
            monthly("Collect monthly procurement summaries from every faculty (รวบรวมทุกเดือน)"),
            "เผยแพร่สรุปผลภาพรวมของมหาวิทยาลัยบนเว็บไซต์",
        ],
        "2024-10-01", "2025-09-30", "quarterly",
    )
    m3 = measure(
        "M3",
        "Anti-corruption Culture – การสร้างวัฒนธรรมสุจริตในมหาวิทยาลัย",
        "ผลการประเมิน IIT ด้านการใช้ทรัพย์สินของราชการต่ำกว่าร้อยละ 85 บุคลากรไม่ทราบขั้นตอนการขอยืมทรัพย์สิน",
        "จัดทำคู่มือการยืมทรัพย์สินของมหาวิทยาลัยและสื่อสารให้บุคลากรทุกคนทราบ",
        [],
        ["กองบริหารงานบุคคล", "กองพัสดุ"],
        [],
        [
            "ยกร่างคู่มือการขอยืมทรัพย์สินของมหาวิทยาลัย",
            "Present the manual to the Executive Committee for approval (เสนอคณะกรรมการบริหารมหาวิทยาลัยพิจารณา)",
            "ประชาสัมพันธ์คู่มือผ่าน e-mail และ Facebook ของมหาวิทยาลัย",
            "Survey staff awareness (สำรวจการรับรู้ของบุคลากร)",
        ],
        "2025-01-01", "2025-06-30", "quarterly",
    )
    rows = [
        (m1, ["Office of the President", "(สำนักงานอธิการบดี)", "สำนักวิทยบริการและเทคโนโลยีสารสนเทศ"],
         "Nov 2567 – Jan 2568", "O1, O2, O3"),
        (m2, ["Finance Division (กองคลัง)", "Mr. Anan Phromma"], "ตลอดปีงบประมาณ พ.ศ. 2568", "O13"),
        (m3, ["กองบริหารงานบุคคล (Human Resources Division)", "กองพัสดุ"], "ม.ค. – มิ.ย. 2568", "-"),
    ]

    doc = new_doc()
    memo_header(
        doc,
        "กองนโยบายและแผน สำนักงานอธิการบดี มหาวิทยาลัยราชภัฏบุรีรัมย์ โทร. 8123",
        "อว 0621.01/",
        "1 พฤศจิกายน 2567",
        "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน (Internal Integrity and Transparency Measures) "
        "ประจำปีงบประมาณ พ.ศ. 2568",
        "อธิการบดี",
    )
    para(doc, "\tตามที่มหาวิทยาลัยได้รับผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2567 ได้คะแนน 88.10 (ระดับ A) "
              "และเพื่อให้เป็นไปตามตัวชี้วัดการประเมินปี 2568 กองนโยบายและแผนจึงได้วิเคราะห์ผลและจัดทำมาตรการ "
              "3 มาตรการ (Measures M1–M3) ตามตารางแนบ")
    para(doc, "\tจึงเรียนมาเพื่อโปรดพิจารณาให้ความเห็นชอบ")
    signature(doc, ["(Asst. Prof. Dr. Kittipong Saengthong)", "(ผู้ช่วยศาสตราจารย์ ดร.กิตติพงษ์ แสงทอง)",
                    "ผู้อำนวยการกองนโยบายและแผน"])
    landscape(doc)
    para(doc, "Internal Integrity and Transparency Measures, Fiscal Year 2568", bold=True, align="center")
    para(doc, "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน มหาวิทยาลัยราชภัฏบุรีรัมย์", bold=True,
         align="center")
    heads = [("Measure", "มาตรการ"), ("Weakness", "ประเด็นที่ต้องแก้ไข"), ("Improvement", "แนวทางการพัฒนา"),
             ("Action Steps", "ขั้นตอนการดำเนินงาน"), ("Responsible Unit", "ผู้รับผิดชอบ"),
             ("Timeline", "ระยะเวลา"), ("OIT", "ข้อที่เกี่ยวข้อง")]
    t = grid(doc, 1 + len(rows), len(heads))
    for c, (en, thai) in enumerate(heads):
        cell_lines(t.cell(0, c), [en, thai], bold_first=True)
    for r, (m, owners, timeline, codes) in enumerate(rows, start=1):
        cell_lines(t.cell(r, 0), f"{m['code']}: {m['title']}")
        cell_lines(t.cell(r, 1), m["weakness"])
        cell_lines(t.cell(r, 2), m["improvement"])
        cell_lines(t.cell(r, 3), [f"• {s}" for s in steps_text(m)])
        cell_lines(t.cell(r, 4), owners)
        cell_lines(t.cell(r, 5), timeline)
        cell_lines(t.cell(r, 6), codes)
    para(doc)
    labelled(doc, "Monitoring / การติดตามผล: ",
             "Quarterly progress report to the University Council (รายงานความก้าวหน้าทุกไตรมาสต่อสภามหาวิทยาลัย) "
             "โดยกองนโยบายและแผนเป็นผู้รวบรวม")
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "มหาวิทยาลัย: cover memo, then a landscape table whose header cells are two paragraphs, English over Thai "
        "(Measure/มาตรการ, Weakness/ประเด็นที่ต้องแก้ไข, ..., Timeline/ระยะเวลา, OIT/ข้อที่เกี่ยวข้อง); measures coded "
        "M1-M3 and named 'English – Thai'; steps as • bullets, some in English with Thai in brackets",
        "measure codes are 'M1:' prefixes, not numbers; the OIT column is separate (and '-' for none) while the "
        "weakness also repeats the codes; the improvement mixes English and Thai around a '/'; owners written in "
        "English with Thai in brackets (or the reverse), an English person name; Timeline 'Nov 2567 – Jan 2568' "
        "mixes English months with BE years; monitoring is a bilingual paragraph under the table",
        agency, fy, [m1, m2, m3],
    )


# =============================================================================================
# 6. อบต. (.txt): plain paragraphs "มาตรการที่ 1 :" ... "ขั้นตอน :" "1." ...
# =============================================================================================
def sao_plain_text():
    name = "sao_colon_labels_plain"
    agency = "องค์การบริหารส่วนตำบลโคกสะอาด"
    fy = 2569
    m1 = measure(
        "1",
        "มาตรการเสริมสร้างความโปร่งใสในการจัดซื้อจัดจ้าง",
        "การเผยแพร่แผนการจัดซื้อจัดจ้างประจำปีล่าช้า และไม่มีการรายงานผลการจัดซื้อจัดจ้างประจำปี",
        "ประกาศแผนการจัดซื้อจัดจ้างภายใน 30 วันหลังงบประมาณได้รับอนุมัติ และจัดทำรายงานผลการจัดซื้อจัดจ้างประจำปี",
        ["O14", "O17"],
        ["กองคลัง"],
        [person("นางสาวจินตนา บุญประเสริฐ", "กองคลัง")],
        [
            "จัดทำแผนการจัดซื้อจัดจ้างประจำปีงบประมาณ 2569 และประกาศในระบบ e-GP",
            "เผยแพร่แผนการจัดซื้อจัดจ้างบนเว็บไซต์ อบต. และบอร์ดประชาสัมพันธ์",
            monthly("รายงานผลการจัดซื้อจัดจ้างให้ผู้บริหารทราบทุกเดือน"),
            "จัดทำรายงานผลการจัดซื้อจัดจ้างประจำปีพร้อมปัญหาอุปสรรค",
        ],
        "2025-12-01", "2026-03-31", "monthly",
    )
    m2 = measure(
        "2",
        "มาตรการการให้บริการผ่านระบบ E-Service",
        "อบต. ยังไม่มีช่องทางการให้บริการออนไลน์ ประชาชนต้องเดินทางมายื่นคำร้องที่สำนักงาน",
        "เปิดให้บริการยื่นคำร้องทั่วไปและคำร้องขอรับเบี้ยยังชีพผ่าน Google Form และ LINE OA ของ อบต.",
        ["O18"],
        ["สำนักปลัด"],
        [person("นายวีรยุทธ ชาญณรงค์", "สำนักปลัด")],
        [
            "ออกแบบแบบฟอร์มคำร้องออนไลน์",
            "ทดลองใช้งานระบบและปรับปรุงแบบฟอร์ม",
            "ประชาสัมพันธ์ช่องทาง E-Service ผ่านหอกระจายข่าวและผู้นำชุมชน",
            "สรุปสถิติการใช้บริการรายไตรมาส",
        ],
        "2025-11-01", "2026-09-30", "monthly",
    )
    m3 = measure(
        "3",
        "มาตรการป้องกันการรับสินบน",
        "ผลการประเมิน EIT พบว่าผู้รับบริการบางส่วนเคยถูกขอให้จ่ายค่าอำนวยความสะดวกในการขออนุญาต",
        "ประกาศมาตรฐานการให้บริการและค่าธรรมเนียมที่ถูกต้อง พร้อมช่องทางแจ้งเบาะแสการเรียกรับสินบน",
        [],
        ["กองช่าง", "สำนักปลัด"],
        [],
        [
            "ประกาศค่าธรรมเนียมการขออนุญาตทุกประเภทที่จุดบริการ",
            "จัดทำกล่องรับเรื่องร้องเรียนและ QR Code แจ้งเบาะแส",
            review("ปลัด อบต. ตรวจสอบเรื่องร้องเรียนที่ได้รับทุกเรื่อง"),
            "รายงานผลต่อนายก อบต. ทุกสิ้นไตรมาส",
        ],
        "2025-10-01", "2026-09-30", "monthly",
    )
    owners_text = [
        "กองคลัง (นางสาวจินตนา บุญประเสริฐ ผู้อำนวยการกองคลัง)",
        "สำนักปลัด โดยนายวีรยุทธ ชาญณรงค์ นักวิชาการคอมพิวเตอร์",
        "กองช่าง และสำนักปลัด",
    ]
    periods = ["1 ธันวาคม 2568 - 31 มีนาคม 2569", "พฤศจิกายน 2568 ถึง กันยายน 2569", "ตลอดปีงบประมาณ 2569"]
    problems = ["ประเด็นปัญหา", "ประเด็นปัญหา", "ปัญหาที่พบ"]
    lines = [
        "บันทึกข้อความ",
        "",
        "ส่วนราชการ  สำนักปลัด องค์การบริหารส่วนตำบลโคกสะอาด อำเภอฆ้องชัย จังหวัดกาฬสินธุ์",
        "ที่  กส 79801/                วันที่  3  พฤศจิกายน  2568",
        "เรื่อง  มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ 2569",
        "",
        "เรียน  นายกองค์การบริหารส่วนตำบลโคกสะอาด",
        "",
        "        ตามที่ อบต.โคกสะอาด ได้รับผลการประเมิน ITA ปีงบประมาณ 2568 จำนวน 72.40 คะแนน ระดับ C "
        "สำนักปลัดได้นำผลการประเมินมาวิเคราะห์และกำหนดมาตรการเพื่อแก้ไขจุดอ่อน จำนวน 3 มาตรการ ดังนี้",
        "",
    ]
    for _i, (m, owners, period, prob) in enumerate(zip([m1, m2, m3], owners_text, periods, problems)):
        codes = f" ({' '.join(m['items'])})" if m["items"] else ""
        lines.append(f"มาตรการที่ {m['code']} : {m['title']}{codes}")
        lines.append(f"{prob} : {m['weakness']}")
        lines.append(f"แนวทางแก้ไข : {m['improvement']}")
        lines.append("ขั้นตอน :")
        for j, s in enumerate(steps_text(m), start=1):
            lines.append(f"    {j}. {s}")
        lines.append(f"ผู้รับผิดชอบ : {owners}")
        lines.append(f"ระยะเวลา : {period}")
        lines.append("")
    lines += [
        "การติดตามผล : ปลัด อบต. ติดตามผลการดำเนินงานทุกมาตรการในการประชุมพนักงานประจำเดือน "
        "และรายงานนายก อบต. ทราบทุกเดือน",
        "",
        "        จึงเรียนมาเพื่อโปรดพิจารณา หากเห็นชอบโปรดลงนามในประกาศมาตรการที่แนบมาพร้อมนี้",
        "",
        "                                        (ลงชื่อ)   สมพร   วงศ์ใหญ่",
        "                                              (นางสมพร  วงศ์ใหญ่)",
        "                                             หัวหน้าสำนักปลัด",
        "",
        "ความเห็นปลัด อบต.  เห็นควรอนุมัติ",
        "                                              (นายชาตรี  พลศักดิ์)",
        "                                        ปลัดองค์การบริหารส่วนตำบลโคกสะอาด",
        "",
        "ความเห็นนายก อบต.  อนุมัติ",
        "                                              (นายประยูร  แก้วกาฬ)",
        "                                        นายกองค์การบริหารส่วนตำบลโคกสะอาด",
    ]
    (HERE / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_expected(
        name, f"{name}.txt",
        "อบต. (.txt): a typed memo of plain lines: 'มาตรการที่ 1 : title (codes)', 'ประเด็นปัญหา :', 'แนวทางแก้ไข :', "
        "'ขั้นตอน :' then indented '1.' lines, 'ผู้รับผิดชอบ :', 'ระยะเวลา :'; one monitoring line for all "
        "measures after the last one; three signature blocks with comments",
        "labels are followed by ' : ' with a space before the colon; the third measure says 'ปัญหาที่พบ' instead "
        "of 'ประเด็นปัญหา'; OIT codes in brackets after the title separated by a space only; periods written three "
        "ways (dates, 'พฤศจิกายน 2568 ถึง กันยายน 2569', 'ตลอดปีงบประมาณ 2569'); owners 'กองคลัง (person position)' "
        "and 'สำนักปลัด โดยperson position'; the monitoring line (monthly) belongs to every measure and must not "
        "end in measure 3",
        agency, fy, [m1, m2, m3],
    )


# =============================================================================================
# 7. สำนักงานจังหวัด: sections "1. ด้าน..." with measures 1.1 / 1.2 under them, (1)-(5) labels, ก) ข) steps
# =============================================================================================
def provincial_sections():
    name = "provincial_office_two_level"
    agency = "สำนักงานจังหวัดน่าน"
    fy = 2568
    sections = [
        ("1", "ด้านการเปิดเผยข้อมูลและการสื่อสารกับประชาชน"),
        ("2", "ด้านการป้องกันการทุจริตและประพฤติมิชอบ"),
    ]
    m11 = measure(
        "1.1",
        "มาตรการเผยแพร่แผนและผลการดำเนินงานประจำปี",
        "รายงานผลการดำเนินงานประจำปี (O10) ไม่มีข้อมูลผลสัมฤทธิ์ตามตัวชี้วัดของแผนพัฒนาจังหวัด",
        "จัดทำรายงานผลการดำเนินงานประจำปีให้มีผลสัมฤทธิ์ตามตัวชี้วัด ปัญหาอุปสรรค และข้อเสนอแนะ",
        ["O10"],
        ["กลุ่มงานยุทธศาสตร์และข้อมูลเพื่อการพัฒนาจังหวัด"],
        [],
        [
            "แจ้งส่วนราชการที่รับผิดชอบโครงการตามแผนพัฒนาจังหวัดรายงานผลสัมฤทธิ์",
            "รวบรวมและวิเคราะห์ผลการดำเนินงานตามตัวชี้วัด",
            "จัดทำรายงานผลการดำเนินงานประจำปีเสนอผู้ว่าราชการจังหวัด",
            "เผยแพร่รายงานบนเว็บไซต์จังหวัดน่าน",
        ],
        "2025-07-01", "2025-09-30", "quarterly",
    )
    m12 = measure(
        "1.2",
        "มาตรการเพิ่มช่องทางการรับฟังความคิดเห็นของประชาชน",
        "ช่องทางการมีส่วนร่วม (O15) มีเฉพาะการประชุมประชาคม ไม่มีช่องทางออนไลน์",
        "เปิดช่องทางรับฟังความคิดเห็นออนไลน์ผ่านเว็บไซต์และ Facebook ของจังหวัด และตอบกลับภายใน 7 วัน",
        ["O15"],
        [],
        [person("นางสาวกัญญาณัฐ ปัญญาดี", "กลุ่มงานอำนวยการ")],
        [
            "จัดทำแบบรับฟังความคิดเห็นออนไลน์บนเว็บไซต์จังหวัด",
            "มอบหมายผู้ตอบกลับความคิดเห็นประจำสัปดาห์",
            monthly("สรุปความคิดเห็นและการตอบกลับเสนอหัวหน้าสำนักงานจังหวัดทุกเดือน"),
        ],
        "2024-12-01", "2025-09-30", "quarterly",
    )
    m21 = measure(
        "2.1",
        "มาตรการตรวจสอบการใช้ดุลพินิจในการอนุมัติ อนุญาต",
        "ผู้รับบริการไม่ทราบขั้นตอนและระยะเวลาการพิจารณาอนุญาตจัดกิจกรรมในที่สาธารณะ",
        "ประกาศขั้นตอน ระยะเวลา และผู้มีอำนาจพิจารณาอนุญาตให้ประชาชนทราบ และบันทึกเหตุผลการพิจารณาทุกเรื่อง",
        [],
        ["กลุ่มงานบริหารทรัพยากรทั่วไป"],
        [],
        [
            "จัดทำแผนผังขั้นตอนการพิจารณาอนุญาตพร้อมระยะเวลา",
            "ประกาศแผนผังที่ศาลากลางจังหวัดและบนเว็บไซต์",
            "จัดทำทะเบียนบันทึกเหตุผลการพิจารณาอนุญาต",
            review("หัวหน้าสำนักงานจังหวัดสุ่มตรวจทะเบียนการพิจารณาอนุญาต"),
        ],
        "2025-01-01", "2025-06-30", "quarterly",
    )
    m22 = measure(
        "2.2",
        "มาตรการส่งเสริมการปฏิบัติตามประมวลจริยธรรม",
        "การขับเคลื่อนจริยธรรม (O34) ยังไม่มีการประเมินผลการปฏิบัติตามประมวลจริยธรรมของข้าราชการ",
        "ประเมินการปฏิบัติตามประมวลจริยธรรมของข้าราชการและลูกจ้างปีละ 1 ครั้ง และเผยแพร่ผลการประเมิน",
        ["O34"],
        ["กลุ่มงานบริหารทรัพยากรทั่วไป", "คณะกรรมการจริยธรรมประจำสำนักงานจังหวัดน่าน"],
        [],
        [
            "ทบทวนแบบประเมินการปฏิบัติตามประมวลจริยธรรม",
            "ให้ผู้บังคับบัญชาประเมินผู้ใต้บังคับบัญชา",
            "สรุปผลการประเมินเสนอคณะกรรมการจริยธรรม",
            "เผยแพร่ผลการประเมินบนเว็บไซต์",
        ],
        "2025-04-01", "2025-08-31", "quarterly",
    )
    by_section = {"1": [(m11, "กรกฎาคม - กันยายน 2568"), (m12, "ธันวาคม 2567 - กันยายน 2568")],
                  "2": [(m21, "มกราคม - มิถุนายน 2568"), (m22, "เมษายน - สิงหาคม 2568")]}
    owners = {
        "1.1": "กลุ่มงานยุทธศาสตร์และข้อมูลเพื่อการพัฒนาจังหวัด",
        "1.2": "นางสาวกัญญาณัฐ ปัญญาดี นักจัดการงานทั่วไปปฏิบัติการ กลุ่มงานอำนวยการ",
        "2.1": "กลุ่มงานบริหารทรัพยากรทั่วไป",
        "2.2": "กลุ่มงานบริหารทรัพยากรทั่วไป ร่วมกับคณะกรรมการจริยธรรมประจำสำนักงานจังหวัดน่าน",
    }
    letters = "กขคงจฉ"

    doc = new_doc()
    memo_header(
        doc,
        "สำนักงานจังหวัดน่าน กลุ่มงานอำนวยการ โทร. 0 5471 0341",
        "นน 0017.1/",
        "18 ธันวาคม 2567",
        "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงานของสำนักงานจังหวัดน่าน ประจำปีงบประมาณ พ.ศ. 2568",
        "ผู้ว่าราชการจังหวัดน่าน",
    )
    labelled(doc, "1. เรื่องเดิม", "", indent=0)
    para(doc, "\tสำนักงานปลัดกระทรวงมหาดไทย แจ้งให้สำนักงานจังหวัดดำเนินการตามแนวทางการประเมิน ITA "
              "ประจำปีงบประมาณ พ.ศ. 2568 ซึ่งกำหนดให้หน่วยงานจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน")
    labelled(doc, "2. ข้อพิจารณา", "", indent=0)
    para(doc, "\tกลุ่มงานอำนวยการได้วิเคราะห์ผลการประเมินปี 2567 (คะแนน 93.05 ระดับ AA) "
              "และกำหนดมาตรการ 2 ด้าน 4 มาตรการ รายละเอียดตามสิ่งที่ส่งมาด้วย")
    labelled(doc, "3. ข้อเสนอ", "", indent=0)
    para(doc, "\tจึงเรียนมาเพื่อโปรดพิจารณาเห็นชอบ")
    signature(doc, ["(นายณัฐวุฒิ ใจมั่น)", "หัวหน้าสำนักงานจังหวัดน่าน"])
    signature(doc, ["เห็นชอบ", "(นายชูชาติ รักษาพล)", "รองผู้ว่าราชการจังหวัด ปฏิบัติราชการแทน",
                    "ผู้ว่าราชการจังหวัดน่าน"], indent=7.0)
    doc.add_page_break()
    para(doc, "สิ่งที่ส่งมาด้วย", bold=True, align="right")
    para(doc, "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน สำนักงานจังหวัดน่าน", bold=True,
         align="center")
    para(doc, "ประจำปีงบประมาณ พ.ศ. 2568", bold=True, align="center")
    for sec_no, sec_title in sections:
        para(doc, f"{sec_no}. {sec_title}", bold=True)
        for m, period in by_section[sec_no]:
            para(doc, f"{m['code']} {m['title']}", bold=True, indent=0.75)
            labelled(doc, "(1) สภาพปัญหา ", m["weakness"], indent=1.5)
            labelled(doc, "(2) แนวทางการแก้ไข ", m["improvement"], indent=1.5)
            labelled(doc, "(3) ขั้นตอนการดำเนินการ", "", indent=1.5)
            for k, s in enumerate(steps_text(m)):
                para(doc, f"{letters[k]}) {s}", indent=2.25)
            labelled(doc, "(4) ผู้รับผิดชอบ ", owners[m["code"]], indent=1.5)
            labelled(doc, "(5) ระยะเวลา ", period, indent=1.5)
    para(doc, "3. การติดตามและรายงานผล", bold=True)
    para(doc, "\tกลุ่มงานอำนวยการ ในฐานะเลขานุการคณะทำงาน ITA ติดตามความก้าวหน้าของทุกมาตรการทุก 3 เดือน "
              "และรายงานหัวหน้าสำนักงานจังหวัดน่านทราบ")
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "สำนักงานจังหวัด: cover memo (1. เรื่องเดิม / 2. ข้อพิจารณา / 3. ข้อเสนอ), then an attachment with sections "
        "'1. ด้าน...' and '2. ด้าน...' holding measures '1.1', '1.2', '2.1', '2.2' as bold paragraphs, each with "
        "(1) สภาพปัญหา (2) แนวทางการแก้ไข (3) ขั้นตอนการดำเนินการ [ก) ข) ค) steps] (4) ผู้รับผิดชอบ (5) ระยะเวลา",
        "two-level numbering: the sections 1./2. are not measures and the closing '3. การติดตามและรายงานผล' is "
        "neither a section nor a measure but the monitoring plan of all four; the cover memo's own '1. เรื่องเดิม "
        "2. ข้อพิจารณา 3. ข้อเสนอ' are not measures either; (1)-(5) labels with the value on the same line; "
        "steps lettered ก) ข) ค); periods 'กรกฎาคม - กันยายน 2568' with the year once; a person with position "
        "and group in one line; 'ร่วมกับ' joins two owners",
        agency, fy, [m11, m12, m21, m22],
    )


# =============================================================================================
# 8. โรงเรียน: a table whose owners are "ครูพัชรี (งานการเงิน)", "ฝ่ายบริหารงบประมาณ"; "-" bullet steps
# =============================================================================================
def school_owner_brackets():
    name = "school_teacher_owners"
    agency = "โรงเรียนบ้านโนนสะอาด"
    fy = 2568
    m1 = measure(
        "1",
        "มาตรการเปิดเผยข้อมูลการเงินของโรงเรียน",
        "O12 รายงานการกำกับติดตามการใช้จ่ายงบประมาณรอบ 6 เดือน โรงเรียนไม่ได้เผยแพร่บนเว็บไซต์",
        "จัดทำรายงานการใช้จ่ายงบประมาณรอบ 6 เดือนและเผยแพร่บนเว็บไซต์โรงเรียนภายในเดือนเมษายน 2568",
        ["O12"],
        ["ฝ่ายบริหารงบประมาณ"],
        [person("ครูพัชรี", "งานการเงิน")],
        [
            "รวบรวมข้อมูลการเบิกจ่ายเงินอุดหนุนและเงินรายได้สถานศึกษา",
            "จัดทำรายงานการใช้จ่ายงบประมาณรอบ 6 เดือน",
            review("หัวหน้าฝ่ายบริหารงบประมาณตรวจสอบความถูกต้อง"),
            "เผยแพร่รายงานบนเว็บไซต์โรงเรียน",
        ],
        "2025-02-01", "2025-04-30", "monthly",
    )
    m2 = measure(
        "2",
        "มาตรการความโปร่งใสในการจัดซื้อจัดจ้าง",
        "O14 ประกาศผลการจัดซื้อจัดจ้างไม่ครบทุกรายการ โดยเฉพาะการจัดซื้ออาหารกลางวัน",
        "ประกาศผลการจัดซื้อจัดจ้างทุกรายการรวมถึงอาหารกลางวัน และสรุปผลรายเดือน",
        ["O14"],
        [],
        [person("ครูสมศักดิ์", "งานพัสดุ"), person("ครูวันเพ็ญ", "งานพัสดุ")],
        [
            "จัดทำทะเบียนคุมการจัดซื้อจัดจ้างทุกรายการ",
            monthly("สรุปผลการจัดซื้อจัดจ้างรายเดือน"),
            "ประกาศผลการจัดซื้อจัดจ้างที่บอร์ดโรงเรียนและบนเว็บไซต์",
        ],
        "2024-11-01", "2025-09-30", "monthly",
    )
    m3 = measure(
        "3",
        "มาตรการเผยแพร่ข้อมูลข่าวสารของโรงเรียน",
        "O6 ข่าวประชาสัมพันธ์บนเว็บไซต์ไม่เป็นปัจจุบัน ข่าวล่าสุดเป็นของภาคเรียนที่ผ่านมา",
        "เผยแพร่ข่าวประชาสัมพันธ์บนเว็บไซต์และเพจ Facebook ของโรงเรียนอย่างน้อยเดือนละ 2 ข่าว",
        ["O6"],
        ["ฝ่ายบริหารทั่วไป"],
        [person("ครูธีรวัฒน์", "งาน ICT")],
        [
            "แต่งตั้งครูผู้รับผิดชอบข่าวประชาสัมพันธ์ประจำสายชั้น",
            monthly("ส่งข่าวและภาพกิจกรรมให้งาน ICT ทุกเดือน"),
            "ปรับปรุงหน้าเว็บไซต์ให้มีเมนูข่าวประชาสัมพันธ์ที่เป็นปัจจุบัน",
        ],
        "2024-11-01", "2025-09-30", "monthly",
    )
    m4 = measure(
        "4",
        "มาตรการป้องกันผลประโยชน์ทับซ้อน",
        "ครูและบุคลากรยังไม่ได้รับการชี้แจงแนวปฏิบัติการรับของขวัญจากผู้ปกครอง",
        "ชี้แจงแนวปฏิบัติการไม่รับของขวัญแก่ครูและแจ้งผู้ปกครองผ่านการประชุมผู้ปกครอง",
        [],
        ["ฝ่ายบริหารงานบุคคล"],
        [],
        [
            "ผู้อำนวยการโรงเรียนประกาศนโยบาย No Gift Policy",
            "ชี้แจงครูในการประชุมประจำเดือน",
            "แจ้งผู้ปกครองในการประชุมผู้ปกครองต้นภาคเรียนที่ 2",
        ],
        "2024-11-01", "2024-12-31", "monthly",
    )
    rows = [
        (m1, ["ครูพัชรี (งานการเงิน)", "ฝ่ายบริหารงบประมาณ"], "ก.พ. - เม.ย. 68"),
        (m2, ["ครูสมศักดิ์ (งานพัสดุ),", "ครูวันเพ็ญ (งานพัสดุ)"], "พ.ย. 67 - ก.ย. 68"),
        (m3, ["ครูธีรวัฒน์ (งาน ICT) / ฝ่ายบริหารทั่วไป"], "พ.ย. 67 - ก.ย. 68"),
        (m4, ["ฝ่ายบริหารงานบุคคล"], "พ.ย. - ธ.ค. 67"),
    ]

    doc = new_doc()
    memo_header(
        doc,
        "โรงเรียนบ้านโนนสะอาด สำนักงานเขตพื้นที่การศึกษาประถมศึกษาอุดรธานี เขต 1",
        "",
        th("25 ตุลาคม 2567"),
        "รายงานมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ 2568",
        "ผู้อำนวยการโรงเรียนบ้านโนนสะอาด",
    )
    para(doc, "\tตามที่โรงเรียนบ้านโนนสะอาดได้รับการประเมิน ITA Online ปีงบประมาณ 2567 และมีตัวชี้วัดที่ยังไม่ผ่าน"
              "เกณฑ์ 3 ข้อ (O6, O12, O14) ข้าพเจ้าในฐานะผู้รับผิดชอบงาน ITA ได้ประชุมคณะครูเมื่อวันที่ 21 ตุลาคม 2567 "
              "และกำหนดมาตรการแก้ไขดังตารางต่อไปนี้")
    heads = ["ที่", "ประเด็นที่ต้องปรับปรุง", "มาตรการ/แนวทางแก้ไข", "ขั้นตอนการดำเนินงาน", "ผู้รับผิดชอบ", "ระยะเวลา"]
    t = grid(doc, 1 + len(rows), len(heads))
    for c, h in enumerate(heads):
        cell_lines(t.cell(0, c), h, bold_first=True)
    for r, (m, owners, period) in enumerate(rows, start=1):
        cell_lines(t.cell(r, 0), m["code"])
        cell_lines(t.cell(r, 1), m["weakness"])
        cell_lines(t.cell(r, 2), [m["title"], m["improvement"]], bold_first=True)
        cell_lines(t.cell(r, 3), [f"- {s}" for s in steps_text(m)])
        cell_lines(t.cell(r, 4), owners)
        cell_lines(t.cell(r, 5), period)
    para(doc)
    para(doc, "\tทั้งนี้ ผู้อำนวยการโรงเรียนจะติดตามผลการดำเนินงานตามมาตรการในการประชุมครูประจำเดือน")
    para(doc, "\tจึงเรียนมาเพื่อโปรดทราบและพิจารณา")
    signature(doc, ["ลงชื่อ ....................................", "(นางพัชรี คำภูเมือง)", "ครู ชำนาญการพิเศษ",
                    "ผู้รับผิดชอบงาน ITA"])
    para(doc, "ความเห็นของผู้อำนวยการโรงเรียน")
    para(doc, "☑ ทราบ   ☑ อนุมัติ   ☐ อื่น ๆ ...........................")
    signature(doc, ["ลงชื่อ ....................................", "(นายประเสริฐ ศรีอุดร)",
                    "ผู้อำนวยการโรงเรียนบ้านโนนสะอาด"])
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "โรงเรียน (portrait, single page): a memo whose body holds a 6-column table ที่ | ประเด็นที่ต้องปรับปรุง | "
        "มาตรการ/แนวทางแก้ไข | ขั้นตอนการดำเนินงาน | ผู้รับผิดชอบ | ระยะเวลา between the opening paragraph and "
        "the closing; owners written 'ครูพัชรี (งานการเงิน)', 'ฝ่ายบริหารงบประมาณ'; no memo number (ที่ is blank)",
        "the measure title is the bold first paragraph of the มาตรการ/แนวทางแก้ไข cell and the improvement its "
        "second; the weakness starts with its OIT code ('O12 รายงาน...'); steps are '-' bullets with no numbers; "
        "owners are teachers by first name with their งาน in brackets (two in one cell split by a comma at a "
        "line end; one joined to a ฝ่าย with '/'); periods 'พ.ย. - ธ.ค. 67' with two-digit BE years; monitoring "
        "is a sentence after the table (monthly meeting); the ☑ checkbox line is the director's decision",
        agency, fy, [m1, m2, m3, m4],
    )


# =============================================================================================
# 9. กรม: a "Timeline" column in Gregorian years (2025), "Step 1:" steps, Output/KPI column
# =============================================================================================
def department_gregorian():
    name = "department_timeline_gregorian"
    agency = "กรมส่งเสริมสหกรณ์"
    fy = 2568
    m1 = measure(
        "1",
        "มาตรการยกระดับการเปิดเผยข้อมูลการบริหารทรัพยากรบุคคล",
        "รายงานผลการบริหารและพัฒนาทรัพยากรบุคคลประจำปี (O19) ไม่มีการวิเคราะห์ผลเทียบกับแผน",
        "จัดทำรายงานผลการบริหารและพัฒนาทรัพยากรบุคคลที่วิเคราะห์ผลเทียบกับเป้าหมายของแผน และเผยแพร่ภายในมีนาคม 2568",
        ["O19"],
        ["กองการเจ้าหน้าที่"],
        [],
        [
            "ทบทวนตัวชี้วัดของแผนบริหารทรัพยากรบุคคล",
            "รวบรวมผลการดำเนินงานจากทุกสำนัก/กอง",
            "วิเคราะห์ผลเทียบกับเป้าหมายและจัดทำรายงาน",
            review("ผู้อำนวยการกองการเจ้าหน้าที่ตรวจสอบและลงนามรายงาน"),
            "เผยแพร่รายงานบนเว็บไซต์กรม",
        ],
        "2025-01-01", "2025-03-31", "monthly",
    )
    m2 = measure(
        "2",
        "มาตรการพัฒนาระบบรับเรื่องร้องเรียนออนไลน์",
        "ผู้ร้องเรียนไม่สามารถติดตามสถานะเรื่องร้องเรียนได้ (O27) และไม่มีการแจ้งผลกลับ",
        "พัฒนาระบบรับเรื่องร้องเรียนออนไลน์ให้ผู้ร้องติดตามสถานะด้วยเลขรับเรื่อง และแจ้งผลภายใน 15 วันทำการ",
        ["O27"],
        ["ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "ศูนย์ปฏิบัติการต่อต้านการทุจริต"],
        [],
        [
            "กำหนดความต้องการของระบบร่วมกับศูนย์ปฏิบัติการต่อต้านการทุจริต",
            "พัฒนาระบบและทดสอบการใช้งาน",
            "เปิดใช้งานระบบและประชาสัมพันธ์ให้ประชาชนทราบ",
            monthly("รายงานสถิติเรื่องร้องเรียนและการแจ้งผลทุกเดือน"),
        ],
        "2025-01-15", "2025-06-30", "monthly",
    )
    m3 = measure(
        "3",
        "มาตรการเสริมสร้างความรู้เรื่องผลประโยชน์ทับซ้อนแก่สหกรณ์จังหวัด",
        "ผลการประเมิน IIT ข้อการใช้ตำแหน่งหน้าที่เพื่อประโยชน์ส่วนตน คะแนนต่ำในหน่วยงานส่วนภูมิภาค",
        "อบรมออนไลน์เรื่องผลประโยชน์ทับซ้อนแก่บุคลากรสำนักงานสหกรณ์จังหวัดทุกแห่ง",
        [],
        ["ศูนย์ปฏิบัติการต่อต้านการทุจริต", "สถาบันวิทยาการสหกรณ์"],
        [person("นางสาวพิมพ์ชนก อินทรสุวรรณ", "ศูนย์ปฏิบัติการต่อต้านการทุจริต")],
        [
            "จัดทำหลักสูตรอบรมออนไลน์ (e-Learning)",
            "แจ้งสำนักงานสหกรณ์จังหวัดให้บุคลากรเข้ารับการอบรม",
            "ติดตามจำนวนผู้ผ่านการอบรมและรายงานผู้บริหาร",
        ],
        "2024-11-01", "2025-09-30", "monthly",
    )
    rows = [
        (m1, "Jan 2025 – Mar 2025", ["กองการเจ้าหน้าที่", "(Personnel Division)"],
         "รายงานประจำปี 1 ฉบับ เผยแพร่ภายใน 31 มี.ค. 2568"),
        (m2, "15/01/2025 – 30/06/2025", ["ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร",
                                         "ศูนย์ปฏิบัติการต่อต้านการทุจริต"],
         "ระบบเปิดใช้งานได้ / แจ้งผลภายใน 15 วันทำการ ≥ 80%"),
        (m3, "Nov 2024 – Sep 2025", ["ศูนย์ปฏิบัติการต่อต้านการทุจริต (นางสาวพิมพ์ชนก อินทรสุวรรณ)",
                                     "สถาบันวิทยาการสหกรณ์"],
         "บุคลากรส่วนภูมิภาคผ่านการอบรม ≥ 90%"),
    ]

    doc = new_doc()
    memo_header(
        doc,
        "ศูนย์ปฏิบัติการต่อต้านการทุจริต กรมส่งเสริมสหกรณ์ โทร. 0 2628 5145",
        "กษ 1114/",
        th("20 ธันวาคม 2567"),
        "ขอความเห็นชอบมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
        "อธิบดีกรมส่งเสริมสหกรณ์",
    )
    para(doc, "\t1. เรื่องเดิม")
    para(doc, "\tสำนักงาน ป.ป.ช. แจ้งผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2567 กรมส่งเสริมสหกรณ์ได้คะแนน 95.12 "
              "ระดับ AA และกำหนดให้หน่วยงานจัดทำมาตรการเพื่อขับเคลื่อนการส่งเสริมคุณธรรมและความโปร่งใส")
    para(doc, "\t2. ข้อเท็จจริง")
    para(doc, "\tศูนย์ปฏิบัติการต่อต้านการทุจริตได้ประชุมคณะทำงานขับเคลื่อน ITA เมื่อวันที่ 12 ธันวาคม 2567 "
              "และกำหนดมาตรการ 3 มาตรการ พร้อม Timeline การดำเนินงาน (ระบุเป็นปีคริสต์ศักราชตามระบบติดตามโครงการ"
              "ของกรม) ตามตารางแนบ")
    para(doc, "\t3. ข้อเสนอ")
    para(doc, "\tจึงเรียนมาเพื่อโปรดพิจารณา หากเห็นชอบ โปรดลงนามในหนังสือแจ้งเวียนถึงทุกหน่วยงาน")
    signature(doc, ["(นายปรีชา วงศ์สวัสดิ์)", "ผู้อำนวยการศูนย์ปฏิบัติการต่อต้านการทุจริต"])
    signature(doc, ["เห็นชอบ", "(นายวิศิษฐ์ ศรีสุวรรณ)", "รองอธิบดี ปฏิบัติราชการแทน", "อธิบดีกรมส่งเสริมสหกรณ์"],
              indent=7.0)
    landscape(doc)
    para(doc, "แผนการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน กรมส่งเสริมสหกรณ์ "
              "ปีงบประมาณ พ.ศ. 2568 (FY2025)", bold=True, align="center")
    heads = ["ประเด็น (Issue)", "มาตรการ", "Action Plan", "หน่วยงานรับผิดชอบ", "Timeline", "Output / KPI"]
    t = grid(doc, 1 + len(rows), len(heads))
    for c, h in enumerate(heads):
        cell_lines(t.cell(0, c), h, bold_first=True)
    for r, (m, timeline, owners, kpi) in enumerate(rows, start=1):
        cell_lines(t.cell(r, 0), m["weakness"])
        cell_lines(t.cell(r, 1), [f"มาตรการที่ {m['code']} {m['title']}", m["improvement"]], bold_first=True)
        cell_lines(t.cell(r, 2), [f"Step {i}: {s}" for i, s in enumerate(steps_text(m), start=1)])
        cell_lines(t.cell(r, 3), owners)
        cell_lines(t.cell(r, 4), timeline)
        cell_lines(t.cell(r, 5), kpi)
    para(doc)
    para(doc, "Monitoring: ศูนย์ปฏิบัติการต่อต้านการทุจริตรายงานความก้าวหน้าต่อคณะทำงานขับเคลื่อน ITA "
              "ของกรมทุกเดือน (Monthly) ผ่านระบบติดตามโครงการ")
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "กรม: cover memo (1. เรื่องเดิม / 2. ข้อเท็จจริง / 3. ข้อเสนอ in separate paragraphs) approved by a deputy, "
        "then a landscape table ประเด็น (Issue) | มาตรการ | Action Plan | หน่วยงานรับผิดชอบ | Timeline | Output / KPI "
        "with Gregorian Timeline values",
        "Timeline in CE: 'Jan 2025 – Mar 2025', '15/01/2025 – 30/06/2025', 'Nov 2024 – Sep 2025' (must not be "
        "read as BE 2025 or shifted 543 years; FY2568 = Oct 2024 - Sep 2025); the weakness comes first and the "
        "มาตรการ cell holds 'มาตรการที่ n title' then the improvement; steps 'Step 1:'; the Output / KPI column "
        "(one with a BE date) belongs to no field; an English unit name in brackets on its own line; a person in "
        "brackets after a unit",
        agency, fy, [m1, m2, m3],
    )


# =============================================================================================
# 10. สสจ.: one row per step with weakness/improvement/owner merged down, measure rows and a note row
#     spanning the whole table between measures
# =============================================================================================
def health_office_note_rows():
    name = "health_office_note_row_vmerge"
    agency = "สำนักงานสาธารณสุขจังหวัดยโสธร"
    fy = 2569
    plan = [
        dict(
            title="การเปิดเผยข้อมูลการบริหารทรัพยากรบุคคล", codes="O15, O16", items=["O15", "O16"],
            period="ต.ค. 2568 – มี.ค. 2569", start="2025-10-01", end="2026-03-31",
            weakness="หลักเกณฑ์การสรรหาและการประเมินผลการปฏิบัติราชการไม่ได้เผยแพร่ให้บุคลากรทราบ",
            improvement="เผยแพร่หลักเกณฑ์การบริหารและพัฒนาทรัพยากรบุคคลบนเว็บไซต์และแจ้งเวียนทุกหน่วยบริการ",
            owner=["กลุ่มงานบริหารทรัพยากรบุคคล"], groups=["กลุ่มงานบริหารทรัพยากรบุคคล"], people=[],
            steps=[("รวบรวมหลักเกณฑ์การสรรหา การเลื่อนเงินเดือน และการประเมินผลที่ใช้ในปัจจุบัน", "31 ต.ค. 68", "task"),
                   ("จัดทำสรุปหลักเกณฑ์เป็นภาษาที่เข้าใจง่าย", "30 พ.ย. 68", "task"),
                   ("หัวหน้ากลุ่มงานบริหารทรัพยากรบุคคลตรวจสอบความถูกต้อง", "15 ธ.ค. 68", "review"),
                   ("เผยแพร่บนเว็บไซต์และแจ้งเวียนโรงพยาบาลและสาธารณสุขอำเภอทุกแห่ง", "31 มี.ค. 69", "task")],
        ),
        dict(
            title="การบริหารความเสี่ยงการทุจริตในการเบิกจ่ายค่าตอบแทน", codes="O31", items=["O31"],
            period="พ.ย. 2568 – ก.ค. 2569", start="2025-11-01", end="2026-07-31",
            weakness="การเบิกจ่ายค่าตอบแทนนอกเวลาราชการมีความเสี่ยงการเบิกซ้ำซ้อน และยังไม่มีการประเมินความเสี่ยง",
            improvement="ประเมินความเสี่ยงและกำหนดมาตรการควบคุมการเบิกจ่ายค่าตอบแทนนอกเวลาราชการ",
            owner=["กลุ่มงานบริหารทั่วไป", "นางนงลักษณ์ ศรีสะอาด (งานการเงินและบัญชี)"],
            groups=["กลุ่มงานบริหารทั่วไป"], people=[person("นางนงลักษณ์ ศรีสะอาด", "งานการเงินและบัญชี")],
            steps=[("แต่งตั้งคณะทำงานประเมินความเสี่ยงการเบิกจ่ายค่าตอบแทน", "30 พ.ย. 68", "task"),
                   ("ประเมินความเสี่ยงและจัดทำแผนควบคุม", "31 ม.ค. 69", "task"),
                   ("สุ่มตรวจเอกสารการเบิกจ่ายค่าตอบแทนทุกเดือน", "30 มิ.ย. 69", "monthly"),
                   ("รายงานผลการจัดการความเสี่ยงต่อนายแพทย์สาธารณสุขจังหวัด", "31 ก.ค. 69", "task")],
        ),
        dict(
            title="การส่งเสริมการมีส่วนร่วมของภาคประชาชนในการเฝ้าระวังการทุจริต", codes="", items=[],
            period="ม.ค. – ส.ค. 2569", start="2026-01-01", end="2026-08-31",
            weakness="ยังไม่มีเครือข่ายภาคประชาชนร่วมเฝ้าระวังการทุจริตในหน่วยบริการสาธารณสุข",
            improvement="จัดตั้งเครือข่าย อสม. เฝ้าระวังการทุจริต และเปิดช่องทางแจ้งเบาะแสผ่าน LINE OA",
            owner=["กลุ่มกฎหมาย", "กลุ่มงานส่งเสริมสุขภาพ"], groups=["กลุ่มกฎหมาย", "กลุ่มงานส่งเสริมสุขภาพ"],
            people=[],
            steps=[("ประสานสาธารณสุขอำเภอคัดเลือก อสม. แกนนำอำเภอละ 5 คน", "28 ก.พ. 69", "task"),
                   ("จัดประชุมชี้แจงบทบาทเครือข่ายเฝ้าระวังการทุจริต", "31 มี.ค. 69", "task"),
                   ("เปิดช่องทางแจ้งเบาะแสผ่าน LINE OA ของสำนักงาน", "30 เม.ย. 69", "task"),
                   ("สรุปผลการดำเนินงานของเครือข่าย", "31 ส.ค. 69", "task")],
        ),
    ]
    notes = {
        0: "หมายเหตุ : มาตรการที่ 1 ดำเนินการต่อเนื่องจากปีงบประมาณ พ.ศ. 2568 ซึ่งได้รวบรวมหลักเกณฑ์บางส่วนไว้แล้ว "
           "ให้ใช้ข้อมูลเดิมประกอบการดำเนินงาน",
        1: "** มาตรการที่ 3 เป็นมาตรการใหม่ที่กำหนดเพิ่มตามข้อเสนอแนะของสำนักงานปลัดกระทรวงสาธารณสุข **",
    }
    measures = []
    for i, d in enumerate(plan, start=1):
        ss = [review(s) if k == "review" else monthly(s) if k == "monthly" else step(s) for s, _due, k in d["steps"]]
        measures.append(measure(str(i), d["title"], d["weakness"], d["improvement"], d["items"], d["groups"],
                                d["people"], ss, d["start"], d["end"], "monthly"))

    doc = new_doc()
    memo_header(
        doc,
        "กลุ่มกฎหมาย สำนักงานสาธารณสุขจังหวัดยโสธร โทร. 0 4571 2233 ต่อ 118",
        "ยส 0033.005/",
        "9 ตุลาคม 2568",
        "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ พ.ศ. 2569",
        "นายแพทย์สาธารณสุขจังหวัดยโสธร",
    )
    para(doc, "\tตามที่ สำนักงานปลัดกระทรวงสาธารณสุข ได้ดำเนินการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน"
              "ของหน่วยงานในสังกัด (MOPH ITA) ประจำปีงบประมาณ พ.ศ. 2569 นั้น กลุ่มกฎหมายได้วิเคราะห์ผลการประเมิน "
              "ปี 2568 และจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน จำนวน 3 มาตรการ รายละเอียดดังแนบ")
    para(doc, "\tจึงเรียนมาเพื่อโปรดพิจารณา")
    signature(doc, ["(นายสุริยา ทองมา)", "นิติกรชำนาญการพิเศษ", "หัวหน้ากลุ่มกฎหมาย"])
    signature(doc, ["ทราบ / อนุมัติ", "(นายแพทย์ธวัชชัย บุญมี)", "นายแพทย์สาธารณสุขจังหวัดยโสธร"], indent=7.0)
    landscape(doc)
    para(doc, "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน สำนักงานสาธารณสุขจังหวัดยโสธร ปีงบประมาณ พ.ศ. 2569",
         bold=True, align="center")
    heads = ["ประเด็นที่เป็นจุดอ่อน", "แนวทางการพัฒนา", "ขั้นตอนการดำเนินการ", "กำหนดแล้วเสร็จ", "ผู้รับผิดชอบ"]
    n_rows = 1 + sum(1 + len(d["steps"]) for d in plan) + len(notes)
    t = grid(doc, n_rows, 5)
    for c, h in enumerate(heads):
        cell_lines(t.cell(0, c), h, bold_first=True)
    r = 1
    for i, d in enumerate(plan):
        head = t.cell(r, 0).merge(t.cell(r, 4))
        codes = f" ({d['codes']})" if d["codes"] else ""
        cell_lines(head, f"มาตรการที่ {i + 1} {d['title']}{codes}    ระยะเวลา {d['period']}", bold_first=True)
        r += 1
        top, n = r, len(d["steps"])
        for j, (s, due, _k) in enumerate(d["steps"], start=1):
            cell_lines(t.cell(r, 2), f"{j}. {s}")
            cell_lines(t.cell(r, 3), due)
            r += 1
        for c, text in ((0, d["weakness"]), (1, d["improvement"]), (4, d["owner"])):
            merged = t.cell(top, c).merge(t.cell(top + n - 1, c))
            cell_lines(merged, text)
        if i in notes:
            note = t.cell(r, 0).merge(t.cell(r, 4))
            cell_lines(note, notes[i])
            r += 1
    para(doc)
    para(doc, "การกำกับติดตาม: กลุ่มกฎหมายติดตามผลการดำเนินงานทุกเดือนผ่านการประชุมคณะกรรมการวางแผนและประเมินผล "
              "(กวป.) และสรุปผลรอบ 6 เดือนและ 12 เดือน")
    save(doc, HERE / f"{name}.docx")
    write_expected(
        name, f"{name}.docx",
        "สสจ.: approved cover memo, then a landscape 5-column table ประเด็นที่เป็นจุดอ่อน | แนวทางการพัฒนา | "
        "ขั้นตอนการดำเนินการ | กำหนดแล้วเสร็จ | ผู้รับผิดชอบ; each measure is a full-width row 'มาตรการที่ n title "
        "(codes)    ระยะเวลา ...' followed by one row per step with weakness, improvement and owner merged down",
        "vertically merged cells repeat in every row of the merge and must be read once; a full-width 'หมายเหตุ :' "
        "row and a '** ... **' row sit between measures and belong to none (the second even names มาตรการที่ 3); "
        "the measure row holds title, codes and period together; per-step due dates ('31 ต.ค. 68') are not the "
        "period; one owner cell is a group on one line and a person with her งาน in brackets on the next",
        agency, fy, measures,
    )


# =============================================================================================
# 11. สำนักงานที่ดินจังหวัด (.txt): text pulled out of a PDF: hard-wrapped lines, page numbers mid-list
# =============================================================================================
WORD_STARTS = ("การ", "และ", "ให้", "ของ", "ที่", "ใน", "เพื่อ", "โดย", "จาก", "ไม่", "ทุก", "เป็น", "ผู้", "ประกาศ",
               "รายงาน", "สำนักงาน", "ระยะเวลา", "เรื่อง", "ตาม", "กับ", "ถึง", "เจ้าพนักงาน", "ความ")
COMBINING = set("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")


def wrap(text: str, width: int = 62) -> list[str]:
    """Break lines the way a PDF text layer does: where the printed line ended, which in Thai is a word
    boundary (often not a space): the last space or common word start in the line's last part."""
    out = []
    while len(text) > width:
        cut = 0
        for k in range(width, int(width * 0.6), -1):
            if text[k] == " " or (text.startswith(WORD_STARTS, k) and text[k - 1] != " "
                                  and not text.endswith("บริ", 0, k)):
                cut = k
                break
        if not cut:
            cut = width
            while text[cut] in COMBINING or text[cut - 1] in "เแโใไ":
                cut -= 1
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        out.append(text)
    return out


def land_office_pdf_text():
    name = "land_office_pdf_wrapped"
    agency = "สำนักงานที่ดินจังหวัดลำปาง"
    fy = 2568
    plan = [
        dict(
            title="การให้บริการจดทะเบียนสิทธิและนิติกรรม", items=[],
            weakness="ผู้รับบริการบางส่วนเห็นว่าการให้บริการไม่เป็นไปตามลำดับคิว และไม่ทราบระยะเวลาการให้บริการแต่ละประเภท",
            improvement="ใช้ระบบบัตรคิวอัตโนมัติและประกาศระยะเวลาการให้บริการแต่ละประเภทที่จุดบริการ",
            owners="ฝ่ายทะเบียน", groups=["ฝ่ายทะเบียน"], people=[],
            steps=[("ติดตั้งระบบบัตรคิวอัตโนมัติที่จุดประชาสัมพันธ์", "task"),
                   ("จัดทำป้ายประกาศระยะเวลาการให้บริการแต่ละประเภท", "task"),
                   ("สำรวจความพึงพอใจของผู้รับบริการทุกเดือน", "monthly"),
                   ("สรุปผลการสำรวจเสนอเจ้าพนักงานที่ดินจังหวัดลำปาง", "task")],
            period="มกราคม – มิถุนายน 2568", start="2025-01-01", end="2025-06-30",
        ),
        dict(
            title="การเปิดเผยข้อมูลสถิติการให้บริการ", items=["O16"],
            weakness="ข้อมูลเชิงสถิติการให้บริการ (O16) เผยแพร่เฉพาะของสำนักงานที่ดินจังหวัด ไม่รวมสำนักงานที่ดินสาขา",
            improvement="รวบรวมสถิติการให้บริการของสำนักงานที่ดินจังหวัดและทุกสาขา และเผยแพร่เป็นรายไตรมาส",
            owners="ฝ่ายอำนวยการ (นางสาวสุนิสา คำแสน เจ้าพนักงานธุรการชำนาญงาน)", groups=["ฝ่ายอำนวยการ"],
            people=[person("นางสาวสุนิสา คำแสน", "ฝ่ายอำนวยการ")],
            steps=[("กำหนดแบบรายงานสถิติการให้บริการให้ทุกสาขาใช้รูปแบบเดียวกัน", "task"),
                   ("สาขาส่งสถิติการให้บริการทุกเดือน ภายในวันที่ 5 ของเดือนถัดไป", "monthly"),
                   ("รวบรวมและจัดทำรายงานสถิติการให้บริการรายไตรมาส", "task"),
                   ("หัวหน้าฝ่ายอำนวยการตรวจสอบความถูกต้องของรายงาน", "review"),
                   ("เผยแพร่รายงานบนเว็บไซต์ของสำนักงาน", "task")],
            period="กุมภาพันธ์ – กันยายน 2568", start="2025-02-01", end="2025-09-30",
        ),
        dict(
            title="การป้องกันการเรียกรับผลประโยชน์ในการรังวัด", items=[],
            weakness="ผลการประเมิน EIT พบว่าผู้ขอรังวัดบางรายเคยถูกเรียกค่าใช้จ่ายนอกเหนือจากที่กฎหมายกำหนด",
            improvement="ประกาศอัตราค่าใช้จ่ายในการรังวัดและเปิดช่องทางแจ้งเบาะแสโดยตรงถึงเจ้าพนักงานที่ดินจังหวัด",
            owners="ฝ่ายรังวัด / ฝ่ายอำนวยการ", groups=["ฝ่ายรังวัด", "ฝ่ายอำนวยการ"], people=[],
            steps=[("ประกาศอัตราค่าธรรมเนียมและค่าใช้จ่ายในการรังวัดทุกประเภท", "task"),
                   ("จัดทำช่องทางแจ้งเบาะแสผ่านกล่องรับเรื่องและอีเมลของสำนักงาน", "task"),
                   ("ชี้แจงช่างรังวัดเรื่องการปฏิบัติตามประมวลจริยธรรม", "task")],
            period="1 มกราคม 2568 – 30 กันยายน 2568", start="2025-01-01", end="2025-09-30",
        ),
    ]
    measures = []
    for i, d in enumerate(plan, start=1):
        ss = [review(th(s)) if k == "review" else monthly(th(s)) if k == "monthly" else step(th(s))
              for s, k in d["steps"]]
        measures.append(measure(str(i), th(d["title"]), th(d["weakness"]), th(d["improvement"]), d["items"],
                                d["groups"], [person(p["name"], p["group"]) for p in d["people"]], ss,
                                d["start"], d["end"], "quarterly"))
    follow = "ฝ่ายอำนวยการติดตามผลการดำเนินงานรายไตรมาส และรายงานเจ้าพนักงานที่ดินจังหวัดลำปางทราบ"

    L = [
        "บันทึกข้อความ",
        th("ส่วนราชการ สำนักงานที่ดินจังหวัดลำปาง ฝ่ายอำนวยการ โทร. 0 5422 4315"),
        th("ที่ ลป 0020.1/                                  วันที่ 14 มกราคม 2568"),
        th("เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568"),
        "เรียน เจ้าพนักงานที่ดินจังหวัดลำปาง",
    ]
    body = th("ตามที่ กรมที่ดิน ได้แจ้งให้สำนักงานที่ดินจังหวัดดำเนินการตามแนวทางการประเมินคุณธรรมและความโปร่งใส"
              "ในการดำเนินงานของหน่วยงานภาครัฐ ประจำปีงบประมาณ พ.ศ. 2568 โดยให้วิเคราะห์ผลการประเมิน "
              "ปีงบประมาณ พ.ศ. 2567 และกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน "
              "ฝ่ายอำนวยการได้ดำเนินการเรียบร้อยแล้ว จำนวน 3 ประเด็น รายละเอียดตามเอกสารที่แนบ")
    L += ["        " + x if k == 0 else x for k, x in enumerate(wrap(body))]
    L += ["        จึงเรียนมาเพื่อโปรดพิจารณา หากเห็นชอบโปรดลงนามอนุมัติ", "",
          "                              (นางสาวอัญชลี ปัญญาวงศ์)",
          "                       เจ้าพนักงานธุรการชำนาญงาน รักษาการในตำแหน่ง",
          "                                  หัวหน้าฝ่ายอำนวยการ",
          "",
          "                                        อนุมัติ",
          "                              (นายสมบัติ เรือนแก้ว)",
          "                            เจ้าพนักงานที่ดินจังหวัดลำปาง",
          "",
          th("- 2 -"),
          "",
          "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
          th("สำนักงานที่ดินจังหวัดลำปาง ประจำปีงบประมาณ พ.ศ. 2568")]
    for i, d in enumerate(plan, start=1):
        L.append("")
        L.append(th(f"ประเด็นที่ {i} {d['title']}"))
        L += wrap(th(f"ข้อบกพร่อง/จุดอ่อน : {d['weakness']}"))
        L += wrap(th(f"แนวทางการพัฒนา : {d['improvement']}"))
        L.append(th(f"ผู้รับผิดชอบ : {d['owners']}"))
        L.append("ขั้นตอนการปฏิบัติ :")
        for j, (s, _k) in enumerate(d["steps"], start=1):
            if i == 2 and j == 4:
                L += ["", th("- 3 -"), ""]
            L += wrap(th(f"{j}) {s}"), width=48)
        L.append(th(f"ระยะเวลาดำเนินการ : {d['period']}"))
        L += wrap(f"การกำกับติดตาม : {follow}")
        L.append("ข้อจำกัดของหน่วยงาน : - ไม่มี -")
    (HERE / f"{name}.txt").write_text("\n".join(L) + "\n", encoding="utf-8")
    write_expected(
        name, f"{name}.txt",
        "สำนักงานที่ดินจังหวัด (.txt): the text layer of a signed PDF: cover memo, page number lines '- ๒ -', "
        "then 'ประเด็นที่ n title' blocks with 'label : value' lines (ข้อบกพร่อง/จุดอ่อน, แนวทางการพัฒนา, "
        "ผู้รับผิดชอบ, ขั้นตอนการปฏิบัติ with ๑) ๒) steps, ระยะเวลาดำเนินการ, การกำกับติดตาม, ข้อจำกัดของหน่วยงาน); "
        "Thai digits",
        "every long value is hard-wrapped at the printed line's end (continuation lines carry no label and must "
        "be joined, mostly with no space since Thai lines break between words; steps wrap at about 48 characters); a page number line '- ๓ -' falls between step ๓ and "
        "step ๔ of ประเด็นที่ ๒; the owner label comes before the steps; ข้อจำกัด '- ไม่มี -' is a constraint "
        "(no field here); the OIT code O๑๖ is inside the weakness",
        agency, fy, measures,
    )


# ---------------------------------------------------------------- main
BUILDERS = [
    police_kpi_table,
    esa_headings,
    municipality_table,
    hospital_ticks,
    university_bilingual,
    sao_plain_text,
    provincial_sections,
    school_owner_brackets,
    department_gregorian,
    health_office_note_rows,
    land_office_pdf_text,
]


def main():
    for build in BUILDERS:
        build()
    for path in sorted(HERE.glob("*.docx")):
        Document(str(path))  # every memo must open
    print(f"wrote {len(BUILDERS)} memos to {HERE}")


if __name__ == "__main__":
    main()
