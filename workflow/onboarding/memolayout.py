"""How a memo's tables are laid out: what each column (or each label of a label/value row) holds.

A header's words are *scored* against every role, never matched first-come: "มาตรการ/แนวทางการดำเนินการ" is
read part by part ("มาตรการ" names the measure, "แนวทางการดำเนินการ" its improvement), each role goes to the
column that names it most clearly, and a column may hold two roles (a measure's name and its improvement).
A header that names no role clearly is *asked*, not guessed away: its cells are listed as not placed until
the officer says what the column holds (the mapping page).

The officer's answers are a ``Mapping``: header (or label) words → roles, kept per agency and offered to its
units, and given to ``itaflow import --mapping``. Every table and label the importer met is recorded in a
``Layout`` (with the role it took, why, and a sample of its cells) so the page can show each guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: the roles a column or label can hold, as the mapping page names them (Thai, English)
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "no": ("ลำดับที่ของมาตรการ", "the measure's number"),
    "measure": ("ชื่อมาตรการ", "the measure's name"),
    "weakness": ("ข้อบกพร่องหรือจุดอ่อน", "weakness"),
    "improvement": ("ประเด็นที่จะพัฒนาหรือแนวทางการพัฒนา", "improvement"),
    "items": ("ตัวชี้วัดหรือรายการ OIT", "ITA items"),
    "steps": ("ขั้นตอนการดำเนินการ", "steps"),
    "owners": ("ผู้รับผิดชอบ", "owners"),
    "period": ("ระยะเวลาดำเนินการ", "period"),
    "due": ("วันที่ต้องเสร็จของขั้นตอน", "a step's due date"),
    "monitoring": ("การกำกับติดตาม", "monitoring"),
    "constraints": ("ข้อจำกัดของหน่วยงาน", "constraints"),
    "ignore": ("ไม่ใช้ (ข้อมูลอื่น เช่น งบประมาณ)", "not used (other data, e.g. budget)"),
}
ROLES = tuple(ROLE_NAMES)

#: the words that name each role, with how clearly (3 = says it outright, 1 = hints)
_WORDS: dict[str, list[tuple[str, float]]] = {
    "measure": [("ชื่อมาตรการ", 3.5), ("มาตรการ", 2), ("ชื่อโครงการ", 2.5), ("โครงการ", 1.5), ("ประเด็น", 1.6),
                ("action plan", 2), ("measure", 2), ("project", 1.5)],
    "weakness": [("ข้อบกพร่อง", 3), ("จุดอ่อน", 3), ("สภาพปัญหา", 3), ("ปัญหา", 2), ("ต้องแก้ไข", 2.5),
                 ("ต้องปรับปรุง", 2.5), ("ควรปรับปรุง", 2.5), ("ควรพัฒนา", 2), ("ข้อค้นพบ", 2.5), ("ผลการประเมิน", 1.5),
                 ("ความเสี่ยง", 1.5), ("สาเหตุ", 1.5), ("ประเด็น", 1.5), ("ผลคะแนน", 1.5),
                 ("ประเด็นจากผลการประเมิน", 3), ("issue", 2), ("problem", 2), ("weakness", 3), ("gap", 1.5)],
    "improvement": [("ประเด็นที่จะพัฒนา", 3.5), ("จะพัฒนา", 3), ("แนวทางการพัฒนา", 3), ("แนวทางการแก้ไข", 3),
                    ("แนวทางแก้ไข", 3), ("การพัฒนา", 2), ("แนวทาง", 2), ("เป้าหมาย", 2), ("วัตถุประสงค์", 2),
                    ("ประเด็นที่จะ", 2.5), ("ปรับปรุง", 0.8), ("แก้ไข", 0.8), ("ผลที่คาดว่า", 1.5),
                    ("improvement", 3), ("goal", 2), ("objective", 2)],
    "steps": [("ขั้นตอน", 3), ("กิจกรรม", 2.5), ("วิธีดำเนินการ", 2.5), ("วิธีการดำเนิน", 2.5), ("วิธีการ", 2),
              ("วิธีปฏิบัติ", 2), ("แผนปฏิบัติ", 1.5), ("ทำอย่างไร", 2.5), ("การดำเนินการ", 1), ("การดำเนินงาน", 1),
              ("สิ่งที่จะดำเนินการ", 3), ("สิ่งที่จะทำ", 3), ("activities", 3), ("activity", 3), ("steps", 3),
              ("how", 1.5)],
    "owners": [("ผู้รับผิดชอบ", 3), ("หน่วยรับผิดชอบ", 3), ("หน่วยงานที่รับผิดชอบ", 3), ("หน่วยงานรับผิดชอบ", 3),
               ("ผู้ดำเนินการ", 2.5), ("ผู้ปฏิบัติ", 2), ("รับผิดชอบ", 2), ("ผู้ที่เกี่ยวข้อง", 1.5), ("ผู้เกี่ยวข้อง", 1.5),
               ("ใครทำ", 2.5), ("ผู้ทำ", 2),
               ("owner", 3), ("responsible", 3), ("in charge", 3)],
    "period": [("ระยะเวลา", 3), ("ห้วงเวลา", 3), ("ช่วงเวลา", 3), ("กำหนดเวลา", 2.5), ("วันที่ดำเนินการ", 2.5),
               ("ปีงบประมาณที่ดำเนินการ", 2), ("เวลา", 1),
               ("เมื่อไร", 2.5), ("เมื่อไหร่", 2.5),
               ("timeline", 3), ("timeframe", 3), ("time frame", 3), ("duration", 2.5), ("period", 2.5),
               ("schedule", 2)],
    "due": [("กำหนดแล้วเสร็จ", 3), ("กำหนดเสร็จ", 3), ("วันที่แล้วเสร็จ", 3), ("แล้วเสร็จภายใน", 3), ("วันครบกำหนด", 3),
            ("กำหนดส่ง", 2), ("deadline", 3), ("due date", 3)],
    "monitoring": [("กำกับติดตาม", 3), ("การติดตาม", 3), ("ติดตามผล", 3), ("ติดตามและรายงาน", 3),
                   ("การรายงานผล", 2.5), ("รายงานผล", 2), ("ติดตาม", 2), ("ประเมินผล", 1.5),
                   ("monitoring", 3), ("follow-up", 3), ("follow up", 3), ("reporting", 2)],
    "constraints": [("ข้อจำกัด", 3)],
    "items": [("ตัวชี้วัด", 3), ("ข้อคำถาม", 2.5), ("OIT", 3), ("ประเด็นการประเมิน", 3), ("ข้อการประเมิน", 3),
              ("รหัส", 2), ("ตัวชี้", 2)],
    "ignore": [("งบประมาณ", 2.5), ("หมายเหตุ", 2.5), ("แหล่งงบ", 2.5), ("ผลผลิต", 2), ("ผลการดำเนินงาน", 1.5),
               ("ผลลัพธ์", 1.5), ("เอกสารหลักฐาน", 2), ("หลักฐาน", 1.5),
               ("ตัวชี้วัดความสำเร็จ", 3.5), ("ความสำเร็จ", 3.2), ("ค่าเป้าหมาย", 3.2), ("kpi", 3.2), ("budget", 2.5),
               ("remark", 2.5), ("note", 1.5)],
}
#: a number column is named by one short word
_NUMBER_HEADER = re.compile(r"^(?:ที่|ลำดับ(?:\s*ที่)?|ข้อ|ลำดับ\s*ข้อ|no\.?|#)$", re.IGNORECASE)
#: a header read part by part: "มาตรการ/แนวทางการดำเนินการ", "ชื่อมาตรการและแนวทางการพัฒนา"
_PARTS = re.compile(r"\s*(?:/|／|,|\bหรือ|และ(?=แนวทาง|ขั้นตอน|กิจกรรม|วิธี|ผู้|ระยะ|ช่วง|การ|ประเด็น|ตัวชี้|ข้อ))\s*")
#: below this a part names no role clearly enough to guess
MIN_SCORE = 1.5
#: a header row names at least this many roles
MIN_ROLES = 3
#: a label cell is short; a long first cell is content
MAX_LABEL = 60
#: a header names its column in a few words; a longer cell is content
MAX_HEADER = 80
#: the seed's table: five columns in this order, under a header naming them
SEED_ROLES: list[tuple[str, ...]] = [("weakness",), ("improvement",), ("owners",), ("steps",), ("monitoring",)]


def key_of(text: str) -> str:
    """A header or label as the mapping keeps it: single spaces, no trailing colon or numbering."""
    text = " ".join(text.replace("\ue000", " ").split()).strip(" :：.")
    return re.sub(r"^(?:[๐-๙0-9]+(?:\.[๐-๙0-9]+)*[.)]?\s+|[๐-๙0-9]+[.)])+", "", text).strip(" :：")


def scores(text: str) -> dict[str, float]:
    """How clearly ``text`` names each role (0 when not at all)."""
    text = key_of(text)
    found: dict[str, float] = {}
    if _NUMBER_HEADER.match(text):
        return {"no": 5.0}
    lowered = text.lower()  # an English header: "Owner", "Key Activities"
    for role, words in _WORDS.items():
        hits = [w for word, w in words if word.lower() in lowered]
        if hits:
            found[role] = max(hits) + 0.25 * (len(hits) - 1)
    return found


def label_words() -> list[str]:
    """Every word that names a role (what a label or a header is made of)."""
    return [word for words in _WORDS.values() for word, _w in words]


def best_role(text: str) -> str | None:
    found = {r: s for r, s in scores(text).items() if s >= MIN_SCORE}
    return max(found, key=lambda r: found[r]) if found else None


@dataclass
class Mapping:
    """The officer's answers: header or label words → roles ([] = asked and not answered; ["ignore"])."""

    columns: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    #: the fiscal year the officer chose when the memo names two
    fiscal_year: int | None = None

    @classmethod
    def from_dict(cls, data: dict | None) -> Mapping:
        """A mapping from its stored or file form; raises ValueError with what is wrong."""
        data = data or {}
        if not isinstance(data, dict):
            raise ValueError("mapping must be a mapping of columns/labels")
        columns, labels = data.get("columns") or {}, data.get("labels") or {}
        if not isinstance(columns, dict) or not isinstance(labels, dict):
            raise ValueError("columns and labels must be mappings")
        out = cls()
        for header, roles in columns.items():
            roles = [roles] if isinstance(roles, str) else list(roles or [])
            bad = [r for r in roles if r not in ROLES]
            if bad:
                raise ValueError(f"unknown role {bad[0]!r} for column {header!r}")
            if roles:  # [] is a question not answered yet: the column is guessed (or asked) again
                out.columns[key_of(str(header))] = roles
        for label, role in labels.items():
            if role is None:
                continue
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r} for label {label!r}")
            out.labels[key_of(str(label))] = role
        year = data.get("fiscal_year")
        if year is not None:
            if not isinstance(year, int) or not 2500 <= year <= 2700:
                raise ValueError("fiscal_year must be a BE year such as 2568")
            out.fiscal_year = year
        return out

    def to_dict(self) -> dict:
        out: dict = {"columns": dict(self.columns), "labels": dict(self.labels)}
        if self.fiscal_year:
            out["fiscal_year"] = self.fiscal_year
        return out

    def merged_over(self, base: Mapping) -> Mapping:
        """These answers, with ``base``'s (a parent's) where these say nothing."""
        return Mapping({**base.columns, **self.columns}, {**base.labels, **self.labels},
                       self.fiscal_year or base.fiscal_year)


