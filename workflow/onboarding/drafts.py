"""The measures editor: a cycle's definitions prepared with forms (imported from a memo, or typed from
nothing), checked as the file would be, then confirmed and loaded. YAML stays the file format for export and
version control; people edit here.

A draft holds the definitions document as ``itaflow import`` writes it (dates in BE, ``2567-05-30``). A
measure's form round-trips: adding, removing or moving a step only redraws the form (nothing is written);
saving checks every field, says what to fix next to it and writes nothing until all are right; a form saved
over a newer edit (a second tab, a double submit) is refused.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import yaml
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit
from workflow.db import db
from workflow.engine.monitoring import FREQUENCIES, every_dates, frequency_dates, held_on
from workflow.errors import ConflictError, DefinitionError, NotFound, PermissionDenied, ValidationError
from workflow.models import Draft, Group, User
from workflow.thaidate import ThaiDateError, fiscal_year_bounds, parse_thai_date, parse_thai_month, to_arabic_digits

#: how a measure's rounds are planned in the form
MODES = ("dates", "every", *FREQUENCIES)
MAX_STEPS = 60
MAX_TEXT = 4000
EDITORS = ("admin", "secretariat")


class FieldErrors(ValidationError):
    """A form with fields to fix: ``errors`` maps each field to its (Thai, English) message."""

    def __init__(self, errors: dict[str, tuple[str, str]]):
        self.errors = errors
        first = next(iter(errors.values()))
        super().__init__(f"ยังบันทึกไม่ได้ แก้ {len(errors)} ช่องที่มีข้อความสีแดง ({first[0]})",
                         f"not saved: fix the {len(errors)} field(s) marked ({first[1]})")


@dataclass
class MeasureForm:
    """A measure as its form shows it: the values typed (kept as typed when they are wrong), the step rows,
    and the errors by field."""

    values: dict[str, str]
    owners: list[str]
    steps: list[dict[str, str]]
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    changed: bool = False
    focus: int | None = None  # the step row to bring into view and focus after a redraw


# -- access --------------------------------------------------------------------------------------------------


def _actor(actor_id: int) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role(*EDITORS):
        raise PermissionDenied("เฉพาะฝ่ายเลขานุการหรือผู้ดูแลระบบแก้ไขมาตรการได้",
                               "only the secretariat or an admin may edit measures")
    return actor


def get(draft_id: int, *, actor_id: int) -> Draft:
    """A draft of the actor's own agency (another agency's is as if it did not exist)."""
    actor = _actor(actor_id)
    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบร่างเลขที่ {draft_id}", f"no draft {draft_id}")
    return draft


def of_agency(*, actor_id: int) -> list[Draft]:
    actor = _actor(actor_id)
    return list(db.session.execute(select(Draft).where(Draft.agency_id == actor.agency_id)
                                   .order_by(Draft.updated_at.desc())).scalars())


def _check_version(draft: Draft, expected_version: int | None) -> None:
    if expected_version is not None and draft.version != expected_version:
        raise ConflictError("ร่างนี้ถูกแก้ไขไปแล้วหลังจากที่ท่านเปิดฟอร์ม (อาจส่งฟอร์มซ้ำหรือเปิดไว้สองหน้าต่าง) "
                            "โหลดหน้าใหม่แล้วแก้อีกครั้ง",
                            "this draft changed after you opened the form (sent twice, or open in two windows): "
                            "reload and edit again")


def _save(draft: Draft, document: dict, now: datetime) -> None:
    draft.document = document
    draft.updated_at = now
    try:
        db.session.flush()
    except StaleDataError:
        raise ConflictError("ร่างนี้ถูกแก้ไขพร้อมกันโดยอีกคำขอ โหลดหน้าใหม่แล้วแก้อีกครั้ง",
                            "this draft was changed by another request at the same time: reload and edit again"
                            ) from None


# -- creating ------------------------------------------------------------------------------------------------


def blank_document(agency: str, fiscal_year: int) -> dict:
    first, last = fiscal_year_bounds(fiscal_year)
    return {
        "format": 1, "agency": agency, "fiscal_year": fiscal_year,
        "title": "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "memo": {},
        "calendar": {"rounds": "previous", "deadlines": "next"}, "reminders": [3, 1], "groups": {},
        "secretariat": None, "people": {},
        "measures": [_blank_measure("1", first, last)],
    }


def _blank_measure(code: str, first: date, last: date) -> dict:
    return {"code": code, "title": "", "items": [], "weakness": "", "improvement": "",
            "owners": {"text": "", "groups": [], "people": []}, "steps": [],
            "monitoring": {"text": "", "by": None, "rounds": []},
            "period": {"text": "", "start": _be_iso(first), "end": _be_iso(last)}, "constraints": None}


def create(*, actor_id: int, now: datetime, document: dict, name: str = "", source: dict | None = None) -> Draft:
    """A new draft of the actor's agency: a memo read by the importer (with its text), or a blank one."""
    actor = _actor(actor_id)
    from workflow.models import Agency

    agency = db.session.get(Agency, actor.agency_id)
    document = dict(document)
    if agency is not None:  # a draft is its agency's: a memo of another agency (used as a model) becomes ours
        written = "".join((document.get("agency") or "").split())
        if written and written != "".join(agency.name.split()) and source is not None:
            source = dict(source)
            source["warnings"] = [*source.get("warnings", []), [None, (
                f"บันทึกนี้เป็นของ '{document['agency']}' ร่างนี้จะเป็นของ '{agency.name}' ตรวจทุกมาตรการให้ตรงกับหน่วยงาน")]]
        document["agency"] = agency.name
    _add_agency_groups(document, actor.agency_id)
    draft = Draft(agency_id=actor.agency_id, created_by_id=actor.id, created_at=now, updated_at=now,
                  name=(name or "")[:200], document=document, source=source)
    db.session.add(draft)
    db.session.flush()
    audit.record("draft_created", agency_id=actor.agency_id, actor_id=actor.id, now=now, target_type="draft",
                 target_id=draft.id, data={"name": draft.name, "measures": len(document.get("measures") or [])})
    return draft


def from_import(*, actor_id: int, now: datetime, data: bytes, name: str) -> Draft:
    """Read a memo (.docx or text) into a new draft, with its lines, where each measure came from and what
    was not understood. Raises ValidationError for a file that is not a memo (nothing written)."""
    from workflow.onboarding.importer import read_memo

    _actor(actor_id)
    report, origins = read_memo(data)
    source = {"lines": report.lines, "origins": origins, "sources": [list(s) for s in report.sources],
              "warnings": [[line, text] for line, text in report.warnings]}
    return create(actor_id=actor_id, now=now, document=report.document, name=name, source=source)


def blank(*, actor_id: int, now: datetime, fiscal_year: int | str) -> Draft:
    try:
        year = int(to_arabic_digits(str(fiscal_year)).strip())
    except ValueError:
        year = 0
    if not 2500 <= year <= 2700:
        raise FieldErrors({"fiscal_year": ("ใส่ปีงบประมาณ พ.ศ. เช่น ๒๕๖๙", "give a BE fiscal year such as 2569")})
    return create(actor_id=actor_id, now=now, document=blank_document("", year), name="")


