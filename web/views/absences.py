"""การไม่อยู่และผู้รักษาราชการแทน: record an absence (one's own, or anyone's by the agency's admin) with who acts
meanwhile; the agency's absences not yet over, each with the absent person's steps to reassign."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web.i18n import message
from web.security import deny, login_required
from web.views.common import act, int_field
from workflow import clock
from workflow.db import db
from workflow.engine import absences
from workflow.errors import NotFound, PermissionDenied, ValidationError
from workflow.models import User
from workflow.thaidate import bangkok_today

bp = Blueprint("absences", __name__)


@bp.get("/absences")
@login_required
def index():
    return _page()


def _page(*, error: str | None = None, entered: dict | None = None) -> str:
    """The page; after a refused record, with its reason and what was entered (to correct, not type again)."""
    today = bangkok_today(clock.now())
    people = db.session.execute(select(User).where(User.agency_id == g.user.agency_id, User.active.is_(True))
                                .order_by(User.name)).scalars().all()
    listed = absences.listing(g.user.agency_id, today)
    return render_template("absences.html", listed=listed, people=people, today=today,
                           is_admin=g.user.has_role("admin"), sees_steps=g.user.has_role("secretariat", "admin",
                                                                                       "executive"),
                           may_reassign=g.user.has_role("secretariat"), error=error, entered=entered or {})


@bp.post("/absences")
@login_required
def record():
    form = request.form
    person = int_field(form.get("user_id")) if g.user.has_role("admin") and form.get("user_id") else g.user.id
    try:
        absences.record(actor_id=g.user.id, user_id=person or 0, starts_on=form.get("starts_on") or "",
                        ends_on=form.get("ends_on") or "", reason=form.get("reason"),
                        acting_user_id=int_field(form.get("acting_user_id")), now=clock.now())
    except ValidationError as exc:  # refused: said on the page with what was entered, nothing written
        db.session.rollback()
        return _page(error=message(exc), entered=form.to_dict()), 400
    except PermissionDenied:
        db.session.rollback()
        deny()
    except NotFound:
        db.session.rollback()
        abort(404)
    flash(_("บันทึกการไม่อยู่แล้ว"), "ok")
    return redirect(url_for("absences.index")), 303


@bp.post("/absences/<int:absence_id>/cancel")
@login_required
def cancel(absence_id: int):
    return act(absences.cancel, url_for("absences.index"), _("ยกเลิกบันทึกการไม่อยู่แล้ว"), absence_id=absence_id,
               now=clock.now())
