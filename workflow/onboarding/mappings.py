"""The officer's answers about a memo's layout (การจับคู่โครงสร้างบันทึก): what each column and label holds.

A draft imported from a memo keeps the memo's lines, so a changed answer re-reads the whole memo at once. The
answers are kept for the agency (its next memo is read with them) and offered to its units: a unit's memo is
read with its own answers over its parents' (nearest first), since units often write on the parent's template.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping as FormValues
from datetime import datetime

from sqlalchemy import select

from workflow import audit
from workflow.db import db
from workflow.errors import ValidationError
from workflow.models import Agency, Draft, MemoMapping
from workflow.onboarding import drafts
from workflow.onboarding.importer import ImportReport
from workflow.onboarding.memolayout import ROLES, Mapping
from workflow.thaidate import to_arabic_digits

#: a parent chain is short; this bounds a loop in bad data
_MAX_DEPTH = 20


def for_agency(agency_id: int) -> Mapping:
    """The answers an agency's next memo is read with: its own, over its parents' (nearest first)."""
    chain: list[int] = []
    current: int | None = agency_id
    while current is not None and current not in chain and len(chain) < _MAX_DEPTH:
        chain.append(current)
        agency = db.session.get(Agency, current)
        current = agency.parent_id if agency is not None else None
    rows = {m.agency_id: m for m in db.session.execute(
        select(MemoMapping).where(MemoMapping.agency_id.in_(chain))).scalars()}
    result = Mapping()
    for agency_key in reversed(chain):  # the farthest parent first, each nearer one over it
        if agency_key in rows:
            mapping = Mapping.from_dict(rows[agency_key].mapping)
            mapping.fiscal_year = None  # a year is one memo's, never carried to the next
            result = mapping.merged_over(result)
    return result


def keep(agency_id: int, mapping: Mapping, *, actor_id: int, now: datetime) -> None:
    """The agency's answers, merged into what it kept before (a new answer replaces the old one)."""
    row = db.session.execute(select(MemoMapping).where(MemoMapping.agency_id == agency_id)).scalar_one_or_none()
    kept = Mapping.from_dict(row.mapping) if row is not None else Mapping()
    merged = Mapping(mapping.columns, mapping.labels).merged_over(kept)
    if row is None:
        row = MemoMapping(agency_id=agency_id, mapping={}, updated_at=now)
        db.session.add(row)
    row.mapping, row.updated_at, row.updated_by_id = merged.to_dict(), now, actor_id
    db.session.flush()
    audit.record("memo_mapping_kept", agency_id=agency_id, actor_id=actor_id, now=now, target_type="agency",
                 target_id=agency_id, data=merged.to_dict())


def answers_from_form(values: FormValues[str, str], layout: dict) -> Mapping:
    """The mapping page's answers: ``col:<header>`` → a role or roles joined by "+" ("" = not answered),
    ``label:<label>`` → a role, ``fiscal_year``. Raises ValidationError naming what is wrong."""
    mapping = Mapping()
    headers = {c["header"] for c in layout.get("columns") or []}
    labels = {lab["label"] for lab in layout.get("labels") or []}
    for name, value in values.items():
        if name.startswith("col:"):
            header = name[4:]
            if header not in headers:
                raise ValidationError("คอลัมน์ที่ส่งมาไม่มีในบันทึกนี้ โหลดหน้าใหม่แล้วเลือกอีกครั้ง",
                                      "that column is not in this memo: reload the page and choose again")
            roles = [r for r in (value or "").split("+") if r]
            if any(r not in ROLES for r in roles):
                raise ValidationError("เลือกสิ่งที่คอลัมน์เก็บจากรายการ", "choose what the column holds from the list")
            if roles:
                mapping.columns[header] = roles
        elif name.startswith("label:"):
            label = name[6:]
            if label not in labels:
                raise ValidationError("หัวข้อที่ส่งมาไม่มีในบันทึกนี้ โหลดหน้าใหม่แล้วเลือกอีกครั้ง",
                                      "that label is not in this memo: reload the page and choose again")
            if value and value not in ROLES:
                raise ValidationError("เลือกสิ่งที่หัวข้อเก็บจากรายการ", "choose what the label holds from the list")
            if value:
                mapping.labels[label] = value
    year = to_arabic_digits((values.get("fiscal_year") or "").strip())
    if year:
        if not year.isdigit() or not 2500 <= int(year) <= 2700:
            raise ValidationError("ใส่ปีงบประมาณ พ.ศ. เช่น ๒๕๖๘", "give a BE fiscal year such as 2568")
        mapping.fiscal_year = int(year)
    return mapping


