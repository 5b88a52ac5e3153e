"""Work groups and the people who act in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Model
from workflow.models.types import UTCDateTime, one_of
from workflow.vocabulary import AgencyKind

#: staff act on their steps; directors decide reviews of the groups they direct; the secretariat runs
#: rounds and may reassign and reopen; executives read everything; admins manage users and groups; a
#: supervisor (ผู้กำกับติดตาม) of a parent agency reads its units' progress (the roll-up), read-only.
ROLES = ("staff", "director", "secretariat", "executive", "admin", "supervisor")


class Agency(Model):
    """หน่วยงาน: an agency the ITA assesses, or a parent that follows its units (any depth). Each owns its groups,
    people and cycles; keys are unique within an agency."""

    __tablename__ = "agency"
    __table_args__ = (CheckConstraint(one_of("kind", AgencyKind), name="kind"),
                      CheckConstraint("second_factor IN ('none', 'privileged', 'everyone')", name="second_factor"))
    id: Mapped[int] = mapped_column(primary_key=True)
    #: short stable code used on the command line and in URLs, e.g. ``roiet``
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    #: the name as the agency writes it, e.g. สำนักงานศึกษาธิการจังหวัดร้อยเอ็ด
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    #: an AgencyKind
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default=AgencyKind.OFFICE)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: the emblem (ตราครุฑ) its admin uploaded, re-encoded as PNG, heading its memos as the regulation places it
    emblem: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)

    #: who must sign in with a second factor (workflow/people/secondfactor.py): "none" (whoever chose one),
    #: "privileged" (admins, executives and the secretariat) or "everyone"
    second_factor: Mapped[str] = mapped_column(String(16), nullable=False, default="none", server_default="none")
    #: its people sign in through a provider it switched on; a password is refused, except its break-glass admin's
    sso_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent", order_by="Agency.code")


class Group(Model):
    """กลุ่มงาน: a work group with members and one director (ผู้อำนวยการกลุ่ม)."""

    __tablename__ = "work_group"
    __table_args__ = (UniqueConstraint("agency_id", "key", name="work_group_agency_key"),
                      UniqueConstraint("agency_id", "name", name="work_group_agency_name"))
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False, index=True)
    #: short stable key used by definitions files, e.g. ``hr`` (unique within the agency)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    #: Thai name as the agency writes it, e.g. กลุ่มบริหารงานบุคคล
    name: Mapped[str] = mapped_column(String(255), nullable=False)
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
    __table_args__ = (UniqueConstraint("agency_id", "key", name="app_user_agency_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the one agency a person belongs to
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False, index=True)
    #: short stable key used by definitions files, e.g. ``pannee`` (unique within the agency)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
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
    #: the admin whose password still works when the agency requires single sign-on (one per agency)
    break_glass: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)

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
