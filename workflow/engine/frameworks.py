"""The year's ITA framework as data. The OIT items change every year (2566: O1-O43, the measures O42 and their
report O43; 2568: O1-O26 with no measures item; 2569: O1-O26, the measures O25 and their report O26), and
parents add their own lists (OVEC's colleges). itaflow ships the lists in ``workflow/data/frameworks/``; an
admin corrects titles or adds a list by uploading the same TSV form. A cycle uses one framework: the one set
on it, else the NACC list for its fiscal year.

A list is a TSV: ``#`` comments (the first says ``key=...; fiscal_year=...; measures=O25; report=O26``, the
second ``name: ...``), a header naming the columns (``code``, ``title``, and any of ``required``, ``subgroup``
or ``subindicator``, ``responsible``, ``previous``), then an item a line. ``previous`` names the items of last
year's list this one carries on (``O36, O37``, of the list the first line says it ``follows=``, or written
``nacc-2568:O25``): what carries a cycle's item codes into the next year. Duplicate codes, missing titles and
codes that are not O or E and a number are refused with their line.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from workflow import audit
from workflow.db import db
from workflow.errors import DefinitionError, NotFound, PermissionDenied, Problem
from workflow.models import Cycle, Framework, User

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "frameworks"
_CODE = re.compile(r"^[OE]\d{1,3}$")
_COLUMNS = {"code": "code", "title": "title", "required": "required", "subgroup": "group", "subindicator": "group",
            "group": "group", "responsible": "responsible", "previous": "previous"}
_QUALIFIED = re.compile(r"^(?:([a-z0-9][a-z0-9\-]{1,63}):)?([OE]\d{1,3})$")
#: the NACC list each fiscal year is assessed by, until the next list comes
_BY_YEAR = [(2567, "nacc-2566"), (2568, "nacc-2568"), (9999, "nacc-2569")]
#: what itaflow's own documents answer
ROLES = ("measures", "report")
MAX_ITEMS = 200


def parse(text: str, name: str = "framework.tsv") -> dict:
    """A framework file read into ``{"key", "name", "fiscal_year", "roles", "items"}``; DefinitionError lists
    every line to fix."""
    problems: list[Problem] = []

    def err(line: int | None, th: str, en: str) -> None:
        problems.append(Problem(name, line, th, en))

    meta: dict = {"key": None, "name": None, "fiscal_year": None, "roles": {}, "follows": None}
    columns: list[str] | None = None
    items: list[dict] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line.startswith("#"):
            if m := re.match(r"^#\s*itaflow framework:\s*(.*)$", line):
                for part in m[1].split(";"):
                    k, _sep, v = part.partition("=")
                    k, v = k.strip(), v.strip()
                    if k == "key":
                        meta["key"] = v
                    elif k == "fiscal_year" and v.isdigit():
                        meta["fiscal_year"] = int(v)
                    elif k in ROLES and v:
                        meta["roles"][k] = v
                    elif k == "follows" and v:
                        meta["follows"] = v
            elif m := re.match(r"^#\s*name:\s*(.+)$", line):
                meta["name"] = m[1].strip()
            continue
        cells = [c.strip() for c in line.split("\t")]
        if columns is None:
            columns = [_COLUMNS.get(c.lower(), "") for c in cells]
            if "code" not in columns or "title" not in columns:
                err(n, "บรรทัดหัวตารางต้องมีคอลัมน์ code และ title (คั่นด้วย Tab)",
                    "the header line needs code and title columns (tab-separated)")
                break
            continue
        item = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns) if c}
        code = item.get("code", "").upper()
        if not _CODE.match(code):
            err(n, f"รหัส '{code}' ต้องเป็น O หรือ E ตามด้วยตัวเลข เช่น O25", f"code '{code}' must be O or E and a number")
            continue
        if code in seen:
            err(n, f"รหัส {code} ซ้ำกับบรรทัด {seen[code]}", f"code {code} repeats line {seen[code]}")
            continue
        seen[code] = n
        if not item.get("title"):
            err(n, f"รายการ {code} ไม่มีชื่อ", f"item {code} has no title")
            continue
        previous = []
        for part in filter(None, (p.strip() for p in (item.get("previous") or "").split(","))):
            m = _QUALIFIED.match(part.upper() if ":" not in part else part)
            follows = (m[1] if m and m[1] else None) or meta["follows"]
            if m is None or follows is None:
                err(n, f"previous '{part}' ต้องเป็นรหัสเช่น O36 (และบรรทัดแรกระบุ follows=) หรือ nacc-2568:O25",
                    f"previous '{part}' must be a code such as O36 (with follows= on the first line) or nacc-2568:O25")
                continue
            previous.append(f"{follows}:{m[2]}")
        items.append({"code": code, "title": item["title"], "required": item.get("required") or None,
                      "group": item.get("group") or None, "responsible": item.get("responsible") or None,
                      **({"previous": previous} if previous else {})})
    if columns is None and not problems:
        err(None, "ไม่พบบรรทัดหัวตาราง (code, title)", "no header line (code, title)")
    if not items and not problems:
        err(None, "ไม่มีรายการในไฟล์", "the file lists no items")
    if len(items) > MAX_ITEMS:
        err(None, f"รายการเกิน {MAX_ITEMS} รายการ", f"more than {MAX_ITEMS} items")
    for role, code in meta["roles"].items():
        if code not in seen:
            err(1, f"{role}={code} ไม่อยู่ในรายการ", f"{role}={code} is not one of the items")
    if not meta["key"] or not re.fullmatch(r"[a-z0-9][a-z0-9\-]{1,63}", meta["key"]):
        err(1, "บรรทัดแรกต้องระบุ '# itaflow framework: key=ชื่อย่อ; fiscal_year=2569'",
            "the first line must say '# itaflow framework: key=short-name; fiscal_year=2569'")
    if problems:
        raise DefinitionError(problems)
    meta["items"] = items
    meta["name"] = meta["name"] or meta["key"]
    return meta


def _read_shipped() -> dict[str, dict]:
    global _SHIPPED_CACHE
    if _SHIPPED_CACHE is None:
        _SHIPPED_CACHE = {}
        for path in sorted(SHIPPED.glob("*.tsv")):
            doc = parse(path.read_text(encoding="utf-8"), path.name)
            _SHIPPED_CACHE[doc["key"]] = doc
    return _SHIPPED_CACHE


_SHIPPED_CACHE: dict[str, dict] | None = None


def shipped(key: str) -> Framework:
    """A shipped list as a framework, read from its file and not stored (reading a page writes nothing)."""
    doc = _read_shipped()[key]
    return Framework(agency_id=None, key=key, name=doc["name"], fiscal_year_be=doc["fiscal_year"],
                     items=doc["items"], roles=doc["roles"])


def _stored_shipped(key: str, now: datetime) -> Framework:
    """A shipped list stored, so that a cycle can point at it (when an admin chooses it)."""
    found = db.session.execute(select(Framework).where(Framework.agency_id.is_(None), Framework.key == key)
                               ).scalar_one_or_none()
    if found is None:
        found = shipped(key)
        found.updated_at = now
        db.session.add(found)
        db.session.flush()
    return found


def key_for_year(fiscal_year_be: int) -> str:
    return next(key for last, key in _BY_YEAR if fiscal_year_be <= last)


def for_cycle(cycle: Cycle) -> Framework:
    """The framework a cycle is assessed by: the one set on it, else the NACC list of its fiscal year."""
    if cycle.framework_id is not None:
        found = db.session.get(Framework, cycle.framework_id)
        if found is not None:
            return found
    return shipped(key_for_year(cycle.fiscal_year_be))


def choice_of(framework: Framework) -> str:
    """How a form names a framework: ``id:5`` when stored, ``key:nacc-2569`` for a shipped list not yet stored."""
    return f"id:{framework.id}" if framework.id is not None else f"key:{framework.key}"


def code_for(cycle: Cycle, role: str) -> str | None:
    """The item code of one of itaflow's documents in the cycle's framework (O42 in 2566, O25 in 2569), or None
    when the year's list has no such item (2568)."""
    return for_cycle(cycle).roles.get(role)


