"""LINE, the second channel beside e-mail: an agency's LINE Official Account (Messaging API channel), the
groups and people bound to it, and the webhook events already taken (a replayed body changes nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Model
from workflow.models.types import UTCDateTime
from workflow.secretbox import Encrypted


class LineChannel(Model):
    """An agency's Messaging API channel. The access token and the channel secret never leave this row: not in
    a log, not in the audit log's data, shown masked."""

    __tablename__ = "line_channel"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), unique=True, nullable=False)
    #: encrypted at rest (workflow/secretbox.py), as is the secret
    access_token: Mapped[str] = mapped_column(Encrypted, nullable=False)
    channel_secret: Mapped[str] = mapped_column(Encrypted, nullable=False)
    #: the bot's own user id, the ``destination`` of its webhook bodies (how a body finds its channel)
    bot_user_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    bot_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: the events a bound group hears at once; the rest waits for the daily digest (pushes are billed)
    immediate: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    #: why sending stopped (a revoked token): shown to the admin until the token is entered again
    problem: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class LineTarget(Model):
    """A LINE group the bot was invited into, or a person who added it as a friend: pending until an admin (or
    the person) enters the one-time code the bot posted, then bound to a work group, to the whole agency (the
    ITA group) or to the person; "left" when the bot is removed or blocked."""

    __tablename__ = "line_target"
    __table_args__ = (UniqueConstraint("agency_id", "line_id", name="agency_line_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), nullable=False)
    #: "group" (a LINE group or room) or "person"
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    line_id: Mapped[str] = mapped_column(String(64), nullable=False)
    #: "pending", "bound", "left"
    state: Mapped[str] = mapped_column(String(8), nullable=False)
    #: sha256 of the one-time code; cleared once used
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: a group bound to a work group (None with kind "group": the whole agency's ITA group)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("work_group.id", ondelete="SET NULL"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bound_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class LineWebhookEvent(Model):
    """A webhook event taken (LINE's ``webhookEventId``): the same event again is not acted on twice."""

    __tablename__ = "line_webhook_event"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
