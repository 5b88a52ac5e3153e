"""The documents the agency publishes, built from the database: the measures (O42), the progress report
(O43) and each monitoring round's report, as HTML in the memo's layout and as PDF (WeasyPrint).

Services take ids, ``now`` and the digit style; they never read a request."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.engine.status import is_overdue, owner_label
from workflow.errors import NotFound, ValidationError
from workflow.models import Cycle, Evidence, Measure, ReviewDecision, Round, Step, Timer
from workflow.people import permissions
from workflow.templating import TEMPLATES, environment
from workflow.thaidate import bangkok_today, be_to_ce_year, digits, format_be, format_be_datetime, to_bangkok
from workflow.vocabulary import acting_words, label, step_title

DIGIT_STYLES = ("thai", "arabic")
KINDS = {"measures": "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
         "progress": "รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
         "answer_sheet": "แบบตอบการเปิดเผยข้อมูลสาธารณะ (OIT) ในระบบ ITAS"}

_templates = environment("documents")


@dataclass
class Document:
    """What a template needs: the memo header, the title, the body data and the digit style."""

    kind: str
    title: str
    cycle: Cycle
    digit_style: str
    generated_at: datetime
    data: dict = field(default_factory=dict)
    public: bool = False


def _check_style(digit_style: str) -> str:
    if digit_style not in DIGIT_STYLES:
        raise ValidationError("รูปแบบตัวเลขต้องเป็น thai หรือ arabic", "digits must be thai or arabic")
    return digit_style


def get_cycle(cycle_id: int) -> Cycle:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(f"ไม่พบรอบการประเมินเลขที่ {cycle_id}", f"no cycle {cycle_id}")
    return cycle


def cycle_measures(cycle_id: int) -> list[Measure]:
    return list(db.session.execute(
        select(Measure).where(Measure.cycle_id == cycle_id, Measure.code != "OIT")  # the memo's measures only
        .order_by(Measure.position)
        .options(selectinload(Measure.steps).selectinload(Step.decisions).selectinload(ReviewDecision.decided_by),
                 selectinload(Measure.steps).selectinload(Step.done_by),
                 selectinload(Measure.steps).selectinload(Step.owner_group),
                 selectinload(Measure.steps).selectinload(Step.owner_user),
                 selectinload(Measure.steps).selectinload(Step.reviewer_group))
    ).scalars())


def measures_document(cycle_id: int, now: datetime, digit_style: str = "thai") -> Document:
    """O42: the measures in the memo's table form (weakness, improvement, responsible, steps, monitoring,
    period, constraints)."""
    cycle = get_cycle(cycle_id)
    rows = []
    # the period as the memo wrote it ("พฤษภาคม ๒๕๖๗ - ๑๕ กรกฎาคม ๒๕๖๗"), not as the dates it was read into
    written = {str(m.get("code")): ((m.get("period") or {}).get("text") or None)
               for m in (cycle.definition or {}).get("measures") or []}
    for m in cycle_measures(cycle_id):
        numbered: dict[int, Step] = {}
        for s in m.steps:  # a monthly step is one step in the memo
            numbered.setdefault(s.number, s)
        rows.append({"measure": m, "steps": [numbered[n] for n in sorted(numbered)],
                     "period_text": written.get(m.code)})
    return Document("measures", KINDS["measures"], cycle, _check_style(digit_style), now, {"rows": rows})


def answer_sheet_document(cycle_id: int, now: datetime, base_url: str, digit_style: str = "thai") -> Document:
    """The ITAS answer sheet to print and sign: each item, the address to enter, when it was updated, the last
    link check, and whether the executive's sign-off still stands."""
    from workflow.publishing import answersheet

    cycle = get_cycle(cycle_id)
    sheet = answersheet.rows(cycle, base_url)
    checked = {(r["code"], r["url"]): r for r in (cycle.link_check or {}).get("results", [])}
    rows = [{"code": r.code, "title": r.title, "url": r.url,
             "updated": to_bangkok(r.updated).date() if r.updated else None,
             "check": checked.get((r.code, r.url)) if r.url else None} for r in sheet]
    check_at = (cycle.link_check or {}).get("at")
    signoff = cycle.sheet_signoff or {}
    return Document("answer_sheet", KINDS["answer_sheet"], cycle, _check_style(digit_style), now, {
        "rows": rows, "state": answersheet.signoff_state(cycle, sheet), "signoff": signoff,
        "signed_at": datetime.fromisoformat(signoff["at"]) if signoff.get("at") else None,
        "checked_at": datetime.fromisoformat(check_at) if check_at else None,
        "with_address": sum(1 for r in rows if r["url"])})


