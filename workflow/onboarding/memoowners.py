"""Who owns a measure, as a memo's owner cell writes it: people (with their rank or title, and their unit in
brackets or beside them), units (กลุ่ม, กอง, งาน, ฝ่าย, ศูนย์...), job titles that are never a person. Read for
``workflow.onboarding.importer``."""

from __future__ import annotations

import re

#: a job title or position: never a person's name ("ครูชำนาญการ (งานทะเบียน)", "หัวหน้างานพัสดุ")
_POSITION = (r"(?:ครู|ผู้อำนวยการ|รองผู้อำนวยการ|หัวหน้า|นัก|เจ้าหน้าที่|เจ้าพนักงาน|ปลัด|รองปลัด|นายก|ผู้ช่วย|พนักงาน"
             r"|ลูกจ้าง|ผู้บริหาร|ผู้ตรวจ|ศึกษานิเทศก์|พยาบาล|แพทย์|เภสัชกร|ข้าราชการ|บุคลากร|คณะ|กรรมการ)")

#: a person as memos name one: นาย/นาง/นางสาว/น.ส., with a rank or title (ดร., ว่าที่ร้อยตรี, พ.ต.ท., ผศ.ดร.) before
_PERSON = re.compile(r"((?:ว่าที่\s?(?:ร้อยตรี|ร\.ต\.)(?:หญิง)?\s?(?:นางสาว|น\.ส\.|นาง|นาย)?"
                     r"|(?:[ก-ฮ]{1,3}\.){2,4}(?:หญิง)?|(?:ผศ|รศ|ศ)\.\s?(?:ดร\.)?"  # ranks: พ.ต.ท., ร.ต.อ.หญิง, ผศ.ดร.
                     r"|(?:ภก|ภญ|นพ|พญ|ทพ|ทพญ|พว)\.(?=\S)"  # a health professional's title: ภก.ธนากร, นพ.สมชาย
                     r"|(?:ดร\.\s?)?(?:นางสาว|น\.ส\.|นาง|นาย)|ดร\.|ครู(?!ประจำ|ทุก|และ|ที่|ผู้|ใน|แนะแนว|อัตรา"
                     r"|ชำนาญ|เชี่ยวชาญ|\s*\())"
                     rf"\s?(?!{_POSITION})[^\s()]+\s+(?!{_POSITION})[^\s()/]+)")
_UNIT_CHAR = r"(?:(?!และ(?:กลุ่ม|กอง|สำนัก|ฝ่าย|งาน)|ร่วมกับ)[^\s/,()])"  # "A และกลุ่มB": two units


#: the learning areas' official names, which have spaces in them
_LEARNING_AREAS = (r"กลุ่มสาระการเรียนรู้(?:สังคมศึกษา\s*ศาสนา\s*และ\s*วัฒนธรรม|วิทยาศาสตร์\s*และ\s*เทคโนโลยี"
                   r"|สุขศึกษา\s*และ\s*พลศึกษา|ภาษาต่างประเทศ|ภาษาไทย|คณิตศาสตร์|ศิลปะ|การงานอาชีพ)")
_GROUP = re.compile(rf"{_LEARNING_AREAS}|กลุ่ม(?!งานที่){_UNIT_CHAR}+"
                    rf"|(?:(?<=[\s(,])|(?<=และ)|(?<=กับ)|(?<=หัวหน้า)|^)(?:กอง|สำนัก|ฝ่าย|ศูนย์|งาน(?!ที่)){_UNIT_CHAR}+")


#: usual keys for the groups of a provincial education office; others get g1, g2...
GROUP_KEYS = {"กลุ่มบริหารงานบุคคล": "hr", "กลุ่มอำนวยการ": "admin", "กลุ่มนโยบายและแผน": "plan",
              "กลุ่มส่งเสริมการศึกษาเอกชน": "private", "กลุ่มลูกเสือ ยุวกาชาดและกิจการนักเรียน": "scouts",
              "กลุ่มนิเทศ ติดตามและประเมินผล": "supervision", "กลุ่มพัฒนาการศึกษา": "development",
              "กลุ่มการเงินและสินทรัพย์": "finance", "กลุ่มกฎหมายและคดี": "legal"}


def _group_key(name: str, groups: dict[str, str]) -> str:
    name = " ".join(name.split())
    if name not in groups:
        key = GROUP_KEYS.get(name) or f"g{len(groups) + 1}"
        while key in groups.values():
            key = f"{key}-{len(groups) + 1}"
        groups[name] = key
    return groups[name]