def _add_agency_groups(document: dict, agency_id: int) -> None:
    """The agency's groups are offered as owners even when the memo does not name them (same key as in
    itaflow, so loading reuses them)."""
    groups = document.setdefault("groups", {})
    names = {g.get("name") for g in groups.values()}
    for group in db.session.execute(select(Group).where(Group.agency_id == agency_id).order_by(Group.name)
                                    ).scalars():
        if group.name in names:  # the memo's key for an existing group: use the group's own key
            old = next(k for k, g in groups.items() if g.get("name") == group.name)
            if old != group.key and group.key not in groups:
                _rename_group(document, old, group.key)
        elif group.key not in groups:
            groups[group.key] = {"name": group.name}


def _rename_group(document: dict, old: str, new: str) -> None:
    document["groups"] = {(new if k == old else k): v for k, v in document["groups"].items()}
    if document.get("secretariat") == old:
        document["secretariat"] = new
    for person in (document.get("people") or {}).values():
        if person.get("group") == old:
            person["group"] = new
    for m in document.get("measures") or []:
        owners = m.get("owners") or {}
        owners["groups"] = [new if k == old else k for k in owners.get("groups") or []]
        if (m.get("monitoring") or {}).get("by") == old:
            m["monitoring"]["by"] = new
        for s in m.get("steps") or []:
            if isinstance(s, dict):
                if s.get("reviewer") == old:
                    s["reviewer"] = new
                if s.get("owner") == old:
                    s["owner"] = new
                if isinstance(s.get("owner"), dict) and s["owner"].get("group") == old:
                    s["owner"]["group"] = new


# -- the document as a file, and its problems ----------------------------------------------------------------


def to_yaml(draft: Draft) -> str:
    head = f"# itaflow: ร่างมาตรการ {draft.name or ''}".rstrip() + "\n"
    return head + yaml.safe_dump(draft.document, allow_unicode=True, sort_keys=False, width=1000)


def problems(draft: Draft) -> list[tuple[str | None, str, str]]:
    """What keeps the draft from loading, each with the measure it is about (its code) or None."""
    from workflow.engine.definitions import parse_definitions

    try:
        parse_definitions(to_yaml(draft), draft.name or "draft")
    except DefinitionError as exc:
        found = []
        for p in exc.problems:
            m = re.match(r"^มาตรการ (\d+(?:\.\d+)*)\s*:", p.message_th)
            found.append((m[1] if m else None, thai_labels(p.message_th), p.message_en))
        return found
    return []


#: the file's field names as the forms label them (a Thai page never shows 'weakness' or 'period')
FIELD_LABELS = {
    "code": "รหัสมาตรการ", "title": "ชื่อ", "items": "ตัวชี้วัดที่เกี่ยวข้อง", "weakness": "ประเด็นที่เป็นข้อบกพร่อง",
    "improvement": "ประเด็นที่จะพัฒนา", "owners": "ผู้รับผิดชอบ", "steps": "ขั้นตอน", "monitoring": "การกำกับติดตาม",
    "period": "ระยะเวลาดำเนินการ", "constraints": "ข้อจำกัด", "start": "วันเริ่ม", "end": "วันสิ้นสุด",
    "due": "กำหนดเสร็จ", "date": "วันที่", "text": "ข้อความ", "name": "ชื่อ", "agency": "ส่วนราชการ",
    "fiscal_year": "ปีงบประมาณ", "reviewer": "ผู้ตรวจ", "reviews": "ขั้นตอนที่ตรวจ", "rounds": "วันติดตาม",
    "deadlines": "กำหนดส่ง", "every_days": "จำนวนวันระหว่างการติดตาม", "people": "รายชื่อบุคคล",
    "groups": "กลุ่ม", "kind": "ประเภทขั้นตอน", "secretariat": "ฝ่ายเลขานุการ", "raw": "ข้อความตามบันทึก",
    "email": "อีเมล", "position": "ตำแหน่ง", "group": "กลุ่ม", "by": "กลุ่มผู้ติดตาม", "repeat": "ทำทุกเดือน",
    "parallel": "ทำพร้อมกับขั้นตอนก่อนหน้า", "evidence": "หลักฐาน", "memo": "บันทึก", "calendar": "ปฏิทิน",
    "reminders": "การเตือนล่วงหน้า", "director": "ผู้อำนวยการกลุ่ม", "number": "เลขขั้นตอน", "task": "งาน",
    "review": "ตรวจสอบความถูกต้อง", "deadline": "กำหนดส่ง", "measures": "มาตรการ", "roles": "บทบาท",
}
_FIELD_WORD = "|".join(sorted(FIELD_LABELS, key=len, reverse=True))
_THAI_REWRITES = [
    (re.compile(rf"ขาดช่อง '({_FIELD_WORD})' กรุณากรอก"), lambda m: f"ยังไม่ได้กรอก{FIELD_LABELS[m[1]]}"),
    (re.compile(rf"ขาดวันที่ '({_FIELD_WORD})'"), lambda m: f"ยังไม่ได้ใส่{FIELD_LABELS[m[1]]}"),
    (re.compile(rf"ช่อง '({_FIELD_WORD})' ต้องเป็นข้อความ"), lambda m: f"{FIELD_LABELS[m[1]]} ต้องเป็นข้อความ"),
    (re.compile(rf"\b({_FIELD_WORD}) ต้องเป็นรายการแบบ ชื่อ: ค่า"),
     lambda m: f"{FIELD_LABELS[m[1]]} ยังไม่ได้กรอกหรือกรอกไม่ครบ แก้ในแบบฟอร์มของมาตรการ"),
    (re.compile(r"ต้องเป็นรายการแบบ ชื่อ: ค่า"), lambda m: "ยังไม่ได้กรอกหรือกรอกไม่ครบ"),
    (re.compile(rf"\b({_FIELD_WORD}) ต้องเป็นรายการ \(ขึ้นต้นแต่ละบรรทัดด้วย -\)"),
     lambda m: f"{FIELD_LABELS[m[1]]} ต้องเป็นรายการ บรรทัดละหนึ่ง"),
    (re.compile(r"fiscal_year ต้องเป็นปีงบประมาณ พ\.ศ\."), lambda m: "ปีงบประมาณต้องเป็นปี พ.ศ."),
    (re.compile(r"items ต้องมี raw \(ข้อความตามบันทึก\)"), lambda m: "ตัวชี้วัดแต่ละบรรทัดต้องมีข้อความ"),
    (re.compile(r"kind ต้องเป็น task หรือ review"), lambda m: "ประเภทต้องเป็นงานหรือการตรวจสอบความถูกต้อง"),
    (re.compile(r"reviewer ใช้กับ kind: review เท่านั้น"), lambda m: "ผู้ตรวจใช้กับขั้นตอนประเภทตรวจสอบเท่านั้น"),
    (re.compile(r"เป็นการตรวจสอบ \(review\) แต่ไม่มี reviewer"), lambda m: "เป็นการตรวจสอบ แต่ยังไม่ได้เลือกผู้ตรวจ"),
    (re.compile(r"repeat ใช้ได้เฉพาะ monthly"), lambda m: "การทำซ้ำใช้ได้เฉพาะทุกเดือน"),
    (re.compile(r"parallel ต้องเป็น true หรือ false"), lambda m: "ทำพร้อมกับขั้นตอนก่อนหน้า ต้องเป็นใช่หรือไม่ใช่"),
    (re.compile(r"every_days ต้องเป็นจำนวนวัน"), lambda m: "จำนวนวันระหว่างการติดตามต้องเป็น"),
    (re.compile(r"ไม่อยู่ใน people"), lambda m: "ไม่อยู่ในรายชื่อบุคคลของร่าง"),
    (re.compile(r"\(secretariat\)"), lambda m: "(ฝ่ายเลขานุการ)"),
    (re.compile(r"กรอก (agency|fiscal_year) เอง"), lambda m: f"กรอก{FIELD_LABELS[m[1]]}เอง"),
    (re.compile(rf"(?<![A-Za-z0-9_@.\-])'?({_FIELD_WORD})'?(?![A-Za-z0-9_@.\-])"), lambda m: FIELD_LABELS[m[1]]),
]


