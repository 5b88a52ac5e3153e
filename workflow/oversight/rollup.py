"""The parent's roll-up: every unit under an agency (any depth) with its current cycle's progress, in a
handful of set-based statements whatever the number of units (the ministry follows 8,300).

A unit's row: its progress (steps done of all), steps overdue and by how many working days the oldest is
late, reviews waiting, its next monitoring round, and whether its public page is published. Read-only: a
parent follows its units, it does not act for them.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, case, cast, func, select

from workflow.calendar import WorkingCalendar
from workflow.channels import alerts
from workflow.db import db
from workflow.errors import NotFound
from workflow.models import Agency, AuditHead, Cycle, CycleTally, Measure, Round, Step
from workflow.people import agencies
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
    #: what a search matches: the name and the code, case folded (worked out once, not on every search)
    words: str = ""


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
    ``under`` the units below one child office (its code). Read from the process's mirror of the tree and its
    tallies (``_Mirror``): one statement finds what changed since the last view, and only that is read again."""
    mirror = _mirror()
    with mirror.lock:
        mirror.refresh()
        if agency_id not in mirror.kept:
            return []
        root = agency_id
        if under:
            below = agencies.get(under)
            if below.id == agency_id or not mirror.below(below.id, agency_id):
                return []
            root = below.id
        ids = mirror.subtree(root)[1:]
        mirror.settle(ids)
        rows = [mirror.row(i, agency_id, today) for i in ids]
    if kind is not None:
        rows = [r for r in rows if r.agency.kind == kind]
    return sorted(rows, key=_sort_key(sort), reverse=descending)


def _sort_key(sort: str) -> Callable[[UnitRow], Any]:
    keys: dict[str, Callable[[UnitRow], Any]] = {
        "code": lambda r: r.agency.code, "name": lambda r: r.agency.name, "percent": lambda r: r.percent,
        "overdue": lambda r: r.overdue, "late_days": lambda r: r.late_days, "waiting": lambda r: r.waiting,
        "next_round": lambda r: r.next_round or date.max}
    return keys[sort if sort in SORTS else "code"]


@dataclass
class _Kept:
    """What a process keeps of one agency between views: its row in the tree, its chain's head when read, and
    its current cycle's tally (None: no cycle); its row as a roll-up shows it, worked out once a day."""

    agency: AgencyRow
    seq: int
    cycle_id: int | None = None
    fiscal_year: int | None = None
    published: bool = False
    tally: dict | None = None
    #: its tally no longer matches its chain: counted again when a roll-up first shows it
    stale: bool = False
    shown: dict = field(default_factory=dict)  # (day, top) -> UnitRow


