"""What the cells of one measure's table row hold beyond their columns' roles, read the same way on any layout
with a table of measures (``workflow.onboarding.importer``):

- a paragraph inside a cell that starts with a label ("จุดอ่อน : ...", "เป้าหมาย: ...") is that label's field
  (the label itself dropped when it names the cell's own field);
- a topic or measure cell whose first paragraph is a numbered heading ("ประเด็นที่ 1 การ... (O17)", "๑. ...")
  names the measure (its number the measure's code, its bracketed codes the items); the paragraphs after it
  keep the cell's own field;
- a first paragraph that only cites the assessment ("ข้อ O24", "O17 E-Service", "ผลการประเมิน IIT ตัวชี้วัดที่ 4")
  is the items cited, not the weakness;
- a measure cell of several paragraphs and no improvement column: its first paragraph is the name, the rest the
  improvement.

Every move is said in a warning (the officer checks it); nothing is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from workflow.onboarding.memolayout import LABELLED_LINE, Layout
from workflow.onboarding.memotext import CELL_BREAK
from workflow.thaidate import to_arabic_digits

#: a measure's heading written first in a cell: "ประเด็นที่ 1 การให้บริการ...", "๒. การจัดการ...", "ข้อ 3 ..."
HEADING = re.compile(r"^(?:(?:ประเด็นที่|มาตรการที่|ข้อที่|ข้อ)\s*([๐-๙0-9]{1,2})\s*[.)]?|([๐-๙0-9]{1,2})\s*[.)])\s+(\S.*)$")
#: a paragraph that only cites what was assessed: item codes, or the IIT/EIT part of the assessment
CITATION = re.compile(r"^(?:ข้อ\s*)?(?:[Oo๐E][0-9๐-๙]{1,3}(?![0-9๐-๙])|(?:ผลการประเมิน\s*)?(?:IIT|EIT|OIT)\b)")
#: the fields a heading or a citation may open
_TOPIC_ROLES = ("weakness", "measure", "improvement", "items")
#: the longest citation paragraph (a longer one is the weakness written after a code)
_MAX_CITATION = 60

Warn = Callable[[str], None]


def paragraphs(cell: str) -> list[str]:
    return [p for p in cell.split(CELL_BREAK) if p.strip()]


def cell_labels(by_role: dict[str, str], columns: set[str], layout: Layout, warn: Warn) -> None:
    """Paragraphs inside a cell written as ``label : value``: the value goes to the label's field (when no
    column of the table holds that field), the label is dropped from its own field's text."""
    for role in [r for r in by_role if r not in ("steps", "owners", "due")]:
        kept: list[str] = []
        for para in paragraphs(by_role[role]):
            m = LABELLED_LINE.match(para)
            found = layout.label_role(m[1]) if m and m[2].strip() else None
            if m and found == role:
                kept.append(m[2].strip())
            elif m and found and found not in ("ignore", "no") and found not in columns:
                by_role[found] = f"{by_role[found]}{CELL_BREAK}{m[2].strip()}" if by_role.get(found) else m[2].strip()
                warn(f"ย่อหน้า '{para[:40]}' ในช่องเดียวกับ{role} อ่านเป็นช่อง '{m[1]}' ตรวจว่าถูกต้อง")
            else:
                kept.append(para)
        by_role[role] = CELL_BREAK.join(kept)


def heading_in_cells(by_role: dict[str, str], columns: set[str], warn: Warn,
                     unplaced: Callable[[str], None]) -> tuple[str | None, str | None]:
    """The measure's name (and number) when a topic or measure cell opens with a numbered heading or an
    item citation; ``by_role`` is left with each field's own text. Returns (title, code) or (None, None)."""
    title = code = None
    for role in _TOPIC_ROLES:
        paras = paragraphs(by_role.get(role, ""))
        if not paras:
            continue
        first = paras[0]
        if role != "items" and len(paras) >= 2 and len(first) <= _MAX_CITATION and CITATION.match(first) \
                and not CITATION.match(paras[1]):
            codes = re.findall(r"[Oo๐E][0-9๐-๙]{1,3}(?![0-9๐-๙])", first)
            by_role[role] = CELL_BREAK.join(paras[1:])
            if any(c[0] in "Oo๐" for c in codes):
                by_role["items"] = f"{by_role['items']} {first}" if by_role.get("items") else first
            else:
                unplaced(first)
                warn(f"'{first[:50]}' อ้างถึงผลการประเมินที่ไม่ใช่ข้อ OIT ไม่ได้ใช้เป็นตัวชี้วัด")
            paras = paras[1:]
            first = paras[0]
        m = HEADING.match(first)
        if title is not None or role == "items" or not m or (len(paras) >= 2 and HEADING.match(paras[1])):
            continue
        if len(paras) < 2 and role != "measure":
            continue  # a topic cell of one numbered paragraph: the measure's cell names it
        title, code = m[3].strip(), to_arabic_digits(m[1] or m[2])
        rest = paras[1:]
        if role == "measure":
            target = next((r for r in ("improvement", "weakness") if not by_role.get(r)), None)
            if rest and target:
                by_role[target] = CELL_BREAK.join(rest)
                warn(f"ช่องมาตรการ: ย่อหน้าแรกเป็นชื่อมาตรการ ที่เหลือเป็น"
                     f"{'แนวทางการพัฒนา' if target == 'improvement' else 'ข้อบกพร่อง'} ตรวจว่าถูกต้อง")
            elif rest:
                title = " ".join([title, *rest])
            by_role["measure"] = title
        else:
            by_role[role] = CELL_BREAK.join(rest)
            measure = by_role.pop("measure", "")
            if measure and measure != by_role.get("improvement"):
                if not by_role.get("improvement"):
                    by_role["improvement"] = measure
                    warn("หัวข้อที่มีเลขในช่องประเด็นเป็นชื่อมาตรการ ข้อความในช่องมาตรการเป็นแนวทางการพัฒนา ตรวจว่าถูกต้อง")
                else:
                    unplaced(measure)
            else:
                warn(f"หัวข้อที่มีเลขในช่องประเด็น ('{first[:40]}') เป็นชื่อมาตรการ ตรวจว่าถูกต้อง")
    if title is None:
        paras = paragraphs(by_role.get("measure", ""))
        if len(paras) >= 2 and "weakness" in columns and not by_role.get("improvement"):
            by_role["measure"], by_role["improvement"] = paras[0], CELL_BREAK.join(paras[1:])
            warn("ช่องมาตรการ: ย่อหน้าแรกเป็นชื่อมาตรการ ที่เหลือเป็นแนวทางการพัฒนา ตรวจว่าถูกต้อง")
    return title, code
