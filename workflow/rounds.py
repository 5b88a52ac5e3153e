"""Monitoring rounds (การติดตาม): the report built on the round's working day, and who receives it."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from workflow import audit, notify
from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.errors import NotFound
from workflow.models import Cycle, ReviewDecision, Round, Step, User, UserRole
from workflow.status import is_overdue, owner_label
from workflow.thaidate import bangkok_today, format_be, format_be_datetime


def _since(rnd: Round) -> datetime:
    """The report covers what happened after the previous round's report (or since the cycle began)."""
    previous = db.session.execute(
        select(Round).where(Round.cycle_id == rnd.cycle_id, Round.number < rnd.number, Round.report.is_not(None))
        .order_by(Round.number.desc())
    ).scalars().first()
    if previous is not None and previous.report and previous.report.get("generated_at"):
        return datetime.fromisoformat(previous.report["generated_at"])
    return rnd.cycle.created_at


def measure_ordinals(cycle_id: int) -> dict[tuple[int, int], int]:
    """(round id, measure id) -> which of the measure's own rounds it is (1, 2, ...): each measure keeps its
    own monitoring plan, so its rounds are numbered apart from the cycle's meetings."""
    from sqlalchemy import select

    from workflow.models import RoundMeasure

    rows = db.session.execute(
        select(RoundMeasure.measure_id, Round.id).join(Round, Round.id == RoundMeasure.round_id)
        .where(Round.cycle_id == cycle_id).order_by(RoundMeasure.measure_id, Round.held_on, Round.number)).all()
    out: dict[tuple[int, int], int] = {}
    counts: dict[int, int] = {}
    for measure_id, round_id in rows:
        counts[measure_id] = counts.get(measure_id, 0) + 1
        out[(round_id, measure_id)] = counts[measure_id]
    return out


def build_report(rnd: Round, now: datetime) -> dict:
    digits = current_app.config["ITAFLOW"].digits
    cycle: Cycle = rnd.cycle
    today = bangkok_today(now)
    since = _since(rnd)
    measures, overdue, done_since, decisions = [], [], [], []
    total = done = 0
    followed = {link.measure_id for link in rnd.measure_links}
    ordinals = measure_ordinals(cycle.id)
    for measure in cycle.measures:
        steps = measure.steps
        n_done = sum(1 for s in steps if s.state == "done")
        total, done = total + len(steps), done + n_done
        measures.append({"code": measure.code, "title": measure.title, "done": n_done, "total": len(steps),
                         "percent": round(100 * n_done / len(steps)) if steps else 100, "state": measure.state,
                         "followed": measure.id in followed,
                         # each measure counts its own rounds: a quarterly measure's second, not the year's 18th
                         "round_of_measure": ordinals.get((rnd.id, measure.id)),
                         "rounds_of_measure": sum(1 for (_r, m) in ordinals if m == measure.id)})
        for s in steps:
            if s.due_on is not None and is_overdue(s, today):
                overdue.append({"measure": measure.code, "number": s.number, "title": s.title,
                                "owner": owner_label(s), "due": format_be(s.due_on, digit_style=digits),
                                "due_en": format_be(s.due_on, digit_style="arabic", lang="en"),
                                "step_id": s.id})
            if s.state == "done" and s.done_at is not None and since < s.done_at <= now:
                done_since.append({"measure": measure.code, "number": s.number, "title": s.title,
                                   "by": s.done_by.name if s.done_by else "-",
                                   "at": format_be_datetime(s.done_at, digit_style=digits),
                                   "at_en": format_be_datetime(s.done_at, digit_style="arabic", lang="en")})
    for d in db.session.execute(
        select(ReviewDecision).join(Step).where(ReviewDecision.decided_at > since, ReviewDecision.decided_at <= now)
        .order_by(ReviewDecision.decided_at)
    ).scalars():
        if d.step.measure.cycle_id == cycle.id:
            decisions.append({"measure": d.step.measure.code, "number": d.step.number,
                              "decision": "อนุมัติ" if d.decision == "approved" else "ส่งกลับแก้ไข",
                              "approved": d.decision == "approved",
                              "by": d.decided_by.name, "reason": d.reason})
    return {
        "number": rnd.number, "agency": cycle.agency, "fiscal_year": cycle.fiscal_year_be,
        "planned_on": format_be(rnd.planned_on, digit_style=digits),
        "held_on": format_be(rnd.held_on, digit_style=digits), "moved_reason": rnd.moved_reason,
        "held_on_en": format_be(rnd.held_on, digit_style="arabic", lang="en"),
        "moved_reason_en": WorkingCalendar().check(rnd.planned_on).reason_en if rnd.moved_reason else None,
        "planned_on_en": format_be(rnd.planned_on, digit_style="arabic", lang="en"),
        "total_steps": total, "done_steps": done, "percent": round(100 * done / total) if total else 100,
        "measures": measures, "overdue": overdue, "done_since": done_since, "decisions": decisions,
        "generated_at": now.isoformat(), "since": since.isoformat(),
    }


