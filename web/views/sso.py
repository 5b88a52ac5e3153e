"""Single sign-on pages: an agency's sign-in page, the start of a provider's sign-in and its return, and the
admin's page where providers are switched on, single sign-on is required and people's links are kept.

**Which buttons a sign-in page shows.** The page comes before anyone is known, so each agency has its own
sign-in address, ``/login/a/<code>``, for its intranet or website to link to: it names the agency and shows
the buttons of the providers that agency allows (its own switch, or a parent's for its units), and the browser
remembers the agency for ``/login`` (where a session that ended sends people). Without one (a first visit to
``/login`` of a deployment of several agencies) the page offers the providers some agency switched on. Either
way the page only *presents*: the address is anyone's to type, so what decides is the account a sign-in finds,
whose own agency must allow that provider (and its domain). The agency of the page also names, to someone
who has no account, whose admins to ask.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web import sso
from web.i18n import message
from web.security import limiter, public, roles_required, safe_next
from web.transaction import keep_audit_on_error
from web.views.common import act, int_field
from web.views.twofactor import after_first_factor
from workflow import clock
from workflow.db import db
from workflow.models import Agency, User
from workflow.people import signin, signinsettings

bp = Blueprint("sso", __name__)

#: the agency whose sign-in page this browser used last (its code only; a hint for /login, never a right)
AGENCY_COOKIE = "itaflow_agency"


def agency_by_code(code: str | None) -> Agency | None:
    if not code or len(code) > 64:
        return None
    return db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()


def page_agency() -> Agency | None:
    """The agency a sign-in page is for: the one remembered by this browser, else the deployment's only one."""
    from workflow.people import agencies

    return agency_by_code(request.cookies.get(AGENCY_COOKIE)) or agencies.sole()


def login_context(agency: Agency | None) -> dict:
    """What the sign-in page shows: the agency, its buttons, and whether passwords are for its break-glass
    admin only."""
    buttons = [r.provider for r in signin.rules(agency)] if agency is not None else signin.offered_anywhere()
    return {"agency": agency, "buttons": buttons,
            "sso_only": bool(agency is not None and agency.sso_required and buttons)}