def thai_labels(text: str) -> str:
    """A message of the file's checks as a Thai page says it: the form's labels, not the file's field names
    (``ขาดช่อง 'weakness'`` reads ``ยังไม่ได้กรอกประเด็นที่เป็นข้อบกพร่อง``). Quoted values (a group's key, an
    e-mail) are kept unless one is spelled as a field name."""
    for pattern, repl in _THAI_REWRITES:
        text = pattern.sub(repl, text)
    return text


def measure_warnings(draft: Draft) -> tuple[list[list[tuple[str, str]]], list[tuple[str, str]]]:
    """The importer's notes placed with the measure whose lines they are about (and the rest), each with
    where it points in the memo (a line, or a Word table's row)."""
    source = draft.source or {}
    ranges = source.get("sources") or []
    origins = source.get("origins")
    per: list[list[tuple[str, str]]] = [[] for _ in ranges]
    rest: list[tuple[str, str]] = []
    resolved = set(source.get("resolved") or [])
    for n, (line, text) in enumerate(source.get("warnings") or []):
        if n in resolved:
            continue
        text = thai_labels(text)
        where = ""
        if line:
            where = origins[line - 1] if origins and line <= len(origins) else f"บรรทัด {line}"
        index = next((i for i, (a, b) in enumerate(ranges) if line and a <= line <= b), None)
        (per[index] if index is not None else rest).append((where, text))
    return per, rest


#: the field an importer's note is about, by the words it uses (first match wins; None: about no one field)
_NOTE_FIELDS = (
    ("fiscal_year", ("ปีงบประมาณ", "fiscal_year")), ("steps", ("ขั้นตอน",)), ("items", ("ตัวชี้วัด", "รหัส")),
    ("improvement", ("ประเด็นที่จะพัฒนา",)), ("weakness", ("ข้อบกพร่อง",)),
    ("owners", ("ผู้รับผิดชอบ",)), ("monitoring", ("การกำกับติดตาม", "วันติดตาม")),
    ("period", ("ระยะเวลาดำเนินการ",)),
)


def note_field(text: str) -> str | None:
    """The field an importer's note names (``'ไม่พบขั้นตอน ...'`` is about the steps), or None."""
    for name, words in _NOTE_FIELDS:
        if any(w in text for w in words):
            return name
    return None


_FORM_GROUPS = {
    "code": ("code",), "title": ("title",), "items": ("items",), "weakness": ("weakness",),
    "improvement": ("improvement",), "owners": ("owners_text",), "constraints": ("constraints",),
    "period": ("period_start", "period_end", "period_text"),
    "monitoring": ("monitoring_text", "monitoring_by", "monitoring_mode", "every_days", "rounds", "deadlines"),
}


def _changed_fields(shown: MeasureForm, saved: MeasureForm) -> set[str]:
    """The fields the officer changed: the form as saved against the form as the page showed it (so a
    measure saved untouched resolves nothing, whatever the importer's own spelling of it)."""
    def same(a: str, b: str) -> bool:
        return " ".join(a.split()) == " ".join(b.split())

    changed = {name for name, keys in _FORM_GROUPS.items()
               if not all(same(shown.values.get(k, ""), saved.values.get(k, "")) for k in keys)}
    if sorted(shown.owners) != sorted(saved.owners):
        changed.add("owners")
    if [{k: " ".join(v.split()) for k, v in r.items()} for r in shown.steps] != \
            [{k: " ".join(v.split()) for k, v in r.items()} for r in saved.steps]:
        changed.add("steps")
    return changed


def _resolve_notes(draft: Draft, index: int | None, fields: set[str]) -> list[int]:
    """Mark as resolved the importer's notes about ``fields`` of the measure at ``index`` (None: the notes
    about the whole memo). A note names a field by its words; once that field is changed in a save, the
    officer has seen to it. Returns the notes' numbers."""
    source = draft.source or {}
    warnings = source.get("warnings") or []
    if not warnings or not fields:
        return []
    ranges = source.get("sources") or []
    first, last = ranges[index] if index is not None and index < len(ranges) else (None, None)
    resolved = set(source.get("resolved") or [])
    done = []
    for n, (line, text) in enumerate(warnings):
        if n in resolved or note_field(text) not in fields:
            continue
        inside = (first is not None and line and first <= line <= last) if index is not None else not (
            line and any(a <= line <= b for a, b in ranges))
        if inside:
            done.append(n)
    if done:
        draft.source = {**source, "resolved": sorted(resolved | set(done))}
    return done


def source_text(draft: Draft, index: int) -> str | None:
    source = draft.source or {}
    ranges = source.get("sources") or []
    if index >= len(ranges):
        return None
    first, last = ranges[index]
    return "\n".join(source.get("lines", [])[first - 1:last]).strip()


# -- the cycle's heading -------------------------------------------------------------------------------------


def save_heading(draft_id: int, *, actor_id: int, now: datetime, expected_version: int | None,
                 values: Mapping[str, str]) -> Draft:
    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    doc = copy.deepcopy(draft.document)
    errors: dict[str, tuple[str, str]] = {}
    agency = doc.get("agency")  # the draft's agency's own name, not typed
    try:
        year = int(to_arabic_digits(values.get("fiscal_year") or "").strip())
        if not 2500 <= year <= 2700:
            raise ValueError
    except ValueError:
        errors["fiscal_year"] = ("ใส่ปีงบประมาณ พ.ศ. เช่น ๒๕๖๙", "give a BE fiscal year such as 2569")
        year = 0
    title = " ".join((values.get("title") or "").split())
    if not title:
        errors["title"] = ("ใส่ชื่อเรื่อง", "give the title")
    secretariat = values.get("secretariat") or None
    if secretariat and secretariat not in (doc.get("groups") or {}):
        errors["secretariat"] = ("เลือกกลุ่มจากรายการ", "choose a group from the list")
    if errors:
        raise FieldErrors(errors)
    changed = {k for k, v in (("fiscal_year", year), ("title", title)) if doc.get(k) != v}
    doc.update(fiscal_year=year, title=title, secretariat=secretariat)
    _resolve_notes(draft, None, changed)
    _save(draft, doc, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"heading": {"agency": agency, "fiscal_year": year, "title": title}})
    return draft


