"""The Flask application factory."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, jsonify
from flask_migrate import Migrate
from werkzeug.routing import IntegerConverter

import workflow.models  # noqa: F401  (register the tables)
from config import load_settings
from tasks.celery_app import celery_init_app
from web.filters import init_filters
from web.i18n import init_i18n
from web.security import init_security, public
from web.transaction import init_transactions
from workflow.db import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "workflow" / "migrations")
migrate = Migrate()


class DatabaseId(IntegerConverter):
    """``<int:…>`` in a route: an id the database can hold (1 to 2^31-1, PostgreSQL's integer). A longer
    number matches no route (404) instead of overflowing in the query (500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = 2**31 - 1,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app from the environment (or from ``environ``, as tests do)."""
    settings = load_settings(environ)
    from web.instance import secure_instance

    secure_instance(settings.instance_path, settings.database_url)  # before anything writes a file
    from web.logs import configure as configure_logs

    configure_logs(settings.log_format)  # before anything logs: JSON lines, request ids, nothing secret
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.url_map.converters["int"] = DatabaseId  # before any route is declared
    app.config.update(settings.flask_config())
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Thai as Thai in JSON, not \u escapes
    db.init_app(app)
    celery_init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)

    if settings.proxies:  # behind nginx or Caddy: the client's address and scheme from their headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        behind = settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=behind, x_proto=behind, x_host=behind)  # type: ignore[method-assign]
    init_transactions(app)
    from web.logs import init_request_ids
    from web.metrics import init_metrics

    init_request_ids(app)
    init_metrics(app)
    init_security(app)
    init_i18n(app)
    init_filters(app)
    from web.sso import init_sso

    init_sso(app)
    from web import api
    from web.views import (
        absences,
        admin,
        approvals,
        auth,
        editor,
        line,
        mapping,
        measures,
        memoimports,
        reports,
        rollup,
        sso,
        tasks,
        twofactor,
    )
    from web.views import public as public_views

    for module in (auth, twofactor, sso, tasks, approvals, measures, absences, admin, editor, memoimports, mapping,
                   reports, rollup, line, public_views, api):
        app.register_blueprint(module.bp)

    @app.get("/healthz")
    @public
    def healthz():
        """Liveness for docker-compose and load balancers: no data, no login."""
        return jsonify(status="ok")

    @app.get("/readyz")
    @public
    def readyz():
        """Readiness for docker-compose, nginx and load balancers: the database answers, Redis answers when it
        is configured, the schema is at this release's head. 503 names what is not ready (no data, no login)."""
        from workflow.operations.health import readiness

        checks = readiness()
        ready = all(c.ok for c in checks)
        body = {"status": "ready" if ready else "not ready",
                "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks}}
        return jsonify(body), 200 if ready else 503

    register_errors(app)
    # what was built to start the app lives as long as the process: out of the collector's way, so a full
    # collection during a big page (the ministry's roll-up makes 8,300 rows) does not walk it all again
    gc.freeze()
    return app


def register_errors(app: Flask) -> None:
    """A generic Thai page for every error, never a traceback."""
    from flask import g, make_response, render_template, request
    from flask_babel import force_locale
    from flask_babel import lazy_gettext as _l
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import OperationalError
    from werkzeug.exceptions import HTTPException

    from web.api import error_response

    messages = {
        400: _l("คำขอไม่ถูกต้อง กรุณาลองใหม่"), 403: _l("ท่านไม่มีสิทธิ์เปิดหน้านี้"), 404: _l("ไม่พบหน้าที่ต้องการ"),
        405: _l("ทำรายการแบบนี้ไม่ได้"), 413: _l("ไฟล์ใหญ่เกินกำหนด (ไม่เกิน 10 MB)"),
        429: _l("ลองเข้าสู่ระบบบ่อยเกินไป กรุณารอสักครู่"), 500: _l("ระบบขัดข้อง กรุณาลองใหม่ภายหลัง"),
    }

    english = {400: "bad request", 403: "forbidden", 404: "not found", 405: "method not allowed",
               413: "request too large", 415: "unsupported media type", 429: "too many requests",
               500: "server error"}

    api_th = {404: "ไม่พบสิ่งที่ต้องการ", 429: "เรียกใช้บ่อยเกินไป กรุณารอสักครู่", 413: "ข้อมูลใหญ่เกินกำหนด"}

    def api_error(code: int):
        return error_response(code, {404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}.get(
            code, "error"), api_th.get(code) or thai(code), english.get(code, "error"))

    def thai(code: int) -> str:
        """The API answers in both languages: its Thai must not follow a page's language choice."""
        with force_locale("th"):
            return str(messages.get(code, "คำขอไม่ถูกต้อง"))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_template("error.html", code=400,
                               message=_l("แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง")), 400

    @app.errorhandler(HTTPException)
    def http_error(exc):
        code = exc.code or 500
        if request.path.startswith("/api/"):
            return api_error(code)
        return render_template("error.html", code=code, message=messages.get(code, exc.name)), code

    @app.errorhandler(OperationalError)
    def database_unavailable(exc):
        """The database went away under the request (restarted, failed over): 503, which nginx answers by
        trying another replica for a GET (never for a POST that reached this one), and a person by trying
        again in a moment."""
        with contextlib.suppress(Exception):
            db.session.rollback()
        g.user = None  # the page asks the database nothing more (no counts in the navigation)
        app.logger.warning("database unavailable: %s", str(exc).splitlines()[0])
        if request.path.startswith("/api/"):
            response = error_response(503, "unavailable", thai(500), "service unavailable, try again")
        else:
            response = make_response(render_template("error.html", code=503, message=messages[500]), 503)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def server_error(exc):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if request.path.startswith("/api/"):
            return api_error(500)
        return render_template("error.html", code=500, message=messages[500]), 500
