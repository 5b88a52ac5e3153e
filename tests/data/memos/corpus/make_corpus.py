"""Write the memo corpus: measures memos in the layouts Thai agencies really use, each with the definitions a
careful officer would type from it (``<name>.expected.yaml``).

Run ``.venv/bin/python tests/data/memos/corpus/make_corpus.py``; the output is deterministic (fixed zip
timestamps and document properties), so re-running it changes nothing that is committed.

Every memo is written from one structured description (``Memo`` / ``Measure`` below): the expected file comes
from the description, the .docx or .txt from a layout function that writes the same facts the way that kind of
agency writes them (with headers, closings, signatures and notes that belong to no measure). The layouts are
NOT shaped to any importer: they are what the importer is judged on.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
FIXED = (2025, 1, 1, 0, 0, 0)
_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def th(text: str) -> str:
    """Arabic digits as Thai digits."""
    return text.translate(_THAI)


# --------------------------------------------------------------------------------------------- the facts


@dataclass
class Step:
    title: str
    kind: str = "task"
    repeat: str | None = None
    due: str | None = None  # ISO CE, when the memo gives the step a date
    due_text: str | None = None  # the date as the memo writes it
    owner_text: str | None = None  # a step's own owner cell (table-per-step layouts)
    period_text: str | None = None


def T(title, **kw) -> Step:  # noqa: N802
    return Step(title, **kw)


def R(title, **kw) -> Step:  # noqa: N802 - a director's accuracy check
    return Step(title, kind="review", **kw)


def MO(title, **kw) -> Step:  # noqa: N802 - a step done every month
    return Step(title, repeat="monthly", **kw)


@dataclass
class Measure:
    code: str
    title: str
    weakness: str
    improvement: str
    items: list[str]
    items_text: str  # how the memo writes the items ("O20 O21", "(O1-O4)")
    owners_text: str
    groups: list[str]
    people: list[tuple[str, str | None]]
    steps: list[Step]
    period_text: str
    period: tuple[str, str]
    monitoring_text: str
    monitoring: dict
    extra: dict = field(default_factory=dict)  # layout-specific text (budget, constraints...)


@dataclass
class Memo:
    name: str
    kind: str  # "docx" or "txt"
    layout: str
    hard: str
    agency: str
    fiscal_year: int
    thai_digits: bool
    header: list[str]
    measures: list[Measure]
    closing: list[str]


def expected(memo: Memo) -> dict:
    d = th if memo.thai_digits else str

    def steps(m: Measure) -> list[dict]:
        out = []
        for s in m.steps:
            e = {"title": d(s.title), "kind": s.kind}
            if s.repeat:
                e["repeat"] = s.repeat
            if s.due:
                e["due"] = s.due
            out.append(e)
        return out

    return {
        "memo": f"{memo.name}.{memo.kind}",
        "layout": memo.layout,
        "hard": memo.hard,
        "agency": memo.agency,
        "fiscal_year": memo.fiscal_year,
        "measures": [{
            "code": m.code,
            "title": d(m.title),
            "weakness": d(m.weakness),
            "improvement": d(m.improvement),
            "items": list(m.items),
            "owners": {"groups": list(m.groups),
                       "people": [{"name": n, "group": g} for n, g in m.people]},
            "steps": steps(m),
            "period": {"start": m.period[0], "end": m.period[1]},
            "monitoring": dict(m.monitoring),
        } for m in memo.measures],
    }


# --------------------------------------------------------------------------------------------- Word helpers


def new_document(landscape: bool = False) -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "TH SarabunPSK"
    style.font.size = Pt(16)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "TH SarabunPSK")
    rpr.append(parse_xml(f'<w:szCs {nsdecls("w")} w:val="32"/>'))
    rpr.append(parse_xml(f'<w:lang {nsdecls("w")} w:bidi="th-TH"/>'))
    props = doc.core_properties
    props.author = props.last_modified_by = "สารบรรณ"
    props.created = props.modified = datetime(2025, 1, 1)
    props.revision = 1
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    return doc


def para(doc, text: str = "", bold: bool = False, style: str | None = None):
    p = doc.add_paragraph(style=style) if style else doc.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
    return p


def fill(cell, paragraphs, *, numbered: int | None = None, bold: bool = False) -> None:
    """A cell's text as separate Word paragraphs (a string is one paragraph); ``numbered`` gives each paragraph
    Word's automatic numbering with that numId (the number is not in the text)."""
    if isinstance(paragraphs, str):
        paragraphs = [paragraphs]
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    for r in list(first.runs):
        r._r.getparent().remove(r._r)
    for i, text in enumerate(paragraphs):
        p = first if i == 0 else cell.add_paragraph()
        if text:
            p.add_run(text).bold = bold
        if numbered is not None:
            num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = numbered


def table(doc, rows: int, cols: int):
    t = doc.add_table(rows=rows, cols=cols)
    t.style = doc.styles["Table Grid"]
    return t


def header_row(t, r: int, labels: list[str], repeat: bool = True) -> None:
    for c, label in enumerate(labels):
        fill(t.cell(r, c), label, bold=True)
    if repeat:  # "repeat as header row at the top of each page"
        tr_pr = t.rows[r]._tr.get_or_add_trPr()
        tr_pr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def numbering(doc, fmt: str = "decimal", text: str = "%1.") -> int:
    """An abstract numbering definition (one level) in the document's numbering part; returns its id."""
    numbering_el = doc.part.numbering_part.element
    abstract_id = 90
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="284" w:hanging="284"/></w:pPr></w:lvl></w:abstractNum>')
    first_num = numbering_el.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering_el.append(abstract)
    return abstract_id


