"""The one place a request's changes are committed.

Views call services, which change rows, write their audit events and flush; they never commit. When the
view has answered, ``commit_or_roll_back`` runs (Flask's ``after_request``, for every response, error pages
included): a response below 400 commits the request's one transaction; any other rolls it back, so bad
input leaves the database exactly as it was. A refusal that must leave a trace (an access denied, a failed
sign-in, a wrong current password) calls ``keep_audit_on_error()`` after rolling back everything else and
recording its audit event; that one event is committed with the error response.

Alerts the request queued (outbox rows) are handed to a sender as soon as it committed (web/delivery.py).

The other entry points have theirs: a CLI command commits in ``web.cli.service_command``; a Celery task in
``tasks/jobs.py`` commits after each unit of work (a batch of due timers, a claimed batch of outbox rows,
each message settled as it is sent).
"""

from __future__ import annotations

from flask import Flask, Response, g

from workflow.db import db


def keep_audit_on_error() -> None:
    """Commit this request's pending audit event even though it answers with an error."""
    g.keep_audit = True


def commit_or_roll_back(response: Response) -> Response:
    if response.status_code < 400 or g.pop("keep_audit", False):
        db.session.commit()
        queued = db.session.info.pop("outbox_channels", None)
        if queued:
            from web.delivery import start

            start(queued)  # what the request queued leaves now, not at the next sweep
    else:
        db.session.rollback()
        db.session.info.pop("outbox_channels", None)
    return response


def init_transactions(app: Flask) -> None:
    app.after_request(commit_or_roll_back)