class _Mirror:
    """The agencies' tree and each one's current figures as this process last read them. Every change to an
    agency's steps, rounds, publication, name or place is audited in its own chain, so comparing every chain's
    head with the one kept (one statement over the agency table) finds exactly what to read again: a ministry's
    view of 8,300 units reads 8,300 small rows of numbers, and the units that changed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept: dict[int, _Kept] = {}
        self.children: dict[int | None, list[int]] = {}
        self.calendar = WorkingCalendar()
        self.late_by: dict[tuple[str, date], int] = {}
        #: (agencies, chains, the sum of their heads) when last read: unchanged, nothing else is read
        self.quick: tuple | None = None
        #: bumped by every change read, so views worked out from the rows know they are stale; which agencies
        #: each generation changed (the last ones), so a view patches only those; and the tree's shape, bumped
        #: when agencies come, go or move (a view is then worked out afresh)
        self.generation = 0
        self.changes: dict[int, set[int]] = {}
        self.shape = 0
        self.views: dict[tuple, _View] = {}
        #: chains that are no agency's (the deployment's own, 0)
        self.not_agency: set[int] = set()

    def refresh(self) -> None:
        quick = tuple(db.session.execute(_QUICK).one())
        if quick == self.quick:  # no chain moved and no agency came or went: what is kept stands
            return
        agencies_now = quick[0]
        if agencies_now == len(self.kept):  # the same agencies: which chains moved (two integers a chain)
            heads = db.session.execute(_CHAINS).all()
            changed = [i for i, seq in heads if i not in self.not_agency
                       and (i not in self.kept or self.kept[i].seq != seq)]
            gone: set[int] = set()
        else:  # agencies came or went: every agency, its parent and its head
            rows = db.session.execute(_HEADS).all()
            changed = [i for i, parent, seq in rows
                       if i not in self.kept or self.kept[i].seq != seq or self.kept[i].agency.parent_id != parent]
            gone = set(self.kept) - {i for i, _p, _s in rows}
            for i in gone:
                del self.kept[i]
        moved = bool(gone)
        if changed:
            before = {i: (self.kept[i].agency.parent_id, self.kept[i].agency.code) for i in changed if i in self.kept}
            read = self._read(changed)
            self.not_agency.update(set(changed) - read)  # the deployment's own chain (0): no agency
            moved = moved or any(before.get(i) != (self.kept[i].agency.parent_id, self.kept[i].agency.code)
                                 for i in read)
            self._changed(read)
        if moved:  # agencies came, went or moved: the tree again (a rename of a code too: siblings sort by it)
            children: dict[int | None, list[int]] = {}
            for i in sorted(self.kept, key=lambda k: self.kept[k].agency.code):
                children.setdefault(self.kept[i].agency.parent_id, []).append(i)
            self.children = children
            self.shape += 1
        if gone and not changed:
            self._changed(gone)
        if len(self.late_by) > 100_000:
            self.late_by.clear()
        self.quick = quick

    def _read(self, ids: list[int]) -> set[int]:
        """Read these agencies again: their rows, current cycles and kept tallies (a stale one is marked, and
        counted when first shown: ``settle``). The ids that are agencies."""
        found: dict[int, _Kept] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            for r in db.session.execute(select(Agency.id, Agency.code, Agency.name, Agency.kind, Agency.parent_id,
                                               func.coalesce(AuditHead.last_seq, 0))
                                        .outerjoin(AuditHead, AuditHead.id == Agency.id).where(Agency.id.in_(chunk))):
                found[r[0]] = _Kept(AgencyRow(r[0], r[1], r[2], r[3], r[4], f"{r[2]}\n{r[1]}".casefold()), r[5])
            current = _current_cycles(chunk)
            for c in db.session.execute(
                select(current.c.id, current.c.agency_id, current.c.fiscal_year_be, current.c.published_at,
                       CycleTally.chain_seq, CycleTally.total, CycleTally.done, CycleTally.waiting,
                       CycleTally.pending_due, CycleTally.rounds)
                .outerjoin(CycleTally, CycleTally.cycle_id == current.c.id)
            ):
                cycle_id, agency_id, year, published_at, kept_seq, total, done, waiting, pending, rounds = c
                kept = found.get(agency_id)
                if kept is None:
                    continue
                kept.cycle_id, kept.fiscal_year, kept.published = cycle_id, year, published_at is not None
                if kept_seq is None or kept_seq != kept.seq:
                    kept.stale = True
                else:
                    kept.tally = {"total": total, "done": done, "waiting": waiting,
                                  "pending_due": pending.split(), "rounds": rounds.split()}
        self.kept.update(found)
        return set(found)

    def settle(self, ids: list[int]) -> None:
        """Count afresh, in one grouped statement, the stale tallies among these agencies (and keep them)."""
        stale: dict[int, int] = {}
        for i in ids:
            kept = self.kept[i]
            if kept.stale and kept.cycle_id is not None:
                stale[kept.cycle_id] = kept.seq
        if not stale:
            return
        counted = count(stale)  # looked up when called: the tests count the counts
        settled = set()
        for i in ids:
            kept = self.kept[i]
            if kept.stale and kept.cycle_id in counted:
                kept.tally, kept.stale = counted[kept.cycle_id], False
                kept.shown.clear()
                settled.add(i)
        self._changed(settled)

    def _changed(self, ids: set[int]) -> None:
        self.generation += 1
        self.changes[self.generation] = set(ids)
        self.changes.pop(self.generation - 64, None)  # a view older than that is worked out afresh

    def _since(self, generation: int) -> set[int] | None:
        """The agencies changed after a generation, or None when that is no longer known."""
        out: set[int] = set()
        for g in range(generation + 1, self.generation + 1):
            if g not in self.changes:
                return None
            out |= self.changes[g]
        return out

    def view(self, top: int, root: int, today: date) -> _View:
        """The rows below ``root`` as ``top`` sees them on a day, and the offices of the level below with their
        units' totals: worked out once per change anywhere (``generation``) and day."""
        key = (top, root, today)
        made = self.views.get(key)
        if made is not None and made.shape == self.shape:
            if made.generation == self.generation:
                return made
            changed = self._since(made.generation)
            if changed is not None:  # only what changed since: patched in place
                changed &= made.position.keys()
                self.settle(list(changed))
                changed |= self._since(made.generation) or set()
                changed &= made.position.keys()
                self._patch(made, changed, top, today)
                made.generation = self.generation
                return made
        ids = self.subtree(root)[1:]
        self.settle(ids)
        made = _View([self.row(i, top, today) for i in ids], [], 0, generation=self.generation, shape=self.shape)
        made.position = {i: n for n, i in enumerate(ids)}
        for child in self.children.get(root, []):
            if self.children.get(child):
                members = self.subtree(child)[1:]
                for i in members:
                    made.office_of[i] = len(made.offices)
                made.offices.append(self._office(child, [made.rows[made.position[i]] for i in members]))
                made.members.append(members)
        made.order = sorted(range(len(made.offices)), key=lambda n: (-made.offices[n].behind,
                                                                    made.offices[n].agency.code))
        made.behind = sum(1 for r in made.rows if r.behind)
        if len(self.views) > 64:
            self.views.clear()
        self.views[key] = made
        return made

    def _office(self, office_id: int, rows: list[UnitRow]) -> OfficeRow:
        """An office of the level below with its units' totals and who is behind."""
        office = OfficeRow(self.kept[office_id].agency)
        for r in rows:
            office.units += 1
            office.total += r.total
            office.done += r.done
            office.overdue += r.overdue
            office.waiting += r.waiting
            office.late_days = max(office.late_days, r.late_days)
            if r.behind:
                office.behind += 1
                office.no_cycle += r.cycle_id is None
                office.worst.append(r)
        office.worst = sorted(office.worst, key=lambda r: (-r.late_days, -r.overdue, r.agency.code))[:WORST]
        return office

    def _patch(self, made: _View, changed: set[int], top: int, today: date) -> None:
        """A kept view brought up to date with the agencies that changed: their rows, their offices' totals."""
        dirty: set[int] = set()
        for i in changed:
            old = made.rows[made.position[i]]
            new = made.rows[made.position[i]] = self.row(i, top, today)
            made.behind += new.behind - old.behind
            if i in made.office_of:
                dirty.add(made.office_of[i])
        for n in dirty:
            members = made.members[n]
            made.offices[n] = self._office(made.offices[n].agency.id, [made.rows[made.position[i]] for i in members])
        if dirty:
            made.order = sorted(range(len(made.offices)), key=lambda n: (-made.offices[n].behind,
                                                                        made.offices[n].agency.code))
        made.sorted.clear()

    def subtree(self, root: int) -> list[int]:
        """The agency and every one below it, parents before their units, siblings by code."""
        out, stack = [], [root]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return out

    def below(self, agency_id: int, ancestor: int) -> bool:
        """Whether an agency sits under another, at any depth."""
        current = self.kept.get(agency_id)
        for _ in range(64):
            if current is None or current.agency.parent_id is None:
                return False
            if current.agency.parent_id == ancestor:
                return True
            current = self.kept.get(current.agency.parent_id)
        return False

    def row(self, agency_id: int, top: int, today: date) -> UnitRow:
        """An agency's row as ``top``'s roll-up shows it on a day (worked out once a day)."""
        kept = self.kept[agency_id]
        key = (today, top)
        shown = kept.shown.get(key)
        if shown is not None:
            return shown
        parent_id = kept.agency.parent_id
        parent = self.kept[parent_id].agency if parent_id is not None and parent_id != top \
            and parent_id in self.kept else None
        row = UnitRow(kept.agency, parent, kept.cycle_id, kept.fiscal_year, published=kept.published)
        tally = kept.tally
        if tally is not None:
            row.total, row.done, row.waiting = tally["total"], tally["done"], tally["waiting"]
            pending, rounds = tally["pending_due"], tally["rounds"]
            day = today.isoformat()
            row.overdue = bisect_left(pending, day)  # ISO dates sort as dates
            if row.overdue:
                oldest = pending[0]
                late = self.late_by.get((oldest, today))
                if late is None:  # units share their oldest due dates: each counted once
                    late = self.late_by[(oldest, today)] = self.calendar.working_days_between(
                        date.fromisoformat(oldest), today)
                row.late_days = late
            upcoming = bisect_left(rounds, day)
            row.next_round = date.fromisoformat(rounds[upcoming]) if upcoming < len(rounds) else None
        if len(kept.shown) > 8:  # other days and other tops: kept a while, then let go
            kept.shown.clear()
        kept.shown[key] = row
        return row


