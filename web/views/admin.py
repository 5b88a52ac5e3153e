"""Admin: users and roles, groups and their directors, definitions files, the outbox and the mail sink."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from web.i18n import language, message
from web.security import roles_required
from web.views.common import act, int_field
from workflow import clock
from workflow.db import db
from workflow.engine.definitions import parse_definitions
from workflow.engine.instantiate import instantiate
from workflow.errors import DefinitionError, ItaflowError
from workflow.models import ROLES, Group, OutboxMessage, User
from workflow.people import accounts
from workflow.people.users import add_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin")
def index():
    mine = g.user.agency_id  # an admin manages the people and groups of their own agency
    users = db.session.execute(select(User).where(User.agency_id == mine).order_by(User.name)).scalars().all()
    groups = db.session.execute(select(Group).where(Group.agency_id == mine).order_by(Group.name)).scalars().all()
    from workflow.models import Agency

    has_emblem = db.session.scalar(select(Agency.emblem.is_not(None)).where(Agency.id == mine))
    from workflow.people import secondfactor

    return render_template("admin.html", users=users, groups=groups, roles=ROLES, has_emblem=has_emblem,
                           policy=db.session.scalar(select(Agency.second_factor).where(Agency.id == mine)),
                           with_second_factor=secondfactor.people_with_one(mine),
                           plain_http=_plain_http_warning())


def _plain_http_warning() -> bool:
    """The deployment serves sign-ins over plain HTTP to other machines, as its admin chose (ITAFLOW_PLAIN_HTTP)."""
    settings = current_app.config["ITAFLOW"]
    return settings.plain_http and not settings.base_url.startswith("https://")


@bp.post("/users")
@roles_required("admin")
def create_user():
    form = request.form
    try:
        add_user(name=form.get("name", ""), email=form.get("email", ""), roles=form.getlist("roles") or ["staff"],
                 group_key=form.get("group") or None, position=form.get("position") or None,
                 password=form.get("password") or None, actor_id=g.user.id, now=clock.now())
        flash(_("เพิ่มผู้ใช้แล้ว"), "ok")
    except ItaflowError as exc:
        db.session.rollback()
        flash(message(exc), "error")
    return redirect(url_for("admin.index")), 303


@bp.post("/users/<int:user_id>")
@roles_required("admin")
def update_user(user_id: int):
    form = request.form
    return act(accounts.update_account, url_for("admin.index"), _("บันทึกแล้ว"), user_id=user_id,
               roles=form.getlist("roles"), active=form.get("active") == "1", now=clock.now(),
               email=form.get("email") if "email" in form else None,
               group_key=form.get("group") if "group" in form else None)


@bp.post("/users/<int:user_id>/invite")
@roles_required("admin")
def invite_user(user_id: int):
    """E-mail the person a link to set their own password (a newcomer, or someone who forgot theirs)."""
    from workflow.people import invitations

    return act(invitations.invite, url_for("admin.index"), _("ส่งลิงก์ตั้งรหัสผ่านทางอีเมลแล้ว"), user_id=user_id,
               now=clock.now())


@bp.post("/emblem")
@roles_required("admin")
def emblem():
    """The agency's emblem (ตราครุฑ) for its memos: uploaded, or removed (``remove=1``)."""
    from workflow.people import agencies

    upload = request.files.get("file")
    data = None if request.form.get("remove") == "1" else (upload.read() if upload else b"")
    if data == b"":
        flash(_("เลือกไฟล์ภาพตราก่อน"), "error")
        return redirect(url_for("admin.index")), 303
    return act(agencies.set_emblem, url_for("admin.index"), _("บันทึกตราของหน่วยงานแล้ว"), now=clock.now(), data=data)


@bp.route("/frameworks", methods=["GET", "POST"])
@roles_required("admin")
def frameworks_page():
    """The ITA frameworks (OIT item lists): the shipped ones and the agency's own; upload a list (TSV, refused
    whole with its lines); choose the one a cycle is assessed by."""
    from workflow.engine import frameworks
    from workflow.models import Cycle

    problems: list[str] = []
    if request.method == "POST":
        upload = request.files.get("file")
        name = (upload.filename if upload else "") or "framework.tsv"
        try:
            text = (upload.read() if upload else b"").decode("utf-8-sig")
            frameworks.upload(actor_id=g.user.id, now=clock.now(), text=text, name=name)
            flash(_("บันทึกเกณฑ์แล้ว"), "ok")
            return redirect(url_for("admin.frameworks_page")), 303
        except UnicodeDecodeError:
            problems = [_("ไฟล์ต้องเป็นข้อความ UTF-8 (.tsv)")]
        except DefinitionError as exc:
            db.session.rollback()
            problems = problem_lines(exc)
        except ItaflowError as exc:
            db.session.rollback()
            problems = [message(exc)]
    cycles = db.session.execute(select(Cycle).where(Cycle.agency_id == g.user.agency_id)
                                .order_by(Cycle.fiscal_year_be.desc())).scalars().all()
    return render_template("frameworks.html", frameworks=frameworks.visible_to(g.user.id), cycles=cycles,
                           current={c.id: frameworks.choice_of(frameworks.for_cycle(c)) for c in cycles},
                           choice_of=frameworks.choice_of,
                           problems=problems), 422 if problems else 200


