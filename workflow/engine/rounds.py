"""Monitoring rounds (การติดตาม): the report built on the round's working day, and who receives it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from workflow import audit
from workflow.calendar import WorkingCalendar
from workflow.channels import notify
from workflow.db import db
from workflow.engine.status import is_overdue, owner_label
from workflow.errors import NotFound
from workflow.models import AuditEvent, Cycle, ReviewDecision, Round, Step, User, UserRole
from workflow.thaidate import bangkok_today, end_of_day_utc, format_be, format_be_datetime
from workflow.vocabulary import acting_words, step_title


def _since(rnd: Round) -> datetime:
    """The report covers what happened after the moment the previous round's report counted to (or since the
    cycle began)."""
    previous = db.session.execute(
        select(Round).where(Round.cycle_id == rnd.cycle_id, Round.number < rnd.number, Round.report.is_not(None))
        .order_by(Round.number.desc())
    ).scalars().first()
    if previous is not None and previous.report:
        moment = previous.report.get("as_of") or previous.report.get("generated_at")
        if moment:
            return datetime.fromisoformat(moment)
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


@dataclass
class _Then:
    """A step as it stood at a past moment, read back from the audit log (every change of state is there)."""

    state: str
    due_on: date | None
    #: the completion in force then: when, by whom, acting for whom
    done_at: datetime | None = None
    done_by_id: int | None = None
    acting: dict | None = None


_STATE_EVENTS = ("step_opened", "step_completed", "review_approved", "review_sent_back", "step_reopened",
                 "step_blocked")


def _as_it_stood(cycle: Cycle, moment: datetime) -> dict[int, _Then] | None:
    """Every step of the cycle that existed at ``moment``, as it stood then: its state (the last change audited by
    then), its due day (before any later move) and its completion. None when the cycle itself was loaded after
    the moment (there is nothing to go back to)."""
    if cycle.created_at > moment:
        return None
    steps = {s.id: s for m in cycle.measures for s in m.steps}
    if not steps:
        return {}
    then: dict[int, _Then] = {}
    added_after: set[int] = set()
    events = db.session.execute(
        select(AuditEvent.target_id, AuditEvent.action, AuditEvent.to_state, AuditEvent.occurred_at,
               AuditEvent.actor_id, AuditEvent.data)
        .where(AuditEvent.chain == cycle.agency_id, AuditEvent.target_type == "step",
               AuditEvent.target_id.in_(list(steps))).order_by(AuditEvent.seq)).all()
    for step_id in steps:
        then[step_id] = _Then("blocked", steps[step_id].due_on)
    moved_back: set[int] = set()
    for step_id, action, to_state, at, actor_id, data in events:
        row = then[step_id]
        if at > moment:
            if action == "step_added":
                added_after.add(step_id)
            if action == "step_due_moved" and step_id not in moved_back:  # the due day it had then
                before = (data or {}).get("before")
                row.due_on = date.fromisoformat(before) if before else None
                moved_back.add(step_id)
            continue
        if action in _STATE_EVENTS and to_state:
            row.state = to_state
            if to_state == "done":
                row.done_at, row.done_by_id, row.acting = at, actor_id, (data or {}).get("acting")
            else:
                row.done_at = row.done_by_id = row.acting = None
    return {i: t for i, t in then.items() if i not in added_after}


def _presenter(cycle: Cycle, day: date) -> dict | None:
    """Who presents the round's report (the memo's author, of the secretariat) and, when they are away on the
    round's day with someone acting for them, that person: the signature block then reads "... รักษาราชการแทน"."""
    from workflow.acting import in_force, resolve
    from workflow.models import Absence

    author = (cycle.memo or {}).get("author") or None
    if not author or not author.get("name"):
        return None
    wanted = "".join(str(author["name"]).split())
    person = next((u for u in db.session.execute(select(User).where(User.agency_id == cycle.agency_id)).scalars()
                   if "".join(u.name.split()) == wanted), None)
    presenter = {"name": author["name"], "position": author.get("position") or "", "acting_for": None}
    if person is None:
        return presenter
    away = db.session.execute(select(Absence).where(Absence.user_id == person.id, in_force(day))
                              ).scalars().first()
    if away is None or away.acting_user_id is None:
        return presenter
    acting = db.session.get(User, resolve(person.id, day, cycle.agency_id)) \
        or db.session.get(User, away.acting_user_id)
    if acting is None or acting.id == person.id:
        return presenter
    return {"name": acting.name, "position": acting.position or "",
            "acting_for": {"id": person.id, "name": person.name,
                           "position": author.get("position") or person.position or person.name}}


