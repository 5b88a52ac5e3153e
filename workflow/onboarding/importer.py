"""Read an agency's measures memo (text converted from Word or PDF) into a definitions document.

The memo has a header (ส่วนราชการ, ที่, วันที่, เรื่อง, เรียน, author and signer), then per measure: a title line
``ประเด็นที่ ๑.๔ ...``, the related ITA items, a table row of tab-separated cells (weakness, improvement, owners,
numbered steps, monitoring) and the period and constraints. We read it forgivingly (Thai or Arabic digits, any
dash, leftover HTML, extra blank lines) and report what we could not read with its line number. Nothing here
touches the database: the result is YAML for the user to review and then ``itaflow load``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import yaml

from workflow.errors import ValidationError
from workflow.onboarding.memocells import clean as clean
from workflow.onboarding.memocells import title_codes
from workflow.onboarding.memodocx import MAX_DOCX_INFLATED as MAX_DOCX_INFLATED  # the bound, named where it was
from workflow.onboarding.memodocx import read_docx
from workflow.onboarding.memoheading import (  # noqa: F401
    _AGENCY_WORD,
    _ASSESSMENT,
    _YEAR_WRITTEN,
    _agency_from_title,
    _choose_fiscal_year,
    _fiscal_year_of,
    _header,
    _written_years,
)
from workflow.onboarding.memoitems import _ITEM, _items_in, _reference_titles, check_item_code  # noqa: F401
from workflow.onboarding.memolayout import LABELLED_LINE, ROLE_NAMES, SEED_ROLES, Layout, Mapping
from workflow.onboarding.memomonitor import _monitoring
from workflow.onboarding.memoowners import (  # noqa: F401 - tests and callers import them from here
    _GROUP,
    _LEARNING_AREAS,
    _PERSON,
    _POSITION,
    _UNIT_CHAR,
    GROUP_KEYS,
    _group_key,
    _owners,
    _person_group,
    _sub_units,
)
from workflow.onboarding.memoperiod import (  # noqa: F401
    _EVERY,
    _HALF_YEARLY,
    _MONTHLY,
    _NONE,
    _QUARTERLY,
    _WEEKS,
    _add_months,
    _be_iso,
    _ce,
    _end_of,
    _period,
    _plan_rounds,
    _propose_dues,
    _span,
    _thai_day,
    _written_dates,
    period_cell,
    read_period,
)
from workflow.onboarding.memorows import HEADING, cell_labels, heading_in_cells
from workflow.onboarding.memosteps import (  # noqa: F401 - tests and callers import them from here
    _BULLET,
    _STEP_NUMBER,
    _split_numbered,
    _step_dues,
    _steps,
)
from workflow.onboarding.memotext import CELL_BREAK
from workflow.thaidate import to_arabic_digits

_TAG = re.compile(r"<[^>]{0,200}>")
_SPACES = str.maketrans({"\u00a0": " ", "\u200b": ""})
_DASH = "[-–—−‐]"
_MEASURE = re.compile(r"^\s*(?:ประเด็นที่|มาตรการที่|ด้านที่|ข้อ)\s*([๐-๙0-9]+(?:\.[๐-๙0-9]+)*)\s*[.)]?\s+(.+)$")
#: a heading glued onto the text before it (the signer's position, when a PDF's lines run together)
_GLUED_HEADING = re.compile(r"(?<=[^\s])(?=(?:ประเด็นที่|มาตรการที่)\s*[๐-๙0-9]+\.[๐-๙0-9]+\s)")
#: a signature block: a name in parentheses, or ลงชื่อ
_SIGNATURE = re.compile(r"^(?:\(\s*(?:ลงชื่อ\s*)?(?:นาย|นาง|นางสาว|น\.ส\.|ดร\.|ว่าที่)\S*.*\)|ลงชื่อ.*)$")







_PERIOD_LINE = re.compile(r"^(?:<p>)?\s*(?:ระยะเวลา|ข้อจำกัด)")




@dataclass
class ImportReport:
    document: dict
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    #: per measure read, the memo's lines it came from (first, last), 1-based
    sources: list[tuple[int, int]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    #: what the importer met (tables, columns, labels) and the role each took
    layout: Layout = field(default_factory=Layout)
    #: the memo's text that ended in no field: (line, where, text), nothing dropped silently
    unplaced: list[tuple[int | None, str, str]] = field(default_factory=list)
    #: how the fiscal year was chosen, when it was not plain (one note, shown at the top)
    year_note: str | None = None
    #: the file the memo came as: "text", "docx", "pdf" or "ocr" (a scan or photo)
    kind: str = "text"
    #: the heading's lines read into the memo's own fields (บันทึกข้อความ, ส่วนราชการ, ที่, วันที่, เรื่อง, เรียน)
    heading_lines: list[str] = field(default_factory=list)

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append((line, message))


def import_memo_text(text: str, mapping: Mapping | None = None) -> ImportReport:
    """The definitions document read from a memo's text (its lines as ``workflow.onboarding.memotext`` writes them), and
    the places we could not read. ``mapping`` holds the officer's answers about the layout's columns and
    labels; what it does not answer is guessed (and recorded in ``report.layout`` to be shown)."""
    if not text or not text.strip():
        raise ValidationError("ไฟล์ว่าง ไม่มีข้อความให้อ่าน", "the file is empty")
    if "\x00" in text or sum(ch.isprintable() or ch in "\t\r\n" for ch in text[:4000]) < 0.9 * len(text[:4000]):
        raise ValidationError("ไฟล์นี้ไม่ใช่ข้อความ (อาจเป็นไฟล์ไบนารี) ใช้ไฟล์ .txt หรือ .docx",
                              "this is not text (a binary file?); use .txt or .docx")
    lines = _GLUED_HEADING.sub("\n", text).splitlines()
    starts = [i for i, line in enumerate(lines) if _MEASURE.match(clean(line))]
    layout = Layout(mapping=mapping or Mapping())
    report = ImportReport(document={}, layout=layout)
    groups: dict[str, str] = {}
    people: dict[str, dict] = {}
    measures: list[dict] = []
    table = _measure_table(lines, starts, layout)
    labelled = [] if starts or table else _label_starts(lines, layout)
    if not (starts or table or labelled):  # "1. <measure>" then its labelled parts: a headed memo too
        starts = _numbered_starts(lines, layout)
    if table is None and not starts and not labelled:
        raise ValidationError("ไม่พบมาตรการ (หัวข้อ 'ประเด็นที่ ๑.๑ ...', 'มาตรการที่ ๑ ...', 'ข้อ ๑ ...' ตารางที่มีคอลัมน์ "
                              "มาตรการ ขั้นตอน ผู้รับผิดชอบ หรือตาราง 'มาตรการ | ...')",
                              "no measures found (headings 'ประเด็นที่ 1.1 ...', 'มาตรการที่ 1 ...', 'ข้อ 1 ...', a table "
                              "with measure, steps and owner columns, or label/value tables)")
    first = table[0] if table is not None else (starts or labelled)[0]
    header = _header(lines[:first], report)
    if not header.get("agency"):
        _agency_from_title(lines[:first], header, report)
    memo_day = _ce(header.get("date"))
    from workflow.thaidate import fiscal_year_be as fiscal_year_of_day

    written_years = _written_years(lines)
    year = (layout.mapping.fiscal_year or (written_years[0][0] if written_years else None)
            or (fiscal_year_of_day(memo_day) if memo_day else None))
    context = _Context(groups, people, report, memo_day, _reference_titles(year), layout)
    if table is not None:
        header_at, roles = table
        wide = _memo_wide(lines[:header_at], layout)
        for code, title, cells, first_line, last_line in _table_rows(lines, header_at, roles, report, layout, wide):
            for role, (at, value) in wide.items():
                if not cells.get(role):
                    cells[role] = value
                    report.warn(first_line, f"มาตรการ {code}: {ROLE_NAMES[role][0]} จากย่อหน้านอกตาราง (บรรทัด {at}) "
                                            f"ใช้กับทุกมาตรการที่ไม่ได้เขียนไว้: '{value[:60]}'")
            measures.append(_build(code, title, [], cells, "", context, first_line, first_line))
            report.sources.append((first_line, last_line))
    else:
        sections = starts or labelled
        for n, start in enumerate(sections):
            end = sections[n + 1] if n + 1 < len(sections) else len(lines)
            measure = _measure(lines, start, end, context, numbered=n + 1, headed=bool(starts))
            if measure is not None:
                measures.append(measure)
                report.sources.append((start + 1, end))
    report.lines = lines
    doc = {
        "format": 1,
        "agency": header.get("agency") or "",
        "fiscal_year": None,
        "title": header.get("subject") or "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
        "memo": {k: v for k, v in header.items() if k not in ("agency", "fiscal_year")},
        "calendar": {"rounds": "previous", "deadlines": "next"},
        "reminders": [3, 1],
        "groups": {key: {"name": name} for name, key in groups.items()},
        "secretariat": next((k for m in measures if (k := m["monitoring"].get("by"))), None),
        "people": people,
        "measures": measures,
    }
    if not doc["agency"]:
        report.warn(None, "ไม่พบชื่อส่วนราชการ (บรรทัด 'ส่วนราชการ ...') กรอกชื่อหน่วยงานเอง")
    doc["fiscal_year"], report.year_note = _choose_fiscal_year(written_years, _fiscal_year_of(header, measures),
                                                               layout.mapping.fiscal_year)
    if report.year_note:
        report.warn(None, report.year_note)
    report.document = doc
    _account(report, lines)
    return report




def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


#: a step's number, a bullet, punctuation: the memo's structure, not its text
_STRUCTURE_TOKEN = re.compile(r"^[\s\-–—•●▪◦∙·.,:;()\[\]/|๐-๙0-9→⇒➔➜>]*$")


def _account(report: ImportReport, lines: list[str]) -> None:
    """Nothing dropped silently: every word of the memo is in a field of the document, in the layout (a header,
    a label), or in the list of what was not placed; what is in none of them is added to that list with its
    line. A safety net under every reader: whatever a layout's reading missed is shown, not lost."""
    from workflow.onboarding.memolayout import best_role

    def squash(text: str) -> str:
        return "".join(clean(text).split())

    placed = [squash(x) for x in _strings(report.document)]
    placed += [squash(text) for _line, _where, text in report.unplaced]
    placed += [squash(c.header) for c in report.layout.columns] + [squash(k) for k in report.layout.labels]
    placed += [squash(line) for line in report.heading_lines]
    haystack = "\x00".join(placed)
    for i, raw in enumerate(lines):
        missing = []
        for cell in raw.split("\t"):
            for part in cell.split(CELL_BREAK):
                tokens = clean(part).split()
                for n, token in enumerate(tokens):
                    word = squash(token).strip("()[]\"'“”:：,.")
                    if not word or _STRUCTURE_TOKEN.match(word) or word in haystack or word in _HEADER_WORDS:
                        continue
                    label = re.sub(r"^(?:[๐-๙0-9]+(?:\.[๐-๙0-9]+)*[.)]?)", "", word).rstrip(":：")
                    if n == 0 and label and best_role(label) and len(label) <= 40 and _is_label(label):
                        report.layout.label_role(label, i + 1)  # a paragraph's printed label: the layout's
                        continue
                    missing.append(token)
        if missing:
            _unplaced(report, i + 1, "ที่ไม่ได้จัดเข้าช่องใด", " ".join(missing), warn=False)