def new_list(doc, abstract_id: int) -> int:
    """A list that starts again at 1 (a w:num over the abstract definition, with a start override)."""
    num = doc.part.numbering_part.element.add_num(abstract_id)
    num.append(parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'))
    return num.numId


def save_docx(doc, path: Path) -> None:
    """Saved with fixed zip timestamps, so the file is the same byte for byte on every run."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def memo_header(doc, lines: list[str]) -> None:
    para(doc, "บันทึกข้อความ", bold=True)
    for line in lines:
        para(doc, line)


def closing(doc, lines: list[str]) -> None:
    for line in lines:
        para(doc, line)


def numbered(steps: list[Step], d, style: str) -> list[str]:
    """Steps as the memo numbers them: ``1.``, ``(1)``, ``1)`` or ``-``."""
    out = []
    for i, s in enumerate(steps, start=1):
        mark = {"dot": f"{i}.", "paren": f"({i})", "close": f"{i})", "dash": "-", "bullet": "•"}[style]
        out.append(d(f"{mark} {s.title}"))
    return out


# --------------------------------------------------------------------------------------------- the memos

FY68 = ("2024-10-01", "2025-09-30")


def school() -> Memo:
    ms = [
        Measure("1", "การเปิดเผยข้อมูลการจัดซื้อจัดจ้าง", "ยังไม่เผยแพร่สรุปผลการจัดซื้อจัดจ้างรายเดือนครบทุกเดือน",
                "จัดทำสรุปผลการจัดซื้อจัดจ้างรายเดือนและเผยแพร่บนเว็บไซต์โรงเรียนภายในวันที่ 10 ของเดือนถัดไป",
                ["O20", "O21"], "(O20, O21)", "ครู (เจ้าหน้าที่พัสดุ)", [], [],
                [MO("รวบรวมเอกสารการจัดซื้อจัดจ้างประจำเดือน"), MO("จัดทำแบบสรุปผลการจัดซื้อจัดจ้าง (สขร.1) ทุกเดือน"),
                 T("เสนอผู้อำนวยการโรงเรียนลงนาม"), T("เผยแพร่บนเว็บไซต์โรงเรียน")],
                "ต.ค. 67 - ก.ย. 68", FY68, "รองผู้อำนวยการโรงเรียนติดตามทุกเดือน", {"frequency": "monthly"}),
        Measure("2", "คู่มือการปฏิบัติงานด้านทะเบียนและวัดผล", "ยังไม่มีคู่มือการให้บริการขอเอกสารทางการศึกษา",
                "จัดทำคู่มือการให้บริการขอเอกสารทางการศึกษา (ปพ.1 ปพ.2) และเผยแพร่", ["O14"], "(O14)",
                "ครูชำนาญการ (งานทะเบียนและวัดผล)", ["งานทะเบียนและวัดผล"], [],
                [T("ศึกษาระเบียบการวัดผลและประเมินผล"), T("ยกร่างคู่มือการให้บริการ"),
                 R("รองผู้อำนวยการกลุ่มบริหารวิชาการตรวจสอบความถูกต้อง"), T("เผยแพร่คู่มือบนเว็บไซต์และหน้าห้องทะเบียน")],
                "1 พ.ย. 67 – 31 มี.ค. 68", ("2024-11-01", "2025-03-31"), "ภาคเรียนละ 1 ครั้ง",
                {"frequency": "half-yearly"}),
        Measure("3", "การมีส่วนร่วมของผู้ปกครองและชุมชน", "ผู้ปกครองไม่ทราบช่องทางการแสดงความคิดเห็น",
                "เปิดช่องทางรับฟังความคิดเห็นผ่าน Google Form และกลุ่มไลน์ผู้ปกครอง", ["O30"], "(O30)",
                "ครูผู้ช่วย (งานประชาสัมพันธ์) และครูประจำชั้นทุกคน", ["งานประชาสัมพันธ์"], [],
                [T("จัดทำแบบรับฟังความคิดเห็นออนไลน์"), T("ประชาสัมพันธ์ในการประชุมผู้ปกครองชั้นเรียน"),
                 T("สรุปผลเสนอคณะกรรมการสถานศึกษาขั้นพื้นฐาน")],
                "ตลอดปีงบประมาณ พ.ศ. 2568", FY68, "รายงานผลเมื่อสิ้นภาคเรียนที่ 2/2567 (31 มี.ค. 68)",
                {"rounds": ["2025-03-31"]}),
        Measure("4", "การส่งเสริมวัฒนธรรมองค์กรไม่ทนต่อการทุจริต",
                "ครูและบุคลากรบางส่วนยังไม่เข้าใจเรื่องผลประโยชน์ทับซ้อน",
                "ประกาศเจตจำนงสุจริตและอบรมให้ความรู้เรื่องผลประโยชน์ทับซ้อน", ["O36"], "(O36)",
                "นางสาวกัลยา ศรีบุญเรือง ครูชำนาญการพิเศษ (กลุ่มบริหารงานบุคคล)", [],
                [("นางสาวกัลยา ศรีบุญเรือง", "กลุ่มบริหารงานบุคคล")],
                [T("ผู้อำนวยการโรงเรียนประกาศเจตจำนงสุจริต"), T("จัดอบรมครูและบุคลากรในการประชุมประจำเดือน"),
                 T("ทำแบบทดสอบหลังการอบรม")],
                "ธันวาคม 2567 - กุมภาพันธ์ 2568", ("2024-12-01", "2025-02-28"),
                "ติดตามเมื่อสิ้นสุดโครงการ 28 ก.พ. 68", {"rounds": ["2025-02-28"]}),
    ]
    return Memo(
        "school_seven_columns", "docx",
        "โรงเรียน: one 7-column table for all measures, steps as numbered paragraphs inside one cell",
        "ประเด็น cell holds title + weakness as two paragraphs; owners are job titles with a unit in brackets "
        "(a job title is not a person); subject names ITA 2567 while the measures are FY 2568; 2-digit BE years",
        "โรงเรียนบ้านหนองบัววิทยาคม", 2568, True,
        ["ส่วนราชการ โรงเรียนบ้านหนองบัววิทยาคม อำเภอเสลภูมิ จังหวัดร้อยเอ็ด",
         "ที่ ศธ 04037.05/018", "วันที่ 18 ตุลาคม 2567",
         "เรื่อง รายงานผลการวิเคราะห์ผลการประเมิน ITA ประจำปี 2567 และมาตรการส่งเสริมคุณธรรมและความโปร่งใส",
         "เรียน ผู้อำนวยการโรงเรียนบ้านหนองบัววิทยาคม",
         "ตามที่ สำนักงานเขตพื้นที่การศึกษาประถมศึกษาร้อยเอ็ด เขต 3 ได้แจ้งผลการประเมินคุณธรรมและความโปร่งใสใน"
         "การดำเนินงานของสถานศึกษา (ITA) ประจำปี 2567 โรงเรียนได้คะแนน 82.45 คะแนน ระดับ A นั้น",
         "งานควบคุมภายในได้วิเคราะห์ผลการประเมินแล้ว จึงกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายใน"
         "สถานศึกษา ประจำปีงบประมาณ พ.ศ. 2568 ดังนี้"],
        ms,
        ["หมายเหตุ ข้อมูล ณ วันที่ 18 ตุลาคม 2567", "จึงเรียนมาเพื่อโปรดพิจารณา",
         "(นางสาวกัลยา ศรีบุญเรือง)", "ครูชำนาญการพิเศษ", "ความเห็นของผู้อำนวยการโรงเรียน",
         "☐ ทราบ ☐ อนุมัติ ☐ อื่น ๆ ..................", "(นายสมพงษ์ ภูมิสุข)",
         "ผู้อำนวยการโรงเรียนบ้านหนองบัววิทยาคม"])


def write_school(memo: Memo) -> Document:
    d = th
    doc = new_document(landscape=True)
    memo_header(doc, [d(x) for x in memo.header])
    labels = ["ที่", "ประเด็น", "มาตรการ/แนวทางการดำเนินการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ", "การติดตาม"]
    t = table(doc, len(memo.measures) + 1, 7)
    header_row(t, 0, labels)
    for r, m in enumerate(memo.measures, start=1):
        fill(t.cell(r, 0), d(m.code))
        fill(t.cell(r, 1), [d(f"{m.title} {m.items_text}"), d(m.weakness)])
        fill(t.cell(r, 2), d(m.improvement))
        fill(t.cell(r, 3), numbered(m.steps, d, "dot"))
        fill(t.cell(r, 4), d(m.period_text))
        fill(t.cell(r, 5), d(m.owners_text))
        fill(t.cell(r, 6), d(m.monitoring_text))
    closing(doc, [d(x) for x in memo.closing])
    return doc


def sao() -> Memo:
    ms = [
        Measure("1", "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้างและการจัดหาพัสดุ",
                "ประกาศผลผู้ชนะการเสนอราคาบางรายการไม่ได้เผยแพร่บนเว็บไซต์",
                "เผยแพร่ประกาศและสรุปผลการจัดซื้อจัดจ้างทุกรายการภายใน 3 วันทำการ", ["O20", "O21"], "(O20-O21)",
                "นางสาวพิมพ์ใจ แก้วมณี (กองคลัง)", [], [("นางสาวพิมพ์ใจ แก้วมณี", "กองคลัง")],
                [T("จัดทำทะเบียนคุมการจัดซื้อจัดจ้าง"), T("ส่งข้อมูลให้ผู้ดูแลเว็บไซต์ภายใน 3 วันทำการ"),
                 MO("สรุปผลการจัดซื้อจัดจ้างประจำเดือนเสนอนายก อบต.")],
                "ต.ค. 67 - ก.ย. 68", FY68, "ทุกเดือน", {"frequency": "monthly"},
                {"budget": "ไม่ใช้งบประมาณ", "steps_one_paragraph": True}),
        Measure("2", "มาตรการจัดการเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ",
                "ไม่มีการรายงานสถิติเรื่องร้องเรียนให้ประชาชนทราบ",
                "รายงานสถิติเรื่องร้องเรียนการทุจริตรายไตรมาสบนเว็บไซต์", [], "",
                "จ.ส.อ.ประเสริฐ ทองคำ หัวหน้าสำนักปลัด (สำนักปลัด)", [], [("จ.ส.อ.ประเสริฐ ทองคำ", "สำนักปลัด")],
                [T("แต่งตั้งผู้รับผิดชอบศูนย์รับเรื่องร้องเรียน"), T("บันทึกเรื่องร้องเรียนลงในทะเบียนคุม"),
                 T("สรุปสถิติเรื่องร้องเรียนรายไตรมาส"), R("ปลัด อบต. ตรวจสอบความถูกต้องก่อนเผยแพร่")],
                "1 พฤศจิกายน 2567 - 30 กันยายน 2568", ("2024-11-01", "2025-09-30"), "ทุกไตรมาส",
                {"frequency": "quarterly"}, {"budget": "ไม่ใช้งบประมาณ"}),
        Measure("3", "มาตรการส่งเสริมคุณธรรมและจริยธรรมของบุคลากร",
                "บุคลากรยังไม่เข้าใจประมวลจริยธรรมของเจ้าหน้าที่ของรัฐ",
                "จัดโครงการอบรมคุณธรรมจริยธรรมสำหรับผู้บริหาร สมาชิกสภา และพนักงาน", [], "",
                "นางวิไลวรรณ ศรีสุข นักทรัพยากรบุคคลชำนาญการ (สำนักปลัด)", [], [("นางวิไลวรรณ ศรีสุข", "สำนักปลัด")],
                [T("เสนอโครงการอบรมเพื่อขออนุมัติ"), T("ดำเนินการอบรมตามโครงการ"), T("ประเมินผลและรายงานผลการอบรม")],
                "มกราคม - มีนาคม 2568", ("2025-01-01", "2025-03-31"),
                "ติดตามประเมินผลเมื่อสิ้นสุดโครงการ (31 มีนาคม 2568)", {"rounds": ["2025-03-31"]},
                {"budget": "15,000 บาท (ข้อบัญญัติงบประมาณรายจ่ายประจำปีงบประมาณ พ.ศ. 2568)"}),
    ]
    return Memo(
        "sao_label_value_tables", "docx",
        "อบต.: a two-column label/value table per measure, no heading",
        "labels not in the seed (ประเด็นที่ต้องแก้ไข/ปรับปรุง, การติดตามประเมินผล); a งบประมาณ row that is no field "
        "(must be listed, not glued into the period); steps (1)(2) in one paragraph in one table, one a paragraph in "
        "the others; a rank (จ.ส.อ.) before a name; a review by ปลัด",
        "องค์การบริหารส่วนตำบลโนนค้อ", 2568, True,
        ["ส่วนราชการ สำนักปลัด องค์การบริหารส่วนตำบลโนนค้อ อำเภอเกษตรวิสัย จังหวัดร้อยเอ็ด",
         "ที่ รอ 79401/452 วันที่ 4 พฤศจิกายน 2567",
         "เรื่อง การกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
         "เรียน นายกองค์การบริหารส่วนตำบลโนนค้อ",
         "ด้วยองค์การบริหารส่วนตำบลโนนค้อได้รับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
         "ประจำปีงบประมาณ พ.ศ. 2567 ได้คะแนน 76.12 คะแนน สำนักปลัดจึงได้จัดทำมาตรการ ดังนี้"],
        ms,
        ["หมายเหตุ: งบประมาณตามข้อบัญญัติงบประมาณรายจ่ายประจำปีงบประมาณ พ.ศ. 2568 หน้า 45",
         "จึงเรียนมาเพื่อโปรดทราบและพิจารณาอนุมัติ", "(จ.ส.อ.ประเสริฐ ทองคำ)", "หัวหน้าสำนักปลัด",
         "- อนุมัติ -", "(นายบุญมี สายสุด)", "นายกองค์การบริหารส่วนตำบลโนนค้อ"])


def write_sao(memo: Memo) -> Document:
    d = th
    doc = new_document()
    memo_header(doc, [d(x) for x in memo.header])
    for m in memo.measures:
        steps = numbered(m.steps, d, "paren")
        rows = [("มาตรการ", d(f"{m.title} {m.items_text}".strip())),
                ("ประเด็นที่ต้องแก้ไข/ปรับปรุง", d(m.weakness)),
                ("แนวทางการพัฒนา", d(m.improvement)),
                ("ขั้นตอนการดำเนินการ", " ".join(steps) if m.extra.get("steps_one_paragraph") else steps),
                ("ผู้รับผิดชอบ", d(m.owners_text)),
                ("ระยะเวลา", d(m.period_text)),
                ("งบประมาณ", d(m.extra["budget"])),
                ("การติดตามประเมินผล", d(m.monitoring_text))]
        t = table(doc, len(rows), 2)
        for r, (label, value) in enumerate(rows):
            fill(t.cell(r, 0), label, bold=True)
            fill(t.cell(r, 1), value)
        para(doc)
    closing(doc, [d(x) for x in memo.closing])
    return doc


def municipality() -> Memo:
    ms = [
        Measure("1", "มาตรการเผยแพร่ข้อมูลข่าวสารของเทศบาล", "ข้อมูลผู้บริหารและโครงสร้างบนเว็บไซต์ไม่เป็นปัจจุบัน",
                "ปรับปรุงข้อมูลพื้นฐานบนเว็บไซต์ให้เป็นปัจจุบันภายใน 7 วันหลังมีการเปลี่ยนแปลง", [], "",
                "กองยุทธศาสตร์และงบประมาณ ร่วมกับ สำนักปลัดเทศบาล", ["กองยุทธศาสตร์และงบประมาณ", "สำนักปลัดเทศบาล"], [],
                [T("ตรวจสอบข้อมูลพื้นฐานบนเว็บไซต์ทุกหัวข้อ"), T("แจ้งกองที่เกี่ยวข้องส่งข้อมูลที่เปลี่ยนแปลง"),
                 T("ปรับปรุงข้อมูลบนเว็บไซต์"), T("รายงานผลต่อปลัดเทศบาล")],
                "1 ธันวาคม 2567 - 31 มีนาคม 2568", ("2024-12-01", "2025-03-31"), "ติดตามผลทุก 30 วัน",
                {"every_days": 30}, {"style": "heading_values"}),
        Measure("2", "มาตรการป้องกันผลประโยชน์ทับซ้อน", "เจ้าหน้าที่ยังขาดความเข้าใจเรื่องการรับของขวัญและประโยชน์อื่นใด",
                "ประกาศแนวทางปฏิบัติ No Gift Policy และเผยแพร่ให้บุคลากรทุกคนทราบ", [], "",
                "นายธนากร บุญมา นิติกรปฏิบัติการ สำนักปลัดเทศบาล", [], [("นายธนากร บุญมา", "สำนักปลัดเทศบาล")],
                [T("ยกร่างประกาศแนวทางปฏิบัติ No Gift Policy"), T("เสนอนายกเทศมนตรีลงนามประกาศ"),
                 T("แจ้งเวียนบุคลากรทุกคนและเผยแพร่บนเว็บไซต์")],
                "มกราคม - มีนาคม 2568", ("2025-01-01", "2025-03-31"), "รายงานผลรายไตรมาส",
                {"frequency": "quarterly"}, {"style": "inline_labels"}),
        Measure("3", "มาตรการการใช้ทรัพย์สินของทางราชการ", "ไม่มีแนวปฏิบัติการยืมพัสดุและครุภัณฑ์ของเทศบาล",
                "จัดทำแนวปฏิบัติและแบบฟอร์มการขออนุญาตยืมทรัพย์สินของทางราชการ", [], "",
                "กองคลัง (งานพัสดุและทรัพย์สิน)", ["กองคลัง"], [],
                [T("จัดทำแนวปฏิบัติการยืมทรัพย์สินของทางราชการ"), T("จัดทำแบบฟอร์มขออนุญาตยืม"),
                 R("ผู้อำนวยการกองคลังตรวจสอบความถูกต้อง"), T("ประกาศใช้และเผยแพร่")],
                "1 ก.พ. 2568 - 30 ก.ย. 2568", ("2025-02-01", "2025-09-30"),
                "ครั้งที่ 1 31 มี.ค. 2568 ครั้งที่ 2 30 มิ.ย. 2568 ครั้งที่ 3 30 ก.ย. 2568",
                {"rounds": ["2025-03-31", "2025-06-30", "2025-09-30"]}, {"style": "list_bullet"}),
    ]
    return Memo(
        "municipality_numbered_sections", "docx",
        "เทศบาล: numbered sections (1. มาตรการ..., 1.1 ข้อบกพร่อง ...) as paragraphs, no table",
        "three ways in one memo: sub-heading then value paragraph, 'label : value' on one line, and steps as Word "
        "'List Bullet' paragraphs (the bullet is not in the text); ร่วมกับ joins owners; a person with a job title "
        "and a unit with no bracket; unit in brackets after a division (กองคลัง (งานพัสดุ...))",
        "เทศบาลตำบลบ้านแฮด", 2568, False,
        ["ส่วนราชการ สำนักปลัดเทศบาล เทศบาลตำบลบ้านแฮด โทร. 0 4321 8765",
         "ที่ ขก 52304/1128", "วันที่ 25 พฤศจิกายน 2567",
         "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
         "เรียน นายกเทศมนตรีตำบลบ้านแฮด",
         "ตามที่เทศบาลตำบลบ้านแฮดได้รับผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2567 และได้วิเคราะห์ผลการประเมินแล้ว "
         "พบประเด็นที่ต้องพัฒนา 3 ประเด็น จึงกำหนดมาตรการดังต่อไปนี้"],
        ms,
        ["ทั้งนี้ ให้ทุกกองรายงานผลการดำเนินงานตามมาตรการให้สำนักปลัดเทศบาลทราบ เพื่อรวบรวมรายงานต่อไป",
         "จึงเรียนมาเพื่อโปรดพิจารณา", "(นางสาวรัชนี ใจงาม)", "นักวิเคราะห์นโยบายและแผนชำนาญการ",
         "(นายสุรชัย พลศรี)", "ปลัดเทศบาลตำบลบ้านแฮด"])


def write_municipality(memo: Memo) -> Document:
    d = str
    doc = new_document()
    memo_header(doc, memo.header)
    labels = ["ข้อบกพร่อง", "แนวทางการพัฒนา", "ขั้นตอนการดำเนินงาน", "ผู้รับผิดชอบ", "ระยะเวลาดำเนินการ",
              "การติดตามและรายงานผล"]
    for m in memo.measures:
        n = m.code
        para(doc, f"{n}. {m.title}", bold=True)
        values = [m.weakness, m.improvement, None, m.owners_text, m.period_text, m.monitoring_text]
        style = m.extra["style"]
        for k, (label, value) in enumerate(zip(labels, values, strict=True), start=1):
            if value is None:
                para(doc, f"{n}.{k} {label}" + (" :" if style == "inline_labels" else ""))
                if style == "list_bullet":
                    for s in m.steps:
                        para(doc, s.title, style="List Bullet")
                else:
                    for line in numbered(m.steps, d, "dash"):
                        para(doc, "    " + line)
            elif style == "inline_labels":
                para(doc, f"{n}.{k} {label} : {value}")
            else:
                para(doc, f"{n}.{k} {label}")
                para(doc, "      " + value)
    closing(doc, memo.closing)
    return doc


def hospital() -> Memo:
    ms = [
        Measure("1", "การเปิดเผยข้อมูลการจัดซื้อจัดจ้าง", "สรุปผลการจัดซื้อจัดจ้างรายเดือนเผยแพร่ไม่ครบ 12 เดือน",
                "เผยแพร่สรุปผลการจัดซื้อจัดจ้างทุกเดือนภายในวันที่ 15 ของเดือนถัดไป", ["O20", "O21", "O22"],
                "(O20 O21 O22)", "กลุ่มงานบริหารทั่วไป", ["กลุ่มงานบริหารทั่วไป"], [],
                [T("จัดทำแผนการจัดซื้อจัดจ้างประจำปี", due="2024-10-31", due_text="31 ต.ค. 67"),
                 MO("เผยแพร่ประกาศและสรุปผลการจัดซื้อจัดจ้าง", due_text="ทุกเดือน"),
                 T("สรุปผลการจัดซื้อจัดจ้างประจำปี", due="2025-09-30", due_text="30 ก.ย. 68")],
                "ตุลาคม 2567 – กันยายน 2568", FY68, "คณะกรรมการ ITA ติดตามทุกเดือน", {"frequency": "monthly"}),
        Measure("2", "การบริหารความเสี่ยงการทุจริต", "ยังไม่ประเมินความเสี่ยงการทุจริตในกระบวนงานจัดซื้อยาและเวชภัณฑ์",
                "ประเมินและจัดการความเสี่ยงการทุจริตในกระบวนงานจัดซื้อยาและเวชภัณฑ์", ["O34", "O35"], "(O34 O35)",
                "กลุ่มงานเภสัชกรรมและคุ้มครองผู้บริโภค และกลุ่มงานบริหารทั่วไป",
                ["กลุ่มงานเภสัชกรรมและคุ้มครองผู้บริโภค", "กลุ่มงานบริหารทั่วไป"], [],
                [T("แต่งตั้งคณะทำงานบริหารความเสี่ยงการทุจริต", due="2024-11-15", due_text="15 พ.ย. 67"),
                 T("ประเมินความเสี่ยงการทุจริตในกระบวนงานจัดซื้อยาและเวชภัณฑ์", due="2024-12-31", due_text="31 ธ.ค. 67"),
                 R("หัวหน้ากลุ่มงานเภสัชกรรมและคุ้มครองผู้บริโภคตรวจสอบความถูกต้อง", due="2025-01-15",
                   due_text="15 ม.ค. 68"),
                 T("รายงานผู้อำนวยการโรงพยาบาลและเผยแพร่บนเว็บไซต์", due="2025-01-31", due_text="31 ม.ค. 68")],
                "ตุลาคม 2567 – กันยายน 2568", FY68, "คณะกรรมการ ITA ติดตามรายไตรมาส", {"frequency": "quarterly"}),
        Measure("3", "การส่งเสริมจริยธรรมบุคลากร", "บุคลากรที่บรรจุใหม่ยังไม่ได้รับการชี้แจงประมวลจริยธรรม",
                "ชี้แจงประมวลจริยธรรมแก่บุคลากรใหม่ทุกคนและประเมินการรับรู้", ["O39", "O40"], "(O39 O40)",
                "นางสาวอรทัย พลเยี่ยม (กลุ่มงานทรัพยากรบุคคล)", [],
                [("นางสาวอรทัย พลเยี่ยม", "กลุ่มงานทรัพยากรบุคคล")],
                [T("จัดทำประกาศประมวลจริยธรรมของโรงพยาบาล", due="2024-11-30", due_text="30 พ.ย. 67"),
                 T("อบรมจริยธรรมบุคลากรใหม่", due="2025-03-31", due_text="31 มี.ค. 68"),
                 T("ประเมินการรับรู้ด้านจริยธรรมของบุคลากร", due="2025-07-31", due_text="31 ก.ค. 68")],
                "ตุลาคม 2567 – กันยายน 2568", FY68, "ติดตามทุก 6 เดือน", {"frequency": "half-yearly"}),
    ]
    return Memo(
        "hospital_row_per_step", "docx",
        "โรงพยาบาล: one table, a row per step, the measure's cells merged down (vMerge) over its steps",
        "merged cells repeat or vanish depending on the reader; a due date per step in 'กำหนดแล้วเสร็จ' (one is "
        "'ทุกเดือน': a monthly step, not a date); one period for the whole memo, in a paragraph above the table",
        "โรงพยาบาลโพนทราย", 2568, False,
        ["ส่วนราชการ โรงพยาบาลโพนทราย กลุ่มงานบริหารทั่วไป โทร. 0 4351 9001 ต่อ 112",
         "ที่ รอ 0033.301/2215", "วันที่ 30 กันยายน 2567",
         "เรื่อง ขออนุมัติมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ 2568",
         "เรียน ผู้อำนวยการโรงพยาบาลโพนทราย",
         "ตามที่สำนักงานปลัดกระทรวงสาธารณสุขกำหนดให้หน่วยงานในสังกัดดำเนินการตามเกณฑ์การประเมินคุณธรรมและความโปร่งใส "
         "(ITA) ประจำปีงบประมาณ พ.ศ. 2568 คณะกรรมการ ITA โรงพยาบาลโพนทรายได้วิเคราะห์ผลการประเมินปี 2567 แล้ว "
         "จึงขออนุมัติมาตรการดังรายละเอียดในตาราง",
         "ระยะเวลาดำเนินการ ตุลาคม 2567 – กันยายน 2568"],
        ms,
        ["* ขั้นตอนที่กำหนดแล้วเสร็จ “ทุกเดือน” ให้รายงานภายในวันที่ 5 ของเดือนถัดไป",
         "จึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ", "(นางสาวอรทัย พลเยี่ยม)", "นักทรัพยากรบุคคลชำนาญการ",
         "เลขานุการคณะกรรมการ ITA", "อนุมัติ", "(นายแพทย์วิชัย รุ่งเรือง)", "ผู้อำนวยการโรงพยาบาลโพนทราย"])


def write_hospital(memo: Memo) -> Document:
    doc = new_document(landscape=True)
    memo_header(doc, memo.header)
    labels = ["ลำดับ", "มาตรการ", "ข้อบกพร่อง/จุดอ่อน", "แนวทางการพัฒนา", "ขั้นตอนการดำเนินงาน", "ผู้รับผิดชอบ",
              "กำหนดแล้วเสร็จ", "การติดตาม"]
    rows = 1 + sum(len(m.steps) for m in memo.measures)
    t = table(doc, rows, len(labels))
    header_row(t, 0, labels)
    r = 1
    for m in memo.measures:
        top, bottom = r, r + len(m.steps) - 1
        for c, value in ((0, m.code), (1, f"{m.title} {m.items_text}"), (2, m.weakness), (3, m.improvement),
                         (5, m.owners_text), (7, m.monitoring_text)):
            cell = t.cell(top, c).merge(t.cell(bottom, c)) if bottom > top else t.cell(top, c)
            fill(cell, value)
        for i, s in enumerate(m.steps):
            fill(t.cell(r + i, 4), f"{i + 1}. {s.title}")
            fill(t.cell(r + i, 6), s.due_text or "")
        r = bottom + 1
    closing(doc, memo.closing)
    return doc


def district() -> Memo:
    ms = [
        Measure("1", "การเปิดเผยข้อมูลการให้บริการงานทะเบียน", "ยังไม่มีข้อมูลสถิติการให้บริการงานทะเบียนและบัตรบนเว็บไซต์",
                "รวบรวมและเผยแพร่สถิติการให้บริการงานทะเบียนและบัตรทุกเดือน", ["O16"], "ตัวชี้วัด O16",
                "ฝ่ายทะเบียนและบัตร/ปลัดอำเภอผู้รับผิดชอบงาน", ["ฝ่ายทะเบียนและบัตร"], [],
                [MO("บันทึกสถิติผู้รับบริการรายวันและสรุปประจำเดือน"), T("จัดทำอินโฟกราฟิกสถิติการให้บริการ"),
                 T("เผยแพร่บนเว็บไซต์และเพจของอำเภอ")],
                "1 ม.ค. - 31 มี.ค. 68", ("2025-01-01", "2025-03-31"), "รายงานนายอำเภอทุกสิ้นเดือน",
                {"frequency": "monthly"}),
        Measure("2", "การป้องกันการเรียกรับสินบนในการออกหนังสืออนุญาต",
                "ผู้รับบริการบางรายเห็นว่าขั้นตอนการขออนุญาตไม่ชัดเจน",
                "ประกาศขั้นตอน ระยะเวลา และค่าธรรมเนียมการขออนุญาตทุกประเภท ณ จุดบริการ", ["O15"], "ตัวชี้วัด O15",
                "ฝ่ายบริหารงานปกครอง", ["ฝ่ายบริหารงานปกครอง"], [],
                [T("ทบทวนคู่มือการขออนุญาตตาม พ.ร.บ.การอำนวยความสะดวกฯ"), T("จัดทำป้ายประกาศขั้นตอนและค่าธรรมเนียม"),
                 R("ปลัดอำเภอหัวหน้าฝ่ายบริหารงานปกครองตรวจสอบความถูกต้อง"), T("ติดประกาศ ณ จุดบริการและเผยแพร่ออนไลน์")],
                "ไตรมาสที่ 2 - 3 ปีงบประมาณ 2568", ("2025-01-01", "2025-06-30"),
                "รายงานผลให้จังหวัดภายในวันที่ 15 กรกฎาคม 2568", {"rounds": ["2025-07-15"]}),
        Measure("3", "การจัดการเรื่องร้องเรียนการทุจริต", "ยังไม่มีการรายงานผลการดำเนินการเรื่องร้องเรียนให้ผู้ร้องทราบ",
                "แจ้งผลการดำเนินการเรื่องร้องเรียนให้ผู้ร้องทราบภายใน 15 วัน และรายงานสถิติรายไตรมาส", ["O32", "O33"],
                "ตัวชี้วัด O32 O33", "ศูนย์ดำรงธรรมอำเภอ ร่วมกับ ฝ่ายความมั่นคง", ["ศูนย์ดำรงธรรมอำเภอ", "ฝ่ายความมั่นคง"], [],
                [T("รับและลงทะเบียนเรื่องร้องเรียน"), T("แจ้งผลการดำเนินการให้ผู้ร้องทราบภายใน 15 วัน"),
                 T("สรุปสถิติเรื่องร้องเรียนรายไตรมาสเสนอนายอำเภอ")],
                "ตลอดปีงบประมาณ พ.ศ. 2568", FY68, "รายงานผลรายไตรมาส", {"frequency": "quarterly"}),
    ]
    return Memo(
        "district_office_unusual_columns", "docx",
        "ที่ว่าการอำเภอ: a table per measure under a heading, columns in an unusual order with words not in the seed",
        "columns กิจกรรม/วิธีดำเนินการ | หน่วยรับผิดชอบ | สภาพปัญหา | ช่วงเวลา | แนวทางแก้ไข | การรายงานผล (steps "
        "first); items in a line under the heading; 'ไตรมาสที่ 2 - 3 ปีงบประมาณ 2568' as a period; owner 'unit/"
        "position'; ศูนย์ดำรงธรรมอำเภอ is a unit without กลุ่ม/กอง/ฝ่าย",
        "ที่ว่าการอำเภอพนมไพร", 2568, True,
        ["ส่วนราชการ ที่ว่าการอำเภอพนมไพร (ฝ่ายบริหารงานปกครอง) โทร. 0 4359 1234",
         "ที่ รอ 0318.12/3310", "วันที่ 20 ธันวาคม 2567",
         "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน อำเภอพนมไพร ประจำปีงบประมาณ พ.ศ. 2568",
         "เรียน นายอำเภอพนมไพร",
         "ตามหนังสือจังหวัดร้อยเอ็ด ด่วนที่สุด ที่ รอ 0018.2/ว 4512 ลงวันที่ 2 ธันวาคม 2567 ให้อำเภอจัดทำมาตรการ"
         "ส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน นั้น ฝ่ายบริหารงานปกครองได้จัดทำมาตรการแล้ว ดังนี้"],
        ms,
        ["จึงเรียนมาเพื่อโปรดพิจารณา หากเห็นชอบโปรดลงนามในประกาศที่แนบมาพร้อมนี้",
         "(นายกิตติพงษ์ แสนสุข)", "ปลัดอำเภอ (เจ้าพนักงานปกครองชำนาญการ)", "หัวหน้าฝ่ายบริหารงานปกครอง"])


def write_district(memo: Memo) -> Document:
    d = th
    doc = new_document(landscape=True)
    memo_header(doc, [d(x) for x in memo.header])
    labels = ["กิจกรรม/วิธีดำเนินการ", "หน่วยรับผิดชอบ", "สภาพปัญหา", "ช่วงเวลา", "แนวทางแก้ไข", "การรายงานผล"]
    for m in memo.measures:
        para(doc, d(f"มาตรการที่ {m.code} {m.title}"), bold=True)
        para(doc, d(m.items_text))
        t = table(doc, 2, len(labels))
        header_row(t, 0, labels, repeat=False)
        values = [numbered(m.steps, d, "close"), d(m.owners_text), d(m.weakness), d(m.period_text),
                  d(m.improvement), d(m.monitoring_text)]
        for c, value in enumerate(values):
            fill(t.cell(1, c), value)
        para(doc)
    closing(doc, [d(x) for x in memo.closing])
    return doc


FY69 = ("2025-10-01", "2026-09-30")


def university() -> Memo:
    ms = [
        Measure("1", "การเปิดเผยข้อมูลพื้นฐานของคณะ", "ข้อมูลผู้บริหารและอำนาจหน้าที่บนเว็บไซต์คณะไม่เป็นปัจจุบัน",
                "ปรับปรุงข้อมูลพื้นฐานบนเว็บไซต์คณะให้ครบถ้วนและเป็นปัจจุบัน", ["O1", "O2", "O3"], "O1-O3",
                "รองคณบดีฝ่ายบริหาร / สำนักงานคณบดี", ["สำนักงานคณบดี"], [],
                [T("สำรวจข้อมูลพื้นฐานบนเว็บไซต์คณะ"), T("ปรับปรุงโครงสร้างและข้อมูลผู้บริหาร"), T("เผยแพร่และแจ้งมหาวิทยาลัย")],
                "ต.ค. 68 - ธ.ค. 68", ("2025-10-01", "2025-12-31"), "ติดตามทุกเดือนในที่ประชุมกรรมการประจำคณะ",
                {"frequency": "monthly"}),
        Measure("2", "การบริหารและพัฒนาทรัพยากรบุคคล", "ยังไม่เผยแพร่หลักเกณฑ์การประเมินผลการปฏิบัติงานของบุคลากรสายสนับสนุน",
                "จัดทำและเผยแพร่หลักเกณฑ์การประเมินผลการปฏิบัติงานให้บุคลากรทุกคนทราบ", ["O12"], "O12",
                "ผศ.ดร.วรรณา ศรีสว่าง (หลักสูตรบริหารธุรกิจ) และงานบริหารงานบุคคล",
                ["งานบริหารงานบุคคล"], [("ผศ.ดร.วรรณา ศรีสว่าง", "หลักสูตรบริหารธุรกิจ")],
                [T("ทบทวนหลักเกณฑ์การประเมินผลการปฏิบัติงาน"), T("รับฟังความคิดเห็นบุคลากร"),
                 R("ผู้อำนวยการสำนักงานคณบดีตรวจสอบความถูกต้อง"), T("เผยแพร่หลักเกณฑ์บนเว็บไซต์คณะ")],
                "1 พ.ย. 2568 - 31 พ.ค. 2569", ("2025-11-01", "2026-05-31"), "รายไตรมาส", {"frequency": "quarterly"}),
        Measure("3", "การจัดการความเสี่ยงการทุจริตในการจัดซื้อจัดจ้าง",
                "การจัดซื้อครุภัณฑ์วิทยาศาสตร์บางรายการมีผู้เสนอราคารายเดียว",
                "เพิ่มการสืบราคาจากผู้ขายอย่างน้อย 3 ราย และเปิดเผยผลการพิจารณา", ["O19", "O20"], "O19, O20",
                "งานพัสดุ สำนักงานคณบดี", ["งานพัสดุ"], [],
                [T("วิเคราะห์รายการจัดซื้อที่มีผู้เสนอราคารายเดียว"), T("กำหนดแนวทางการสืบราคาอย่างน้อย 3 ราย"),
                 T("แจ้งเวียนแนวทางให้หลักสูตรและหน่วยงานภายใน"), T("ติดตามการปฏิบัติตามแนวทางในการจัดซื้อแต่ละครั้ง"),
                 T("สรุปผลและรายงานคณบดี")],
                "ปีงบประมาณ 2569", FY69, "ครั้งที่ 1 31 มี.ค. 2569 ครั้งที่ 2 30 ก.ย. 2569",
                {"rounds": ["2026-03-31", "2026-09-30"]}, {"split_after": 3}),
        Measure("4", "การส่งเสริมคุณธรรมและความโปร่งใสในการจัดการเรียนการสอน",
                "นักศึกษาไม่ทราบช่องทางร้องเรียนเรื่องการให้คะแนน",
                "ประชาสัมพันธ์ช่องทางร้องเรียนและคำร้องขอทบทวนผลการเรียน", ["O23"], "O23",
                "งานบริการการศึกษา", ["งานบริการการศึกษา"], [],
                [T("จัดทำแบบคำร้องขอทบทวนผลการเรียนออนไลน์"), T("ประชาสัมพันธ์ในการปฐมนิเทศนักศึกษา")],
                "ม.ค. - มี.ค. 2569", ("2026-01-01", "2026-03-31"), "รายงานผลภายในวันที่ 31 มีนาคม 2569",
                {"rounds": ["2026-03-31"]}),
    ]
    return Memo(
        "university_autonumber_pagebreak", "docx",
        "มหาวิทยาลัย/คณะ: one table, steps as Word automatic numbering (numbers not in the text), split over a page",
        "step numbers exist only in numbering.xml; the table is cut at a page break into two tables (header row "
        "repeated) and measure 3's last steps continue in a row whose first cells are empty; academic titles "
        "(ผศ.ดร.) before a name; FY 2569 with 2-digit years; items as a range O1-O3",
        "คณะวิทยาการจัดการ มหาวิทยาลัยราชภัฏทุ่งกุลา", 2569, False,
        ["ส่วนงาน คณะวิทยาการจัดการ มหาวิทยาลัยราชภัฏทุ่งกุลา งานแผนและประกันคุณภาพ โทร. 2215",
         "ที่ อว 0623.05/1877", "วันที่ 8 ตุลาคม 2568",
         "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในคณะวิทยาการจัดการ ประจำปีงบประมาณ พ.ศ. 2569",
         "เรียน คณบดีคณะวิทยาการจัดการ",
         "ตามที่มหาวิทยาลัยแจ้งผลการประเมินคุณธรรมและความโปร่งใส (ITA) ประจำปีงบประมาณ พ.ศ. 2568 และให้ส่วนงาน"
         "จัดทำมาตรการเพื่อขับเคลื่อนการดำเนินงานในปีงบประมาณ พ.ศ. 2569 งานแผนและประกันคุณภาพได้จัดทำมาตรการ "
         "ตามตารางต่อไปนี้"],
        ms,
        ["ที่มา: ผลการวิเคราะห์ของคณะกรรมการขับเคลื่อน ITA คณะวิทยาการจัดการ ครั้งที่ 1/2568",
         "จึงเรียนมาเพื่อโปรดพิจารณา", "(นางสาวชุติมา บุญรอด)", "นักวิเคราะห์นโยบายและแผน",
         "(รองศาสตราจารย์ ดร.อนุชา มีสุข)", "คณบดีคณะวิทยาการจัดการ"])


def write_university(memo: Memo) -> Document:
    doc = new_document(landscape=True)
    abstract = numbering(doc)
    memo_header(doc, memo.header)
    labels = ["ที่", "ประเด็นการพัฒนา", "ข้อบกพร่อง/จุดอ่อน", "แนวทางการพัฒนา", "ขั้นตอนการดำเนินงาน",
              "ผู้รับผิดชอบ", "ระยะเวลา", "การติดตาม"]
    split = next(i for i, m in enumerate(memo.measures) if m.extra.get("split_after"))
    first, second = memo.measures[:split + 1], memo.measures[split + 1:]
    lists = {m.code: new_list(doc, abstract) for m in memo.measures}

    def row(t, r, m, steps):
        values = [m.code, f"{m.title} ({m.items_text})", m.weakness, m.improvement, None, m.owners_text,
                  m.period_text, m.monitoring_text]
        for c, value in enumerate(values):
            if value is None:
                fill(t.cell(r, c), [s.title for s in steps], numbered=lists[m.code])
            else:
                fill(t.cell(r, c), value)

    t = table(doc, 1 + len(first), len(labels))
    header_row(t, 0, labels)
    for r, m in enumerate(first, start=1):
        cut = m.extra.get("split_after")
        row(t, r, m, m.steps[:cut] if cut else m.steps)
    page_break(doc)
    t2 = table(doc, 2 + len(second), len(labels))
    header_row(t2, 0, labels)
    cont = memo.measures[split]
    fill(t2.cell(1, 4), [s.title for s in cont.steps[cont.extra["split_after"]:]], numbered=lists[cont.code])
    for r, m in enumerate(second, start=2):
        row(t2, r, m, m.steps)
    closing(doc, memo.closing)
    return doc


def step_tables() -> Memo:
    ms = [
        Measure("1", "การเปิดเผยข้อมูลการใช้งบประมาณ", "ยังไม่รายงานผลการใช้จ่ายงบประมาณรอบ 6 เดือน",
                "รายงานผลการใช้จ่ายงบประมาณรอบ 6 เดือนและเผยแพร่บนเว็บไซต์", ["O12"], "O12",
                "", ["งานแผนงานและสารสนเทศ", "งานการเงินและบัญชี"], [],
                [T("รวบรวมผลการเบิกจ่ายงบประมาณ ต.ค. 67 - มี.ค. 68", owner_text="งานการเงินและบัญชี",
                   period_text="1 - 10 เม.ย. 68", due="2025-04-10"),
                 T("จัดทำรายงานผลการดำเนินงานและการใช้งบประมาณรอบ 6 เดือน", owner_text="งานแผนงานและสารสนเทศ",
                   period_text="11 - 25 เม.ย. 68", due="2025-04-25"),
                 T("เสนอสาธารณสุขอำเภอลงนามและเผยแพร่บนเว็บไซต์", owner_text="งานแผนงานและสารสนเทศ",
                   period_text="ภายใน 30 เม.ย. 68", due="2025-04-30")],
                "", ("2025-04-01", "2025-04-30"), "ผู้รับผิดชอบงาน ITA ติดตามเดือนละ 1 ครั้ง",
                {"frequency": "monthly"}),
        Measure("2", "การส่งเสริมความโปร่งใสในการจ้างเหมาบริการ", "การคัดเลือกลูกจ้างเหมาบริการไม่ได้ประกาศให้ทราบทั่วไป",
                "ประกาศรับสมัครและผลการคัดเลือกลูกจ้างเหมาบริการบนเว็บไซต์ทุกครั้ง", ["O24"], "O24",
                "", ["งานบริหารทั่วไป"], [("นางจันทร์เพ็ญ ชาญฉลาด", "งานบริหารทั่วไป")],
                [T("จัดทำแนวทางการคัดเลือกลูกจ้างเหมาบริการ", owner_text="งานบริหารทั่วไป",
                   period_text="พฤศจิกายน 2567", due="2024-11-30"),
                 T("ประกาศรับสมัครและผลการคัดเลือกทุกครั้งที่มีการจ้าง",
                   owner_text="นางจันทร์เพ็ญ ชาญฉลาด (งานบริหารทั่วไป)", period_text="ธันวาคม 2567 - กันยายน 2568",
                   due="2025-09-30"),
                 R("หัวหน้างานบริหารทั่วไปตรวจสอบความถูกต้องของประกาศ", owner_text="งานบริหารทั่วไป",
                   period_text="ธันวาคม 2567 - กันยายน 2568", due="2025-09-30")],
                "", ("2024-11-01", "2025-09-30"), "ทุก 3 เดือน", {"frequency": "quarterly"}),
    ]
    return Memo(
        "health_office_table_per_step", "docx",
        "สำนักงานสาธารณสุขอำเภอ: a measure heading with label paragraphs, then each STEP its own small table "
        "(กิจกรรม | ผู้รับผิดชอบ | ระยะเวลา)",
        "no measure-level owners or period: they are the union of the steps' (owners) and their span (period); a "
        "step's period end is its due date; a person in one step and the unit in another",
        "สำนักงานสาธารณสุขอำเภอธวัชบุรี", 2568, True,
        ["ส่วนราชการ สำนักงานสาธารณสุขอำเภอธวัชบุรี จังหวัดร้อยเอ็ด",
         "ที่ รอ 0232.07/ 845", "วันที่ 1 พฤศจิกายน 2567",
         "เรื่อง แผนปฏิบัติการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส ปีงบประมาณ พ.ศ. 2568",
         "เรียน สาธารณสุขอำเภอธวัชบุรี"],
        ms,
        ["หมายเหตุ แผนนี้อาจปรับได้ตามนโยบายของสำนักงานสาธารณสุขจังหวัดร้อยเอ็ด",
         "จึงเรียนมาเพื่อโปรดทราบและพิจารณา", "(นางจันทร์เพ็ญ ชาญฉลาด)", "เจ้าพนักงานธุรการชำนาญงาน",
         "(นายสมหมาย ดวงดี)", "สาธารณสุขอำเภอธวัชบุรี"])


def write_step_tables(memo: Memo) -> Document:
    d = th
    doc = new_document()
    memo_header(doc, [d(x) for x in memo.header])
    for m in memo.measures:
        para(doc, d(f"มาตรการที่ {m.code} {m.title}"), bold=True)
        para(doc, d(f"ตัวชี้วัดที่เกี่ยวข้อง : {m.items_text}"))
        para(doc, d(f"ข้อบกพร่อง : {m.weakness}"))
        para(doc, d(f"เป้าหมาย : {m.improvement}"))
        for i, s in enumerate(m.steps, start=1):
            para(doc, d(f"ขั้นตอนที่ {i}"))
            t = table(doc, 2, 3)
            header_row(t, 0, ["กิจกรรม", "ผู้รับผิดชอบ", "ระยะเวลา"], repeat=False)
            fill(t.cell(1, 0), d(s.title))
            fill(t.cell(1, 1), d(s.owner_text or ""))
            fill(t.cell(1, 2), d(s.period_text or ""))
        para(doc, d(f"การติดตาม : {m.monitoring_text}"))
        para(doc)
    closing(doc, [d(x) for x in memo.closing])
    return doc


def provincial() -> Memo:
    mon = ("ฝ่ายบริหารงานทั่วไป ฝ่ายเลขานุการ กำกับติดตามการดำเนินงานทุก 15 วัน ผ่านกลุ่มไลน์ ITA พมจ.ยโสธร "
           "และรายงานในที่ประชุมประจำเดือน")
    ms = [
        Measure("1.1", "การเปิดเผยข้อมูลการดำเนินงาน", "O12 รายงานการกำกับติดตามการดำเนินงานรอบ 6 เดือน ยังไม่ครอบคลุมทุกโครงการ",
                "รายงานการกำกับติดตามการดำเนินงานและการใช้งบประมาณรอบ 6 เดือน ให้ครอบคลุมทุกโครงการ", ["O11", "O12"],
                "", "กลุ่มนโยบายและวิชาการ และฝ่ายบริหารงานทั่วไป", ["กลุ่มนโยบายและวิชาการ", "ฝ่ายบริหารงานทั่วไป"], [],
                [T("รวบรวมผลการดำเนินงานทุกโครงการ"), T("จัดทำรายงานการกำกับติดตามรอบ 6 เดือน"),
                 T("เสนอพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดยโสธรลงนาม"), T("เผยแพร่บนเว็บไซต์ พมจ.ยโสธร")],
                "1 เมษายน 2568 - 31 พฤษภาคม 2568", ("2025-04-01", "2025-05-31"), mon, {"every_days": 15},
                {"items_lines": ["O11 แผนการดำเนินงานและการใช้งบประมาณประจำปี",
                                 "O12 รายงานการกำกับติดตามการดำเนินงานและการใช้งบประมาณประจำปี รอบ 6 เดือน"],
                 "constraints": "- ไม่มี -"}),
        Measure("1.2", "การให้บริการและการรับเรื่องร้องเรียน", "O16 ข้อมูลเชิงสถิติการให้บริการ ยังไม่แยกตามประเภทบริการ",
                "จัดทำข้อมูลสถิติการให้บริการแยกตามประเภทบริการ และเผยแพร่ทุกไตรมาส", ["O16", "O17"], "",
                "กลุ่มการพัฒนาสังคมและสวัสดิการ", ["กลุ่มการพัฒนาสังคมและสวัสดิการ"], [],
                [T("กำหนดประเภทบริการและแบบเก็บข้อมูล"), T("บันทึกข้อมูลผู้รับบริการรายวัน"),
                 R("หัวหน้ากลุ่มการพัฒนาสังคมและสวัสดิการตรวจสอบความถูกต้อง"), T("เผยแพร่บนเว็บไซต์ พมจ.ยโสธร")],
                "เมษายน - มิถุนายน 2568", ("2025-04-01", "2025-06-30"), mon, {"every_days": 15},
                {"items_lines": ["O16 ข้อมูลเชิงสถิติการให้บริการ", "O17 รายงานผลการสำรวจความพึงพอใจการให้บริการ"],
                 "constraints": "- ไม่มี -"}),
        Measure("1.3", "การส่งเสริมคุณธรรมและจริยธรรม", "O36 การขับเคลื่อนจริยธรรม ยังไม่มีกิจกรรมที่เป็นรูปธรรม",
                "จัดกิจกรรมขับเคลื่อนจริยธรรมอย่างน้อยไตรมาสละ 1 กิจกรรม", ["O36"], "",
                "นางสาวศิริพร คำภา (ฝ่ายบริหารงานทั่วไป)", [], [("นางสาวศิริพร คำภา", "ฝ่ายบริหารงานทั่วไป")],
                [T("จัดทำแผนกิจกรรมขับเคลื่อนจริยธรรม"), MO("จัดกิจกรรมยกย่องบุคคลต้นแบบด้านคุณธรรมทุกเดือน"),
                 T("สรุปผลการดำเนินกิจกรรม")],
                "ตลอดปีงบประมาณ พ.ศ. 2568", FY68, mon, {"every_days": 15},
                {"items_lines": ["O36 การขับเคลื่อนจริยธรรม"], "constraints": "บุคลากรมีภารกิจลงพื้นที่จำนวนมาก"}),
    ]
    return Memo(
        "provincial_office_seedlike_period_column", "docx",
        "สำนักงานจังหวัด (พมจ.): the seed's layout (ประเด็นที่ 1.1 headings, item list, a 6-column table) with a "
        "period column",
        "like the seed but the period is a column; monitoring 'ทุก 15 วัน' (every_days 15) with no dated rounds; "
        "a constraints line under the table; the weakness starts with an item code (kept as written)",
        "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดยโสธร", 2568, True,
        ["ส่วนราชการ สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดยโสธร ฝ่ายบริหารงานทั่วไป โทร. 0 4571 2345",
         "ที่ ยส 0015/ 1029", "วันที่ 26 มีนาคม 2568",
         "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
         "เรียน พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดยโสธร",
         "ตามที่สำนักงานปลัดกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ แจ้งให้หน่วยงานในสังกัดวิเคราะห์ผลการประเมิน "
         "ITA ประจำปีงบประมาณ พ.ศ. 2567 และกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใส ฝ่ายบริหารงานทั่วไป"
         "ได้ดำเนินการเรียบร้อยแล้ว รายละเอียดตามแนบ",
         "จึงเรียนมาเพื่อโปรดพิจารณา", "(นางสาวศิริพร คำภา)", "นักพัฒนาสังคมชำนาญการ",
         "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"],
        ms,
        ["- - - - - - - - - - - - - -", "ผู้จัดทำ นางสาวศิริพร คำภา โทร. 08 1234 5678"])


def write_provincial(memo: Memo) -> Document:
    d = th
    doc = new_document(landscape=True)
    memo_header(doc, [d(x) for x in memo.header])
    labels = ["ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อน ที่จะต้องแก้ไขโดยเร่งด่วน",
              "ประเด็นที่จะพัฒนาให้ดีขึ้นที่มีความสอดคล้องกับผลการประเมิน",
              "การกำหนดผู้รับผิดชอบหรือผู้ที่เกี่ยวข้อง", "การกำหนดขั้นตอนหรือวิธีการปฏิบัติ",
              "ระยะเวลาดำเนินการ", "การกำหนดแนวทางการกำกับติดตาม ให้นำไปสู่การปฏิบัติและการรายงานผล"]
    for m in memo.measures:
        para(doc, d(f"ประเด็นที่ {m.code} {m.title}"), bold=True)
        for line in m.extra["items_lines"]:
            para(doc, d(f"- {line}"))
        para(doc, "การวิเคราะห์ผลการประเมิน")
        t = table(doc, 2, len(labels))
        header_row(t, 0, labels, repeat=False)
        values = [m.weakness, m.improvement, m.owners_text, " ".join(numbered(m.steps, str, "dot")),
                  m.period_text, m.monitoring_text]
        for c, value in enumerate(values):
            fill(t.cell(1, c), d(value))
        para(doc, d(f"ข้อจำกัดของหน่วยงาน {m.extra['constraints']}"))
        para(doc)
    closing(doc, [d(x) for x in memo.closing])
    return doc


def esa() -> Memo:
    rounds = "ครั้งที่ 1 28 ก.พ. 2568 ครั้งที่ 2 31 มี.ค. 2568 ครั้งที่ 3 30 เม.ย. 2568"
    mon = f"กลุ่มอำนวยการ ในฐานะฝ่ายเลขานุการ ติดตามผลการดำเนินงาน ดังนี้ {rounds}"
    dates = ["2025-02-28", "2025-03-31", "2025-04-30"]
    ms = [
        Measure("1", "การเปิดเผยแผนและผลการดำเนินงาน", "O13 รายงานผลการดำเนินงานประจำปี ยังไม่แสดงผลสัมฤทธิ์ตามตัวชี้วัด",
                "รายงานผลการดำเนินงานประจำปีแสดงผลสัมฤทธิ์ตามตัวชี้วัดของแผนปฏิบัติการ", ["O11", "O13"],
                "O11 O13", "กลุ่มอำนวยการ และกลุ่มนโยบายและแผน", ["กลุ่มอำนวยการ", "กลุ่มนโยบายและแผน"], [],
                [T("ทบทวนตัวชี้วัดของแผนปฏิบัติการประจำปี"), T("รวบรวมผลการดำเนินงานตามตัวชี้วัดจากทุกกลุ่ม"),
                 R("ผู้อำนวยการกลุ่มนโยบายและแผนตรวจสอบความถูกต้อง"), T("เสนอผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาลงนาม"),
                 T("เผยแพร่บนเว็บไซต์ สพม.มหาสารคาม")],
                "1 ก.พ. 2568 ถึง 30 เม.ย. 2568", ("2025-02-01", "2025-04-30"), mon, {"rounds": dates}),
        Measure("2", "การบริหารงานบุคคลที่โปร่งใส", "O24 การดำเนินการตามแผนบริหารทรัพยากรบุคคล ยังไม่รายงานผลการย้ายและการบรรจุ",
                "รายงานผลการย้าย การบรรจุ และการแต่งตั้ง ให้ครบถ้วนและเป็นปัจจุบัน", ["O23", "O24"], "O23 O24",
                "กลุ่มบริหารงานบุคคล และกลุ่มพัฒนาครูและบุคลากรทางการศึกษา",
                ["กลุ่มบริหารงานบุคคล", "กลุ่มพัฒนาครูและบุคลากรทางการศึกษา"], [],
                [T("รวบรวมคำสั่งย้าย บรรจุ และแต่งตั้ง"), T("จัดทำรายงานสรุปผลการบริหารงานบุคคล"),
                 R("ผู้อำนวยการกลุ่มบริหารงานบุคคล ตรวจสอบความถูกต้อง"), T("เผยแพร่บนเว็บไซต์ สพม.มหาสารคาม")],
                "1 ก.พ. 2568 ถึง 30 เม.ย. 2568", ("2025-02-01", "2025-04-30"), mon, {"rounds": dates}),
        Measure("3", "การป้องกันการทุจริตในการจัดซื้อจัดจ้าง", "O20 สรุปผลการจัดซื้อจัดจ้างรายเดือน ยังไม่ครบทุกเดือน",
                "สรุปผลการจัดซื้อจัดจ้างรายเดือนให้ครบทุกเดือนและเผยแพร่", ["O20"], "O20",
                "นางสาวเบญจวรรณ พรมมา กลุ่มบริหารงานการเงินและสินทรัพย์ และกลุ่มอำนวยการ", ["กลุ่มอำนวยการ"],
                [("นางสาวเบญจวรรณ พรมมา", "กลุ่มบริหารงานการเงินและสินทรัพย์")],
                [MO("จัดทำสรุปผลการจัดซื้อจัดจ้างประจำเดือน"),
                 R("ผู้อำนวยการกลุ่มบริหารงานการเงินและสินทรัพย์ตรวจสอบความถูกต้อง"), T("เผยแพร่บนเว็บไซต์ภายในวันที่ 10 ของเดือนถัดไป")],
                "1 ก.พ. 2568 ถึง 30 เม.ย. 2568", ("2025-02-01", "2025-04-30"), mon, {"rounds": dates}),
    ]
    return Memo(
        "esa_two_groups_review", "docx",
        "สพม.: the seed's 5-column table per measure under ประเด็นที่ headings, period in a paragraph below",
        "two owner groups per measure joined by 'และ'; a person with a group AND another group in one cell; "
        "directors' accuracy reviews (with and without a space before ตรวจสอบ); 'ถึง' as the period dash; steps "
        "as separate paragraphs in the cell",
        "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษามหาสารคาม", 2568, True,
        ["ส่วนราชการ สำนักงานเขตพื้นที่การศึกษามัธยมศึกษามหาสารคาม กลุ่มอำนวยการ",
         "ที่ ศธ 04293/ 512", "วันที่ 27 มกราคม 2568",
         "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
         "เรียน ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษามัธยมศึกษามหาสารคาม",
         "ตามที่สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน ได้ดำเนินการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน"
         "ของหน่วยงานภาครัฐ (ITA Online) นั้น กลุ่มอำนวยการได้วิเคราะห์ผลการประเมินประจำปีงบประมาณ พ.ศ. 2567 "
         "และกำหนดมาตรการดังนี้"],
        ms,
        ["จึงเรียนมาเพื่อโปรดพิจารณา", "(นางสาวเบญจวรรณ พรมมา)", "นักวิชาการพัสดุชำนาญการ",
         "(นายวีระพงษ์ ศรีจันทร์)", "ผู้อำนวยการกลุ่มอำนวยการ",
         "- ทราบ", "- อนุมัติ", "(ดร.สุเมธ แก้วประเสริฐ)",
         "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษามัธยมศึกษามหาสารคาม"])


def write_esa(memo: Memo) -> Document:
    d = th
    doc = new_document(landscape=True)
    memo_header(doc, [d(x) for x in memo.header])
    labels = ["ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน", "ประเด็นที่จะพัฒนาให้ดีขึ้น",
              "การกำหนดผู้รับผิดชอบหรือผู้ที่เกี่ยวข้อง", "การกำหนดขั้นตอนหรือวิธีการปฏิบัติ",
              "การกำหนดแนวทางการกำกับติดตามให้นำไปสู่การปฏิบัติและการรายงานผล"]
    for m in memo.measures:
        para(doc, d(f"ประเด็นที่ {m.code} {m.title} ({m.items_text})"), bold=True)
        t = table(doc, 2, 5)
        header_row(t, 0, labels, repeat=False)
        values = [d(m.weakness), d(m.improvement), d(m.owners_text), numbered(m.steps, d, "dot"), d(m.monitoring_text)]
        for c, value in enumerate(values):
            fill(t.cell(1, c), value)
        para(doc, d(f"ระยะเวลาดำเนินการ {m.period_text}"))
        para(doc)
    closing(doc, [d(x) for x in memo.closing])
    return doc


def waterworks() -> Memo:
    ms = [
        Measure("1", "การเปิดเผยข้อมูลการให้บริการ", "สถิติการให้บริการขอติดตั้งประปาใหม่ไม่ได้เผยแพร่",
                "เผยแพร่สถิติการให้บริการขอติดตั้งประปาใหม่และระยะเวลาให้บริการเฉลี่ยรายไตรมาส", ["O16"], "O16",
                "งานบริการลูกค้า / งานผลิต", ["งานบริการลูกค้า", "งานผลิต"], [],
                [T("รวบรวมข้อมูลคำขอติดตั้งประปาใหม่จากระบบ"), T("คำนวณระยะเวลาให้บริการเฉลี่ย"),
                 T("จัดทำอินโฟกราฟิกและเผยแพร่บนเว็บไซต์สาขา")],
                "ม.ค. - มิ.ย. 2568", ("2025-01-01", "2025-06-30"), "รายงาน กปภ.ข.6 ทุกไตรมาส",
                {"frequency": "quarterly"}),
        Measure("2", "การแก้ไขปัญหาน้ำประปาไม่ไหลและเรื่องร้องเรียน", "ผู้ใช้น้ำไม่ได้รับแจ้งผลการแก้ไขเรื่องร้องเรียน",
                "แจ้งผลการแก้ไขเรื่องร้องเรียนให้ผู้ใช้น้ำทราบทาง SMS ภายใน 3 วัน", ["O18", "O32"], "O18, O32",
                "นายวีรยุทธ บุญเรือง หัวหน้างานบริการลูกค้า", [], [("นายวีรยุทธ บุญเรือง", "งานบริการลูกค้า")],
                [T("บันทึกเรื่องร้องเรียนในระบบ 1662"), T("ส่งช่างตรวจสอบและแก้ไขภายใน 24 ชั่วโมง"),
                 T("แจ้งผลการแก้ไขให้ผู้ร้องทราบทาง SMS"), MO("สรุปเรื่องร้องเรียนประจำเดือนเสนอผู้จัดการสาขา")],
                "1 ต.ค. 2567 - 30 ก.ย. 2568", FY68, "ทุกเดือน", {"frequency": "monthly"}),
        Measure("3", "การใช้ทรัพย์สินของทางราชการ", "ไม่มีทะเบียนควบคุมการใช้รถยนต์ส่วนกลางนอกเวลาราชการ",
                "จัดทำทะเบียนและขออนุญาตการใช้รถยนต์ส่วนกลางทุกครั้ง", ["O37"], "O37",
                "งานบริหารทั่วไป", ["งานบริหารทั่วไป"], [],
                [T("จัดทำแบบขออนุญาตใช้รถยนต์ส่วนกลาง"), T("ประกาศแนวปฏิบัติให้พนักงานทราบ"),
                 R("ผู้จัดการสาขาตรวจสอบความถูกต้องของทะเบียนการใช้รถ")],
                "1 ต.ค. 2567 - 31 มี.ค. 2568", ("2024-10-01", "2025-03-31"), "ปีละ 2 ครั้ง",
                {"frequency": "half-yearly"}),
    ]
    return Memo(
        "waterworks_two_header_rows", "docx",
        "การประปาส่วนภูมิภาคสาขา (state enterprise): one table with a two-row header (cells merged across and down)",
        "header labels split across two rows (ผลการวิเคราะห์ over จุดอ่อน|แนวทางแก้ไข, แผนการดำเนินงาน over "
        "กิจกรรม|ผู้รับผิดชอบ|ระยะเวลา); owners separated by '/'; person + position with no unit in brackets "
        "(the unit is in the position); steps '-' in separate paragraphs; a review by ผู้จัดการสาขา",
        "การประปาส่วนภูมิภาคสาขากาฬสินธุ์", 2568, False,
        ["ส่วนราชการ การประปาส่วนภูมิภาคสาขากาฬสินธุ์ งานบริหารทั่วไป",
         "ที่ กปภ.ข.6(กส)/ 1457", "วันที่ 13 ธันวาคม 2567",
         "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ 2568",
         "เรียน ผู้จัดการการประปาส่วนภูมิภาคสาขากาฬสินธุ์",
         "ตามที่ การประปาส่วนภูมิภาคได้รับการประเมิน ITA ปีงบประมาณ 2567 และให้สาขาจัดทำมาตรการขับเคลื่อน "
         "งานบริหารทั่วไปขอเสนอมาตรการ ดังนี้"],
        ms,
        ["หมายเหตุ: ข้อมูลเรื่องร้องเรียนอ้างอิงจากระบบ CRM ของ กปภ.", "จึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ",
         "(นางสาวปวีณา ศรีนวล)", "หัวหน้างานบริหารทั่วไป", "อนุมัติ", "(นายชาตรี สมบูรณ์ชัย)",
         "ผู้จัดการการประปาส่วนภูมิภาคสาขากาฬสินธุ์"])


def write_waterworks(memo: Memo) -> Document:
    doc = new_document(landscape=True)
    memo_header(doc, memo.header)
    t = table(doc, 2 + len(memo.measures), 8)
    top = ["ลำดับ", "ประเด็นการประเมิน", "ผลการวิเคราะห์", None, "แผนการดำเนินงาน", None, None, "การติดตาม"]
    sub = [None, None, "จุดอ่อน", "แนวทางแก้ไข", "กิจกรรม", "ผู้รับผิดชอบ", "ระยะเวลา", None]
    for c in (0, 1, 7):
        fill(t.cell(0, c).merge(t.cell(1, c)), top[c], bold=True)
    fill(t.cell(0, 2).merge(t.cell(0, 3)), top[2], bold=True)
    fill(t.cell(0, 4).merge(t.cell(0, 6)), top[4], bold=True)
    for c in (2, 3, 4, 5, 6):
        fill(t.cell(1, c), sub[c], bold=True)
    for r, m in enumerate(memo.measures, start=2):
        values = [m.code, f"{m.title} ({m.items_text})", m.weakness, m.improvement,
                  numbered(m.steps, str, "dash"), m.owners_text, m.period_text, m.monitoring_text]
        for c, value in enumerate(values):
            fill(t.cell(r, c), value)
    closing(doc, memo.closing)
    return doc


def police() -> Memo:
    ms = [
        Measure("1", "การปฏิบัติหน้าที่ด้วยความโปร่งใส", "",
                "ประกาศขั้นตอนและระยะเวลาการให้บริการรับแจ้งความ ณ จุดบริการประชาชน", [], "",
                "พ.ต.ท.สมศักดิ์ ใจมั่น สว.อก.", [], [("พ.ต.ท.สมศักดิ์ ใจมั่น", None)],
                [T("จัดทำป้ายประกาศขั้นตอนการรับแจ้งความ"), T("ติดตั้ง QR Code ประเมินความพึงพอใจ ณ จุดบริการ"),
                 MO("สรุปผลความพึงพอใจของผู้รับบริการประจำเดือน")],
                "ต.ค. 67 - มี.ค. 68", ("2024-10-01", "2025-03-31"), "ติดตามผลทุกเดือน", {"frequency": "monthly"}),
        Measure("2", "การป้องกันการรับสินบน", "",
                "ประกาศนโยบายไม่รับของขวัญ (No Gift Policy) และจัดช่องทางแจ้งเบาะแส", ["O36"], "O36",
                "งานอำนวยการ และงานป้องกันปราบปราม", ["งานอำนวยการ", "งานป้องกันปราบปราม"], [],
                [T("ผู้กำกับการประกาศนโยบาย No Gift Policy"), T("เปิดช่องทางแจ้งเบาะแสทางไลน์ของสถานี"),
                 T("รายงานผลการดำเนินการต่อตำรวจภูธรจังหวัด")],
                "ตลอดปีงบประมาณ พ.ศ. 2568", FY68, "รายงาน ภ.จว.กาฬสินธุ์ ทุกไตรมาส", {"frequency": "quarterly"}),
        Measure("3", "การจัดการเรื่องร้องเรียนของประชาชน", "",
                "ตอบกลับเรื่องร้องเรียนภายใน 7 วัน และเผยแพร่สถิติบนเพจสถานี", ["O32"], "O32",
                "ร.ต.อ.หญิง สุดารัตน์ ทองแท้ (งานสืบสวน)", [], [("ร.ต.อ.หญิง สุดารัตน์ ทองแท้", "งานสืบสวน")],
                [T("ลงทะเบียนรับเรื่องร้องเรียนทุกช่องทาง"), T("แจ้งผลการดำเนินการให้ผู้ร้องทราบภายใน 7 วัน"),
                 T("เผยแพร่สถิติเรื่องร้องเรียนบนเพจสถานี")],
                "1 ม.ค. 68 - 30 ก.ย. 68", ("2025-01-01", "2025-09-30"), "ติดตามผลทุก 15 วัน", {"every_days": 15}),
    ]
    return Memo(
        "police_station_remarks_column", "docx",
        "สถานีตำรวจ: one table, monitoring written in a 'หมายเหตุ' column, no weakness column",
        "people with police ranks (พ.ต.ท., ร.ต.อ.หญิง) and an abbreviated position (สว.อก.) instead of a unit; "
        "monitoring in the remarks column; no weakness anywhere (empty); a note under the table that is no "
        "measure's; 'วิธีการดำเนินการ' steps with '-'",
        "สถานีตำรวจภูธรกมลาไสย", 2568, True,
        ["ส่วนราชการ สถานีตำรวจภูธรกมลาไสย งานอำนวยการ โทร. 0 4389 9191",
         "ที่ 0018(กส).(22)/ 2901", "วันที่ 2 ตุลาคม 2567",
         "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
         "เรียน ผกก.สภ.กมลาไสย",
         "ด้วยตำรวจภูธรจังหวัดกาฬสินธุ์ได้สั่งการให้สถานีตำรวจในสังกัดกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใส "
         "งานอำนวยการจึงได้จัดทำมาตรการ ดังนี้"],
        ms,
        ["หมายเหตุ ห้วงเวลาอาจเปลี่ยนแปลงตามสถานการณ์และภารกิจเร่งด่วนของสถานี",
         "จึงเรียนมาเพื่อโปรดพิจารณา", "พ.ต.ท.", "(สมศักดิ์ ใจมั่น)", "สว.อก.สภ.กมลาไสย",
         "- อนุมัติ", "พ.ต.อ.", "(ธีระ วงศ์ใหญ่)", "ผกก.สภ.กมลาไสย"])


def write_police(memo: Memo) -> Document:
    d = th
    doc = new_document(landscape=True)
    memo_header(doc, [d(x) for x in memo.header])
    labels = ["ลำดับ", "ประเด็นการประเมิน", "มาตรการ", "วิธีการดำเนินการ", "ผู้รับผิดชอบ", "ระยะเวลา", "หมายเหตุ"]
    t = table(doc, 1 + len(memo.measures), len(labels))
    header_row(t, 0, labels)
    for r, m in enumerate(memo.measures, start=1):
        title = f"{m.items_text} {m.title}".strip()
        values = [d(m.code), d(title), d(m.improvement), numbered(m.steps, d, "dash"), d(m.owners_text),
                  d(m.period_text), d(m.monitoring_text)]
        for c, value in enumerate(values):
            fill(t.cell(r, c), value)
    closing(doc, [d(x) for x in memo.closing])
    return doc


def rpst() -> Memo:
    ms = [
        Measure("1", "เผยแพร่ข้อมูลพื้นฐานของหน่วยงาน", "เพจของ รพ.สต. ไม่มีข้อมูลผู้บริหารและช่องทางติดต่อ",
                "ปรับปรุงข้อมูลบนเพจ Facebook ของ รพ.สต. ให้เป็นปัจจุบัน", ["O1", "O2", "O3", "O4"], "(O1-O4)",
                "นางสาวสุดา ดีมาก", [], [("นางสาวสุดา ดีมาก", None)],
                [T("ตรวจสอบข้อมูลบนเพจ"), T("แก้ไขให้เป็นปัจจุบัน"), T("โพสต์ประชาสัมพันธ์")],
                "ต.ค. 67 - ก.ย. 68", FY68, "ติดตามทุกไตรมาส", {"frequency": "quarterly"}),
        Measure("2", "ช่องทางรับเรื่องร้องเรียน", "ไม่มีกล่องรับความคิดเห็น",
                "ติดตั้งกล่องรับความคิดเห็นและ QR Code ร้องเรียน", ["O18"], "(O18)",
                "นายเอกชัย ศรีสุข", [], [("นายเอกชัย ศรีสุข", None)],
                [T("ติดตั้งกล่องรับความคิดเห็น"), MO("เปิดกล่องทุกสิ้นเดือน")],
                "พ.ย. 67 - ก.ย. 68", ("2024-11-01", "2025-09-30"), "ติดตามทุกเดือน", {"frequency": "monthly"}),
    ]
    return Memo(
        "rpst_very_short", "txt",
        "รพ.สต.: a very short plain-text memo, label: value lines with informal labels",
        "labels ใครทำ / ทำอย่างไร / เมื่อไร; steps joined by '→' on one line; period and monitoring on one line; "
        "items as a range (O1-O4); no header block, fiscal year only in the title line; no group at all",
        "โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านดอนแดง", 2568, False, [], ms, [])


def write_rpst(memo: Memo) -> str:
    out = ["มาตรการส่งเสริมคุณธรรมและความโปร่งใส", "โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านดอนแดง ปีงบประมาณ 2568", ""]
    for m in memo.measures:
        out += [f"{m.code}. {m.title} {m.items_text}",
                f"   ปัญหา: {m.weakness}",
                f"   แนวทาง: {m.improvement}",
                "   ขั้นตอน: " + " → ".join(s.title for s in m.steps),
                f"   ใครทำ: {m.owners_text}",
                f"   เมื่อไร: {m.period_text} {m.monitoring_text}",
                ""]
    out += ["ผอ.รพ.สต.บ้านดอนแดง", "(นางรัตนา ใจเย็น)", "15 ต.ค. 67", ""]
    return "\n".join(out)


def dla() -> Memo:
    ms = [
        Measure("1", "การกำกับดูแลองค์กรปกครองส่วนท้องถิ่นให้เปิดเผยข้อมูล",
                "องค์กรปกครองส่วนท้องถิ่นในจังหวัดร้อยละ 35 ยังเผยแพร่ข้อมูลบนเว็บไซต์ไม่ครบตามเกณฑ์ OIT",
                "ตรวจสอบเว็บไซต์ขององค์กรปกครองส่วนท้องถิ่นทุกแห่งและแจ้งให้ปรับปรุงข้อมูลให้ครบถ้วน", [], "",
                "กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น", ["กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น"], [],
                [T("จัดทำแบบตรวจสอบเว็บไซต์ตามเกณฑ์ OIT"), T("ตรวจสอบเว็บไซต์ขององค์กรปกครองส่วนท้องถิ่นทุกแห่ง"),
                 T("แจ้งผลการตรวจสอบและให้องค์กรปกครองส่วนท้องถิ่นปรับปรุง"),
                 T("สรุปผลรายงานท้องถิ่นจังหวัดและผู้ว่าราชการจังหวัด")],
                "1 ธันวาคม 2567 - 31 พฤษภาคม 2568", ("2024-12-01", "2025-05-31"),
                "ครั้งที่ 1 28 กุมภาพันธ์ 2568 ครั้งที่ 2 31 พฤษภาคม 2568", {"rounds": ["2025-02-28", "2025-05-31"]}),
        Measure("2", "การป้องกันผลประโยชน์ทับซ้อนในการตรวจสอบ",
                "เจ้าหน้าที่ผู้ตรวจสอบบางรายเคยปฏิบัติงานในองค์กรปกครองส่วนท้องถิ่นที่ถูกตรวจสอบ",
                "กำหนดให้ผู้ตรวจสอบลงนามในแบบแสดงความไม่มีส่วนได้เสียก่อนการตรวจสอบทุกครั้ง", [], "",
                "นายสุรเชษฐ์ มาลัยทอง นิติกรชำนาญการ กลุ่มงานกฎหมาย ระเบียบและเรื่องร้องเรียน",
                [], [("นายสุรเชษฐ์ มาลัยทอง", "กลุ่มงานกฎหมาย ระเบียบและเรื่องร้องเรียน")],
                [T("จัดทำแบบแสดงความไม่มีส่วนได้เสีย"), T("แจ้งเวียนเจ้าหน้าที่ผู้ตรวจสอบทุกคน"),
                 R("หัวหน้ากลุ่มงานกฎหมาย ระเบียบและเรื่องร้องเรียน ตรวจสอบความถูกต้องของแบบที่ลงนาม")],
                "ตลอดปีงบประมาณ พ.ศ. 2568", FY68, "ติดตามทุก 3 เดือน", {"frequency": "quarterly"}),
    ]
    return Memo(
        "dla_pdf_copied_text", "txt",
        "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด: text copied out of a PDF, labels on their own lines",
        "values wrapped over several lines (hard line breaks mid-sentence); a page footer '- 2 -' and a repeated "
        "running header in the middle of a measure; a unit name with a space in it (กลุ่มงานกฎหมาย ระเบียบและ"
        "เรื่องร้องเรียน); steps numbered ๑) over wrapped lines",
        "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดร้อยเอ็ด", 2568, True, [], ms, [])


def _wrap(text: str, width: int = 38) -> list[str]:
    """A PDF's lines: the text cut at spaces, about ``width`` characters a line."""
    lines, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return lines + [current] if current else lines


