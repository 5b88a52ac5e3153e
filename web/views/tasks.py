"""งานของฉัน (my steps) and the step page: evidence, mark done, approve or send back."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web.security import deny, limiter, login_required, viewer_scope
from web.views.common import act, int_field, mine_or_404, step_of_evidence
from workflow import acting, clock
from workflow.db import db
from workflow.engine import frameworks, queries, transitions
from workflow.models import Evidence, Group, Step, User
from workflow.people import permissions
from workflow.publishing import evidence as evidence_service
from workflow.thaidate import bangkok_today

bp = Blueprint("tasks", __name__)


def _step_or_404(step_id: int, *, evidence: bool = False) -> Step:
    step = mine_or_404(db.session.get(Step, step_id))
    if evidence and not permissions.may_see_evidence(g.user, step):
        deny()
    return step


@bp.get("/")
@login_required
def my_steps():
    today = bangkok_today(clock.now())
    steps = queries.my_open_steps(g.user, groups=viewer_scope()[1])
    return render_template("my_steps.html", steps=steps, today=today,
                           classes={s.id: queries.due_class(s, today) for s in steps})


@bp.get("/steps/<int:step_id>")
@login_required
def step_page(step_id: int):
    step = _step_or_404(step_id)
    today = bangkok_today(clock.now())
    reviewed = step.reviews_step
    show_evidence = permissions.may_see_evidence(g.user, step)
    evidence = queries.evidence_of([step.id] + ([reviewed.id] if reviewed else [])) if show_evidence else {}
    withdrawn = queries.evidence_of([step.id], withdrawn=True) if show_evidence else {}
    # the step's own people (its named officer; a review's director) away today: said, with who acts for them
    person = step.owner_user if step.kind != "review" else (step.reviewer_group.director if step.reviewer_group
                                                            else None)
    away = acting.away_today({person.id} if person is not None else set(), today)
    away_rows = [(person, away[person.id])] if person is not None and person.id in away else []
    acting_ids = {a.acting_user_id for _p, a in away_rows if a.acting_user_id}
    acting_names = {u.id: u.name for u in db.session.execute(select(User).where(User.id.in_(acting_ids))).scalars()
                    } if acting_ids else {}
    can_decide = step.kind == "review" and step.state == "open" and permissions.may_decide(g.user, step)
    can_complete = step.kind == "task" and step.state == "open" and permissions.is_owner(g.user, step)
    acting_as = permissions.standing_in(g.user, step, decide=step.kind == "review") \
        if (can_decide or can_complete) else None
    return render_template(
        "step.html", step=step, measure=step.measure, today=today, due_class=queries.due_class(step, today),
        away=away_rows, acting_names=acting_names, acting_as=acting_as,
        suggest=next(iter(acting_ids), None) if step.kind == "task" else None,
        history=queries.step_history(step.id), evidence=evidence.get(step.id, []), show_evidence=show_evidence,
        reviewed_evidence=evidence.get(reviewed.id, []) if reviewed else [], withdrawn=withdrawn.get(step.id, []),
        can_complete=can_complete, can_decide=can_decide,
        can_reopen=step.state == "done" and g.user.has_role("secretariat"),
        can_reassign=step.kind == "task" and step.state != "done" and g.user.has_role("secretariat"),
        can_remove=step.state != "done" and not step.decisions and g.user.has_role("secretariat"),
        groups=_choices(Group), people=_choices(User),
        item_codes=[i["code"] for i in frameworks.for_cycle(step.measure.cycle).items]
        if g.user.has_role("secretariat", "admin") else [],
    )


def _choices(model) -> list:
    if not g.user.has_role("secretariat"):
        return []
    mine = model.agency_id == g.user.agency_id  # the agency's own groups and people, never another's
    return list(db.session.execute(select(model).where(mine).order_by(model.name)).scalars())


def _back(step_id: int) -> str:
    return url_for("tasks.step_page", step_id=step_id)


@bp.post("/steps/<int:step_id>/done")
@login_required
def complete(step_id: int):
    return act(transitions.complete, _back(step_id), _("บันทึกว่าเสร็จแล้ว"), step_id=step_id, now=clock.now(),
               expected_version=int_field(request.form.get("version")) or -1, note=request.form.get("note"))


@bp.post("/steps/<int:step_id>/approve")
@login_required
def approve(step_id: int):
    return act(transitions.approve, _back(step_id), _("อนุมัติแล้ว"), step_id=step_id, now=clock.now(),
               expected_version=int_field(request.form.get("version")) or -1, note=request.form.get("note"))


@bp.post("/steps/<int:step_id>/send-back")
@login_required
def send_back(step_id: int):
    """From the step's page, or from the approval queue (``from=queue``: back to the queue)."""
    back = url_for("approvals.queue") if request.form.get("from") == "queue" else _back(step_id)
    return act(transitions.send_back, back, _("ส่งกลับให้แก้ไขแล้ว"), step_id=step_id, now=clock.now(),
               expected_version=int_field(request.form.get("version")) or -1, reason=request.form.get("reason", ""))


