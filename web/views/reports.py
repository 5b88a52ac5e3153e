"""Documents, spreadsheets, calendar feeds and publication: what the agency publishes and other tools read."""

from __future__ import annotations

import hashlib
import secrets
from io import BytesIO
from pathlib import Path

from flask import Blueprint, current_app, g, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web.i18n import message
from web.security import login_required, roles_required
from web.views.common import act, chosen_cycle, mine_or_404, step_of_evidence
from workflow import clock
from workflow.db import db
from workflow.engine import queries
from workflow.errors import ItaflowError
from workflow.models import AuditHead, Cycle, Round
from workflow.people import permissions, tokens
from workflow.publishing import documents, exports, publication
from workflow.thaidate import bangkok_today

bp = Blueprint("reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def digit_style() -> str:
    """?digits=arabic or thai; by default the viewer's own choice, Thai digits for the public."""
    chosen = request.args.get("digits")
    if chosen in documents.DIGIT_STYLES:
        return chosen
    user = g.get("user")
    return user.digit_style if user is not None and user.digit_style in documents.DIGIT_STYLES else "thai"


def _cache_folder() -> Path:
    folder = current_app.config["ITAFLOW"].instance_path / "cache" / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


KEEP_DOCUMENTS = 200


def _prune(folder: Path) -> None:
    """Older versions are never asked for again once the data has moved on: keep the newest few."""
    files = sorted(folder.glob("*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_DOCUMENTS:]:
        old.unlink(missing_ok=True)


def pdf_response(build, kind: str, cycle: Cycle, *key_parts, round_number: int | None = None):
    """Render (or reuse) a PDF. Every state change writes its agency's audit chain, so that chain's head and the
    Bangkok day (overdue marks change with it) name one version of the data; a repeat download is a file read, and
    the document's data is only gathered when it has to be rendered. The caller has checked that it exists."""
    now = clock.now()
    seq = db.session.scalar(select(AuditHead.last_seq).where(AuditHead.id == cycle.agency_id)) or 0
    key = hashlib.sha256(repr((kind, cycle.id, round_number, *key_parts, seq, bangkok_today(now).isoformat())
                              ).encode()).hexdigest()[:32]
    path = _cache_folder() / f"{key}.pdf"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = documents.render_pdf(build(now))
        tmp = path.with_suffix(f".{secrets.token_hex(8)}.tmp")  # one per writer, thread or process
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: another worker never reads half a file
        _prune(path.parent)
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True, max_age=0,
                     download_name=documents.file_name(kind, cycle.fiscal_year_be, now, round_number))


def feed_url(secret: str) -> str:
    return current_app.config["ITAFLOW"].base_url.rstrip("/") + url_for("public.ics_feed", secret=secret)


def _cycle_or_404(cycle_id: int) -> Cycle:
    return mine_or_404(db.session.get(Cycle, cycle_id))


@bp.get("/reports")
@login_required
def index():
    """The documents of one fiscal year (the current one unless ``?cycle=`` chooses another), with the year
    switcher."""
    cycle, cycles = chosen_cycle()
    from workflow.models import Agency
    from workflow.thaidate import bangkok_today

    return render_template("reports.html", cycle=cycle, cycles=cycles, shown=[cycle] if cycle else [],
                           agency=db.session.get(Agency, g.user.agency_id), today=bangkok_today(clock.now()))


@bp.get("/cycles/<int:cycle_id>/<any(measures, progress):kind>.pdf")
@login_required
def cycle_pdf(cycle_id: int, kind: str):
    cycle = _cycle_or_404(cycle_id)
    style = digit_style()
    if kind == "measures":
        return pdf_response(lambda now: documents.measures_document(cycle_id, now, style), kind, cycle, style)
    # the progress report lists evidence, which not everyone may see: one version per group of readers
    readers = "all" if permissions.sees_all_evidence(g.user) else f"user-{g.user.id}"
    return pdf_response(lambda now: documents.progress_document(cycle_id, now, style, viewer_id=g.user.id), kind,
                        cycle, style, readers)


@bp.get("/rounds/<int:round_id>/report.pdf")
@login_required
def round_pdf(round_id: int):
    rnd = mine_or_404(db.session.get(Round, round_id))
    style = digit_style()
    return pdf_response(lambda now: documents.round_document(round_id, now, style), "round", rnd.cycle, style,
                        round_number=rnd.number)


@bp.get("/cycles/<int:cycle_id>/export.<any(xlsx, csv):fmt>")
@login_required
def export(cycle_id: int, fmt: str):
    cycle = _cycle_or_404(cycle_id)
    now = clock.now()
    data = (exports.to_xlsx if fmt == "xlsx" else exports.to_csv)(cycle.id, now, g.user.id)
    return send_file(BytesIO(data), mimetype=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
                     as_attachment=True, download_name=f"ita-{cycle.fiscal_year_be}-steps.{fmt}", max_age=0)


@bp.post("/cycles/<int:cycle_id>/publish")
@roles_required("admin")
def publish(cycle_id: int):
    on = request.form.get("published") == "1"
    return act(publication.set_published, url_for("reports.index", cycle=cycle_id),
               _("เปิดหน้าเผยแพร่แล้ว") if on else _("ปิดหน้าเผยแพร่แล้ว"), cycle_id=cycle_id, published=on, now=clock.now())


@bp.post("/evidence/<int:evidence_id>/public")
@roles_required("secretariat", "admin")
def evidence_public(evidence_id: int):
    step = step_of_evidence(evidence_id)
    on = request.form.get("public") == "1"
    return act(publication.set_evidence_public, url_for("tasks.step_page", step_id=step.id),
               _("เผยแพร่หลักฐานนี้บนหน้าสาธารณะแล้ว") if on else _("เลิกเผยแพร่หลักฐานนี้แล้ว"),
               evidence_id=evidence_id, public=on, now=clock.now())


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def token_list():
    created = error = None
    status = 200
    if request.method == "POST":
        kind = request.form.get("kind", "")
        cycle_id = None
        if kind == "ics-cycle":
            kind, cycle = "ics", queries.current_cycle(g.user.agency_id)
            cycle_id = cycle.id if cycle else -1
        try:
            token, secret = tokens.create(g.user.id, kind, request.form.get("name", ""), now=clock.now(),
                                          cycle_id=cycle_id)
            created = {"token": token, "secret": secret,
                       "url": feed_url(secret) if kind == "ics" else None}
            status = 201
        except ItaflowError as exc:
            db.session.rollback()
            error, status = message(exc), 400
    return render_template("tokens.html", tokens=tokens.of_user(g.user.id), created=created, error=error), status


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    return act(tokens.revoke, url_for("reports.token_list"), _("ยกเลิกแล้ว ที่อยู่หรือโทเค็นนี้ใช้ไม่ได้อีก"),
               token_id=token_id, now=clock.now())


def _base_url() -> str:
    return current_app.config["ITAFLOW"].base_url


@bp.get("/cycles/<int:cycle_id>/answer-sheet")
@roles_required("secretariat", "executive", "admin")
def answer_sheet(cycle_id: int):
    """The ITAS answer sheet: each OIT item's address, what answers it, when updated, the link check and the
    executive's sign-off."""
    from workflow.engine import frameworks
    from workflow.publishing import answersheet

    cycle = mine_or_404(db.session.get(Cycle, cycle_id))
    sheet = answersheet.rows(cycle, _base_url())
    checked = {(r["code"], r["url"]): r for r in (cycle.link_check or {}).get("results", [])}
    from workflow.models import Group
    from workflow.publishing import oitwork

    work = oitwork.existing(cycle.id)
    assigned = {i.get("code") for i in (work.related_items if work is not None else [])}
    planning = g.user.has_role("secretariat") and g.user.agency_id == cycle.agency_id \
        and any(r.code not in assigned for r in sheet)
    groups = db.session.execute(select(Group).where(Group.agency_id == cycle.agency_id).order_by(Group.name)
                                ).scalars().all() if planning else []
    return render_template("answer_sheet.html", cycle=cycle, sheet=sheet, checked=checked,
                           framework=frameworks.for_cycle(cycle), state=answersheet.signoff_state(cycle, sheet),
                           broken=answersheet.broken(cycle), planning=planning, groups=groups,
                           oit=work, assigned=assigned)


@bp.get("/cycles/<int:cycle_id>/answer-sheet.<any(xlsx, csv, pdf):fmt>")
@roles_required("secretariat", "executive", "admin")
def answer_sheet_file(cycle_id: int, fmt: str):
    from workflow.publishing import answersheet

    cycle = mine_or_404(db.session.get(Cycle, cycle_id))
    if fmt == "pdf":
        document = documents.answer_sheet_document(cycle.id, clock.now(), _base_url(), digit_style())
        return send_file(BytesIO(documents.render_pdf(document)), mimetype="application/pdf", as_attachment=True,
                         download_name=f"itas-{cycle.fiscal_year_be}.pdf")
    sheet = answersheet.rows(cycle, _base_url())
    data = answersheet.to_xlsx(cycle, sheet) if fmt == "xlsx" else answersheet.to_csv(cycle, sheet)
    return send_file(BytesIO(data), mimetype=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
                     as_attachment=True, download_name=f"itas-{cycle.fiscal_year_be}.{fmt}")


@bp.post("/cycles/<int:cycle_id>/answer-sheet/sign")
@login_required
def sign_answer_sheet(cycle_id: int):
    from workflow.publishing import answersheet

    return act(answersheet.sign, url_for("reports.answer_sheet", cycle_id=cycle_id), _("ลงนามรับรองแบบตอบ ITAS แล้ว"),
               cycle_id=cycle_id, now=clock.now(), base_url=_base_url())


@bp.post("/cycles/<int:cycle_id>/answer-sheet/check")
@login_required
def check_answer_sheet(cycle_id: int):
    from workflow.publishing import answersheet

    return act(answersheet.check_links, url_for("reports.answer_sheet", cycle_id=cycle_id), _("ตรวจลิงก์แล้ว"),
               cycle_id=cycle_id, now=clock.now(), base_url=_base_url())


@bp.post("/evidence/<int:evidence_id>/item")
@roles_required("secretariat", "admin")
def evidence_item(evidence_id: int):
    """The secretariat marks evidence as answering an OIT item (its public page lists it when it is public)."""
    from workflow.publishing import answersheet

    step = step_of_evidence(evidence_id)
    return act(answersheet.mark_item, url_for("tasks.step_page", step_id=step.id), _("บันทึกตัวชี้วัดของหลักฐานแล้ว"),
               evidence_id=evidence_id, code=request.form.get("code") or None, now=clock.now())


@bp.post("/cycles/<int:cycle_id>/oit-work")
@login_required
def plan_oit_work(cycle_id: int):
    """The secretariat gives OIT items to groups with due dates: ``group-<code>`` and ``due-<code>``."""
    from web.views.common import int_field
    from workflow.engine import frameworks
    from workflow.publishing import oitwork

    cycle = mine_or_404(db.session.get(Cycle, cycle_id))
    form = request.form
    assignments = [(i["code"], int_field(form.get(f"group-{i['code']}")), form.get(f"due-{i['code']}") or "")
                   for i in frameworks.for_cycle(cycle).items]
    return act(oitwork.plan, url_for("reports.answer_sheet", cycle_id=cycle_id),
               _("มอบหมายงาน OIT แล้ว ผู้รับผิดชอบได้รับแจ้ง"), cycle_id=cycle_id, now=clock.now(),
               assignments=assignments)