@dataclass
class _View:
    """What a roll-up page of one root is worked out from: kept, and patched with what changes."""

    rows: list[UnitRow]
    #: the offices of the level below, in the tree's order (``order``: the most behind first)
    offices: list[OfficeRow]
    behind: int
    generation: int = 0
    shape: int = 0
    #: an agency's place in ``rows``; the office (its index) a unit counts in; each office's units
    position: dict[int, int] = field(default_factory=dict)
    office_of: dict[int, int] = field(default_factory=dict)
    members: list[list[int]] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    #: the rows sorted by each key asked for so far
    sorted: dict = field(default_factory=dict)

    def ranked_offices(self) -> list[OfficeRow]:
        return [self.offices[n] for n in self.order]

    def by(self, sort: str, descending: bool) -> list[UnitRow]:
        key = (sort, descending)
        if key not in self.sorted:
            self.sorted[key] = sorted(self.rows, key=_sort_key(sort), reverse=descending)
        return self.sorted[key]


#: whether anything at all changed since the last view: how many agencies and chains, and the sum of the chains'
#: heads (every audited change moves one head forward, so the sum grows with each)
_QUICK = select(select(func.count()).select_from(Agency).scalar_subquery(), func.count(),
                func.coalesce(func.sum(AuditHead.last_seq), 0)).select_from(AuditHead)
