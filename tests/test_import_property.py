"""Nothing is dropped silently, as a property: memos generated in several layouts (one table with extra columns
nobody asked for, label/value tables with labels nobody knows, headings each over its table, paragraphs in
between), imported: every non-blank word of the memo is in a string of the draft (``report.document``), in the
list of what was not placed (``report.unplaced``), or is a header or label recorded in ``report.layout``."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.onboarding.importer import import_memo_text
from workflow.onboarding.memotext import CELL_BREAK

_THAI = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮ"
_VOWELS = "ะาิีึืุูเแโไำั่้"
#: a word nobody's reader knows: Thai letters with vowels, or a Latin word
word = st.one_of(
    st.text(alphabet=_THAI, min_size=1, max_size=2).flatmap(
        lambda head: st.text(alphabet=_THAI + _VOWELS, min_size=2, max_size=8).map(lambda tail: head + tail)),
    st.sampled_from(["Google", "Form", "QR", "Code", "No", "Gift", "Policy", "ITA", "OIT", "e-GP"]),
    st.sampled_from(["มาตรการ", "ขั้นตอน", "ผู้รับผิดชอบ", "ติดตาม", "ระยะเวลา", "กลุ่มงาน", "นาย", "ทุกเดือน",
                     "ตุลาคม", "๒๕๖๘", "๓๑", "O๑๒", "(O1)", "งบประมาณ", "ประเด็น", "หมายเหตุ"]),
)
text = st.lists(word, min_size=1, max_size=7).map(" ".join)
steps_cell = st.lists(text, min_size=1, max_size=4).map(
    lambda parts: CELL_BREAK.join(f"{n}. {p}" for n, p in enumerate(parts, start=1)))
owner = st.one_of(st.just("กลุ่มอำนวยการ"), st.just("นายสมชาย ใจดี (งานพัสดุ)"), text.map(lambda t: "งาน" + t))
period = st.sampled_from(["ตุลาคม ๒๕๖๗ - กันยายน ๒๕๖๘", "ม.ค.-มี.ค. 68", "1 ธันวาคม 2567 - 31 มีนาคม 2568", ""])
monitoring = st.one_of(st.sampled_from(["ทุกเดือน", "รายไตรมาส", "ทุก ๑๕ วัน", ""]), text)
unknown_header = st.sampled_from(["หมายเหตุ", "งบประมาณ", "ตัวชี้วัดความสำเร็จ", "เอกสารอ้างอิง", "ผลผลิต"]) | text

HEAD = ["บันทึกข้อความ", "ส่วนราชการ สำนักงานทดสอบ กลุ่มอำนวยการ", "ที่ ทส ๐๐๑/๒๓๔", "วันที่ ๑ ตุลาคม ๒๕๖๗",
        "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. ๒๕๖๘", "เรียน ผู้อำนวยการ"]


@st.composite
def one_table(draw) -> str:
    """One table for all measures, its known columns shuffled among extra columns."""
    columns = [("ที่", None), ("มาตรการ", text), ("ข้อบกพร่อง", text), ("ขั้นตอนการดำเนินการ", steps_cell),
               ("ผู้รับผิดชอบ", owner), ("ระยะเวลา", period), ("การติดตาม", monitoring)]
    for header in draw(st.lists(unknown_header, max_size=2)):
        columns.insert(draw(st.integers(1, len(columns))), (header, text))
    rows = ["\t".join(h for h, _ in columns)]
    for n in range(1, draw(st.integers(1, 3)) + 1):
        rows.append("\t".join(str(n) if s is None else draw(s) for _h, s in columns))
    return "\n".join(HEAD + draw(paragraphs) + rows + draw(paragraphs))


@st.composite
def label_tables(draw) -> str:
    """A label/value table per measure, with labels nobody knows among the known ones."""
    out = list(HEAD)
    for _n in range(draw(st.integers(1, 3))):
        rows = [("มาตรการ", draw(text)), ("ข้อบกพร่อง", draw(text)), ("ขั้นตอนการดำเนินงาน", draw(steps_cell)),
                ("ผู้รับผิดชอบ", draw(owner)), ("ระยะเวลาดำเนินการ", draw(period) or "ตลอดปีงบประมาณ ๒๕๖๘")]
        for label in draw(st.lists(unknown_header, max_size=2)):
            rows.insert(draw(st.integers(1, len(rows))), (label, draw(text)))
        out += [f"{label}\t{value}" for label, value in rows] + draw(paragraphs)
    return "\n".join(out)


@st.composite
def headings_and_tables(draw) -> str:
    """A heading per measure (ประเด็นที่ ๑.๑ ...) over its own one-row table, paragraphs between."""
    out = list(HEAD)
    header = ["ข้อบกพร่อง", "ประเด็นที่จะพัฒนา", "ผู้รับผิดชอบ", "ขั้นตอนการดำเนินการ", "การติดตาม"]
    extra = draw(st.lists(unknown_header, max_size=1))
    for n in range(1, draw(st.integers(1, 3)) + 1):
        out.append(f"ประเด็นที่ ๑.{n} {draw(text)}")
        out += draw(paragraphs)
        out.append("\t".join(header + extra))
        out.append("\t".join([draw(text), draw(text), draw(owner), draw(steps_cell), draw(monitoring)]
                             + [draw(text) for _ in extra]))
        out.append(f"ระยะเวลาดำเนินการ {draw(period) or 'ตุลาคม ๒๕๖๗ - กันยายน ๒๕๖๘'}")
    return "\n".join(out)


paragraphs = st.lists(text, max_size=2)

#: a number, a bullet, punctuation: the memo's structure, not its words
_MARK = re.compile(r"^[\W\d๐-๙_]*$")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _kept(report) -> str:
    strings = _strings(report.document) + [t for _line, _where, t in report.unplaced]
    strings += [c.header for c in report.layout.columns] + list(report.layout.labels) + report.heading_lines
    return "\x00".join("".join(s.replace(CELL_BREAK, " ").split()) for s in strings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(one_table(), label_tables(), headings_and_tables()))
def test_every_word_of_a_memo_ends_in_a_field_the_layout_or_the_unplaced_list(memo):
    report = import_memo_text(memo)
    kept = _kept(report)
    lost = [token for line in memo.splitlines() for token in line.replace(CELL_BREAK, " ").split()
            if not _MARK.match(token) and token.strip("()[]:;,.") not in kept]
    assert not lost, (lost, memo)