@bp.get("/login/a/<code>")
@public
def agency_login(code: str):
    """An agency's own sign-in page (the address its intranet links to)."""
    agency = agency_by_code(code)
    if agency is None:
        abort(404)
    response = current_app.make_response(render_template(
        "login.html", error=None, next=safe_next(request.args.get("next")), **login_context(agency)))
    response.set_cookie(AGENCY_COOKIE, agency.code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/login/sso/<provider>")
@limiter.limit("20 per minute")
@public
def start(provider: str):
    """Leave for the provider, with a state, a nonce and a PKCE challenge kept in this browser's session. A link,
    not a form: the pages' CSP (form-action 'self') would stop a form's redirect to the provider, and starting a
    sign-in changes no data (someone who makes a browser open it only sends that person to their provider)."""
    p = signin.provider(provider)
    if p is None:
        abort(404)
    agency = agency_by_code(request.args.get("agency"))
    next_path = safe_next(request.args.get("next"))
    try:
        url = sso.authorization_url(p.id, next_path=next_path, agency_code=agency.code if agency else None)
    except sso.ProviderUnavailable:
        return _unavailable(p, agency or page_agency(), next_path)
    return redirect(url, 303)


def _unavailable(p, agency: Agency | None, next_path: str | None):
    error = _("ติดต่อ %(name)s ไม่ได้ในขณะนี้ กรุณาลองใหม่อีกครั้งภายหลัง", name=p.name)
    context = login_context(agency)
    if not context["sso_only"]:
        error += " " + _("หรือเข้าสู่ระบบด้วยอีเมลและรหัสผ่านด้านล่าง")
    return render_template("login.html", error=error, next=next_path, **context), 503


@bp.get("/login/sso/<provider>/callback")
@limiter.limit("20 per minute")
@public
def callback(provider: str):
    """The provider sends the person back here: the answer checked (web/sso.py), the account found
    (workflow/people/signin.py), a new session."""
    p = signin.provider(provider)
    if p is None:
        abort(404)
    now = clock.now()
    try:
        done = sso.finish(p.id, request.args)
    except sso.ProviderUnavailable:
        return _unavailable(p, page_agency(), None)
    except sso.FlowRefused as exc:
        signin.flow_failed(p.id, exc.reason, hint=page_agency(), now=now)
        keep_audit_on_error()
        text = {"state": _("การเข้าสู่ระบบนี้ไม่ได้เริ่มจากเบราว์เซอร์นี้ หรือนานเกินไปแล้ว กรุณาเริ่มใหม่"),
                "denied": _("%(name)s ไม่ได้ยืนยันตัวตนของท่าน กรุณาลองใหม่", name=p.name)}.get(
            exc.reason, _("คำตอบจาก %(name)s ตรวจสอบไม่ผ่าน จึงไม่ได้เข้าสู่ระบบ กรุณาเริ่มใหม่", name=p.name))
        return render_template("login.html", error=text, next=None, **login_context(page_agency())), 400
    hint = agency_by_code(done.agency_code)
    try:
        user = signin.sign_in(p.id, done.claims, hint=hint, now=now)
    except signin.SignInRefused as exc:
        keep_audit_on_error()
        return render_template("sso_refused.html", provider=p, reason=exc.reason, text=message(exc),
                               agency=exc.agency, admins=signin.admins_to_ask(exc.agency), email=exc.email), 403
    # the provider is the first factor: someone with a second factor (or whose agency requires one) gives it next
    return after_first_factor(user, done.next_path), 303


# --- the admin's page -----------------------------------------------------------------------------------------

@bp.get("/admin/sign-in")
@roles_required("admin")
def admin_page():
    agency = db.session.get(Agency, g.user.agency_id)
    own = {r.provider: r for r in db.session.execute(
        select(signin.AgencySignIn).where(signin.AgencySignIn.agency_id == agency.id)).scalars()}
    people = db.session.execute(select(User).where(User.agency_id == agency.id).order_by(User.name)).scalars().all()
    return render_template("sign_in_admin.html", agency=agency, providers=signin.providers(), own=own,
                           effective={r.provider.id: r for r in signin.rules(agency)}, people=people,
                           admins=[u for u in people if u.active and u.has_role("admin")],
                           identities=signinsettings.identities(agency.id), has_units=bool(agency.children),
                           parent=agency.parent,
                           sign_in_url=f"{current_app.config['ITAFLOW'].base_url}/login/a/{agency.code}",
                           callback=sso.redirect_uri)


@bp.post("/admin/sign-in/providers")
@roles_required("admin")
def admin_providers():
    form = request.form
    choices = {p.id: (form.get(f"choice-{p.id}") or "", form.get(f"units-{p.id}") == "1", form.get(f"domain-{p.id}"))
               for p in signin.providers() if f"choice-{p.id}" in form}
    return act(signinsettings.set_providers, url_for("sso.admin_page"), _("บันทึกผู้ให้บริการแล้ว"), choices=choices,
               now=clock.now())


@bp.post("/admin/sign-in/required")
@roles_required("admin")
def admin_required():
    return act(signinsettings.set_required, url_for("sso.admin_page"), _("บันทึกแล้ว"),
               required=request.form.get("required") == "1",
               break_glass_id=int_field(request.form.get("break_glass")), now=clock.now())


@bp.post("/admin/users/<int:user_id>/sign-in")
@roles_required("admin")
def admin_person(user_id: int):
    """A person's sign-in links: their citizen id entered or cleared, a provider's link removed. Another
    agency's person is not found (404) whatever the form asks, before the form is read."""
    form = request.form
    done = {"unlink": _("ยกเลิกการผูกบัญชีแล้ว"), "citizen": _("บันทึกเลขประจำตัวประชาชนแล้ว (เก็บเฉพาะค่าแฮช)")}
    action = form.get("action") or ""
    return act(signinsettings.change_person, url_for("sso.admin_page"), done.get(action, _("บันทึกแล้ว")),
               user_id=user_id, action=action, provider_id=form.get("provider") or "",
               number=form.get("citizen_id") or "", now=clock.now())