def _is_label(word: str) -> bool:
    """A word that is only a label's name ("ระยะเวลาดำเนินการ"), never a sentence that uses one."""
    from workflow.onboarding.memolayout import label_words

    return bool(re.search("[ก-๙]", word)) and any(
        word == w or (w in word and len(word) - len(w) <= 6 and word.index(w) <= 3) for w in label_words())


#: "none" written in a field (ข้อจำกัด: ไม่มี): read as the field being empty
_NOTHING = {"ไม่มี", "-", "ไม่ใช้งบประมาณ"}
#: the words of a memo's heading (บันทึกข้อความ), read into the memo's own fields
_HEADER_WORDS = {"ส่วนราชการ", "ที่", "วันที่", "เรื่อง", "เรียน", "บันทึกข้อความ", "ลงชื่อ"}




@dataclass
class _Context:
    groups: dict[str, str]
    people: dict[str, dict]
    report: ImportReport
    memo_day: date | None
    #: the item titles of the year's NACC list, and its year
    titles: tuple[dict[str, str], str] = field(default_factory=lambda: ({}, "2566"))
    layout: Layout = field(default_factory=Layout)


_KNOWN_LINES = re.compile(r"^(?:การวิเคราะห์ผลการประเมิน|มาตรการส่งเสริมคุณธรรมและความโปร่งใส|ตัวชี้วัดที่เกี่ยวข้อง\s*:?$)")