def write_dla(memo: Memo) -> str:
    d = th
    out = ["บันทึกข้อความ",
           "ส่วนราชการ สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดร้อยเอ็ด กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น",
           "ที่ รอ 0023.3/ 4471 วันที่ 28 พฤศจิกายน 2567",
           "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
           "เรียน ท้องถิ่นจังหวัดร้อยเอ็ด",
           "ตามที่กรมส่งเสริมการปกครองท้องถิ่นแจ้งให้สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดกำหนด",
           "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน นั้น จึงขอเสนอมาตรการ ดังนี้", ""]
    page_break_at = (0, "ผู้รับผิดชอบ")
    for n, m in enumerate(memo.measures):
        out.append(f"ประเด็นที่ {m.code} {m.title}")
        fields = [("ข้อบกพร่อง/จุดอ่อน", _wrap(m.weakness)), ("แนวทางการพัฒนา", _wrap(m.improvement)),
                  ("วิธีการดำเนินการ", [line for i, s in enumerate(m.steps, start=1)
                                         for line in _wrap(f"{i}) {s.title}")]),
                  ("ผู้รับผิดชอบ", _wrap(m.owners_text)), ("ระยะเวลา", [m.period_text]),
                  ("การกำกับติดตาม", _wrap(m.monitoring_text))]
        for label, lines in fields:
            if (n, label) == page_break_at:
                out += ["", "- 2 -", "", "มาตรการส่งเสริมคุณธรรมและความโปร่งใส สถ.จ.ร้อยเอ็ด ปี 2568", ""]
            out.append(label)
            out += lines
        out.append("")
    out += ["จึงเรียนมาเพื่อโปรดพิจารณา", "", "(นายสุรเชษฐ์ มาลัยทอง)", "นิติกรชำนาญการ", "",
            "- 3 -", ""]
    return "\n".join(d(line) for line in out)