@dataclass
class ColumnSeen:
    table: int  # 1-based, in the memo's order
    column: int  # 1-based
    header: str
    roles: list[str]
    #: "mapping" (the officer said), "guess", or "ask" (no role could be told)
    how: str
    line: int  # the header's line, 1-based
    samples: list[str] = field(default_factory=list)


@dataclass
class LabelSeen:
    label: str
    role: str | None
    how: str
    lines: list[int] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)


@dataclass
class Layout:
    """What the importer met in one memo, and the role each part took."""

    mapping: Mapping = field(default_factory=Mapping)
    columns: list[ColumnSeen] = field(default_factory=list)
    labels: dict[str, LabelSeen] = field(default_factory=dict)
    _tables: dict[int, int] = field(default_factory=dict)  # header line → table number

    def column_roles(self, cells: list[str], line: int | None = None) -> list[tuple[str, ...]] | None:
        """The roles of each column of a header row, or None when the row is not a header (content, or too
        few roles named). Records the row's columns when ``line`` is given."""
        keys = [key_of(c) for c in cells]
        filled = [k for k in keys if k]
        if len(filled) < MIN_ROLES or any(len(k) > MAX_HEADER for k in keys):
            return None
        answered = [self.mapping.columns.get(k) if k else None for k in keys]
        guessed = assign_roles(keys, fixed=answered)
        named = [r for r in guessed if r and r != ("ignore",)]
        if len(named) < MIN_ROLES or len([r for r in guessed if r]) < 0.6 * len(filled):
            return None  # content that happens to use a header's words, not a header
        if line is not None and line not in self._tables:
            number = len(self._tables) + 1
            self._tables[line] = number
            for col, (key, roles) in enumerate(zip(keys, guessed, strict=True), start=1):
                how = "mapping" if answered[col - 1] is not None else "guess" if roles else "ask"
                self.columns.append(ColumnSeen(number, col, key, list(roles), how, line))
        return guessed

    def table_of(self, header_line: int) -> int | None:
        return self._tables.get(header_line)

    def sample(self, table_line: int, column: int, text: str) -> None:
        number = self._tables.get(table_line)
        text = " ".join(text.replace("\ue000", " ").split())
        if number is None or not text:
            return
        for seen in self.columns:
            if seen.table == number and seen.column == column and len(seen.samples) < 3:
                seen.samples.append(text[:120])

    def label_role(self, label: str, line: int | None = None, value: str = "") -> str | None:
        """The role a label/value row's first cell names (None for content, or a label nobody can tell)."""
        key = key_of(label)
        if not key or len(key) > MAX_LABEL:
            return None
        role: str | None
        if key in self.mapping.labels:
            role, how = self.mapping.labels[key], "mapping"
        else:
            role = best_role(key)
            how = "guess" if role else "ask"
        if line is not None:
            seen = self.labels.setdefault(key, LabelSeen(key, role, how))
            if line not in seen.lines:
                seen.lines.append(line)
                if value and len(seen.samples) < 3:
                    seen.samples.append(" ".join(value.replace("\ue000", " ").split())[:120])
        return role

    def asked(self) -> int:
        """How many columns and labels wait for the officer to say what they hold."""
        return len([c for c in self.columns if c.how == "ask"]) + len(
            [1 for lab in self.labels.values() if lab.how == "ask"])

    def answers(self) -> dict:
        """Every column and label met, with the role it took ([] / None where it is asked): a file for the
        officer to complete and give to ``itaflow import --mapping``."""
        columns: dict[str, list[str]] = {}
        for c in self.columns:
            columns.setdefault(c.header, c.roles)
        return {"columns": columns, "labels": {k: lab.role for k, lab in self.labels.items()}}

    def to_dict(self) -> dict:
        return {"columns": [vars(c) for c in self.columns],
                "labels": [vars(lab) for lab in self.labels.values()], "mapping": self.mapping.to_dict()}


