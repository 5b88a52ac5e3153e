"""Timers, the audit chain and the email outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Model
from workflow.models.types import UTCDateTime


class Timer(Model):
    """A deadline as data: a periodic sweep claims due rows with ``UPDATE ... WHERE fired_at IS NULL``."""

    __tablename__ = "timer"
    __table_args__ = (
        # "unfired timers by fire_at": the sweep's only query
        Index(
            "ix_timer_unfired_fire_at",
            "fire_at",
            postgresql_where=text("fired_at IS NULL"),
            sqlite_where=text("fired_at IS NULL"),
        ),
        Index("ix_timer_target", "target_type", "target_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "step_due", "round", "special_deadline", "period_end"
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    target_type: Mapped[str] = mapped_column(String(32), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)


class AuditEvent(Model):
    """One state change, login or denial; each event holds the hash of the one before it in its chain (one
    chain per agency, and the deployment's own for what belongs to no agency)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="audit_event_chain_seq"),
        Index("ix_audit_target", "target_type", "target_id"),
        Index("ix_audit_actor_at", "actor_id", "occurred_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the chain: an agency's id, or 0 for the deployment's own (agencies themselves, refusals of no one)
    chain: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    #: position in the chain, 1, 2, 3... (ids may skip; seq may not)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    target_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    from_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditHead(Model):
    """A chain's head, one row per chain (its id is the chain): serialises appends (row lock), catches deletion
    of the tail, and is the version of the agency's data behind the page and PDF caches."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class OutboxMessage(Model):
    """An email (or a LINE message) to send, written in the same transaction as what caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: unique per (event, recipient): the same alert is never queued twice
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    to_email: Mapped[str] = mapped_column(String(255), nullable=False)
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    #: "pending", "sending", "sent", "failed"; "held" for a digest, then "digested"
    status: Mapped[str] = mapped_column(String(16), default="pending", nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: while "sending": the claim expires then, so a worker killed mid-batch does not strand the row
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: what the email says, as data: template, recipient name, lead, items, context; rendered when sent
    payload: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    #: fixed once, so a retried send keeps its Message-ID
    message_id: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: "email", or "line": then ``to_email`` holds the LINE group or user id, and ``message_id`` the retry key
    channel: Mapped[str] = mapped_column(String(8), default="email", server_default="email", nullable=False)
    line_target_id: Mapped[int | None] = mapped_column(ForeignKey("line_target.id", ondelete="CASCADE"),
                                                       nullable=True)


class SignInThrottle(Model):
    """Wrong guesses at one account, counted in the database so the limit holds whatever the number of web
    workers (workflow/people/throttle.py). A try is claimed before the password is checked, so concurrent guesses
    cannot overrun it."""

    __tablename__ = "sign_in_throttle"
    #: sha256 of what is guarded: ``password:<address>`` or ``second:<user id>`` (no address kept in clear)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: tries counted in the window (a successful one is given back)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