def _cells(raw: str) -> list[str]:
    """A table row's cells, each cleaned paragraph by paragraph (a cell's paragraphs stay apart)."""
    return [CELL_BREAK.join(p for p in (clean(x) for x in cell.split(CELL_BREAK)) if p) for cell in raw.split("\t")]


def _flat(text: str) -> str:
    """A cell's paragraphs as one line of text."""
    return " ".join(text.replace(CELL_BREAK, " ").split())


Roles = list[tuple[str, ...]]


def _measure_table(lines: list[str], starts: list[int], layout: Layout) -> tuple[int, Roles] | None:
    """One table for every measure: a header row with a number or measure column and the columns of a measure,
    before any measure heading (a memo with headings has a table per measure)."""
    limit = starts[0] if starts else len(lines)
    for i in range(limit):
        if "\t" not in lines[i]:
            continue
        roles = layout.column_roles(_cells(lines[i]))
        named = {r for rs in roles or [] for r in rs}
        if roles and named & {"measure", "no"} and named & {"steps", "owners"}:
            layout.column_roles(_cells(lines[i]), line=i + 1)
            below = layout.column_roles(_cells(lines[i + 1])) if i + 1 < len(lines) and "\t" in lines[i + 1] else None
            filled = [len([c for c in _cells(lines[j]) if c]) for j in (i, i + 1)]
            if below and (len(below) > len(roles) or filled[1] > filled[0]):
                # a header over two rows (a cell merged across over two columns): the lower one names each column
                layout.column_roles(_cells(lines[i + 1]), line=i + 2)
                return i + 1, below
            return i, roles
    return None


#: the fields a paragraph outside the measures' table may give every measure
_WIDE_ROLES = ("period", "monitoring")


def _memo_wide(lines: list[str], layout: Layout, offset: int = 0) -> dict[str, tuple[int, str]]:
    """Paragraphs outside the table that give every measure a field ("ระยะเวลาดำเนินการ ตุลาคม ... ",
    "การติดตามประเมินผล: ..."): role → (line, value)."""
    found: dict[str, tuple[int, str]] = {}
    for i, raw in enumerate(lines):
        if "\t" in raw:
            continue
        role, value = _wide_line(raw, layout, offset + i + 1)
        if role:
            found.setdefault(role, (offset + i + 1, value))
    return found


def _wide_line(raw: str, layout: Layout, line: int) -> tuple[str | None, str]:
    text = clean(raw)
    role, value = _labelled(raw, layout, line)
    # "ระยะเวลาดำเนินการ ต.ค. ...", "การติดตามผล ฝ่าย... ติดตามทุก ๓๐ วัน": a label without a colon
    if role is None and (m := re.match(r"^(ระยะเวลา(?:ดำเนินการ|การดำเนินงาน)?|\S+)\s+(\S.*)$", text)) and (
            m[1].startswith("ระยะเวลา") or _is_label(m[1])) and layout.label_role(m[1]) in _WIDE_ROLES:
        role, value = layout.label_role(m[1], line), m[2]
    return (role, value) if role in _WIDE_ROLES and value else (None, "")