def municipal_shared() -> Memo:
    mon = "สำนักปลัดเทศบาลติดตามผลการดำเนินงานทุกมาตรการเป็นรายไตรมาส และรายงานนายกเทศมนตรี"
    ms = [
        Measure("1", "การเปิดเผยข้อมูลงบประมาณ", "ไม่ได้เผยแพร่รายงานการใช้จ่ายงบประมาณรอบ 6 เดือน",
                "เผยแพร่รายงานการใช้จ่ายงบประมาณรอบ 6 เดือนและรอบปี", ["O12", "O13"], "O12 O13",
                "กองคลัง", ["กองคลัง"], [],
                [T("จัดทำรายงานการใช้จ่ายงบประมาณ"), T("เสนอนายกเทศมนตรี"), T("เผยแพร่บนเว็บไซต์เทศบาล")],
                "เม.ย.-พ.ค. 68", ("2025-04-01", "2025-05-31"), mon, {"frequency": "quarterly"}),
        Measure("2", "การรับฟังความคิดเห็นของประชาชน", "ไม่มีการสรุปผลการรับฟังความคิดเห็นให้ประชาชนทราบ",
                "สรุปผลการรับฟังความคิดเห็นและแจ้งผลกลับทางเว็บไซต์และหอกระจายข่าว", ["O30"], "O30",
                "สำนักปลัดเทศบาล", ["สำนักปลัดเทศบาล"], [],
                [T("จัดเวทีประชาคมระดับชุมชน"), T("สรุปผลการรับฟังความคิดเห็น"), T("แจ้งผลกลับให้ประชาชนทราบ")],
                "ม.ค.-มิ.ย. 68", ("2025-01-01", "2025-06-30"), mon, {"frequency": "quarterly"}),
        Measure("3", "การส่งเสริมคุณธรรมในองค์กร", "ไม่มีการยกย่องบุคลากรที่เป็นแบบอย่างด้านคุณธรรม",
                "คัดเลือกและยกย่องบุคลากรต้นแบบด้านคุณธรรมปีละ 1 ครั้ง", ["O36"], "O36",
                "สำนักปลัดเทศบาล", ["สำนักปลัดเทศบาล"], [],
                [T("ออกประกาศหลักเกณฑ์การคัดเลือก"), T("แต่งตั้งคณะกรรมการคัดเลือก"),
                 T("มอบเกียรติบัตรในวันท้องถิ่นไทย 18 มีนาคม")],
                "ม.ค.-มี.ค. 68", ("2025-01-01", "2025-03-31"), mon, {"frequency": "quarterly"}),
    ]
    return Memo(
        "town_municipality_shared_cells", "docx",
        "เทศบาลเมือง: one table without a monitoring column; one monitoring paragraph for every measure",
        "the owner cell is merged down over measures 2 and 3 (one unit for both); monitoring for all measures "
        "is a paragraph after the table; periods written 'ม.ค.-มี.ค. 68' (no spaces, 2-digit year); steps as "
        "'-' paragraphs; a date inside a step title (18 มีนาคม) that is not a due date",
        "เทศบาลเมืองยโสธร", 2568, False,
        ["ส่วนราชการ สำนักปลัดเทศบาล งานบริหารงานทั่วไป เทศบาลเมืองยโสธร",
         "ที่ ยส 52001/ 3412", "วันที่ 10 ธันวาคม 2567",
         "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568",
         "เรียน นายกเทศมนตรีเมืองยโสธร",
         "ตามที่เทศบาลเมืองยโสธรได้รับผลการประเมิน ITA ประจำปี 2567 ได้ 88.20 คะแนน อยู่ในระดับ A "
         "เพื่อยกระดับผลการประเมินในปีงบประมาณ พ.ศ. 2568 จึงกำหนดมาตรการดังนี้"],
        ms,
        [f"การติดตามประเมินผล: {mon}",
         "จึงเรียนมาเพื่อโปรดพิจารณา", "(นางสาววรรณภา ทองสุข)", "หัวหน้าฝ่ายบริหารงานทั่วไป",
         "ความเห็นปลัดเทศบาล ........................................", "(นายปรีชา มั่นคง)", "ปลัดเทศบาลเมืองยโสธร"])