# -- a measure's form ----------------------------------------------------------------------------------------


def _be_iso(day: date) -> str:
    return f"{day.year + 543:04d}-{day.month:02d}-{day.day:02d}"


def _be_text(value: str | None) -> str:
    """A date of the file (``2567-05-30``) as the form shows it: ``30/05/2567``."""
    if not value:
        return ""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    return f"{m[3]}/{m[2]}/{m[1]}" if m else str(value)


def form_of(draft: Draft, index: int) -> MeasureForm:
    """The form of the draft's measure ``index`` (a new one when index is its number of measures)."""
    measures = draft.document.get("measures") or []
    if index == len(measures):
        year = draft.document.get("fiscal_year") or 2569
        first, last = fiscal_year_bounds(int(year))
        codes = [m.get("code") for m in measures]
        code = str(len(measures) + 1)
        while code in codes:
            code = f"{code}.1"
        m = _blank_measure(code, first, last)
    elif 0 <= index < len(measures):
        m = measures[index]
    else:
        raise NotFound(f"ไม่พบมาตรการลำดับที่ {index + 1}", f"no measure {index + 1}")
    monitoring = m.get("monitoring") or {}
    period = m.get("period") or {}
    values = {
        "code": str(m.get("code") or ""), "title": m.get("title") or "",
        "items": "\n".join(i.get("raw", "") if isinstance(i, dict) else str(i) for i in m.get("items") or []),
        "weakness": m.get("weakness") or "", "improvement": m.get("improvement") or "",
        "owners_text": (m.get("owners") or {}).get("text") or "",
        "period_start": _be_text(period.get("start")), "period_end": _be_text(period.get("end")),
        "period_text": period.get("text") or "", "constraints": m.get("constraints") or "",
        "monitoring_text": monitoring.get("text") or "", "monitoring_by": monitoring.get("by") or "",
        "monitoring_mode": "every" if monitoring.get("every_days") and not monitoring.get("rounds") else "dates",
        "every_days": str(monitoring.get("every_days") or ""),
        "rounds": "\n".join(_be_text(d) for d in monitoring.get("rounds") or []),
        "deadlines": "\n".join(f"{_be_text(d.get('date'))} {d.get('title', '')}"
                               for d in monitoring.get("deadlines") or []),
    }
    owners = [f"group:{k}" for k in (m.get("owners") or {}).get("groups") or []]
    owners += [f"person:{k}" for k in (m.get("owners") or {}).get("people") or []]
    steps = [_step_row(s) for s in m.get("steps") or []]
    return MeasureForm(values=values, owners=owners, steps=steps)


def _step_row(s: str | dict) -> dict[str, str]:
    if isinstance(s, str):
        s = {"title": s}
    owner = s.get("owner")
    if isinstance(owner, dict):
        owner = f"person:{owner['person']}" if owner.get("person") else f"group:{owner.get('group')}"
    elif owner:
        owner = f"group:{owner}"
    return {"title": str(s.get("title") or ""), "kind": s.get("kind") or "task", "owner": owner or "",
            "reviewer": s.get("reviewer") or "", "due": _be_text(s.get("due")),
            "repeat": "1" if s.get("repeat") == "monthly" else "", "parallel": "1" if s.get("parallel") else "",
            "evidence": str(s.get("evidence") or "")}


_MEASURE_FIELDS = ("code", "title", "items", "weakness", "improvement", "owners_text", "period_start", "period_end",
                   "period_text", "constraints", "monitoring_text", "monitoring_by", "monitoring_mode", "every_days",
                   "rounds", "deadlines")
_STEP_FIELDS = ("title", "kind", "owner", "reviewer", "due", "repeat", "parallel", "evidence")


def read_form(values: Mapping[str, str], owners: list[str]) -> MeasureForm:
    """A submitted measure form as typed (no checks yet): the step rows ``step-N-field``."""
    typed = {k: str(values.get(k) or "")[:MAX_TEXT] for k in _MEASURE_FIELDS}
    try:
        count = min(int(values.get("steps") or 0), MAX_STEPS)
    except ValueError:
        count = 0
    steps = [{f: str(values.get(f"step-{i}-{f}") or "")[:MAX_TEXT] for f in _STEP_FIELDS} for i in range(count)]
    return MeasureForm(values=typed, owners=[o for o in owners if o], steps=steps)


_NUMBERING = re.compile(
    r"^\s*(?:ขั้นตอนที่\s*[0-9๐-๙]+\s*[:.)]?|\(\s*[0-9๐-๙]+\s*\)|[0-9๐-๙]+(?:\.[0-9๐-๙]+)*[.)](?!\d)"
    r"|[0-9๐-๙]+(?:\.[0-9๐-๙]+)+(?=\s)|[-–—•*·●○▪➢>])\s*")


def pasted_steps(text: str) -> list[str]:
    """Steps pasted as a list, one a line, their numbering (``1.``, ``(๒)``, ``๓)``, ``-``, ``•``) taken off."""
    out = []
    for line in (text or "").splitlines():
        title = " ".join(_NUMBERING.sub("", line, count=1).split())
        if title:
            out.append(title[:MAX_TEXT])
    return out


def rearrange(form: MeasureForm, action: str, pasted: str = "") -> MeasureForm:
    """Add, remove or move a step row (``add``, ``remove:N``, ``up:N``, ``down:N``): only the form changes."""
    steps = form.steps
    name, _, raw = action.partition(":")
    n = int(raw) if raw.isdigit() else -1
    if name == "add" and len(steps) < MAX_STEPS:
        steps.append({f: "" for f in _STEP_FIELDS} | {"kind": "task"})
        form.focus = len(steps) - 1
    elif name == "paste":
        titles = pasted_steps(pasted)[:MAX_STEPS - len(steps)]
        if not titles:
            form.errors["paste"] = ("วางขั้นตอนบรรทัดละหนึ่งขั้นตอน เช่น ๑. จัดทำแผน", "paste one step a line")
            return form
        form.focus = len(steps)
        # an empty row (just added) is filled first
        while steps and not any(v for k, v in steps[-1].items() if k != "kind") and titles:
            steps.pop()
            form.focus = len(steps)
        steps.extend({f: "" for f in _STEP_FIELDS} | {"kind": "task", "title": t} for t in titles)
    elif name == "remove" and 0 <= n < len(steps):
        del steps[n]
        form.focus = min(n, len(steps) - 1) if steps else None
    elif name == "up" and 0 < n < len(steps):
        steps[n - 1], steps[n] = steps[n], steps[n - 1]
        form.focus = n - 1
    elif name == "down" and 0 <= n < len(steps) - 1:
        steps[n + 1], steps[n] = steps[n], steps[n + 1]
        form.focus = n + 1
    else:
        return form
    form.changed = True
    return form


