"""Measure definitions: a YAML file people edit, validated whole before anything is written.

``parse_definitions`` returns a normalised plain document (CE ISO dates, resolved defaults) that is
stored with the cycle and instantiated by ``workflow.engine.instantiate``. Any problem refuses the whole file
with every place to fix (file, line, Thai and English message). See ``docs/definitions.md``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from workflow.calendar import POLICIES
from workflow.engine.yamlsource import (
    MAX_EXPANDED_NODES,
    DuplicateKeyError,
    ExpansionError,
    LineDict,
    LineList,
    load,
)
from workflow.errors import DefinitionError, Problem
from workflow.models.org import ROLES
from workflow.thaidate import ThaiDateError, parse_thai_date, parse_thai_month, to_arabic_digits
from workflow.vocabulary import EMAIL_PATTERN

FORMAT_VERSION = 1
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_\-]{0,63}$")
_ITEM_CODE = re.compile(r"^\s*([๐O0oEe])\s*([๐-๙0-9]{1,3})(?![๐-๙0-9])")


def parse_item_code(raw: str) -> str | None:
    """``๐๑๔ ...`` is O14 (OCR read the letter O as Thai zero); ``E๑๕ ...`` is E15."""
    m = _ITEM_CODE.match(raw)
    if not m:
        return None
    letter = "E" if m[1] in "Ee" else "O"
    return f"{letter}{int(to_arabic_digits(m[2]))}"


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def err(self, line: int | None, th: str, en: str) -> None:
        self.problems.append(Problem(self.file, line, th, en))

    # typed field readers: report and return None on a wrong value
    def text(self, obj: LineDict, key: str, *, required: bool = True, where: str = "") -> str | None:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(obj.line_of(key), f"{where}ขาดช่อง '{key}' กรุณากรอก",
                         f"{where}missing '{key}': fill it in")
            return None
        if isinstance(value, dict | list):
            self.err(obj.line_of(key), f"ช่อง '{key}' ต้องเป็นข้อความ", f"'{key}' must be text")
            return None
        return " ".join(str(value).split()) if key != "text" else str(value).strip()

    def day(self, obj: LineDict, key: str, *, required: bool = True, month_ok: bool = False) -> date | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.err(obj.line_of(key), f"ขาดวันที่ '{key}'", f"missing date '{key}'")
            return None
        return self.parse_day(str(value), obj.line_of(key), month_ok=month_ok)

    def parse_day(self, value: str, line: int, *, month_ok: bool = False) -> date | None:
        try:
            return parse_thai_month(value) if month_ok else parse_thai_date(value)
        except ThaiDateError as exc:
            self.err(line, exc.message_th, exc.message_en)
            return None

    def mapping(self, obj: Any, line: int, what_th: str, what_en: str) -> LineDict | None:
        if not isinstance(obj, LineDict):
            self.err(line, f"{what_th} ต้องเป็นรายการแบบ ชื่อ: ค่า", f"{what_en} must be a mapping (key: value)")
            return None
        return obj

    def sequence(self, obj: Any, line: int, what_th: str, what_en: str) -> LineList | None:
        if obj is None:
            return LineList()
        if not isinstance(obj, LineList):
            self.err(line, f"{what_th} ต้องเป็นรายการ (ขึ้นต้นแต่ละบรรทัดด้วย -)",
                     f"{what_en} must be a list (each line starting with -)")
            return None
        return obj

    def unknown_keys(self, obj: LineDict, allowed: set[str], where_th: str, where_en: str) -> None:
        for key in obj:
            if key not in allowed:
                self.err(obj.line_of(key), f"{where_th}: ไม่รู้จักช่อง '{key}' (ใช้ได้: {', '.join(sorted(allowed))})",
                         f"{where_en}: unknown field '{key}' (allowed: {', '.join(sorted(allowed))})")


def parse_definitions(text: str, file: str = "<definitions>") -> dict:
    """Validate a definitions file and return its normalised document, or raise DefinitionError."""
    check = _Checker(file)
    try:
        raw = load(text)
    except ExpansionError as exc:
        raise DefinitionError([Problem(
            file, exc.line,
            f"การอ้างอิงซ้ำ (anchor/alias) ขยายเป็นข้อมูลมากเกินไป ({exc.nodes:,} รายการ เกิน {MAX_EXPANDED_NODES:,}) "
            "เขียนข้อมูลตรง ๆ แทนการอ้างอิงซ้อนกัน",
            f"the anchors and aliases expand to too much ({exc.nodes:,} values, more than "
            f"{MAX_EXPANDED_NODES:,}): write the values out instead of nesting aliases",
        )]) from None
    except DuplicateKeyError as exc:
        raise DefinitionError([Problem(
            file, exc.line,
            f"ช่อง '{exc.key}' ซ้ำกับบรรทัด {exc.first_line} ลบอันใดอันหนึ่ง",
            f"key '{exc.key}' repeats the one on line {exc.first_line}: remove one",
        )]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError([Problem(
            file, line,
            f"รูปแบบ YAML ผิด ({reason}) ตรวจการย่อหน้าและเครื่องหมาย : ในบรรทัดนี้",
            f"YAML syntax error ({reason}): check the indentation and colons on this line",
        )]) from None
    if not isinstance(raw, LineDict):
        raise DefinitionError([Problem(file, 1, "ไฟล์ว่างหรือไม่ใช่นิยามมาตรการ",
                                       "the file is empty or is not a definitions document")])
    doc = _document(check, raw)
    if check.problems:
        raise DefinitionError(check.problems)
    return doc


def load_definitions_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DefinitionError([Problem(str(path), None, "ไฟล์ไม่ใช่ข้อความ UTF-8",
                                       "the file is not UTF-8 text")]) from None
    except OSError as exc:
        raise DefinitionError([Problem(str(path), None, f"เปิดไฟล์ไม่ได้: {exc.strerror}",
                                       f"cannot open the file: {exc.strerror}")]) from None
    return parse_definitions(text, str(path))


_TOP = {"format", "agency", "fiscal_year", "title", "memo", "calendar", "reminders", "groups", "people",
        "secretariat", "measures"}
_MEASURE = {"code", "title", "items", "weakness", "improvement", "owners", "steps", "monitoring", "period",
            "constraints"}
_STEP = {"number", "title", "kind", "owner", "reviewer", "reviews", "due", "evidence", "parallel", "repeat"}


def _document(check: _Checker, raw: LineDict) -> dict:
    check.unknown_keys(raw, _TOP, "ระดับบนสุด", "top level")
    fmt = raw.get("format", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        check.err(raw.line_of("format"), f"รองรับ format: {FORMAT_VERSION} เท่านั้น",
                  f"only format: {FORMAT_VERSION} is supported")
    agency = check.text(raw, "agency")
    title = check.text(raw, "title", required=False) or "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
    year = raw.get("fiscal_year")
    if not isinstance(year, int) or not 2500 <= year <= 2700:
        check.err(raw.line_of("fiscal_year"), "fiscal_year ต้องเป็นปีงบประมาณ พ.ศ. เช่น 2567",
                  "fiscal_year must be a Buddhist Era fiscal year such as 2567")
        year = None

    calendar = raw.get("calendar") or LineDict()
    policies = {}
    if check.mapping(calendar, raw.line_of("calendar"), "calendar", "calendar") is not None:
        check.unknown_keys(calendar, {"rounds", "deadlines"}, "calendar", "calendar")
        for key, default in (("rounds", "previous"), ("deadlines", "next")):
            value = calendar.get(key, default)
            if value not in POLICIES:
                check.err(calendar.line_of(key), f"calendar.{key} ต้องเป็น previous หรือ next",
                          f"calendar.{key} must be previous or next")
            policies[key] = value

    reminders = raw.get("reminders", LineList([3, 1]))
    if not isinstance(reminders, list) or not all(isinstance(n, int) and 0 < n <= 30 for n in reminders):
        check.err(raw.line_of("reminders"), "reminders ต้องเป็นรายการจำนวนวันทำการ เช่น [3, 1]",
                  "reminders must be a list of working-day counts such as [3, 1]")
        reminders = [3, 1]

    groups = _groups(check, raw)
    people = _people(check, raw, groups)
    for key, group in groups.items():
        director = group.get("director")
        if director is not None and director not in people:
            check.err(group["_line"], f"ผู้อำนวยการกลุ่ม '{director}' ของกลุ่ม '{key}' ไม่อยู่ใน people",
                      f"director '{director}' of group '{key}' is not in people")
    secretariat = raw.get("secretariat")
    if secretariat is not None and secretariat not in groups:
        check.err(raw.line_of("secretariat"), f"ไม่รู้จักกลุ่ม '{secretariat}' (secretariat)",
                  f"unknown group '{secretariat}' (secretariat)")

    measures = []
    found_seq = check.sequence(raw.get("measures"), raw.line_of("measures"), "measures", "measures")
    if found_seq is not None and not found_seq:
        check.err(raw.line_of("measures"), "ไม่มีมาตรการในไฟล์", "the file has no measures")
    seq = found_seq if found_seq is not None else LineList()
    codes: dict[str, int] = {}
    for index, item in enumerate(seq):
        line = seq.line_of(index)
        m = check.mapping(item, line, "มาตรการ", "a measure")
        if m is None:
            continue
        measure = _measure(check, m, groups, people)
        if measure is None:
            continue
        if measure["code"] in codes:
            check.err(m.line_of("code"), f"รหัสมาตรการ {measure['code']} ซ้ำกับบรรทัด {codes[measure['code']]}",
                      f"measure code {measure['code']} repeats the one on line {codes[measure['code']]}")
        codes[measure["code"]] = m.line_of("code")
        if year is not None:
            _within_year(check, m, measure, year)
        measures.append(measure)

    return {
        "format": FORMAT_VERSION,
        "agency": agency,
        "fiscal_year": year,
        "title": title,
        "memo": _plain(raw.get("memo") or {}),
        "calendar": policies,
        "reminders": list(reminders),
        "groups": {k: {kk: vv for kk, vv in v.items() if kk != "_line"} for k, v in groups.items()},
        "people": {k: {kk: vv for kk, vv in v.items() if kk != "_line"} for k, v in people.items()},
        "secretariat": secretariat,
        "measures": measures,
    }


def _within_year(check: _Checker, m: LineDict, measure: dict, year_be: int) -> None:
    """A cycle is one fiscal year (1 October to 30 September): its periods, rounds, deadlines and due dates lie
    in it. A date outside is almost always a typo in the year (2566 for 2567) or a file of another year."""
    first, last = date(year_be - 544, 10, 1), date(year_be - 543, 9, 30)
    code = measure["code"]
    found: list[tuple[int | None, str, date]] = []
    if measure.get("period"):
        found += [(m.line_of("period"), "ระยะเวลา", measure["period"][k]) for k in ("start", "end")]
    monitoring = m.get("monitoring") if isinstance(m.get("monitoring"), LineDict) else None
    line = monitoring.line_of("rounds") if monitoring is not None else m.line_of("monitoring")
    found += [(line, "การติดตาม", d) for d in measure["monitoring"]["rounds"]]
    line = monitoring.line_of("deadlines") if monitoring is not None else m.line_of("monitoring")
    found += [(line, "กำหนดส่ง", d["date"]) for d in measure["monitoring"]["deadlines"]]
    found += [(m.line_of("steps"), f"ขั้นตอนที่ {s['number']}", s["due"]) for s in measure["steps"] if s.get("due")]
    for line, what, day in found:
        if not first <= day <= last:
            be = f"{day.day}/{day.month}/{day.year + 543}"
            check.err(line, f"มาตรการ {code}: {what} วันที่ {be} อยู่นอกปีงบประมาณ {year_be} "
                            f"(1 ต.ค. {year_be - 1} – 30 ก.ย. {year_be}) ตรวจปี พ.ศ. ที่พิมพ์",
                      f"measure {code}: {what} on {day.isoformat()} lies outside fiscal year {year_be} "
                      f"({first.isoformat()} to {last.isoformat()}); check the year typed")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _groups(check: _Checker, raw: LineDict) -> dict[str, dict]:
    groups: dict[str, dict] = {}
    src = check.mapping(raw.get("groups"), raw.line_of("groups"), "groups", "groups")
    if src is None:
        return groups
    names: dict[str, str] = {}
    for key, value in src.items():
        line = src.line_of(key)
        if not KEY_PATTERN.match(str(key)):
            check.err(line, f"รหัสกลุ่ม '{key}' ใช้ได้เฉพาะอักษรอังกฤษตัวเล็ก ตัวเลข - _",
                      f"group key '{key}' may use only lowercase letters, digits, - and _")
        g = check.mapping(value, line, f"กลุ่ม '{key}'", f"group '{key}'")
        if g is None:
            continue
        check.unknown_keys(g, {"name", "director", "acting_director"}, f"กลุ่ม '{key}'", f"group '{key}'")
        name = check.text(g, "name", where=f"กลุ่ม '{key}': ")
        if name and name in names:
            check.err(g.line_of("name"), f"ชื่อกลุ่ม '{name}' ซ้ำกับกลุ่ม '{names[name]}'",
                      f"group name '{name}' repeats group '{names[name]}'")
        if name:
            names[name] = key
        if g.get("acting_director") is not None and g.get("acting_director") == g.get("director"):
            check.err(g.line_of("acting_director"), f"กลุ่ม '{key}': ผู้รักษาการต้องเป็นผู้อื่น ไม่ใช่ผู้อำนวยการกลุ่มเอง",
                      f"group '{key}': the acting director must be someone other than the director")
        groups[str(key)] = {"name": name, "director": g.get("director"),
                            "acting_director": g.get("acting_director"), "_line": line}
    return groups


def _people(check: _Checker, raw: LineDict, groups: dict) -> dict[str, dict]:
    people: dict[str, dict] = {}
    src = raw.get("people")
    if src is None:
        return people
    if check.mapping(src, raw.line_of("people"), "people", "people") is None:
        return people
    emails: dict[str, str] = {}
    for key, value in src.items():
        line = src.line_of(key)
        if not KEY_PATTERN.match(str(key)):
            check.err(line, f"รหัสบุคคล '{key}' ใช้ได้เฉพาะอักษรอังกฤษตัวเล็ก ตัวเลข - _",
                      f"person key '{key}' may use only lowercase letters, digits, - and _")
        p = check.mapping(value, line, f"บุคคล '{key}'", f"person '{key}'")
        if p is None:
            continue
        check.unknown_keys(p, {"name", "position", "group", "email", "roles"}, f"บุคคล '{key}'", f"person '{key}'")
        name = check.text(p, "name", where=f"บุคคล '{key}': ")
        group = p.get("group")
        if group is not None and group not in groups:
            check.err(p.line_of("group"), f"ไม่รู้จักกลุ่ม '{group}' ของ '{key}' (มี: {', '.join(groups)})",
                      f"unknown group '{group}' for '{key}' (known: {', '.join(groups)})")
        email = p.get("email")
        if email is not None:
            email = str(email).strip().lower()
            if not EMAIL_PATTERN.match(email):
                check.err(p.line_of("email"), f"อีเมล '{email}' ไม่ถูกต้อง", f"'{email}' is not an email address")
            elif email in emails:
                check.err(p.line_of("email"), f"อีเมล '{email}' ซ้ำกับ '{emails[email]}'",
                          f"email '{email}' repeats '{emails[email]}'")
            emails[email] = key
        roles = p.get("roles") or ["staff"]
        if not isinstance(roles, list) or any(r not in ROLES for r in roles):
            check.err(p.line_of("roles"), f"roles ต้องเลือกจาก {', '.join(ROLES)}",
                      f"roles must be chosen from {', '.join(ROLES)}")
            roles = ["staff"]
        if isinstance(roles, list) and "admin" in roles:
            check.err(p.line_of("roles"), "ไฟล์นิยามให้สิทธิ์ผู้ดูแลระบบ (admin) ไม่ได้ ผู้ดูแลระบบเพิ่มสิทธิ์นี้ได้ที่หน้าผู้ดูแลระบบ",
                      "a definitions file cannot grant the admin role: an admin grants it on the admin page")
            roles = [r for r in roles if r != "admin"] or ["staff"]
        people[str(key)] = {"name": name, "position": p.get("position"), "group": group, "email": email,
                            "roles": list(roles), "_line": line}
    return people


def _measure(check: _Checker, m: LineDict, groups: dict, people: dict) -> dict | None:
    check.unknown_keys(m, _MEASURE, "มาตรการ", "measure")
    code = check.text(m, "code")
    if code is None:
        return None
    code = to_arabic_digits(code)
    where = f"มาตรการ {code}: "
    if not re.fullmatch(r"\d+(\.\d+)*", code):
        check.err(m.line_of("code"), f"{where}รหัสต้องเป็นตัวเลขเช่น 1.4", f"measure {code}: code must look like 1.4")
    title = check.text(m, "title", where=where)
    weakness = check.text(m, "weakness", where=where)
    improvement = check.text(m, "improvement", where=where)

    items = []
    for i, it in enumerate(check.sequence(m.get("items"), m.line_of("items"), "items", "items") or []):
        line = m["items"].line_of(i)
        raw_text = it.get("raw") if isinstance(it, dict) else it
        if not isinstance(raw_text, str) or not raw_text.strip():
            check.err(line, f"{where}items ต้องมี raw (ข้อความตามบันทึก)", f"measure {code}: items need raw text")
            continue
        parsed = parse_item_code(raw_text)
        item_code = it.get("code", parsed) if isinstance(it, dict) else parsed
        if item_code is not None and not re.fullmatch(r"[OE]\d{1,3}", str(item_code)):
            check.err(line, f"{where}รหัสตัวชี้วัด '{item_code}' ต้องเป็น O หรือ E ตามด้วยตัวเลข",
                      f"measure {code}: item code '{item_code}' must be O or E and a number")
        entry = {"raw": " ".join(raw_text.split()), "code": item_code}
        if isinstance(it, dict) and it.get("note"):
            entry["note"] = str(it["note"])
        items.append(entry)

    owners = _owners(check, m, groups, people, where, code)
    period = _period(check, m, where, code)
    steps = _steps(check, m, groups, people, owners, where, code)
    monitoring = _monitoring(check, m, groups, where, code)
    if period and monitoring:
        for d in monitoring["rounds"]:
            if not period["start"] <= d <= period["end"]:
                check.err(m.line_of("monitoring"), f"{where}วันติดตาม {d} อยู่นอกระยะเวลาดำเนินการ",
                          f"measure {code}: round {d} lies outside the period")
    constraints = m.get("constraints")
    if isinstance(constraints, str) and re.fullmatch(r"[\s\-–—]*ไม่มี[\s\-–—]*", constraints):
        constraints = None
    return {
        "code": code,
        "title": title,
        "items": items,
        "weakness": weakness,
        "improvement": improvement,
        "owners": owners,
        "steps": steps,
        "monitoring": monitoring,
        "period": period,
        "constraints": " ".join(str(constraints).split()) if constraints else None,
    }


def _owners(check: _Checker, m: LineDict, groups: dict, people: dict, where: str, code: str) -> dict:
    src = check.mapping(m.get("owners"), m.line_of("owners"), f"{where}owners", f"measure {code}: owners")
    if src is None:
        return {"text": "", "groups": [], "people": []}
    check.unknown_keys(src, {"text", "groups", "people"}, f"{where}owners", f"measure {code}: owners")
    found: dict[str, list[str]] = {"groups": [], "people": []}
    for field, known, th, en in (("groups", groups, "กลุ่ม", "group"), ("people", people, "บุคคล", "person")):
        values = check.sequence(src.get(field), src.line_of(field), field, field) or LineList()
        for i, value in enumerate(values):
            if value not in known:
                check.err(values.line_of(i), f"{where}ไม่รู้จัก{th} '{value}' (มี: {', '.join(known)})",
                          f"measure {code}: unknown {en} '{value}' (known: {', '.join(known)})")
            else:
                found[field].append(value)
    if not src.get("groups") and not src.get("people"):
        check.err(src.line, f"{where}ต้องระบุผู้รับผิดชอบอย่างน้อยหนึ่งกลุ่มหรือหนึ่งคน",
                  f"measure {code}: name at least one owner group or person")
    text = check.text(src, "text", required=False) or ""
    return {"text": " ".join(text.split()), **found}


def _period(check: _Checker, m: LineDict, where: str, code: str) -> dict | None:
    src = check.mapping(m.get("period"), m.line_of("period"), f"{where}period", f"measure {code}: period")
    if src is None:
        return None
    start = check.day(src, "start", month_ok=True)
    end = check.day(src, "end")
    if start and end and end < start:
        check.err(src.line_of("end"), f"{where}วันสิ้นสุด ({end}) อยู่ก่อนวันเริ่ม ({start})",
                  f"measure {code}: the end ({end}) is before the start ({start})")
        return None
    if not (start and end):
        return None
    return {"start": start, "end": end, "text": check.text(src, "text", required=False)}


def _steps(check, m, groups, people, owners, where, code) -> list[dict]:
    seq = check.sequence(m.get("steps"), m.line_of("steps"), f"{where}steps", f"measure {code}: steps")
    if not seq:
        check.err(m.line_of("steps"), f"{where}ไม่มีขั้นตอน เพิ่มอย่างน้อยหนึ่งขั้นตอน",
                  f"measure {code}: no steps; add at least one")
        return []
    default_group = owners["groups"][0] if owners["groups"] else None
    default_person = owners["people"][0] if owners["people"] else None
    if default_person and not default_group:
        default_group = people[default_person]["group"]
    steps: list[dict] = []
    numbers: dict[int, int] = {}
    for i, s in enumerate(seq):
        line = seq.line_of(i)
        if isinstance(s, str):
            s = LineDict(title=s)
            s.line, s.key_lines = line, {}
        if check.mapping(s, line, f"{where}ขั้นตอน", f"measure {code}: a step") is None:
            continue
        check.unknown_keys(s, _STEP, f"{where}ขั้นตอน", f"measure {code}: step")
        number = s.get("number", i + 1)
        if not isinstance(number, int) or number < 1:
            check.err(s.line_of("number"), f"{where}เลขขั้นตอนต้องเป็นจำนวนเต็มบวก",
                      f"measure {code}: step number must be a positive whole number")
            continue
        if number in numbers:
            check.err(s.line_of("number"), f"{where}เลขขั้นตอน {number} ซ้ำกับบรรทัด {numbers[number]}",
                      f"measure {code}: step number {number} repeats the one on line {numbers[number]}")
            continue
        numbers[number] = s.line_of("number")
        title = check.text(s, "title", where=f"{where}ขั้นตอนที่ {number}: ")
        kind = s.get("kind", "task")
        if kind not in ("task", "review"):
            check.err(s.line_of("kind"), f"{where}ขั้นตอนที่ {number}: kind ต้องเป็น task หรือ review",
                      f"measure {code}: step {number}: kind must be task or review")
        owner = s.get("owner") or {}
        if isinstance(owner, str):
            owner = {"group": owner} if owner in groups else {"person": owner}
        group, person = owner.get("group"), owner.get("person")
        if group is not None and group not in groups:
            check.err(s.line_of("owner"), f"{where}ขั้นตอนที่ {number}: ไม่รู้จักกลุ่ม '{group}'",
                      f"measure {code}: step {number}: unknown group '{group}'")
        if person is not None and person not in people:
            check.err(s.line_of("owner"), f"{where}ขั้นตอนที่ {number}: ไม่รู้จักบุคคล '{person}'",
                      f"measure {code}: step {number}: unknown person '{person}'")
        co_groups: list[str] = []
        if not owner and kind == "review":
            group, person = None, None  # decided by the reviewer group's director
        elif not owner:
            group, person = default_group, default_person
            co_groups = [g for g in owners["groups"] if g != group]  # the measure's other owner groups too
        elif person and not group:
            group = people.get(person, {}).get("group")
        reviewer = s.get("reviewer")
        if kind == "review":
            if reviewer is None:
                check.err(s.line, f"{where}ขั้นตอนที่ {number} เป็นการตรวจสอบ (review) แต่ไม่มี reviewer "
                          "ระบุกลุ่มที่ผู้อำนวยการกลุ่มเป็นผู้ตรวจ",
                          f"measure {code}: step {number} is a review with no reviewer: name the group "
                          "whose director checks it")
            elif reviewer not in groups:
                check.err(s.line_of("reviewer"), f"{where}ขั้นตอนที่ {number}: ไม่รู้จักกลุ่มผู้ตรวจ '{reviewer}'",
                          f"measure {code}: step {number}: unknown reviewer group '{reviewer}'")
            reviews = s.get("reviews", number - 1)
            if not isinstance(reviews, int) or reviews not in numbers or reviews == number:
                check.err(s.line_of("reviews"), f"{where}ขั้นตอนที่ {number}: ต้องตรวจขั้นตอนก่อนหน้า",
                          f"measure {code}: step {number}: a review must check an earlier step")
        else:
            reviews = None
            if reviewer is not None:
                check.err(s.line_of("reviewer"), f"{where}ขั้นตอนที่ {number}: reviewer ใช้กับ kind: review เท่านั้น",
                          f"measure {code}: step {number}: reviewer is only for kind: review")
        due = check.day(s, "due", required=False)
        repeat = s.get("repeat")
        if repeat not in (None, "monthly"):
            check.err(s.line_of("repeat"), f"{where}ขั้นตอนที่ {number}: repeat ใช้ได้เฉพาะ monthly",
                      f"measure {code}: step {number}: repeat may only be monthly")
        parallel = s.get("parallel", False)
        if not isinstance(parallel, bool):
            check.err(s.line_of("parallel"), f"{where}ขั้นตอนที่ {number}: parallel ต้องเป็น true หรือ false",
                      f"measure {code}: step {number}: parallel must be true or false")
            parallel = False
        steps.append({
            "number": number, "title": title, "kind": kind, "group": group, "person": person,
            "co_groups": co_groups, "reviewer": reviewer if kind == "review" else None, "reviews": reviews,
            "due": due, "evidence": s.get("evidence"), "parallel": parallel and i > 0, "repeat": repeat,
        })
    ordered = [st["number"] for st in steps]
    if ordered != sorted(ordered):
        check.err(seq.line, f"{where}เลขขั้นตอนต้องเรียงจากน้อยไปมาก", f"measure {code}: step numbers must increase")
    return steps


def _monitoring(check, m, groups, where, code) -> dict | None:
    src = m.get("monitoring")
    if src is None:
        return {"text": None, "by": None, "channel": None, "every_days": None, "rounds": [], "deadlines": []}
    if check.mapping(src, m.line_of("monitoring"), f"{where}monitoring", f"measure {code}: monitoring") is None:
        return None
    check.unknown_keys(src, {"text", "by", "channel", "every_days", "rounds", "deadlines"},
                       f"{where}monitoring", f"measure {code}: monitoring")
    by = src.get("by")
    if by is not None and by not in groups:
        check.err(src.line_of("by"), f"{where}ไม่รู้จักกลุ่มผู้ติดตาม '{by}'",
                  f"measure {code}: unknown monitoring group '{by}'")
    every = src.get("every_days")
    if every is not None and (not isinstance(every, int) or not 1 <= every <= 366):
        check.err(src.line_of("every_days"), f"{where}every_days ต้องเป็นจำนวนวัน 1-366",
                  f"measure {code}: every_days must be a number of days 1-366")
        every = None
    rounds = []
    for i, value in enumerate(check.sequence(src.get("rounds"), src.line_of("rounds"), "rounds", "rounds") or []):
        d = check.parse_day(str(value), src["rounds"].line_of(i))
        if d:
            rounds.append(d)
    if len(set(rounds)) != len(rounds):
        check.err(src.line_of("rounds"), f"{where}วันติดตามซ้ำกัน", f"measure {code}: a round date repeats")
    deadlines = []
    for i, value in enumerate(
        check.sequence(src.get("deadlines"), src.line_of("deadlines"), "deadlines", "deadlines") or []
    ):
        line = src["deadlines"].line_of(i)
        d = check.mapping(value, line, "deadline", "deadline")
        if d is None:
            continue
        title = check.text(d, "title", where=f"{where}deadline: ")
        day = check.day(d, "date")
        if title and day:
            deadlines.append({"title": title, "date": day})
    return {"text": check.text(src, "text", required=False), "by": by,
            "channel": check.text(src, "channel", required=False), "every_days": every,
            "rounds": sorted(rounds), "deadlines": deadlines}


def to_json_document(doc: dict) -> dict:
    """The normalised document with dates as ISO strings, to store with the cycle."""
    def conv(value):
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: conv(v) for k, v in value.items()}
        if isinstance(value, list):
            return [conv(v) for v in value]
        return value
    return conv(doc)
