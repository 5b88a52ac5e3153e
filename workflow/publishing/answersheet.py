"""The ITAS answer sheet: for each OIT item of the cycle's framework, the address to enter in the NACC's ITAS
system, what answers it and when it was last updated; signed off by an executive before it is submitted (a
change after the sign-off needs a new one); every address checked as the consultants will open it.

Each item has one stable public address per agency and fiscal year, ``/p/a/<agency>/<year>/<code>``, that
lists what answers it: itaflow's own documents for the measures items (O42/O43 in 2566, O25/O26 in 2569) and
the evidence officers marked for the item and the secretariat published. The address does not change when a
file is replaced, and old years stay online while their cycle is published.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from workflow import audit
from workflow.db import db
from workflow.engine import frameworks
from workflow.errors import NotFound, PermissionDenied, ValidationError
from workflow.models import Agency, Cycle, Evidence, Measure, Step, User
from workflow.people import permissions
from workflow.publishing import linkcheck
from workflow.thaidate import format_be, to_bangkok

MAX_LINKS = 100


@dataclass
class Row:
    code: str
    title: str
    #: what answers it: ("document", kind) for itaflow's own, ("evidence", Evidence) for what officers marked
    answers: list = field(default_factory=list)
    url: str | None = None
    updated: datetime | None = None


def _cycle(cycle_id: int, actor: User) -> Cycle:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or not permissions.reads_agency(actor, cycle.agency_id):
        raise NotFound(f"ไม่พบรอบปีเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    return cycle


def item_path(agency_code: str, fiscal_year_be: int, code: str) -> str:
    return f"/p/a/{agency_code}/{fiscal_year_be}/{code}"


def marked_evidence(cycle_id: int, *, public_only: bool) -> list[Evidence]:
    query = (select(Evidence).join(Step, Step.id == Evidence.step_id).join(Measure)
             .where(Measure.cycle_id == cycle_id, Evidence.oit_code.is_not(None), Evidence.withdrawn_at.is_(None))
             .order_by(Evidence.oit_code, Evidence.id))
    if public_only:
        query = query.where(Evidence.public.is_(True))
    return list(db.session.execute(query).scalars())


def rows(cycle: Cycle, base_url: str, *, public_only: bool = True) -> list[Row]:
    """Every item of the cycle's framework, with what answers it and the address to enter (only when the cycle
    is published and something answers the item: an empty page scores zero too)."""
    framework = frameworks.for_cycle(cycle)
    agency = db.session.get(Agency, cycle.agency_id)
    roles = {code: role for role, code in framework.roles.items()}
    by_item: dict[str, list[Evidence]] = {}
    for ev in marked_evidence(cycle.id, public_only=public_only):
        by_item.setdefault(ev.oit_code or "", []).append(ev)
    out = []
    for item in framework.items:
        row = Row(item["code"], item["title"])
        if item["code"] in roles:
            row.answers.append(("document", "measures" if roles[item["code"]] == "measures" else "progress"))
            row.updated = cycle.published_at or cycle.created_at
        for ev in by_item.get(item["code"], []):
            row.answers.append(("evidence", ev))
            row.updated = max(filter(None, [row.updated, ev.added_at]))
        if row.answers and cycle.published_at is not None and agency is not None:
            row.url = base_url.rstrip("/") + item_path(agency.code, cycle.fiscal_year_be, item["code"])
        out.append(row)
    return out


def content_hash(sheet: list[Row]) -> str:
    """What a sign-off vouches for: each item's address and what answers it."""
    payload = [(r.code, r.url, [(kind, x if kind == "document" else x.id) for kind, x in r.answers]) for r in sheet]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def signoff_state(cycle: Cycle, sheet: list[Row]) -> str:
    """"signed" (and still what was signed), "changed" (signed, then changed: sign again) or "unsigned"."""
    if not cycle.sheet_signoff:
        return "unsigned"
    return "signed" if cycle.sheet_signoff.get("hash") == content_hash(sheet) else "changed"


