"""Memos read in the background (a scan read by OCR): the import's page with its progress, its JSON for the
page's small poll, a failed one dismissed, and a draft's page images (its agency's editors only). The upload
itself is web/views/editor.py's import_memo."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, send_file, url_for

from web.i18n import message
from web.security import deny, roles_required
from workflow import clock
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied, ValidationError
from workflow.onboarding import drafts, memoimports

bp = Blueprint("memoimports", __name__, url_prefix="/drafts")
log = logging.getLogger(__name__)
#: a job still queued after this long (the worker was away, the broker lost it) is queued again by its page
REQUEUE_SECONDS = 120


def queue_job(import_id: int) -> None:
    """Queue the reading job (after the commit). Off under Flask's testing mode unless ``RUN_IMPORT_JOBS``
    (the suite runs the job's body itself)."""
    if not current_app.config.get("RUN_IMPORT_JOBS", not current_app.testing):
        return
    from tasks.jobs import read_memo_import

    try:
        read_memo_import.apply_async(args=[import_id], retry=False)
    except Exception as exc:  # the broker is away: the import's page queues it again
        log.warning("could not queue the reading of import %s: %s", import_id, exc.__class__.__name__)


def after_import(draft):
    """Where an import lands: the mapping page when something is asked first, else the draft."""
    if (draft.source or {}).get("asked") or (draft.source or {}).get("year_note"):
        return redirect(url_for("mapping.show", draft_id=draft.id)), 303
    return redirect(url_for("editor.draft", draft_id=draft.id)), 303


def _row(import_id: int):
    try:
        return memoimports.get(import_id, actor_id=g.user.id)
    except NotFound:
        abort(404)
    except PermissionDenied:
        deny()


def _status(row) -> dict:
    percent = round(100 * row.pages_done / row.pages_total) if row.pages_total else 0
    return {"id": row.id, "state": row.state, "pages_done": row.pages_done, "pages_total": row.pages_total,
            "percent": percent, "error": message(_Error(row)) if row.state == "failed" else None,
            "draft_url": url_for("memoimports.show", import_id=row.id) if row.state == "done" else None}


class _Error(ValidationError):
    def __init__(self, row):
        super().__init__(row.error_th or "", row.error_en or "")


@bp.get("/imports/<int:import_id>")
@roles_required(*drafts.EDITORS)
def show(import_id: int):
    row = _row(import_id)
    if row.state == "done" and row.draft_id is not None:
        try:
            return after_import(drafts.get(row.draft_id, actor_id=g.user.id))
        except NotFound:
            pass  # the draft was discarded since
    if row.state == "queued" and (clock.now() - row.updated_at).total_seconds() > REQUEUE_SECONDS:
        row.updated_at = clock.now()
        db.session.commit()
        queue_job(row.id)
    return render_template("import_status.html", row=row, status=_status(row),
                           running=row.state in ("queued", "reading"))


@bp.get("/imports/<int:import_id>/status")
@roles_required(*drafts.EDITORS)
def status(import_id: int):
    return jsonify(_status(_row(import_id)))


@bp.post("/imports/<int:import_id>/dismiss")
@roles_required(*drafts.EDITORS)
def dismiss(import_id: int):
    _row(import_id)
    try:
        memoimports.dismiss(import_id, actor_id=g.user.id)
    except ValidationError:
        db.session.rollback()
        abort(409)
    db.session.commit()
    return redirect(url_for("editor.index")), 303


@bp.get("/<int:draft_id>/pages/<int:number>.png")
@roles_required(*drafts.EDITORS)
def page_image(draft_id: int, number: int):
    try:
        draft = drafts.get(draft_id, actor_id=g.user.id)
        path = memoimports.page_image(draft, number)
    except NotFound:
        abort(404)
    except PermissionDenied:
        deny()
    response = send_file(path, mimetype="image/png", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