def _table_rows(lines: list[str], header_at: int, roles: Roles, report: ImportReport, layout: Layout,
                wide: dict[str, tuple[int, str]] | None = None):
    """Each measure's row of the one table: (code, title, cells by role, first line, last line), 1-based.
    A row broken over lines (a cell of several paragraphs saved as text) is joined until it has its cells; a row
    whose number and measure cells are empty continues the measure above (a row per step, a measure's cells
    merged down, a row carried over a page break): its cells become further paragraphs of the measure's."""
    width = len(roles)
    rows: list[tuple[str, int, int]] = []
    pending: tuple[str, int] | None = None
    last_line = header_at + 1
    closed = False  # a blank line after a complete row ends it: what follows is the memo's text
    for i in range(header_at + 1, len(lines)):
        raw = lines[i]
        if not raw.strip():
            closed = pending is not None and pending[0].count("\t") >= width - 1
            continue
        if pending is not None and pending[0].count("\t") < width - 1 and not _is_band(pending[0], width):
            pending, last_line = (pending[0] + " " + raw.strip(), pending[1]), i + 1
            continue
        if "\t" in raw and _cells(raw) == _cells(lines[header_at]):  # the header repeated after a page break
            continue
        if "\t" in raw:
            if pending is not None:
                rows.append((pending[0], pending[1], last_line))
            pending, last_line, closed = (raw, i + 1), i + 1, False
        elif _CLOSING.match(clean(raw)) and pending is not None and pending[0].count("\t") >= width - 1:
            closed = True  # the memo's closing paragraphs: no cell's
            _unplaced(report, i + 1, "นอกตารางมาตรการ", clean(raw))
        elif pending is not None and not closed and not _SIGNATURE.match(clean(raw)) and not (
                wide is not None and _wide_line(raw, layout, i + 1)[0]):
            pending, last_line = (pending[0] + " " + raw.strip(), pending[1]), i + 1  # the last cell goes on
        elif wide is not None and (given := _wide_line(raw, layout, i + 1))[0] and given[0] not in wide:
            wide[given[0]] = (i + 1, given[1])  # a paragraph under the table for every measure
        else:
            _unplaced(report, i + 1, "นอกตารางมาตรการ", clean(raw))
    if pending is not None:
        rows.append((pending[0], pending[1], last_line))
    keys = [col for col, rs in enumerate(roles) if {"no", "measure"} & set(rs)]
    measures: list[tuple[list[str], int, int]] = []
    previous: list[str] = []
    bands: dict[int, str] = {}  # a measure opened by a band row ("ประเด็นที่ ๑ ..." across the table): its heading
    for raw, first, last in rows:
        cells = _cells(raw)
        for col, cell in enumerate(cells[:width]):
            layout.sample(header_at + 1, col + 1, cell)
        if _is_band(raw, width):
            # a band row: the measure's heading over its rows; the rows under it are its steps (a number column
            # then numbers the steps, not the measures)
            bands[len(measures)] = _flat(cells[0])
            measures.append(([""] * width, first, last))
            previous = [""] * width
            report.warn(first, f"แถว '{_flat(cells[0])[:40]}' คร่อมทั้งตาราง อ่านเป็นหัวข้อมาตรการ แถวที่ตามมาเป็นขั้นตอน"
                               "ของมาตรการนี้ ตรวจว่าถูกต้อง")
            continue
        if measures and len(measures) - 1 in bands:
            above, start, _end = measures[-1]
            cells = ["" if col in keys and "no" in roles[col] else c for col, c in enumerate(cells)]
            _continue_row(above, cells, previous, roles)
            measures[-1] = (above, start, last)
            previous = cells
            continue
        if measures and keys and all(col >= len(cells) or not cells[col] or _GOES_ON.search(cells[col]) or
                                     (col < len(previous) and cells[col] == previous[col]) for col in keys):
            above, start, _end = measures[-1]
            for col in range(len(cells)):  # "ประเด็นที่ 2 (ต่อ)": the page break's note, not the measure's text
                if _GOES_ON.search(cells[col]):
                    _unplaced(report, first, "หมายเหตุว่าตารางต่อจากหน้าก่อน", cells[col], warn=False)
                    cells[col] = ""
            _continue_row(above, cells, previous, roles)
            measures[-1] = (above, start, last)
        else:
            measures.append((list(cells), first, last))
        previous = cells
    for n, (cells, first, last) in enumerate(measures, start=1):
        by_role: dict[str, str] = {}
        if n - 1 in bands:  # the band's heading opens the measure's topic cell
            topic = next((col for col, rs in enumerate(roles) if {"weakness", "measure"} & set(rs)), None)
            if topic is not None:
                cells[topic] = f"{bands[n - 1]}{CELL_BREAK}{cells[topic]}" if cells[topic] else bands[n - 1]
        for col, cell in enumerate(cells):
            col_roles = roles[col] if col < width else ()
            real = [r for r in col_roles if r != "ignore"]
            if real:
                for role in real:
                    by_role[role] = f"{by_role[role]}{CELL_BREAK}{cell}" if by_role.get(role) else cell
            elif cell and not any("monitoring" in rs for rs in roles) and _is_monitoring(cell):
                by_role["monitoring"] = cell  # no monitoring column: a remark that is the follow-up plan
                report.warn(first, f"แถวที่ {n}: ใช้ข้อความคอลัมน์ที่ {col + 1} ('{_flat(cell)[:40]}') เป็นการติดตาม "
                                   "เพราะตารางไม่มีคอลัมน์การติดตาม ตรวจว่าถูกต้อง")
            elif cell:
                why = "ไม่ใช้ตามการจับคู่" if col_roles else "ไม่รู้ว่าเป็นข้อมูลอะไร"
                _unplaced(report, first, f"แถวที่ {n} คอลัมน์ที่ {col + 1} ({why})", _flat(cell))
        columns = {r for rs in roles for r in rs}

        def said(message: str, first: int = first, n: int = n) -> None:
            report.warn(first, f"แถวที่ {n}: {message}")

        def aside(text: str, first: int = first, n: int = n) -> None:
            _unplaced(report, first, f"แถวที่ {n}", text)

        cell_labels(by_role, columns, layout, said)
        heading, heading_code = heading_in_cells(by_role, columns, said, aside)
        if heading is None and "weakness" not in columns and CELL_BREAK in by_role.get("measure", ""):
            name, rest = by_role["measure"].split(CELL_BREAK, 1)  # a topic cell: its name, then what is wrong
            by_role["measure"], by_role["weakness"] = name, rest
            report.warn(first, f"แถวที่ {n}: ย่อหน้าแรกของช่องประเด็นเป็นชื่อมาตรการ ที่เหลือเป็นข้อบกพร่อง ตรวจว่าถูกต้อง")
        number = to_arabic_digits(_flat(by_role.pop("no", ""))).strip(" .")
        code = number if re.fullmatch(r"\d+(?:\.\d+)*", number) else heading_code or str(n)
        title = (heading or _flat(by_role.pop("measure", "")) or _flat(by_role.get("improvement", ""))
                 or f"มาตรการ {code}")
        title, codes = title_codes(title)
        if codes and "items" not in by_role:
            by_role["items"] = codes
        if "items" not in by_role and (found := _ITEM.match(title + " ")):  # "O11 การเปิดเผย...": the item's code
            by_role["items"] = title
            title = title[found.end():].strip() or title
        yield code, title, by_role, first, last


def _is_band(raw: str, width: int) -> bool:
    """A row across the whole table that is only a measure's heading ("ประเด็นที่ ๑ คู่มือ... (O๑๓)")."""
    cells = _cells(raw)
    return width >= 3 and "\t" in raw and bool(cells) and bool(HEADING.match(_flat(cells[0]))) and not any(cells[1:])


#: a measure's cell carried over a page break: "ประเด็นที่ 2 (ต่อ)"
_GOES_ON = re.compile(r"\(\s*ต่อ\s*\)\s*$|^\(?ต่อ\)?$")


def _is_monitoring(text: str) -> bool:
    """A cell that reads as a follow-up plan: following up or reporting, with how often."""
    text = _flat(text)
    return bool(re.search(r"ติดตาม|รายงาน", text)) and any(
        p.search(text) for p in (_MONTHLY, _QUARTERLY, _HALF_YEARLY, _EVERY, _WEEKS))


