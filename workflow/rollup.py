"""The parent's roll-up: every unit under an agency (any depth) with its current cycle's progress, in a
handful of set-based statements whatever the number of units (the ministry follows 8,300).

A unit's row: its progress (steps done of all), steps overdue and by how many working days the oldest is
late, reviews waiting, its next monitoring round, and whether its public page is published. Read-only: a
parent follows its units, it does not act for them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, and_, case, cast, func, select

from workflow import agencies, alerts
from workflow.calendar import WorkingCalendar
from workflow.db import db
from workflow.models import Agency, AuditHead, Cycle, CycleTally, Measure, Round, Step
from workflow.vocabulary import AgencyKind, StepKind, StepState

SORTS = ("code", "name", "percent", "overdue", "late_days", "waiting", "next_round")


@dataclass(frozen=True)
class AgencyRow:
    """What the roll-up shows of an agency (a row, not an ORM object: the ministry's has 8,300)."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


@dataclass
class UnitRow:
    agency: AgencyRow
    #: the unit's parent among the roll-up's agencies (the child office it sits under), None at the top
    parent: AgencyRow | None
    cycle_id: int | None = None
    fiscal_year: int | None = None
    total: int = 0
    done: int = 0
    overdue: int = 0
    #: working days the unit's oldest overdue step is late
    late_days: int = 0
    waiting: int = 0
    next_round: date | None = None
    published: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def behind(self) -> bool:
        """Fell behind: something is overdue, or it has no cycle yet."""
        return self.overdue > 0 or self.cycle_id is None


def units(agency_id: int, today: date, *, kind: str | None = None, under: str | None = None,
          sort: str = "code", descending: bool = False) -> list[UnitRow]:
    """Every unit below the agency, with its current cycle's figures; ``kind`` keeps one kind of unit,
    ``under`` the units below one child office (its code). Four statements whatever the number of units: the
    tree, and each unit's current cycle, are subqueries of the others, never lists of ids."""
    root = agency_id
    if under:
        below = agencies.get(under)
        if below.id == agency_id or below.id not in agencies.subtree_ids(agency_id):
            return []
        root = below.id
    tree = select(Agency.id, Agency.parent_id).where(Agency.id == root).cte("tree", recursive=True)
    tree = tree.union_all(select(Agency.id, Agency.parent_id).join(tree, Agency.parent_id == tree.c.id))
    found = {r.id: AgencyRow(r.id, r.code, r.name, r.kind, r.parent_id) for r in db.session.execute(
        select(Agency.id, Agency.code, Agency.name, Agency.kind, Agency.parent_id)
        .where(Agency.id.in_(select(tree.c.id))))}
    rows = {i: UnitRow(a, found.get(a.parent_id) if a.parent_id not in (None, agency_id) else None)
            for i, a in found.items() if i != root and (kind is None or a.kind == kind)}
    if rows:
        current = _current_cycles(select(tree.c.id))
        _figures(rows, current, today)
    key = {"code": lambda r: r.agency.code, "name": lambda r: r.agency.name, "percent": lambda r: r.percent,
           "overdue": lambda r: r.overdue, "late_days": lambda r: r.late_days, "waiting": lambda r: r.waiting,
           "next_round": lambda r: r.next_round or date.max}[sort if sort in SORTS else "code"]
    return sorted(rows.values(), key=key, reverse=descending)


def _current_cycles(agency_ids):
    """Each agency's current cycle (its newest fiscal year, then the latest loaded), as a subquery."""
    ranked = (select(Cycle.id, Cycle.agency_id, Cycle.fiscal_year_be, Cycle.published_at,
                     func.row_number().over(partition_by=Cycle.agency_id,
                                            order_by=(Cycle.fiscal_year_be.desc(), Cycle.id.desc())).label("n"))
              .where(Cycle.agency_id.in_(agency_ids)).subquery())
    return (select(ranked.c.id, ranked.c.agency_id, ranked.c.fiscal_year_be, ranked.c.published_at)
            .where(ranked.c.n == 1).subquery("current_cycle"))


def _figures(rows: dict[int, UnitRow], current, today: date) -> None:
    """Each unit's current cycle and its figures: from the cycle's tally where the agency's audit chain has not
    moved since it was counted, else counted now (and kept); what depends on the day from the tally's dates."""
    stale: dict[int, int] = {}  # cycle -> the chain's head read before counting it
    tallies: dict[int, dict] = {}
    for r in db.session.execute(
        select(current.c.id, current.c.agency_id, current.c.fiscal_year_be, current.c.published_at,
               func.coalesce(AuditHead.last_seq, 0), CycleTally.chain_seq, CycleTally.total, CycleTally.done,
               CycleTally.waiting, CycleTally.pending_due, CycleTally.rounds)
        .outerjoin(AuditHead, AuditHead.id == current.c.agency_id)
        .outerjoin(CycleTally, CycleTally.cycle_id == current.c.id)
    ):
        cycle_id, agency_id, year, published_at, seq, kept_seq, total, done, waiting, pending, rounds = r
        row = rows.get(agency_id)
        if row is None:
            continue
        row.cycle_id, row.fiscal_year, row.published = cycle_id, year, published_at is not None
        if kept_seq is None or kept_seq != seq:
            stale[cycle_id] = seq
        else:
            tallies[cycle_id] = {"total": total, "done": done, "waiting": waiting,
                                 "pending_due": pending.split(), "rounds": rounds.split()}
    if stale:
        tallies.update(count(stale))
    late_by: dict[str, int] = {}  # units share their oldest due dates: each counted once
    calendar = WorkingCalendar()
    day = today.isoformat()
    for row in rows.values():
        tally = tallies.get(row.cycle_id) if row.cycle_id is not None else None
        if tally is None:
            continue
        row.total, row.done, row.waiting = tally["total"], tally["done"], tally["waiting"]
        pending, rounds = tally["pending_due"], tally["rounds"]
        row.overdue = bisect_left(pending, day)  # ISO dates sort as dates
        if row.overdue:
            oldest = pending[0]
            if oldest not in late_by:
                late_by[oldest] = calendar.working_days_between(date.fromisoformat(oldest), today)
            row.late_days = late_by[oldest]
        upcoming = bisect_left(rounds, day)
        row.next_round = date.fromisoformat(rounds[upcoming]) if upcoming < len(rounds) else None


#: cycles counted per statement (SQLite's bound parameters are limited)
CHUNK = 900


def count(chain_seq_by_cycle: dict[int, int]) -> dict[int, dict]:
    """Count these cycles' figures afresh and keep them (an upsert, in cycle order, so two readers counting
    the same cycles at once wait for each other rather than deadlock). Returns them by cycle."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    ids = sorted(chain_seq_by_cycle)
    out: dict[int, dict] = {i: {"total": 0, "done": 0, "waiting": 0, "pending_due": [], "rounds": []} for i in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        pending = case((and_(Step.state != StepState.DONE, Step.due_on.is_not(None)), cast(Step.due_on, String)),
                       else_=None)
        for cycle_id, total, done, waiting, dues in db.session.execute(
            select(Measure.cycle_id, func.count(), func.sum(case((Step.state == StepState.DONE, 1), else_=0)),
                   func.sum(case((and_(Step.state == StepState.OPEN, Step.kind == StepKind.REVIEW), 1), else_=0)),
                   func.aggregate_strings(pending, " "))
            .join(Measure, Measure.id == Step.measure_id).where(Measure.cycle_id.in_(chunk))
            .group_by(Measure.cycle_id)
        ):
            out[cycle_id].update(total=int(total), done=int(done or 0), waiting=int(waiting or 0),
                                 pending_due=sorted(d[:10] for d in (dues or "").split()))
        for cycle_id, held_on in db.session.execute(
            select(Round.cycle_id, Round.held_on).where(Round.cycle_id.in_(chunk), Round.held_on.is_not(None))
            .order_by(Round.cycle_id, Round.held_on)
        ):
            out[cycle_id]["rounds"].append(_iso(held_on))
    values = [{"cycle_id": i, "chain_seq": chain_seq_by_cycle[i], **out[i],
               "pending_due": " ".join(out[i]["pending_due"]), "rounds": " ".join(out[i]["rounds"])} for i in ids]
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    kept = ("chain_seq", "total", "done", "waiting", "pending_due", "rounds")
    statement = insert(CycleTally)
    statement = statement.on_conflict_do_update(index_elements=[CycleTally.cycle_id],
                                                set_={c: statement.excluded[c] for c in kept})
    db.session.execute(statement, values)  # one statement, its rows sent as a batch (insertmanyvalues)
    return out


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def child_offices(agency_id: int) -> list[Agency]:
    """The agency's direct units that have units of their own: the roll-up's "under" filter."""
    parents = select(Agency.parent_id).where(Agency.parent_id.is_not(None)).distinct()
    return list(db.session.execute(select(Agency).where(Agency.parent_id == agency_id, Agency.id.in_(parents))
                                   .order_by(Agency.code)).scalars())


def kinds() -> list[AgencyKind]:
    return list(AgencyKind)


COLUMNS = ["รหัส", "หน่วยงาน", "ประเภท", "สังกัด", "ปีงบประมาณ", "ขั้นตอนเสร็จ", "ขั้นตอนทั้งหมด", "ร้อยละ",
           "เลยกำหนด", "เลยกำหนดนานสุด (วันทำการ)", "รอตรวจสอบ", "การติดตามครั้งถัดไป", "เผยแพร่แล้ว"]


def to_xlsx(agency_id: int, rows: list[UnitRow]) -> bytes:
    """The roll-up as a spreadsheet (what parents keep today in Google Sheets): one row a unit."""
    from openpyxl import Workbook

    from workflow.exports import workbook_bytes, write_sheet
    from workflow.thaidate import format_be
    from workflow.vocabulary import label

    parent = db.session.get(Agency, agency_id)
    data = [[r.agency.code, r.agency.name, label(r.agency.kind), r.parent.name if r.parent else "",
             r.fiscal_year or "", r.done, r.total, r.percent, r.overdue, r.late_days, r.waiting,
             format_be(r.next_round, digit_style="arabic") if r.next_round else "", "ใช่" if r.published else "ไม่"]
            for r in rows]
    book = Workbook()
    write_sheet(book.active, "หน่วยงานในสังกัด", COLUMNS, data)
    book.properties.title = f"ความคืบหน้ามาตรการ ITA ของหน่วยงานในสังกัด {parent.name if parent else ''}"
    return workbook_bytes(book)


def as_json(r: UnitRow) -> dict:
    return {"code": r.agency.code, "name": r.agency.name, "kind": r.agency.kind,
            "parent": r.parent.code if r.parent else None, "cycle_id": r.cycle_id, "fiscal_year_be": r.fiscal_year,
            "done": r.done, "total": r.total, "percent": r.percent, "overdue": r.overdue, "late_days": r.late_days,
            "waiting": r.waiting, "next_round": r.next_round.isoformat() if r.next_round else None,
            "published": r.published, "behind": r.behind}


#: the weekly roll-up email: its timer is written by ``alerts.schedule_weekly`` (a unit added under a parent
#: asks for it, and agencies sit below the roll-up)
WEEKLY = alerts.ROLLUP_WEEKLY


def send_weekly(agency_id: int, now: datetime) -> int:
    """To the parent's supervisors and executives: the units that fell behind (something overdue, or no
    measures yet), the most overdue first; then the next week's email is scheduled. Nothing goes out in a
    week when every unit is on time. Returns the emails queued."""
    from workflow import notify
    from workflow.models import User, UserRole
    from workflow.thaidate import bangkok_today

    today = bangkok_today(now)
    alerts.schedule_weekly(agency_id, today)
    rows = units(agency_id, today, sort="late_days", descending=True)
    behind = [r for r in rows if r.behind]
    if not behind:
        return 0
    readers = db.session.execute(
        select(User).join(UserRole).where(User.agency_id == agency_id, User.active.is_(True),
                                          UserRole.role.in_(("supervisor", "executive"))).order_by(User.id)
    ).scalars().unique().all()
    items = [{"code": r.agency.code, "name": r.agency.name, "parent": r.parent.name if r.parent else None,
              "percent": r.percent, "overdue": r.overdue, "late_days": r.late_days, "has_cycle": r.cycle_id is not None}
             for r in behind[:200]]
    week = (today - timedelta(days=today.weekday())).isoformat()
    return sum(notify.queue(WEEKLY, f"a{agency_id}:{week}", reader, [], now, template="rollup",
                            params={"behind": len(behind), "total": len(rows), "day": today},
                            context={"units": items, "more": max(0, len(behind) - len(items)),
                                     "link": notify.site_link("/rollup?sort=late_days&desc=1")})
               for reader in readers)
