"""รายการรออนุมัติ: the reviews waiting for the director's groups, with the evidence inline."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.i18n import message
from web.security import login_required, viewer_scope
from web.views.common import int_field
from workflow import clock
from workflow.db import db
from workflow.engine import queries, transitions
from workflow.errors import ItaflowError
from workflow.thaidate import bangkok_today

bp = Blueprint("approvals", __name__)


@bp.get("/approvals")
@login_required
def queue():
    steps = queries.approval_queue(g.user, directed=viewer_scope()[0])
    reviewed_ids = [s.reviews_step_id for s in steps if s.reviews_step_id]
    return render_template("approvals.html", steps=steps, evidence=queries.evidence_of(reviewed_ids),
                           today=bangkok_today(clock.now()))


@bp.post("/approvals/bulk")
@login_required
def bulk_approve():
    """Approve several at once; each is its own decision, so one conflict does not undo the others."""
    chosen = [int_field(v) for v in request.form.getlist("step")]
    approved, problems = 0, []
    for step_id in [c for c in chosen if c]:
        version = int_field(request.form.get(f"version-{step_id}")) or -1
        try:
            with db.session.begin_nested():  # a savepoint: a refused one leaves the others standing
                transitions.approve(step_id, actor_id=g.user.id, now=clock.now(), expected_version=version)
            approved += 1
        except ItaflowError as exc:
            problems.append(_("ขั้นตอนเลขที่ %(id)s: %(problem)s", id=step_id, problem=message(exc)))
    if not chosen:
        flash(_("ยังไม่ได้เลือกรายการ"), "error")
    if approved:
        flash(_("อนุมัติแล้ว %(count)s รายการ", count=approved), "ok")
    for problem in problems:
        flash(problem, "conflict")
    return redirect(url_for("approvals.queue")), 303