def _continue_row(above: list[str], cells: list[str], previous: list[str], roles: Roles) -> None:
    """A row that continues the measure above: each cell's text becomes a further paragraph of the measure's
    cell, unless it repeats the row above (a cell merged down); a step's row without a date of its own keeps
    the due dates in line with the steps ("-")."""
    has_step = any(col < len(cells) and cells[col] and "steps" in rs for col, rs in enumerate(roles))
    for col, cell in enumerate(cells):
        if col >= len(above):
            above.append(cell)
        elif cell and not (col < len(previous) and cell == previous[col]):
            above[col] = f"{above[col]}{CELL_BREAK}{cell}" if above[col] else cell
        elif col < len(roles) and "due" in roles[col] and has_step:
            above[col] = f"{above[col]}{CELL_BREAK}{cell or '-'}"
        elif col < len(roles) and "period" in roles[col] and has_step and cell:
            above[col] = f"{above[col]}{CELL_BREAK}{cell}"  # a step's own time, the same as the step above's


def _unplaced(report: ImportReport, line: int | None, where: str, text: str, *, warn: bool = True) -> None:
    """Memo text that ends in no field: listed with its place, never dropped silently."""
    text = " ".join(text.replace(CELL_BREAK, " ").split())
    if text:
        report.unplaced.append((line, where, text))
        if warn:
            report.warn(line, f"ข้อความ{where} ไม่ได้นำเข้า: '{text[:80]}'")


def _label_starts(lines: list[str], layout: Layout) -> list[int]:
    """Where measures begin in a memo of label/value tables (or ``label: value`` paragraphs) without headings:
    at each row or paragraph labelled มาตรการ."""
    found = []
    for i, raw in enumerate(lines):
        label, _value = _labelled(raw, layout)
        if label == "measure":
            found.append(i)
    return found


#: a measure's heading numbered alone: "1. มาตรการ...", "๒) ..."
_NUMBERED_HEADING = re.compile(r"^\s*([๐-๙0-9]{1,2})\s*[.)]\s+(\S.*)$")


def _numbered_starts(lines: list[str], layout: Layout) -> list[int]:
    """Measures as numbered sections: headings 1., 2., 3. in order, each followed by at least two labelled
    lines (``1.1 ข้อบกพร่อง``, ``ปัญหา: ...``) before the next."""
    found: list[int] = []
    for i, raw in enumerate(lines):
        m = _NUMBERED_HEADING.match(clean(raw)) if "\t" not in raw else None
        if m and int(to_arabic_digits(m[1])) == len(found) + 1 and not _labelled(raw, layout)[0]:
            found.append(i)
    kept: list[int] = []
    for n, start in enumerate(found):
        end = found[n + 1] if n + 1 < len(found) else len(lines)
        if len([i for i in range(start + 1, end) if _labelled(lines[i], layout)[0]]) >= 2:
            kept.append(start)
        else:
            break
    return kept


#: a label standing alone on its line, numbered as a section's part ("1.1 ข้อบกพร่อง") or ending in a colon
_LABEL_ALONE = re.compile(r"^(?:[๐-๙0-9]+\.[๐-๙0-9]+\.?\s+([^:：]{2,58}?)\s*[:：]?|([^:：\s][^:：]{1,57}?)\s*[:：])$")


#: a measure's number alone on its line, without its name
_BARE_HEADING = re.compile(r"^(?:ประเด็นที่|มาตรการที่|ข้อที่)\s*[๐-๙0-9]+(?:\.[๐-๙0-9]+)*\s*[.:]?$")


def _labelled(raw: str, layout: Layout, line: int | None = None) -> tuple[str | None, str]:
    """A label/value table row (two cells) or a ``label: value`` paragraph: its role and value. A table row's
    label nobody can tell is recorded (with ``line``) to be asked on the mapping page, and read as no label."""
    if "\t" in raw:
        cells = [c for c in _cells(raw) if c]
        if len(cells) == 2 and len(_flat(cells[0])) <= 60 and not _STEP_NUMBER.match(_flat(cells[0]) + " x"):
            role = layout.label_role(_flat(cells[0]), line, cells[1])
            if role:
                return role, cells[1]
        return None, ""
    text = clean(raw)
    if _BARE_HEADING.match(text):  # "ประเด็นที่ ๒" alone: a measure's number over its label table, no label
        return None, ""
    if (m := _LABEL_ALONE.match(text)) and layout.label_role(m[1] or m[2]):
        return layout.label_role(m[1] or m[2], line), ""  # its value is on the lines that follow
    if len(text) <= 40 and all(_is_label(p) for p in re.split(r"\s*/\s*", text)) and layout.label_role(text):
        return layout.label_role(text, line), ""  # a label alone on its line ("ผู้รับผิดชอบ"), as a PDF lays it
    if (m := LABELLED_LINE.match(text)) and layout.label_role(m[1]):
        return layout.label_role(m[1], line, m[2]), m[2]
    return None, ""