def assign_roles(headers: list[str], fixed: list[list[str] | None] | None = None) -> list[tuple[str, ...]]:
    """Each column's roles: every part of every header scored, then the clearest claims taken first; a role
    goes to one column only, a column may take one role per part of its header. ``fixed`` holds the officer's
    answers (None where they gave none): those columns keep them and their roles are not guessed elsewhere."""
    fixed = fixed or [None] * len(headers)
    taken: dict[str, int] = {}
    result: list[list[str]] = [list(f) if f is not None else [] for f in fixed]
    for col, roles in enumerate(fixed):
        for role in roles or []:
            if role != "ignore":
                taken.setdefault(role, col)
    claims: list[tuple[float, int, int, str]] = []
    for col, header in enumerate(headers):
        if fixed[col] is not None:
            continue
        parts = [p for p in _PARTS.split(header) if p and p.strip()] or [header]
        if len(parts) > 1:
            parts.append(header)  # the whole header too: "ระยะเวลา/ผู้รับผิดชอบ" is two, "การติดตามและรายงาน" one
        for part_no, part in enumerate(parts):
            for role, score in scores(part).items():
                if score >= MIN_SCORE:
                    claims.append((score, -col, part_no if part_no < len(parts) - 1 or len(parts) == 1 else -1,
                                   role))
    claims.sort(key=lambda c: (-c[0], -c[1]))
    used_parts: set[tuple[int, int]] = set()
    for _score, neg_col, part_no, role in claims:
        col = -neg_col
        if role in taken and role != "ignore":
            continue
        if (col, part_no) in used_parts or (part_no == -1 and result[col]):
            continue
        used_parts.add((col, part_no))
        result[col].append(role)
        if role != "ignore":
            taken[role] = col
    _topic_column(headers, fixed, result)
    for roles in result:  # a column named for a field is that field's, not "other data" too
        if len(roles) > 1 and "ignore" in roles:
            roles.remove("ignore")
    return [tuple(r) for r in result]