@bp.post("/steps/<int:step_id>/reopen")
@login_required
def reopen(step_id: int):
    return act(transitions.reopen, _back(step_id), _("เปิดขั้นตอนใหม่แล้ว"), step_id=step_id, now=clock.now(),
               expected_version=int_field(request.form.get("version")) or -1, reason=request.form.get("reason", ""))


@bp.post("/steps/<int:step_id>/reassign")
@login_required
def reassign(step_id: int):
    """To a group or to a person: one choice (``owner`` is ``group:ID`` or ``user:ID``), saved as chosen."""
    kind, _sep, raw = (request.form.get("owner") or "").partition(":")
    if kind in ("group", "user"):
        group_id = int_field(raw) if kind == "group" else None
        user_id = int_field(raw) if kind == "user" else None
    else:
        group_id = int_field(request.form.get("group_id"))
        user_id = int_field(request.form.get("user_id"))
    back = url_for("absences.index") if request.form.get("from") == "absences" else _back(step_id)
    return act(transitions.reassign, back, _("มอบหมายผู้รับผิดชอบใหม่แล้ว"), step_id=step_id, now=clock.now(),
               expected_version=int_field(request.form.get("version")) or -1, group_id=group_id, user_id=user_id)


@bp.post("/steps/<int:step_id>/due")
@login_required
def move_due(step_id: int):
    """The secretariat moves a step's due date, written as officials write dates (๓๑/๗/๒๕๖๗, ๓๑ ก.ค. ๒๕๖๗)."""
    return act(transitions.move_due, _back(step_id), _("เลื่อนกำหนดแล้ว และแจ้งผู้รับผิดชอบแล้ว"), step_id=step_id,
               now=clock.now(), expected_version=int_field(request.form.get("version")) or -1,
               due_on=request.form.get("due_on") or "", reason=request.form.get("reason") or "")


@bp.post("/evidence/<int:evidence_id>/withdraw")
@login_required
def withdraw_evidence(evidence_id: int):
    """Its owner withdraws evidence while the step is open; it stays in the step's history."""
    step = step_of_evidence(evidence_id)
    return act(evidence_service.withdraw, _back(step.id), _("ถอนหลักฐานแล้ว (ยังอยู่ในประวัติ)"),
               evidence_id=evidence_id, now=clock.now())


@bp.post("/evidence/<int:evidence_id>/replace")
@login_required
def replace_evidence(evidence_id: int):
    """A new file in place of one already attached (the old one stays in the history)."""
    step = step_of_evidence(evidence_id)
    upload = request.files.get("file")
    return act(evidence_service.replace_file, _back(step.id), _("แทนที่ไฟล์แล้ว (ไฟล์เดิมยังอยู่ในประวัติ)"),
               evidence_id=evidence_id, now=clock.now(), filename=upload.filename if upload else "",
               data=upload.read() if upload else b"")


@bp.post("/steps/<int:step_id>/remove")
@login_required
def remove_step(step_id: int):
    """The secretariat removes a step nobody has worked on, with the reason (audited)."""
    from workflow.engine import stepedits

    step = _step_or_404(step_id)
    back = url_for("measures.measure", measure_id=step.measure_id)
    return act(stepedits.remove_step, back, _("ลบขั้นตอนแล้ว"), step_id=step_id, now=clock.now(),
               expected_version=int_field(request.form.get("version")) or -1, reason=request.form.get("reason") or "")


def _uploader() -> str:
    user = g.get("user")
    return f"user:{user.id}" if user is not None else f"address:{request.remote_addr}"


@bp.post("/steps/<int:step_id>/evidence")
@limiter.limit("60 per hour", key_func=_uploader)  # per person: notes, links and files alike
@login_required
def add_evidence(step_id: int):
    if not permissions.is_owner(g.user, _step_or_404(step_id)):
        deny()
    kind = request.form.get("kind")
    now = clock.now()
    if kind == "note":
        return act(evidence_service.add_note, _back(step_id), _("บันทึกหลักฐานแล้ว"), step_id=step_id, now=now,
                   text=request.form.get("text", ""))
    if kind == "link":
        return act(evidence_service.add_link, _back(step_id), _("เพิ่มลิงก์แล้ว"), step_id=step_id, now=now,
                   url=request.form.get("url", ""), text=request.form.get("text"))
    if kind == "file":
        upload = request.files.get("file")
        return act(evidence_service.add_file, _back(step_id), _("แนบไฟล์แล้ว"), step_id=step_id, now=now,
                   filename=upload.filename if upload else "", data=upload.read() if upload else b"")
    abort(400)


@bp.get("/evidence/<int:evidence_id>")
@login_required
def download(evidence_id: int):
    ev = db.session.get(Evidence, evidence_id)
    if ev is None or ev.kind != "file" or not ev.stored_name:
        abort(404)
    _step_or_404(ev.step_id, evidence=True)
    path = evidence_service.upload_folder() / ev.stored_name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=ev.content_type, as_attachment=True, download_name=ev.filename)