#: every chain's head: what the mirror compares when something changed (the same agencies as before)
_CHAINS = select(AuditHead.id, AuditHead.last_seq)
#: every agency, its parent and its chain's head: when agencies came or went
_HEADS = (select(Agency.id, Agency.parent_id, func.coalesce(AuditHead.last_seq, 0))
          .outerjoin(AuditHead, AuditHead.id == Agency.id))


def _mirror() -> _Mirror:
    """This process's mirror, one per application (a test's app starts with none)."""
    found = current_app.extensions.get("itaflow_rollup")
    if found is None:
        found = current_app.extensions["itaflow_rollup"] = _Mirror()
    return found


def _current_cycles(agency_ids):
    """Each agency's current cycle (its newest fiscal year, then the latest loaded), as a subquery."""
    ranked = (select(Cycle.id, Cycle.agency_id, Cycle.fiscal_year_be, Cycle.published_at,
                     func.row_number().over(partition_by=Cycle.agency_id,
                                            order_by=(Cycle.fiscal_year_be.desc(), Cycle.id.desc())).label("n"))
              .where(Cycle.agency_id.in_(agency_ids)).subquery())
    return (select(ranked.c.id, ranked.c.agency_id, ranked.c.fiscal_year_be, ranked.c.published_at)
            .where(ranked.c.n == 1).subquery("current_cycle"))


