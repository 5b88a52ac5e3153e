"""The parent's roll-up (ภาพรวมหน่วยงานในสังกัด): its units' progress, a spreadsheet of it, and a read-only
look into any unit. For a parent's supervisors and executives (and its admins)."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from web.i18n import language, message
from web.security import roles_required
from web.views.common import chosen_cycle, int_field
from workflow import clock
from workflow.db import db
from workflow.engine import queries
from workflow.errors import ItaflowError, NotFound
from workflow.models import Agency
from workflow.oversight import rollup
from workflow.people import agencies, permissions, units
from workflow.thaidate import bangkok_today
from workflow.vocabulary import AgencyKind, label

bp = Blueprint("rollup", __name__)
READERS = ("supervisor", "executive", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> dict:
    """The roll-up's filters as asked (anything not understood is left out, never an error)."""
    args = request.args
    return {"kind": args.get("kind") if args.get("kind") in set(AgencyKind) else None,
            "under": (args.get("under") or "").strip()[:64] or None,
            "q": (args.get("q") or "").strip()[:100] or None,
            "behind": args.get("behind") == "1",
            "sort": args.get("sort") if args.get("sort") in rollup.SORTS else "code",
            "descending": args.get("desc") == "1"}


@bp.get("/rollup")
@roles_required(*READERS)
def index():
    """The level below first (offices with their units' totals and who is behind), then one page of the units:
    filtered, searched, sorted; the whole list as a spreadsheet."""
    chosen = _filters()
    page = int_field(request.args.get("page")) or 1
    try:
        seen = rollup.overview(g.user.agency_id, bangkok_today(clock.now()), page=page, **chosen)
    except NotFound:
        abort(404)
    here = {k: v for k, v in {"kind": chosen["kind"], "under": chosen["under"], "q": chosen["q"],
                               "behind": "1" if chosen["behind"] else None, "sort": chosen["sort"],
                               "desc": "1" if chosen["descending"] else None}.items() if v}
    return render_template("rollup.html", seen=seen, rows=seen.units, chosen=chosen, here=here,
                           kinds=list(AgencyKind), offices=rollup.child_offices(g.user.agency_id),
                           kind_words={str(k): label(k, language()) for k in AgencyKind})


@bp.get("/rollup.xlsx")
@roles_required(*READERS)
def export():
    """The whole list the filters keep (every page), one row a unit."""
    try:
        rows = rollup.matching(g.user.agency_id, bangkok_today(clock.now()), **_filters())
    except NotFound:
        abort(404)
    data = rollup.to_xlsx(g.user.agency_id, rows)
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="ita-units.xlsx", max_age=0)


@bp.get("/units/<code>")
@roles_required(*READERS)
def unit(code: str):
    """One unit's measures, read-only: its pages open from here as the unit's own people see them."""
    agency = db.session.query(Agency).filter(Agency.code == code.lower()).one_or_none()
    if agency is None or agency.id == g.user.agency_id or not (
            permissions.reads_agency(g.user, agency.id) or permissions.governs_agency(g.user, agency.id)):
        abort(404)
    cycle, cycles = chosen_cycle(agency.id)  # the unit's years: ?cycle=<id> of its own, else its newest
    today = bangkok_today(clock.now())
    chain = list(reversed(agencies.ancestors(agency)))
    mine = next((n for n, a in enumerate(chain) if a.id == g.user.agency_id), -1)
    return render_template("unit.html", unit=agency, chain=chain[mine + 1:],
                           cycle=cycle, cycles=cycles, rows=queries.progress(cycle, today) if cycle else [])


def _parents() -> list[tuple[Agency, int]]:
    """Where an admin may add a unit: their own agency and every unit under it, parents first."""
    mine = set(agencies.subtree_ids(g.user.agency_id))
    return [(a, depth) for a, depth in agencies.listing() if a.id in mine]


@bp.route("/units/new", methods=["GET", "POST"])
@roles_required("admin")
def new_unit():
    """A parent's admin adds a unit and names its first admin, who gets a link to set their password."""
    form = request.form
    error = None
    if request.method == "POST":
        parent_id = form.get("parent_id", type=int) or g.user.agency_id
        try:
            unit, admin = units.add_unit(
                parent_id, form.get("code", ""), form.get("name", ""), form.get("kind", ""),
                admin_name=form.get("admin_name", ""), admin_email=form.get("admin_email", ""),
                actor_id=g.user.id, now=clock.now())
        except NotFound:
            db.session.rollback()
            abort(404)
        except ItaflowError as exc:
            db.session.rollback()
            error = message(exc)
        else:
            flash(_("เพิ่ม %(unit)s แล้ว และส่งลิงก์ตั้งรหัสผ่านถึง %(email)s แล้ว", unit=unit.name,
                    email=admin.email), "ok")
            return redirect(url_for("rollup.index")), 303
    return render_template("unit_new.html", error=error, form=form, kinds=list(AgencyKind),
                           parents=_parents()), 422 if error else 200