def _topic_column(headers: list[str], fixed: list[list[str] | None], result: list[list[str]]) -> None:
    """A topic column ("ประเด็น", "ประเด็นการประเมิน") beside a "มาตรการ" column and no improvement column: the
    topic names the measure and the "มาตรการ" column says what will be done (its improvement)."""
    topic = next((c for c, h in enumerate(headers) if fixed[c] is None and key_of(h).startswith("ประเด็น")
                  and max(scores(h).get("weakness", 0), scores(h).get("improvement", 0)) < 2.5
                  and "measure" not in result[c]), None)
    if topic is None:
        return
    named = next((c for c, r in enumerate(result) if "measure" in r), None)
    if named is not None and (fixed[named] is not None or re.search(r"ชื่อ(?:มาตรการ|โครงการ)", headers[named])):
        return  # the measure's name has its own column: the topic is what is wrong
    if named is not None:
        rest = [r for r in result[named] if r != "measure"]
        result[named] = rest if "improvement" in rest or any("improvement" in r for r in result) else \
            rest + ["improvement"]
    result[topic] = ["measure"]


#: ``ผู้รับผิดชอบ: กลุ่ม...``: a label at the start of a paragraph (a PDF's text), before a colon
LABELLED_LINE = re.compile(r"^([^\s:：][^:：]{0,58}?)\s*[:：]\s*(.*)$")