def _day(value: str, errors: dict, key: str, *, required: bool, month_ok: bool = False) -> date | None:
    value = value.strip()
    if not value:
        if required:
            errors[key] = ("ใส่วันที่ เช่น ๓๐/๐๕/๒๕๖๗", "give a date such as 30/05/2567")
        return None
    try:
        return parse_thai_month(value) if month_ok else parse_thai_date(value)
    except ThaiDateError:
        errors[key] = ("อ่านวันที่ไม่ได้ ใช้ วว/ดด/ปปปป (พ.ศ.) เช่น ๓๐/๐๕/๒๕๖๗ หรือ ๓๐ พ.ค. ๒๕๖๗",
                       "cannot read the date; write dd/mm/yyyy (BE) such as 30/05/2567")
        return None


def build_measure(form: MeasureForm, document: dict) -> dict:
    """The measure the form describes, in the file's shape; every field to fix in ``form.errors``."""
    v, errors = form.values, form.errors
    groups, people = document.get("groups") or {}, document.get("people") or {}
    year = document.get("fiscal_year")
    bounds = fiscal_year_bounds(int(year)) if isinstance(year, int) else None
    code = to_arabic_digits(v["code"]).strip()
    if not re.fullmatch(r"\d+(\.\d+)*", code):
        errors["code"] = ("รหัสมาตรการเป็นตัวเลข เช่น ๑.๔", "the measure's code is a number such as 1.4")
    for key, th, en in (("title", "ใส่ชื่อมาตรการ", "give the measure's title"),
                        ("weakness", "ใส่ประเด็นที่เป็นข้อบกพร่อง", "give the weakness it fixes"),
                        ("improvement", "ใส่ประเด็นที่จะพัฒนา", "give what it improves")):
        if not v[key].strip():
            errors[key] = (th, en)
    start = _day(v["period_start"], errors, "period_start", required=True, month_ok=True)
    end = _day(v["period_end"], errors, "period_end", required=True)
    if start and end and end < start:
        errors["period_end"] = ("วันสิ้นสุดอยู่ก่อนวันเริ่ม", "the end is before the start")
    for key, day in (("period_start", start), ("period_end", end)):
        if day and bounds and not bounds[0] <= day <= bounds[1] and key not in errors:
            errors[key] = (f"อยู่นอกปีงบประมาณ {year} (๑ ต.ค. {bounds[0].year + 543} – ๓๐ ก.ย. {year})",
                           f"outside fiscal year {year}")
    owner_groups = [o[6:] for o in form.owners if o.startswith("group:") and o[6:] in groups]
    owner_people = [o[7:] for o in form.owners if o.startswith("person:") and o[7:] in people]
    if not owner_groups and not owner_people:
        errors["owners"] = ("เลือกกลุ่มหรือบุคคลผู้รับผิดชอบอย่างน้อยหนึ่ง", "choose at least one owner group or person")
    steps = []
    for i, row in enumerate(form.steps):
        steps.append(_build_step(i, row, groups, people, errors, bounds, year))
    if not steps:
        errors["steps"] = ("เพิ่มขั้นตอนอย่างน้อยหนึ่งขั้นตอน", "add at least one step")
    monitoring = _build_monitoring(v, groups, errors, start, end)
    items = [{"raw": " ".join(line.split())} for line in v["items"].splitlines() if line.strip()]
    constraints = " ".join(v["constraints"].split()) or None
    return {"code": code, "title": " ".join(v["title"].split()), "items": items,
            "weakness": v["weakness"].strip(), "improvement": v["improvement"].strip(),
            "owners": {"text": " ".join(v["owners_text"].split()), "groups": owner_groups, "people": owner_people},
            "steps": steps, "monitoring": monitoring,
            "period": {"text": " ".join(v["period_text"].split()), "start": _be_iso(start) if start else None,
                       "end": _be_iso(end) if end else None},
            "constraints": constraints}


def _build_step(i: int, row: dict[str, str], groups: dict, people: dict, errors: dict,
                bounds: tuple[date, date] | None, year: object) -> dict:
    key = f"step-{i}-"
    step: dict = {"title": " ".join(row["title"].split())}
    if not step["title"]:
        errors[key + "title"] = ("ใส่ชื่อขั้นตอน หรือกด 'ลบ' ถ้าไม่ใช้", "give the step's title, or remove it")
    kind = row["kind"] if row["kind"] in ("task", "review") else "task"
    if kind == "review":
        step["kind"] = "review"
        if row["reviewer"] not in groups:
            errors[key + "reviewer"] = ("เลือกกลุ่มที่ผู้อำนวยการกลุ่มเป็นผู้ตรวจ", "choose the group whose director checks")
        else:
            step["reviewer"] = row["reviewer"]
        if i == 0:
            errors[key + "kind"] = ("ขั้นตอนแรกเป็นการตรวจสอบไม่ได้ ต้องมีงานให้ตรวจก่อน",
                                    "the first step cannot be a review: there is nothing to check yet")
    owner = row["owner"]
    if owner.startswith("group:") and owner[6:] in groups:
        step["owner"] = {"group": owner[6:]}
    elif owner.startswith("person:") and owner[7:] in people:
        step["owner"] = {"person": owner[7:]}
    elif owner:
        errors[key + "owner"] = ("เลือกผู้รับผิดชอบจากรายการ", "choose the owner from the list")
    due = _day(row["due"], errors, key + "due", required=False)
    if due and bounds and not bounds[0] <= due <= bounds[1]:
        errors[key + "due"] = (f"อยู่นอกปีงบประมาณ {year}", f"outside fiscal year {year}")
    if due:
        step["due"] = _be_iso(due)
    if row["repeat"]:
        step["repeat"] = "monthly"
    if row["parallel"] and i > 0:
        step["parallel"] = True
    if row["evidence"].strip():
        step["evidence"] = " ".join(row["evidence"].split())
    return step


