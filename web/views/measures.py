"""Measures, the dashboard, rounds and the audit log: what the secretariat and executives read."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web.i18n import message
from web.security import deny, login_required, roles_required
from web.views.common import chosen_cycle, int_field, mine_or_404
from workflow import clock
from workflow.audit import DEPLOYMENT
from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.engine import absences, queries
from workflow.engine import rounds as round_service
from workflow.errors import ItaflowError, PermissionDenied, ValidationError
from workflow.models import Group, Measure, Round, User
from workflow.thaidate import BANGKOK, bangkok_today, parse_thai_date

bp = Blueprint("measures", __name__)


@bp.get("/measures")
@login_required
def measures():
    cycle, cycles = chosen_cycle()
    today = bangkok_today(clock.now())
    return render_template("measures.html", cycle=cycle, cycles=cycles,
                           rows=queries.progress(cycle, today) if cycle else [])


@bp.get("/measures/<int:measure_id>")
@login_required
def measure(measure_id: int):
    m = mine_or_404(db.session.get(Measure, measure_id))
    today = bangkok_today(clock.now())
    editing = g.user.has_role("secretariat") and g.user.agency_id == m.cycle.agency_id
    mine = Group.agency_id == m.cycle.agency_id
    return render_template("measure.html", measure=m, today=today, editing=editing,
                           groups=db.session.execute(select(Group).where(mine).order_by(Group.name)).scalars().all()
                           if editing else [],
                           people=db.session.execute(select(User).where(User.agency_id == m.cycle.agency_id)
                                                     .order_by(User.name)).scalars().all() if editing else [],
                           classes={s.id: queries.due_class(s, today) for s in m.steps},
                           rounds=[link for link in m.cycle.rounds
                                   if any(x.measure_id == m.id for x in link.measure_links)])


@bp.post("/measures/<int:measure_id>/steps")
@login_required
def add_step(measure_id: int):
    """The secretariat adds a step to a measure under way: after which step, what, whose (a group or a person;
    a review is its group director's), due when."""
    from web.views.common import act
    from workflow.engine import stepedits

    m = mine_or_404(db.session.get(Measure, measure_id))
    form = request.form
    kind, _sep, raw = (form.get("owner") or "").partition(":")
    after = form.get("after") or ""
    return act(stepedits.add_step, url_for("measures.measure", measure_id=m.id), _("เพิ่มขั้นตอนแล้ว"),
               measure_id=m.id, now=clock.now(), after=int(after) if after.isdigit() else -1,
               title=form.get("title") or "", kind=form.get("kind") or "task",
               group_id=int_field(raw) if kind == "group" else None, user_id=int_field(raw) if kind == "user" else None,
               due_on=form.get("due_on") or None, reviewer_group_id=int_field(form.get("reviewer")))


@bp.get("/dashboard")
@roles_required("secretariat", "executive", "admin")
def dashboard():
    cycle, cycles = chosen_cycle()
    today = bangkok_today(clock.now())
    if cycle is None:
        return render_template("dashboard.html", cycle=None, cycles=cycles)
    from workflow.oversight import dashboard as dashboard_service

    upcoming = queries.next_round(cycle, today)
    return render_template(
        "dashboard.html", cycle=cycle, cycles=cycles, today=today, rows=queries.progress(cycle, today),
        board=dashboard_service.build(cycle, clock.now()), upcoming=queries.next_deadlines(cycle, today),
        broken_links=[r for r in (cycle.link_check or {}).get("results", []) if not r["ok"]],
        next_round=upcoming, away=[x for x in absences.listing(g.user.agency_id, today) if x.in_force],
        round_check=WorkingCalendar().check(upcoming.planned_on) if upcoming else None,
    )


@bp.get("/rounds")
@login_required
def rounds():
    cycle, cycles = chosen_cycle()
    return render_template("rounds.html", cycle=cycle, cycles=cycles, rounds=cycle.rounds if cycle else [],
                           today=bangkok_today(clock.now()))


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@login_required
def round_page(round_id: int):
    rnd = mine_or_404(db.session.get(Round, round_id))
    error = None
    if request.method == "POST":
        try:
            round_service.record_minutes(round_id, actor_id=g.user.id, minutes=request.form.get("minutes") or "",
                                  attendance=(request.form.get("attendance") or "").splitlines(), now=clock.now())
            return redirect(url_for("measures.round_page", round_id=rnd.id)), 303
        except PermissionDenied:
            deny()
        except ItaflowError as exc:
            db.session.rollback()
            error = message(exc)
    report, built_now = rnd.report, False
    if report is None and rnd.held_on <= bangkok_today(clock.now()):  # its day came and went with no report kept
        from workflow.engine.rounds import build_report

        report, built_now = build_report(rnd, clock.now()), True
    return render_template("round.html", rnd=rnd, report=report, built_now=built_now, error=error), \
        400 if error else 200


@bp.get("/audit")
@roles_required("secretariat", "executive", "admin")
def audit_log():
    args = request.args
    start = end = None
    error = None
    try:
        if args.get("start"):
            start = datetime.combine(parse_thai_date(args["start"]), time.min, tzinfo=BANGKOK)
        if args.get("end"):
            end = datetime.combine(parse_thai_date(args["end"]), time.max, tzinfo=BANGKOK)
    except (ValueError, ValidationError) as exc:
        error = message(exc) if hasattr(exc, "message_th") else _("วันที่ไม่ถูกต้อง")
    # the deployment's own chain (agencies added, guessed API tokens and calendar secrets, sign-ins of unknown
    # addresses): for the deployment's admins, the admins of an agency at the top of the tree
    may_see_deployment = queries.is_deployment_admin(g.user)
    deployment = args.get("chain") == "deployment"
    if deployment and not may_see_deployment:
        deny()
    chain = DEPLOYMENT if deployment else g.user.agency_id
    events = [] if error else queries.audit_events(
        chain, measure=(args.get("measure") or None), actor_id=int_field(args.get("person")),
        action=(args.get("action") or None), start=start, end=end)
    people = {u.id: u for u in db.session.query(User).filter(User.agency_id == g.user.agency_id)}
    if deployment:  # whoever acted, from any agency
        actors = {e.actor_id for e in events if e.actor_id is not None} - set(people)
        people |= {u.id: u for u in db.session.query(User).filter(User.id.in_(actors))} if actors else {}
    return render_template("audit.html", events=events, people=people, error=error, args=args,
                           deployment=deployment, may_see_deployment=may_see_deployment), 400 if error else 200
