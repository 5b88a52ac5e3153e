"""How a memo's tables are laid out: what each column (or each row's label) holds, found from the words of its
header, whatever their order. Used by the importer for the layouts agencies write:

- a table per measure under a heading, its columns in any order (the seed's five, or with a period column);
- one table for every measure, a row each, with a ``ที่`` (number) column;
- a two-column label/value table per measure (``มาตรการ``, ``ขั้นตอน``, ``ผู้รับผิดชอบ``, ``ระยะเวลา``...), or the
  same as ``label: value`` paragraphs (a PDF's text).
"""

from __future__ import annotations

import re

#: what a column holds, tried in this order (a header naming two things is the first one's)
ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("weakness", re.compile(r"ข้อบกพร่อง|จุดอ่อน|ปัญหา|ผลการประเมินที่(?:ต่ำ|ไม่ผ่าน)")),
    ("monitoring", re.compile(r"กำกับติดตาม|การติดตาม|ติดตามผล|การรายงานผล|ติดตามและรายงาน")),
    ("improvement", re.compile(r"จะพัฒนา|การพัฒนา|แนวทางการแก้ไข|แนวทางแก้ไข|เป้าหมาย|วัตถุประสงค์|ประเด็นที่จะ")),
    ("owners", re.compile(r"ผู้รับผิดชอบ|ผู้ดำเนินการ|หน่วยงานที่รับผิดชอบ|ผู้ที่เกี่ยวข้อง")),
    ("period", re.compile(r"ระยะเวลา|ห้วงเวลา|กำหนดเวลา|ช่วงเวลา|วันที่ดำเนินการ|กำหนดแล้วเสร็จ")),
    ("constraints", re.compile(r"ข้อจำกัด")),
    ("steps", re.compile(r"ขั้นตอน|วิธีการ|กิจกรรม|การดำเนินการ|วิธีปฏิบัติ")),
    ("items", re.compile(r"ตัวชี้วัด|รหัส|ข้อคำถาม|OIT|ประเด็นการประเมิน|ข้อการประเมิน")),
    ("measure", re.compile(r"มาตรการ|ประเด็น|โครงการ")),
    ("no", re.compile(r"^(?:ที่|ลำดับ(?:ที่)?|ข้อ|ลำดับ\s*ที่)$")),
]
#: a header row names at least this many columns' roles
MIN_ROLES = 3
#: a label cell is short; a long first cell is content
MAX_LABEL = 60


def role_of(text: str) -> str | None:
    text = " ".join(text.split()).strip(" :：")
    if not text:
        return None
    for role, pattern in ROLES:
        if pattern.search(text):
            return role
    return None


def column_roles(cells: list[str]) -> list[str | None] | None:
    """The role of each column of a header row, or None when the row is not a header (content, or too few
    roles named). Each role is taken once: a second column naming it is left unread (and reported)."""
    if len(cells) < MIN_ROLES:
        return None
    roles: list[str | None] = []
    for cell in cells:
        if len(cell) > 160:  # a header names its column; a long cell is content
            return None
        role = role_of(cell)
        roles.append(role if role not in roles else None)
    if len([r for r in roles if r]) < MIN_ROLES:
        return None
    return roles


#: ``ผู้รับผิดชอบ: กลุ่ม...`` / ``ระยะเวลา ๑ พ.ค. ...``: a label at the start of a paragraph (PDF text)
LABELLED_LINE = re.compile(
    r"^(มาตรการ(?:ที่\s*[๐-๙0-9.]+)?|ชื่อมาตรการ|ตัวชี้วัดที่เกี่ยวข้อง|ตัวชี้วัด|ประเด็นที่เป็นข้อบกพร่อง(?:หรือจุดอ่อน)?|"
    r"ข้อบกพร่อง|จุดอ่อน|ประเด็นที่จะพัฒนา(?:ให้ดีขึ้น)?|แนวทางการพัฒนา|แนวทางการแก้ไข|เป้าหมาย|"
    r"ขั้นตอน(?:การดำเนินงาน|การดำเนินการ|หรือวิธีการปฏิบัติ)?|วิธีการ(?:ดำเนินการ)?|กิจกรรม|"
    r"ผู้รับผิดชอบ|ระยะเวลา(?:ดำเนินการ|การดำเนินงาน)?|การกำกับติดตาม|การติดตาม(?:ผล)?|"
    r"ข้อจำกัด(?:ของหน่วยงาน)?)\s*[:：]\s*(.*)$")


def label_of(cell: str) -> str | None:
    """The role a label/value row's first cell names (None for content)."""
    cell = " ".join(cell.split()).strip(" :：")
    if not cell or len(cell) > MAX_LABEL:
        return None
    return role_of(cell)
