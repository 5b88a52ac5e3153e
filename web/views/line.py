"""LINE: the admin's page (the channel's token and secret, what groups hear at once, binding groups with the
code the bot posted, messages sent this month), a person's own account on the profile page, and the webhook
LINE calls. Thin: the work is workflow/channels/linebind.py's and workflow/channels/lineout.py's."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web.i18n import message
from web.security import csrf, deny, limiter, login_required, public, roles_required
from web.transaction import keep_audit_on_error
from workflow import audit, clock
from workflow.channels import linebind, lineout
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied, ValidationError
from workflow.models import Group

bp = Blueprint("line", __name__)


def _page(status: int = 200, **extra):
    agency_id = g.user.agency_id
    channel = linebind.channel_of(agency_id)
    groups = db.session.execute(select(Group).where(Group.agency_id == agency_id).order_by(Group.name)
                                ).scalars().all()
    targets = linebind.targets_of(agency_id)
    return render_template(
        "line.html", channel=channel, groups={grp.id: grp for grp in groups}, targets=targets,
        token_shown=linebind.masked(channel.access_token) if channel else "",
        secret_shown=linebind.masked(channel.channel_secret) if channel else "",
        webhook=f"{current_app.config['ITAFLOW'].base_url}{url_for('line.webhook')}",
        sent=lineout.sent_this_month(agency_id, clock.now()), immediate=linebind.IMMEDIATE,
        errors=extra.pop("errors", {}), **extra), status


@bp.get("/admin/line")
@roles_required("admin")
def settings():
    return _page()


@bp.post("/admin/line")
@roles_required("admin")
def save():
    try:
        linebind.save_channel(actor_id=g.user.id, now=clock.now(), token=request.form.get("token", ""),
                              secret=request.form.get("secret", ""), immediate=request.form.getlist("immediate"))
    except ValidationError as exc:
        db.session.rollback()
        return _page(422, errors={"channel": message(exc)})
    flash(_("บันทึกการตั้งค่า LINE แล้ว"), "ok")
    return redirect(url_for("line.settings")), 303


@bp.post("/admin/line/bind")
@roles_required("admin")
@limiter.limit("10 per hour", key_func=lambda: f"line-bind:{g.user.agency_id}")
def bind():
    try:
        linebind.bind_group(actor_id=g.user.id, now=clock.now(), code=request.form.get("code", "")[:40],
                            scope=request.form.get("scope", ""))
    except ValidationError as exc:
        db.session.rollback()
        if isinstance(exc, linebind.WrongCode):
            _count_miss("group")
        return _page(422, errors={"bind": message(exc)}, typed=request.form)
    flash(_("ผูกกลุ่ม LINE แล้ว"), "ok")
    return redirect(url_for("line.settings")), 303


def _count_miss(kind: str) -> None:
    """A wrong code is kept (with its audit event) even though the request fails: guesses run out."""
    linebind.count_miss(g.user.agency_id, kind)
    audit.record("line_code_refused", agency_id=g.user.agency_id, actor_id=g.user.id, now=clock.now(),
                 target_type="agency", target_id=g.user.agency_id, data={"kind": kind})
    keep_audit_on_error()


@bp.post("/admin/line/targets/<int:target_id>/unbind")
@login_required
def unbind(target_id: int):
    back = url_for("line.settings") if g.user.has_role("admin") else url_for("auth.profile")
    try:
        linebind.unbind(target_id, actor_id=g.user.id, now=clock.now())
    except NotFound:
        db.session.rollback()
        abort(404)
    except PermissionDenied:
        db.session.rollback()
        deny()
    flash(_("ยกเลิกการผูก LINE แล้ว"), "ok")
    return redirect(url_for("auth.profile") if request.form.get("back") == "profile" else back), 303


@bp.post("/profile/line")
@login_required
@limiter.limit("10 per hour", key_func=lambda: f"line-link:{g.user.id}")
def link():
    try:
        linebind.link_person(actor_id=g.user.id, now=clock.now(), code=request.form.get("code", "")[:40])
    except linebind.WrongCode as exc:
        db.session.rollback()
        _count_miss("person")
        flash(message(exc), "error")
        return render_template("profile.html", error=message(exc)), 422
    flash(_("เชื่อมบัญชี LINE ของท่านแล้ว"), "ok")
    return redirect(url_for("auth.profile")), 303


@bp.post("/line/webhook")
@public
@csrf.exempt
@limiter.limit("3000 per minute")  # LINE calls from a few addresses, for every agency of the deployment
def webhook():
    """LINE's webhook: acted on only when signed with the channel's secret; the answer says nothing more than
    the status (no secret, no detail of what is stored)."""
    if (request.content_length or 0) > linebind.MAX_BODY:
        return jsonify({"message": "body too large"}), 413
    body = request.stream.read(linebind.MAX_BODY + 1)
    try:
        result = linebind.handle_webhook(body, request.headers.get("x-line-signature"), clock.now())
    except linebind.WebhookRefused as exc:
        db.session.rollback()
        return jsonify({"message": exc.message_en}), exc.status
    response = jsonify({})
    if result.replies and result.channel_id is not None:
        channel_id, replies, app = result.channel_id, result.replies, current_app._get_current_object()

        def answer() -> None:  # after the response, so after the request's commit: the codes are stored
            with app.app_context():
                linebind.send_replies(channel_id, replies)

        response.call_on_close(answer)
    return response
