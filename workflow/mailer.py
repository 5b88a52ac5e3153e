"""Deliver the outbox through Flask-Mail: one SMTP connection per batch, each row marked as it goes.

Unlike the other services this one commits, because an SMTP handover cannot join a database transaction:
the claims are committed before the first message leaves, and each row is settled and committed as soon
as the server took its message (a kill repeats at most that one message, with the same Message-ID).

A row is claimed with a lease (``status = 'sending'``, ``lease_until``) so a worker killed mid-batch
leaves nothing stranded: the lease expires and the row is sent by the next run. Failures are retried
with exponential backoff up to a cap, then the row is marked failed. The Message-ID is fixed in the row,
so a retried message is the same message to the receiving side. Flask-Mail opens SMTP without a timeout;
we give it one.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import charset as email_charset
from email.utils import formatdate
from types import SimpleNamespace

from flask import current_app
from flask_mail import Connection, Mail, Message, email_dispatched, sanitize_address
from sqlalchemy import and_, bindparam, or_, select, update

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

    def send(self, message: Message, envelope_from: str | None = None) -> None:
        """Flask-Mail's send without its per-message address re-parsing: our addresses come from the
        outbox, already checked, and the subject cannot carry a line break (see build_message)."""
        if self.host is not None:
            self.host.sendmail(_address(envelope_from or message.sender), [_address(r) for r in message.send_to],
                               message.as_bytes(), message.mail_options, message.rcpt_options)
        email_dispatched.send(current_app._get_current_object(), message=message)

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


class OutboxMail(Message):
    """Flask-Mail's message with a lean serialiser for our one shape of email (plain text and HTML, no
    attachments). Flask-Mail builds a MIME tree and refolds every header through the email package,
    which costs more than the SMTP exchange itself; here only the subject needs RFC 2047 encoding."""

    def as_bytes(self) -> bytes:
        if self.attachments or set(self.alts) - {"html"}:
            return super().as_bytes()
        boundary = f"=_itaflow_{uuid.uuid4().hex}"
        headers = [
            ("From", _address(self.sender)),
            ("To", ", ".join(_address(r) for r in self.recipients)),
            ("Subject", encode_header_value(self.subject or "")),
            ("Date", formatdate(self.date, localtime=True)),
            ("Message-ID", self.msgId),
            ("MIME-Version", "1.0"),
            *((k, v) for k, v in (self.extra_headers or {}).items()),
            ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ]
        parts = [("plain", self.body or "")]
        if "html" in self.alts:
            parts.append(("html", self.alts["html"]))
        out = [f"{name}: {value}" for name, value in headers]
        out.append("")
        for subtype, content in parts:
            out += [f"--{boundary}", f'Content-Type: text/{subtype}; charset="utf-8"',
                    "Content-Transfer-Encoding: base64", "",
                    base64.encodebytes(content.encode("utf-8")).decode("ascii").replace("\n", "\r\n")]
        out.append(f"--{boundary}--")
        return "\r\n".join(out).encode("ascii") + b"\r\n"


def encode_header_value(value: str) -> str:
    """RFC 2047 base64 encoded-words, split on character boundaries (45 UTF-8 bytes a word, so each line
    stays under 78 characters). email.header.Header does the same but tries every split point of a long
    Thai subject and costs more than sending the message."""
    value = " ".join(value.split())
    if value.isascii():
        return value
    words, chunk = [], b""
    for ch in value:
        encoded = ch.encode("utf-8")
        if len(chunk) + len(encoded) > 45:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


def _address(address) -> str:
    """Plain ASCII addresses as they are; anything else through Flask-Mail's sanitizer."""
    if isinstance(address, str) and address.isascii() and "\n" not in address and "\r" not in address:
        return address
    return sanitize_address(address)


def build_message(row: OutboxMessage, now: datetime) -> Message:
    text, html = render_message(row)
    msg = OutboxMail(subject=" ".join(row.subject.split()), recipients=[row.to_email], body=text, html=html,
                  extra_headers={"Auto-Submitted": "auto-generated", "X-Itaflow-Event": row.event,
                                 "X-Itaflow-Outbox": str(row.id)})
    msg.msgId = row.message_id  # the same Message-ID on every retry
    msg.date = now.timestamp()  # the sweep's clock, not the system's
    return msg


def deliver_pending(now: datetime, limit: int = 200) -> DeliveryResult:
    """Send one batch of due rows over one SMTP connection. Returns what happened.

    Every message of the batch is rendered first; then each is sent and its row settled and committed at
    once, so a worker killed mid-batch repeats at most the one message it was handing over."""
    db.session.rollback()
    result = DeliveryResult()
    ids = claim(now, limit)
    result.claimed = len(ids)
    if not ids:
        return result
    # plain rows, not ORM objects: each per-row commit below would otherwise expire every loaded object
    table = OutboxMessage.__table__
    rows = [SimpleNamespace(**m) for m in db.session.execute(
        select(table).where(table.c.id.in_(ids)).order_by(table.c.id)).mappings()]
    batch: list[tuple[int, int, Message]] = []
    for row in rows:
        try:
            batch.append((row.id, row.attempts, build_message(row, now)))
        except Exception as exc:  # a message that cannot be built is retried, then marked failed
            log.exception("outbox row %s cannot be rendered", row.id)
            _settle_failure(row.id, row.attempts, now, exc, result)
    db.session.commit()
    done = 0
    try:
        # settle through a Core connection of its own: cheaper per commit than the ORM session
        with TimeoutConnection(current_app.extensions["mail"]) as conn, db.engine.connect() as settle:
            for row_id, attempts, message in batch:
                try:
                    conn.send(message)
                except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError):
                    raise  # the connection is gone: the rest of the batch is retried below
                except (smtplib.SMTPException, OSError, UnicodeError) as exc:
                    _settle_failure(row_id, attempts, now, exc, result, settle)
                else:
                    settle.execute(_SETTLE_SENT, {"row_id": row_id, "now": now})
                    result.sent += 1
                settle.commit()  # settle each row as soon as it is sent
                done += 1
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("SMTP unavailable, %d message(s) will be retried: %s", len(batch) - done, exc)
        for row_id, attempts, _message in batch[done:]:
            _settle_failure(row_id, attempts, now, exc, result)
        db.session.commit()
    return result


# Core statements: the ORM's bulk UPDATE would re-synchronise every loaded row on each call
_SETTLE_SENT = (update(OutboxMessage.__table__).where(OutboxMessage.__table__.c.id == bindparam("row_id"))
                .values(status="sent", sent_at=bindparam("now"), lease_until=None, last_error=None))


def _settle_failure(row_id: int, attempts: int, now: datetime, exc: BaseException, result: DeliveryResult,
                    connection=None) -> None:
    error = f"{exc.__class__.__name__}: {exc}"[:1000]
    if attempts >= current_app.config["ITAFLOW"].mail_max_attempts:
        values = {"status": "failed"}
        result.failed += 1
    else:
        values = {"status": "pending", "next_attempt_at": now + backoff(attempts)}
        result.retried += 1
    (connection or db.session).execute(update(OutboxMessage.__table__).where(OutboxMessage.__table__.c.id == row_id)
                                       .values(last_error=error, lease_until=None, **values))


def has_due_mail(now: datetime) -> bool:
    return db.session.execute(select(OutboxMessage.id).where(_due(now)).limit(1)).first() is not None
