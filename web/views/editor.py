"""The measures editor (secretariat and admins): drafts imported from a memo or started blank, each measure
edited with a form, checked, then confirmed into a cycle. Thin: the work is workflow/onboarding/drafts.py's."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.i18n import language, message
from web.security import deny, roles_required
from web.views.common import int_field
from workflow import clock
from workflow.db import db
from workflow.errors import ConflictError, DefinitionError, ItaflowError, NotFound, PermissionDenied
from workflow.onboarding import drafts, mappings, memoimports, nextyear
from workflow.thaidate import digits

bp = Blueprint("editor", __name__, url_prefix="/drafts")
EDITORS = drafts.EDITORS


def _errors(errors: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {k: (en if language() == "en" else th) for k, (th, en) in errors.items()}


def _draft(draft_id: int):
    try:
        return drafts.get(draft_id, actor_id=g.user.id)
    except NotFound:
        abort(404)
    except PermissionDenied:
        deny()


def _version() -> int | None:
    return int_field(request.form.get("version"))


def _index(status: int = 200, **extra):
    return render_template("drafts.html", drafts=drafts.of_agency(actor_id=g.user.id),
                           imports=memoimports.in_progress(actor_id=g.user.id),
                           cycles=nextyear.cycles_to_copy(actor_id=g.user.id),
                           **{"errors": {}, **extra}), status


@bp.get("/")
@roles_required(*EDITORS)
def index():
    return _index()


@bp.post("/")
@roles_required(*EDITORS)
def create():
    try:
        draft = drafts.blank(actor_id=g.user.id, now=clock.now(), fiscal_year=request.form.get("fiscal_year", ""))
    except drafts.FieldErrors as exc:
        db.session.rollback()
        return _index(422, errors=_errors(exc.errors), typed=request.form)
    return redirect(url_for("editor.draft", draft_id=draft.id)), 303


@bp.post("/next-year")
@roles_required(*EDITORS)
def next_year():
    """Next year's measures as a draft made from a cycle: dates one year on, item codes in next year's list."""
    cycle_id = int_field(request.form.get("cycle_id"))
    try:
        if cycle_id is None:
            raise NotFound("เลือกรอบปีที่จะใช้เป็นต้นแบบ", "choose the cycle to start from")
        draft = nextyear.draft_from_cycle(cycle_id, actor_id=g.user.id, now=clock.now())
    except NotFound as exc:
        db.session.rollback()
        return _index(422, errors={"cycle_id": message(exc)})
    return redirect(url_for("editor.draft", draft_id=draft.id)), 303


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_memo():
    """A memo (.docx, text, a PDF saved from Word, a scan or a photo) read into a draft: each measure beside the
    text it came from, what was not understood flagged in place. A scan (pages to read by OCR) is kept and read
    by a background job whose page shows the progress (web/views/memoimports.py); a file refused by its checks
    (too large, not a memo, encrypted, too many pages, an image bomb) writes nothing. Nothing is loaded before
    the confirmation."""
    from werkzeug.exceptions import RequestEntityTooLarge

    from web.views.memoimports import after_import, queue_job
    from workflow.onboarding import pdfmemo

    if request.method == "GET":
        return render_template("import.html", problems=[], imports=memoimports.in_progress(actor_id=g.user.id))
    request.max_content_length = pdfmemo.MAX_BYTES + 2**20  # scans are larger than evidence files
    try:
        if (request.content_length or 0) > request.max_content_length:
            raise RequestEntityTooLarge  # said before the body is read
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        problem = _("ไฟล์ใหญ่เกิน %(mb)s MB ลดความละเอียดของภาพสแกนหรือแยกเป็นหลายไฟล์", mb=pdfmemo.MAX_BYTES // 2**20)
        return render_template("import.html", problems=[problem], imports=[]), 413
    data = upload.read() if upload else b""
    name = (upload.filename if upload else "") or "memo.txt"
    if upload:
        upload.close()  # a large upload is spooled to a temporary file: closed at once
    try:
        checked = memoimports.needs_background(data)
        if checked is not None:
            row = memoimports.start(actor_id=g.user.id, now=clock.now(), data=data, name=name, pages=checked.pages)
            db.session.commit()
            queue_job(row.id)
            return redirect(url_for("memoimports.show", import_id=row.id)), 303
        draft = mappings.import_draft(actor_id=g.user.id, now=clock.now(), data=data, name=name)
    except ItaflowError as exc:
        db.session.rollback()
        status = 413 if len(data) > pdfmemo.MAX_BYTES else 422
        return render_template("import.html", problems=[message(exc)], imports=[]), status
    return after_import(draft)


def _render_draft(draft, status: int = 200, *, heading_errors: dict | None = None, typed: dict | None = None,
                  past: str | None = None, problems: list | None = None, add_errors: dict | None = None,
                  person_errors: dict | None = None, person_key: str | None = None,
                  director_errors: dict | None = None):
    per_measure, other_warnings = drafts.measure_warnings(draft)
    found = drafts.problems(draft) if problems is None else problems
    calendar = draft.document.get("calendar") or {}
    policy = calendar.get("rounds", "previous")
    measures = []
    for i, m in enumerate(draft.document.get("measures") or []):
        measures.append({
            "m": m, "index": i, "source": drafts.source_text(draft, i),
            "warnings": per_measure[i] if i < len(per_measure) else [],
            "problems": [(th, en) for code, th, en in found if code == str(m.get("code"))],
            "rounds": drafts.rounds_preview(m, policy),
            "dues": drafts.due_flags(m, calendar.get("deadlines", "next")),
            "owner_notes": drafts.owner_notes(m, draft.document),
            "ocr": memoimports.ocr_view(draft, i),
        })
    general = [(th, en) for code, th, en in found
               if code is None or code not in {str(m.get("code")) for m in draft.document.get("measures") or []}]
    if past is None and not found:
        asked = drafts.past_question(draft, clock.now())
        past = (asked[1] if language() == "en" else asked[0]) if asked else None
    people = [{"key": k, "p": p, "uses": drafts._person_uses(draft.document, k)}
              for k, p in (draft.document.get("people") or {}).items()]
    return render_template("draft.html", draft=draft, doc=draft.document, measures=measures,
                           warnings=other_warnings, general=general, heading_errors=heading_errors or {},
                           typed=typed, past=past, add_errors=add_errors or {}, persons=people,
                           person_errors=person_errors or {}, person_key=person_key,
                           directorless=drafts.directorless_reviewers(draft),
                           candidates=drafts.director_candidates(draft),
                           director_errors=director_errors or {}), status


@bp.get("/<int:draft_id>")
@roles_required(*EDITORS)
def draft(draft_id: int):
    return _render_draft(_draft(draft_id))


@bp.get("/<int:draft_id>/yaml")
@roles_required(*EDITORS)
def download(draft_id: int):
    d = _draft(draft_id)
    filename = f"itaflow-draft-{d.id}.yaml"
    return Response(drafts.to_yaml(d), mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/<int:draft_id>/heading")
@roles_required(*EDITORS)
def heading(draft_id: int):
    try:
        drafts.save_heading(draft_id, actor_id=g.user.id, now=clock.now(), expected_version=_version(),
                            values=request.form)
    except drafts.FieldErrors as exc:
        db.session.rollback()
        return _render_draft(_draft(draft_id), 422, heading_errors=_errors(exc.errors), typed=request.form)
    except (NotFound, PermissionDenied):
        db.session.rollback()
        abort(404)
    except ConflictError as exc:
        db.session.rollback()
        flash(message(exc), "conflict")
        return redirect(url_for("editor.draft", draft_id=draft_id)), 303
    flash(_("บันทึกแล้ว"), "ok")
    return redirect(url_for("editor.draft", draft_id=draft_id)), 303


@bp.post("/<int:draft_id>/groups")
@roles_required(*EDITORS)
def add_group(draft_id: int):
    return _add(draft_id, drafts.add_group, name=request.form.get("group_name", ""))


@bp.post("/<int:draft_id>/people")
@roles_required(*EDITORS)
def add_person(draft_id: int):
    return _add(draft_id, drafts.add_person, name=request.form.get("person_name", ""),
                group=request.form.get("person_group") or None, email=request.form.get("person_email") or None)


def _add(draft_id: int, service, **kwargs):
    back = request.form.get("back") or ""
    target = back if back.startswith("/drafts/") and "//" not in back else url_for("editor.draft", draft_id=draft_id)
    try:
        service(draft_id, actor_id=g.user.id, now=clock.now(), expected_version=None, **kwargs)
    except drafts.FieldErrors as exc:
        db.session.rollback()
        return _render_draft(_draft(draft_id), 422, add_errors=_errors(exc.errors), typed=request.form)
    except (NotFound, PermissionDenied):
        db.session.rollback()
        abort(404)
    flash(_("เพิ่มแล้ว เลือกได้ในรายการผู้รับผิดชอบ"), "ok")
    return redirect(target), 303


@bp.post("/<int:draft_id>/person")
@roles_required(*EDITORS)
def person(draft_id: int):
    """``action``: save (name, position, group, e-mail corrected) or remove (with who takes over)."""
    form = request.form
    key = form.get("key", "")
    try:
        if form.get("action") == "remove":
            drafts.remove_person(draft_id, key, actor_id=g.user.id, now=clock.now(), expected_version=_version(),
                                 takeover=form.get("takeover") or None)
            said = _("นำออกจากร่างแล้ว จะไม่มีบัญชีผู้ใช้ของบุคคลนี้")
            place = "#people"
        else:
            drafts.save_person(draft_id, key, actor_id=g.user.id, now=clock.now(), expected_version=_version(),
                               name=form.get("name", ""), position=form.get("position"),
                               group=form.get("group") or None, email=form.get("email") or None)
            said = _("บันทึกแล้ว")
            place = f"#person-{key}"
    except drafts.FieldErrors as exc:
        db.session.rollback()
        return _render_draft(_draft(draft_id), 422, person_errors=_errors(exc.errors), person_key=key,
                             typed=form)
    except (NotFound, PermissionDenied):
        db.session.rollback()
        abort(404)
    except ConflictError as exc:
        db.session.rollback()
        flash(message(exc), "conflict")
        return redirect(url_for("editor.draft", draft_id=draft_id) + "#people"), 303
    flash(said, "ok")
    return redirect(url_for("editor.draft", draft_id=draft_id) + place), 303


@bp.post("/<int:draft_id>/directors")
@roles_required(*EDITORS)
def director(draft_id: int):
    group = request.form.get("group", "")
    try:
        drafts.name_director(draft_id, group, actor_id=g.user.id, now=clock.now(), expected_version=_version(),
                             user_id=int_field(request.form.get("user_id")))
    except drafts.FieldErrors as exc:
        db.session.rollback()
        return _render_draft(_draft(draft_id), 422, director_errors=_errors(exc.errors))
    except (NotFound, PermissionDenied):
        db.session.rollback()
        abort(404)
    except ConflictError as exc:
        db.session.rollback()
        flash(message(exc), "conflict")
        return redirect(url_for("editor.draft", draft_id=draft_id) + "#confirm"), 303
    flash(_("บันทึกผู้อำนวยการกลุ่มแล้ว"), "ok")
    return redirect(url_for("editor.draft", draft_id=draft_id) + "#confirm"), 303


def _owner_choices(doc: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    groups = [(f"group:{k}", g.get("name") or k) for k, g in (doc.get("groups") or {}).items()]
    people = [(f"person:{k}", p.get("name") or k) for k, p in (doc.get("people") or {}).items()]
    return groups, people


def _render_measure(d, index: int, form: drafts.MeasureForm, status: int = 200):
    groups, people = _owner_choices(d.document)
    measures = d.document.get("measures") or []
    preview = []
    if not form.errors:
        built = drafts.build_measure(drafts.MeasureForm(values=dict(form.values), owners=list(form.owners),
                                                        steps=[dict(s) for s in form.steps]), d.document)
        preview = drafts.rounds_preview(built, (d.document.get("calendar") or {}).get("rounds", "previous"))
    calendar = d.document.get("calendar") or {}
    period_end = form.values.get("period_end", "")
    offs = {}
    for i, row in enumerate(form.steps):
        why = drafts.day_off(row.get("due") or "") if not row.get("repeat") else None
        if why:
            offs[i] = why[1] if language() == "en" else why[0]
    end_off = drafts.day_off(period_end)
    return render_template("draft_measure.html", draft=d, index=index, form=form, errors=_errors(form.errors),
                           groups=groups, people=people, new=index >= len(measures),
                           source=drafts.source_text(d, index), preview=preview, modes=drafts.MODES,
                           offs=offs, end_off=(end_off[1] if language() == "en" else end_off[0]) if end_off else None,
                           policy=calendar.get("deadlines", "next"),
                           holidays=drafts.holidays_of(d.document.get("fiscal_year")),
                           owner_notes=[en if language() == "en" else th for th, en in drafts.owner_notes(
                               _built(form, d.document), d.document)]), status


def _built(form: drafts.MeasureForm, document: dict) -> dict:
    """The measure the form describes (errors ignored), for what the page says about it."""
    return drafts.build_measure(drafts.MeasureForm(values=dict(form.values), owners=list(form.owners),
                                                   steps=[dict(s) for s in form.steps]), document)


@bp.get("/<int:draft_id>/measures/<int:position>")
@roles_required(*EDITORS)
def measure(draft_id: int, position: int):
    """A measure's form (position counts from 1; one past the last adds a measure)."""
    index = position - 1
    d = _draft(draft_id)
    try:
        form = drafts.form_of(d, index)
    except NotFound:
        abort(404)
    return _render_measure(d, index, form)