def _build_monitoring(v: dict[str, str], groups: dict, errors: dict, start: date | None, end: date | None) -> dict:
    monitoring: dict = {"text": v["monitoring_text"].strip(), "by": None, "rounds": []}
    if v["monitoring_by"]:
        if v["monitoring_by"] in groups:
            monitoring["by"] = v["monitoring_by"]
        else:
            errors["monitoring_by"] = ("เลือกกลุ่มจากรายการ", "choose a group from the list")
    mode = v["monitoring_mode"] if v["monitoring_mode"] in MODES else "dates"
    # with dates too, as memos write "every 15 days, on ..."
    if mode == "every" or (mode == "dates" and v["every_days"].strip()):
        try:
            every = int(to_arabic_digits(v["every_days"]).strip())
            if not 1 <= every <= 366:
                raise ValueError
            monitoring["every_days"] = every
        except ValueError:
            errors["every_days"] = ("ใส่จำนวนวัน ๑–๓๖๖ เช่น ๑๕", "give a number of days 1-366 such as 15")
    # "every": the rounds are planned from the period's start when the cycle is loaded
    if mode in FREQUENCIES:
        if start and end:
            monitoring["rounds"] = [_be_iso(d) for d in frequency_dates(mode, start, end)]
    elif mode == "dates":
        days = []
        for n, line in enumerate(v["rounds"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                day = parse_thai_date(line.strip())
            except ThaiDateError:
                errors["rounds"] = (f"บรรทัดที่ {n}: อ่านวันที่ไม่ได้ ใช้ วว/ดด/ปปปป เช่น ๓๐/๐๕/๒๕๖๗",
                                    f"line {n}: cannot read the date; write dd/mm/yyyy such as 30/05/2567")
                continue
            if start and end and not start <= day <= end:
                errors["rounds"] = (f"บรรทัดที่ {n}: วันติดตามอยู่นอกระยะเวลาดำเนินการ", f"line {n}: outside the period")
            days.append(day)
        if len(set(days)) != len(days):
            errors["rounds"] = ("มีวันติดตามซ้ำกัน", "a round date repeats")
        monitoring["rounds"] = [_be_iso(d) for d in sorted(set(days))]
    deadlines = []
    for n, line in enumerate(v["deadlines"].splitlines(), start=1):
        if not line.strip():
            continue
        named, title = _dated_line(line)
        if named is None or not title:
            errors["deadlines"] = (f"บรรทัดที่ {n}: เขียนวันที่แล้วตามด้วยชื่องาน เช่น ๑๐/๐๖/๒๕๖๗ รายงานความเสี่ยง",
                                   f"line {n}: write the date, then what is due, e.g. 10/06/2567 risk report")
            continue
        deadlines.append({"title": title, "date": _be_iso(named)})
    if deadlines:
        monitoring["deadlines"] = deadlines
    return monitoring


def _dated_line(line: str) -> tuple[date | None, str]:
    words = line.split()
    for n in (3, 1):  # "๑๐ มิ.ย. ๒๕๖๗ งาน" or "10/06/2567 งาน"
        try:
            return parse_thai_date(" ".join(words[:n])), " ".join(words[n:])
        except ThaiDateError:
            continue
    return None, ""


def rounds_preview(measure: dict, policy: str) -> list[tuple[date, date, str | None]]:
    """The days a measure's monitoring is planned and the days it is held (weekends and holidays moved)."""
    monitoring = measure.get("monitoring") or {}
    period = measure.get("period") or {}
    try:
        start, end = parse_thai_date(period["start"]), parse_thai_date(period["end"])
    except (KeyError, TypeError, ThaiDateError):
        return []
    if monitoring.get("every_days") and not monitoring.get("rounds"):  # named dates win, as when loaded
        days = every_dates(start, end, int(monitoring["every_days"]))
    else:
        days = []
        for d in monitoring.get("rounds") or []:
            try:
                days.append(parse_thai_date(d))
            except ThaiDateError:
                continue
    return held_on(days, policy)


def due_flags(measure: dict, policy: str) -> dict[int, tuple[date, date, str, str]]:
    """Steps (by index) whose due day falls on a weekend or a Thai holiday: (due, the day loading will hold
    it, why in Thai, why in English). Steps with no due day are due at the period's end, flagged as such.
    Loading moves them by the draft's deadline policy, never past the measure's period end."""
    from workflow.calendar import WorkingCalendar

    calendar = WorkingCalendar()
    period = measure.get("period") or {}
    try:
        end = parse_thai_date(str(period.get("end")))
    except ThaiDateError:
        end = None
    flags = {}
    for i, st in enumerate(measure.get("steps") or []):
        if not isinstance(st, dict) or st.get("repeat"):
            continue
        try:
            due = parse_thai_date(str(st["due"])) if st.get("due") else end
        except ThaiDateError:
            continue
        if due is None:
            continue
        held = calendar.adjust_within(due, policy if policy in ("previous", "next") else "next", end)
        if held.moved:
            flags[i] = (due, held.day, held.reason_th or "", held.reason_en or "")
    return flags


def day_off(value: str) -> tuple[str, str] | None:
    """Why a typed day (``15/06/2567``) is not a working day, or None (a working day, or not a date)."""
    from workflow.calendar import WorkingCalendar

    try:
        day = parse_thai_date(value.strip())
    except (ThaiDateError, AttributeError):
        return None
    check = WorkingCalendar().check(day)
    return None if check.working else (check.reason_th or "", check.reason_en or "")


def holidays_of(fiscal_year: object) -> dict[str, str]:
    """The Thai public holidays of a fiscal year (ISO day: Thai name), for the BE date picker to mark."""
    from workflow.calendar import WorkingCalendar

    try:
        first, last = fiscal_year_bounds(int(str(fiscal_year)))
    except ValueError:
        return {}
    calendar = WorkingCalendar()
    out, day = {}, first
    while day <= last:
        if day.weekday() < 5:
            check = calendar.check(day)
            if not check.working:
                out[day.isoformat()] = check.reason_th or ""
        day = date.fromordinal(day.toordinal() + 1)
    return out


def owner_notes(measure: dict, document: dict) -> list[tuple[str, str]]:
    """What the draft says about a measure's owners: a measure with several owner groups gives each step that
    names no owner to all of them together (their members see it, may act on it and hear its alerts)."""
    groups = document.get("groups") or {}
    owner_groups = [k for k in (measure.get("owners") or {}).get("groups") or [] if k in groups]
    if len(owner_groups) < 2:
        return []
    defaulted = [str(i) for i, st in enumerate(measure.get("steps") or [], start=1)
                 if not (isinstance(st, dict) and (st.get("owner") or st.get("kind") == "review"))]
    if not defaulted:
        return []
    names = " และ ".join(f"'{groups[k].get('name') or k}'" for k in owner_groups)
    names_en = " and ".join(f"'{groups[k].get('name') or k}'" for k in owner_groups)
    steps = ", ".join(defaulted)
    return [(f"ขั้นตอนที่ {steps} ไม่ได้เลือกผู้รับผิดชอบ จึงเป็นของ {names} ร่วมกัน (สมาชิกทุกกลุ่มเห็นงาน ทำได้ "
             f"และได้รับการแจ้งเตือน) ถ้าต้องการให้เป็นของกลุ่มเดียว เลือกผู้รับผิดชอบของขั้นตอนในแบบฟอร์ม",
             f"step(s) {steps} name no owner, so they belong to {names_en} together (every group's members see "
             f"them, may act on them and are alerted); to give one to a single group, choose its owner in the form")]


def save_measure(draft_id: int, index: int, *, actor_id: int, now: datetime, expected_version: int | None,
                 form: MeasureForm) -> Draft:
    """Write the measure the form describes (a new one when index is past the last), or raise FieldErrors
    with every field to fix (nothing written)."""
    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    doc = copy.deepcopy(draft.document)
    measures = list(doc.get("measures") or [])
    if not 0 <= index <= len(measures):
        raise NotFound(f"ไม่พบมาตรการลำดับที่ {index + 1}", f"no measure {index + 1}")
    measure = build_measure(form, doc)
    if any(m.get("code") == measure["code"] for i, m in enumerate(measures) if i != index):
        form.errors["code"] = ("รหัสมาตรการนี้มีแล้วในร่าง", "another measure of the draft has this code")
    if form.errors:
        raise FieldErrors(form.errors)
    resolved: list[int] = []
    if index == len(measures):
        measures.append(measure)
    else:
        resolved = _resolve_notes(draft, index, _changed_fields(form_of(draft, index), form))
        measures[index] = measure
    doc["measures"] = measures
    _save(draft, doc, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"measure": measure["code"], "steps": len(measure["steps"]),
                                           **({"notes_resolved": resolved} if resolved else {})})
    return draft


def remove_measure(draft_id: int, index: int, *, actor_id: int, now: datetime, expected_version: int | None
                   ) -> Draft:
    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    doc = copy.deepcopy(draft.document)
    measures = list(doc.get("measures") or [])
    if not 0 <= index < len(measures):
        raise NotFound(f"ไม่พบมาตรการลำดับที่ {index + 1}", f"no measure {index + 1}")
    removed = measures.pop(index)
    doc["measures"] = measures
    source = dict(draft.source or {})
    if source.get("sources") and index < len(source["sources"]):  # its memo text goes with it
        source["sources"] = [s for i, s in enumerate(source["sources"]) if i != index]
        draft.source = source
    _save(draft, doc, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"removed": removed.get("code")})
    return draft