def _person_group(text: str, m: re.Match, stop: int) -> tuple[str, tuple[int, int]] | None:
    """A person's unit: in brackets right after the name (whatever it is called, unless a position), else the
    first unit after the name (up to the next person), else the last one written before it."""
    after = text[m.end():stop]
    if (bracket := re.match(r"\s*\(([^()]+)\)", after)) and not (
            re.match(_POSITION, bracket[1].strip()) and not _GROUP.search(bracket[1])):
        inner = _GROUP.search(bracket[1])
        if inner:
            return inner[0], (m.end() + bracket.start(1) + inner.start(), m.end() + bracket.start(1) + inner.end())
        return bracket[1].strip(), (m.end() + bracket.start(1), m.end() + bracket.end(1))
    if found := _GROUP.search(after):
        return found[0], (m.end() + found.start(), m.end() + found.end())
    before = [g for g in _GROUP.finditer(text[:m.start()]) if not _PERSON.search(text[g.end():m.start()])]
    return (before[-1][0], before[-1].span()) if before else None


#: a paragraph that is one unit's name with spaces in it ("กองการศึกษา ศาสนาและวัฒนธรรม"): no person, no second
#: unit, no list marks
_WHOLE_UNIT = re.compile(r"^(?:กอง|กลุ่ม|สำนัก|ฝ่าย|งาน|ศูนย์)[^\s/,()]+(?:\s+[^\s/,()]+){1,3}$")


def _whole_units(paragraphs: list[str]) -> list[str]:
    """The paragraphs of an owner cell that are each one unit named with spaces: the whole paragraph is its name
    (the unit pattern stops at a space)."""
    out = []
    for p in (" ".join(p.split()) for p in paragraphs):
        if _WHOLE_UNIT.match(p) and not _PERSON.search(p) and len(_GROUP.findall(p)) == 1 and \
                not re.search(r"และ(?:กอง|กลุ่ม|สำนัก|ฝ่าย|งาน|ศูนย์)|ร่วมกับ|ทุก", p):
            out.append(p)
    return out


def _owners(text, groups, people, report, line, where, paragraphs: list[str] | None = None) -> dict:
    whole = _whole_units(paragraphs or [])
    if whole:
        report.warn(line, f"{where}: อ่านชื่อหน่วยที่มีเว้นวรรคทั้งย่อหน้าเป็นชื่อเดียว: {', '.join(whole)} ตรวจว่าถูกต้อง")
        rest = " / ".join(p for p in (" ".join(x.split()) for x in paragraphs or []) if p and p not in whole)
        found = _owners(rest, groups, people, report, line, where) if rest else {"groups": [], "people": []}
        return {"text": text, "groups": list(dict.fromkeys([_group_key(w, groups) for w in whole] + found["groups"])),
                "people": found["people"]}
    found_people = []
    persons = list(_PERSON.finditer(text))
    taken: list[tuple[int, int]] = [m.span() for m in persons]
    for n, m in enumerate(persons):
        name = m[1]
        group = _person_group(text, m, persons[n + 1].start() if n + 1 < len(persons) else len(text))
        if group:
            taken.append(group[1])
        key = next((k for k, p in people.items() if p["name"] == name), None) or f"p{len(people) + 1}"
        people.setdefault(key, {"name": name, "group": _group_key(group[0], groups) if group else None})
        found_people.append(key)
    # the units nobody's: the measure's owner groups ("นาย ก (งาน ข) และงาน ค": งาน ค owns it too)
    found_groups = [_group_key(g[0], groups) for g in _GROUP.finditer(_sub_units(text))
                    if not any(a < g.end() and g.start() < b for a, b in taken)] if found_people else \
        [_group_key(g, groups) for g in _GROUP.findall(_sub_units(text))]
    if not found_people and not found_groups:
        report.warn(line, f"{where}: ระบุกลุ่มหรือบุคคลผู้รับผิดชอบไม่ได้จาก '{text}'")
    return {"text": text, "groups": list(dict.fromkeys(found_groups)), "people": found_people}


def _sub_units(text: str) -> str:
    """Owners without the unit written in brackets right after a division ("กองคลัง (งานพัสดุ)"): the division
    owns the measure, its unit is where the work sits (kept in the owners' text)."""
    text = re.sub(rf"((?:{_GROUP.pattern}))\s*\((?:{_GROUP.pattern})\)", r"\1", text)
    # "งานพัสดุ สำนักงานคณบดี": a unit, then the office it sits in (no "และ", "/" between): the unit owns it
    return re.sub(rf"((?:{_GROUP.pattern}))\s+สำนักงาน{_UNIT_CHAR}+", r"\1", text)