@bp.post("/<int:draft_id>/measures/<int:position>")
@roles_required(*EDITORS)
def save_measure(draft_id: int, position: int):
    """``action``: save (checked, then written), or add/remove/up/down a step row (the form is redrawn, nothing
    is written); ``remove_measure`` drops the measure from the draft."""
    index = position - 1
    d = _draft(draft_id)
    action = request.form.get("action", "save")
    if action == "remove_measure" and request.form.get("confirmed") != "1":
        abort(400)  # the page asks first (the confirming button sends confirmed=1)
    if action == "remove_measure":
        try:
            drafts.remove_measure(draft_id, index, actor_id=g.user.id, now=clock.now(), expected_version=_version())
        except NotFound:
            abort(404)
        except ConflictError as exc:
            db.session.rollback()
            flash(message(exc), "conflict")
            return redirect(url_for("editor.draft", draft_id=draft_id)), 303
        flash(_("ลบมาตรการออกจากร่างแล้ว"), "ok")
        return redirect(url_for("editor.draft", draft_id=draft_id)), 303
    form = drafts.read_form(request.form, request.form.getlist("owners"))
    if action != "save":
        return _render_measure(d, index, drafts.rearrange(form, action, request.form.get("paste", "")))
    try:
        drafts.save_measure(draft_id, index, actor_id=g.user.id, now=clock.now(), expected_version=_version(),
                            form=form)
    except drafts.FieldErrors:
        db.session.rollback()
        return _render_measure(_draft(draft_id), index, form, 422)
    except NotFound:
        abort(404)
    except ConflictError as exc:
        db.session.rollback()
        form.errors["version"] = (exc.message_th, exc.message_en)
        return _render_measure(_draft(draft_id), index, form, 409)
    flash(_("บันทึกมาตรการแล้ว"), "ok")
    return redirect(url_for("editor.draft", draft_id=draft_id) + f"#m{index}"), 303