def _measure(lines, start, end, context: _Context, *, numbered: int, headed: bool) -> dict | None:
    """A measure from its section of the memo: under a heading, a table row (columns by their header's words)
    or label/value rows, then the period and constraints; every line not placed is reported."""
    report = context.report
    title_match = _MEASURE.match(clean(lines[start])) or _NUMBERED_HEADING.match(clean(lines[start]))
    if headed and title_match is not None:
        code, title = to_arabic_digits(title_match[1]), title_match[2]
        body = range(start + 1, end)
    else:  # a label/value block: มาตรการ | <title>
        _label, value = _labelled(lines[start], context.layout, start + 1)
        value = _flat(value)
        heading = _MEASURE.match(value) or re.match(r"^(?:ที่\s*)?([๐-๙0-9]+(?:\.[๐-๙0-9]+)*)\s*[.)]?\s+(.+)$", value)
        code, title = (to_arabic_digits(heading[1]), heading[2]) if heading else (str(numbered), value)
        body = range(start + 1, end)
    where = f"มาตรการ {code}"
    labels = [i for i in body if _labelled(lines[i], context.layout)[0]]
    if len(labels) >= 2:
        return _label_measure(lines, code, title, body, context, start)
    items, row, row_line, tail = [], None, None, []
    row_text: str | None = None
    header_seen = False
    roles: Roles = SEED_ROLES
    header_line: int | None = None
    previous_row: list[str] = []
    signature_at: int | None = None
    for i in body:
        raw = lines[i]
        line = clean(raw)
        if not line:
            continue
        if signature_at is None and (_SIGNATURE.match(line) or _CLOSING.match(line)) and (
                row is not None or row_text is not None):
            signature_at = i  # the signature block after the last measure: not a measure's
        if signature_at is not None:
            continue
        found_roles = context.layout.column_roles(_cells(raw), i + 1) if "\t" in raw and row_text is None else None
        if found_roles:
            roles, header_seen, header_line = found_roles, True, i + 1
            continue
        if "ประเด็นที่เป็นข้อบกพร่อง" in line or line.startswith("การวิเคราะห์ผลการประเมิน"):
            header_seen = header_seen or "ประเด็นที่เป็นข้อบกพร่อง" in line
            continue
        if not header_seen and "\t" not in raw:
            found = _items_in(line)
            items += found
            if not found and not _KNOWN_LINES.match(line):
                _unplaced(report, i + 1, f"ของ{where}", line)
            continue
        if row_text is None and "\t" in raw and not raw.strip().startswith(("ระยะเวลา", "<p>ระยะเวลา")):
            row_text, row_line = raw, i + 1
        elif row_text is not None and row is None and not _PERIOD_LINE.match(line):
            # a cell of several paragraphs, saved as text, breaks the row over lines: join them until its
            # cells are there; what follows the last cell's line, up to the period, is that cell's too
            row_text += " " + raw.strip()
        elif row is not None and not tail and "\t" not in raw and not _PERIOD_LINE.match(line):
            row[-1] = f"{row[-1]} {line}".strip()
            continue
        elif row is not None and not tail and "\t" in raw and not _PERIOD_LINE.match(line):
            # the table's next row: a step of its own, or the row carried over a page break
            _continue_row(row, _cells(raw), previous_row, roles)
            previous_row = _cells(raw)
            continue
        else:
            if row is None and row_text is not None:  # the period comes: the row is what was read
                row = _cells(row_text)
            tail.append(line)
        if row is None and row_text is not None and row_text.count("\t") >= len(roles) - 1:
            row = _cells(row_text)
            previous_row = list(row)
    if signature_at is not None:
        for i in range(signature_at, end):
            _unplaced(report, i + 1, f"ส่วนลงนามท้ายบันทึก (ไม่ใช่ของ{where})", clean(lines[i]),
                      warn=i == signature_at)
    if row is None and row_text is not None:
        row = _cells(row_text)
    if row is None:
        report.warn(start + 1, f"{where}: ไม่พบแถวตาราง (ข้อบกพร่อง / การพัฒนา / ผู้รับผิดชอบ / ขั้นตอน / การติดตาม)")
        row, row_line = [], start + 1
    cells: dict[str, str] = {}
    for col, cell in enumerate(row):
        if header_line is not None:
            context.layout.sample(header_line, col + 1, cell)
        col_roles = [r for r in (roles[col] if col < len(roles) else ()) if r != "ignore"]
        for role in col_roles:
            cells[role] = f"{cells[role]}{CELL_BREAK}{cell}" if cells.get(role) else cell
        if not col_roles and cell:
            why = "ไม่ใช้ตามการจับคู่" if col < len(roles) and roles[col] else "ไม่รู้ว่าเป็นข้อมูลอะไร"
            _unplaced(report, row_line, f"ของ{where} คอลัมน์ที่ {col + 1} ({why})", cell)
    wanted = [r for rs in roles for r in rs if r not in ("ignore", "no", "due")]
    if len([r for r in wanted if cells.get(r)]) < len(wanted):
        report.warn(row_line, f"{where}: ตารางมีไม่ครบ {len(wanted)} ช่อง ตรวจและกรอกเอง")
    return _build(code, title, items, cells, " ".join(tail), context, row_line or start + 1, start + 1)


#: monitoring written after the period in one value ("ต.ค. 67 - ก.ย. 68 ติดตามทุกไตรมาส")
_MONITORING_IN = re.compile(r"(?<=\S)\s+(?=(?:การ)?ติดตาม|รายงานผล)")


#: the memo's closing paragraphs after its measures ("ทั้งนี้ ...", "จึงเรียนมาเพื่อ...")
_CLOSING = re.compile(r"^(?:ทั้งนี้|จึงเรียน|จึงขอ|หมายเหตุ|อนึ่ง|ที่มา\s*[:：]|[*※])")


#: item codes a label cites in brackets: "ประเด็นจากผลการประเมิน (O2 และ O3)"
_LABEL_CODES = re.compile(r"[(\[]\s*(?:ข้อ\s*)?([Oo๐][0-9๐-๙]{1,3}(?:\s*(?:[-–,/]|และ|\s)\s*[Oo๐][0-9๐-๙]{1,3})*)"
                          r"\s*[)\]]")
#: a row's first cell that is only its number: "1.3.1", "(๒)", "๓."
_BARE_NUMBER = re.compile(r"^\(?[๐-๙0-9]+(?:\.[๐-๙0-9]+)*[.)]?$")


