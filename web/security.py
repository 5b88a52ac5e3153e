"""Who is logged in, what they may open, and the protections every response carries."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import bindparam, select
from werkzeug.urls import iri_to_uri

from config import loopback
from web.pagecache import init_page_cache, serve_from_cache
from workflow import clock
from workflow.db import db
from workflow.models import AuditHead, User
from workflow.thaidate import bangkok_today

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

SESSION_HOURS = 8  # a working day from sign-in
SEEN_EVERY = 60  # seconds between updates of a session's last activity

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


class PlainHttpRefused(RuntimeError):
    """The base URL is plain HTTP to another machine and nobody chose it."""


def check_transport(settings) -> None:
    """HTTPS, or this machine only, or plain HTTP chosen explicitly (``ITAFLOW_PLAIN_HTTP=1``: an intranet
    server without TLS; its cookies then go without ``Secure``, said at start and on the admin page)."""
    parts = urlsplit(settings.base_url)
    if parts.scheme == "https" or loopback(parts.hostname or ""):
        return
    if not settings.plain_http:
        raise PlainHttpRefused(
            f"ITAFLOW_BASE_URL is {settings.base_url}: passwords and session cookies would cross the network "
            "unencrypted. Serve itaflow over HTTPS (deploy/nginx/templates/default.conf.template) and set "
            "ITAFLOW_BASE_URL=https://..., or choose plain HTTP explicitly with ITAFLOW_PLAIN_HTTP=1")
    import logging

    logging.getLogger("itaflow").warning(
        "itaflow: served over plain HTTP at %s (ITAFLOW_PLAIN_HTTP=1): passwords and cookies are not encrypted "
        "on the network; session cookies are not marked Secure", settings.base_url)


def init_security(app: Flask) -> None:
    settings = app.config["ITAFLOW"]
    check_transport(settings)
    https = settings.base_url.startswith("https://")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        # under HTTPS the __Host- prefix binds the cookie to this host, Secure and Path=/ (no Domain)
        SESSION_COOKIE_NAME="__Host-itaflow_session" if https else "itaflow_session",
        # the cookie's own age limit: the sign-in time and the last activity kept in the session decide
        PERMANENT_SESSION_LIFETIME=SESSION_HOURS * 3600,
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,  # evidence files are capped at 10 MB; forms add a little
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        # Redis down (restarted, stopped for a minute): the counts are kept in each web process's memory until
        # it is back, so people can still sign in (throttled per process), instead of every sign-in failing
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=bool(settings.redis_url),
        RATELIMIT_HEADERS_ENABLED=True,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    # Our limits all sit on views (sign-in, API writes), and a decorated view checks its own limit. The
    # extension's check before every request would find nothing to do, at a cost on every page.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    init_page_cache(app)
    app.before_request(_load_user)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if g.get("user") is not None or g.get("session_state") is not None:
            # replaces what send_file set (no-cache): nothing a signed-in person sees is kept by a browser
            # or a proxy, downloads of exports, PDFs and evidence included
            response.headers["Cache-Control"] = "private, no-store"
        return response


#: one statement, compiled once: is the session valid, and which version of the data is current
#: (the head of the person's agency's audit chain: a change in another agency leaves their kept pages valid)
SESSION_CHECK = (select(User.session_version, User.active, User.digit_style, User.language, AuditHead.last_seq)
                 .select_from(User).outerjoin(AuditHead, AuditHead.id == User.agency_id)
                 .where(User.id == bindparam("uid")))


@dataclass(frozen=True)
class SessionState:
    """What one small query tells about a valid session: enough to serve a kept page (web/pagecache.py)."""

    user_id: int
    version: int  # the head of the agency's audit chain: one version of all its data
    digit_style: str
    language: str
    today: date


def _load_user():
    """The logged-in user, if the session is still valid (same session version, account active). A page kept
    in memory for this session and data version is returned here, before the ORM or a template runs."""
    g.user = None
    uid, version = session.get("uid"), session.get("ver")
    if uid is None:
        return None
    now = clock.now()
    if not _session_is_current(now):
        session.clear()
        return None
    with db.engine.connect() as conn:  # not the ORM session: a kept page never needs one
        row = conn.execute(SESSION_CHECK, {"uid": uid}).first()
    if row is None or not row.active or row.session_version != version:
        session.clear()
        return None
    g.session_state = SessionState(uid, row.last_seq or 0, row.digit_style, row.language, bangkok_today(now))
    kept = serve_from_cache(current_app.extensions["itaflow_pages"])
    if kept is not None:
        return kept
    g.user = db.session.get(User, uid)
    from workflow import acting

    acting.attach(g.user, g.session_state.today)  # whom they act for today, should a rule ask
    return None


def viewer_scope() -> tuple[list[int], list[int]]:
    """(groups I direct or act for, all my groups) of the signed-in user, asked once per request."""
    from workflow.engine import queries

    if "scope" not in g:
        directed = queries.directed_group_ids(g.user)
        mine = sorted(set(directed) | ({g.user.group_id} if g.user.group_id else set()))
        g.scope = (directed, mine)
    return g.scope


def login_user(user: User) -> None:
    session.clear()  # a new session at login: nothing of the anonymous one carries over
    session["uid"] = user.id
    session["ver"] = user.session_version
    now = int(clock.now().timestamp())
    session["t0"] = session["seen"] = now  # signed in at; last active at (UTC seconds)
    session.permanent = True


def _session_is_current(now: datetime) -> bool:
    """A session ends SESSION_HOURS after sign-in, whatever happens, and after ``ITAFLOW_IDLE_MINUTES`` with
    no request. The last activity is written back at most once a minute, so most responses leave the cookie
    (and a kept page) alone."""
    signed_in, seen = session.get("t0"), session.get("seen")
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return False
    moment = int(now.timestamp())
    idle = current_app.config["ITAFLOW"].idle_minutes * 60
    if moment - signed_in >= SESSION_HOURS * 3600 or moment - seen >= idle or moment < signed_in - 300:
        return False
    if moment - seen >= SEEN_EVERY:
        session["seen"] = moment
    return True


def login_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    wrapper.login_required = True  # type: ignore[attr-defined]
    return wrapper


def roles_required(*roles: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = g.get("user")
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
            if not user.has_role(*roles):
                _deny(user)
            return view(*args, **kwargs)

        wrapper.login_required = True  # type: ignore[attr-defined]
        wrapper.roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorate


def public(view: Callable) -> Callable:
    """Marks a route that anyone may open (the route matrix test requires every route to say)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def _deny(user: User | None) -> None:
    """Answer 403 and keep one trace of it: whatever the request changed is rolled back, the denial is
    audited and committed with the error page (web/transaction.py)."""
    from web.transaction import keep_audit_on_error
    from workflow import audit, clock

    db.session.rollback()
    audit.record("access_denied", agency_id=user.agency_id if user else None,
                 actor_id=user.id if user else None, now=clock.now(), target_type="route",
                 note=request.path[:500])
    keep_audit_on_error()
    abort(403)


def deny() -> None:
    _deny(g.get("user"))


def safe_next(target: str | None) -> str | None:
    """Only a path on this site. Decided on the URL as the browser will read it: control characters (a TAB
    or a newline, which Werkzeug drops or a header refuses) are refused outright, then the normalised URL
    must have no scheme and no host (no //evil.example, no /\\evil.example)."""
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    normalised = iri_to_uri(target)
    parts = urlsplit(normalised)
    if parts.scheme or parts.netloc or not normalised.startswith("/") or normalised.startswith("//") \
            or "\\" in normalised:
        return None
    return normalised