def sign(cycle_id: int, *, actor_id: int, now: datetime, base_url: str) -> Cycle:
    """An executive of the agency signs the sheet off as it stands. Audited."""
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("executive"):
        raise PermissionDenied("เฉพาะผู้บริหารลงนามรับรองแบบตอบ ITAS ได้", "only an executive may sign the sheet off")
    cycle = _cycle(cycle_id, actor)
    if cycle.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบรอบปีเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    sheet = rows(cycle, base_url)
    if not any(r.url for r in sheet):
        raise ValidationError("ยังไม่มีรายการที่มีที่อยู่ให้กรอก (เปิดหน้าเผยแพร่และทำเครื่องหมายหลักฐานก่อน)",
                              "no item has an address yet: publish the cycle and mark evidence first")
    digest = content_hash(sheet)
    before = cycle.sheet_signoff
    cycle.sheet_signoff = {"by": actor.id, "name": actor.name, "at": now.isoformat(), "hash": digest}
    db.session.flush()
    audit.record("answer_sheet_signed", agency_id=cycle.agency_id, actor_id=actor.id, now=now, target_type="cycle",
                 target_id=cycle.id, data={"hash": digest, "before": (before or {}).get("hash"),
                                           "items": sum(1 for r in sheet if r.url)})
    return cycle


def check_links(cycle_id: int, *, actor_id: int, now: datetime, base_url: str, timeout: float = 10.0,
                resolver: linkcheck.Resolver | None = None) -> Cycle:
    """Every address on the sheet, and every outside link officers marked for an item, fetched as an anonymous
    consultant would (workflow/publishing/linkcheck.py); the results kept on the cycle. The deployment's own site may be
    on a private network. Audited."""
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("secretariat", "admin"):
        raise PermissionDenied("เฉพาะฝ่ายเลขานุการหรือผู้ดูแลระบบตรวจลิงก์ได้", "only the secretariat or an admin")
    cycle = _cycle(cycle_id, actor)
    if cycle.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบรอบปีเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    return check_cycle(cycle, actor_id=actor.id, now=now, base_url=base_url, timeout=timeout, resolver=resolver)


def check_cycle(cycle: Cycle, *, actor_id: int | None, now: datetime, base_url: str, timeout: float = 10.0,
                resolver: linkcheck.Resolver | None = None) -> Cycle:
    """The check itself, for a person (check_links) or the daily schedule (``actor_id`` None)."""
    sheet = rows(cycle, base_url, public_only=False)
    wanted: list[tuple[str, str, str | None]] = []
    for row in sheet:
        if row.url:
            wanted.append((row.code, row.url, "text/html"))
        for kind, ev in row.answers:
            if kind == "evidence" and ev.kind == "link" and ev.url:
                wanted.append((row.code, ev.url, None))
    wanted = wanted[:MAX_LINKS]
    own = urlsplit(base_url)
    allowed = [f"{own.hostname}:{own.port or (443 if own.scheme == 'https' else 80)}"] if own.hostname else []
    resolve = resolver or linkcheck.resolve

    def one(entry: tuple[str, str, str | None]) -> dict:
        code, url, expect = entry
        result = linkcheck.check(url, timeout=timeout, expect=expect, allowed_hosts=allowed, resolver=resolve)
        return {"code": code, "url": url, "ok": result.ok, "status": result.status, "reason_th": result.reason_th,
                "reason_en": result.reason_en, "content_type": result.content_type}

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, wanted))
    cycle.link_check = {"at": now.isoformat(), "results": results}
    db.session.flush()
    audit.record("links_checked", agency_id=cycle.agency_id, actor_id=actor_id, now=now, target_type="cycle",
                 target_id=cycle.id, data={"links": len(results), "broken": sum(1 for r in results if not r["ok"])})
    return cycle


#: the daily link check of a published cycle: a timer row, as every deadline (the sweep fires it)
LINK_CHECK = "link_check"
CHECK_AT = time(7, 0)


def schedule_check(cycle_id: int, after: date) -> None:
    """The cycle's next link check, at 07:00 Bangkok the day after ``after``; an unfired one stands."""
    from workflow.models import Timer
    from workflow.thaidate import bangkok_moment

    pending = db.session.execute(select(Timer.id).where(Timer.kind == LINK_CHECK, Timer.target_type == "cycle",
                                                        Timer.target_id == cycle_id, Timer.fired_at.is_(None)))
    if pending.first() is not None:
        return
    db.session.add(Timer(kind=LINK_CHECK, fire_at=bangkok_moment(after + timedelta(days=1), CHECK_AT),
                         target_type="cycle", target_id=cycle_id, payload={}))
    db.session.flush()


