"""Log in, log out, change the password."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web.i18n import message
from web.security import limiter, login_required, login_user, public, safe_next
from workflow import audit, clock
from workflow.db import db
from workflow.errors import ValidationError
from workflow.models import User
from workflow.users import hash_password, verify_password

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@public
def login():
    error = None
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()[:255]
        password = request.form.get("password") or ""
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        now = clock.now()
        if user is not None and len(password) <= 1024 and verify_password(user, password):
            audit.record("login", actor_id=user.id, now=now, target_type="user", target_id=user.id)
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("tasks.my_steps"))
        audit.record("login_failed", actor_id=user.id if user else None, now=now, target_type="user",
                     target_id=user.id if user else None, note=email[:100])
        db.session.commit()
        error = _("อีเมลหรือรหัสผ่านไม่ถูกต้อง")
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
@login_required
def logout():
    user = g.user
    user.session_version += 1  # ends this user's other sessions too
    audit.record("logout", actor_id=user.id, now=clock.now(), target_type="user", target_id=user.id)
    db.session.commit()
    from flask import session
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    error = None
    if request.method == "POST":
        user = g.user
        current, new, again = (request.form.get(k) or "" for k in ("current", "new", "again"))
        try:
            if not verify_password(user, current):
                raise ValidationError("รหัสผ่านเดิมไม่ถูกต้อง", "the current password is wrong")
            if new != again:
                raise ValidationError("รหัสผ่านใหม่สองช่องไม่ตรงกัน", "the new passwords differ")
            user.password_hash = hash_password(new)
            user.session_version += 1
            audit.record("password_changed", actor_id=user.id, now=clock.now(), target_type="user", target_id=user.id)
            db.session.commit()
            login_user(user)  # this session continues; the others end
            flash(_("เปลี่ยนรหัสผ่านแล้ว"))
            return redirect(url_for("tasks.my_steps"))
        except ValidationError as exc:
            db.session.rollback()
            error = message(exc)
    return render_template("password.html", error=error), 400 if error else 200
