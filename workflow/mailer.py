"""Deliver the outbox through Flask-Mail: one SMTP connection per batch, each row marked as it goes.

A row is claimed with a lease (``status = 'sending'``, ``lease_until``) so a worker killed mid-batch
leaves nothing stranded: the lease expires and the row is sent by the next run. Failures are retried
with exponential backoff up to a cap, then the row is marked failed. The Message-ID is fixed in the row,
so a retried message is the same message to the receiving side. Flask-Mail opens SMTP without a timeout;
we give it one.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import charset as email_charset

from flask import current_app
from flask_mail import Connection, Mail, Message
from sqlalchemy import and_, or_, select, update

from workflow.db import db
from workflow.models import OutboxMessage
from workflow.notify import render_message

log = logging.getLogger(__name__)
mail = Mail()
# Flask-Mail registers UTF-8 bodies as raw 8bit, so a long Thai line (3 bytes a letter) breaks SMTP's
# 998-byte line limit ("500 Line too long"). Encode bodies in base64; headers stay shortest-form.
email_charset.add_charset("utf-8", email_charset.SHORTEST, email_charset.BASE64, "utf-8")
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)


class TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a server that never answers cannot hang a worker."""

    def configure_host(self):
        timeout = current_app.config["ITAFLOW"].mail_timeout
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def __exit__(self, exc_type, exc_value, tb) -> None:
        if self.host is not None:
            try:
                self.host.quit()
            except (smtplib.SMTPException, OSError):
                self.host.close()


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))


def _due(now: datetime):
    """Pending rows whose time has come, and rows whose sender died (lease expired)."""
    return or_(and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
               and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now))


def claim(now: datetime, limit: int) -> list[int]:
    lease = timedelta(seconds=current_app.config["ITAFLOW"].mail_lease_seconds)
    due = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status="sending", lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
    ).scalars().all()
    db.session.commit()
    return sorted(ids)


def build_message(row: OutboxMessage) -> Message:
    text, html = render_message(row)
    msg = Message(subject=row.subject, recipients=[row.to_email], body=text, html=html,
                  extra_headers={"Auto-Submitted": "auto-generated", "X-Itaflow-Event": row.event})
    msg.msgId = row.message_id  # the same Message-ID on every retry
    return msg


def deliver_pending(now: datetime, limit: int = 200) -> DeliveryResult:
    """Send one batch of due rows over one SMTP connection. Returns what happened."""
    db.session.rollback()
    result = DeliveryResult()
    ids = claim(now, limit)
    result.claimed = len(ids)
    if not ids:
        return result
    remaining = list(ids)
    try:
        with TimeoutConnection(current_app.extensions["mail"]) as conn:
            while remaining:
                row = db.session.get(OutboxMessage, remaining[0])
                try:
                    conn.send(build_message(row))
                except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError):
                    raise  # the connection is gone: the rest of the batch is retried below
                except (smtplib.SMTPException, OSError, UnicodeError) as exc:
                    _retry_or_fail(row, now, exc, result)
                else:
                    row.status, row.sent_at, row.lease_until, row.last_error = "sent", now, None, None
                    result.sent += 1
                db.session.commit()  # mark each row as soon as it is settled
                remaining.pop(0)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("SMTP unavailable, %d message(s) will be retried: %s", len(remaining), exc)
        for row_id in remaining:
            _retry_or_fail(db.session.get(OutboxMessage, row_id), now, exc, result)
        db.session.commit()
    return result


def _retry_or_fail(row: OutboxMessage, now: datetime, exc: BaseException, result: DeliveryResult) -> None:
    row.last_error = f"{exc.__class__.__name__}: {exc}"[:1000]
    row.lease_until = None
    if row.attempts >= current_app.config["ITAFLOW"].mail_max_attempts:
        row.status = "failed"
        result.failed += 1
    else:
        row.status = "pending"
        row.next_attempt_at = now + backoff(row.attempts)
        result.retried += 1


def has_due_mail(now: datetime) -> bool:
    return db.session.execute(select(OutboxMessage.id).where(_due(now)).limit(1)).first() is not None