def _lateness(step: Step, today: date, calendar: WorkingCalendar) -> str | None:
    """How late the step was done, or is: the overdue history in words."""
    if step.due_on is None:
        return None
    if step.state == "done" and step.done_at is not None:
        finished = to_bangkok(step.done_at).date()
        if finished > step.due_on:
            return f"เสร็จช้ากว่ากำหนด {calendar.working_days_between(step.due_on, finished)} วันทำการ"
        return None
    if is_overdue(step, today):
        return f"เลยกำหนดมาแล้ว {calendar.working_days_between(step.due_on, today)} วันทำการ"
    return None


def progress_document(cycle_id: int, now: datetime, digit_style: str = "thai", *, public: bool = False,
                      viewer_id: int | None = None) -> Document:
    """O43: every measure and step with its state, dates, who did it, evidence, reviewers' decisions and
    overdue history. ``public`` leaves out what is not for the website: evidence not marked public; otherwise
    the document is the viewer's, with evidence where they may see it (workflow.people.permissions)."""
    today = bangkok_today(now)
    may_see = (lambda step: True) if public else permissions.evidence_reader(viewer_id, today)
    cycle = get_cycle(cycle_id)
    calendar = WorkingCalendar()
    measures = cycle_measures(cycle_id)
    step_ids = [s.id for m in measures for s in m.steps]
    evidence: dict[int, list[Evidence]] = {}
    query = select(Evidence).where(Evidence.step_id.in_(step_ids), Evidence.withdrawn_at.is_(None)).order_by(
        Evidence.id)
    if public:
        query = query.where(Evidence.public.is_(True))
    for ev in db.session.execute(query).scalars() if step_ids else ():
        evidence.setdefault(ev.step_id, []).append(ev)
    alerts: dict[int, list[Timer]] = {}
    for t in db.session.execute(select(Timer).where(
            Timer.target_type == "step", Timer.target_id.in_(step_ids), Timer.fired_at.is_not(None),
            Timer.kind.in_(("step_overdue", "step_escalation"))).order_by(Timer.fired_at)).scalars() \
            if step_ids else ():
        alerts.setdefault(t.target_id, []).append(t)
    base = current_app.config["ITAFLOW"].base_url
    rows, total, done, overdue = [], 0, 0, 0
    for m in measures:
        steps = []
        for s in m.steps:
            total += 1
            done += s.state == "done"
            overdue += is_overdue(s, today)
            links = []
            for ev in evidence.get(s.id, []) if may_see(s) else ():
                if ev.kind == "link":
                    links.append({"label": ev.text or ev.url, "url": ev.url})
                elif ev.kind == "file":
                    url = f"{base}/p/evidence/{ev.id}" if public else f"{base}/evidence/{ev.id}"
                    links.append({"label": ev.filename, "url": url})
                else:
                    links.append({"label": ev.text, "url": None})
            steps.append({"step": s, "owner": owner_label(s), "state": label(s.state),
                          "late": _lateness(s, today, calendar), "evidence": links,
                          "alerts": [("แจ้งเลยกำหนด" if t.kind == "step_overdue" else "แจ้งผู้อำนวยการกลุ่ม",
                                      t.fired_at) for t in alerts.get(s.id, [])],
                          "decisions": s.decisions})
        n_done = sum(1 for s in m.steps if s.state == "done")
        rows.append({"measure": m, "steps": steps, "done": n_done, "total": len(m.steps),
                     "percent": round(100 * n_done / len(m.steps)) if m.steps else 100})
    summary = {"total": total, "done": done, "overdue": overdue,
               "percent": round(100 * done / total) if total else 100, "as_of": today}
    return Document("progress", KINDS["progress"], cycle, _check_style(digit_style), now,
                    {"rows": rows, "summary": summary}, public=public)


