"""Thai first, English available (Flask-Babel). The catalogue's message ids are the Thai texts themselves;
web/translations/en holds the English. The language is the signed-in person's choice (kept on their
account), else the browser session's, else ``ITAFLOW_LANGUAGE`` (Thai by default)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, redirect, request, session, url_for
from flask_babel import Babel, get_locale

from web.security import public, safe_next
from workflow.people.users import LANGUAGES

bp = Blueprint("i18n", __name__)


def current_language() -> str:
    user = g.get("user")
    chosen = user.language if user is not None else session.get("lang")
    return chosen if chosen in LANGUAGES else current_app.config["ITAFLOW"].language


def language() -> str:
    """The language of this request's page (what Babel chose)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "th"


def message(exc) -> str:
    """A service error's message in the page's language."""
    return exc.message_en if language() == "en" else exc.message_th


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=current_language, default_locale="th", default_timezone="Asia/Bangkok")
    app.register_blueprint(bp)


@bp.post("/language")
@public
def switch():
    """ไทย / English: kept in the session, and on the account of a signed-in person."""
    from workflow import clock
    from workflow.people import users

    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        if g.get("user") is not None:
            users.set_language(g.user.id, lang, now=clock.now())
    return redirect(safe_next(request.form.get("next")) or url_for("tasks.my_steps")), 303
