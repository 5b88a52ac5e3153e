"""Turn a validated definitions document into a cycle, and clone a cycle to the next fiscal year."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from workflow import audit
from workflow.calendar import WorkingCalendar
from workflow.channels import alerts
from workflow.db import db
from workflow.engine.definitions import to_json_document
from workflow.engine.transitions import open_ready_steps
from workflow.errors import ValidationError
from workflow.models import (
    Agency,
    Cycle,
    Group,
    Measure,
    MeasureOwner,
    Round,
    RoundMeasure,
    Step,
    Timer,
    User,
    UserRole,
)
from workflow.people import agencies
from workflow.thaidate import bangkok_moment, format_be


@dataclass
class LoadResult:
    cycle: Cycle
    created_users: list[str] = field(default_factory=list)
    calendar_notes: list[str] = field(default_factory=list)
    #: item codes carried into next year's list, or not (clone)
    item_notes: list[str] = field(default_factory=list)


def _office_time() -> time:
    hour, minute = current_app.config["ITAFLOW"].office_hour.split(":")
    return time(int(hour), int(minute))


def _from_json(doc: dict) -> dict:
    """Stored documents keep ISO strings; turn the date fields back into dates."""
    def d(value):
        return date.fromisoformat(value) if isinstance(value, str) else value
    out = dict(doc)
    out["measures"] = []
    for m in doc["measures"]:
        m = dict(m)
        m["period"] = {**m["period"], "start": d(m["period"]["start"]), "end": d(m["period"]["end"])}
        m["steps"] = [{**s, "due": d(s.get("due"))} for s in m["steps"]]
        mon = dict(m["monitoring"])
        mon["rounds"] = [d(x) for x in mon.get("rounds", [])]
        mon["deadlines"] = [{**x, "date": d(x["date"])} for x in mon.get("deadlines", [])]
        m["monitoring"] = mon
        out["measures"].append(m)
    return out


def instantiate(doc: dict, *, actor_id: int | None, now: datetime, source_name: str | None = None,
                progress: Callable[[str], None] | None = None, agency_code: str | None = None,
                agency_id: int | None = None) -> LoadResult:
    """Create groups, people, the cycle, its measures, steps, rounds and timers; open the first steps.

    The cycle, groups and people belong to the agency of ``agency_id`` or ``agency_code`` (a memo loaded into
    an agency not yet named names it), else to the agency the file names
    (made if the deployment has none of that name). Only flushes: the caller commits. Refuses a cycle that
    already exists for the agency and year.
    """
    say = progress or (lambda _msg: None)
    given = db.session.get(Agency, agency_id) if agency_id is not None else (
        agencies.get(agency_code) if agency_code else None)
    if given is not None and given.name != agencies.UNNAMED and _same_name(given.name) != _same_name(doc["agency"]):
        raise ValidationError(
            f"ไฟล์นี้เป็นมาตรการของ '{doc['agency']}' แต่เลือกนำเข้าให้ '{given.name}' ({given.code}) "
            f"ถ้าถูกหน่วยงานแล้ว แก้บรรทัด agency: ในไฟล์ให้เป็นชื่อนี้",
            f"this file holds the measures of '{doc['agency']}', but it is being loaded into '{given.name}' "
            f"({given.code}); if that is the right agency, set the file's agency: line to its name")
    agency = (agencies.named_by_memo(given, doc["agency"], actor_id=actor_id, now=now) if given is not None
              else agencies.ensure(doc["agency"], actor_id=actor_id, now=now))
    existing = db.session.execute(
        select(Cycle).where(Cycle.agency_id == agency.id, Cycle.fiscal_year_be == doc["fiscal_year"])
    ).scalar_one_or_none()
    if existing is not None:
        raise ValidationError(
            f"มีรอบการประเมินของ {doc['agency']} ปีงบประมาณ {doc['fiscal_year']} อยู่แล้ว (เลขที่ {existing.id})",
            f"{doc['agency']} already has a cycle for fiscal year {doc['fiscal_year']} (id {existing.id})",
        )
    calendar = WorkingCalendar()
    result = LoadResult(cycle=None)  # type: ignore[arg-type]
    groups = _upsert_groups(doc, agency.id)
    people = _upsert_people(doc, groups, result, now, actor_id, agency.id)
    for key, g in doc["groups"].items():
        group = groups[key]
        before = {"director": group.director_id, "acting": group.acting_director_id}
        if g.get("director"):
            group.director_id = people[g["director"]].id
        if g.get("acting_director"):
            group.acting_director_id = people[g["acting_director"]].id
        after = {"director": group.director_id, "acting": group.acting_director_id}
        if after != before:  # each change of a group's directors is its own event, as on the admin page
            audit.record("group_updated", agency_id=agency.id,
                         actor_id=actor_id, now=now, target_type="group", target_id=group.id,
                         data={"before": before, "after": after, "source": source_name})

    cycle = Cycle(
        agency_id=agency.id, agency=doc["agency"], fiscal_year_be=doc["fiscal_year"], title=doc["title"],
        memo=doc.get("memo") or {},
        round_policy=doc["calendar"]["rounds"], deadline_policy=doc["calendar"]["deadlines"],
        reminder_days=doc["reminders"], definition=to_json_document(doc), source_name=source_name,
        created_at=now,
    )
    db.session.add(cycle)
    result.cycle = cycle
    db.session.flush()

    measures: list[tuple[Measure, dict]] = []
    for position, m in enumerate(doc["measures"], start=1):
        say(f"มาตรการ {m['code']}")
        measure = Measure(
            cycle=cycle, code=m["code"], position=position, title=m["title"], related_items=m["items"],
            weakness=m["weakness"], improvement=m["improvement"], owners_text=m["owners"]["text"],
            monitoring=to_json_document(m["monitoring"]), period_start=m["period"]["start"],
            period_end=m["period"]["end"], constraints=m["constraints"], state="active",
        )
        for gkey in m["owners"]["groups"]:
            measure.owners.append(MeasureOwner(group=groups[gkey]))
        for pkey in m["owners"]["people"]:
            measure.owners.append(MeasureOwner(user=people[pkey]))
        by_number: dict[int, Step] = {}
        for s in m["steps"]:
            for occurrence, (title, due, month) in enumerate(_occurrences(s, m["period"]), start=1):
                adjusted = calendar.adjust_within(due, cycle.deadline_policy, m["period"]["end"])
                if adjusted.moved:
                    result.calendar_notes.append(
                        f"มาตรการ {m['code']} ขั้นตอนที่ {s['number']}: กำหนด {format_be(due)} ตรงกับ"
                        f"{adjusted.reason_th} เลื่อนเป็น {format_be(adjusted.day)}")
                step = Step(
                    number=s["number"], occurrence=occurrence, title=title, kind=s["kind"], parallel=s["parallel"],
                    owner_group=groups.get(s["group"]) if s["group"] else None,
                    owner_user=people.get(s["person"]) if s["person"] else None,
                    reviewer_group=groups.get(s["reviewer"]) if s["reviewer"] else None,
                    due_on=adjusted.day, due_explicit=s["due"] is not None, evidence_wanted=s.get("evidence"),
                    recurrence=s.get("repeat"), month=month, state="blocked",
                )
                step.co_owner_groups = [groups[g] for g in s.get("co_groups") or [] if g in groups]
                by_number.setdefault(s["number"], step)
                measure.steps.append(step)
        for s in m["steps"]:
            if s["kind"] == "review":
                by_number[s["number"]].reviews_step = by_number[s["reviews"]]
        db.session.add(measure)
        measures.append((measure, m))
    db.session.flush()

    _make_rounds(cycle, measures, calendar, result, now)
    office = _office_time()
    for measure, m in measures:
        for deadline in m["monitoring"]["deadlines"]:
            adjusted = calendar.adjust(deadline["date"], cycle.deadline_policy)
            payload = {"title": deadline["title"], "date": adjusted.day.isoformat(),
                       "planned": deadline["date"].isoformat()}
            stages = [(calendar.add_working_days(adjusted.day, -n), n) for n in sorted(cycle.reminder_days,
                                                                                         reverse=True)]
            for day, before in [*stages, (adjusted.day, 0)]:
                if alerts.upcoming(day, now):
                    db.session.add(Timer(kind="special_deadline", fire_at=bangkok_moment(day, office),
                                         target_type="measure", target_id=measure.id,
                                         payload={**payload, "days_before": before}))
        end_day = calendar.adjust(measure.period_end, "previous").day
        if alerts.upcoming(end_day, now):
            db.session.add(Timer(kind="period_end", fire_at=bangkok_moment(end_day, office),
                                 target_type="measure", target_id=measure.id,
                                 payload={"date": measure.period_end.isoformat()}))
    db.session.flush()
    audit.record("cycle_loaded", agency_id=agency.id,
                 actor_id=actor_id, now=now, target_type="cycle", target_id=cycle.id,
                 to_state="active", data={"source": source_name, "measures": len(measures),
                                          "steps": sum(len(m.steps) for m, _ in measures)})
    for measure, _ in measures:
        open_ready_steps(measure.id, actor_id=actor_id, now=now, loading=True)
    db.session.flush()
    return result


def _occurrences(s: dict, period: dict) -> list[tuple[str, date, date | None]]:
    """(title, due day, month) of each occurrence: one for a plain step (due as given, else at the period's
    end); one a month for a monthly step, each due at its month's end (the last at the period's end), with the
    month it is for (its first day; shown beside the title in the viewer's language: ``workflow.channels.wording``)."""
    if s.get("repeat") != "monthly":
        return [(s["title"], s["due"] or period["end"], None)]
    out: list[tuple[str, date, date | None]] = []
    year, month = period["start"].year, period["start"].month
    while date(year, month, 1) <= period["end"]:
        following = date(year + month // 12, month % 12 + 1, 1)
        due = min(following - timedelta(days=1), period["end"])
        out.append((s["title"], due, date(year, month, 1)))
        year, month = following.year, following.month
    return out


def _same_name(name: str) -> str:
    """An agency's name as compared: spaces do not count (memos break and space names as they please)."""
    return "".join((name or "").split())


def _upsert_groups(doc: dict, agency_id: int) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    mine = (Group.agency_id == agency_id)
    for key, g in doc["groups"].items():
        group = db.session.execute(select(Group).where(mine, Group.key == key)).scalar_one_or_none()
        if group is None:
            clash = db.session.execute(select(Group).where(mine, Group.name == g["name"])).scalar_one_or_none()
            if clash is not None:
                raise ValidationError(
                    f"กลุ่ม '{g['name']}' มีอยู่แล้วในระบบด้วยรหัส '{clash.key}' ใช้รหัสนั้นในไฟล์",
                    f"group '{g['name']}' already exists with key '{clash.key}': use that key in the file",
                )
            group = Group(agency_id=agency_id, key=key, name=g["name"])
            db.session.add(group)
        groups[key] = group
    db.session.flush()
    return groups


def _upsert_people(doc: dict, groups: dict[str, Group], result: LoadResult, now: datetime,
                   actor_id: int | None, agency_id: int) -> dict[str, User]:
    """New people are created and existing ones may gain roles (never admin: refused when the file is
    checked); each person created or given a role is its own audited event."""
    people: dict[str, User] = {}
    for key, p in doc["people"].items():
        user = db.session.execute(select(User).where(User.agency_id == agency_id, User.key == key)
                                  ).scalar_one_or_none()
        if user is None:
            taken = db.session.execute(select(User.agency_id).where(User.email == p["email"])).first() \
                if p.get("email") else None
            if taken is not None and taken[0] != agency_id:
                raise ValidationError(
                    f"อีเมล {p['email']} ของ '{key}' เป็นของบุคลากรของหน่วยงานอื่น คนของหน่วยงานหนึ่ง"
                    f"เป็นผู้รับผิดชอบในมาตรการของอีกหน่วยงานไม่ได้ ใช้อีเมลของคนในหน่วยงานนี้",
                    f"{p['email']} of '{key}' is a person of another agency, who cannot own steps here; "
                    f"name someone of this agency")
            if taken is not None:
                raise ValidationError(f"อีเมล {p['email']} ของ '{key}' มีผู้ใช้อื่นใช้แล้ว",
                                      f"email {p['email']} of '{key}' belongs to another user")
            user = User(agency_id=agency_id, key=key, name=p["name"], position=p.get("position"), email=p.get("email"),
                        group=groups.get(p["group"]) if p.get("group") else None, created_at=now)
            user.role_rows = [UserRole(role=r) for r in p["roles"]]
            db.session.add(user)
            db.session.flush()
            result.created_users.append(key)
            audit.record("user_created", agency_id=agency_id,
                         actor_id=actor_id, now=now, target_type="user", target_id=user.id,
                         data={"email": user.email, "roles": list(p["roles"]), "group": p.get("group"),
                               "source": "definitions"})
        else:
            if user.group_id is None and p.get("group"):
                user.group = groups[p["group"]]
            before = sorted(user.roles)
            for role in p["roles"]:
                if role not in user.roles:
                    user.role_rows.append(UserRole(role=role))
            if sorted(user.roles) != before:
                audit.record("user_updated", agency_id=agency_id,
                             actor_id=actor_id, now=now, target_type="user", target_id=user.id,
                             data={"before": {"roles": before}, "after": {"roles": sorted(user.roles)},
                                   "source": "definitions"})
        people[key] = user
    db.session.flush()
    return people


def _make_rounds(cycle: Cycle, measures: list[tuple[Measure, dict]], calendar: WorkingCalendar,
                 result: LoadResult, now: datetime) -> None:
    """One cycle round per distinct date named (or implied by every N days) across the measures."""
    planned: dict[date, list[tuple[Measure, bool]]] = {}
    for measure, m in measures:
        mon = m["monitoring"]
        dates = {d: True for d in mon["rounds"]}
        if mon.get("every_days") and not mon["rounds"]:
            day = m["period"]["start"] + timedelta(days=mon["every_days"])
            while day <= m["period"]["end"]:
                dates.setdefault(day, False)
                day += timedelta(days=mon["every_days"])
        for day, explicit in dates.items():
            planned.setdefault(day, []).append((measure, explicit))
    office = _office_time()
    for number, day in enumerate(sorted(planned), start=1):
        adjusted = calendar.adjust(day, cycle.round_policy)
        rnd = Round(cycle=cycle, number=number, planned_on=day, held_on=adjusted.day,
                    moved_reason=adjusted.reason_th if adjusted.moved else None, status="planned")
        for measure, explicit in planned[day]:
            rnd.measure_links.append(RoundMeasure(measure_id=measure.id, explicit=explicit))
        db.session.add(rnd)
        db.session.flush()
        if adjusted.moved:
            result.calendar_notes.append(
                f"การติดตามครั้งที่ {number}: {format_be(day)} ตรงกับ{adjusted.reason_th} "
                f"จัดวันที่ {format_be(adjusted.day)}")
        if alerts.upcoming(adjusted.day, now):  # a cycle loaded late does not report its past rounds
            db.session.add(Timer(kind="round", fire_at=bangkok_moment(adjusted.day, office), target_type="round",
                                 target_id=rnd.id, payload={"number": number}))


def shift_document(doc: dict, shift: Callable[[date], date]) -> dict:
    """A copy of a normalised document with every date moved by ``shift``: the periods, rounds, deadlines and
    due dates, the memo's own date, and the dates its monitoring text names (so a demo or next year's copy
    does not show a memo of another year)."""
    out = dict(doc)
    memo = dict(doc.get("memo") or {})
    if memo.get("date"):
        try:
            year, month, day = (int(x) for x in str(memo["date"]).split("-"))
            moved = shift(date(year - 543, month, day))
            memo["date"] = f"{moved.year + 543:04d}-{moved.month:02d}-{moved.day:02d}"
        except ValueError:  # not a date we wrote: a copy for another day must not carry it as it was
            del memo["date"]
    out["memo"] = memo
    out["measures"] = []
    for m in doc["measures"]:
        m = dict(m)
        m["period"] = {**m["period"], "start": shift(m["period"]["start"]), "end": shift(m["period"]["end"]),
                       "text": None}
        m["steps"] = [{**s, "due": shift(s["due"]) if s.get("due") else None} for s in m["steps"]]
        mon = dict(m["monitoring"])
        mon["text"] = _shift_written_dates(mon.get("text"), shift)
        mon["rounds"] = [shift(d) for d in mon["rounds"]]
        mon["deadlines"] = [{**x, "date": shift(x["date"])} for x in mon["deadlines"]]
        m["monitoring"] = mon
        out["measures"].append(m)
    return out


_WRITTEN_DATE = re.compile(r"[๐-๙0-9]{1,2}\s*(?:[\u0e01-\u0e4e]{1,3}\.\s?[\u0e01-\u0e4e]{1,2}\.|"
                           r"[\u0e01-\u0e4e]+?(?:าคม|ายน|พันธ์))\s*[๐-๙0-9]{4}")


def _shift_written_dates(text: str | None, shift: Callable[[date], date]) -> str | None:
    """The dates a text names (``๓๐ พ.ค. ๒๕๖๗``), moved and written the same way (Thai digits, abbreviated)."""
    from workflow.thaidate import ThaiDateError, format_be, parse_thai_date

    if not text:
        return text

    def moved(m: re.Match) -> str:
        try:
            day = parse_thai_date(m[0])
        except ThaiDateError:
            return m[0]
        style = "full" if re.search(r"าคม|ายน|พันธ์", m[0]) else "abbr"
        digits = "thai" if re.search("[๐-๙]", m[0]) else "arabic"
        return format_be(shift(day), style=style, digit_style=digits)

    return _WRITTEN_DATE.sub(moved, text)


def next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def stored_document(cycle: Cycle) -> dict:
    return _from_json(cycle.definition)


@dataclass(frozen=True)
class PastDates:
    """What of a definitions document already lies in the past when it is loaded."""

    steps: int
    rounds: int
    deadlines: int

    def __bool__(self) -> bool:
        return bool(self.steps or self.rounds or self.deadlines)

    def message(self) -> tuple[str, str]:
        return (f"วันที่ในไฟล์นี้ผ่านมาแล้ว: ขั้นตอนเลยกำหนด {self.steps} ขั้นตอน การติดตามที่ผ่านไปแล้ว {self.rounds} ครั้ง "
                f"กำหนดส่งที่ผ่านไปแล้ว {self.deadlines} รายการ ระบบจะไม่ส่งการแจ้งเตือนย้อนหลัง ขั้นตอนที่เลยกำหนด"
                f"จะแจ้งผู้รับผิดชอบครั้งเดียวในวันทำการถัดไปเวลาเริ่มงาน ถ้าปีในไฟล์ผิด แก้ให้ถูกก่อนนำเข้า",
                f"dates in this file are already past: {self.steps} steps overdue, {self.rounds} rounds and "
                f"{self.deadlines} deadlines gone by. No alert is sent for the past; each overdue step's people are "
                f"told once, at the next working day's office hour. If the file's year is wrong, fix it first")


def past_dates(doc: dict, today: date) -> PastDates:
    """Steps due (or, without a date, whose period ends) before today, and rounds and deadlines before today."""
    steps = rounds = deadlines = 0
    for m in doc["measures"]:
        end = m["period"]["end"] if m.get("period") else None
        for s in m["steps"]:
            due = s.get("due") or end
            steps += bool(due and due < today)
        rounds += sum(1 for d in m["monitoring"]["rounds"] if d < today)
        deadlines += sum(1 for d in m["monitoring"]["deadlines"] if d["date"] < today)
    return PastDates(steps, rounds, deadlines)