def report_round(round_id: int, now: datetime) -> int:
    """Build and store the round's report; email it to the secretariat and executives, and each owner the
    open items to bring to the meeting. Idempotent per round (dedupe keys). Returns the emails queued."""
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound(f"ไม่พบการติดตามเลขที่ {round_id}", f"no round {round_id}")
    report = build_report(rnd, now)
    rnd.report = report
    rnd.status = "reported"
    audit.record("round_reported", agency_id=rnd.cycle.agency_id,
                 actor_id=None, now=now, target_type="round", target_id=rnd.id,
                 from_state="planned", to_state="reported",
                 data={"number": rnd.number, "done": report["done_steps"], "overdue": len(report["overdue"])})
    readers = db.session.execute(
        select(User).join(UserRole).where(UserRole.role.in_(("secretariat", "executive")), User.active.is_(True),
                                          User.agency_id == rnd.cycle.agency_id)  # this agency's, no other's
        .order_by(User.id)
    ).scalars().unique().all()
    count = 0
    for reader in readers:
        count += notify.queue("round_report", f"r{rnd.id}", reader, [], now, template="round_report",
                              params={"number": rnd.number, "day": rnd.held_on, "percent": report["percent"]},
                              context={"report": report, "link": notify.site_link(f"/rounds/{rnd.id}")})
    from workflow import lineout

    lineout.round_report(rnd, report, now)
    return count + _owner_items(rnd, now)


def _owner_items(rnd: Round, now: datetime) -> int:
    followed = {link.measure_id for link in rnd.measure_links}
    today = bangkok_today(now)
    per_user: dict[int, tuple[User, list[dict]]] = {}
    for measure in rnd.cycle.measures:
        if measure.id not in followed:
            continue
        for s in measure.steps:
            if s.state != "open":
                continue
            late = is_overdue(s, today)
            for user in notify.step_recipients(s):
                per_user.setdefault(user.id, (user, []))[1].append(notify.step_item(s, overdue=late))
    count = 0
    for user, items in per_user.values():
        count += notify.queue("round_items", f"r{rnd.id}", user, items, now,
                              params={"number": rnd.number, "day": rnd.held_on})
    return count


MAX_MINUTES = 20000
MAX_ATTENDANCE = 200


def record_minutes(round_id: int, *, actor_id: int, minutes: str, attendance: list[str], now: datetime) -> Round:
    """The secretariat records a round's minutes and who attended; the round is then held."""
    from workflow.errors import PermissionDenied, ValidationError

    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound(f"ไม่พบการติดตามเลขที่ {round_id}", f"no round {round_id}")
    actor = db.session.get(User, actor_id)
    if actor is not None and actor.agency_id != rnd.cycle.agency_id:  # another agency's round: not found
        raise NotFound(f"ไม่พบการติดตามเลขที่ {round_id}", f"no round {round_id}")
    if actor is None or not actor.active or not actor.has_role("secretariat"):
        raise PermissionDenied("เฉพาะฝ่ายเลขานุการบันทึกการประชุมติดตามได้", "only the secretariat records a round")
    minutes = (minutes or "").strip()
    attendance = [line.strip() for line in attendance if line.strip()]
    if not minutes:
        raise ValidationError("กรุณาบันทึกรายงานการประชุม", "write the minutes of the meeting")
    if len(minutes) > MAX_MINUTES or len(attendance) > MAX_ATTENDANCE:
        raise ValidationError(f"ข้อความยาวเกินไป (รายงานไม่เกิน {MAX_MINUTES:,} ตัวอักษร ผู้เข้าร่วมไม่เกิน "
                              f"{MAX_ATTENDANCE} คน)", f"too long (at most {MAX_MINUTES:,} characters of minutes "
                              f"and {MAX_ATTENDANCE} attendees)")
    before = rnd.status
    rnd.minutes, rnd.attendance, rnd.status = minutes, attendance, "held"
    audit.record("round_minutes", agency_id=rnd.cycle.agency_id,
                 actor_id=actor.id, now=now, target_type="round", target_id=rnd.id,
                 from_state=before, to_state="held", data={"attendance": len(attendance)})
    db.session.flush()
    return rnd
