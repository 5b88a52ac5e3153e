"""What anyone may open without signing in: a published cycle's page and PDFs, its public evidence, and
calendar feeds at their secret address."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from sqlalchemy import select

from web.security import public
from web.transaction import keep_audit_on_error
from web.views.reports import digit_style, pdf_response
from workflow import clock
from workflow.db import db
from workflow.engine import queries
from workflow.errors import NotFound
from workflow.models import Cycle, Evidence, Measure, Step
from workflow.people import tokens
from workflow.publishing import documents, feeds, publication
from workflow.thaidate import bangkok_today

bp = Blueprint("public", __name__)


def _published(cycle_id: int) -> Cycle:
    try:
        return publication.published_cycle(cycle_id)
    except NotFound:
        abort(404)


@bp.get("/p/<int:cycle_id>")
@public
def cycle_page(cycle_id: int):
    cycle = _published(cycle_id)
    now = clock.now()
    document = documents.progress_document(cycle.id, now, public=True)
    return render_template("public.html", cycle=cycle, doc=document, rows=document.data["rows"],
                           summary=document.data["summary"], today=bangkok_today(now))


@bp.get("/p/<int:cycle_id>/<any(measures, progress):kind>.pdf")
@public
def cycle_pdf(cycle_id: int, kind: str):
    cycle = _published(cycle_id)
    style = digit_style()
    if kind == "measures":
        return pdf_response(lambda now: documents.measures_document(cycle.id, now, style), kind, cycle, style)
    # the public progress report leaves out evidence not marked public: a document of its own
    return pdf_response(lambda now: documents.progress_document(cycle.id, now, style, public=True), kind, cycle,
                        style, "public")


@bp.get("/p/evidence/<int:evidence_id>")
@public
def evidence_file(evidence_id: int):
    """A file marked public, of a published cycle; anything else does not exist here."""
    from workflow.publishing.evidence import upload_folder

    row = db.session.execute(select(Evidence, Cycle.published_at).join(Step, Step.id == Evidence.step_id)
                             .join(Measure).join(Cycle).where(Evidence.id == evidence_id)).first()
    if row is None or not row[0].public or row[1] is None or row[0].kind != "file" or not row[0].stored_name \
            or row[0].withdrawn_at is not None:
        abort(404)
    ev = row[0]
    path = upload_folder() / str(ev.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=ev.content_type, as_attachment=True,
                     download_name=ev.filename)


@bp.get("/ics/<secret>.ics")
@public
def ics_feed(secret: str):
    now = clock.now()
    token = tokens.verify(secret, "ics", now=now)
    if token is None:
        tokens.refused("ics", "/ics/***.ics", now=now)
        keep_audit_on_error()
        abort(404)
    data = feeds.cycle_feed(token.cycle_id, now) if token.cycle_id else feeds.person_feed(token.user_id, now)
    # last_used_at is committed with the response (web/transaction.py)
    response = send_file(BytesIO(data), mimetype="text/calendar; charset=utf-8", download_name="ita.ics",
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/p")
@public
def published_list():
    """The agencies of this deployment with a published page, by name: each links to its own list."""
    from workflow.models import Agency

    agencies = db.session.execute(
        select(Agency).where(Agency.id.in_(select(Cycle.agency_id).where(Cycle.published_at.is_not(None))))
        .order_by(Agency.name)).scalars().all()
    if not agencies:
        abort(404)
    return render_template("public_list.html", agencies=agencies, agency=None, cycles=[])


def _agency_published(code: str):
    from workflow.models import Agency

    agency = db.session.execute(select(Agency).where(Agency.code == code.lower())).scalar_one_or_none()
    cycles = [] if agency is None else db.session.execute(
        queries.cycles_newest_first(agency.id).where(Cycle.published_at.is_not(None))).scalars().all()
    if not cycles:
        abort(404)
    return agency, cycles


@bp.get("/p/a/<code>")
@public
def agency_list(code: str):
    """One agency's published years, newest first: the address its website links to."""
    agency, cycles = _agency_published(code)
    return render_template("public_list.html", agencies=[], agency=agency, cycles=cycles)


@bp.get("/p/a/<code>/latest")
@public
def agency_latest(code: str):
    """The agency's newest published year: a link on its website that need not change every year."""
    _agency, cycles = _agency_published(code)
    return redirect(url_for("public.cycle_page", cycle_id=cycles[0].id))


@bp.get("/p/a/<code>/<int:year>/<item>")
@public
def item_page(code: str, year: int, item: str):
    """One OIT item of one agency's fiscal year: a stable address for the ITAS answer sheet, listing what answers
    it (itaflow's documents for the measures items, the evidence marked for it and published)."""
    from workflow.engine import frameworks
    from workflow.publishing import answersheet

    agency, cycles = _agency_published(code)
    cycle = next((c for c in cycles if c.fiscal_year_be == year), None)
    if cycle is None:
        abort(404)
    row = next((r for r in answersheet.rows(cycle, "") if r.code == item.upper()), None)
    if row is None or not row.answers:
        abort(404)
    return render_template("public_item.html", agency=agency, cycle=cycle, row=row,
                           framework=frameworks.for_cycle(cycle))
