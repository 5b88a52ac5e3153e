"""Work groups and the people who act in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Model
from workflow.models.types import UTCDateTime

#: staff act on their steps; directors decide reviews of the groups they direct; the secretariat runs
#: rounds and may reassign and reopen; executives read everything; admins manage users and groups.
ROLES = ("staff", "director", "secretariat", "executive", "admin")


class Group(Model):
    """กลุ่มงาน: a work group with members and one director (ผู้อำนวยการกลุ่ม)."""

    __tablename__ = "work_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: short stable key used by definitions files, e.g. ``hr``
    key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    #: Thai name as the agency writes it, e.g. กลุ่มบริหารงานบุคคล
    name: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    #: the director who decides this group's reviews
    director_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", use_alter=True, ondelete="SET NULL"), nullable=True
    )
    #: someone acting for an absent director; decides reviews while set
    acting_director_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", use_alter=True, ondelete="SET NULL"), nullable=True
    )

    director: Mapped[User | None] = relationship(foreign_keys=[director_id])
    acting_director: Mapped[User | None] = relationship(foreign_keys=[acting_director_id])
    members: Mapped[list[User]] = relationship(back_populates="group", foreign_keys="User.group_id")

    def directed_by(self, user_id: int) -> bool:
        return user_id in (self.director_id, self.acting_director_id)


class User(Model):
    """A person: staff, director, secretariat, executive or admin (roles may combine)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: short stable key used by definitions files, e.g. ``pannee``
    key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    position: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: login and alert address; people named in a memo may have none yet
    email: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    #: argon2id hash; no password means no login
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_group.id", ondelete="SET NULL"), nullable=True, index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    #: bumped on logout, password change or disable, to end other sessions
    session_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    #: "instant" alerts or one "digest" a day
    notify_mode: Mapped[str] = mapped_column(String(16), default="instant", nullable=False)
    #: Bangkok hour at which a digest user gets the day's alerts
    digest_hour: Mapped[int] = mapped_column(Integer, default=8, nullable=False)
    #: "thai" or "arabic" digits in dates
    digit_style: Mapped[str] = mapped_column(String(8), default="thai", nullable=False)
    #: "th" (the default) or "en": the language of the pages
    language: Mapped[str] = mapped_column(String(2), default="th", server_default="th", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    group: Mapped[Group | None] = relationship(back_populates="members", foreign_keys=[group_id])
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class UserRole(Model):
    """One role of a user."""

    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
