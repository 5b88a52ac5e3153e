"""The second factor: the sign-in's second step, setting one up, and an admin's reset and policy.

A first factor that passed (a password, or a link from an invitation) calls ``after_first_factor``. Someone
with a second factor (or whose agency requires one) is then *not* signed in: the session holds only
``pending`` (who, their session version, when, where to go next), which no other route reads, so every page
but these answers as to a visitor. The second step passed, ``login_user`` starts the real session.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from web.i18n import message
from web.security import limiter, login_required, login_user, public, roles_required
from web.transaction import keep_audit_on_error
from web.views.common import act
from workflow import clock
from workflow.db import db
from workflow.errors import ItaflowError, ValidationError
from workflow.models import User
from workflow.people import passkeys, secondfactor, throttle

bp = Blueprint("twofactor", __name__)

#: seconds between the password and the second step before one starts again
PENDING_SECONDS = 600


# --- the hand-over from the first factor ---------------------------------------------------------------

def after_first_factor(user: User, next_url: str | None):
    """Sign in now, or ask for the second factor (or for setting one up, when the agency requires it)."""
    has = secondfactor.methods(user.id).any
    if not has and not secondfactor.required(user):
        login_user(user)
        return redirect(next_url or url_for("tasks.my_steps"))
    session.clear()
    session["pending"] = {"uid": user.id, "ver": user.session_version, "t": int(clock.now().timestamp()),
                          "next": next_url, "enrol": not has}
    return redirect(url_for("twofactor.setup" if not has else "twofactor.verify"))


def _pending_user(*, enrol: bool) -> User | None:
    """The person between the two factors, while the step is fresh and their sessions were not ended."""
    pending = session.get("pending")
    if not isinstance(pending, dict) or bool(pending.get("enrol")) != enrol:
        return None
    age = int(clock.now().timestamp()) - int(pending.get("t") or 0)
    user = db.session.get(User, int(pending.get("uid") or 0))
    if not 0 <= age <= PENDING_SECONDS or user is None or not user.active \
            or user.session_version != pending.get("ver"):
        session.pop("pending", None)
        return None
    return user


def _finish(user: User):
    """The second step passed: the real session starts (a new one: nothing of the pending one is kept)."""
    next_url = (session.get("pending") or {}).get("next")
    login_user(user)
    return next_url or url_for("tasks.my_steps")


def _start_again():
    flash(_("กรุณาเข้าสู่ระบบอีกครั้ง"), "error")
    return redirect(url_for("auth.login"))


# --- the second step --------------------------------------------------------------------------------------

@bp.route("/login/second-factor", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@public
def verify():
    """รหัสจากแอป, a recovery code, or a passkey."""
    user = _pending_user(enrol=False)
    if user is None:
        return _start_again()
    error, status = None, 200
    if request.method == "POST":
        try:
            method = secondfactor.check_code(user.id, request.form.get("code") or "", clock.now())
        except throttle.TooManyTries:
            db.session.rollback()
            error, status = _("ลองบ่อยเกินไป บัญชีนี้ถูกพักการเข้าสู่ระบบชั่วคราว กรุณารอ 15 นาที"), 429
        else:
            if method is not None:
                return redirect(_finish(user))
            keep_audit_on_error()  # the failed try (and its count) stays
            error, status = _("รหัสไม่ถูกต้องหรือใช้ไปแล้ว"), 401
    methods = secondfactor.methods(user.id)
    return render_template("second_factor.html", methods=methods, error=error), status


@bp.post("/login/second-factor/passkey/options")
@limiter.limit("20 per minute")
@public
def passkey_options():
    user = _pending_user(enrol=False)
    if user is None:
        return jsonify(error="expired"), 401
    options, challenge = passkeys.authentication_options(user.id)
    session["pending"] = {**session["pending"], "challenge": challenge.hex()}
    return options, 200, {"Content-Type": "application/json"}


@bp.post("/login/second-factor/passkey")
@limiter.limit("20 per minute")
@public
def passkey_verify():
    user = _pending_user(enrol=False)
    if user is None:
        return jsonify(error="expired"), 401
    challenge = bytes.fromhex(session["pending"].pop("challenge", "") or "")
    session.modified = True  # a challenge answers once
    try:
        ok = bool(challenge) and passkeys.authenticate(user.id, response=request.get_data(as_text=True)[:20000],
                                                        challenge=challenge, now=clock.now())
    except throttle.TooManyTries:
        db.session.rollback()
        return jsonify(error=_("ลองบ่อยเกินไป กรุณารอ 15 นาที")), 429
    if not ok:
        keep_audit_on_error()
        return jsonify(error=_("พาสคีย์ยืนยันไม่ผ่าน ลองอีกครั้งหรือใช้รหัสจากแอป")), 401
    return jsonify(next=_finish(user))


# --- setting one up at sign-in, when the agency requires it ---------------------------------------------

@bp.route("/login/second-factor/setup", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@public
def setup():
    """Someone whose agency requires a second factor and who has none sets one up before anything else."""
    user = _pending_user(enrol=True)
    if user is None:
        return _start_again()
    return _totp_page(user, pending=True)


@bp.post("/login/second-factor/setup/passkey/options")
@limiter.limit("20 per minute")
@public
def setup_passkey_options():
    user = _pending_user(enrol=True)
    if user is None:
        return jsonify(error="expired"), 401
    options, challenge = passkeys.registration_options(user)
    session["pending"] = {**session["pending"], "challenge": challenge.hex()}
    return options, 200, {"Content-Type": "application/json"}


@bp.post("/login/second-factor/setup/passkey")
@limiter.limit("20 per minute")
@public
def setup_passkey():
    user = _pending_user(enrol=True)
    if user is None:
        return jsonify(error="expired"), 401
    challenge = bytes.fromhex(session["pending"].pop("challenge", "") or "")
    session.modified = True
    return _register_passkey(user, challenge, pending=True)


# --- one's own settings -------------------------------------------------------------------------------------

@bp.get("/security")
@login_required
def settings():
    """ความปลอดภัยของบัญชี: the app, passkeys, recovery codes."""
    return render_template("security.html", methods=secondfactor.methods(g.user.id),
                           passkeys=passkeys.listing(g.user.id), required=secondfactor.required(g.user))


@bp.route("/security/totp", methods=["GET", "POST"])
@login_required
def totp():
    return _totp_page(g.user, pending=False)


def _totp_page(user: User, *, pending: bool):
    """The app's QR code (a new seed on POST ``start``; a GET only shows one being set up) and, when a first
    code is typed, the app set up and ten recovery codes shown once."""
    error = None
    if request.method == "POST" and request.form.get("code") is not None:
        try:  # signed in, the password again (at sign-in it was just typed)
            codes = secondfactor.confirm_totp(user.id, request.form.get("code") or "", clock.now(),
                                              password=None if pending else request.form.get("password") or "")
        except ValidationError as exc:
            if exc.keep_audit:
                keep_audit_on_error()
            else:
                db.session.rollback()
            error = message(exc)
        else:
            if pending:
                done = _finish(user)
            else:
                login_user(user)  # this session goes on; the person's others ended
                done = url_for("twofactor.settings")
            return render_template("recovery_codes.html", codes=codes, next_url=done, first=True)
    elif request.method == "POST":
        try:
            secondfactor.start_totp(user.id, clock.now())
        except ValidationError as exc:
            db.session.rollback()
            flash(message(exc), "error")
            return redirect(url_for("twofactor.settings")), 303
    credential = secondfactor.pending_totp(user.id)
    qr = secret = None
    if credential is not None:
        secret = credential.secret
        qr = secondfactor.qr_svg(secondfactor.provisioning_uri(user, secret))
    return render_template("totp_setup.html", qr=qr, secret=secret, pending=pending, error=error, person=user,
                           action=url_for("twofactor.setup" if pending else "twofactor.totp")), 422 if error else 200


@bp.post("/security/totp/remove")
@login_required
def remove_totp():
    return _with_password(secondfactor.remove_totp, _("ลบแอปยืนยันตัวตนแล้ว"))


@bp.post("/security/recovery-codes")
@login_required
def renew_codes():
    try:
        codes = secondfactor.renew_recovery_codes(g.user.id, password=request.form.get("password") or "",
                                                  now=clock.now())
    except ValidationError as exc:
        if exc.keep_audit:
            keep_audit_on_error()
        else:
            db.session.rollback()
        flash(message(exc), "error")
        return redirect(url_for("twofactor.settings")), 303
    return render_template("recovery_codes.html", codes=codes, next_url=url_for("twofactor.settings"), first=False)


@bp.post("/security/passkeys/options")
@login_required
def passkey_register_options():
    """The password again first (adding a factor changes how the account signs in), then the options."""
    body = request.get_json(silent=True) or {}
    try:
        secondfactor.confirm_password(g.user.id, str(body.get("password") or ""), clock.now())
    except ValidationError as exc:
        keep_audit_on_error()
        return jsonify(error=message(exc)), 422
    options, challenge = passkeys.registration_options(g.user)
    session["passkey_challenge"] = challenge.hex()
    return options, 200, {"Content-Type": "application/json"}


@bp.post("/security/passkeys")
@login_required
def passkey_register():
    challenge = bytes.fromhex(session.pop("passkey_challenge", "") or "")
    return _register_passkey(g.user, challenge, pending=False)


def _register_passkey(user: User, challenge: bytes, *, pending: bool):
    if not challenge:
        return jsonify(error=_("หมดเวลา กรุณาลองใหม่")), 400
    try:
        _key, codes = passkeys.register(user.id, response=request.get_data(as_text=True)[:20000], challenge=challenge,
                                        name=request.args.get("name") or "", now=clock.now())
    except ItaflowError as exc:
        db.session.rollback()
        return jsonify(error=message(exc)), 422
    if pending:
        next_url = _finish(user)
    else:
        login_user(user)  # this session goes on; the person's others ended
        next_url = url_for("twofactor.settings")
    if codes:  # shown once, on the page the script opens next
        session["codes"] = {"codes": codes, "next": next_url}
        return jsonify(next=url_for("twofactor.show_codes"))
    flash(_("เพิ่มพาสคีย์แล้ว"), "ok")
    return jsonify(next=next_url)


@bp.get("/security/codes")
@login_required
def show_codes():
    """The recovery codes made with a first passkey, shown once (then gone from the session)."""
    kept = session.pop("codes", None)
    if not kept:
        return redirect(url_for("twofactor.settings"))
    return render_template("recovery_codes.html", codes=kept["codes"], next_url=kept["next"], first=True)


@bp.post("/security/passkeys/<int:passkey_id>/remove")
@login_required
def remove_passkey(passkey_id: int):
    return _with_password(lambda user_id, **kw: passkeys.remove(user_id, passkey_id, **kw), _("ลบพาสคีย์แล้ว"))


def _with_password(service, done: str):
    try:
        service(g.user.id, password=request.form.get("password") or "", now=clock.now())
    except ItaflowError as exc:
        if getattr(exc, "keep_audit", False):
            keep_audit_on_error()
        else:
            db.session.rollback()
        flash(message(exc), "error")
        return redirect(url_for("twofactor.settings")), 303
    login_user(g.user)  # this session goes on; the person's others ended
    flash(done, "ok")
    return redirect(url_for("twofactor.settings")), 303


# --- an agency admin's -------------------------------------------------------------------------------------

@bp.post("/admin/second-factor")
@roles_required("admin")
def policy():
    return act(secondfactor.set_policy, url_for("admin.index") + "#second-factor", _("บันทึกแล้ว"),
               policy=request.form.get("policy", ""), now=clock.now())


@bp.post("/admin/users/<int:user_id>/second-factor/reset")
@roles_required("admin")
def reset(user_id: int):
    return act(secondfactor.reset, url_for("admin.index"), _("ล้างการยืนยันตัวตนขั้นที่สองแล้ว และแจ้งเจ้าของบัญชีทางอีเมล"),
               user_id=user_id, now=clock.now())