def build_report(rnd: Round, now: datetime) -> dict:
    """The round's report. Built on its day (or before, as a draft) it counts what stands now. Built after its
    day (the system was off, or the page asks for one never kept) it counts as the round's day ended, from the
    audit log: steps done later are not done in it, steps due after the round are not overdue in it, and its
    ``late`` part says when it was built and what counting at that moment would have given instead."""
    digits = current_app.config["ITAFLOW"].digits
    cycle: Cycle = rnd.cycle
    today = bangkok_today(now)
    since = _since(rnd)
    as_of, day = now, today
    then: dict[int, _Then] | None = None
    if today > rnd.held_on:
        as_of, day = min(now, end_of_day_utc(rnd.held_on)), rnd.held_on
        then = _as_it_stood(cycle, as_of)
        if then is None:  # loaded after the round's day: nothing to go back to, counted now and said so
            as_of, day = now, today
    people = {u.id: u for u in db.session.execute(select(User).where(User.agency_id == cycle.agency_id)).scalars()}
    measures, overdue, done_since, decisions = [], [], [], []
    total = done = 0
    now_done = now_total = now_overdue = 0
    followed = {link.measure_id for link in rnd.measure_links}
    ordinals = measure_ordinals(cycle.id)
    for measure in cycle.measures:
        steps = [s for s in measure.steps if then is None or s.id in then]
        now_total += len(measure.steps)
        now_done += sum(1 for s in measure.steps if s.state == "done")
        now_overdue += sum(1 for s in measure.steps if s.due_on is not None and is_overdue(s, today))
        state = {s.id: (then[s.id].state if then is not None else s.state) for s in steps}
        due = {s.id: (then[s.id].due_on if then is not None else s.due_on) for s in steps}
        n_done = sum(1 for s in steps if state[s.id] == "done")
        total, done = total + len(steps), done + n_done
        measures.append({"code": measure.code, "title": measure.title, "done": n_done, "total": len(steps),
                         "percent": round(100 * n_done / len(steps)) if steps else 100, "state": measure.state,
                         "followed": measure.id in followed,
                         # each measure counts its own rounds: a quarterly measure's second, not the year's 18th
                         "round_of_measure": ordinals.get((rnd.id, measure.id)),
                         "rounds_of_measure": sum(1 for (_r, m) in ordinals if m == measure.id)})
        for s in steps:
            due_on = due[s.id]
            if due_on is not None and state[s.id] != "done" and due_on < day:
                overdue.append({"measure": measure.code, "number": s.number, "title": step_title(s, "th", digits),
                                "owner": owner_label(s), "due": format_be(due_on, digit_style=digits),
                                "due_en": format_be(due_on, digit_style="arabic", lang="en"),
                                "step_id": s.id})
            done_at, by_id, acting = (then[s.id].done_at, then[s.id].done_by_id, then[s.id].acting) \
                if then is not None else (s.done_at, s.done_by_id, s.done_acting)
            if state[s.id] == "done" and done_at is not None and since < done_at <= as_of:
                by = people.get(by_id) if by_id is not None else None
                done_since.append({"measure": measure.code, "number": s.number, "title": step_title(s, "th", digits),
                                   "by": acting_words(by, acting) if by else "-",
                                   "by_en": acting_words(by, acting, "en") if by else "-",
                                   "at": format_be_datetime(done_at, digit_style=digits),
                                   "at_en": format_be_datetime(done_at, digit_style="arabic", lang="en")})
    for d in db.session.execute(
        select(ReviewDecision).join(Step).where(ReviewDecision.decided_at > since, ReviewDecision.decided_at <= as_of)
        .order_by(ReviewDecision.decided_at)
    ).scalars():
        if d.step.measure.cycle_id == cycle.id:
            decisions.append({"measure": d.step.measure.code, "number": d.step.number,
                              "decision": "อนุมัติ" if d.decision == "approved" else "ส่งกลับแก้ไข",
                              "approved": d.decision == "approved",
                              "by": acting_words(d.decided_by, d.acting),
                              "by_en": acting_words(d.decided_by, d.acting, "en"), "reason": d.reason})
    late = None
    if day != today:  # counted as the round's day ended: say so, and what counting now gives instead
        late = {"built": format_be_datetime(now, digit_style=digits),
                "built_en": format_be_datetime(now, digit_style="arabic", lang="en"),
                "as_of": format_be(day, digit_style=digits),
                "as_of_en": format_be(day, digit_style="arabic", lang="en"),
                "done_now": now_done, "total_now": now_total, "overdue_now": now_overdue,
                "percent_now": round(100 * now_done / now_total) if now_total else 100}
    return {
        "number": rnd.number, "agency": cycle.agency, "fiscal_year": cycle.fiscal_year_be,
        "planned_on": format_be(rnd.planned_on, digit_style=digits),
        "held_on": format_be(rnd.held_on, digit_style=digits), "moved_reason": rnd.moved_reason,
        "held_on_en": format_be(rnd.held_on, digit_style="arabic", lang="en"),
        "moved_reason_en": WorkingCalendar().check(rnd.planned_on).reason_en if rnd.moved_reason else None,
        "planned_on_en": format_be(rnd.planned_on, digit_style="arabic", lang="en"),
        "total_steps": total, "done_steps": done, "percent": round(100 * done / total) if total else 100,
        "measures": measures, "overdue": overdue, "done_since": done_since, "decisions": decisions,
        "generated_at": now.isoformat(), "since": since.isoformat(), "as_of": as_of.isoformat(), "late": late,
        "presenter": _presenter(cycle, rnd.held_on),
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
    from workflow.channels import lineout

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
            for user in notify.step_recipients(s, today):
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
