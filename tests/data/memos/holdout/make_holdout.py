"""Write the HELD-OUT memo set: memo layouts the importer's authors have not seen, each with
``<name>.expected.yaml`` (what a careful officer types from the memo, in the corpus's schema).

Run from the repository root:  .venv/bin/python tests/data/memos/holdout/make_holdout.py

Deterministic: fixed core properties and fixed zip timestamps, so a re-run writes the same bytes.
The agencies are real kinds of Thai agencies; the people, numbers and phone numbers are made up.

Judgement calls made in the expected files (an officer's reading, stated once here):
- a measure's ``title`` is its name as written, without its number, its OIT codes in brackets or a label such
  as "จุดอ่อน :"; ``weakness``/``improvement`` are the text after such a label;
- a step's ``title`` is its text without its number or bullet; a sub-line ("- ...") under a step is part of it;
- ``due`` only where the memo gives that step a date or a month (a month range: its last day); ``repeat: monthly``
  where the step or its own time cell says it happens every month;
- ``period`` is the measure's own period; when the memo only gives one for all measures, that one; when only
  the steps have dates, from the first step's start to the last step's end;
- a person written with a unit ("ชื่อ (กองคลัง)", "ชื่อ หัวหน้าฝ่ายโยธา") is that person in that unit, and the
  unit is not listed again as a group; a person written with a job title only has no group;
- codes written in a range ("O18–O21") are all the codes of the range.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
_TH = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
FIXED = datetime(2025, 1, 1, 9, 0, 0)


def th(text: str) -> str:
    return text.translate(_TH)


def same(text: str) -> str:
    return text


FY = {2568: ("2024-10-01", "2025-09-30"), 2569: ("2025-10-01", "2026-09-30")}


# ------------------------------------------------------------------------------------------------ docx helpers


class Memo:
    def __init__(self, digits=same):
        self.d = Document()
        self.t = digits
        style = self.d.styles["Normal"]
        style.font.name = "TH SarabunPSK"
        style.font.size = Pt(16)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), "TH SarabunPSK")
        szcs = OxmlElement("w:szCs")
        szcs.set(qn("w:val"), "32")
        rpr.append(szcs)
        style.paragraph_format.space_after = Pt(0)
        sec = self.d.sections[0]
        sec.page_width, sec.page_height = Cm(21), Cm(29.7)
        sec.left_margin, sec.right_margin = Cm(3), Cm(2)
        sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)

    # paragraphs
    def p(self, text="", bold=False, center=False, indent=None, first=None, size=None, right=False):
        par = self.d.add_paragraph()
        if text:
            run = par.add_run(self.t(text))
            run.bold = bold
            if size:
                run.font.size = Pt(size)
        if center:
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if right:
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if indent is not None:
            par.paragraph_format.left_indent = Cm(indent)
        if first is not None:
            par.paragraph_format.first_line_indent = Cm(first)
        return par

    def body(self, text):
        return self.p(text, first=2.5)

    def heading(self):
        self.p("บันทึกข้อความ", bold=True, center=True, size=29)

    def field(self, label, value):
        par = self.d.add_paragraph()
        run = par.add_run(label)
        run.bold = True
        par.add_run("  " + self.t(value))
        return par

    def fields(self, agency_line, number, date, subject, to):
        self.heading()
        self.field("ส่วนราชการ", agency_line)
        par = self.d.add_paragraph()
        par.add_run("ที่").bold = True
        par.add_run("  " + self.t(number) + "\t")
        par.add_run("วันที่").bold = True
        par.add_run("  " + self.t(date))
        self.field("เรื่อง", subject)
        self.p("")
        self.field("เรียน", to)

    def signature(self, *lines, before=""):
        if before:
            self.p(before, indent=7)
        self.p("")
        for line in lines:
            self.p(line, center=True, indent=6)

    def page_break(self):
        self.d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def landscape(self):
        sec = self.d.add_section(WD_SECTION.NEW_PAGE)
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Cm(29.7), Cm(21)
        sec.left_margin, sec.right_margin = Cm(1.5), Cm(1.5)
        return sec

    # tables
    def table(self, rows, cols, widths=None):
        tab = self.d.add_table(rows=rows, cols=cols)
        tab.style = "Table Grid"
        tab.alignment = WD_TABLE_ALIGNMENT.CENTER
        if widths:
            for row in tab.rows:
                for cell, w in zip(row.cells, widths):
                    cell.width = Cm(w)
        return tab

    def cell(self, cell, lines, bold=False, center=False):
        """Write lines (a str or a list) into a cell, one paragraph each."""
        if isinstance(lines, str):
            lines = [lines]
        first = True
        for line in lines:
            par = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            if isinstance(line, tuple):  # (text, bold)
                line, b = line
            else:
                b = bold
            if line:
                run = par.add_run(self.t(line))
                run.bold = b
            if center:
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return cell

    @staticmethod
    def repeat_header(row):
        trpr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)

    def save(self, name):
        cp = self.d.core_properties
        cp.author = "itaflow holdout"
        cp.last_modified_by = "itaflow holdout"
        cp.created = cp.modified = cp.last_printed = FIXED
        cp.revision = 1
        raw = io.BytesIO()
        self.d.save(raw)
        out = io.BytesIO()
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
                fixed.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(fixed, src.read(info.filename))
        (HERE / name).write_bytes(out.getvalue())


# ------------------------------------------------------------------------------------------------ expected


def measure(code, title, weakness, improvement, items, steps, period, monitoring, groups=(), people=(), t=same):
    """One expected measure. steps: (title, kind, repeat, due) or a plain title; people: (name, group)."""
    out_steps = []
    for s in steps:
        if isinstance(s, str):
            s = (s, "task", None, None)
        step_title, kind, repeat, due = (list(s) + [None] * 4)[:4]
        step = {"title": t(step_title), "kind": kind or "task"}
        if repeat:
            step["repeat"] = repeat
        if due:
            step["due"] = due
        out_steps.append(step)
    return {
        "code": str(code), "title": t(title), "weakness": t(weakness), "improvement": t(improvement),
        "items": list(items),
        "owners": {"groups": [t(g) for g in groups],
                   "people": [{"name": t(n), "group": t(g) if g else None} for n, g in people]},
        "steps": out_steps,
        "period": {"start": period[0], "end": period[1]},
        "monitoring": monitoring,
    }


def write_expected(memo, layout, hard, agency, fiscal_year, measures):
    data = {"memo": memo, "layout": layout, "hard": hard, "agency": agency, "fiscal_year": fiscal_year,
            "measures": measures}
    for m in data["measures"]:
        for p in m["owners"]["people"]:
            if p["group"] is None:
                del p["group"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    (HERE / (Path(memo).stem + ".expected.yaml")).write_text(text, encoding="utf-8")


def step_text(s):
    return s if isinstance(s, str) else s[0]


# ================================================================================================ 1. hospital


def hospital_nine_columns():
    name = "hospital_nine_columns.docx"
    agency = "โรงพยาบาลกาฬสินธุ์"
    ms = [
        dict(code="1", title="การเปิดเผยข้อมูลการจัดซื้อจัดจ้างและการจัดหาพัสดุ", items_text="(O20, O21)",
             items=["O20", "O21"],
             weakness="สรุปผลการจัดซื้อจัดจ้างรายเดือนเผยแพร่ไม่ครบ 12 เดือน และไม่ระบุเหตุผลที่คัดเลือกผู้ขาย",
             improvement="จัดทำสรุปผลการจัดซื้อจัดจ้างรายเดือน (แบบ สขร.1) ให้ครบทุกเดือนและเผยแพร่ภายในวันที่ 15 ของเดือนถัดไป",
             steps=["มอบหมายเจ้าหน้าที่พัสดุผู้รับผิดชอบจัดทำข้อมูล",
                    ("จัดทำสรุปผลการจัดซื้อจัดจ้างรายเดือนจากระบบ e-GP ทุกเดือน", "task", "monthly"),
                    ("หัวหน้ากลุ่มงานบริหารทั่วไปตรวจสอบความถูกต้องของข้อมูล", "review"),
                    "ส่งข้อมูลให้กลุ่มงานเทคโนโลยีสารสนเทศเผยแพร่บนเว็บไซต์โรงพยาบาล"],
             owners_text=["นางสาวศิริพร บุญมา (งานพัสดุ)"], groups=[], people=[("นางสาวศิริพร บุญมา", "งานพัสดุ")],
             period_text="ต.ค. 2567 – ก.ย. 2568", period=FY[2568],
             kpi="เผยแพร่สรุปผลครบ 12 เดือน (ร้อยละ 100)", budget="ไม่ใช้งบประมาณ"),
        dict(code="2", title="คู่มือการให้บริการผู้ป่วยนอก", items_text="(O14)", items=["O14"],
             weakness="คู่มือการให้บริการไม่ระบุระยะเวลาการให้บริการและช่องทางร้องเรียน",
             improvement="ปรับปรุงคู่มือการให้บริการผู้ป่วยนอกให้มีขั้นตอน ระยะเวลา และช่องทางร้องเรียนครบถ้วน",
             steps=["ทบทวนกระบวนงานบริการผู้ป่วยนอกร่วมกับทีมนำทางคลินิก", "ยกร่างคู่มือการให้บริการฉบับปรับปรุง",
                    ("หัวหน้ากลุ่มงานการพยาบาลตรวจสอบความถูกต้อง", "review"),
                    "เผยแพร่คู่มือบนเว็บไซต์และจุดบริการผู้ป่วยนอก"],
             owners_text=["กลุ่มงานการพยาบาล", "กลุ่มงานพัฒนาคุณภาพบริการและมาตรฐาน"],
             groups=["กลุ่มงานการพยาบาล", "กลุ่มงานพัฒนาคุณภาพบริการและมาตรฐาน"], people=[],
             period_text="ม.ค. – มี.ค. 2568", period=("2025-01-01", "2025-03-31"),
             kpi="มีคู่มือฉบับปรับปรุงเผยแพร่ภายใน 31 มี.ค. 2568", budget="5,000 บาท (เงินบำรุงโรงพยาบาล)"),
        dict(code="3", title="การรับฟังความคิดเห็นและการมีส่วนร่วมของผู้รับบริการ", items_text="(O29, O30)",
             items=["O29", "O30"],
             weakness="ช่องทางรับฟังความคิดเห็นออนไลน์ไม่มีการตอบกลับผู้แสดงความคิดเห็น",
             improvement="พัฒนาช่องทาง LINE Official Account ของโรงพยาบาลให้รับและตอบกลับความคิดเห็นภายใน 3 วันทำการ",
             steps=["ตั้งค่าระบบรับเรื่องผ่าน LINE Official Account", "กำหนดผู้ตอบกลับประจำวันและแนวทางการตอบ",
                    ("สรุปความคิดเห็นและการตอบกลับ รายงานทุกเดือน", "task", "monthly")],
             owners_text=["กลุ่มงานเทคโนโลยีสารสนเทศ", "งานประชาสัมพันธ์"],
             groups=["กลุ่มงานเทคโนโลยีสารสนเทศ", "งานประชาสัมพันธ์"], people=[],
             period_text="พ.ย. 2567 – ก.ย. 2568", period=("2024-11-01", "2025-09-30"),
             kpi="ตอบกลับความคิดเห็นภายใน 3 วันทำการ ไม่น้อยกว่าร้อยละ 90", budget="12,000 บาท"),
        dict(code="4", title="การป้องกันผลประโยชน์ทับซ้อนในการสั่งใช้ยาและเวชภัณฑ์", items_text="(O35, O36)",
             items=["O35", "O36"],
             weakness="ยังไม่มีการประเมินความเสี่ยงการทุจริตในกระบวนการรับการสนับสนุนจากบริษัทยา",
             improvement="ประเมินความเสี่ยงและกำหนดแนวปฏิบัติการรับการสนับสนุนจากบริษัทยาตามเกณฑ์จริยธรรมการจัดซื้อจัดหาและการส่งเสริมการขายยา",
             steps=["แต่งตั้งคณะทำงานประเมินความเสี่ยงการทุจริต", "ประเมินความเสี่ยงกระบวนการรับการสนับสนุนจากบริษัทยา",
                    "จัดทำแนวปฏิบัติและประกาศให้บุคลากรทราบ", "รายงานผลการดำเนินงานต่อผู้อำนวยการโรงพยาบาล"],
             owners_text=["ภก.ธนากร สุวรรณศรี หัวหน้ากลุ่มงานเภสัชกรรมและคุ้มครองผู้บริโภค", "ศูนย์คุณภาพ"],
             groups=["ศูนย์คุณภาพ"], people=[("ภก.ธนากร สุวรรณศรี", "กลุ่มงานเภสัชกรรมและคุ้มครองผู้บริโภค")],
             period_text="ธ.ค. 2567 – มิ.ย. 2568", period=("2024-12-01", "2025-06-30"),
             kpi="มีแนวปฏิบัติฯ ประกาศใช้ 1 ฉบับ", budget="-"),
    ]
    m = Memo()
    m.fields(f"{agency} กลุ่มงานบริหารทั่วไป โทร. 0 4381 1020 ต่อ 1105", "กส 0033.301/1482",
             "18 ธันวาคม 2567",
             "ขออนุมัติมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
             f"ผู้อำนวยการ{agency}")
    m.body("ตามที่ สำนักงานปลัดกระทรวงสาธารณสุข กำหนดให้หน่วยงานในสังกัดดำเนินการตามแบบวัดการเปิดเผยข้อมูลสาธารณะ "
           "(OIT) ของการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA) ประจำปีงบประมาณ พ.ศ. 2568 "
           "โดยให้หน่วยงานวิเคราะห์ผลการประเมินปีที่ผ่านมาและกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน นั้น")
    m.body("ในการนี้ คณะทำงานขับเคลื่อน ITA โรงพยาบาลกาฬสินธุ์ ได้ประชุมวิเคราะห์ผลการประเมิน ITA ปี 2567 "
           "เมื่อวันที่ 29 พฤศจิกายน 2567 และจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน จำนวน 4 มาตรการ "
           "รายละเอียดตามเอกสารแนบ")
    m.body("จึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ และลงนามประกาศมาตรการดังกล่าว เพื่อเผยแพร่บนเว็บไซต์โรงพยาบาลต่อไป")
    m.signature("(นางวิไลวรรณ ศรีสุข)", "นักจัดการงานทั่วไปชำนาญการ", "หัวหน้ากลุ่มงานบริหารทั่วไป")
    m.p("")
    m.p("อนุมัติ", indent=7)
    m.signature("(นายแพทย์ประเสริฐ วงศ์ใหญ่)", f"ผู้อำนวยการ{agency}")
    m.landscape()
    m.p("มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", bold=True, center=True)
    m.p(f"{agency} ประจำปีงบประมาณ พ.ศ. 2568", bold=True, center=True)
    heads = ["ที่", "ประเด็นที่ต้องพัฒนา (ข้อ OIT)", "ข้อบกพร่องหรือจุดอ่อน", "มาตรการ/แนวทางการพัฒนา",
             "ขั้นตอนการดำเนินงาน", "ผู้รับผิดชอบ", "ระยะเวลาดำเนินการ", "ตัวชี้วัดความสำเร็จ", "งบประมาณ"]
    tab = m.table(1 + len(ms), 9, [1, 3, 3.2, 3.4, 5.2, 3, 2.4, 3, 2.2])
    for c, h in enumerate(heads):
        m.cell(tab.cell(0, c), h, bold=True, center=True)
    m.repeat_header(tab.rows[0])
    for r, x in enumerate(ms, start=1):
        m.cell(tab.cell(r, 0), x["code"], center=True)
        m.cell(tab.cell(r, 1), [x["title"], x["items_text"]])
        m.cell(tab.cell(r, 2), x["weakness"])
        m.cell(tab.cell(r, 3), x["improvement"])
        m.cell(tab.cell(r, 4), [f"{i}. {step_text(s)}" for i, s in enumerate(x["steps"], 1)])
        m.cell(tab.cell(r, 5), x["owners_text"])
        m.cell(tab.cell(r, 6), x["period_text"], center=True)
        m.cell(tab.cell(r, 7), x["kpi"])
        m.cell(tab.cell(r, 8), x["budget"], center=True)
    m.p("")
    m.p("การกำกับติดตาม : ศูนย์คุณภาพ ในฐานะฝ่ายเลขานุการคณะทำงานขับเคลื่อน ITA ติดตามความก้าวหน้าการดำเนินงาน"
        "ตามมาตรการทุกไตรมาส และรายงานคณะกรรมการบริหารโรงพยาบาล", indent=0.5)
    m.save(name)
    write_expected(name, "โรงพยาบาล: a landscape 9-column table (ตัวชี้วัดความสำเร็จ and งบประมาณ columns) after an approved cover memo",
                   "the measure's name and its OIT codes share a column; KPI and budget columns belong to no field (and the KPI holds a date); the monitoring plan is one paragraph under the table for all measures; owners mix a person with a unit in brackets, a person with 'หัวหน้า<unit>', and units; the cover memo has two signatures",
                   agency, 2568,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"], x["steps"], x["period"],
                            {"frequency": "quarterly"}, x["groups"], x["people"]) for x in ms])


# ================================================================================================ 2. Bangkok district


def bangkok_district_subnumbers():
    name = "bangkok_district_subnumbers.docx"
    agency = "สำนักงานเขตบางเขน"
    ms = [
        dict(code="1", title="มาตรการเปิดเผยข้อมูลการใช้จ่ายงบประมาณ", items_text="O2 และ O3", items=["O2", "O3"],
             weakness="รายงานการกำกับติดตามการใช้จ่ายงบประมาณรอบ 6 เดือนไม่แสดงความก้าวหน้าเป็นรายโครงการ และรายงานผลประจำปีไม่ระบุปัญหาอุปสรรค",
             improvement="จัดทำรายงานความก้าวหน้าการใช้จ่ายงบประมาณเป็นรายโครงการ พร้อมปัญหาอุปสรรคและข้อเสนอแนะ",
             steps=["ฝ่ายการคลังจัดทำแบบรายงานความก้าวหน้ารายโครงการ",
                    ("ทุกฝ่ายรายงานผลการเบิกจ่ายเป็นรายโครงการทุกเดือน", "task", "monthly"),
                    "ฝ่ายการคลังสรุปรายงานรอบ 6 เดือนเสนอผู้อำนวยการเขต",
                    "เผยแพร่รายงานบนเว็บไซต์สำนักงานเขตบางเขน"],
             owners_text="ฝ่ายการคลัง และฝ่ายปกครอง", groups=["ฝ่ายการคลัง", "ฝ่ายปกครอง"], people=[],
             period_text="ตุลาคม 2568 – มีนาคม 2569", period=("2025-10-01", "2026-03-31"),
             monitoring_text="ฝ่ายปกครองรวบรวมผลและรายงานผู้อำนวยการเขตทุกเดือน", monitoring={"frequency": "monthly"}),
        dict(code="2", title="มาตรการลดขั้นตอนการให้บริการงานทะเบียนราษฎร", items_text="O14 และ O17",
             items=["O14", "O17"],
             weakness="ผู้รับบริการรอคิวนานในช่วงเช้า และยังไม่มีการนัดหมายล่วงหน้าผ่านช่องทางออนไลน์",
             improvement="เปิดให้จองคิวล่วงหน้าผ่านระบบจองคิวออนไลน์ของกรุงเทพมหานคร และประกาศระยะเวลาการให้บริการแต่ละงาน",
             steps=["สำรวจงานบริการที่มีผู้รับบริการมากในช่วงเช้า",
                    "เปิดให้จองคิวล่วงหน้าผ่านระบบจองคิวออนไลน์",
                    "จัดทำป้ายแสดงขั้นตอนและระยะเวลาการให้บริการ",
                    ("หัวหน้าฝ่ายทะเบียนตรวจสอบความถูกต้องของข้อมูลก่อนเผยแพร่", "review"),
                    "สำรวจความพึงพอใจของผู้รับบริการ"],
             owners_text="ฝ่ายทะเบียน", groups=["ฝ่ายทะเบียน"], people=[],
             period_text="พฤศจิกายน 2568 – มิถุนายน 2569", period=("2025-11-01", "2026-06-30"),
             monitoring_text="รายงานผลต่อผู้อำนวยการเขต 2 ครั้ง ภายในวันที่ 31 มีนาคม 2569 และวันที่ 30 มิถุนายน 2569",
             monitoring={"rounds": ["2026-03-31", "2026-06-30"]}),
        dict(code="3", title="มาตรการป้องกันการเรียกรับสินบนในการพิจารณาอนุญาตก่อสร้างอาคาร", items_text="O35 และ O36",
             items=["O35", "O36"],
             weakness="กระบวนการพิจารณาอนุญาตก่อสร้างอาคารมีความเสี่ยงการเรียกรับผลประโยชน์ (ผลการประเมินความเสี่ยงการทุจริตอยู่ในระดับสูง)",
             improvement="เปิดเผยสถานะคำขออนุญาตให้ผู้ยื่นคำขอตรวจสอบได้ และหมุนเวียนนายตรวจอาคารออกตรวจพื้นที่",
             steps=["จัดทำทะเบียนคุมคำขออนุญาตและแจ้งสถานะแก่ผู้ยื่นคำขอ",
                    ("จัดเวรหมุนเวียนนายตรวจอาคารออกตรวจพื้นที่ทุกเดือน", "task", "monthly"),
                    "ติดประกาศช่องทางแจ้งเบาะแสการเรียกรับสินบน ณ จุดบริการ",
                    "สรุปผลการดำเนินการตามแผนบริหารความเสี่ยงการทุจริต"],
             owners_text="นายวรวุฒิ แสงทอง หัวหน้าฝ่ายโยธา", groups=[], people=[("นายวรวุฒิ แสงทอง", "ฝ่ายโยธา")],
             period_text="ตุลาคม 2568 – กันยายน 2569", period=FY[2569],
             monitoring_text="รายงานผลรายไตรมาสต่อคณะทำงานขับเคลื่อน ITA ของสำนักงานเขต",
             monitoring={"frequency": "quarterly"}),
    ]
    m = Memo()
    m.fields(f"{agency} (ฝ่ายปกครอง โทร. 0 2521 0550 ต่อ 6521)", "กท 5103/2217", "5 พฤศจิกายน 2568",
             "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2569", "ผู้อำนวยการเขตบางเขน")
    m.body("ตามที่ กรุงเทพมหานครได้เข้ารับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA) "
           "ประจำปีงบประมาณ พ.ศ. 2568 โดยสำนักงานเขตบางเขนได้คะแนน 87.45 คะแนน อยู่ในระดับ A นั้น")
    m.body("ฝ่ายปกครองได้วิเคราะห์ผลการประเมินดังกล่าวร่วมกับทุกฝ่าย และจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใส"
           "ภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2569 จำนวน 3 มาตรการ ดังนี้")
    for x in ms:
        m.p(f"{x['code']}. {x['title']}", bold=True, indent=1.25)
        m.p(f"{x['code']}.1 ประเด็นจากผลการประเมิน ({x['items_text']}) : {x['weakness']}", indent=1.75)
        m.p(f"{x['code']}.2 แนวทางการพัฒนา : {x['improvement']}", indent=1.75)
        m.p(f"{x['code']}.3 ขั้นตอนการดำเนินการ", indent=1.75)
        for i, s in enumerate(x["steps"], 1):
            m.p(f"{x['code']}.3.{i}\t{step_text(s)}", indent=2.5)
        m.p(f"{x['code']}.4 ผู้รับผิดชอบ : {x['owners_text']}", indent=1.75)
        m.p(f"{x['code']}.5 ระยะเวลาดำเนินการ : {x['period_text']}", indent=1.75)
        m.p(f"{x['code']}.6 การติดตามและรายงานผล : {x['monitoring_text']}", indent=1.75)
    m.body("จึงเรียนมาเพื่อโปรดพิจารณา หากเห็นชอบโปรดลงนามในประกาศมาตรการ และมอบหมายทุกฝ่ายดำเนินการต่อไป")
    m.signature("(นางสาวปวีณา รัตนวงศ์)", "หัวหน้าฝ่ายปกครอง")
    m.p("")
    m.p("- เห็นชอบ", indent=1)
    m.p("- มอบทุกฝ่ายดำเนินการ", indent=1)
    m.signature("(นายสมชาย เลิศวิริยะ)", "ผู้อำนวยการเขตบางเขน")
    m.save(name)
    write_expected(name, "สำนักงานเขต: measures as numbered paragraphs, their parts as 1.1-1.6 and steps as 1.3.1",
                   "no table at all; every part of a measure is a sub-numbered labelled paragraph; OIT codes sit in the weakness's label; a tab after the step numbers; the director's approval after the signature",
                   agency, 2569,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"], x["steps"], x["period"],
                            x["monitoring"], x["groups"], x["people"]) for x in ms])


# ================================================================================================ 3. university faculty


def faculty_merged_header_landscape():
    name = "faculty_merged_header_landscape.docx"
    agency = "คณะวิทยาศาสตร์ มหาวิทยาลัยราชภัฏอุดรธานี"
    ms = [
        dict(code="1", title="การเปิดเผยหลักเกณฑ์การบริหารงานบุคคล", items_text="ข้อ O24", items=["O24"],
             weakness="บุคลากรสายสนับสนุนไม่ทราบหลักเกณฑ์การประเมินผลการปฏิบัติงานและการเลื่อนเงินเดือน",
             improvement="เผยแพร่หลักเกณฑ์การประเมินผลการปฏิบัติงานและการเลื่อนเงินเดือนของบุคลากรคณะบนเว็บไซต์และชี้แจงในที่ประชุม",
             steps=[("รวบรวมประกาศหลักเกณฑ์ของมหาวิทยาลัยที่ใช้กับบุคลากรคณะ", "task", None, "2025-10-31", "ต.ค. 2568"),
                    ("จัดประชุมชี้แจงบุคลากรสายสนับสนุน", "task", None, "2025-11-30", "พ.ย. 2568"),
                    ("เผยแพร่หลักเกณฑ์บนเว็บไซต์คณะ", "task", None, "2025-12-15", "ภายใน 15 ธ.ค. 2568")],
             owners_text=["สำนักงานคณบดี"], groups=["สำนักงานคณบดี"], people=[],
             period=("2025-10-01", "2025-12-15")),
        dict(code="2", title="การจัดการเรื่องร้องเรียนของนักศึกษา", items_text="ข้อ O26 และ O27", items=["O26", "O27"],
             weakness="นักศึกษาไม่ทราบช่องทางร้องเรียน และไม่ได้รับแจ้งผลการดำเนินการ",
             improvement="จัดช่องทางรับเรื่องร้องเรียนผ่าน QR Code ประจำห้องเรียน และแจ้งผลการดำเนินการแก่ผู้ร้องภายใน 15 วันทำการ",
             steps=[("จัดทำ QR Code ช่องทางร้องเรียนติดทุกห้องเรียนและห้องปฏิบัติการ", "task", None, "2025-11-30", "พ.ย. 2568"),
                    ("กำหนดผู้รับเรื่องและขั้นตอนการแจ้งผลแก่ผู้ร้อง", "task", None, "2025-11-30", "พ.ย. 2568"),
                    ("รองคณบดีฝ่ายกิจการนักศึกษาตรวจสอบผลการดำเนินการก่อนแจ้งผู้ร้อง", "review", None, "2026-09-30",
                     "ธ.ค. 2568 – ก.ย. 2569"),
                    ("สรุปสถิติเรื่องร้องเรียนรายเดือนเสนอคณบดี", "task", "monthly", None, "ทุกเดือน")],
             owners_text=["งานกิจการนักศึกษา"], groups=["งานกิจการนักศึกษา"], people=[],
             period=("2025-11-01", "2026-09-30")),
        dict(code="3", title="การใช้ทรัพย์สินของคณะอย่างถูกต้อง", items_text="ผลการประเมิน IIT ตัวชี้วัดที่ 4", items=[],
             weakness="บุคลากรบางส่วนนำครุภัณฑ์วิทยาศาสตร์ไปใช้นอกคณะโดยไม่ได้ยืมตามระเบียบ",
             improvement="กำหนดแนวปฏิบัติการยืมครุภัณฑ์ และใช้แบบยืม-คืนครุภัณฑ์ออนไลน์",
             steps=[("ทบทวนแนวปฏิบัติการยืมและคืนครุภัณฑ์", "task", None, "2026-01-31", "ม.ค. 2569"),
                    ("พัฒนาแบบฟอร์มยืม-คืนครุภัณฑ์ออนไลน์ (Google Form)", "task", None, "2026-03-31",
                     "ก.พ. – มี.ค. 2569"),
                    ("ตรวจนับครุภัณฑ์ประจำปี", "task", None, "2026-09-30", "1 – 30 ก.ย. 2569")],
             owners_text=["งานพัสดุ", "ศูนย์วิทยาศาสตร์"], groups=["งานพัสดุ", "ศูนย์วิทยาศาสตร์"], people=[],
             period=("2026-01-01", "2026-09-30")),
    ]
    m = Memo()
    m.fields(f"{agency} สำนักงานคณบดี โทร. 4310", "อว 0622.04/0981", "12 พฤศจิกายน 2568",
             "รายงานมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ 2569", "คณบดีคณะวิทยาศาสตร์")
    m.body("ตามหนังสือมหาวิทยาลัยราชภัฏอุดรธานี ที่ อว 0622/ว 512 ลงวันที่ 20 ตุลาคม 2568 แจ้งให้คณะและหน่วยงาน"
           "ในสังกัดวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA) ประจำปี 2568 "
           "และจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงานของคณะ ส่งมหาวิทยาลัยภายในวันที่ 30 พฤศจิกายน 2568 นั้น")
    m.body("สำนักงานคณบดีได้จัดทำมาตรการดังกล่าวเรียบร้อยแล้ว จำนวน 3 มาตรการ รายละเอียดตามตารางแนบ")
    m.body("จึงเรียนมาเพื่อโปรดพิจารณา")
    m.signature("(นางสาวจันทร์เพ็ญ ศรีวงศ์)", "หัวหน้าสำนักงานคณบดีคณะวิทยาศาสตร์")
    m.landscape()
    m.p("มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน คณะวิทยาศาสตร์ ปีงบประมาณ พ.ศ. 2569", bold=True, center=True)
    rows = 2 + sum(len(x["steps"]) for x in ms)
    tab = m.table(rows, 5, [6, 6, 7.5, 3.5, 3.7])
    # two header rows: มาตรการ | การดำเนินงาน {ขั้นตอน | ระยะเวลา} | ผู้รับผิดชอบ
    for c in (0, 1, 4):
        tab.cell(0, c).merge(tab.cell(1, c))
    top = tab.cell(0, 2).merge(tab.cell(0, 3))
    m.cell(tab.cell(0, 0), "ประเด็นจากผลการประเมิน ITA 2568", bold=True, center=True)
    m.cell(tab.cell(0, 1), "มาตรการ", bold=True, center=True)
    m.cell(top, "การดำเนินงาน", bold=True, center=True)
    m.cell(tab.cell(1, 2), "ขั้นตอน", bold=True, center=True)
    m.cell(tab.cell(1, 3), "ระยะเวลา", bold=True, center=True)
    m.cell(tab.cell(0, 4), "ผู้รับผิดชอบ", bold=True, center=True)
    m.repeat_header(tab.rows[0])
    m.repeat_header(tab.rows[1])
    r = 2
    for x in ms:
        last = r + len(x["steps"]) - 1
        for c in (0, 1, 4):
            if last > r:
                tab.cell(r, c).merge(tab.cell(last, c))
        m.cell(tab.cell(r, 0), [x["items_text"], x["weakness"]])
        m.cell(tab.cell(r, 1), [(f"{x['code']}. {x['title']}", True), x["improvement"]])
        m.cell(tab.cell(r, 4), x["owners_text"])
        for i, s in enumerate(x["steps"]):
            m.cell(tab.cell(r + i, 2), f"{i + 1}. {s[0]}")
            m.cell(tab.cell(r + i, 3), s[4], center=True)
        r = last + 1
    m.p("")
    m.p("การติดตามผล : งานบริหารทั่วไป สำนักงานคณบดี รายงานความก้าวหน้าต่อที่ประชุมคณะกรรมการประจำคณะ "
        "รอบ 6 เดือน (ภายใน 31 มีนาคม 2569) และรอบ 12 เดือน (ภายใน 30 กันยายน 2569)")
    m.save(name)
    write_expected(name, "คณะ (มหาวิทยาลัย): landscape table, header merged over two rows (มาตรการ | การดำเนินงาน {ขั้นตอน | ระยะเวลา} | ผู้รับผิดชอบ), one row per step",
                   "a header cell spans two columns and others span two rows; the issue, measure and owner cells are merged down over each measure's step rows; each step has its own time (a month, a range, 'ภายใน' a day, 'ทุกเดือน'); the measure cell is name (bold) + improvement; measure 3 cites an IIT indicator, not an OIT item; the rounds are in a paragraph under the table",
                   agency, 2569,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"],
                            [s[:4] for s in x["steps"]], x["period"],
                            {"rounds": ["2026-03-31", "2026-09-30"]}, x["groups"], x["people"]) for x in ms])


# ================================================================================================ 4. OBEC school


def obec_school_bullets():
    name = "obec_school_bullets.docx"
    agency = "โรงเรียนบ้านหนองแสง"
    ms = [
        dict(code="1", title="การเปิดเผยข้อมูลการจัดซื้อจัดจ้าง", items_text="(O20, O21)", items=["O20", "O21"],
             weakness="เผยแพร่สรุปผลการจัดซื้อจัดจ้างไม่เป็นปัจจุบัน ล่าช้า 2-3 เดือน",
             improvement="กำหนดให้เจ้าหน้าที่พัสดุจัดทำสรุปผลการจัดซื้อจัดจ้างและเผยแพร่ภายในวันที่ 15 ของเดือนถัดไป",
             bullet="❖",
             steps=[("แต่งตั้งเจ้าหน้าที่พัสดุและผู้ช่วยเจ้าหน้าที่พัสดุ",),
                    ("จัดทำแบบ สขร.1 ทุกเดือน", "task", "monthly", None,
                     'หากเดือนใดไม่มีการจัดซื้อจัดจ้าง ให้รายงานว่า "ไม่มีการจัดซื้อจัดจ้าง"'),
                    ("ผู้อำนวยการโรงเรียนตรวจสอบความถูกต้องและลงนาม", "review"),
                    ("เผยแพร่บนเว็บไซต์โรงเรียน",)],
             owners_text=["นางสาวมณีรัตน์ พรหมมา", "เจ้าหน้าที่พัสดุ"], groups=[],
             people=[("นางสาวมณีรัตน์ พรหมมา", None)],
             time_text=["ต.ค. 67 – ก.ย. 68", "(ติดตามทุกสิ้นเดือน)"], period=FY[2568],
             monitoring={"frequency": "monthly"}),
        dict(code="2", title="ช่องทางการรับฟังความคิดเห็นของผู้ปกครอง", items_text="(O29)", items=["O29"],
             weakness="ไม่มีช่องทางรับฟังความคิดเห็นออนไลน์ ผู้ปกครองต้องมาติดต่อที่โรงเรียน",
             improvement="เปิดช่องทางรับฟังความคิดเห็นผ่าน Google Form และ Facebook Page ของโรงเรียน",
             bullet="๏",
             steps=[("จัดทำแบบรับฟังความคิดเห็นออนไลน์",),
                    ("ประชาสัมพันธ์ช่องทางในการประชุมผู้ปกครองต้นภาคเรียน",),
                    ("สรุปความคิดเห็นรายงานคณะกรรมการสถานศึกษาขั้นพื้นฐาน",)],
             owners_text=["งานประชาสัมพันธ์", "กลุ่มบริหารทั่วไป"], groups=["งานประชาสัมพันธ์", "กลุ่มบริหารทั่วไป"],
             people=[], time_text=["พ.ย. 67 – มี.ค. 68", "(รายงานผล 31 มี.ค. 68)"],
             period=("2024-11-01", "2025-03-31"), monitoring={"rounds": ["2025-03-31"]}),
        dict(code="3", title="การส่งเสริมวัฒนธรรมสุจริตในโรงเรียน", items_text="(O32)", items=["O32"],
             weakness="ครูและบุคลากรบางส่วนไม่เข้าใจแนวปฏิบัติการไม่รับของขวัญ (No Gift Policy)",
             improvement="ประกาศนโยบายไม่รับของขวัญ และจัดกิจกรรมโรงเรียนสุจริต",
             bullet="❖",
             steps=[("ผู้อำนวยการโรงเรียนประกาศนโยบายไม่รับของขวัญ",),
                    ("จัดกิจกรรมโรงเรียนสุจริตในการประชุมประจำเดือนครู",),
                    ("นักเรียนแกนนำจัดกิจกรรมธนาคารความดี",)],
             owners_text=["นายประเสริฐ คำแก้ว (กลุ่มบริหารงานบุคคล)"], groups=[],
             people=[("นายประเสริฐ คำแก้ว", "กลุ่มบริหารงานบุคคล")],
             time_text=["ธ.ค. 67 – ก.ย. 68", "(ติดตามรายไตรมาส)"], period=("2024-12-01", "2025-09-30"),
             monitoring={"frequency": "quarterly"}),
    ]
    m = Memo(th)
    m.fields(f"{agency} สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเลย เขต 2", "ศธ 04049.132/พิเศษ",
             "20 พฤศจิกายน 2567", "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ 2568",
             f"ผู้อำนวยการ{agency}")
    m.body("ตามที่ สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเลย เขต 2 แจ้งให้สถานศึกษาในสังกัดดำเนินการประเมินคุณธรรมและ"
           "ความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA Online) ประจำปีงบประมาณ พ.ศ. 2568 นั้น")
    m.body("งานควบคุมภายใน กลุ่มบริหารทั่วไป ได้วิเคราะห์ผลการประเมิน ITA Online ปี 2567 ของโรงเรียน และกำหนด"
           "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ดังนี้")
    heads = ["ประเด็น/จุดอ่อน", "มาตรการและแนวทางแก้ไข", "วิธีดำเนินการ", "ผู้รับผิดชอบ", "ระยะเวลา/การติดตาม"]
    tab = m.table(1 + len(ms), 5, [3.5, 3.5, 5, 2.8, 2.4])
    for c, h in enumerate(heads):
        m.cell(tab.cell(0, c), h, bold=True, center=True)
    for r, x in enumerate(ms, 1):
        m.cell(tab.cell(r, 0), [(f"{x['code']}. {x['title']} {x['items_text']}", True), f"จุดอ่อน : {x['weakness']}"])
        m.cell(tab.cell(r, 1), x["improvement"])
        lines = []
        for s in x["steps"]:
            lines.append(f"{x['bullet']} {s[0]}")
            if len(s) > 4:
                lines.append(f"   - {s[4]}")
        m.cell(tab.cell(r, 2), lines)
        m.cell(tab.cell(r, 3), x["owners_text"])
        m.cell(tab.cell(r, 4), x["time_text"], center=True)
    m.p("")
    m.body("จึงเรียนมาเพื่อโปรดทราบ และพิจารณาลงนามประกาศใช้มาตรการดังกล่าว")
    m.signature("(นางสาวอรวรรณ ชัยมงคล)", "ครู ชำนาญการ", "หัวหน้างานควบคุมภายใน")
    m.p("")
    m.p("ความเห็นผู้อำนวยการโรงเรียน", bold=True, indent=1)
    m.p("☑ ทราบ/อนุมัติ   ☐ อื่น ๆ ..............................", indent=1)
    m.signature("(นายสุรชัย พันธ์โพธิ์)", f"ผู้อำนวยการ{agency}")

    def steps(x):
        out = []
        for s in x["steps"]:
            title = s[0] + (" " + s[4] if len(s) > 4 else "")
            out.append((title,) + tuple(s[1:4]))
        return out

    m.save(name)
    write_expected(name, "โรงเรียน สพฐ.: one 5-column table, steps as '❖' or '๏' bullets in a cell, Thai digits throughout",
                   "the period and the monitoring share one cell; the topic cell holds number, name and codes (bold) then 'จุดอ่อน :' + weakness; a step has a '-' sub-line that belongs to it; 2-digit BE years; owners: a person with a job title on the next line, a person with a unit in brackets; the principal's approval box with ☑/☐",
                   agency, 2568,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"], steps(x), x["period"],
                            x["monitoring"], x["groups"], x["people"], t=th) for x in ms])


# ================================================================================================ 5. department


def department_english_mixed():
    name = "department_english_mixed.docx"
    agency = "กรมส่งเสริมสหกรณ์"
    ms = [
        dict(code="1", title="พัฒนา e-Service การจดทะเบียนข้อบังคับสหกรณ์", items_text="O17 E-Service", items=["O17"],
             weakness="ผู้รับบริการยังต้องยื่นเอกสารจดทะเบียนข้อบังคับสหกรณ์ด้วยตนเองที่สำนักงาน",
             improvement="ผู้รับบริการยื่นคำขอและติดตามสถานะได้ทาง Online ทุกขั้นตอน",
             steps=["ทบทวน Business Process การจดทะเบียนข้อบังคับ",
                    "พัฒนาระบบยื่นคำขอออนไลน์ร่วมกับ ศทส.",
                    "ทดสอบระบบ (UAT) กับสำนักงานสหกรณ์จังหวัดนำร่อง 5 จังหวัด",
                    ("ผู้อำนวยการกองนิติการตรวจสอบความถูกต้องของแบบฟอร์มและขั้นตอน", "review"),
                    "เปิดให้บริการและประชาสัมพันธ์ผ่านเว็บไซต์และ Facebook ของกรม"],
             owners_text=["กองนิติการ", "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร (ศทส.)"],
             groups=["กองนิติการ", "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร"], people=[],
             timeline="Q1–Q3/2569", period=("2025-10-01", "2026-06-30"),
             kpi="ร้อยละ 80 ของคำขอยื่นผ่านระบบ Online"),
        dict(code="2", title="จัดทำ HR Scorecard รายงานผลการพัฒนาบุคลากร",
             items_text="O25 รายงานผลการบริหารและพัฒนาทรัพยากรบุคคลประจำปี", items=["O25"],
             weakness="รายงานไม่แสดงผลการดำเนินงานเทียบกับ KPI ของแผนพัฒนาบุคลากร",
             improvement="รายงานผลการบริหารและพัฒนาทรัพยากรบุคคลแสดงผลเทียบกับ KPI ทุกตัวชี้วัด",
             steps=["กำหนด KPI ของแผนพัฒนาบุคลากรรายโครงการ",
                    ("เก็บข้อมูลผลการฝึกอบรมจากระบบ DPIS ทุกเดือน", "task", "monthly"),
                    "จัดทำรายงานประจำปีพร้อม Infographic",
                    "เสนออธิบดีให้ความเห็นชอบและเผยแพร่บนเว็บไซต์กรม"],
             owners_text=["กองการเจ้าหน้าที่"], groups=["กองการเจ้าหน้าที่"], people=[],
             timeline="Q1–Q4/2569", period=FY[2569], kpi="รายงานประจำปีเผยแพร่ภายใน 30 ก.ย. 2569"),
        dict(code="3", title="สร้างการรับรู้นโยบาย No Gift Policy",
             items_text="IIT ด้านการใช้อำนาจ (คะแนนต่ำกว่าค่าเฉลี่ย)", items=[],
             weakness="บุคลากรบางส่วนไม่แน่ใจว่าการรับของขวัญจากสหกรณ์ในช่วงเทศกาลขัดต่อ No Gift Policy",
             improvement="บุคลากรทุกระดับเข้าใจและปฏิบัติตามนโยบายไม่รับของขวัญ",
             steps=["อธิบดีประกาศเจตนารมณ์ No Gift Policy",
                    "จัด e-Learning เรื่องผลประโยชน์ทับซ้อนให้บุคลากรทุกคน",
                    "ประเมินผลการรับรู้ด้วยแบบทดสอบ Post-test"],
             owners_text=["นางสาวพิมพ์ลดา วัฒนกุล (ศปท.)"], groups=[],
             people=[("นางสาวพิมพ์ลดา วัฒนกุล", "ศปท.")],
             timeline="Q2/2569", period=("2026-01-01", "2026-03-31"),
             kpi="บุคลากรผ่าน Post-test ไม่น้อยกว่าร้อยละ 90"),
    ]
    m = Memo()
    m.fields(f"{agency} ศูนย์ปฏิบัติการต่อต้านการทุจริต โทร. 0 2628 5217", "กษ 0401/1560", "24 ตุลาคม 2568",
             "ขอความเห็นชอบมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน (Internal Integrity and Transparency "
             "Measures) ประจำปีงบประมาณ พ.ศ. 2569", "อธิบดีกรมส่งเสริมสหกรณ์ (ผ่านรองอธิบดีฝ่ายบริหาร)")
    m.body("ตามที่ สำนักงาน ป.ป.ช. ได้ประกาศผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
           "(Integrity and Transparency Assessment: ITA) ประจำปีงบประมาณ พ.ศ. 2568 กรมส่งเสริมสหกรณ์ได้ 93.12 คะแนน "
           "ระดับ A นั้น")
    m.body("ศูนย์ปฏิบัติการต่อต้านการทุจริต (ศปท.) ได้วิเคราะห์ผลการประเมินแบบ Gap Analysis ทั้ง IIT EIT และ OIT "
           "และจัดทำ Action Plan ตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน พร้อม KPI ของแต่ละมาตรการ "
           "รายละเอียดดังนี้")
    heads = ["No.", "Issue (ประเด็นจากผลการประเมิน)", "Action Plan (มาตรการ)", "Key Activities", "Owner",
             "Timeline", "KPI"]
    tab = m.table(1 + len(ms), 7, [0.9, 3.2, 3.2, 5, 2.6, 1.8, 2.3])
    for c, h in enumerate(heads):
        m.cell(tab.cell(0, c), h, bold=True, center=True)
    for r, x in enumerate(ms, 1):
        m.cell(tab.cell(r, 0), x["code"], center=True)
        m.cell(tab.cell(r, 1), [x["items_text"], x["weakness"]])
        m.cell(tab.cell(r, 2), [(x["title"], True), f"เป้าหมาย: {x['improvement']}"])
        m.cell(tab.cell(r, 3), [f"({i}) {step_text(s)}" for i, s in enumerate(x["steps"], 1)])
        m.cell(tab.cell(r, 4), x["owners_text"])
        m.cell(tab.cell(r, 5), x["timeline"], center=True)
        m.cell(tab.cell(r, 6), x["kpi"])
    m.p("")
    m.p("Monitoring: ศปท. ติดตามความก้าวหน้าทุกเดือนผ่าน ITA Dashboard ของกรม และสรุปรายงานอธิบดี", indent=0.5)
    m.body("จึงเรียนมาเพื่อโปรดพิจารณาให้ความเห็นชอบ และมอบหมายหน่วยงานที่เกี่ยวข้องดำเนินการตาม Action Plan ต่อไป")
    m.signature("(นายกฤษดา โชติช่วง)", "ผู้อำนวยการศูนย์ปฏิบัติการต่อต้านการทุจริต")
    m.p("")
    m.p("เห็นชอบ", indent=7)
    m.signature("(นางสาววราภรณ์ ธนสาร)", "อธิบดีกรมส่งเสริมสหกรณ์")
    m.save(name)
    write_expected(name, "กรม: one 7-column table with English headers (No. | Issue | Action Plan | Key Activities | Owner | Timeline | KPI)",
                   "English words everywhere (Action Plan, KPI, UAT, e-Learning, Post-test); the period is a fiscal quarter range ('Q1–Q3/2569'); steps numbered '(1)'; the Action Plan cell is the name (bold) + 'เป้าหมาย:' improvement; measure 3 cites IIT, not an OIT item; an owner unit written with its abbreviation in brackets; monitoring in one 'Monitoring:' paragraph; the subject holds an English title",
                   agency, 2569,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"], x["steps"], x["period"],
                            {"frequency": "monthly"}, x["groups"], x["people"]) for x in ms])


# ================================================================================================ 6. tambon (SAO)


def tambon_bold_label_tables():
    name = "tambon_bold_label_tables.docx"
    agency = "องค์การบริหารส่วนตำบลโนนทอง"
    ms = [
        dict(code="1", title="การเผยแพร่แผนและผลการดำเนินงานประจำปี", items_text="o10 , o12", items=["O10", "O12"],
             weakness="รายงานผลการดำเนินงานประจำปี 2567 ไม่ได้เผยแพร่บนเว็บไซต์ภายในเวลาที่กำหนด",
             improvement="เผยแพร่แผนดำเนินงานและรายงานผลการดำเนินงานประจำปีภายในเวลาที่กำหนด",
             steps=["จัดทำแผนดำเนินงานประจำปี 2568 เสนอนายก อบต.",
                    "เผยแพร่แผนดำเนินงานภายใน 30 วันหลังประกาศใช้",
                    "รวบรวมผลการดำเนินงานจากทุกกอง",
                    ("ปลัด อบต. ตรวจสอบความถูกต้องของรายงานก่อนเผยแพร่", "review")],
             owners_text="สำนักปลัด", groups=["สำนักปลัด"], people=[],
             period_text="ตุลาคม 2567 – กันยายน 2568", period=FY[2568],
             monitoring_text="รายงานผลต่อนายกองค์การบริหารส่วนตำบลทุก 3 เดือน", monitoring={"frequency": "quarterly"},
             order=["ชื่อมาตรการ", "ข้อ OIT ที่เกี่ยวข้อง", "ข้อบกพร่องที่พบ", "เป้าหมายการพัฒนา", "สิ่งที่จะดำเนินการ",
                    "ผู้ดำเนินการหลัก", "ห้วงเวลา", "วิธีติดตาม"]),
        dict(code="2", title="การเปิดโอกาสให้ประชาชนมีส่วนร่วม", items_text="o30", items=["O30"],
             weakness="ประชาชนมีส่วนร่วมในการจัดทำแผนพัฒนาท้องถิ่นน้อย มีผู้เข้าร่วมเวทีประชาคมไม่ถึงร้อยละ 20",
             improvement="จัดเวทีประชาคมหมู่บ้านครบทุกหมู่บ้าน และเปิดรับความคิดเห็นผ่านช่องทางออนไลน์",
             steps=["จัดทำปฏิทินเวทีประชาคมหมู่บ้าน 12 หมู่บ้าน",
                    "ประชาสัมพันธ์ผ่านหอกระจายข่าวและกลุ่มไลน์หมู่บ้าน",
                    "จัดเวทีประชาคมหมู่บ้าน",
                    "สรุปผลการประชาคมเสนอคณะกรรมการพัฒนาท้องถิ่น"],
             owners_text="สำนักปลัด และกองช่าง", groups=["สำนักปลัด", "กองช่าง"], people=[],
             period_text="มกราคม – เมษายน 2568", period=("2025-01-01", "2025-04-30"),
             monitoring_text="ติดตามในการประชุมพนักงานประจำเดือน", monitoring={"frequency": "monthly"},
             order=["ชื่อมาตรการ", "ข้อบกพร่องที่พบ", "ข้อ OIT ที่เกี่ยวข้อง", "ห้วงเวลา", "ผู้ดำเนินการหลัก",
                    "สิ่งที่จะดำเนินการ", "เป้าหมายการพัฒนา", "วิธีติดตาม"]),
        dict(code="3", title="การป้องกันผลประโยชน์ทับซ้อนในการตรวจรับงานจ้าง", items_text="o35 , o36",
             items=["O35", "O36"],
             weakness="ยังไม่มีการประเมินความเสี่ยงการทุจริตในขั้นตอนการตรวจรับงานจ้างก่อสร้าง",
             improvement="ประเมินความเสี่ยงและกำหนดมาตรการควบคุมการตรวจรับงานจ้างก่อสร้าง",
             steps=["ประเมินความเสี่ยงการทุจริตในกระบวนการตรวจรับงานจ้าง",
                    "กำหนดให้คณะกรรมการตรวจรับพัสดุถ่ายภาพและบันทึกพิกัดทุกงวดงาน",
                    "รายงานผลการดำเนินการตามมาตรการต่อนายก อบต."],
             owners_text=["นายสมพงษ์ ทองดี (กองช่าง)", "นางสาวพัชรี แสนสุข (กองคลัง)"], groups=[],
             people=[("นายสมพงษ์ ทองดี", "กองช่าง"), ("นางสาวพัชรี แสนสุข", "กองคลัง")],
             period_text="ธันวาคม 2567 – กันยายน 2568", period=("2024-12-01", "2025-09-30"),
             monitoring_text="รายงานผล 2 ครั้ง ภายในวันที่ 31 มีนาคม 2568 และ 30 กันยายน 2568",
             monitoring={"rounds": ["2025-03-31", "2025-09-30"]},
             order=["ชื่อมาตรการ", "ข้อ OIT ที่เกี่ยวข้อง", "ข้อบกพร่องที่พบ", "เป้าหมายการพัฒนา", "สิ่งที่จะดำเนินการ",
                    "ผู้ดำเนินการหลัก", "ห้วงเวลา", "วิธีติดตาม", "หมายเหตุ"],
             note="ดำเนินการตามแนวทางของสำนักงาน ป.ป.ช. เรื่องการป้องกันการทุจริตในการจัดซื้อจัดจ้าง"),
    ]
    m = Memo(th)
    m.fields(f"สำนักปลัด {agency} อำเภอแกดำ จังหวัดมหาสารคาม", "มค 81901/245", "14 พฤศจิกายน 2567",
             "รายงานการจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
             f"นายก{agency}")
    m.body("ตามที่ สำนักงาน ป.ป.ช. ได้ดำเนินการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานขององค์กรปกครองส่วนท้องถิ่น "
           "ประจำปีงบประมาณ พ.ศ. 2567 โดยองค์การบริหารส่วนตำบลโนนทองได้คะแนน 81.36 คะแนน นั้น")
    m.body("สำนักปลัดได้ประชุมคณะทำงานเมื่อวันที่ 8 พฤศจิกายน 2567 วิเคราะห์ผลการประเมิน และกำหนดมาตรการ"
           "ส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568 จำนวน 3 ประเด็น ดังนี้")
    for x in ms:
        m.p("")
        m.p(f"ประเด็นที่ {x['code']}", bold=True)
        values = {"ชื่อมาตรการ": x["title"], "ข้อ OIT ที่เกี่ยวข้อง": x["items_text"],
                  "ข้อบกพร่องที่พบ": x["weakness"], "เป้าหมายการพัฒนา": x["improvement"],
                  "สิ่งที่จะดำเนินการ": [f"({i}) {step_text(s)}" for i, s in enumerate(x["steps"], 1)],
                  "ผู้ดำเนินการหลัก": x["owners_text"], "ห้วงเวลา": x["period_text"],
                  "วิธีติดตาม": x["monitoring_text"], "หมายเหตุ": x.get("note", "")}
        tab = m.table(len(x["order"]), 2, [4, 12])
        for r, label in enumerate(x["order"]):
            m.cell(tab.cell(r, 0), label, bold=True)
            m.cell(tab.cell(r, 1), values[label])
    m.p("")
    m.body("จึงเรียนมาเพื่อโปรดทราบและพิจารณา")
    m.signature("(นางสาวอัญชลี พิมพ์ศรี)", "หัวหน้าสำนักปลัด")
    m.p("ความเห็นปลัดองค์การบริหารส่วนตำบล", bold=True)
    m.p("เห็นควรประกาศใช้มาตรการและแจ้งทุกกองถือปฏิบัติ", indent=1)
    m.signature("(นายวีระพงษ์ ศรีบุญเรือง)", f"ปลัด{agency}")
    m.p("ความเห็นนายกองค์การบริหารส่วนตำบล", bold=True)
    m.p("☑ อนุมัติ    ☐ ไม่อนุมัติ", indent=1)
    m.signature("(นายบุญมี แก้วประเสริฐ)", f"นายก{agency}")
    m.save(name)
    write_expected(name, "อบต.: a 2-column table per measure, labels on the left in bold, labels unusual and in a different order per table",
                   "labels no template uses (สิ่งที่จะดำเนินการ, ผู้ดำเนินการหลัก, ห้วงเวลา, วิธีติดตาม, เป้าหมายการพัฒนา, ข้อบกพร่องที่พบ); the measure's number is a 'ประเด็นที่ n' paragraph above its table; codes written 'o๑๐'; steps '(๑)'; one table has a หมายเหตุ row; Thai digits; the measures sit in the memo body before the closing, followed by three signatures with comments",
                   agency, 2568,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"], x["steps"], x["period"],
                            x["monitoring"], x["groups"], x["people"], t=th) for x in ms])


# ================================================================================================ 7. Thai digits, step deadlines


def provincial_agriculture_thai_digits():
    name = "provincial_agriculture_thai_digits.docx"
    agency = "สำนักงานเกษตรจังหวัดยโสธร"
    ms = [
        dict(code="1", title="คู่มือการปฏิบัติงานและการให้บริการ", items_text="(O13, O14)", items=["O13", "O14"],
             weakness="คู่มือการปฏิบัติงานยังไม่ระบุระยะเวลาแล้วเสร็จของแต่ละขั้นตอน",
             improvement="ปรับปรุงคู่มือการปฏิบัติงานและคู่มือการให้บริการให้ครบองค์ประกอบตามที่สำนักงาน ป.ป.ช. กำหนด",
             steps=[("แต่งตั้งคณะทำงานปรับปรุงคู่มือ", "task", None, "2024-11-30", "ภายใน 30 พ.ย. 67"),
                    ("ปรับปรุงคู่มือการปฏิบัติงาน 3 กระบวนงานหลัก", "task", None, "2025-01-31", "ภายใน 31 ม.ค. 68"),
                    ("เกษตรจังหวัดยโสธรตรวจสอบความถูกต้องและลงนาม", "review", None, "2025-02-15", "ภายใน 15 ก.พ. 68"),
                    ("เผยแพร่คู่มือบนเว็บไซต์สำนักงาน", "task", None, "2025-02-28", "ภายใน 28 ก.พ. 68")],
             owners_text=["ฝ่ายบริหารทั่วไป", "กลุ่มยุทธศาสตร์และสารสนเทศ"],
             groups=["ฝ่ายบริหารทั่วไป", "กลุ่มยุทธศาสตร์และสารสนเทศ"], people=[]),
        dict(code="2", title="การเปิดเผยข้อมูลการจัดซื้อจัดจ้าง", items_text="(O18–O21)",
             items=["O18", "O19", "O20", "O21"],
             weakness="ประกาศผลผู้ชนะการเสนอราคาไม่ได้เผยแพร่ทุกรายการ",
             improvement="เผยแพร่ประกาศและสรุปผลการจัดซื้อจัดจ้างทุกรายการบนเว็บไซต์สำนักงาน",
             steps=[("จัดทำทะเบียนคุมการจัดซื้อจัดจ้าง", "task", None, "2024-10-31", "ภายใน 31 ต.ค. 67"),
                    ("จัดทำสรุปผลการจัดซื้อจัดจ้างรายเดือน", "task", "monthly", None, "ทุกวันที่ 10 ของเดือน"),
                    ("เผยแพร่ประกาศผู้ชนะการเสนอราคาทุกรายการ", "task", None, None, "ภายใน 3 วันทำการหลังประกาศ"),
                    ("จัดทำรายงานผลการจัดซื้อจัดจ้างประจำปี", "task", None, "2025-09-30", "ภายใน 30 ก.ย. 68")],
             owners_text=["นางสาวสุดารัตน์ บุญเรือง (ฝ่ายบริหารทั่วไป)"], groups=[],
             people=[("นางสาวสุดารัตน์ บุญเรือง", "ฝ่ายบริหารทั่วไป")]),
        dict(code="3", title="การป้องกันการรับสินบน", items_text="(O31)", items=["O31"],
             weakness="เจ้าหน้าที่ที่ออกตรวจรับรองแปลงเกษตรกรมีความเสี่ยงรับสินน้ำใจ",
             improvement="ประกาศนโยบายไม่รับของขวัญ และกำหนดให้ออกตรวจแปลงเป็นทีมอย่างน้อย 2 คน",
             steps=[("ประกาศนโยบายไม่รับของขวัญและสินน้ำใจ", "task", None, "2024-10-15", "ภายใน 15 ต.ค. 67"),
                    ("จัดทีมตรวจรับรองแปลงอย่างน้อย 2 คนทุกครั้ง", "task", None, "2025-09-30", "ต.ค. 67 – ก.ย. 68"),
                    ("รายงานผลการปฏิบัติตามนโยบายไม่รับของขวัญ", "task", None, "2025-09-30", "ภายใน 30 ก.ย. 68")],
             owners_text=["กลุ่มส่งเสริมและพัฒนาการผลิต", "สำนักงานเกษตรอำเภอทุกอำเภอ"],
             groups=["กลุ่มส่งเสริมและพัฒนาการผลิต", "สำนักงานเกษตรอำเภอทุกอำเภอ"], people=[]),
    ]
    m = Memo(th)
    m.fields(f"{agency} ฝ่ายบริหารทั่วไป โทร. 0 4571 2345", "ยส 0009/1128", "1 ตุลาคม 2567",
             "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568", "เกษตรจังหวัดยโสธร")
    m.body("ด้วยกรมส่งเสริมการเกษตรแจ้งให้สำนักงานเกษตรจังหวัดทุกจังหวัดจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใส"
           "ภายในหน่วยงาน ตามผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2567 ให้แล้วเสร็จภายในวันที่ 15 ตุลาคม 2567")
    m.body("ฝ่ายบริหารทั่วไปได้จัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน จำนวน 3 ประเด็น ดังนี้")
    heads = ["ลำดับ", "จุดอ่อน/ข้อบกพร่อง", "มาตรการ", "ขั้นตอนการดำเนินการ", "กำหนดแล้วเสร็จ", "ผู้รับผิดชอบ"]
    rows = 1 + sum(1 + len(x["steps"]) for x in ms)
    tab = m.table(rows, 6, [1.1, 3.4, 3.4, 4.4, 2.3, 2.6])
    for c, h in enumerate(heads):
        m.cell(tab.cell(0, c), h, bold=True, center=True)
    r = 1
    for x in ms:
        band = tab.cell(r, 0).merge(tab.cell(r, 5))
        m.cell(band, f"ประเด็นที่ {x['code']} {x['title']} {x['items_text']}", bold=True)
        r += 1
        for i, s in enumerate(x["steps"]):
            m.cell(tab.cell(r, 0), str(i + 1), center=True)
            if i == 0:
                m.cell(tab.cell(r, 1), x["weakness"])
                m.cell(tab.cell(r, 2), x["improvement"])
                m.cell(tab.cell(r, 5), x["owners_text"])
            m.cell(tab.cell(r, 3), s[0])
            m.cell(tab.cell(r, 4), s[4], center=True)
            r += 1
    m.p("")
    m.p("ระยะเวลาดำเนินการ 1 ตุลาคม 2567 – 30 กันยายน 2568", indent=0.5)
    m.p("การติดตามผล ฝ่ายบริหารทั่วไปติดตามความก้าวหน้าทุก 30 วัน และรายงานเกษตรจังหวัดยโสธรทราบ", indent=0.5)
    m.p("")
    m.body("จึงเรียนมาเพื่อโปรดพิจารณา หากเห็นชอบโปรดลงนามประกาศ และแจ้งเวียนให้ทุกกลุ่ม/ฝ่ายถือปฏิบัติ")
    m.signature("(นางจิราภรณ์ ศรีโคตร)", "เจ้าพนักงานธุรการชำนาญงาน", "หัวหน้าฝ่ายบริหารทั่วไป")
    m.p("- ทราบ", indent=1)
    m.p("- ดำเนินการตามเสนอ", indent=1)
    m.signature("(นายชาญวิทย์ ทองสุข)", "เกษตรจังหวัดยโสธร")
    m.save(name)
    write_expected(name, "สำนักงานเกษตรจังหวัด: one table, a merged band row per measure, one row per step, Thai digits everywhere",
                   "Thai digits in every date, number and OIT code ('O๑๘–O๒๑' is a range); the ลำดับ column numbers steps, not measures; the weakness, measure and owner cells are filled only in a measure's first step row (blank, not merged, below); per-step deadlines 'ภายใน ๓๐ พ.ย. ๖๗' and a monthly 'ทุกวันที่ ๑๐ ของเดือน'; one period and one monitoring paragraph under the table for all measures; the memo date is the first day of the fiscal year",
                   agency, 2568,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"],
                            [s[:4] for s in x["steps"]], FY[2568], {"every_days": 30}, x["groups"], x["people"],
                            t=th) for x in ms])


# ================================================================================================ 8. cover letter + announcement


def cover_letter_signature_middle():
    name = "cover_letter_signature_middle.docx"
    agency = "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดลำปาง"
    ms = [
        dict(code="1", title="การเปิดเผยข้อมูลการให้บริการเงินอุดหนุน", items_text="(O15 ข้อมูลเชิงสถิติการให้บริการ)",
             items=["O15"],
             weakness="ข้อมูลสถิติการให้บริการเงินอุดหนุนกรณีครอบครัวผู้มีรายได้น้อยไม่เป็นปัจจุบัน",
             improvement="รายงานสถิติการให้บริการเงินอุดหนุนเป็นรายเดือนบนเว็บไซต์สำนักงาน",
             steps=[("รวบรวมข้อมูลผู้ยื่นคำขอและผู้ได้รับเงินอุดหนุนทุกเดือน", "task", "monthly"),
                    "จัดทำ Infographic สถิติการให้บริการ",
                    ("หัวหน้ากลุ่มการพัฒนาสังคมและสวัสดิการตรวจสอบความถูกต้อง", "review"),
                    "เผยแพร่บนเว็บไซต์ภายในวันที่ 10 ของเดือนถัดไป"],
             owners_text=["กลุ่มการพัฒนาสังคมและสวัสดิการ"], groups=["กลุ่มการพัฒนาสังคมและสวัสดิการ"], people=[],
             period_text="ธ.ค. 68 – ก.ย. 69", period=("2025-12-01", "2026-09-30"),
             monitoring_text="ฝ่ายบริหารทั่วไปติดตามทุกสิ้นเดือน", monitoring={"frequency": "monthly"}),
        dict(code="2", title="การจัดการเรื่องร้องเรียนการทุจริต", items_text="(O26, O27)", items=["O26", "O27"],
             weakness="ยังไม่มีแนวปฏิบัติการจัดการเรื่องร้องเรียนการทุจริตที่ระบุระยะเวลาดำเนินการ",
             improvement="จัดทำแนวปฏิบัติ และเผยแพร่ช่องทางร้องเรียนการทุจริต 4 ช่องทาง",
             steps=["จัดทำคู่มือการจัดการเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ",
                    "เปิดช่องทางร้องเรียนผ่านสายด่วน 1300 ตู้รับเรื่องร้องเรียน เว็บไซต์ และ LINE",
                    "รายงานสถิติเรื่องร้องเรียนรายไตรมาส"],
             owners_text=["ฝ่ายบริหารทั่วไป"], groups=["ฝ่ายบริหารทั่วไป"], people=[],
             period_text="ธ.ค. 68 – มี.ค. 69", period=("2025-12-01", "2026-03-31"),
             monitoring_text="รายงานผลต่อ พมจ. ภายใน 31 มี.ค. 69", monitoring={"rounds": ["2026-03-31"]}),
        dict(code="3", title="การเสริมสร้างวัฒนธรรมองค์กรที่ไม่ทนต่อการทุจริต", items_text="(O32)", items=["O32"],
             weakness="บุคลากรไม่ทราบแนวทางปฏิบัติเมื่อพบการกระทำที่เข้าข่ายผลประโยชน์ทับซ้อน",
             improvement="จัดกิจกรรมให้ความรู้ และจัดทำข้อตกลงร่วมกันไม่ทนต่อการทุจริตภายในหน่วยงาน",
             steps=["จัดประชุมให้ความรู้เรื่องผลประโยชน์ทับซ้อน",
                    "บุคลากรลงนามบันทึกข้อตกลงไม่ทนต่อการทุจริต",
                    "ประเมินผลการรับรู้ของบุคลากร"],
             owners_text=["นางวรรณา ใจมั่น (ฝ่ายบริหารทั่วไป)"], groups=[],
             people=[("นางวรรณา ใจมั่น", "ฝ่ายบริหารทั่วไป")],
             period_text="ม.ค. – มิ.ย. 69", period=("2026-01-01", "2026-06-30"),
             monitoring_text="ติดตามรายไตรมาส", monitoring={"frequency": "quarterly"}),
    ]
    m = Memo(th)
    m.fields(f"{agency} ฝ่ายบริหารทั่วไป โทร. 0 5421 7702", "ลป 0013/2114", "3 ธันวาคม 2568",
             "ขออนุมัติประกาศมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดลำปาง")
    m.p("1. เรื่องเดิม", bold=True, indent=1.25)
    m.body("สำนักงานปลัดกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ได้เข้ารับการประเมินคุณธรรมและความโปร่งใส"
           "ในการดำเนินงานของหน่วยงานภาครัฐ (ITA) ประจำปีงบประมาณ พ.ศ. 2568 และแจ้งให้ พมจ. ทุกจังหวัดวิเคราะห์ผลการประเมิน")
    m.p("2. ข้อเท็จจริง", bold=True, indent=1.25)
    m.body("ฝ่ายบริหารทั่วไปได้วิเคราะห์ผลการประเมิน พบประเด็นที่ต้องพัฒนา 3 ประเด็น และได้ยกร่างประกาศมาตรการ"
           "ส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2569 พร้อมเอกสารแนบท้าย")
    m.p("3. ข้อเสนอ", bold=True, indent=1.25)
    m.body("เห็นควรอนุมัติและลงนามในประกาศ แล้วเผยแพร่บนเว็บไซต์สำนักงาน และแจ้งเวียนบุคลากรทราบ")
    m.body("จึงเรียนมาเพื่อโปรดพิจารณา")
    m.signature("(นางสาวรัชนี คำปัน)", "นักจัดการงานทั่วไปชำนาญการ")
    m.p("- อนุมัติ -", center=True, indent=6)
    m.p("- ลงนามแล้ว -", center=True, indent=6)
    m.signature("(นายอนุชา ศรีวิชัย)", "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดลำปาง")
    m.page_break()
    m.p(f"ประกาศ{agency}", bold=True, center=True)
    m.p("เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2569", bold=True, center=True)
    m.p("----------------------------------", center=True)
    m.body(f"เพื่อให้การดำเนินงานของ{agency}เป็นไปด้วยความโปร่งใส ตรวจสอบได้ และสอดคล้องกับผลการประเมิน ITA "
           "ประจำปีงบประมาณ พ.ศ. 2568 จึงประกาศมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน รายละเอียดตามเอกสารแนบท้ายประกาศนี้")
    m.body("จึงประกาศมาเพื่อทราบโดยทั่วกัน")
    m.p("ประกาศ ณ วันที่ 5 ธันวาคม พ.ศ. 2568", indent=5)
    m.signature("(นายอนุชา ศรีวิชัย)", "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดลำปาง")
    m.page_break()
    m.p("เอกสารแนบท้ายประกาศ", bold=True, center=True)
    heads = ["ประเด็นที่ต้องพัฒนา (ผลการวิเคราะห์ ITA 2568)", "มาตรการ/แนวทางแก้ไข", "วิธีการดำเนินการ",
             "ผู้รับผิดชอบ", "ระยะเวลา", "การกำกับติดตาม"]
    tab = m.table(1 + len(ms), 6, [3.6, 3.2, 4.6, 2.6, 2, 2.6])
    for c, h in enumerate(heads):
        m.cell(tab.cell(0, c), h, bold=True, center=True)
    for r, x in enumerate(ms, 1):
        m.cell(tab.cell(r, 0), [(f"{x['code']}. {x['title']} {x['items_text']}", True), x["weakness"]])
        m.cell(tab.cell(r, 1), x["improvement"])
        m.cell(tab.cell(r, 2), [f"{i}) {step_text(s)}" for i, s in enumerate(x["steps"], 1)])
        m.cell(tab.cell(r, 3), x["owners_text"])
        m.cell(tab.cell(r, 4), x["period_text"], center=True)
        m.cell(tab.cell(r, 5), x["monitoring_text"])
    m.save(name)
    write_expected(name, "พมจ.: a cover memo (signed and approved) then an announcement (ประกาศ, signed) then the measures table",
                   "two signature blocks and an approval before any measure; the cover memo has numbered sections (1. เรื่องเดิม 2. ข้อเท็จจริง 3. ข้อเสนอ) that are not measures; the cover memo names FY 2568 (last year's assessment) while the measures are FY 2569; an OIT code written with its title in brackets; steps numbered '๑)'; 2-digit BE years",
                   agency, 2569,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"], x["steps"], x["period"],
                            x["monitoring"], x["groups"], x["people"], t=th) for x in ms])


# ================================================================================================ 9. PAO, table continued


def pao_continued_table():
    name = "pao_continued_table.docx"
    agency = "องค์การบริหารส่วนจังหวัดนครพนม"
    ms = [
        dict(code="1", title="การให้บริการผ่านระบบ E-Service", items_text="(O17)", items=["O17"],
             weakness="การขออนุญาตใช้สนามกีฬากลางยังต้องกรอกแบบฟอร์มกระดาษและยื่นด้วยตนเอง",
             improvement="พัฒนาระบบจองสนามกีฬาออนไลน์และชำระค่าบริการผ่าน QR Code",
             steps=[("ออกแบบระบบจองสนามกีฬาออนไลน์", "task", None, "2024-12-31", "ธ.ค. 2567"),
                    ("ทดลองใช้งานระบบกับผู้ใช้บริการ", "task", None, "2025-01-31", "ม.ค. 2568"),
                    ("เปิดให้บริการและประชาสัมพันธ์", "task", None, "2025-02-28", "ก.พ. 2568")],
             owners_text=["กองการศึกษา ศาสนาและวัฒนธรรม", "กองยุทธศาสตร์และงบประมาณ"],
             groups=["กองการศึกษา ศาสนาและวัฒนธรรม", "กองยุทธศาสตร์และงบประมาณ"], people=[],
             period=("2024-12-01", "2025-02-28"), monitoring_text="รายงานผลทุกเดือน",
             monitoring={"frequency": "monthly"}),
        dict(code="2", title="การเปิดเผยข้อมูลการจัดซื้อจัดจ้าง", items_text="(O19, O20, O21)",
             items=["O19", "O20", "O21"],
             weakness="การเผยแพร่ประกาศเชิญชวนและสรุปผลการจัดซื้อจัดจ้างไม่ครบทุกโครงการ โดยเฉพาะโครงการก่อสร้างถนน",
             improvement="ตรวจสอบความครบถ้วนของการเผยแพร่ประกาศเทียบกับระบบ e-GP ทุกเดือน",
             steps=[("จัดทำทะเบียนโครงการจัดซื้อจัดจ้างประจำปี", "task", None, "2024-10-31", "ต.ค. 2567"),
                    ("เทียบข้อมูลประกาศบนเว็บไซต์กับระบบ e-GP", "task", "monthly", None, "ทุกเดือน"),
                    ("ผู้อำนวยการกองพัสดุและทรัพย์สินตรวจสอบความถูกต้อง", "review", "monthly", None,
                     "ภายในวันที่ 10 ของทุกเดือน"),
                    ("สรุปผลการจัดซื้อจัดจ้างประจำปี", "task", None, "2025-09-30", "ก.ย. 2568")],
             owners_text=["กองพัสดุและทรัพย์สิน"], groups=["กองพัสดุและทรัพย์สิน"], people=[],
             period=FY[2568], monitoring_text="รายงานนายก อบจ. รายไตรมาส", monitoring={"frequency": "quarterly"}),
        dict(code="3", title="การบริหารงานบุคคลอย่างเป็นธรรม", items_text="(O22, O23)", items=["O22", "O23"],
             weakness="พนักงานจ้างเห็นว่าการประเมินผลการปฏิบัติงานไม่เป็นธรรมและไม่ได้รับแจ้งผลการประเมิน",
             improvement="แจ้งผลการประเมินผลการปฏิบัติงานรายบุคคลและเปิดช่องทางขอทบทวนผลการประเมิน",
             steps=[("ประกาศหลักเกณฑ์การประเมินผลการปฏิบัติงานพนักงานจ้าง", "task", None, "2024-10-31",
                     "ภายใน 31 ต.ค. 2567"),
                    ("แจ้งผลการประเมินเป็นรายบุคคลทุกรอบการประเมิน", "task", None, None, "มี.ค. 2568 และ ก.ย. 2568"),
                    ("สรุปผลการขอทบทวนผลการประเมินเสนอนายก อบจ.", "task", None, "2025-09-30", "ก.ย. 2568")],
             owners_text=["นางสาวจิราพร มณีวงศ์ (กองการเจ้าหน้าที่)"], groups=[],
             people=[("นางสาวจิราพร มณีวงศ์", "กองการเจ้าหน้าที่")],
             period=FY[2568], monitoring_text="ติดตามทุก 6 เดือน", monitoring={"frequency": "half-yearly"}),
    ]
    m = Memo()
    m.fields(f"{agency} สำนักปลัดองค์การบริหารส่วนจังหวัด โทร. 0 4251 1170", "นพ 51001/3391", "25 ตุลาคม 2567",
             "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568", "นายกองค์การบริหารส่วนจังหวัดนครพนม")
    m.body("ตามที่ องค์การบริหารส่วนจังหวัดนครพนมได้รับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
           "(ITA) ประจำปีงบประมาณ พ.ศ. 2567 ได้คะแนน 89.20 คะแนน นั้น สำนักปลัดฯ ได้วิเคราะห์ผลการประเมินและจัดทำมาตรการ"
           "ส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568 ดังนี้")
    heads = ["ประเด็นที่ต้องแก้ไข", "มาตรการ/แนวทาง", "ขั้นตอนการดำเนินงาน", "ผู้รับผิดชอบ", "ระยะเวลา", "การกำกับติดตาม"]
    # page 1: measure 1 and the first two steps of measure 2; page 2 (a new table, header typed again): the rest
    split = [(0, 0, 3), (1, 0, 2)], [(1, 2, 4), (2, 0, 3)]
    for part, pieces in enumerate(split):
        if part:
            m.p("")
            m.p("- 2 -", center=True)
            m.page_break()
            m.p("(ต่อ)", right=True)
        rows = 1 + sum(b - a for _, a, b in pieces)
        tab = m.table(rows, 6, [3.4, 3.2, 4.2, 2.8, 1.8, 2.4])
        for c, h in enumerate(heads):
            m.cell(tab.cell(0, c), h, bold=True, center=True)
        r = 1
        for idx, a, b in pieces:
            x = ms[idx]
            for i in range(a, b):
                s = x["steps"][i]
                if i == 0:
                    m.cell(tab.cell(r, 0), [(f"ประเด็นที่ {x['code']} {x['title']} {x['items_text']}", True),
                                            x["weakness"]])
                    m.cell(tab.cell(r, 1), x["improvement"])
                    m.cell(tab.cell(r, 3), x["owners_text"])
                    m.cell(tab.cell(r, 5), x["monitoring_text"])
                elif i == a:
                    m.cell(tab.cell(r, 0), f"ประเด็นที่ {x['code']} (ต่อ)")
                m.cell(tab.cell(r, 2), f"{i + 1}. {s[0]}")
                m.cell(tab.cell(r, 4), s[4], center=True)
                r += 1
    m.p("")
    m.body("จึงเรียนมาเพื่อโปรดพิจารณา หากเห็นชอบขอได้โปรดลงนามในประกาศมาตรการฯ ต่อไป")
    m.signature("(นายธีรวัฒน์ พรมสุวรรณ)", "หัวหน้าสำนักปลัดองค์การบริหารส่วนจังหวัด")
    m.p("ความเห็นปลัดองค์การบริหารส่วนจังหวัด .......................................................", indent=0)
    m.signature("(นางศศิธร วงศ์คำจันทร์)", "ปลัดองค์การบริหารส่วนจังหวัดนครพนม")
    m.p("ความเห็นนายกองค์การบริหารส่วนจังหวัด  อนุมัติ", indent=0)
    m.signature("(นายประยูร สุวรรณไตรย์)", "นายกองค์การบริหารส่วนจังหวัดนครพนม")
    m.save(name)
    write_expected(name, "อบจ.: one row per step, the table broken over a page and typed again as a second table with its header",
                   "measure 2's steps run on into a second table after a page number '- ๒ -' and '(ต่อ)'; the continued row names 'ประเด็นที่ 2 (ต่อ)' in the topic column; a step's time cell says 'ทุกเดือน' or 'ภายในวันที่ 10 ของทุกเดือน' (monthly) or two months (no due); per-step months are due dates; the period is the span of the steps; 'ติดตามทุก 6 เดือน' is half-yearly",
                   agency, 2568,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"],
                            [s[:4] for s in x["steps"]], x["period"], x["monitoring"], x["groups"], x["people"])
                    for x in ms])


# ================================================================================================ 10. plain text, LINE copy


def tambon_health_line_copy():
    """A .txt: an officer pasted the memo into a LINE note and back (no tables, bullets '•', emoji-free)."""
    name = "health_promoting_hospital_line_copy.txt"
    agency = "โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านดอนแดง"
    ms = [
        dict(code="1", title="การเผยแพร่ข้อมูลการให้บริการ", items=["O15"],
             weakness="ไม่มีข้อมูลสถิติผู้รับบริการรายเดือนบนเพจของ รพ.สต.",
             improvement="สรุปสถิติผู้รับบริการแยกตามประเภทบริการ และโพสต์บน Facebook Page ทุกเดือน",
             steps=[("สรุปสถิติผู้รับบริการจากระบบ JHCIS ทุกเดือน", "task", "monthly"),
                    "จัดทำภาพสรุปสถิติ",
                    ("ผอ.รพ.สต. ตรวจสอบความถูกต้องก่อนเผยแพร่", "review"),
                    "โพสต์บน Facebook Page ของ รพ.สต."],
             owner="นายภานุวัฒน์ สีดา (นักวิชาการสาธารณสุข)", groups=[], people=[("นายภานุวัฒน์ สีดา", None)],
             period_text="ต.ค.68-ก.ย.69", period=FY[2569], monitoring_text="ทุกสิ้นเดือน",
             monitoring={"frequency": "monthly"}),
        dict(code="2", title="การรับเรื่องร้องเรียน", items=["O27"],
             weakness="ผู้รับบริการไม่ทราบช่องทางร้องเรียน",
             improvement="ติดป้ายช่องทางร้องเรียน และตั้งกล่องรับความคิดเห็นหน้า รพ.สต.",
             steps=["จัดทำป้ายช่องทางร้องเรียน (โทรศัพท์ LINE กล่องรับความคิดเห็น)",
                    "ตั้งกล่องรับความคิดเห็นหน้า รพ.สต.",
                    ("เปิดกล่องรับความคิดเห็นทุกเดือนต่อหน้าพยานอย่างน้อย 2 คน", "task", "monthly")],
             owner="นางสาวกาญจนา พลราช (พยาบาลวิชาชีพ)", groups=[], people=[("นางสาวกาญจนา พลราช", None)],
             period_text="พ.ย.68-มี.ค.69", period=("2025-11-01", "2026-03-31"),
             monitoring_text="รายงาน ผอ.รพ.สต. ภายใน 31 มี.ค.69", monitoring={"rounds": ["2026-03-31"]}),
    ]
    lines = [
        "บันทึกข้อความ",
        "ส่วนราชการ รพ.สต.บ้านดอนแดง อ.ธวัชบุรี จ.ร้อยเอ็ด",
        "ที่ รอ 0033.01/ว 58    วันที่ 9 ต.ค. 2568",
        "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบ 2569",
        "เรียน ผอ.รพ.สต.บ้านดอนแดง",
        "",
        "ตามที่ อบจ.ร้อยเอ็ด ให้ รพ.สต. ในสังกัดจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน "
        "ตามผลการประเมิน ITA ปี 2568 นั้น จึงขอเสนอมาตรการ 2 ข้อ ดังนี้",
        "",
    ]
    for x in ms:
        lines += [
            f"มาตรการที่ {x['code']} {x['title']} (ข้อ {', '.join(x['items'])})",
            f"ปัญหา: {x['weakness']}",
            f"แนวทาง: {x['improvement']}",
            "วิธีการ:",
        ] + [f"• {step_text(s)}" for s in x["steps"]] + [
            f"คนรับผิดชอบ: {x['owner']}",
            f"ช่วงเวลา: {x['period_text']}",
            f"ติดตาม: {x['monitoring_text']}",
            "",
        ]
    lines += [
        "จึงเรียนมาเพื่อโปรดพิจารณา",
        "",
        "ภานุวัฒน์ สีดา",
        "(นายภานุวัฒน์ สีดา)",
        "นักวิชาการสาธารณสุขปฏิบัติการ",
        "",
        "ทราบ/อนุมัติ",
        "(นางอุไรวรรณ ทองมา)",
        "ผู้อำนวยการโรงพยาบาลส่งเสริมสุขภาพตำบลบ้านดอนแดง",
    ]
    (HERE / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_expected(name, "รพ.สต.: plain text pasted back from a LINE note, labels with colons, steps as '•' bullets",
                   "abbreviated agency in the header (รพ.สต., อ., จ.) while the signature spells it out; casual labels (ปัญหา:, แนวทาง:, วิธีการ:, คนรับผิดชอบ:, ช่วงเวลา:, ติดตาม:); periods without spaces 'ต.ค.68-ก.ย.69'; 'ปีงบ 2569'; codes '(ข้อ O15)'; owners are a person with a job title in brackets (not a unit); a handwritten-style name line above the signature",
                   agency, 2569,
                   [measure(x["code"], x["title"], x["weakness"], x["improvement"], x["items"], x["steps"], x["period"],
                            x["monitoring"], x["groups"], x["people"]) for x in ms])


MEMOS = [hospital_nine_columns, bangkok_district_subnumbers, faculty_merged_header_landscape, obec_school_bullets,
         department_english_mixed, tambon_bold_label_tables, provincial_agriculture_thai_digits,
         cover_letter_signature_middle, pao_continued_table, tambon_health_line_copy]


def main() -> None:
    for make in MEMOS:
        make()
    for path in sorted(HERE.glob("*.docx")):
        Document(str(path))  # each opens
    print(f"wrote {len(MEMOS)} memos to {HERE}")


if __name__ == "__main__":
    main()
