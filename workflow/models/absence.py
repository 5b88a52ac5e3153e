"""Absences (ลา, ไปราชการ, อบรม) and who acts for the absent person meanwhile (รักษาราชการแทน)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Model
from workflow.models.types import UTCDateTime


class Absence(Model):
    """A person away from ``starts_on`` to ``ends_on`` (Bangkok days, both included), and, for those days, the
    one who acts for them (รักษาราชการแทน): that person decides the reviews of the groups the absent one
    directs, hears the alerts meant for them, may do their steps, and signs what they would have signed. It
    is in force only on its days, so it ends by itself after its last one; cancelled, it is over at once."""

    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        # nobody acts for themself
        CheckConstraint("acting_user_id IS NULL OR acting_user_id <> user_id", name="not_self"),
        Index("ix_absence_user_ends", "user_id", "ends_on"),
        Index("ix_absence_agency_ends", "agency_id", "ends_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: why, as the person writes it: ลาพักผ่อน, ไปราชการ, อบรม...
    reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: who acts for them on those days (รักษาราชการแทน); None: nobody (their steps wait, or are reassigned)
    acting_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"),
                                                       nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: withdrawn (back early, or recorded by mistake): no longer in force from then on
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"),
                                                        nullable=True)
