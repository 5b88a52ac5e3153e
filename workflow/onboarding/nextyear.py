"""Next year's measures from this year's: every date moved one year (and re-checked by the calendar when
loaded), and the OIT item codes carried into the next year's list, which renumbers (2566's O36 is 2568's O25 and
2569's O23; 2566's O42 has no successor in 2568). What cannot be carried is said, never guessed.

The secretariat starts a draft from a cycle (``draft_from_cycle``) and edits it before confirming; the CLI's
``clone`` loads the copy at once. Both carry the codes the same way (``carry_items``)."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select

from workflow import audit
from workflow.db import db
from workflow.engine import frameworks
from workflow.engine.instantiate import LoadResult, _from_json, instantiate, next_year, shift_document, stored_document
from workflow.errors import NotFound
from workflow.models import Agency, Cycle, Draft, Framework

#: how many lists back a code is followed through the shipped lists (2566 -> 2568 -> 2569 -> ...)
_MAX_HOPS = 4


def _squash(title: str) -> str:
    return re.sub(r"[\s\-–—()]+", "", title).lower()


def _links(items: list[dict], old_key: str) -> dict[str, list[str]]:
    """Old code -> the codes of ``items`` that name it among their ``previous``."""
    found: dict[str, list[str]] = {}
    for item in items:
        for ref in item.get("previous") or []:
            key, _sep, code = ref.rpartition(":")
            if key == old_key:
                found.setdefault(code, []).append(item["code"])
    return found


def carried(old: Framework, new: Framework, _hops: int = 0) -> dict[str, list[str]]:
    """Each code of ``old`` and the codes of ``new`` that carry it on: the same list maps to itself; else the
    ``previous`` column of ``new`` (followed back through the shipped lists when ``new`` follows a list between
    them); else an item of the same title. A code with no successor is absent."""
    if old.key == new.key and old.agency_id == new.agency_id:
        return {i["code"]: [i["code"]] for i in old.items}
    found = _links(new.items, old.key)
    if not found and _hops < _MAX_HOPS:
        between = {ref.rpartition(":")[0] for i in new.items for ref in i.get("previous") or []}
        for key in sorted(between - {new.key}):
            try:
                middle = frameworks.shipped(key)
            except KeyError:
                continue
            first = carried(old, middle, _hops + 1)
            second = _links(new.items, key)
            for code, mids in first.items():
                ahead = [c for m in mids for c in second.get(m, [])]
                if ahead:
                    found[code] = list(dict.fromkeys(ahead))
    by_title = {_squash(i["title"]): i["code"] for i in new.items}
    for item in old.items:
        if item["code"] not in found and _squash(item["title"]) in by_title:
            found[item["code"]] = [by_title[_squash(item["title"])]]
    return found


def carry_items(doc: dict, old: Framework, new: Framework) -> list[str]:
    """Rewrite the item codes of ``doc``'s measures (in place) from ``old``'s numbering to ``new``'s; an item
    carried is written with its new code and title. Returns one note per item changed or dropped."""
    if old.key == new.key and old.agency_id == new.agency_id:
        return []
    mapping = carried(old, new)
    titles = frameworks.titles(new)
    notes: list[str] = []
    for m in doc["measures"]:
        kept: list[dict] = []
        for item in m.get("items") or []:
            code = item.get("code")
            if not code:
                kept.append(item)
                continue
            ahead = mapping.get(code)
            if not ahead:
                notes.append(f"มาตรการ {m['code']}: {code} ({item['raw']}) ไม่มีรายการที่ตรงกันใน{new.name} "
                             f"จึงไม่ได้ยกมา ตรวจว่ามาตรการนี้ตอบรายการใดในปีนี้ "
                             f"(measure {m['code']}: {code} has no successor in {new.key}; not carried)")
                continue
            first = ahead[0]
            if first != code or ahead[1:]:
                also = f" (และ {', '.join(ahead[1:])})" if ahead[1:] else ""
                notes.append(f"มาตรการ {m['code']}: {code} ของปีที่แล้วคือ {first} {titles.get(first, '')}{also} "
                             f"ในปีนี้ (measure {m['code']}: {code} is now {first})")
            kept.append({**item, "code": first, "raw": f"{first} {titles.get(first, '')}".strip()})
        m["items"] = list({i.get("code") or id(i): i for i in kept}.values())
    return notes


def _be(day: date) -> str:
    return f"{day.year + 543:04d}-{day.month:02d}-{day.day:02d}"


def to_source(doc: dict) -> dict:
    """A normalised definitions document written back in the form the definitions file (and a draft) uses:
    dates as BE ``2568-05-30``, each step's owner as ``{group, person}``, defaults left out."""
    def plain(value):
        if isinstance(value, date):
            return _be(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    out = plain(doc)
    for person in (out.get("people") or {}).values():  # a file never grants admin (the admin page does)
        person["roles"] = [r for r in person.get("roles") or [] if r != "admin"]
    for m in out["measures"]:
        steps = []
        for s in m["steps"]:
            step = {k: v for k, v in s.items()
                    if k not in ("group", "person", "co_groups") and v not in (None, False)}
            owner = {k: s[k] for k in ("group", "person") if s.get(k)}
            if owner and not s.get("co_groups"):  # a step of all the measure's owners keeps the default
                step["owner"] = owner
            steps.append(step)
        m["steps"] = steps
    return out


def next_year_framework(cycle: Cycle) -> tuple[Framework, Framework]:
    """The cycle's list and the one next year's cycle follows: an agency's own list is kept (a parent's list
    carries on until the parent uploads another), the NACC's is that of the next fiscal year."""
    old = frameworks.for_cycle(cycle)
    if old.agency_id is not None:
        return old, old
    return old, frameworks.shipped(frameworks.key_for_year(cycle.fiscal_year_be + 1))


def draft_from_cycle(cycle_id: int, *, actor_id: int, now: datetime) -> Draft:
    """A draft of next year's measures made from a cycle of the actor's agency: dates one year on, item codes
    in next year's numbering, the memo's date and the cycle's progress left behind. What to check is listed on
    the draft. Audited."""
    from workflow.onboarding import drafts

    actor = drafts._actor(actor_id)
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบรอบปีเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    doc = shift_document(stored_document(cycle), next_year)
    doc["fiscal_year"] = cycle.fiscal_year_be + 1
    doc["memo"] = {k: v for k, v in (doc.get("memo") or {}).items() if k not in ("date",)}
    old, new = next_year_framework(cycle)
    notes = carry_items(doc, old, new)
    year = doc["fiscal_year"]
    from flask import current_app

    from workflow.thaidate import digits

    style = current_app.config["ITAFLOW"].digits  # the office's digits, as the pages write years
    warnings = [[None, digits(f"ร่างนี้ทำจากมาตรการปีงบประมาณ {cycle.fiscal_year_be} วันที่ทุกวันเลื่อนไปหนึ่งปี "
                              f"ตรวจวันหยุดและวันที่ของปี {year} ก่อนยืนยัน", style)
                 + f" (made from fiscal year {cycle.fiscal_year_be}; every date moved one year)"]]
    warnings += [[None, n] for n in notes]
    source = {"lines": [], "origins": [], "sources": [], "warnings": warnings, "from_cycle": cycle.id,
              **({"framework_id": new.id} if new.id is not None and new.agency_id is not None else {})}
    draft = drafts.create(actor_id=actor_id, now=now, document=to_source(doc),
                          name=f"ปี {year} จากปี {cycle.fiscal_year_be}", source=source)
    audit.record("draft_from_cycle", agency_id=cycle.agency_id, actor_id=actor_id, now=now, target_type="draft",
                 target_id=draft.id, data={"cycle": cycle.id, "framework": new.key, "items_changed": len(notes)})
    return draft


def cycles_to_copy(*, actor_id: int) -> list[Cycle]:
    """The actor's agency's cycles, newest first (what the drafts page offers to start next year from)."""
    from workflow.onboarding import drafts

    actor = drafts._actor(actor_id)
    return list(db.session.execute(select(Cycle).where(Cycle.agency_id == actor.agency_id)
                                   .order_by(Cycle.fiscal_year_be.desc(), Cycle.id.desc())).scalars())


def clone_cycle(cycle_id: int, *, actor_id: int | None, now: datetime) -> LoadResult:
    """The same measures one fiscal year later: every date moved one year and re-checked by the calendar."""
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(f"ไม่พบรอบการประเมินเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    doc = shift_document(_from_json(cycle.definition), next_year)
    doc["fiscal_year"] = cycle.fiscal_year_be + 1
    doc["memo"] = {}
    old, new = next_year_framework(cycle)
    item_notes = carry_items(doc, old, new)
    result = instantiate(doc, actor_id=actor_id, now=now, source_name=f"clone of cycle {cycle.id}",
                         agency_code=db.session.get(Agency, cycle.agency_id).code)  # type: ignore[union-attr]
    result.item_notes = item_notes
    if new.agency_id is not None:
        result.cycle.framework_id = new.id
    audit.record("cycle_cloned", agency_id=cycle.agency_id,
                 actor_id=actor_id, now=now, target_type="cycle", target_id=result.cycle.id,
                 data={"from_cycle": cycle.id, "calendar_notes": result.calendar_notes, "framework": new.key,
                       "item_notes": item_notes})
    return result