def write_municipal_shared(memo: Memo) -> Document:
    doc = new_document(landscape=True)
    memo_header(doc, memo.header)
    labels = ["ลำดับ", "มาตรการ/ประเด็น", "ข้อบกพร่อง", "แนวทางปรับปรุง", "ขั้นตอน", "ผู้รับผิดชอบ", "ระยะเวลา"]
    t = table(doc, 1 + len(memo.measures), len(labels))
    header_row(t, 0, labels)
    for r, m in enumerate(memo.measures, start=1):
        values = [m.code, f"{m.title} ({m.items_text})", m.weakness, m.improvement,
                  numbered(m.steps, str, "dash"), None, m.period_text]
        for c, value in enumerate(values):
            if value is not None:
                fill(t.cell(r, c), value)
    fill(t.cell(1, 5), memo.measures[0].owners_text)
    fill(t.cell(2, 5).merge(t.cell(3, 5)), memo.measures[1].owners_text)
    closing(doc, memo.closing)
    return doc


MEMOS = [
    (school, write_school), (sao, write_sao), (municipality, write_municipality), (hospital, write_hospital),
    (district, write_district), (university, write_university), (step_tables, write_step_tables),
    (provincial, write_provincial), (esa, write_esa), (waterworks, write_waterworks), (police, write_police),
    (rpst, write_rpst), (dla, write_dla), (municipal_shared, write_municipal_shared),
]


def main() -> None:
    for make, write in MEMOS:
        memo = make()
        out = write(memo)
        path = HERE / f"{memo.name}.{memo.kind}"
        if memo.kind == "docx":
            save_docx(out, path)
        else:
            path.write_text(out, encoding="utf-8")
        (HERE / f"{memo.name}.expected.yaml").write_text(
            yaml.safe_dump(expected(memo), allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
        print(path.name)


if __name__ == "__main__":
    main()
