"""The mapping page (การจับคู่โครงสร้างบันทึก): each column and label of an imported memo with the role the
importer guessed (or could not tell) and a sample of its cells; the officer changes any of them and the whole
memo is read again at once. Thin: the work is workflow/onboarding/mappings.py's."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from web.i18n import message
from web.security import deny, roles_required
from web.views.common import int_field
from workflow import clock
from workflow.db import db
from workflow.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from workflow.onboarding import drafts, mappings
from workflow.onboarding.memolayout import ROLE_NAMES

bp = Blueprint("mapping", __name__, url_prefix="/drafts")

#: where a piece of text not placed can go (workflow.onboarding.mappings.TARGETS), as the page names them
TARGET_NAMES = {"title": _l("ชื่อมาตรการ"), "weakness": _l("ข้อบกพร่องหรือจุดอ่อน"),
                "improvement": _l("ประเด็นที่จะพัฒนา"), "step": _l("ขั้นตอนใหม่"), "owners": _l("ผู้รับผิดชอบ"),
                "monitoring": _l("การกำกับติดตาม"), "constraints": _l("ข้อจำกัดของหน่วยงาน")}
#: the choices a column offers: one role, or the pairs memos put in one column
PAIRS = [("measure", "improvement"), ("measure", "weakness"), ("weakness", "improvement"), ("steps", "owners"),
         ("period", "monitoring")]


def _draft(draft_id: int):
    try:
        return drafts.get(draft_id, actor_id=g.user.id)
    except NotFound:
        abort(404)
    except PermissionDenied:
        deny()


def _columns(layout: dict) -> list[dict]:
    """The columns met, one row per distinct header (a table per measure repeats its header): the tables it
    is in, the roles taken, how, and samples."""
    rows: dict[str, dict] = {}
    for c in layout.get("columns") or []:
        row = rows.setdefault(c["header"], {"header": c["header"], "roles": c["roles"], "how": c["how"],
                                            "places": [], "samples": []})
        row["places"].append((c["table"], c["column"]))
        row["samples"] += [s for s in c["samples"] if s not in row["samples"]][:3 - len(row["samples"])]
    return list(rows.values())


def _render(draft, status: int = 200, problems: list[str] | None = None):
    source = draft.source or {}
    layout = source.get("layout") or {}
    measures = [(i, m.get("code"), m.get("title")) for i, m in enumerate((draft.document or {}).get("measures") or [])]
    return render_template("mapping.html", draft=draft, columns=_columns(layout), labels=layout.get("labels") or [],
                           roles=ROLE_NAMES, pairs=PAIRS, year_note=source.get("year_note"), measures=measures,
                           targets=TARGET_NAMES,
                           unplaced=source.get("unplaced") or [], origins=source.get("origins"),
                           fiscal_year=(draft.document or {}).get("fiscal_year"), problems=problems or []), status


@bp.get("/<int:draft_id>/mapping")
@roles_required(*drafts.EDITORS)
def show(draft_id: int):
    return _render(_draft(draft_id))  # a draft typed from nothing has no layout: the page says so


@bp.post("/<int:draft_id>/mapping")
@roles_required(*drafts.EDITORS)
def answer(draft_id: int):
    draft = _draft(draft_id)
    try:
        answers = mappings.answers_from_form(request.form, (draft.source or {}).get("layout") or {})
        mappings.reread(draft_id, answers, actor_id=g.user.id, now=clock.now(),
                        expected_version=int_field(request.form.get("version")),
                        keep_for_agency=request.form.get("keep") == "1")
    except (ValidationError, ConflictError) as exc:
        db.session.rollback()
        return _render(_draft(draft_id), 409 if isinstance(exc, ConflictError) else 422, [message(exc)])
    except (NotFound, PermissionDenied):
        db.session.rollback()
        abort(404)
    if request.form.get("then") == "draft":
        return redirect(url_for("editor.draft", draft_id=draft_id)), 303
    return redirect(url_for("mapping.show", draft_id=draft_id)), 303


@bp.post("/<int:draft_id>/unplaced/<int:position>")
@roles_required(*drafts.EDITORS)
def place(draft_id: int, position: int):
    """One piece of text not placed (its position in the list, from 1), given to a measure's field (from 1)."""
    _draft(draft_id)
    try:
        mappings.place_unplaced(draft_id, position - 1, measure=(int_field(request.form.get("measure")) or 0) - 1,
                                target=request.form.get("target") or "", actor_id=g.user.id, now=clock.now(),
                                expected_version=int_field(request.form.get("version")))
    except (ValidationError, ConflictError) as exc:
        db.session.rollback()
        return _render(_draft(draft_id), 409 if isinstance(exc, ConflictError) else 422, [message(exc)])
    except (NotFound, PermissionDenied):
        db.session.rollback()
        abort(404)
    return redirect(url_for("mapping.show", draft_id=draft_id) + "#unplaced-h"), 303
