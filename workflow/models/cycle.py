"""A fiscal year's assessment, its measures and its monitoring rounds."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Model
from workflow.models.types import UTCDateTime

if TYPE_CHECKING:
    from workflow.models.org import Group, User
    from workflow.models.step import Step


class Cycle(Model):
    """ปีงบประมาณ / รอบการประเมิน: one fiscal year's measures of one agency."""

    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("agency_id", "fiscal_year_be", name="agency_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the agency whose cycle this is
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False, index=True)
    #: the agency's name as the memo writes it (shown on documents and in emails)
    agency: Mapped[str] = mapped_column(String(255), nullable=False)
    #: fiscal year in the Buddhist Era, e.g. 2567 (1 Oct 2566 - 30 Sep 2567)
    fiscal_year_be: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    #: the memo header (document number, date, author, signer) as read
    memo: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    #: "previous" or "next": where a round on a weekend or holiday moves
    round_policy: Mapped[str] = mapped_column(String(16), nullable=False)
    deadline_policy: Mapped[str] = mapped_column(String(16), nullable=False)
    #: working days before a due date at which owners are reminded, e.g. [3, 1]
    reminder_days: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    #: the validated definitions document this cycle was made from (used to clone it)
    definition: Mapped[dict] = mapped_column(JSON, nullable=False)
    source_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    #: the ITA framework the year is assessed by (its OIT items); None: the NACC's list for the fiscal year
    framework_id: Mapped[int | None] = mapped_column(ForeignKey("framework.id"), nullable=True)
    #: the executive's sign-off of the ITAS answer sheet: {"by", "name", "at", "hash"} (the sheet's content)
    sheet_signoff: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    #: the last link check of the sheet's addresses: {"at", "results": [{"url", "ok", "status", "reason_th", ...}]}
    link_check: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: when an admin switched on the public page of this cycle; None: not published (the default)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    measures: Mapped[list[Measure]] = relationship(
        back_populates="cycle", order_by="Measure.position", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="cycle", order_by="Round.number", cascade="all, delete-orphan"
    )


class Measure(Model):
    """มาตรการ / ประเด็น: one workflow of numbered steps."""

    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("cycle_id", "code", name="cycle_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), nullable=False)
    #: "1.4" as numbered in the memo
    code: Mapped[str] = mapped_column(String(16), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    #: [{"raw": "๐๓๕ ...", "code": "O35", "title": "..."}]: kept as written and as parsed
    related_items: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    weakness: Mapped[str] = mapped_column(Text, nullable=False)
    improvement: Mapped[str] = mapped_column(Text, nullable=False)
    #: the responsible column as written, e.g. "กลุ่มบริหารงานบุคคล และกลุ่มงานที่เกี่ยวข้อง"
    owners_text: Mapped[str] = mapped_column(Text, nullable=False)
    #: monitoring plan: {"text", "channel", "every_days", "rounds": [iso dates], "deadlines": [...]}
    monitoring: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    #: ข้อจำกัดของหน่วยงาน; None when the memo says "- ไม่มี -"
    constraints: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: "active" or "done"
    state: Mapped[str] = mapped_column(String(16), default="active", nullable=False)

    cycle: Mapped[Cycle] = relationship(back_populates="measures")
    steps: Mapped[list[Step]] = relationship(
        back_populates="measure", order_by="(Step.number, Step.occurrence)", cascade="all, delete-orphan"
    )
    owners: Mapped[list[MeasureOwner]] = relationship(cascade="all, delete-orphan")


class MeasureOwner(Model):
    """A group or a named officer responsible for a measure."""

    __tablename__ = "measure_owner"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), nullable=False)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("work_group.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)

    group: Mapped[Group | None] = relationship()
    user: Mapped[User | None] = relationship()


class Round(Model):
    """การติดตามครั้งที่ n: a monitoring round of the secretariat."""

    __tablename__ = "monitoring_round"
    __table_args__ = (UniqueConstraint("cycle_id", "number", name="cycle_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    #: the date as planned in the memo
    planned_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: the working day it is held on (moved by the calendar policy)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: why it moved, e.g. "วันเสาร์"; None when it did not
    moved_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    #: "planned", "reported" or "held"
    status: Mapped[str] = mapped_column(String(16), default="planned", nullable=False)
    minutes: Mapped[str | None] = mapped_column(Text, nullable=True)
    attendance: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    #: the round report as built on its day
    report: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    cycle: Mapped[Cycle] = relationship(back_populates="rounds")
    measure_links: Mapped[list[RoundMeasure]] = relationship(cascade="all, delete-orphan")


class RoundMeasure(Model):
    """Which measures a round follows (1.4 of the seed has no rounds)."""

    __tablename__ = "round_measure"
    round_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_round.id", ondelete="CASCADE"), primary_key=True
    )
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True)
    #: True when the measure's own plan named this date (False: derived from "every N days")
    explicit: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class CycleTally(Model):
    """A cycle's figures as its parent's roll-up shows them, kept so the ministry's 8,300 units are not counted
    step by step on every view. Valid while its agency's audit chain has not moved past ``chain_seq`` (every
    change to steps, rounds and publication is audited there); otherwise counted again when next read. What
    depends on the day (overdue, the next round) is worked out from the dates kept here."""

    __tablename__ = "cycle_tally"
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    #: the agency's audit head (``audit_head.last_seq``) read before these figures were counted
    chain_seq: Mapped[int] = mapped_column(Integer, nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    done: Mapped[int] = mapped_column(Integer, nullable=False)
    #: reviews open (waiting for a director)
    waiting: Mapped[int] = mapped_column(Integer, nullable=False)
    #: due dates of the steps not done, one per step: ISO dates, ascending, space-separated (read for 8,300
    #: units at a time: a split is far cheaper than parsing JSON)
    pending_due: Mapped[str] = mapped_column(Text, nullable=False)
    #: the monitoring rounds' dates, written the same way
    rounds: Mapped[str] = mapped_column(Text, nullable=False)