@dataclass
class OfficeRow:
    """A unit of the level below that has units of its own (an office, an area), with its units' totals."""

    agency: AgencyRow
    units: int = 0
    behind: int = 0
    no_cycle: int = 0
    total: int = 0
    done: int = 0
    overdue: int = 0
    late_days: int = 0
    waiting: int = 0
    #: its most late units (who is behind), the latest first
    worst: list[UnitRow] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Overview:
    """The roll-up page: where it stands (the agency, or one of its offices), the level below with its units'
    totals, and one page of the units (filtered, searched, sorted)."""

    root: AgencyRow
    #: the offices between the agency and the root, for the breadcrumbs (empty at the top)
    chain: list[AgencyRow]
    offices: list[OfficeRow]
    units: list[UnitRow]
    all_units: int
    all_behind: int
    matched: int
    page: int
    pages: int
    per_page: int


PER_PAGE = 50
MAX_PER_PAGE = 1000
WORST = 3


def matching(agency_id: int, today: date, *, under: str | None = None, kind: str | None = None,
             q: str | None = None, behind: bool = False, sort: str = "code", descending: bool = False
             ) -> list[UnitRow]:
    """Every unit the roll-up's filters keep, sorted: the whole list (the spreadsheet's), not a page of it."""
    seen = overview(agency_id, today, under=under, kind=kind, q=q, behind=behind, sort=sort, descending=descending,
                    per_page=0)
    return seen.units