def run_scheduled(cycle_id: int, now: datetime, base_url: str, resolver: linkcheck.Resolver | None = None) -> int:
    """The daily check, by the system, while the cycle is published and its answers are being read (its fiscal
    year and the next); the secretariat is told of broken links; the next day's check is planned. The e-mails
    queued."""
    from workflow.thaidate import bangkok_today, fiscal_year_be

    cycle = db.session.get(Cycle, cycle_id)
    today = bangkok_today(now)
    if cycle is None or cycle.published_at is None or cycle.fiscal_year_be < fiscal_year_be(today) - 1:
        return 0  # unpublished or long past: the checks stop (publishing again starts them)
    check_cycle(cycle, actor_id=None, now=now, base_url=base_url, resolver=resolver)
    told = tell_secretariat(cycle, now, base_url)
    schedule_check(cycle.id, today)
    return told


def tell_secretariat(cycle: Cycle, now: datetime, base_url: str) -> int:
    """The agency's secretariat hears of the broken links once a day (in their digest when they chose one)."""
    from workflow.channels import notify
    from workflow.thaidate import bangkok_today

    bad = broken(cycle)
    if not bad:
        return 0
    named = frameworks.titles(frameworks.for_cycle(cycle))
    link = notify.site_link(f"/cycles/{cycle.id}/answer-sheet")
    blank = {"measure_code": "", "measure_title": "", "step_number": None, "step_title": None, "due": None,
             "due_en": None, "overdue_days": None, "reason": None, "overdue": False}
    items = [{**blank, "item_code": r["code"], "item_title": named.get(r["code"], ""),
              "note": f"{r['url']}: {r['reason_th']}", "link": link, "agency": cycle.agency} for r in bad]
    today = bangkok_today(now)
    told = 0
    for person in db.session.execute(select(User).where(User.agency_id == cycle.agency_id, User.active.is_(True))
                                     ).scalars():
        if person.has_role("secretariat") and notify.queue(
                "links_broken", f"{cycle.id}:{today.isoformat()}", person, items, now,
                params={"count": len(bad), "day": format_be(today)}):
            told += 1
    return told


def broken(cycle: Cycle) -> list[dict]:
    return [r for r in (cycle.link_check or {}).get("results", []) if not r["ok"]]


HEADER = ["รหัส", "รายการ", "ที่อยู่ (URL) ที่กรอกใน ITAS", "ปรับปรุงล่าสุด", "ผลตรวจลิงก์"]


def table(cycle: Cycle, sheet: list[Row]) -> list[list[str]]:
    checked = {(r["code"], r["url"]): r for r in (cycle.link_check or {}).get("results", [])}
    out = []
    for r in sheet:
        check = checked.get((r.code, r.url)) if r.url else None
        out.append([r.code, r.title, r.url or "", format_be(to_bangkok(r.updated).date(), digit_style="arabic")
                    if r.updated else "", (check["reason_th"] if check else "") if r.url else ""])
    return out


def to_csv(cycle: Cycle, sheet: list[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(table(cycle, sheet))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(cycle: Cycle, sheet: list[Row]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = f"ITAS {cycle.fiscal_year_be}"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in table(cycle, sheet):
        ws.append([v if not str(v).startswith(("=", "+", "-", "@")) else "'" + str(v) for v in values])
    for column, width in zip("ABCDE", (8, 60, 60, 16, 40), strict=True):
        ws.column_dimensions[column].width = width
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def mark_item(evidence_id: int, code: str | None, *, actor_id: int, now: datetime) -> Evidence:
    """The secretariat marks a piece of evidence as answering an OIT item of the cycle's framework (or clears
    it). Audited."""
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("secretariat", "admin"):
        raise PermissionDenied("เฉพาะฝ่ายเลขานุการหรือผู้ดูแลระบบ", "only the secretariat or an admin")
    ev = db.session.get(Evidence, evidence_id)
    step = db.session.get(Step, ev.step_id) if ev is not None else None
    if ev is None or step is None or step.measure.cycle.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบหลักฐานเลขที่ {evidence_id}", f"no evidence {evidence_id}")
    code = (code or "").strip().upper() or None
    codes = {i["code"] for i in frameworks.for_cycle(step.measure.cycle).items}
    if code is not None and code not in codes:
        raise ValidationError(f"ไม่มีรายการ {code} ในเกณฑ์ของปีนี้", f"{code} is not an item of this year's framework")
    before = ev.oit_code
    ev.oit_code = code
    db.session.flush()
    audit.record("evidence_item", agency_id=actor.agency_id, actor_id=actor.id, now=now, target_type="evidence",
                 target_id=ev.id, data={"before": before, "after": code, "step": ev.step_id})
    return ev