def titles(framework: Framework) -> dict[str, str]:
    return {i["code"]: i["title"] for i in framework.items}


def visible_to(actor_id: int) -> list[Framework]:
    """The shipped lists (stored or not) and those of the actor's agency."""
    actor = db.session.get(User, actor_id)
    if actor is None:
        raise NotFound("ไม่พบผู้ใช้", "no such user")
    stored = list(db.session.execute(
        select(Framework).where((Framework.agency_id.is_(None)) | (Framework.agency_id == actor.agency_id))
    ).scalars())
    have = {f.key for f in stored if f.agency_id is None}
    found = stored + [shipped(key) for key in _read_shipped() if key not in have]
    return sorted(found, key=lambda f: (-(f.fiscal_year_be or 0), f.agency_id is None, f.key))


def upload(*, actor_id: int, now: datetime, text: str, name: str) -> Framework:
    """An admin's list for their agency (a parent's own, or the NACC's with corrected titles under another
    key): refused whole with the lines to fix; a list of the same key is replaced. Audited."""
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบเพิ่มเกณฑ์การประเมินได้", "only an admin may add a framework")
    doc = parse(text, name)
    found = db.session.execute(select(Framework).where(Framework.agency_id == actor.agency_id,
                                                       Framework.key == doc["key"])).scalar_one_or_none()
    before = len(found.items) if found is not None else None
    if found is None:
        found = Framework(agency_id=actor.agency_id, key=doc["key"])
        db.session.add(found)
    found.name, found.fiscal_year_be, found.items, found.roles = (doc["name"], doc["fiscal_year"], doc["items"],
                                                                  doc["roles"])
    found.updated_at = now
    db.session.flush()
    audit.record("framework_saved", agency_id=actor.agency_id, actor_id=actor.id, now=now, target_type="framework",
                 target_id=found.id, data={"key": found.key, "items": len(found.items), "before": before,
                                           "roles": found.roles})
    return found


def use(cycle_id: int, choice: str, *, actor_id: int, now: datetime) -> Cycle:
    """An admin sets the framework a cycle of their agency is assessed by. Audited."""
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบเลือกเกณฑ์การประเมินได้", "only an admin may choose the framework")
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบรอบปีเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    from workflow.errors import ValidationError

    kind, _sep, value = (choice or "").partition(":")
    framework: Framework | None = None
    if kind == "key" and value in _read_shipped():
        framework = _stored_shipped(value, now)
    elif kind == "id" and value.isdigit() and int(value) < 2**31:
        framework = db.session.get(Framework, int(value))
        if framework is not None and framework.agency_id not in (None, actor.agency_id):
            framework = None
    if framework is None:
        raise ValidationError("เลือกเกณฑ์จากรายการ", "choose a framework from the list")
    before = cycle.framework_id
    cycle.framework_id = framework.id
    db.session.flush()
    audit.record("framework_chosen", agency_id=cycle.agency_id, actor_id=actor.id, now=now, target_type="cycle",
                 target_id=cycle.id, data={"before": before, "after": framework.id, "key": framework.key})
    return cycle