def _label_measure(lines, code, title, body, context: _Context, start: int) -> dict:
    """A measure written as label/value rows or ``label: value`` paragraphs: a value goes on over the lines that
    follow its label (steps one a line, a PDF's wrapped text)."""
    report = context.report
    cells: dict[str, str] = {}
    current: str | None = None
    in_table = False
    first_line = None
    step_roles: Roles | None = None  # a table per step (or one for the steps): its header's roles
    step_rows: list[tuple[int, dict[str, str]]] = []
    for i in body:
        raw = lines[i]
        line = clean(raw)
        if not line:
            current = current if in_table else None  # a blank line ends a paragraph label's value
            continue
        if "\t" in raw and (roles := context.layout.column_roles(_cells(raw), i + 1)) and any(
                "steps" in r for r in roles):
            step_roles, current = roles, None
            continue
        if "\t" in raw and step_roles is not None and not _labelled(raw, context.layout)[0]:
            row: dict[str, str] = {}
            for col, cell in enumerate(_cells(raw)):
                col_roles = [r for r in (step_roles[col] if col < len(step_roles) else ()) if r != "ignore"]
                for role in col_roles:
                    row[role] = f"{row[role]} {cell}".strip() if role in row else cell
                if cell and not col_roles:
                    _unplaced(report, i + 1, f"ของมาตรการ {code} คอลัมน์ที่ {col + 1}", cell)
            step_rows.append((i + 1, row))
            first_line = first_line or i + 1
            continue
        if _SIGNATURE.match(line) or _CLOSING.match(line):
            for j in range(i, body.stop):
                part = "ส่วนลงนามท้ายบันทึก" if _SIGNATURE.match(line) else "ส่วนท้ายบันทึก"
                _unplaced(report, j + 1, f"{part} (ไม่ใช่ของมาตรการ {code})", clean(lines[j]), warn=j == i)
            break
        label, value = _labelled(raw, context.layout, i + 1)
        value = value.replace(CELL_BREAK, "\n")
        if label == "ignore":
            current = None
            _unplaced(report, i + 1, f"ของมาตรการ {code} (ไม่ใช้ตามการจับคู่)", line)
        elif label:
            current, in_table = label, "\t" in raw
            first_line = first_line or i + 1
            cells[label] = f"{cells[label]}\n{value}".strip() if label in cells else value
            written = LABELLED_LINE.match(line) if "\t" not in raw else None
            if label != "items" and written and (codes := _LABEL_CODES.search(written[1])):
                # "ประเด็นจากผลการประเมิน (O2 และ O3) : ...": the items the label cites
                cells["items"] = f"{cells['items']} {codes[1]}".strip() if cells.get("items") else codes[1]
        elif current is not None and "\t" in raw and len(row_cells := [c for c in _cells(raw) if c]) == 2 \
                and _BARE_NUMBER.match(_flat(row_cells[0])):
            # "1.3.1 | <step>" under the label "1.3 ขั้นตอนการดำเนินการ": a numbered row of the value
            cells[current] = f"{cells[current]}\n{_flat(row_cells[1])}".strip()
        elif "\t" in raw and len([c for c in _cells(raw) if c]) == 2:
            # a label/value row whose label nobody can tell: its own row, never glued onto the one above
            current = None
            _unplaced(report, i + 1, f"ของมาตรการ {code} (หัวข้อ '{_flat(_cells(raw)[0])[:40]}' ยังไม่ได้จับคู่)", line)
        elif _BARE_HEADING.match(line):  # the next measure's number, over its label table
            current = None
            _unplaced(report, i + 1, "หัวข้อเลขที่ของมาตรการถัดไป", line, warn=False)
        elif current is not None:
            cells[current] = f"{cells[current]}\n{line.replace(CELL_BREAK, chr(10))}".strip()
        else:
            _unplaced(report, i + 1, f"ของมาตรการ {code}", line)
    step_owners = _step_table(step_rows, cells, code, context, first_line or start + 1)
    items = _items_in(cells.pop("items")) if "items" in cells else []
    if "period" in cells and (split := _MONITORING_IN.search(cells["period"])) and not cells.get("monitoring"):
        cells["period"], cells["monitoring"] = cells["period"][:split.start()], cells["period"][split.start():]
        report.warn(first_line or start + 1, f"มาตรการ {code}: ระยะเวลาและการติดตามเขียนในช่องเดียวกัน แยกเป็นระยะเวลา "
                                             f"'{cells['period'].strip()}' และการติดตาม '{cells['monitoring'].strip()}'")
    tail = ""
    if "period" in cells:
        tail = "ระยะเวลาดำเนินการ " + cells.pop("period").replace("\n", " ")
    if "constraints" in cells:
        tail += " ข้อจำกัดของหน่วยงาน " + cells.pop("constraints").replace("\n", " ")
    for key in ("weakness", "improvement", "owners", "monitoring"):
        if key in cells:
            cells[key] = " ".join(cells[key].split())
    measure = _build(code, title, items, cells, tail, context, first_line or start + 1, start + 1)
    if step_owners:  # the measure's owners are its steps' owners, all of them
        owned = [_owners(t, context.groups, context.people, report, first_line or start + 1, f"มาตรการ {code}")
                 for t in step_owners]
        measure["owners"] = {"text": " / ".join(step_owners),
                             "groups": list(dict.fromkeys(g for o in owned for g in o["groups"])),
                             "people": list(dict.fromkeys(p for o in owned for p in o["people"]))}
    return measure


def _step_table(rows: list[tuple[int, dict[str, str]]], cells: dict[str, str], code: str, context: _Context,
                line: int) -> list[str]:
    """A measure's steps written as a table's rows (a small table per step, or one for all): each row's
    activity is a step, its time the step's due date; the measure's period is their span (said so) and its
    owners theirs, unless the measure names its own. Returns the owners' texts, in order, once each."""
    if not rows:
        return []
    cells["steps"] = "\n".join(r.get("steps", "") for _l, r in rows if r.get("steps"))
    spans: list[tuple[date, date] | None] = []
    for row_line, row in rows:
        written = row.get("period") or row.get("due") or ""
        span = _span(written, context.memo_day) if written else None
        if written and span is None:
            context.report.warn(row_line, f"มาตรการ {code}: อ่านระยะเวลาของขั้นตอนไม่ได้: {written}")
        spans.append(span)
    if any(spans):
        cells["due"] = CELL_BREAK.join(_be_iso(s[1]) if s else "-" for s in spans)
    known = [s for s in spans if s]
    if known and "period" not in cells:
        first, last = min(s[0] for s in known), max(s[1] for s in known)
        cells["period"] = f"{_thai_day(first)} - {_thai_day(last)}"
        context.report.warn(line, f"มาตรการ {code}: ระยะเวลาดำเนินการคือช่วงของขั้นตอน ({cells['period']}) ตรวจว่าถูกต้อง")
    owners = list(dict.fromkeys(r["owners"] for _l, r in rows if r.get("owners")))
    if owners and "owners" not in cells:
        cells["owners"] = owners[0]
        return owners
    return []