@bp.post("/<int:draft_id>/confirm")
@roles_required(*EDITORS)
def confirm(draft_id: int):
    try:
        result = drafts.confirm(draft_id, actor_id=g.user.id, now=clock.now(), expected_version=_version(),
                                past_ok=request.form.get("past_ok") == "1")
    except (NotFound, PermissionDenied):
        db.session.rollback()
        abort(404)
    except DefinitionError:
        db.session.rollback()
        return _render_draft(_draft(draft_id), 422)
    except ConflictError as exc:
        db.session.rollback()
        flash(message(exc), "conflict")
        return redirect(url_for("editor.draft", draft_id=draft_id)), 303
    except ItaflowError as exc:
        db.session.rollback()
        if exc.details.get("past"):
            return _render_draft(_draft(draft_id), 422, past=message(exc))
        return _render_draft(_draft(draft_id), 422, problems=[(None, exc.message_th, exc.message_en)])
    style = "arabic" if language() == "en" else (g.user.digit_style or "thai")
    flash(_("นำเข้าแล้ว: %(agency)s ปีงบประมาณ %(year)s", agency=result.cycle.agency,
            year=digits(str(result.cycle.fiscal_year_be), style)), "ok")
    if result.calendar_notes:
        flash(_("เลื่อนกำหนด %(n)s รายการที่ตรงกับวันหยุดเป็นวันทำการ (ไม่เกินวันสิ้นสุดของมาตรการ) ตามที่แสดงในร่าง",
                n=digits(str(len(result.calendar_notes)), style)), "ok")
    return redirect(url_for("measures.measures", cycle=result.cycle.id)), 303


@bp.post("/<int:draft_id>/discard")
@roles_required(*EDITORS)
def discard(draft_id: int):
    if request.form.get("confirmed") != "1":
        abort(400)  # the page asks first (the confirming button sends confirmed=1)
    try:
        drafts.discard(draft_id, actor_id=g.user.id, now=clock.now(), expected_version=_version())
    except (NotFound, PermissionDenied):
        db.session.rollback()
        abort(404)
    except ConflictError as exc:
        db.session.rollback()
        flash(message(exc), "conflict")
        return redirect(url_for("editor.draft", draft_id=draft_id)), 303
    flash(_("ทิ้งร่างแล้ว"), "ok")
    return redirect(url_for("editor.index")), 303