def overview(agency_id: int, today: date, *, under: str | None = None, kind: str | None = None,
             q: str | None = None, behind: bool = False, sort: str = "code", descending: bool = False,
             page: int = 1, per_page: int = PER_PAGE) -> Overview:
    """The roll-up as a page reads it: the units below the agency (or below one of its offices, ``under``), the
    offices of the level below with their units' totals and who is behind (the most behind first), and one page
    of the units that match the filters (``kind``; ``q`` in the name or code; ``behind`` only)."""
    mirror = _mirror()
    with mirror.lock:
        mirror.refresh()
        if agency_id not in mirror.kept:
            raise NotFound(f"ไม่พบหน่วยงานเลขที่ {agency_id}", f"no agency {agency_id}")
        root = mirror.kept[agency_id].agency
        chain: list[AgencyRow] = []
        if under:
            below = agencies.get(under)
            if below.id == agency_id or not mirror.below(below.id, agency_id):
                raise NotFound(f"ไม่พบหน่วยงาน {under}", f"no unit {under}")
            root = mirror.kept[below.id].agency
            current: AgencyRow | None = root
            while current is not None and current.id != agency_id:
                chain.append(current)
                parent = current.parent_id
                current = mirror.kept[parent].agency if parent is not None and parent in mirror.kept else None
            chain.reverse()
        made = mirror.view(agency_id, root.id, today)
        listed = made.by(sort if sort in SORTS else "code", descending)
    if kind is not None:
        listed = [r for r in listed if r.agency.kind == kind]
    if behind:
        listed = [r for r in listed if r.behind]
    words = (q or "").strip().casefold()
    if words:
        listed = [r for r in listed if words in r.agency.words]
    if per_page == 0:  # every one (``matching``)
        return Overview(root, chain, made.ranked_offices(), listed, len(made.rows), made.behind, len(listed), 1, 1,
                        len(listed))
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    pages = max(1, -(-len(listed) // per_page))
    page = max(1, min(page, pages))
    return Overview(root, chain, made.ranked_offices(), listed[(page - 1) * per_page:page * per_page],
                    len(made.rows), made.behind, len(listed), page, pages, per_page)


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


#: tallies counted again per sweep at most (the rest on the next tick)
RECOUNT = 2000


def recount_stale(limit: int = RECOUNT) -> int:
    """Count again the kept tallies whose agency's chain moved since (the sweep does, every tick), so that a
    parent's next view finds them current instead of counting them itself: nationally, units change something
    every second of the working day. Only tallies a roll-up has asked for are kept. Returns how many."""
    stale = dict(db.session.execute(
        select(CycleTally.cycle_id, func.coalesce(AuditHead.last_seq, 0))
        .join(Cycle, Cycle.id == CycleTally.cycle_id)
        .outerjoin(AuditHead, AuditHead.id == Cycle.agency_id)
        .where(CycleTally.chain_seq != func.coalesce(AuditHead.last_seq, 0))
        .order_by(CycleTally.cycle_id).limit(limit)).tuples().all())
    if stale:
        count(stale)
    return len(stale)


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def child_offices(agency_id: int) -> list[AgencyRow]:
    """The agency's direct units that have units of their own: the roll-up's "under" filter (from the mirror)."""
    mirror = _mirror()
    with mirror.lock:
        mirror.refresh()
        return [mirror.kept[i].agency for i in mirror.children.get(agency_id, []) if mirror.children.get(i)]


def kinds() -> list[AgencyKind]:
    return list(AgencyKind)


COLUMNS = ["รหัส", "หน่วยงาน", "ประเภท", "สังกัด", "ปีงบประมาณ", "ขั้นตอนเสร็จ", "ขั้นตอนทั้งหมด", "ร้อยละ",
           "เลยกำหนด", "เลยกำหนดนานสุด (วันทำการ)", "รอตรวจสอบ", "การติดตามครั้งถัดไป", "เผยแพร่แล้ว"]


def to_xlsx(agency_id: int, rows: list[UnitRow]) -> bytes:
    """The roll-up as a spreadsheet (what parents keep today in Google Sheets): one row a unit, every unit the
    filters keep (the ministry's 8,300 at once). Written row by row (openpyxl's write-only mode): a bold, frozen
    header with a filter, widths to fit; text that would run as a formula stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from workflow.publishing.exports import _cell, workbook_bytes
    from workflow.thaidate import format_be
    from workflow.vocabulary import label

    parent = db.session.get(Agency, agency_id)
    kinds: dict[str, str] = {str(k): label(k) for k in AgencyKind}
    data = [[r.agency.code, r.agency.name, kinds.get(r.agency.kind, r.agency.kind), r.parent.name if r.parent else "",
             r.fiscal_year or "", r.done, r.total, r.percent, r.overdue, r.late_days, r.waiting,
             format_be(r.next_round, digit_style="arabic") if r.next_round else "", "ใช่" if r.published else "ไม่"]
            for r in rows]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("หน่วยงานในสังกัด")
    sheet.freeze_panes = "A2"
    for i, column in enumerate(COLUMNS, start=1):
        longest = max([len(column)] + [len(str(r[i - 1])) for r in data[:2000]])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(data) + 1}"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in data:
        sheet.append([_cell(v) for v in row])
    book.properties.title = f"ความคืบหน้ามาตรการ ITA ของหน่วยงานในสังกัด {parent.name if parent else ''}"
    return workbook_bytes(book)


def as_json(r: UnitRow) -> dict:
    return {"code": r.agency.code, "name": r.agency.name, "kind": r.agency.kind,
            "parent": r.parent.code if r.parent else None, "cycle_id": r.cycle_id, "fiscal_year_be": r.fiscal_year,
            "done": r.done, "total": r.total, "percent": r.percent, "overdue": r.overdue, "late_days": r.late_days,
            "waiting": r.waiting, "next_round": r.next_round.isoformat() if r.next_round else None,
            "published": r.published, "behind": r.behind}


def office_json(o: OfficeRow) -> dict:
    return {"code": o.agency.code, "name": o.agency.name, "kind": o.agency.kind, "units": o.units,
            "behind": o.behind, "no_cycle": o.no_cycle, "done": o.done, "total": o.total, "percent": o.percent,
            "overdue": o.overdue, "late_days": o.late_days, "waiting": o.waiting,
            "worst": [r.agency.code for r in o.worst]}


#: the weekly roll-up email: its timer is written by ``alerts.schedule_weekly`` (a unit added under a parent
#: asks for it, and agencies sit below the roll-up)
WEEKLY = alerts.ROLLUP_WEEKLY


def send_weekly(agency_id: int, now: datetime) -> int:
    """To the parent's supervisors and executives: the units that fell behind (something overdue, or no
    measures yet), the most overdue first; then the next week's email is scheduled. Nothing goes out in a
    week when every unit is on time. Returns the emails queued."""
    from workflow.channels import notify
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