def _build(code: str, title: str, items: list[dict], cells: dict[str, str], tail: str, context: _Context,
           row_line: int, start_line: int) -> dict:
    """A measure from its parts, whatever the layout: owners, steps and monitoring read from their cells, the
    period from its cell or the text after the table, item codes checked."""
    report, groups, people = context.report, context.groups, context.people
    where = f"มาตรการ {code}"
    title, codes = title_codes(title)
    if codes and not items and not cells.get("items"):
        items = _items_in(codes)
    if cells.get("period") and cells.get("steps"):
        period_cell(cells, len(_split_numbered(cells["steps"].replace(CELL_BREAK, "\n"))), context.memo_day,
                    lambda message: report.warn(row_line, f"{where}: {message}"))
    dues = [_flat(d) for d in cells.pop("due", "").split(CELL_BREAK)] if cells.get("due") else []
    steps_text = cells.get("steps", "").replace(CELL_BREAK, "\n")
    owner_paragraphs = cells.get("owners", "").split(CELL_BREAK) if CELL_BREAK in cells.get("owners", "") else None
    cells = {k: _flat(v) for k, v in cells.items()}
    if dues and not cells.get("period") and "ระยะเวลา" not in tail:
        last = next((d for d in reversed(dues) if d and d != "-"), "")
        if last:
            cells["period"] = f"ภายใน {last}"
    weakness, improvement = cells.get("weakness", ""), cells.get("improvement", "")
    if not items and cells.get("items"):
        items = _items_in(cells["items"])
    owners = _owners(cells.get("owners", ""), groups, people, report, row_line, where, owner_paragraphs)
    steps = _steps(steps_text, owners, groups, report, row_line, where)
    _step_dues(steps, dues, report, row_line, where)
    monitoring = _monitoring(" ".join(cells.get("monitoring", "").split()), groups, report, row_line, where)
    if cells.get("period"):
        tail = f"ระยะเวลาดำเนินการ {cells['period']} {tail}".strip()
    if cells.get("constraints") and "ข้อจำกัด" not in tail:
        tail = f"{tail} ข้อจำกัดของหน่วยงาน {cells['constraints']}".strip()
    period, constraints = _period(tail, report, row_line, where, context.memo_day)
    _plan_rounds(monitoring, period, report, row_line, where)
    _propose_dues(steps, period, report, row_line, where)
    if not items:
        report.warn(start_line, f"{where}: ไม่พบตัวชี้วัดที่เกี่ยวข้อง")
    titles, year = context.titles
    for item in items:
        if item["code"] is None:
            report.warn(start_line, f"{where}: อ่านรหัสตัวชี้วัดไม่ได้: {item['raw']}")
        elif note := check_item_code(item["raw"] or "", item["code"], titles, year):
            item["note"] = note
            report.warn(start_line, f"{where}: รหัส {item['raw']}: {note}")
    if "ยังไม่" in improvement and "ยังไม่" not in weakness:
        report.warn(row_line, f"{where}: ช่อง 'ประเด็นที่จะพัฒนา' มีข้อความแบบข้อบกพร่อง ('ยังไม่...') "
                              "ตรวจว่าสองคอลัมน์แรกสลับกันหรือไม่ (เก็บไว้ตามที่เขียน)")
    return {"code": code, "title": title, "items": items, "weakness": weakness, "improvement": improvement,
            "owners": owners, "steps": steps, "monitoring": monitoring, "period": period, "constraints": constraints}


def docx_to_text(data: bytes) -> tuple[str, list[str]]:
    """A .docx as the text the importer reads, and for each line where it came from (workflow.onboarding.memodocx)."""
    memo = read_docx(data)
    return memo.text, memo.origins or []


def read_memo(data: bytes, mapping: Mapping | None = None) -> tuple[ImportReport, list[str] | None]:
    """A memo file's bytes (a .docx, a PDF, a scan or photo as PDF/PNG/JPEG, or UTF-8 text) read into a report,
    with where each line came from. A scan is read by OCR: the report says so and names the lines read with
    low confidence, for the officer to check against the page."""
    origins = None
    if data.startswith(b"PK\x03\x04"):
        text, origins = docx_to_text(data)
    elif data.startswith((b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        from workflow.onboarding.pdfmemo import read_any

        memo = read_any(data)
        text, origins = memo.text, memo.origins
        report = import_memo_text(text, mapping)
        report.kind = memo.kind
        if memo.kind == "ocr":
            report.warn(None, "อ่านบันทึกนี้จากภาพสแกนด้วย OCR ตรวจทุกมาตรการกับบันทึกต้นฉบับ"
                              + (f" ({len(memo.doubtful)} บรรทัดอ่านได้ไม่ชัด มีเครื่องหมายไว้)" if memo.doubtful else ""))
            for i in memo.doubtful:
                report.warn(i + 1, f"OCR อ่านบรรทัดนี้ได้ไม่ชัด ตรวจกับต้นฉบับ: '{clean(memo.lines[i])[:80]}'")
        return report, origins
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:  # Thai offices' older files: TIS-620 / Windows-874 (cp874 reads both)
                text = data.decode("cp874")
            except UnicodeDecodeError:
                raise ValidationError("ไฟล์ต้องเป็นข้อความ UTF-8 หรือ TIS-620 (Windows-874) หรือ .docx",
                                      "the file must be UTF-8 or TIS-620 (Windows-874) text, or .docx") from None
    return import_memo_text(text, mapping), origins


def to_yaml(report: ImportReport, source: str, origins: list[str] | None = None) -> str:
    """The definitions file to review, with what could not be read listed on top."""
    lines = [f"# นำเข้าจาก {source} โดย itaflow import: ตรวจทานก่อน itaflow load",
             "# Imported by itaflow import: review before itaflow load"]
    for line, message in report.warnings:
        where = ""
        if line:
            where = f" ({origins[line - 1]})" if origins and line <= len(origins) else f" (บรรทัด {line})"
        lines.append(f"# คำเตือน{where}: {message}")
    body = yaml.safe_dump(report.document, allow_unicode=True, sort_keys=False, width=1000)
    return "\n".join(lines) + "\n" + body