def add_group(draft_id: int, *, actor_id: int, now: datetime, expected_version: int | None, name: str) -> str:
    """A work group added on the spot (by its name); its key, for the owner lists."""
    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    name = " ".join((name or "").split())
    if not name:
        raise FieldErrors({"group_name": ("ใส่ชื่อกลุ่ม เช่น กลุ่มอำนวยการ", "give the group's name")})
    if len(name) > 200:
        raise FieldErrors({"group_name": ("ชื่อกลุ่มยาวเกิน ๒๐๐ ตัวอักษร", "the name is longer than 200 characters")})
    doc = copy.deepcopy(draft.document)
    groups = dict(doc.get("groups") or {})
    if any(g.get("name") == name for g in groups.values()):
        raise FieldErrors({"group_name": ("มีกลุ่มชื่อนี้แล้ว", "a group of that name is there already")})
    n = len(groups) + 1
    while f"g{n}" in groups:
        n += 1
    groups[f"g{n}"] = {"name": name}
    doc["groups"] = groups
    _save(draft, doc, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"group_added": name})
    return f"g{n}"


def add_person(draft_id: int, *, actor_id: int, now: datetime, expected_version: int | None, name: str,
               group: str | None, email: str | None) -> str:
    """A person added on the spot (name, group, e-mail): their key, for the owner lists."""
    from workflow.vocabulary import EMAIL_PATTERN

    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    doc = copy.deepcopy(draft.document)
    groups, people = doc.get("groups") or {}, dict(doc.get("people") or {})
    errors: dict[str, tuple[str, str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["person_name"] = ("ใส่ชื่อ-นามสกุล", "give the person's name")
    if group and group not in groups:
        errors["person_group"] = ("เลือกกลุ่มจากรายการ", "choose a group from the list")
    email = (email or "").strip().lower() or None
    if email and not EMAIL_PATTERN.match(email):
        errors["person_email"] = ("อีเมลไม่ถูกต้อง เช่น name@example.go.th", "not an e-mail address")
    elif email and (any(p.get("email") == email for p in people.values()) or db.session.execute(
            select(User.id).where(User.email == email)).first()):
        errors["person_email"] = ("อีเมลนี้มีผู้ใช้แล้ว", "this e-mail belongs to someone already")
    if errors:
        raise FieldErrors(errors)
    n = len(people) + 1
    while f"p{n}" in people:
        n += 1
    people[f"p{n}"] = {"name": name, "group": group or None, **({"email": email} if email else {})}
    doc["people"] = people
    _save(draft, doc, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"person_added": name})
    return f"p{n}"


def _person_uses(doc: dict, key: str) -> tuple[list[str], list[str]]:
    """The measures (codes) a person owns, and those with steps the person owns."""
    owns, steps = [], []
    for m in doc.get("measures") or []:
        code = str(m.get("code") or "?")
        if key in ((m.get("owners") or {}).get("people") or []):
            owns.append(code)
        if any(isinstance(s, dict) and (s.get("owner") == key or (isinstance(s.get("owner"), dict)
                                                                   and s["owner"].get("person") == key))
               for s in m.get("steps") or []):
            steps.append(code)
    return owns, steps


def save_person(draft_id: int, key: str, *, actor_id: int, now: datetime, expected_version: int | None,
                name: str, position: str | None, group: str | None, email: str | None) -> Draft:
    """A person of the draft as the officer corrects them (a job title read as a name, a missing unit)."""
    from workflow.vocabulary import EMAIL_PATTERN

    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    doc = copy.deepcopy(draft.document)
    groups, people = doc.get("groups") or {}, dict(doc.get("people") or {})
    if key not in people:
        raise NotFound(f"ไม่พบบุคคล '{key}' ในร่าง", f"no person '{key}' in the draft")
    errors: dict[str, tuple[str, str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ("ใส่ชื่อ-นามสกุล", "give the person's name")
    elif len(name) > 255:
        errors["name"] = ("ชื่อยาวเกิน ๒๕๕ ตัวอักษร", "the name is longer than 255 characters")
    position = " ".join((position or "").split())[:255] or None
    if group and group not in groups:
        errors["group"] = ("เลือกกลุ่มจากรายการ", "choose a group from the list")
    email = (email or "").strip().lower() or None
    if email and not EMAIL_PATTERN.match(email):
        errors["email"] = ("อีเมลไม่ถูกต้อง เช่น name@example.go.th", "not an e-mail address")
    elif email and email != people[key].get("email") and (
            any(p.get("email") == email for k, p in people.items() if k != key)
            or db.session.execute(select(User.id).where(User.email == email)).first()):
        errors["email"] = ("อีเมลนี้มีผู้ใช้แล้ว", "this e-mail belongs to someone already")
    if errors:
        raise FieldErrors(errors)
    before = dict(people[key])
    person = {k: v for k, v in people[key].items() if k not in ("name", "position", "group", "email")}
    person.update(name=name, group=group or None)
    if position:
        person["position"] = position
    if email:
        person["email"] = email
    people[key] = person
    doc["people"] = people
    _save(draft, doc, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"person": key, "from": before, "to": person})
    return draft


def remove_person(draft_id: int, key: str, *, actor_id: int, now: datetime, expected_version: int | None,
                  takeover: str | None) -> Draft:
    """Take a person out of the draft (they never become an account). One who owns a measure or steps is
    replaced by ``takeover`` (``group:k`` or ``person:k``); without one, refused with the measures named."""
    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    doc = copy.deepcopy(draft.document)
    groups, people = doc.get("groups") or {}, dict(doc.get("people") or {})
    if key not in people:
        raise NotFound(f"ไม่พบบุคคล '{key}' ในร่าง", f"no person '{key}' in the draft")
    owns, steps = _person_uses(doc, key)
    codes = sorted(set(owns) | set(steps), key=lambda c: [int(x) if x.isdigit() else 0 for x in c.split(".")])
    takeover = takeover or None
    kind, _, other = (takeover or "").partition(":")
    if takeover and not ((kind == "group" and other in groups) or (kind == "person" and other in people
                                                                     and other != key)):
        raise FieldErrors({"takeover": ("เลือกผู้รับผิดชอบแทนจากรายการ", "choose who takes over from the list")})
    if codes and not takeover:
        name = people[key].get("name") or key
        listed = ", ".join(codes)
        raise FieldErrors({"takeover": (
            f"ลบ '{name}' ไม่ได้: เป็นผู้รับผิดชอบในมาตรการ {listed} เลือกกลุ่มหรือบุคคลที่รับผิดชอบแทนก่อน",
            f"'{name}' owns measure(s) {listed}: choose who takes over first")})
    for m in doc.get("measures") or []:
        owners = m.setdefault("owners", {})
        if key in (owners.get("people") or []):
            kept = [p for p in owners["people"] if p != key]
            target = kept if kind == "person" else owners.setdefault("groups", [])
            if other not in target:
                target.append(other)
            owners["people"] = kept
        for st in m.get("steps") or []:
            if isinstance(st, dict) and (st.get("owner") == key or (isinstance(st.get("owner"), dict)
                                                                    and st["owner"].get("person") == key)):
                st["owner"] = {kind: other}
    for g in groups.values():
        for role in ("director", "acting_director"):
            if g.get(role) == key:
                g[role] = None
    removed = people.pop(key)
    doc["people"] = people
    _save(draft, doc, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"person_removed": removed.get("name"), "takeover": takeover,
                                           "measures": codes})
    return draft


def directorless_reviewers(draft: Draft) -> list[tuple[str, str]]:
    """Groups (key, name) that decide a review step of the draft and have no director, neither in the draft
    nor in the agency: loading would leave their reviews with no one to decide them."""
    doc = draft.document
    groups = doc.get("groups") or {}
    wanted = []
    for m in doc.get("measures") or []:
        for st in m.get("steps") or []:
            if isinstance(st, dict) and st.get("kind") == "review" and st.get("reviewer") in groups \
                    and st["reviewer"] not in wanted:
                wanted.append(st["reviewer"])
    found = []
    for key in wanted:
        if groups[key].get("director"):
            continue
        existing = db.session.execute(select(Group).where(Group.agency_id == draft.agency_id, Group.key == key)
                                      ).scalar_one_or_none()
        if existing is not None and existing.director_id is not None:
            continue
        found.append((key, groups[key].get("name") or key))
    return found


def director_candidates(draft: Draft) -> list[User]:
    return list(db.session.execute(select(User).where(User.agency_id == draft.agency_id, User.active.is_(True))
                                   .order_by(User.name)).scalars())


def name_director(draft_id: int, group: str, *, actor_id: int, now: datetime, expected_version: int | None,
                  user_id: int | None) -> Draft:
    """The director of a group of the draft, chosen among the agency's users (None: left without one)."""
    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    doc = copy.deepcopy(draft.document)
    groups, people = doc.get("groups") or {}, dict(doc.get("people") or {})
    if group not in groups:
        raise NotFound(f"ไม่พบกลุ่ม '{group}' ในร่าง", f"no group '{group}' in the draft")
    if user_id is None:
        groups[group]["director"] = None
        doc["people"] = people
    else:
        user = db.session.get(User, user_id)
        if user is None or user.agency_id != draft.agency_id or not user.active:
            raise FieldErrors({f"director-{group}": ("เลือกผู้ใช้ของหน่วยงานจากรายการ",
                                                     "choose a user of the agency from the list")})
        key = user.key or next((k for k, p in people.items() if user.email and p.get("email") == user.email), None)
        if key is None:
            key = f"u{user.id}"
        if key not in people:
            people[key] = {"name": user.name, "group": group, **({"email": user.email} if user.email else {})}
        groups[group]["director"] = key
        doc["people"] = people
    _save(draft, doc, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"group": group, "director": groups[group]["director"]})
    return draft