@bp.post("/frameworks/use/<int:cycle_id>")
@roles_required("admin")
def use_framework(cycle_id: int):
    from workflow.engine import frameworks

    return act(frameworks.use, url_for("admin.frameworks_page"), _("เลือกเกณฑ์สำหรับปีงบประมาณนี้แล้ว"),
               cycle_id=cycle_id, choice=request.form.get("framework") or "", now=clock.now())


@bp.post("/groups/<int:group_id>")
@roles_required("admin")
def update_group(group_id: int):
    chosen = {}
    for field in ("director_id", "acting_director_id"):
        raw = request.form.get(field)
        chosen[field] = int_field(raw)
        if raw and chosen[field] is None:  # not a number: no such person
            chosen[field] = 0
    return act(accounts.set_group_directors, url_for("admin.index"), _("บันทึกแล้ว"), group_id=group_id,
               now=clock.now(), **chosen)


def problem_lines(exc: DefinitionError) -> list[str]:
    """A refused file's problems, each with its line, in the page's language."""
    return [_("บรรทัด %(line)s: %(problem)s", line=p.line, problem=message(p)) if p.line else message(p)
            for p in exc.problems]


def _past_warning(doc: dict) -> str | None:
    """What of the file is already past, in the page's language, or None."""
    from workflow.engine.instantiate import past_dates
    from workflow.thaidate import bangkok_today

    past = past_dates(doc, bangkok_today(clock.now()))
    if not past:
        return None
    th, en = past.message()
    return en if language() == "en" else th


@bp.route("/definitions", methods=["GET", "POST"])
@roles_required("admin")
def definitions():
    """Upload a definitions file: errors shown by line and nothing written; a valid file is loaded."""
    problems, doc = [], None
    if request.method == "POST":
        upload = request.files.get("file")
        name = (upload.filename if upload else "") or "definitions.yaml"
        data = upload.read() if upload else b""
        try:
            text = data.decode("utf-8")
            doc = parse_definitions(text, name)
            past = _past_warning(doc)
            if past and request.form.get("past_ok") != "1":
                return render_template("definitions.html", problems=[], doc=doc, past=past), 422
            if request.form.get("confirm") == "1":
                result = instantiate(doc, actor_id=g.user.id, now=clock.now(), source_name=name,
                                     agency_id=g.user.agency_id)
                flash(_("นำเข้าแล้ว: %(agency)s ปีงบประมาณ %(year)s", agency=result.cycle.agency,
                    year=result.cycle.fiscal_year_be), "ok")
                return redirect(url_for("measures.measures")), 303
        except UnicodeDecodeError:
            problems = [_("ไฟล์ต้องเป็นข้อความ UTF-8 (.yaml)")]
        except DefinitionError as exc:
            db.session.rollback()
            problems = problem_lines(exc)
        except ItaflowError as exc:
            db.session.rollback()
            problems = [message(exc)]
    status = 422 if problems else 200
    return render_template("definitions.html", problems=problems, doc=doc), status


@bp.get("/import")
@roles_required("admin")
def import_memo():
    """Where importing a memo used to be: it now lands in the measures editor."""
    return redirect(url_for("editor.import_memo")), 301


@bp.get("/outbox")
@roles_required("admin", "secretariat")
def outbox():
    status = request.args.get("status")
    from sqlalchemy import or_

    from workflow.models import LineTarget

    ours = or_(OutboxMessage.recipient_id.in_(select(User.id).where(User.agency_id == g.user.agency_id)),
               OutboxMessage.line_target_id.in_(select(LineTarget.id).where(LineTarget.agency_id == g.user.agency_id)))
    query = select(OutboxMessage).where(ours).order_by(OutboxMessage.id.desc()).limit(200)
    if status in ("pending", "sending", "sent", "failed", "held", "digested"):
        query = query.where(OutboxMessage.status == status)
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).where(ours)
                                     .group_by(OutboxMessage.status)).all())
    return render_template("outbox.html", rows=db.session.execute(query).scalars().all(), counts=counts)


@bp.get("/mail")
@roles_required("admin")
def mail():
    from email.header import decode_header, make_header
    from email.utils import parseaddr, parsedate_to_datetime

    from tasks.sink import read_maildir

    ours = set(db.session.execute(select(User.email).where(User.agency_id == g.user.agency_id,
                                                          User.email.is_not(None))).scalars())
    messages = []
    for m in read_maildir(current_app.config["ITAFLOW"].instance_path / "mail", 100):
        if parseaddr(str(m["To"] or ""))[1].lower() not in ours:  # another agency's mail is not this admin's to read
            continue
        body = m.get_body(("plain",))
        subject = str(make_header(decode_header(m["Subject"] or "")))
        try:
            sent = parsedate_to_datetime(str(m["Date"]))
        except (TypeError, ValueError):
            sent = None
        messages.append({"to": m["To"], "date": sent, "subject": subject,
                         "body": body.get_content() if body is not None else ""})
    return render_template("mail.html", messages=messages)


@bp.get("/system")
@roles_required("admin")
def system():
    """The deployment's health (the checks of `itaflow doctor`) and its backups, for the admins of an agency at
    the top of the tree (those who run the deployment; a unit's admin runs only their unit)."""
    from web.security import deny
    from workflow.models import Agency
    from workflow.operations import backupplan, doctor

    agency = db.session.get(Agency, g.user.agency_id)
    if agency is None or agency.parent_id is not None:
        deny()
    now = clock.now()
    findings = doctor.run(now)
    return render_template("system.html", findings=findings, backups=backupplan.status(now), english=language() == "en",
                           problems=sum(f.level == doctor.PROBLEM for f in findings))