def round_document(round_id: int, now: datetime, digit_style: str = "thai") -> Document:
    """The round's report as stored on its day; before that day, a draft built now and marked so; after it, if
    none was stored (the system was off that day), built now and said so, not called a draft."""
    from workflow.engine.rounds import build_report
    from workflow.thaidate import bangkok_today

    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound(f"ไม่พบการติดตามเลขที่ {round_id}", f"no round {round_id}")
    report = rnd.report or build_report(rnd, now)
    draft = rnd.report is None and rnd.held_on > bangkok_today(now)
    late = rnd.report is None and not draft
    title = f"รายงานการติดตามมาตรการ ครั้งที่ {rnd.number}"
    if report.get("late"):  # said in the heading: built after the round's day, counted as that day ended
        title += f" (จัดทำภายหลังวันติดตาม นับ ณ วันที่ {report['late']['as_of']})"
    return Document("round", title, rnd.cycle, _check_style(digit_style), now,
                    {"round": rnd, "report": report, "draft": draft, "built_late": late})


#: words that must not be split from the number after them
_KEEP_TOGETHER = re.compile(r"(?:ครั้งที่|ประเด็นที่|ขั้นตอนที่|ข้อ)\s*[๐-๙0-9]+(?:\.[๐-๙0-9]+)?")


def render_html(document: Document) -> str:
    style = document.digit_style

    def d(value) -> str:
        return "" if value is None else digits(str(value), style)

    from markupsafe import Markup, escape

    from workflow.publishing import pdffonts

    def keep(value) -> Markup:
        """Text with "ครั้งที่ ๒" and the like kept on one line."""
        return Markup(_KEEP_TOGETHER.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', str(escape(d(value)))))

    from workflow.models import Agency

    picture = db.session.scalar(select(Agency.emblem).where(Agency.id == document.cycle.agency_id))
    emblem = f"data:image/png;base64,{base64.b64encode(picture).decode()}" if picture else None
    from workflow.engine import frameworks

    framework = frameworks.for_cycle(document.cycle)
    named = frameworks.titles(framework)
    oit = {role: {"code": code, "title": named.get(code, "")} for role, code in framework.roles.items()}
    return _templates.get_template(f"{document.kind}.html").render(
        keep=keep, emblem=emblem, oit=oit, framework=framework,
        fonts=pdffonts.prepared_fonts(), doc=document, cycle=document.cycle, memo=document.cycle.memo or {},
        data=document.data,
        d=d, be=lambda day, s="full": format_be(day, style=s, digit_style=style) if day else "-",
        be_dt=lambda t: format_be_datetime(t, digit_style=style) if t else "-",
        generated=format_be_datetime(document.generated_at, digit_style=style),
        memo_date=_memo_date(document.cycle, style),
        step_title=lambda st: step_title(st, "th", style), acting_words=acting_words,
    )


def _memo_date(cycle: Cycle, style: str) -> str:
    raw = (cycle.memo or {}).get("date")
    if not raw:
        return ""
    try:  # written with its Buddhist Era year, e.g. 2567-06-07
        year, month, day = (int(x) for x in str(raw).split("-"))
        return format_be(date(be_to_ce_year(year), month, day), style="full", digit_style=style)
    except ValueError:
        return digits(str(raw), style)


def render_pdf(document: Document) -> bytes:
    """The document as PDF, A4, in a Sarabun-compatible Thai font (see documents/base.html)."""
    from weasyprint import HTML

    from workflow.publishing import pdffonts

    pdffonts.install()
    return HTML(string=render_html(document), base_url=str(TEMPLATES / "documents")).write_pdf()


def file_name(kind: str, fiscal_year_be: int, now: datetime, round_number: int | None = None) -> str:
    """``progress-2567-20240610.pdf``, or ``round-2-2567.pdf`` for a round's report."""
    if kind == "round":
        return f"round-{round_number}-{fiscal_year_be}.pdf"
    return f"{kind}-{fiscal_year_be}-{to_bangkok(now).strftime('%Y%m%d')}.pdf"