# -- confirming ----------------------------------------------------------------------------------------------


def past_question(draft: Draft, now: datetime) -> tuple[str, str] | None:
    """What to ask beside the confirm button when the draft has dates already past (a memo loaded late), or
    None (no such dates, or the draft does not load yet)."""
    from workflow.engine.definitions import parse_definitions
    from workflow.engine.instantiate import past_dates
    from workflow.thaidate import bangkok_today

    try:
        doc = parse_definitions(to_yaml(draft), draft.name or "draft")
    except DefinitionError:
        return None
    past = past_dates(doc, bangkok_today(now))
    return past.message() if past else None


def confirm(draft_id: int, *, actor_id: int, now: datetime, expected_version: int | None, past_ok: bool):
    """Load the draft as a cycle (as ``itaflow load`` would) and drop it. Raises DefinitionError with what to
    fix, or ValidationError when dates are past and the person has not said to go on (nothing written)."""
    from workflow.engine.definitions import parse_definitions
    from workflow.engine.instantiate import instantiate, past_dates
    from workflow.thaidate import bangkok_today

    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    doc = parse_definitions(to_yaml(draft), draft.name or "draft")
    past = past_dates(doc, bangkok_today(now))
    if past and not past_ok:
        th, en = past.message()
        raise ValidationError(th, en, past=True)
    result = instantiate(doc, actor_id=actor_id, now=now, source_name=draft.name or "editor",
                         agency_id=draft.agency_id)
    own_list = (draft.source or {}).get("framework_id")  # a draft made from a cycle assessed by the agency's list
    if own_list is not None and result.cycle.framework_id is None:
        from workflow.models import Framework

        kept = db.session.get(Framework, own_list)
        if kept is not None and kept.agency_id == draft.agency_id:
            result.cycle.framework_id = kept.id
    audit.record("draft_confirmed", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"cycle": result.cycle.id})
    db.session.delete(draft)
    db.session.flush()
    return result


def discard(draft_id: int, *, actor_id: int, now: datetime, expected_version: int | None) -> None:
    draft = get(draft_id, actor_id=actor_id)
    _check_version(draft, expected_version)
    audit.record("draft_discarded", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"name": draft.name})
    db.session.delete(draft)
    db.session.flush()