def reread(draft_id: int, answers: Mapping, *, actor_id: int, now: datetime, expected_version: int | None,
           keep_for_agency: bool) -> Draft:
    """The draft read again from its memo with the officer's answers: every measure as the memo gives it
    under the new mapping (edits made in the draft's forms since the import are replaced, which the page says
    before). The answers are kept for the agency when asked."""
    from workflow.onboarding.importer import import_memo_text

    draft = drafts.get(draft_id, actor_id=actor_id)
    drafts._check_version(draft, expected_version)
    source = copy.deepcopy(draft.source or {})
    lines = source.get("lines")
    if not lines:
        raise ValidationError("ร่างนี้ไม่ได้นำเข้าจากบันทึก จึงไม่มีโครงสร้างให้จับคู่",
                              "this draft was not imported from a memo: there is no layout to map")
    previous = Mapping.from_dict((source.get("layout") or {}).get("mapping"))
    mapping = answers.merged_over(Mapping(previous.columns, previous.labels))
    report = import_memo_text("\n".join(lines), mapping)
    document = dict(report.document)
    agency = db.session.get(Agency, draft.agency_id)
    document["agency"] = agency.name if agency is not None else document.get("agency")
    drafts._add_agency_groups(document, draft.agency_id)
    source.update(source_of(report))
    draft.source = source
    drafts._save(draft, document, now)
    audit.record("draft_remapped", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"mapping": mapping.to_dict(), "asked": report.layout.asked(),
                                           "measures": len(document.get("measures") or [])})
    if keep_for_agency:
        keep(draft.agency_id, mapping, actor_id=actor_id, now=now)
    return draft


def source_of(report: ImportReport) -> dict:
    """What a draft keeps of the memo's reading: its lines (to read again), where each measure came from, the
    notes, the layout met with the roles taken, and what was not placed."""
    return {"lines": report.lines, "sources": [list(s) for s in report.sources],
            "warnings": [[line, text] for line, text in report.warnings],
            "layout": report.layout.to_dict(), "asked": report.layout.asked(), "year_note": report.year_note,
            "kind": report.kind,
            "unplaced": [[line, where, text] for line, where, text in report.unplaced]}


def import_draft(*, actor_id: int, now: datetime, data: bytes, name: str) -> Draft:
    """A memo file read into a new draft with the agency's kept answers (and its parents'). Raises
    ValidationError for a file that is not a memo (nothing written)."""
    from workflow.onboarding.importer import read_memo

    actor = drafts._actor(actor_id)
    report, origins = read_memo(data, for_agency(actor.agency_id))
    source = {**source_of(report), "origins": origins}
    return drafts.create(actor_id=actor_id, now=now, document=report.document, name=name, source=source)


#: the fields a piece of unplaced text can be given to (one click from the mapping page)
TARGETS = ("title", "weakness", "improvement", "step", "owners", "monitoring", "constraints")


def place_unplaced(draft_id: int, index: int, *, measure: int, target: str, actor_id: int, now: datetime,
                   expected_version: int | None) -> Draft:
    """A piece of the memo's text that ended in no field, given to a measure's field by the officer: appended
    to it (a step of its own for "step") and struck from the list of what was not placed."""
    draft = drafts.get(draft_id, actor_id=actor_id)
    drafts._check_version(draft, expected_version)
    source = copy.deepcopy(draft.source or {})
    unplaced = source.get("unplaced") or []
    document = copy.deepcopy(draft.document)
    measures = document.get("measures") or []
    if not 0 <= index < len(unplaced):
        raise ValidationError("ไม่พบข้อความนี้ในรายการที่ยังไม่ได้จัดวาง (อาจจัดไปแล้ว) โหลดหน้าใหม่",
                              "that text is no longer in the list (placed already?): reload the page")
    if not 0 <= measure < len(measures) or target not in TARGETS:
        raise ValidationError("เลือกมาตรการและช่องที่จะใส่ข้อความจากรายการ",
                              "choose the measure and the field from the lists")
    line, _where, text = unplaced.pop(index)
    m = measures[measure]
    if target == "step":
        m.setdefault("steps", []).append(text)
    elif target in ("owners", "monitoring"):
        holder = m.setdefault(target, {})
        holder["text"] = f"{holder.get('text') or ''} {text}".strip()
    else:
        m[target] = f"{m.get(target) or ''} {text}".strip()
    source["unplaced"] = unplaced
    draft.source = source
    drafts._save(draft, document, now)
    audit.record("draft_edited", agency_id=draft.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"placed": {"line": line, "measure": m.get("code"), "field": target,
                                                      "text": text[:200]}})
    return draft
