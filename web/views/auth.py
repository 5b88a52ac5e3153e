"""Log in, log out, change the password (workflow.people.accounts does the work; the request commits)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from web.i18n import message
from web.security import limiter, login_required, login_user, public, safe_next
from web.transaction import keep_audit_on_error
from web.views.twofactor import after_first_factor
from workflow import clock
from workflow.db import db
from workflow.errors import ValidationError
from workflow.people import accounts
from workflow.people.throttle import TooManyTries

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
# per account (failed tries only, counted in the database by accounts.sign_in): ten wrong passwords in 15
# minutes hold that account's sign-in back (429) from every address and every web worker
@public
def login():
    from web.views.sso import login_context, page_agency

    error, status = None, 200
    next_url = safe_next(request.args.get("next"))
    if request.method == "POST":
        try:
            user = accounts.sign_in(request.form.get("email") or "", request.form.get("password") or "",
                                    now=clock.now())
        except TooManyTries:
            db.session.rollback()
            error, status = _("ลองเข้าสู่ระบบบ่อยเกินไป กรุณารอสักครู่"), 429
        except accounts.SsoRequired as exc:  # the right password, but the agency signs in through a provider
            keep_audit_on_error()
            error, status = message(exc), 403
        else:
            if user is not None:  # the first factor: the second, when there is one, is asked next
                return after_first_factor(user, next_url)
            keep_audit_on_error()  # the failed sign-in stays in the audit log
            error, status = _("อีเมลหรือรหัสผ่านไม่ถูกต้อง"), 401
    return render_template("login.html", error=error, next=next_url, **login_context(page_agency())), status


@bp.post("/logout")
@login_required
def logout():
    accounts.sign_out(g.user.id, now=clock.now())  # ends this user's other sessions too
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    error = None
    if request.method == "POST":
        current, new, again = (request.form.get(k) or "" for k in ("current", "new", "again"))
        try:
            user = accounts.change_password(g.user.id, current=current, new=new, again=again, now=clock.now())
            login_user(user)  # this session continues; the others end
            flash(_("เปลี่ยนรหัสผ่านแล้ว"))
            return redirect(url_for("tasks.my_steps"))
        except ValidationError as exc:
            if exc.keep_audit:
                keep_audit_on_error()
            else:
                db.session.rollback()
            error = message(exc)
    return render_template("password.html", error=error), 400 if error else 200


@bp.route("/welcome/<secret>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def welcome(secret: str):
    """Set one's password with the link an admin sent by e-mail; then one is signed in."""
    from workflow.people import invitations

    error = None
    try:
        person = invitations.holder(secret, clock.now())
    except ValidationError as exc:
        return render_template("welcome.html", person=None, error=message(exc)), 410
    if request.method == "POST":
        try:
            user = invitations.accept(secret, new=request.form.get("new") or "", again=request.form.get("again") or "",
                                      now=clock.now())
        except ValidationError as exc:
            db.session.rollback()
            error = message(exc)
        else:
            response = after_first_factor(user, None)  # a link is a first factor too
            flash(_("ตั้งรหัสผ่านแล้ว ยินดีต้อนรับ"), "ok")
            return response, 303
    return render_template("welcome.html", person=person, error=error), 422 if error else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """One's own settings: alerts (instant or a daily digest and its hour), language, digits."""
    from workflow.people.users import update_profile

    error = None
    if request.method == "POST":
        form = request.form
        hour = form.get("digest_hour", "")
        try:
            update_profile(g.user.id, notify_mode=form.get("notify_mode", ""),
                           digest_hour=int(hour) if hour.isdigit() else None, language=form.get("language", ""),
                           digit_style=form.get("digit_style", ""), now=clock.now())
        except ValidationError as exc:
            db.session.rollback()
            error = message(exc)
        else:
            session["lang"] = g.user.language
            flash(_("บันทึกแล้ว"), "ok")
            return redirect(url_for("auth.profile")), 303
    return render_template("profile.html", error=error), 422 if error else 200
