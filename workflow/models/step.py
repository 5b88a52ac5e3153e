"""Steps of a measure and the decisions on review steps."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Model
from workflow.models.types import UTCDateTime, one_of
from workflow.vocabulary import Decision, StepKind, StepState

if TYPE_CHECKING:
    from workflow.models.cycle import Measure
    from workflow.models.org import Group, User



class Step(Model):
    """ขั้นตอน: one ordered task of a measure, or a director's accuracy check (review)."""

    __tablename__ = "step"
    __table_args__ = (
        UniqueConstraint("measure_id", "number", "occurrence", name="measure_number_occurrence"),
        CheckConstraint(one_of("state", StepState), name="state"),
        CheckConstraint(one_of("kind", StepKind), name="kind"),
        # "open steps by due date": my steps, overdue sweeps, dashboards
        Index("ix_step_state_due", "state", "due_on"),
        # งานของฉัน: open steps of my groups and of me, by due date
        Index("ix_step_owner_group_state_due", "owner_group_id", "state", "due_on"),
        Index("ix_step_owner_user_state_due", "owner_user_id", "state", "due_on"),
        # the approval queue: open reviews of my groups, oldest first
        Index("ix_step_reviewer_state_opened", "reviewer_group_id", "state", "opened_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    #: 1 for a plain step; 1, 2, 3... for the months of a step repeated monthly (one step a month)
    occurrence: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    #: a StepKind
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    #: True: opens together with the step before it instead of after it
    parallel: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    owner_group_id: Mapped[int | None] = mapped_column(ForeignKey("work_group.id"), nullable=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    #: for a review: the group whose director decides it
    reviewer_group_id: Mapped[int | None] = mapped_column(ForeignKey("work_group.id"), nullable=True)
    #: for a review: the step it checks (sent back reopens it)
    reviews_step_id: Mapped[int | None] = mapped_column(ForeignKey("step.id"), nullable=True)
    #: the Bangkok day it is due; overdue once that day has ended
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: True when due_on came from the definition, False when inherited from the period end
    due_explicit: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    evidence_wanted: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: "monthly" for a step repeated each month of the period (1.7's monthly meeting)
    recurrence: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: for a monthly step: the first day of the month this occurrence is for (shown with its title)
    month: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: a StepState
    state: Mapped[str] = mapped_column(String(16), default=StepState.BLOCKED, nullable=False)
    #: the reason of the last send-back, shown to the owner until the step is done again
    sent_back_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    #: done by someone acting for another (รักษาราชการแทน): {"id", "name", "position"} of the one acted for
    done_acting: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    #: optimistic concurrency: every change bumps it; a stale version is a conflict
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    measure: Mapped[Measure] = relationship(back_populates="steps")
    owner_group: Mapped[Group | None] = relationship(foreign_keys=[owner_group_id])
    #: the measure's other owner groups, for a step they own together (two groups named as the measure's owners)
    co_owner_groups: Mapped[list[Group]] = relationship(secondary="step_co_owner", order_by="Group.id")
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    reviewer_group: Mapped[Group | None] = relationship(foreign_keys=[reviewer_group_id])
    reviews_step: Mapped[Step | None] = relationship(remote_side=[id], foreign_keys=[reviews_step_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="step", order_by="ReviewDecision.id", cascade="all, delete-orphan"
    )


class ReviewDecision(Model):
    """A director's decision on a review step: approved, or sent back with a reason."""

    __tablename__ = "review_decision"
    __table_args__ = (CheckConstraint(one_of("decision", Decision), name="decision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id", ondelete="CASCADE"), nullable=False, index=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    #: a Decision: "approved" or "sent_back"
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: decided while acting for another (รักษาราชการแทน): {"id", "name", "position"} of the one acted for
    acting: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    step: Mapped[Step] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship()


class StepCoOwner(Model):
    """A group that owns a step beside its owner group: a measure owned by two groups keeps both on its steps
    (their members see the step as theirs, may act on it and hear its alerts)."""

    __tablename__ = "step_co_owner"
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("work_group.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
